"""The risk app's work items in "My work" (risk/work.py through caseapp/work.py): each kind is on the list of
the person who must do it and nobody else's, goes when the work is recorded through the app's own services,
keeps its boundaries, and costs one query for ten youth as for two hundred."""

import datetime
import zoneinfo

import pytest
from dateutil.relativedelta import relativedelta
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from caseapp import access, work
from caseapp.models import Role, User, Youth, YouthPhoto
from caseapp.services import photos as photo_services
from missing_reports import deadlines, recent_photo
from missing_reports.models import EpisodeStatus, MissingEpisode, Notification
from missing_reports.services import episodes as episode_services
from risk import work as risk_work
from risk.models import (
    URGENCY_RANK,
    Band,
    IdentificationReport,
    Outcome,
    ReviewDecision,
    ReviewItem,
    RiskSnapshot,
    ServiceReferral,
    Urgency,
)
from risk.services import decisions, observations
from tests.factories import TeamFactory, UserFactory, YouthFactory
from tests.helpers import jpeg_upload

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)
CHICAGO = zoneinfo.ZoneInfo("America/Chicago")  # agency A's zone (tests/conftest.py)


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


def my(user, kind, now):
    """The items of `kind` on this user's own list, as the "My work" page asks for them."""
    return [item for item in work.my_items(user, now) if item.kind == kind]


def everyone_with(kind, youth, now, users):
    """The usernames, of `users`, who have an item of `kind` about `youth` on their own list."""
    return sorted(u.username for u in users if any(i.youth_id == youth.pk for i in my(u, kind, now)))


@pytest.fixture
def people(caseworker_a, caseworker_a2, supervisor_a, agency_admin_a, caseworker_b, supervisor_b, admin_b):
    return [caseworker_a, caseworker_a2, supervisor_a, agency_admin_a, caseworker_b, supervisor_b, admin_b]


def review_item(youth, urgency, *, due_at):
    return ReviewItem.objects.create(
        youth=youth, urgency=urgency, urgency_rank=URGENCY_RANK[urgency], due_at=due_at, reasons=["A reason"]
    )


def log_run(actor, youth, *, hours_ago=50):
    last_seen = timezone.now() - hours_ago * HOUR
    return episode_services.log_run(
        actor=actor,
        youth_id=youth.pk,
        category="runaway",
        last_seen_at=last_seen,
        last_seen_location="Outside the foster home",
        agency_learned_at=last_seen + HOUR,
        reported_by="Foster parent",
    )


def log_return(actor, episode, *, hours_after=20):
    returned = episode.last_seen_at + hours_after * HOUR
    return episode_services.log_return(
        actor=actor,
        episode_id=episode.pk,
        expected_version=episode.version,
        continue_previous_placement=True,
        located_at=returned - HOUR,
        returned_at=returned,
        found_address="A friend's apartment",
        found_location_type="friend",
        how_located="law_enforcement",
        condition_on_return="Tired; no injuries.",
    )


def a_return(actor, youth, **kwargs):
    return log_return(actor, log_run(actor, youth, **kwargs))


def add_photo(actor, youth, taken_on):
    return photo_services.add_photo(actor=actor, youth_id=youth.pk, image=jpeg_upload(), taken_on=taken_on)


def snapshot(youth, band, *, at=None):
    return RiskSnapshot.objects.create(
        youth=youth, band=band, score=0, computed_at=at or timezone.now(), result_hash="test", trigger="test"
    )


def local_today(now):
    return timezone.localdate(now, CHICAGO)


# --- Review items: the deciders' work ---------------------------------------------------------------------------


def test_a_review_item_is_the_team_supervisors_work_and_goes_when_decided(
    people, supervisor_a, youth_a1, youth_a2, youth_b, now
):
    review_item(youth_a1, Urgency.HIGH, due_at=now + 5 * HOUR)
    review_item(youth_a2, Urgency.HIGH, due_at=now + 5 * HOUR)
    review_item(youth_b, Urgency.HIGH, due_at=now + 5 * HOUR)
    assert everyone_with("review_item", youth_a1, now, people) == ["supervisor_a"]
    assert everyone_with("review_item", youth_b, now, people) == ["supervisor_b"]

    [item] = my(supervisor_a, "review_item", now)
    assert item.what == "Review: Review within one business day"
    assert item.url == reverse("youth_risk_decide", args=[youth_a1.pk])
    assert item.due_at == now + 5 * HOUR
    assert (item.youth_name, item.case_number, item.team_id) == (
        youth_a1.display_name,
        youth_a1.case_number,
        youth_a1.team_id,
    )
    assert not item.is_overdue(now)
    assert item.is_overdue(now + 5 * HOUR + datetime.timedelta(seconds=1))

    decisions.decide(
        actor=supervisor_a,
        youth_id=youth_a1.pk,
        outcome=Outcome.NO_CONCERN,
        reason="Talked it through.",
        expected_latest_decision_id=None,
    )
    assert my(supervisor_a, "review_item", now) == []
    assert everyone_with("review_item", youth_b, now, people) == ["supervisor_b"]


def test_an_identification_item_is_also_the_agency_admins(people, supervisor_a, caseworker_a, youth_a1, now):
    received = now - HOUR
    observations.record_observation(
        actor=caseworker_a,
        youth_id=youth_a1.pk,
        indicator_code="C0.3",
        observed_at=received - HOUR,
        information_received_at=received,
        source="external",
        evidence="verified",
    )
    item = ReviewItem.objects.get(youth=youth_a1, status="open")
    assert item.urgency == Urgency.IDENTIFICATION
    # docs/risk-catalogue.md#bands: unconfirmed after 4 hours it goes to the manager, who may decide too.
    assert everyone_with("review_item", youth_a1, now, people) == ["agency_admin_a", "supervisor_a"]
    [listed] = my(User.objects.get(username="agency_admin_a"), "review_item", now)
    assert listed.what == "Review: Identification: possible victim of trafficking"
    assert listed.due_at == item.due_at


def test_a_team_with_no_supervisor_leaves_its_reviews_to_the_agency_admins(people, agency_a, caseworker_a, now):
    team = TeamFactory(agency=agency_a, name="West")
    youth = YouthFactory(team=team, assigned_caseworkers=[caseworker_a])
    review_item(youth, Urgency.URGENT, due_at=now + HOUR)
    assert everyone_with("review_item", youth, now, people) == ["agency_admin_a"]


# --- The identified-victim report: the caseworkers' work --------------------------------------------------------


def test_an_identified_victim_report_is_the_caseworkers_and_goes_when_recorded(
    people, supervisor_a, caseworker_a, youth_a1, now
):
    received = now - 2 * HOUR
    decision = decisions.decide(
        actor=supervisor_a,
        youth_id=youth_a1.pk,
        outcome=Outcome.IDENTIFIED,
        expected_latest_decision_id=None,
        referrals=["housing"],
        trafficking_type="sex",
        trafficking_kind="familial",
        timing="in_care",
        information_received_at=received,
    )
    report = IdentificationReport.objects.get(decision=decision)
    assert everyone_with("identification_report", youth_a1, now, people) == ["caseworker_a"]
    [item] = my(caseworker_a, "identification_report", now)
    assert item.what == "Identified-victim report to law enforcement"
    assert item.url == reverse("identification_report", args=[report.pk])
    assert item.due_at == report.due_at == received + 24 * HOUR

    decisions.record_identification_report(
        actor=caseworker_a,
        report_id=report.pk,
        expected_version=report.version,
        done_at=now - HOUR,
        method="phone",
        le_agency="Topeka Police Department",
        reference="TPD-26-0042",
    )
    assert my(caseworker_a, "identification_report", now) == []


def test_with_no_assigned_caseworker_the_report_is_the_team_supervisors(people, supervisor_a, youth_a1, now):
    youth_a1.assigned_caseworkers.clear()
    decisions.decide(
        actor=supervisor_a,
        youth_id=youth_a1.pk,
        outcome=Outcome.IDENTIFIED,
        expected_latest_decision_id=None,
        referrals=["housing"],
        trafficking_type="sex",
        trafficking_kind="familial",
        timing="in_care",
        information_received_at=now - HOUR,
    )
    assert everyone_with("identification_report", youth_a1, now, people) == ["supervisor_a"]


# --- A screening after every return -----------------------------------------------------------------------------


def test_a_return_without_a_screening_is_the_caseworkers_and_goes_when_screened(
    people, client_for, caseworker_a, youth_a1, now
):
    episode = a_return(caseworker_a, youth_a1)
    assert everyone_with("screening", youth_a1, now, people) == ["caseworker_a"]
    [item] = my(caseworker_a, "screening", now)
    interview = Notification.objects.get(episode=episode, event=deadlines.RETURNED, party=deadlines.RETURN_INTERVIEW)
    assert item.what == "Trafficking screening after return"
    assert item.due_at == interview.due_at
    assert item.url == f"{reverse('risk_screening', args=[youth_a1.pk])}?episode={episode.pk}"
    # One click to the form, with the return it follows already chosen.
    page = client_for(caseworker_a).get(item.url).content.decode()
    assert "After the missing episode from" in page

    # A screening of another moment (no episode) is not the screening of this return.
    observations.record_screening(
        actor=caseworker_a, youth_id=youth_a1.pk, conducted_at=now - HOUR, no_indicators_found=True
    )
    assert len(my(caseworker_a, "screening", now)) == 1
    observations.record_screening(
        actor=caseworker_a,
        youth_id=youth_a1.pk,
        conducted_at=now - HOUR,
        no_indicators_found=True,
        episode_id=episode.pk,
    )
    assert my(caseworker_a, "screening", now) == []


def test_each_return_needs_its_own_screening(caseworker_a, youth_a1, now):
    first = a_return(caseworker_a, youth_a1, hours_ago=200)
    second = a_return(caseworker_a, youth_a1, hours_ago=50)
    observations.record_screening(
        actor=caseworker_a,
        youth_id=youth_a1.pk,
        conducted_at=now - HOUR,
        no_indicators_found=True,
        episode_id=first.pk,
    )
    assert [i.url.rsplit("=", 1)[1] for i in my(caseworker_a, "screening", now)] == [str(second.pk)]


def test_a_return_with_no_interview_clock_is_due_the_default_hours_after_it(caseworker_a, youth_a1, now):
    episode = a_return(caseworker_a, youth_a1)
    Notification.objects.filter(episode=episode, party=deadlines.RETURN_INTERVIEW).delete()
    [item] = my(caseworker_a, "screening", now)
    assert item.due_at == episode.returned_at + deadlines.DEFAULT_RETURN_INTERVIEW_HOURS * HOUR


def test_no_screening_is_asked_while_missing_or_after_the_youth_left_care(caseworker_a, youth_a1, now):
    log_run(caseworker_a, youth_a1)
    assert my(caseworker_a, "screening", now) == []
    MissingEpisode.objects.filter(youth=youth_a1).update(status=EpisodeStatus.RETURNED, returned_at=now - HOUR)
    assert len(my(caseworker_a, "screening", now)) == 1
    Youth.objects.filter(pk=youth_a1.pk).update(status="exited", exited_on=local_today(now))
    assert my(caseworker_a, "screening", now) == []


# --- A recent photo before a youth goes missing -----------------------------------------------------------------


def test_a_youth_who_was_missing_before_and_has_no_photo_needs_one(people, caseworker_a, youth_a1, now):
    a_return(caseworker_a, youth_a1)
    assert everyone_with("photo", youth_a1, now, people) == ["caseworker_a"]
    [item] = my(caseworker_a, "photo", now)
    assert (item.what, item.detail, item.due_at) == ("Recent photo needed", "No photo on file", None)
    assert item.url == reverse("photo_upload", args=[youth_a1.pk])

    add_photo(caseworker_a, youth_a1, local_today(now))
    assert my(caseworker_a, "photo", now) == []


def test_the_photo_is_out_of_date_the_day_after_it_turns_six_months_old(caseworker_a, youth_a1, now):
    a_return(caseworker_a, youth_a1)
    today = local_today(now)
    photo = add_photo(caseworker_a, youth_a1, today - relativedelta(months=recent_photo.RECENT_PHOTO_MONTHS))
    assert my(caseworker_a, "photo", now) == [], "exactly six months old is still recent"

    YouthPhoto.objects.filter(pk=photo.pk).update(taken_on=photo.taken_on - DAY)
    [item] = my(caseworker_a, "photo", now)
    assert item.due_at == datetime.datetime.combine(today, datetime.time.min, tzinfo=CHICAGO)
    assert item.is_overdue(now)
    assert item.detail.startswith("Newest photo taken ")
    # Only the newest photo counts: an older one beside a recent one asks for nothing.
    add_photo(caseworker_a, youth_a1, today - DAY)
    assert my(caseworker_a, "photo", now) == []


def test_the_photo_rule_uses_the_agencys_day(caseworker_a, youth_a1):
    a_return(caseworker_a, youth_a1)
    add_photo(caseworker_a, youth_a1, datetime.date(2026, 1, 3))
    # 4 July 2026, 03:00 UTC is still 3 July in Chicago: the photo is recent there for a few more hours.
    assert my(caseworker_a, "photo", datetime.datetime(2026, 7, 4, 3, tzinfo=datetime.UTC)) == []
    [item] = my(caseworker_a, "photo", datetime.datetime(2026, 7, 4, 6, tzinfo=datetime.UTC))
    assert item.due_at == datetime.datetime(2026, 7, 4, tzinfo=CHICAGO)


def test_a_youth_never_missing_needs_a_photo_from_the_elevated_band(caseworker_a, youth_a1, now):
    assert my(caseworker_a, "photo", now) == [], "no episode, never assessed"
    snapshot(youth_a1, Band.MONITOR)
    assert my(caseworker_a, "photo", now) == [], "a band below Elevated"
    snapshot(youth_a1, Band.ELEVATED)
    assert len(my(caseworker_a, "photo", now)) == 1
    for band in (Band.HIGH, Band.URGENT):
        snapshot(youth_a1, band)
        assert len(my(caseworker_a, "photo", now)) == 1
    # The current band is the newest snapshot's, not the highest ever.
    snapshot(youth_a1, Band.MONITOR)
    assert my(caseworker_a, "photo", now) == []


def test_no_photo_item_while_missing_or_after_leaving_care(caseworker_a, youth_a1, now):
    episode = a_return(caseworker_a, youth_a1, hours_ago=200)
    assert len(my(caseworker_a, "photo", now)) == 1
    log_run(caseworker_a, youth_a1)
    assert my(caseworker_a, "photo", now) == [], "the run's own pages ask for the photo then"
    MissingEpisode.objects.exclude(pk=episode.pk).filter(youth=youth_a1).update(
        status=EpisodeStatus.RETURNED, returned_at=now - HOUR
    )
    assert len(my(caseworker_a, "photo", now)) == 1
    Youth.objects.filter(pk=youth_a1.pk).update(status="exited", exited_on=local_today(now))
    assert my(caseworker_a, "photo", now) == []


def test_a_photo_item_is_nobody_elses(people, caseworker_a, caseworker_a2, youth_a1, youth_a2, youth_b, now):
    for youth in (youth_a1, youth_a2, youth_b):
        snapshot(youth, Band.HIGH)
    assert everyone_with("photo", youth_a1, now, people) == ["caseworker_a"]
    assert everyone_with("photo", youth_a2, now, people) == ["caseworker_a2"]
    assert everyone_with("photo", youth_b, now, people) == ["caseworker_b"]


# --- Fixed queries, whatever the caseload -----------------------------------------------------------------------


def caseload(team, caseworker, decider, count, now):
    """`count` youth of `team` on `caseworker`'s list, each with one item of every risk kind, bulk-created."""
    youth = Youth.objects.bulk_create([YouthFactory.build(team=team, agency=team.agency) for _ in range(count)])
    Youth.assigned_caseworkers.through.objects.bulk_create(
        [Youth.assigned_caseworkers.through(youth_id=y.pk, user_id=caseworker.pk) for y in youth]
    )
    urgencies = [Urgency.IDENTIFICATION, Urgency.HIGH]
    ReviewItem.objects.bulk_create(
        [
            ReviewItem(
                youth=y,
                urgency=urgencies[i % 2],
                urgency_rank=URGENCY_RANK[urgencies[i % 2]],
                due_at=now + (i - 5) * HOUR,
            )
            for i, y in enumerate(youth)
        ]
    )
    identified = ReviewDecision.objects.bulk_create(
        [
            ReviewDecision(
                youth=y,
                outcome=Outcome.IDENTIFIED,
                decided_by=decider,
                trafficking_type="sex",
                trafficking_kind="familial",
                timing="in_care",
                information_received_at=now - HOUR,
            )
            for y in youth
        ]
    )
    IdentificationReport.objects.bulk_create(
        [
            IdentificationReport(decision=d, youth_id=d.youth_id, due_at=now + 23 * HOUR, rule_hours=24)
            for d in identified
        ]
    )
    ServiceReferral.objects.bulk_create(
        [
            ServiceReferral(
                youth_id=d.youth_id,
                decision=d,
                service=service,
                sent_on=local_today(now) - datetime.timedelta(days=i % 10),
                next_step_due=local_today(now) + datetime.timedelta(days=7 - i % 10),
                created_by=decider,
            )
            for i, d in enumerate(identified)
            for service in ("housing", "specialised")
        ]
    )
    episodes = MissingEpisode.objects.bulk_create(
        [
            MissingEpisode(
                youth=y,
                status=EpisodeStatus.RETURNED,
                last_seen_at=now - 3 * DAY,
                last_seen_location="Home",
                agency_learned_at=now - 3 * DAY,
                reported_by="Foster parent",
                returned_at=now - DAY,
                created_by=caseworker,
            )
            for y in youth
        ]
    )
    Notification.objects.bulk_create(
        [
            Notification(
                episode=e,
                event=deadlines.RETURNED,
                party=deadlines.RETURN_INTERVIEW,
                due_at=now + 2 * DAY,
                rule_hours=72,
            )
            for e in episodes[::2]
        ]
    )
    RiskSnapshot.objects.bulk_create(
        [RiskSnapshot(youth=y, band=Band.ELEVATED, score=6, result_hash="x", trigger="test") for y in youth]
    )
    YouthPhoto.objects.bulk_create(
        [
            YouthPhoto(
                youth=y,
                image="photos/none.jpg",
                content_type="image/jpeg",
                width=16,
                height=12,
                uploaded_by=caseworker,
                taken_on=local_today(now) - relativedelta(years=1),
            )
            for y in youth[::2]
        ]
    )


SOURCES = [
    risk_work.review_items,
    risk_work.identification_reports,
    risk_work.screenings,
    risk_work.photos,
    risk_work.referrals,
]


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.__name__)
def test_each_source_runs_the_same_queries_for_ten_youth_as_for_two_hundred(
    source, team_a1, caseworker_a, supervisor_a, agency_admin_a, now
):
    scope = access.youth_visible_to(supervisor_a)
    counts = []
    for size in (10, 200):
        caseload(team_a1, caseworker_a, supervisor_a, size, now)
        with CaptureQueriesContext(connection) as queries:
            items = list(source(scope, now))
        counts.append(len(queries))
        assert len({i.youth_id for i in items}) == Youth.objects.filter(team=team_a1).count()
    # One query: the owners are caseapp.work's to resolve, for every source's items at once.
    assert counts == [1, 1]


def test_every_risk_kind_is_registered_with_its_filter_label():
    expected = {
        "review_item": "Supervisor reviews",
        "identification_report": "Identified-victim reports",
        "screening": "Trafficking screenings after a return",
        "photo": "Recent photos",
        "referral": "Service referrals",
    }
    registered = {s.kind: s.label for s in work.sources()}
    assert {kind: registered.get(kind) for kind in expected} == expected


def test_another_agencys_staff_see_none_of_it(
    caseworker_b, admin_b, supervisor_b, team_a1, caseworker_a, supervisor_a, now
):
    caseload(team_a1, caseworker_a, supervisor_a, 5, now)
    for user in (caseworker_b, admin_b, supervisor_b):
        assert work.items_for(user, now) == []
    assert {i.kind for i in work.items_for(supervisor_a, now)} >= set(risk_work.KINDS)


def test_an_inactive_supervisor_is_nobodys_owner(supervisor_a, youth_a1, now):
    review_item(youth_a1, Urgency.HIGH, due_at=now + HOUR)
    User.objects.filter(pk=supervisor_a.pk).update(is_active=False)
    admin = UserFactory(username="admin_two", agency=youth_a1.agency, role=Role.AGENCY_ADMIN)
    assert [i.kind for i in my(admin, "review_item", now)] == ["review_item"]


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.__name__)
def test_a_source_reads_only_the_youth_it_is_given(source, team_a1, caseworker_a, supervisor_a, agency_admin_a, now):
    caseload(team_a1, caseworker_a, supervisor_a, 6, now)
    chosen = list(Youth.objects.filter(team=team_a1).order_by("pk").values_list("pk", flat=True)[:2])
    items = list(source(Youth.objects.filter(pk__in=chosen), now))
    assert sorted({i.youth_id for i in items}) == chosen
    assert list(source(Youth.objects.none(), now)) == []
