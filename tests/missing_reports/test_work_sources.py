"""missing_reports' work items (missing_reports/work.py): each kind is on the right person's list only, and
leaves it when the work is recorded through the existing services; and the pure cadence of search efforts
and supervisory reviews (missing_reports/work_due.py), at and around every boundary."""

import datetime
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from caseapp import access, work
from missing_reports import work_due
from missing_reports.models import Notification
from missing_reports.services import episodes as services

HOUR = datetime.timedelta(hours=1)
MISSING_REPORTS_KINDS = {"notice", "return_interview", "search_effort", "supervisory_review"}
DAY = datetime.timedelta(days=1)
UTC = datetime.UTC
CHICAGO = zoneinfo.ZoneInfo("America/Chicago")


# --- The cadence: pure --------------------------------------------------------------------------------------

LEARNED = datetime.datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
WEEKLY_30 = {"daily_days": 0, "interval_days": 7, "until_days": 30}  # Florida's practice
DEFAULT = {"daily_days": 7, "interval_days": 7, "until_days": None}


@pytest.mark.parametrize(
    ("last_effort", "cadence", "expected"),
    [
        (None, DEFAULT, LEARNED + DAY),  # nothing done yet: a day after the agency learned
        (LEARNED + 2 * HOUR, DEFAULT, LEARNED + 2 * HOUR + DAY),
        (LEARNED + 7 * DAY - datetime.timedelta(seconds=1), DEFAULT, LEARNED + 8 * DAY - datetime.timedelta(seconds=1)),
        (LEARNED + 7 * DAY, DEFAULT, LEARNED + 14 * DAY),  # the daily period is over at 7 days exactly
        (LEARNED + 40 * DAY, DEFAULT, LEARNED + 47 * DAY),  # until found
        (LEARNED - HOUR, DEFAULT, LEARNED + DAY),  # an effort before the agency learned counts from learning
        (None, WEEKLY_30, LEARNED + 7 * DAY),
        (LEARNED + 23 * DAY, WEEKLY_30, LEARNED + 30 * DAY),  # due exactly at the end: still asked for
        (LEARNED + 23 * DAY + datetime.timedelta(seconds=1), WEEKLY_30, None),  # would be after 30 days
        (LEARNED + 29 * DAY, {**DEFAULT, "until_days": 30}, None),
        (LEARNED + 22 * DAY, {**DEFAULT, "until_days": 30}, LEARNED + 29 * DAY),
    ],
)
def test_next_search_due(last_effort, cadence, expected):
    assert work_due.next_search_due(LEARNED, last_effort, **cadence) == expected


def test_a_search_day_is_24_hours_across_the_daylight_saving_change():
    # Clocks went back in Chicago on Nov 1, 2026: a day later on the wall clock would be 25 hours.
    learned = datetime.datetime(2026, 10, 31, 12, 0, tzinfo=CHICAGO)  # CDT
    due = work_due.next_search_due(learned, None, **DEFAULT)
    assert due - learned.astimezone(UTC) == DAY
    assert due.astimezone(CHICAGO).hour == 11  # 11 AM CST: 24 elapsed hours
    # The daily period ends 7 x 24 h after learning, also when both times are in the agency's zone.
    effort = learned + datetime.timedelta(days=6, hours=23, minutes=30)  # wall-clock arithmetic: 7 days 30 min real
    assert work_due.next_search_due(learned, effort, **DEFAULT) == effort.astimezone(UTC) + 7 * DAY


def test_review_due():
    kw = {"first_after_days": 7, "zone": CHICAGO}
    assert work_due.review_due(LEARNED, None, None, **kw) == LEARNED + 7 * DAY
    reviewed = LEARNED + 3 * DAY
    assert work_due.review_due(LEARNED, reviewed, None, **kw) == reviewed + 7 * DAY
    # A date: the end of that day on the agency's clock (CST, UTC-6).
    due = work_due.review_due(LEARNED, reviewed, datetime.date(2026, 11, 20), **kw)
    assert due == datetime.datetime(2026, 11, 21, 5, 59, 59, tzinfo=UTC)
    assert not work.is_overdue(due, due) and work.is_overdue(due, due + datetime.timedelta(seconds=1))


def test_due_words_on_the_clock_boundary():
    due = LEARNED
    assert work.due_words(due, due - 40 * datetime.timedelta(minutes=1)) == "due in 40 min"
    assert work.due_words(due, due) == "due in 0 min"
    assert work.due_words(due, due + 3 * HOUR) == "overdue by 3 h"
    assert work.due_words(None, due) == ""


# --- The sources, through the services ------------------------------------------------------------------------


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def episode(youth_a1, caseworker_a, now):
    return services.log_run(
        actor=caseworker_a,
        youth_id=youth_a1.pk,
        last_seen_at=now - 3 * HOUR,
        last_seen_location="Bus station",
        reported_by="Foster parent",
        agency_learned_at=now - HOUR,
    )


def kinds(user, now=None):
    return sorted((item.kind, item.what) for item in work.my_items(user, now or timezone.now()))


def of_kind(user, kind, now=None):
    return [item for item in work.my_items(user, now or timezone.now()) if item.kind == kind]


@pytest.mark.django_db
def test_a_run_puts_the_notices_and_the_search_on_the_caseworker_and_the_review_on_the_supervisor(
    episode, caseworker_a, supervisor_a, caseworker_a2, caseworker_b, agency_admin_a, agency_staff_a, youth_a1
):
    assert kinds(caseworker_a) == [
        ("notice", "Report to NCMEC"),
        ("notice", "Report to law enforcement (NCIC entry)"),
        ("search_effort", "Search effort"),
    ]
    assert kinds(supervisor_a) == [("supervisory_review", "Supervisory review of the absence")]
    for outsider in (caseworker_a2, caseworker_b, agency_admin_a, agency_staff_a):
        assert work.my_items(outsider) == []
    ncmec = episode.notifications.get(party="ncmec")
    item = next(i for i in of_kind(caseworker_a, "notice") if i.what == "Report to NCMEC")
    assert item.url == reverse("notification_record", args=[ncmec.pk])
    assert item.due_at == ncmec.due_at
    assert (item.youth_name, item.case_number) == (youth_a1.display_name, youth_a1.case_number)
    assert of_kind(caseworker_a, "search_effort")[0].url == reverse("search_effort_create", args=[episode.pk])
    assert of_kind(supervisor_a, "supervisory_review")[0].url == reverse("review_create", args=[episode.pk])


@pytest.mark.django_db
def test_a_youth_with_no_assigned_caseworker_puts_the_caseworkers_work_on_the_supervisor(
    episode, youth_a1, caseworker_a, supervisor_a
):
    youth_a1.assigned_caseworkers.clear()
    assert work.my_items(caseworker_a) == []
    assert {item.kind for item in work.my_items(supervisor_a)} == {"notice", "search_effort", "supervisory_review"}


@pytest.mark.django_db
def test_a_recorded_notice_leaves_the_list(episode, caseworker_a, now):
    ncmec = episode.notifications.get(party="ncmec")
    services.record_notification(
        actor=caseworker_a,
        notification_id=ncmec.pk,
        expected_version=ncmec.version,
        done_at=now - HOUR,
        method="portal",
        ncmec_case_number="NCMEC-123",
    )
    assert [item.what for item in of_kind(caseworker_a, "notice")] == ["Report to law enforcement (NCIC entry)"]


@pytest.mark.django_db
def test_a_search_effort_moves_the_next_one_and_the_cadence_stops_at_the_agency_limit(
    episode, caseworker_a, agency_a, now
):
    assert of_kind(caseworker_a, "search_effort")[0].due_at == episode.agency_learned_at + DAY
    services.add_search_effort(
        actor=caseworker_a, episode_id=episode.pk, made_at=now - HOUR, contact_type="friends", outcome="No answer"
    )
    assert of_kind(caseworker_a, "search_effort")[0].due_at == now - HOUR + DAY
    # Weekly, for one day only: the next effort (a week after this one) is past the agency's limit.
    agency_a.search_daily_days, agency_a.search_until_days = 0, 1
    agency_a.save()
    assert of_kind(caseworker_a, "search_effort") == []


@pytest.mark.django_db
def test_a_review_moves_the_next_review_to_its_date(episode, supervisor_a, agency_a, now):
    first = of_kind(supervisor_a, "supervisory_review")[0]
    assert first.due_at == episode.agency_learned_at + agency_a.long_absence_review_days * DAY
    next_date = timezone.localdate() + datetime.timedelta(days=3)
    services.add_supervisory_review(
        actor=supervisor_a, episode_id=episode.pk, notes="Reviewed the search.", next_review_due=next_date
    )
    due = of_kind(supervisor_a, "supervisory_review")[0].due_at
    assert due == work_due.end_of_day(next_date, zoneinfo.ZoneInfo(agency_a.time_zone))


@pytest.mark.django_db
def test_the_return_ends_the_search_and_the_review_and_starts_the_interview_which_the_debrief_completes(
    episode, caseworker_a, supervisor_a, now
):
    services.log_return(
        actor=caseworker_a,
        episode_id=episode.pk,
        expected_version=episode.version,
        returned_at=now - HOUR,
    )
    assert work.my_items(supervisor_a) == []
    mine = {item.what: item for item in work.my_items(caseworker_a)}
    assert "Search effort" not in mine
    interview = mine["Return interview (debrief)"]
    assert interview.kind == "return_interview"
    assert interview.url == reverse("debrief_create", args=[episode.pk])
    assert {"Tell NCMEC of the return", "Tell law enforcement of the return (clear NCIC entry)"} <= set(mine)
    services.record_debrief(
        actor=caseworker_a,
        episode_id=episode.pk,
        interview_at=now - 30 * datetime.timedelta(minutes=1),
        running_direction="from",
        primary_factors=["placement_safety"],
        trafficking_screening_done="yes",
    )
    assert of_kind(caseworker_a, "return_interview") == []


@pytest.mark.django_db
def test_overdue_items_lead_the_list(episode, caseworker_a):
    Notification.objects.filter(episode=episode, party="ncmec").update(due_at=timezone.now() - HOUR)
    now = timezone.now()
    items = work.my_items(caseworker_a, now)
    assert items[0].what == "Report to NCMEC" and items[0].is_overdue(now)
    assert [item.is_overdue(now) for item in items[1:]] == [False] * (len(items) - 1)
    assert [item.due_at for item in items[1:]] == sorted(item.due_at for item in items[1:])


@pytest.mark.django_db
def test_each_source_runs_one_query(django_assert_num_queries, episode, caseworker_a, now):
    """The rows, with the youth joined: the owners are caseapp.work's to resolve, for every source at once."""
    services.log_return(actor=caseworker_a, episode_id=episode.pk, expected_version=episode.version, returned_at=now)
    services.log_run(
        actor=caseworker_a,
        youth_id=episode.youth_id,
        last_seen_at=now,
        last_seen_location="School",
        reported_by="Teacher",
        agency_learned_at=now,
    )
    for source in work.sources():
        if source.kind not in MISSING_REPORTS_KINDS:
            continue  # the other apps' sources are tested with them
        with django_assert_num_queries(1):
            assert list(source.items(access.youth_visible_to(caseworker_a), now)), source.kind
