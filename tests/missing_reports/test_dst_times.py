"""Times typed on the nights the clocks change, through the run, notice, return and episode pages.

Agency A is in America/Chicago: on 2026-11-01 clocks go back at 2:00 AM CDT, so 1:00-1:59 AM happens twice
(CDT, then CST); on 2027-03-14 they go forward at 2:00 AM CST, so 2:00-2:59 AM never happens. "Now" is
held at chosen instants of those nights (tests.helpers.FrozenClock). A repeated time means its most recent
occurrence that is not in the future (else the earlier); a skipped time is refused with the nearest valid
times; a form posted back as it was shown keeps the very instant it showed.
"""

import datetime

import pytest
from django.urls import reverse

from caseapp.local_time import agency_zone, display_time
from missing_reports.models import MissingEpisode, Notification
from missing_reports.services import episodes as services
from tests.helpers import FrozenClock, posted_form

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def utc(*args):
    return datetime.datetime(*args, tzinfo=UTC)


FIRST_0130 = utc(2026, 11, 1, 6, 30)  # 1:30 AM CDT
SECOND_0130 = utc(2026, 11, 1, 7, 30)  # 1:30 AM CST, an hour later
FIRST_PASS = utc(2026, 11, 1, 6, 45)  # now: 1:45 AM CDT
EARLY_SECOND_PASS = utc(2026, 11, 1, 7, 10)  # now: 1:10 AM CST (1:30 AM CST is still to come)
LATE_SECOND_PASS = utc(2026, 11, 1, 7, 40)  # now: 1:40 AM CST
SPRING_MORNING = utc(2027, 3, 14, 9, 0)  # now: 4:00 AM CDT
GAP_MESSAGE = (
    "2:30 AM on Mar 14, 2027 does not exist in America/Chicago: clocks went from 1:59 AM CST to 3:00 AM CDT. "
    "Enter 1:59 AM or 3:00 AM."
)
ZONE_HELP = "Agency time (America/Chicago)."

# (now, the time "1:30 AM" means then, as the episode page shows it)
REPEATED_CASES = [
    pytest.param(FIRST_PASS, FIRST_0130, "11/01/2026 01:30 CDT", id="first-pass"),
    pytest.param(EARLY_SECOND_PASS, FIRST_0130, "11/01/2026 01:30 CDT", id="second-pass-before-0130-CST"),
    pytest.param(LATE_SECOND_PASS, SECOND_0130, "11/01/2026 01:30 CST", id="second-pass-after-0130-CST"),
]


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """The day before the clocks go back, until a test moves it (set first: the fixtures' records use it)."""
    return FrozenClock(monkeypatch, utc(2026, 10, 31, 17, 0))


def text(response):
    return response.content.decode()


def log_run(actor, youth, last_seen_at, learned_at):
    return services.log_run(
        actor=actor, youth_id=youth.pk, last_seen_at=last_seen_at, last_seen_location="Outside Central High",
        reported_by="A. Rivera, foster parent", agency_learned_at=learned_at,
    )


@pytest.fixture
def episode(clock, caseworker_a, youth_a1):
    """Missing since midnight before the clocks go back; the agency learned at 12:30 AM CDT."""
    clock.set(utc(2026, 11, 1, 5, 40))
    return log_run(caseworker_a, youth_a1, utc(2026, 11, 1, 5, 0), utc(2026, 11, 1, 5, 30))


@pytest.fixture
def spring_episode(clock, caseworker_a, youth_a1):
    """Missing since midnight before the clocks go forward; the agency learned at 12:30 AM CST."""
    clock.set(utc(2027, 3, 14, 6, 40))
    episode = log_run(caseworker_a, youth_a1, utc(2027, 3, 14, 6, 0), utc(2027, 3, 14, 6, 30))
    clock.set(SPRING_MORNING)
    return episode


def episode_page(client, episode):
    return text(client.get(reverse("episode_detail", args=[episode.pk])))


# --- The run ------------------------------------------------------------------------------------------


def test_the_run_form_prefilled_in_the_repeated_hour_saves_what_it_showed(clock, client_for, caseworker_a, youth_a1):
    clock.set(LATE_SECOND_PASS + datetime.timedelta(seconds=20))
    client = client_for(caseworker_a)
    url = reverse("log_run", args=[youth_a1.pk])
    page = text(client.get(url))
    assert 'value="2026-11-01T01:40"' in page  # when the agency learned: now, on the agency's clock
    assert f"This starts the reporting clocks. {ZONE_HELP}" in page
    assert f"Your best estimate is fine; you can correct it later. {ZONE_HELP}" in page
    data = posted_form(
        page, "last_seen_at",
        last_seen_at="2026-11-01T01:30", last_seen_location="Bus stop at 5th and Main", reported_by="Night staff",
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    episode = MissingEpisode.objects.get()
    assert episode.agency_learned_at == LATE_SECOND_PASS  # the minute shown, not an hour earlier
    assert episode.last_seen_at == SECOND_0130  # ten minutes before, not seventy
    assert episode.notifications.get(party="ncmec").due_at == LATE_SECOND_PASS + datetime.timedelta(hours=24)
    shown = episode_page(client, episode)
    assert "Missing since 11/01/2026 01:30 CST" in shown
    assert "Agency learned</dt><dd class=\"col-sm-8\">11/01/2026 01:40 CST" in shown


@pytest.mark.parametrize("now, meant, shown", REPEATED_CASES)
def test_a_typed_run_time_in_the_repeated_hour(clock, client_for, caseworker_a, youth_a1, now, meant, shown):
    clock.set(now)
    response = client_for(caseworker_a).post(
        reverse("log_run", args=[youth_a1.pk]),
        {"last_seen_at": "2026-11-01T01:30", "last_seen_location": "The group home", "reported_by": "Night staff"},
        follow=True,
    )
    episode = MissingEpisode.objects.get()
    assert episode.last_seen_at == meant
    assert episode.agency_learned_at == now  # left empty: now
    assert f"Missing since {shown}" in text(response)


def test_a_run_time_in_the_spring_gap_is_refused_and_nothing_is_written(clock, client_for, caseworker_a, youth_a1):
    clock.set(SPRING_MORNING)
    response = client_for(caseworker_a).post(
        reverse("log_run", args=[youth_a1.pk]),
        {
            "last_seen_at": "2027-03-14T02:30", "agency_learned_at": "2027-03-14T03:30",
            "last_seen_location": "The group home", "reported_by": "Night staff",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["last_seen_at"] == [GAP_MESSAGE]
    assert GAP_MESSAGE in text(response)
    assert "couldn’t be interpreted" not in text(response)
    assert not MissingEpisode.objects.exists()


def test_the_episode_form_posted_back_unchanged_keeps_a_time_of_the_second_pass(
    clock, client_for, caseworker_a, youth_a1
):
    clock.set(LATE_SECOND_PASS)
    stored = SECOND_0130 + datetime.timedelta(seconds=27)
    episode = log_run(caseworker_a, youth_a1, stored, utc(2026, 11, 1, 7, 35))
    client = client_for(caseworker_a)
    url = reverse("episode_edit", args=[episode.pk])
    page = text(client.get(url))
    assert 'value="2026-11-01T01:30"' in page
    response = client.post(url, posted_form(page, "last_seen_at", clothing="Grey hoodie"))
    assert response.status_code == 302, response.context["form"].errors
    episode.refresh_from_db()
    assert episode.clothing == "Grey hoodie"
    assert episode.last_seen_at == stored  # not 1:30 AM CDT, an hour earlier, and not a second off


# --- A notice -----------------------------------------------------------------------------------------


def record_notice(client, notification, **typed):
    url = reverse("notification_record", args=[notification.pk])
    page = text(client.get(url))
    typed = {"method": "phone", "contact_name": "Dispatcher Lee", "reference": "TPD-1", **typed}
    data = posted_form(page, "done_at", **typed)
    return page, client.post(url, data)


@pytest.mark.parametrize("now, meant, shown", REPEATED_CASES)
def test_a_notice_given_in_the_repeated_hour(clock, client_for, caseworker_a, episode, now, meant, shown):
    clock.set(now)
    le = episode.notifications.get(party="law_enforcement")
    client = client_for(caseworker_a)
    page, response = record_notice(client, le, done_at="2026-11-01T01:30")
    assert "When the notice was given" in page and ZONE_HELP in page
    assert response.status_code == 302, response.context["form"].errors
    le.refresh_from_db()
    assert le.done_at == meant
    after = episode_page(client, episode)
    assert f"recorded as given {shown} (" in after  # the message after saving
    assert f'Given</dt><dd class="col-sm-8">{shown} (' in after


def test_a_notice_prefilled_in_the_second_pass_saves_the_minute_shown(clock, client_for, caseworker_a, episode):
    clock.set(LATE_SECOND_PASS + datetime.timedelta(seconds=50))
    le = episode.notifications.get(party="law_enforcement")
    page, response = record_notice(client_for(caseworker_a), le)
    assert 'value="2026-11-01T01:40"' in page
    assert response.status_code == 302
    le.refresh_from_db()
    assert le.done_at == LATE_SECOND_PASS


def test_a_notice_corrected_later_keeps_its_time_of_the_second_pass(clock, client_for, caseworker_a, episode):
    clock.set(LATE_SECOND_PASS)
    le = episode.notifications.get(party="law_enforcement")
    stored = SECOND_0130 + datetime.timedelta(seconds=27)
    services.record_notification(
        actor=caseworker_a, notification_id=le.pk, expected_version=le.version, done_at=stored, method="phone",
        reference="TPD-1",
    )
    clock.set(utc(2026, 11, 2, 15, 0))  # the next morning
    page, response = record_notice(client_for(caseworker_a), le, reference="TPD-11")
    assert 'value="2026-11-01T01:30"' in page
    assert response.status_code == 302, response.context["form"].errors
    le.refresh_from_db()
    assert (le.reference, le.done_at) == ("TPD-11", stored)


def test_a_notice_time_in_the_spring_gap_is_refused(client_for, caseworker_a, spring_episode):
    le = spring_episode.notifications.get(party="law_enforcement")
    before = Notification.objects.filter(pk=le.pk).values().get()
    _page, response = record_notice(client_for(caseworker_a), le, done_at="2027-03-14T02:30")
    assert response.status_code == 200
    assert response.context["form"].errors["done_at"] == [GAP_MESSAGE]
    assert GAP_MESSAGE in text(response)
    assert Notification.objects.filter(pk=le.pk).values().get() == before


# --- The return ---------------------------------------------------------------------------------------


def log_return(client, episode, **typed):
    url = reverse("log_return", args=[episode.pk])
    page = text(client.get(url))
    data = posted_form(page, "returned_at", found_location_type="friend", how_located="self_returned", **typed)
    return page, client.post(url, data)


@pytest.mark.parametrize("now, meant, shown", REPEATED_CASES)
def test_a_return_in_the_repeated_hour(clock, client_for, caseworker_a, episode, now, meant, shown):
    clock.set(now)
    client = client_for(caseworker_a)
    page, response = log_return(client, episode, returned_at="2026-11-01T01:30")
    assert ZONE_HELP in page
    assert response.status_code == 302, response.context["form"].errors
    episode.refresh_from_db()
    assert episode.returned_at == meant
    assert f"Returned {shown}" in episode_page(client, episode)


def test_a_return_time_in_the_spring_gap_is_refused(client_for, caseworker_a, spring_episode):
    _page, response = log_return(client_for(caseworker_a), spring_episode, returned_at="2027-03-14T02:30")
    assert response.status_code == 200
    assert response.context["form"].errors["returned_at"] == [GAP_MESSAGE]
    spring_episode.refresh_from_db()
    assert spring_episode.is_open and spring_episode.returned_at is None


# --- Times shown back -----------------------------------------------------------------------------------


def test_emails_name_which_130_am_they_mean(agency_a):
    assert display_time(FIRST_0130, agency_zone(agency_a)) == "Nov 1, 2026, 1:30 AM CDT"
    assert display_time(SECOND_0130, agency_zone(agency_a)) == "Nov 1, 2026, 1:30 AM CST"
