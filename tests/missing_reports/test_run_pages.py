"""Reporting a youth missing, the episode page, and what is added to an episode later.

Through the Django test client, as a caseworker on a phone would use them: what the user sees, and
what is (or, after bad input or from outside the user's scope, is not) written.
"""

import datetime
import html
import re
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from caseapp.models import AuditAction, AuditEvent, Placement
from missing_reports.models import (
    MissingEpisode,
    Notification,
    NotificationUpdate,
    SearchEffort,
    SupervisoryReview,
)
from missing_reports.services import episodes as services
from tests.factories import YouthFactory
from tests.helpers import rendered_form
from tests.personas import OUTSIDERS

pytestmark = pytest.mark.django_db

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")


def as_input(moment):
    """What a datetime-local input posts, in the agency's zone (America/Chicago for agency A)."""
    return timezone.localtime(moment, CHICAGO).strftime("%Y-%m-%dT%H:%M")


def minute(moment):
    return moment.replace(second=0, microsecond=0)


def counts():
    """Everything a page of this module could write."""
    return {
        model.__name__: model.objects.count()
        for model in (
            MissingEpisode, Notification, NotificationUpdate, SearchEffort, SupervisoryReview, Placement, AuditEvent,
        )
    }


def text(response):
    return response.content.decode()


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def episode(caseworker_a, youth_a1, now):
    """An open episode of youth_a1, learned of an hour ago."""
    return services.log_run(
        actor=caseworker_a, youth_id=youth_a1.pk, last_seen_at=now - datetime.timedelta(hours=2),
        last_seen_location="Outside Central High", reported_by="A. Rivera, foster parent",
        agency_learned_at=now - datetime.timedelta(hours=1),
    )


# --- Report missing: the run form ------------------------------------------------------------------


def test_the_form_asks_for_little_and_says_what_starts_the_clocks(client_for, caseworker_a, youth_a1):
    response = client_for(caseworker_a).get(reverse("log_run", args=[youth_a1.pk]))
    assert response.status_code == 200
    page = text(response)
    assert "This starts the reporting clocks" in page
    assert "More details (can be added later)" in page
    assert 'type="datetime-local"' in page
    # KS: law enforcement within 2 h; NCMEC within the federal 24 h.
    assert "Law enforcement (NCIC entry) within 2 h" in page
    assert "NCMEC within 24 h" in page
    form = response.context["form"]
    assert form["placement"].value() == youth_a1.placements.get().pk
    assert form["category"].value() == "runaway"
    for name in ("circumstances", "clothing", "endangerment", "phones_and_accounts"):
        assert name in {f.name for f in form.detail_fields()}
    # Trauma-informed wording: "runaway" appears only as the legal category name.
    assert "chronic runaway" not in page.lower()


def test_logging_a_run_opens_the_episode_and_starts_the_clocks(client_for, caseworker_a, youth_a1, agency_a, now):
    agency_a.state = "KS"
    agency_a.save()
    placement = youth_a1.placements.get()
    learned = minute(now - datetime.timedelta(minutes=30))
    response = client_for(caseworker_a).post(
        reverse("log_run", args=[youth_a1.pk]),
        {
            "last_seen_at": as_input(now - datetime.timedelta(hours=3)),
            "last_seen_location": "Bus stop at 5th and Main",
            "reported_by": "A. Rivera, foster parent",
            "agency_learned_at": as_input(learned),
            "category": "runaway",
            "placement": placement.pk,
            "clothing": "Grey hoodie, black jeans",
            "endangerment": ["prescription_medication", "out_of_character"],
            "endangerment_notes": "Needs an inhaler.",
        },
        follow=True,
    )
    episode = MissingEpisode.objects.get()
    assert response.redirect_chain[-1][0] == reverse("episode_detail", args=[episode.pk])
    assert episode.status == "open"
    assert episode.agency_learned_at == learned
    assert episode.placement == placement
    assert episode.clothing == "Grey hoodie, black jeans"
    assert episode.endangerment == ["prescription_medication", "out_of_character"]
    assert episode.created_by == caseworker_a
    clocks = {n.party: n for n in episode.notifications.all()}
    assert set(clocks) == {"law_enforcement", "ncmec"}
    assert clocks["law_enforcement"].due_at == learned + datetime.timedelta(hours=2)
    assert clocks["ncmec"].due_at == learned + datetime.timedelta(hours=24)
    due = timezone.localtime(clocks["law_enforcement"].due_at, CHICAGO)
    [message] = messages_of(response)
    assert "the reporting clocks have started" in message
    assert f"First due: Law enforcement (NCIC entry), by {due:%m/%d/%Y %H:%M}" in message
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="missingepisode", youth=youth_a1).exists()
    page = text(response)
    assert "Missing since" in page
    assert "Needs prescription medication" in page


def test_only_the_required_minimum_is_enough(client_for, caseworker_a, youth_a1, now):
    before = timezone.now()
    response = client_for(caseworker_a).post(
        reverse("log_run", args=[youth_a1.pk]),
        {
            "last_seen_at": as_input(now - datetime.timedelta(hours=1)),
            "last_seen_location": "The group home",
            "reported_by": "Night staff",
        },
    )
    episode = MissingEpisode.objects.get()
    assert response.status_code == 302
    assert before <= episode.agency_learned_at <= timezone.now()  # learned: now
    assert episode.category == "runaway"
    assert episode.placement == Placement.objects.get(youth=youth_a1, placement_type="foster_family")
    assert episode.notifications.count() == 2


def test_the_required_fields_are_asked_for_and_nothing_is_written(client_for, caseworker_a, youth_a1):
    before = counts()
    response = client_for(caseworker_a).post(reverse("log_run", args=[youth_a1.pk]), {"category": "runaway"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["last_seen_at"] == ["Give the date and time the youth was last seen."]
    assert errors["last_seen_location"] == ["Say where the youth was last seen."]
    assert errors["reported_by"] == ["Say who reported it."]
    assert "Nothing was saved" in text(response)
    assert counts() == before


def test_last_seen_in_the_future_is_refused(client_for, caseworker_a, youth_a1, now):
    before = counts()
    response = client_for(caseworker_a).post(
        reverse("log_run", args=[youth_a1.pk]),
        {
            "last_seen_at": as_input(now + datetime.timedelta(days=1)),
            "last_seen_location": "School",
            "reported_by": "Teacher",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["last_seen_at"] == ["The time last seen cannot be in the future."]
    assert "The time last seen cannot be in the future." in text(response)
    assert counts() == before


def test_last_seen_after_the_agency_learned_is_refused(client_for, caseworker_a, youth_a1, now):
    before = counts()
    response = client_for(caseworker_a).post(
        reverse("log_run", args=[youth_a1.pk]),
        {
            "last_seen_at": as_input(now - datetime.timedelta(hours=1)),
            "agency_learned_at": as_input(now - datetime.timedelta(hours=3)),
            "last_seen_location": "School",
            "reported_by": "Teacher",
        },
    )
    assert response.status_code == 200
    assert "last seen before the agency learned" in response.context["form"].errors["last_seen_at"][0]
    assert counts() == before


def test_a_second_open_episode_is_refused_with_a_link_to_the_first(client_for, caseworker_a, youth_a1, episode, now):
    client = client_for(caseworker_a)
    url = reverse("log_run", args=[youth_a1.pk])
    episode_url = reverse("episode_detail", args=[episode.pk])

    page = text(client.get(url))
    assert "already recorded as missing" in page
    assert episode_url in page
    assert "Save and start the clocks" not in page

    before = counts()
    response = client.post(
        url,
        {
            "last_seen_at": as_input(now - datetime.timedelta(minutes=30)),
            "last_seen_location": "Park",
            "reported_by": "Neighbour",
        },
    )
    assert response.status_code == 200
    page = text(response)
    assert f"is already recorded as missing (episode {episode.pk})" in page
    assert episode_url in page
    assert 'value="Park"' in page  # the entries are kept, to copy into the open episode
    assert counts() == before


# --- Report missing: pick a youth --------------------------------------------------------------------


def test_the_pick_page_lists_editable_youth_with_a_report_button(client_for, caseworker_a, youth_a1, youth_a2):
    response = client_for(caseworker_a).get(reverse("report_missing"))
    assert response.status_code == 200
    assert [y.pk for y in response.context["page"].object_list] == [youth_a1.pk]
    assert reverse("log_run", args=[youth_a1.pk]) in text(response)


def test_the_pick_page_searches_by_name_and_case_number(client_for, caseworker_a, youth_a1, team_a1):
    other = YouthFactory(team=team_a1, legal_first_name="Zephyrine", case_number="ZZ-123")
    client = client_for(caseworker_a)
    listed = lambda q: [y.pk for y in client.get(reverse("report_missing"), {"q": q}).context["page"].object_list]  # noqa: E731
    assert listed("zephyr") == [other.pk]
    assert listed("ZZ-123") == [other.pk]
    assert listed(youth_a1.case_number) == [youth_a1.pk]
    response = client.get(reverse("report_missing"), {"q": "nobody-by-this-name"})
    assert "No youth match this search" in text(response)


def test_the_pick_page_links_a_missing_youth_to_the_open_episode(client_for, caseworker_a, episode):
    page = text(client_for(caseworker_a).get(reverse("report_missing")))
    assert reverse("episode_detail", args=[episode.pk]) in page
    assert reverse("log_run", args=[episode.youth_id]) not in page


def test_the_pick_page_paginates(client_for, caseworker_a, team_a1, settings):
    settings.PAGE_SIZE = 2
    for _ in range(3):
        YouthFactory(team=team_a1)
    client = client_for(caseworker_a)
    first = client.get(reverse("report_missing"))
    assert len(first.context["page"].object_list) == 2
    assert "Page 1 of 2" in text(first)
    # The Next link, as a user follows it (the picker pages as the caseload does: by the youth's place in name order).
    following = re.search(r'rel="next" href="([^"]+)"', first.content.decode()).group(1).replace("&amp;", "&")
    second = client.get(reverse("report_missing") + following)
    assert len(second.context["page"].object_list) == 1
    assert "Page 2 of 2" in text(second)


def test_the_pick_page_has_an_empty_state(client_for, caseworker_a):
    response = client_for(caseworker_a).get(reverse("report_missing"))
    assert "There are no youth records you can report on." in text(response)


@pytest.mark.parametrize("persona", ["agency_staff_a", "no_role_user"])
def test_roles_that_do_not_edit_cannot_report(request, client_for, youth_a1, persona):
    assert client_for(request.getfixturevalue(persona)).get(reverse("report_missing")).status_code == 403


# --- The episode page --------------------------------------------------------------------------------


def test_the_episode_page_shows_overdue_clocks_and_is_audited(client_for, caseworker_a, youth_a1, now):
    episode = services.log_run(
        actor=caseworker_a, youth_id=youth_a1.pk, last_seen_at=now - datetime.timedelta(hours=31),
        last_seen_location="Mall", reported_by="Foster parent", agency_learned_at=now - datetime.timedelta(hours=30),
    )
    response = client_for(caseworker_a).get(reverse("episode_detail", args=[episode.pk]))
    assert response.status_code == 200
    page = text(response)
    assert "Missing since" in page
    assert "missing for 1 day 7 h" in page
    assert "overdue by 1 day 4 h" in page  # law enforcement: 2 h (KS), 28 h ago
    assert "overdue by 6 h" in page  # NCMEC: 24 h
    for n in episode.notifications.all():
        assert reverse("notification_record", args=[n.pk]) in page
    assert reverse("log_return", args=[episode.pk]) in page
    assert reverse("debrief_create", args=[episode.pk]) not in page
    view = AuditEvent.objects.get(action=AuditAction.VIEW, object_type="missingepisode")
    assert (view.actor, view.youth, view.object_id) == (caseworker_a, youth_a1, str(episode.pk))


def test_a_clock_due_later_says_when(client_for, caseworker_a, episode):
    page = text(client_for(caseworker_a).get(reverse("episode_detail", args=[episode.pk])))
    assert "due in 22 h" in page or "due in 23 h" in page  # NCMEC: 24 h from an hour ago
    assert "Due " in page
    assert "CST" in page or "CDT" in page  # shown in the agency's time zone


def test_agency_staff_read_the_episode_without_edit_buttons(client_for, agency_staff_a, episode):
    response = client_for(agency_staff_a).get(reverse("episode_detail", args=[episode.pk]))
    assert response.status_code == 200
    page = text(response)
    assert reverse("log_return", args=[episode.pk]) not in page
    assert reverse("episode_edit", args=[episode.pk]) not in page
    assert not any(reverse("notification_record", args=[n.pk]) in page for n in episode.notifications.all())


def test_only_supervisors_and_admins_are_offered_a_review(client_for, caseworker_a, supervisor_a, episode):
    url = reverse("review_create", args=[episode.pk])
    assert url not in text(client_for(caseworker_a).get(reverse("episode_detail", args=[episode.pk])))
    assert url in text(client_for(supervisor_a).get(reverse("episode_detail", args=[episode.pk])))


def test_done_clocks_show_their_evidence(client_for, caseworker_a, episode, now):
    le = episode.notifications.get(party="law_enforcement")
    services.record_notification(
        actor=caseworker_a, notification_id=le.pk, expected_version=le.version,
        done_at=now - datetime.timedelta(minutes=50), method="phone", contact_name="Dispatcher Lee",
        reference="TPD-2026-0042", le_agency="Topeka Police", officer_name="Officer Grant", badge_number="1187",
        ncic_number="M123456789",
    )
    page = text(client_for(caseworker_a).get(reverse("episode_detail", args=[episode.pk])))
    for shown in ("TPD-2026-0042", "Topeka Police", "Officer Grant", "badge 1187", "M123456789", "Dispatcher Lee"):
        assert shown in page
    assert "Done, on time" in page
    assert reverse("notification_update_create", args=[le.pk]) in page


def test_a_returned_episode_offers_the_debrief_then_shows_it(client_for, caseworker_a, episode, now):
    episode = services.log_return(
        actor=caseworker_a, episode_id=episode.pk, expected_version=episode.version,
        returned_at=now - datetime.timedelta(minutes=20),
    )
    client = client_for(caseworker_a)
    page = text(client.get(reverse("episode_detail", args=[episode.pk])))
    assert "Returned" in page
    assert reverse("debrief_create", args=[episode.pk]) in page
    assert reverse("log_return", args=[episode.pk]) not in page
    assert "After the return" in page

    services.record_debrief(
        actor=caseworker_a, episode_id=episode.pk, interview_at=now - datetime.timedelta(minutes=10),
        running_direction="from", primary_factors=["placement_safety", "family_connection"],
        trafficking_screening_done="yes",
    )
    page = text(client.get(reverse("episode_detail", args=[episode.pk])))
    assert "Not feeling safe in the placement, Connection to family" in page
    assert "Yes, and I record it on the structured screening form" in page
    # After the first interview the page offers a follow-up one, not the first again.
    assert "Add a follow-up interview" in page and "Record the debrief" not in page


def test_the_living_arrangement_note_is_shown(client_for, caseworker_a, episode):
    MissingEpisode.objects.filter(pk=episode.pk).update(living_arrangement_note="Could not record the spell.")
    page = text(client_for(caseworker_a).get(reverse("episode_detail", args=[episode.pk])))
    assert "Could not record the spell." in page


def _grow(episode, user, count, now):
    """`count` search efforts, reviews and updates to each clock (the report to law enforcement starts the
    NCIC confirmation clock, recorded in its turn)."""
    while episode.notifications.filter(done_at__isnull=True).exists():
        for notification in episode.notifications.filter(done_at__isnull=True):
            services.record_notification(
                actor=user, notification_id=notification.pk, expected_version=notification.version,
                done_at=now - datetime.timedelta(minutes=55), method="phone", reference="REF-1",
            )
    for i in range(count):
        services.add_search_effort(
            actor=user, episode_id=episode.pk, made_at=now - datetime.timedelta(minutes=40 - i),
            contact_type="friends", outcome=f"Not seen ({i})",
        )
        services.add_supervisory_review(actor=user, episode_id=episode.pk, notes=f"Reviewed ({i})")
        for notification in episode.notifications.all():
            services.add_notification_update(
                actor=user, notification_id=notification.pk, sent_at=now - datetime.timedelta(minutes=30 - i),
                method="written", note=f"New photo ({i})",
            )


def test_the_episode_page_runs_the_same_queries_with_1_and_10_of_everything(client_for, supervisor_a, episode, now):
    client = client_for(supervisor_a)
    url = reverse("episode_detail", args=[episode.pk])

    _grow(episode, supervisor_a, 1, now)
    client.get(url)  # warm the session and caches
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200

    _grow(episode, supervisor_a, 9, now)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert response.status_code == 200
    assert text(response).count("New photo") == 30  # 10 updates to each of 3 clocks (with the NCIC confirmation)
    assert len(large.captured_queries) == len(small.captured_queries), [q["sql"] for q in large.captured_queries]


# --- Complete or correct the run ---------------------------------------------------------------------


def test_the_run_can_be_completed_later(client_for, caseworker_a, episode):
    client = client_for(caseworker_a)
    url = reverse("episode_edit", args=[episode.pk])
    response = client.get(url)
    page = text(response)
    assert "It cannot be changed here" in page
    assert "agency_learned_at" not in response.context["form"].fields
    response = client.post(
        url,
        {
            "version": episode.version,
            "last_seen_at": as_input(episode.last_seen_at),
            "last_seen_location": episode.last_seen_location,
            "reported_by": episode.reported_by,
            "category": "runaway",
            "placement": episode.placement_id,
            "vehicle": "Blue hatchback, plate 123-ABC",
            "endangerment": ["suicidal"],
        },
    )
    assert response.status_code == 302
    episode.refresh_from_db()
    assert episode.vehicle == "Blue hatchback, plate 123-ABC"
    assert episode.endangerment == ["suicidal"]
    assert episode.version == 2


def test_a_stale_edit_keeps_the_other_edit_and_saving_again_keeps_both(
    client_for, caseworker_a, supervisor_a, episode
):
    """The supervisor adds the clothing; the caseworker, from a form opened before, adds the vehicle."""
    url = reverse("episode_edit", args=[episode.pk])
    supervisor, caseworker = client_for(supervisor_a), client_for(caseworker_a)
    page_s, page_c = supervisor.get(url), caseworker.get(url)
    assert supervisor.post(url, rendered_form(page_s, clothing="Red coat")).status_code == 302
    before = counts()

    stale = caseworker.post(url, rendered_form(page_c, vehicle="Blue hatchback"))

    assert stale.status_code == 200
    page = html.unescape(text(stale))
    assert "Someone else saved this episode after you opened it" in page
    assert "You entered Vehicle (make, model, colour, plate): Blue hatchback." in page
    assert f"Clothing last seen in was changed from (empty) to Red coat by {supervisor_a.get_full_name()} at " in page
    assert counts() == before
    episode.refresh_from_db()
    assert (episode.clothing, episode.vehicle, episode.version) == ("Red coat", "", 2)

    assert caseworker.post(url, rendered_form(stale)).status_code == 302
    episode.refresh_from_db()
    assert (episode.clothing, episode.vehicle, episode.version) == ("Red coat", "Blue hatchback", 3)
    last = AuditEvent.objects.filter(object_type="missingepisode", action=AuditAction.UPDATE).order_by("id").last()
    assert (last.actor, last.detail["changed"]) == (caseworker_a, ["vehicle"])


def test_both_changed_the_time_last_seen_and_the_choice_decides(client_for, caseworker_a, supervisor_a, episode):
    url = reverse("episode_edit", args=[episode.pk])
    supervisor, caseworker = client_for(supervisor_a), client_for(caseworker_a)
    page_s, page_c = supervisor.get(url), caseworker.get(url)
    theirs = episode.last_seen_at - datetime.timedelta(minutes=30)
    mine = episode.last_seen_at - datetime.timedelta(minutes=45)
    supervisor.post(url, rendered_form(page_s, last_seen_at=as_input(theirs)))

    stale = caseworker.post(url, rendered_form(page_c, last_seen_at=as_input(mine), clothing="Green jacket"))

    page = text(stale)
    assert "When last seen: you both changed it. Which value should be saved?" in page
    assert timezone.localtime(mine, CHICAGO).strftime("%m/%d/%Y %H:%M") in page  # times in the agency's zone
    refused = caseworker.post(url, rendered_form(stale))
    assert "choose which value to keep" in text(refused)
    episode.refresh_from_db()
    assert (minute(episode.last_seen_at), episode.clothing) == (minute(theirs), "")

    assert caseworker.post(url, rendered_form(refused, keep__last_seen_at="mine")).status_code == 302
    episode.refresh_from_db()
    assert (minute(episode.last_seen_at), episode.clothing) == (minute(mine), "Green jacket")


# --- Search efforts and reviews ------------------------------------------------------------------------


def test_a_search_effort_is_recorded(client_for, caseworker_a, episode, now):
    response = client_for(caseworker_a).post(
        reverse("search_effort_create", args=[episode.pk]),
        {"made_at": as_input(now - datetime.timedelta(minutes=10)), "contact_type": "school",
         "contact_name": "Central High office", "outcome": "Not at school today"},
        follow=True,
    )
    effort = SearchEffort.objects.get()
    assert (effort.made_by, effort.outcome) == (caseworker_a, "Not at school today")
    assert "Not at school today" in text(response)
    assert "Search effort recorded." in messages_of(response)


@pytest.mark.parametrize(
    ("offset", "message"),
    [
        (datetime.timedelta(days=1), "The time of the search effort cannot be in the future."),
        (-datetime.timedelta(days=2), "A search effort cannot be before the youth was last seen."),
    ],
)
def test_a_search_effort_at_an_impossible_time_is_refused(client_for, caseworker_a, episode, now, offset, message):
    before = counts()
    response = client_for(caseworker_a).post(
        reverse("search_effort_create", args=[episode.pk]),
        {"made_at": as_input(now + offset), "contact_type": "friends", "outcome": "No answer"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["made_at"] == [message]
    assert counts() == before


def test_a_supervisor_records_a_review(client_for, supervisor_a, episode):
    response = client_for(supervisor_a).post(
        reverse("review_create", args=[episode.pk]),
        {"notes": "Search plan checked; call the school again tomorrow.",
         "next_review_due": (timezone.localdate() + datetime.timedelta(days=7)).isoformat()},
        follow=True,
    )
    review = SupervisoryReview.objects.get()
    assert review.reviewer == supervisor_a
    assert "call the school again tomorrow" in text(response)


def test_a_review_due_in_the_past_is_refused(client_for, supervisor_a, episode):
    before = counts()
    response = client_for(supervisor_a).post(
        reverse("review_create", args=[episode.pk]),
        {"notes": "Checked.", "next_review_due": (timezone.localdate() - datetime.timedelta(days=1)).isoformat()},
    )
    assert response.context["form"].errors["next_review_due"] == ["The next review cannot be in the past."]
    assert counts() == before


def test_a_caseworker_cannot_record_a_review(client_for, caseworker_a, episode):
    client = client_for(caseworker_a)
    url = reverse("review_create", args=[episode.pk])
    before = counts()
    assert client.get(url).status_code == 403
    assert client.post(url, {"notes": "I reviewed it myself."}).status_code == 403
    assert counts() == before


# --- Out of scope: 404 for every page and every POST ---------------------------------------------------


def _urls(episode):
    return {
        "log_run": reverse("log_run", args=[episode.youth_id]),
        "episode_detail": reverse("episode_detail", args=[episode.pk]),
        "episode_edit": reverse("episode_edit", args=[episode.pk]),
        "search_effort_create": reverse("search_effort_create", args=[episode.pk]),
        "review_create": reverse("review_create", args=[episode.pk]),
    }


def _post_data(episode, now):
    return {
        "version": episode.version,
        "last_seen_at": as_input(now - datetime.timedelta(hours=1)),
        "last_seen_location": "Anywhere",
        "reported_by": "Someone",
        "category": "runaway",
        "made_at": as_input(now),
        "contact_type": "friends",
        "outcome": "Nothing",
        "notes": "Reviewed",
    }


@pytest.mark.parametrize("page", ["log_run", "episode_detail", "episode_edit", "search_effort_create", "review_create"])
@pytest.mark.parametrize("persona", OUTSIDERS)
def test_outsiders_get_404_and_write_nothing(request, client_for, episode, now, persona, page):
    client = client_for(request.getfixturevalue(persona))
    url = _urls(episode)[page]
    before = counts()
    assert client.get(url).status_code == 404
    assert client.post(url, _post_data(episode, now)).status_code == 404
    assert counts() == before


@pytest.mark.parametrize("page", ["log_run", "episode_edit", "search_effort_create", "review_create"])
def test_agency_staff_get_404_on_write_pages_and_write_nothing(client_for, agency_staff_a, episode, now, page):
    client = client_for(agency_staff_a)
    url = _urls(episode)[page]
    before = counts()
    assert client.get(url).status_code == 404
    assert client.post(url, _post_data(episode, now)).status_code == 404
    assert counts() == before


def test_log_run_for_an_unknown_youth_is_404(client_for, caseworker_a):
    assert client_for(caseworker_a).get(reverse("log_run", args=[999999])).status_code == 404
