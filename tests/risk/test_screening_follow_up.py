"""A screening that counts (docs/duties.md#return-interview): a return is screened only when the structured screening
is recorded (risk/screened.py); a declined or impossible screening at the return interview starts the follow-up
screening clock, with the trusted adult who will try again, done when the structured screening is recorded."""

import datetime
import html
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from caseapp import work
from caseapp.models import AuditEvent
from missing_reports import deadlines
from missing_reports.models import Debrief, Notification
from missing_reports.services import episodes as episode_services
from risk.models import Screening
from risk.services import observations

pytestmark = pytest.mark.django_db

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")  # agency A's time zone
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)
MINUTE = datetime.timedelta(minutes=1)


def local(moment):
    return timezone.localtime(moment, CHICAGO).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def returned(caseworker_a, youth_a1):
    """youth_a1 missing two days ago, back two hours ago."""
    now = timezone.now()
    episode = episode_services.log_run(
        actor=caseworker_a, youth_id=youth_a1.pk, category="runaway", last_seen_at=now - 2 * DAY,
        last_seen_location="Bus station", agency_learned_at=now - 2 * DAY + HOUR, reported_by="Foster parent",
    )
    return episode_services.log_return(
        actor=caseworker_a, episode_id=episode.pk, expected_version=episode.version,
        located_at=now - 3 * HOUR, returned_at=now - 2 * HOUR, found_location_type="friend",
        how_located="self_returned",
    )


def interview(answer="declined", **overrides):
    data = {
        "interview_at": local(timezone.now() - HOUR),
        "running_direction": "from",
        "primary_factors": ["placement_safety"],
        "trafficking_screening_done": answer,
        "screening_not_done_reason": "" if answer == "yes" else "The youth wanted to rest first.",
        "follow_up_adult_name": "Ms Ortiz, the youth's mentor" if answer in ("declined", "not_possible") else "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def follow_up(episode):
    return Notification.objects.filter(episode=episode, party=deadlines.SCREENING_FOLLOW_UP).first()


def post_interview(client, episode, data):
    return client.post(reverse("debrief_create", args=[episode.pk]), data)


@pytest.mark.parametrize("answer", ["declined", "not_possible"])
def test_a_declined_or_impossible_screening_starts_the_follow_up_clock_after_the_agencys_7_days(
    client_for, caseworker_a, returned, answer
):
    response = post_interview(client_for(caseworker_a), returned, interview(answer))
    assert response.status_code == 302, response.context["form"].errors
    debrief = Debrief.objects.get(episode=returned)
    clock = follow_up(returned)
    assert clock.label == "Follow-up trafficking screening"
    assert clock.due_at == debrief.interview_at + 7 * DAY and clock.rule_hours == 7 * 24
    assert clock.contact_name == "Ms Ortiz, the youth's mentor" and not clock.is_done
    assert AuditEvent.objects.filter(object_type__endswith="notification", object_id=str(clock.pk)).exists()
    page = html.unescape(client_for(caseworker_a).get(reverse("episode_detail", args=[returned.pk])).content.decode())
    assert "Follow-up trafficking screening" in page and "Trusted adult who will try again" in page
    assert "Record the structured screening" in page


def test_the_agencys_own_days_set_the_follow_up_clock(client_for, caseworker_a, returned, agency_a):
    agency_a.screening_follow_up_days = 3
    agency_a.save()
    post_interview(client_for(caseworker_a), returned, interview())
    debrief = Debrief.objects.get(episode=returned)
    assert follow_up(returned).due_at == debrief.interview_at + 3 * DAY


def test_a_yes_or_no_answer_starts_no_follow_up_clock(client_for, caseworker_a, returned):
    post_interview(client_for(caseworker_a), returned, interview("no"))
    assert follow_up(returned) is None


def test_no_trusted_adult_is_refused_and_nothing_is_saved(client_for, caseworker_a, returned):
    response = post_interview(client_for(caseworker_a), returned, interview(follow_up_adult_name="  "))
    assert response.status_code == 200
    assert response.context["form"].errors["follow_up_adult_name"] == [
        "Name the trusted adult who will try the screening again: choose a member of staff or give a name."
    ]
    assert not Debrief.objects.filter(episode=returned).exists() and follow_up(returned) is None


def test_a_member_of_staff_can_be_the_trusted_adult_but_not_one_of_another_agency(
    client_for, caseworker_a, supervisor_a, caseworker_b, returned
):
    client = client_for(caseworker_a)
    refused = post_interview(client, returned, interview(follow_up_adult=caseworker_b.pk, follow_up_adult_name=""))
    assert refused.status_code == 200 and "follow_up_adult" in refused.context["form"].errors
    assert not Debrief.objects.filter(episode=returned).exists()
    post_interview(client, returned, interview(follow_up_adult=supervisor_a.pk, follow_up_adult_name=""))
    assert Debrief.objects.get(episode=returned).follow_up_adult == supervisor_a
    assert follow_up(returned).contact_name == str(supervisor_a)


def test_the_follow_up_is_in_my_work_of_the_assigned_caseworker_only_and_goes_to_the_screening_form(
    client_for, caseworker_a, caseworker_a2, supervisor_a, caseworker_b, returned
):
    post_interview(client_for(caseworker_a), returned, interview())
    now = timezone.now()
    mine = [item for item in work.my_items(caseworker_a, now) if item.what == "Try the trafficking screening again"]
    assert len(mine) == 1
    assert mine[0].url == f"{reverse('risk_screening', args=[returned.youth_id])}?episode={returned.pk}"
    assert mine[0].due_at == follow_up(returned).due_at
    # Listed once: not also as risk's "screening after a return".
    assert not [item for item in work.my_items(caseworker_a, now) if item.kind == "screening"]
    for other in (caseworker_a2, supervisor_a, caseworker_b):
        assert not [item for item in work.my_items(other, now) if "screening" in item.what.lower()]


def test_the_follow_up_clock_cannot_be_marked_done_on_the_notice_form(caseworker_a, returned, client_for):
    post_interview(client_for(caseworker_a), returned, interview())
    clock = follow_up(returned)
    with pytest.raises(Exception, match="recording the structured trafficking screening"):
        episode_services.record_notification(
            actor=caseworker_a, notification_id=clock.pk, expected_version=clock.version,
            done_at=timezone.now(), method="phone", reference="X",
        )


def test_the_structured_screening_completes_the_follow_up_clock(client_for, caseworker_a, returned):
    post_interview(client_for(caseworker_a), returned, interview())
    # A structured screening the youth declined again does not count: the clock keeps running.
    observations.record_screening(
        actor=caseworker_a, youth_id=returned.youth_id, conducted_at=timezone.now() - 30 * MINUTE,
        youth_declined=True, episode_id=returned.pk,
    )
    assert not follow_up(returned).is_done
    screening = observations.record_screening(
        actor=caseworker_a, youth_id=returned.youth_id, conducted_at=timezone.now() - datetime.timedelta(minutes=10),
        no_indicators_found=True, episode_id=returned.pk,
    )
    clock = follow_up(returned)
    assert clock.is_done and clock.done_by == caseworker_a and clock.reference == f"Screening {screening.pk}"
    assert clock.done_at == screening.conducted_at
    assert not [item for item in work.my_items(caseworker_a) if "screening" in item.what.lower()]


def test_a_second_declined_interview_keeps_the_one_follow_up_clock(client_for, caseworker_a, returned):
    client = client_for(caseworker_a)
    post_interview(client, returned, interview())
    first = follow_up(returned)
    assert post_interview(client, returned, interview("not_possible")).status_code == 302
    assert Debrief.objects.filter(episode=returned).count() == 2
    assert list(Notification.objects.filter(episode=returned, party=deadlines.SCREENING_FOLLOW_UP)) == [first]


def test_an_outsider_gets_404_on_the_interview_form_of_a_follow_up(client_for, caseworker_a, caseworker_b, returned):
    post_interview(client_for(caseworker_a), returned, interview())
    outsider = client_for(caseworker_b)
    assert outsider.get(reverse("debrief_create", args=[returned.pk])).status_code == 404
    assert post_interview(outsider, returned, interview("not_possible")).status_code == 404
    assert Debrief.objects.filter(episode=returned).count() == 1
    assert Screening.objects.count() == 0


def test_the_follow_up_clock_escalates_like_the_other_clocks(client_for, caseworker_a, returned):
    from missing_reports import escalation
    from missing_reports.models import Escalation

    post_interview(client_for(caseworker_a), returned, interview())
    clock = follow_up(returned)
    escalation.sweep(now=clock.due_at + datetime.timedelta(seconds=1))
    clock.refresh_from_db()
    assert clock.overdue_at is not None
    assert Escalation.objects.filter(notification=clock, stage="overdue").exists()


def test_the_episode_page_runs_the_same_queries_with_1_and_4_interviews(
    client_for, caseworker_a, supervisor_a, returned
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(caseworker_a)
    url = reverse("episode_detail", args=[returned.pk])
    post_interview(client, returned, interview(follow_up_adult=supervisor_a.pk, follow_up_adult_name=""))
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for _ in range(3):
        post_interview(client, returned, interview("no"))
    with CaptureQueriesContext(connection) as large:
        page = client.get(url).content.decode()
    assert "Follow-up interview 3, " in page
    assert len(large.captured_queries) == len(small.captured_queries)


def test_the_notice_form_of_the_follow_up_sends_to_the_screening_form(client_for, caseworker_a, returned):
    post_interview(client_for(caseworker_a), returned, interview())
    clock = follow_up(returned)
    page = client_for(caseworker_a).get(reverse("notification_record", args=[clock.pk])).content.decode()
    assert "The follow-up screening is done by recording the structured trafficking screening" in page
    assert f"{reverse('risk_screening', args=[returned.youth_id])}?episode={returned.pk}" in page


def test_a_return_already_screened_has_its_follow_up_done_by_that_screening(
    client_for, caseworker_a, returned, django_capture_on_commit_callbacks
):
    screening = observations.record_screening(
        actor=caseworker_a, youth_id=returned.youth_id, conducted_at=timezone.now() - 90 * MINUTE,
        no_indicators_found=True, episode_id=returned.pk,
    )
    with django_capture_on_commit_callbacks(execute=True):
        post_interview(client_for(caseworker_a), returned, interview())
    clock = follow_up(returned)
    assert clock.is_done and clock.reference == f"Screening {screening.pk}"
