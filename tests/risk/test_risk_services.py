"""The risk module's verbs through the database: observations, reassessment, the review queue,
decisions and the identified-victim report clock."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from caseapp.models import AuditAction, AuditEvent
from caseapp.services.errors import EditConflict
from missing_reports.services import episodes as episode_services
from risk import assessment, reviews
from risk.models import (
    IdentificationReport,
    Observation,
    Outcome,
    ReviewDecision,
    ReviewItem,
    ReviewStatus,
    RiskSnapshot,
    ScoringVersion,
    Urgency,
)
from risk.services import decisions, observations, scoring

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


@pytest.fixture
def now():
    return timezone.now()


def observe(actor, youth, code, now, *, evidence="verified", **extra):
    return observations.record_observation(
        actor=actor,
        youth_id=youth.pk,
        indicator_code=code,
        observed_at=extra.pop("observed_at", now - HOUR),
        information_received_at=extra.pop("information_received_at", now - HOUR / 2),
        source="caregiver",
        evidence=evidence,
        **extra,
    )


def refused(call, field):
    with pytest.raises(ValidationError) as info:
        call()
    return info.value.message_dict[field]


# --- Observations -----------------------------------------------------------------------------


def test_an_observation_is_recorded_audited_and_reassessed(
    caseworker_a, youth_a1, now, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        observation = observe(caseworker_a, youth_a1, "C7.2", now, note="Cousin answered every question")
    assert observation.indicator.code == "C7.2"
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="observation")
    assert event.detail == {"indicator": "C7.2"}  # the note never goes into the audit trail
    snapshot = RiskSnapshot.objects.get(youth=youth_a1)
    assert (snapshot.score, snapshot.band) == (3, "monitor")
    assert [r["indicator"] for r in snapshot.reasons] == ["C7.2"]


def test_an_unknown_indicator_is_a_clear_error_and_writes_nothing(caseworker_a, youth_a1, now):
    messages = refused(lambda: observe(caseworker_a, youth_a1, "C9.9", now), "indicator")
    assert messages == ["Choose an indicator from the catalogue."]
    assert not Observation.objects.exists()


def test_a_derived_pattern_cannot_be_recorded_by_hand(caseworker_a, youth_a1, now):
    messages = refused(lambda: observe(caseworker_a, youth_a1, "C4.3", now), "indicator")
    assert "worked out from the missing-episode history" in messages[0]


def test_an_observation_in_the_future_is_refused(caseworker_a, youth_a1, now):
    messages = refused(
        lambda: observe(caseworker_a, youth_a1, "C7.2", now, observed_at=now + DAY, information_received_at=now + DAY),
        "observed_at",
    )
    assert messages == ["When it was observed cannot be in the future."]
    assert not Observation.objects.exists()


def test_information_cannot_be_received_before_it_happened(caseworker_a, youth_a1, now):
    messages = refused(
        lambda: observe(caseworker_a, youth_a1, "C7.2", now, observed_at=now - HOUR, information_received_at=now - DAY),
        "information_received_at",
    )
    assert "before it was observed" in messages[0]


def test_another_agency_cannot_record_for_our_youth(caseworker_b, youth_a1, now):
    with pytest.raises(Http404):
        observe(caseworker_b, youth_a1, "C7.2", now)


def test_agency_staff_read_but_do_not_record(agency_staff_a, youth_a1, now):
    with pytest.raises(Http404):
        observe(agency_staff_a, youth_a1, "C7.2", now)


def test_a_retracted_observation_leaves_the_score_and_stays_listed(
    caseworker_a, youth_a1, now, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        observation = observe(caseworker_a, youth_a1, "C7.2", now)
    with django_capture_on_commit_callbacks(execute=True):
        observations.retract_observation(actor=caseworker_a, observation_id=observation.pk, reason="Wrong youth")
    latest = RiskSnapshot.objects.filter(youth=youth_a1).latest()
    assert latest.score == 0
    observation.refresh_from_db()
    assert (observation.is_retracted, observation.retraction_reason) == (True, "Wrong youth")
    with pytest.raises(ValidationError, match="already retracted"):
        observations.retract_observation(actor=caseworker_a, observation_id=observation.pk, reason="x")


# --- Reassessment and the review queue ----------------------------------------------------------


def test_reassessing_twice_with_nothing_new_adds_no_snapshot(caseworker_a, youth_a1, now):
    observe(caseworker_a, youth_a1, "C7.2", now)
    first = assessment.reassess(youth_a1.pk, "test", now=now)
    again = assessment.reassess(youth_a1.pk, "test again", now=now + HOUR)
    assert first.pk == again.pk
    assert RiskSnapshot.objects.filter(youth=youth_a1).count() == 1


def test_a_weight_five_indicator_puts_the_youth_in_the_queue_for_today(caseworker_a, youth_a1, now):
    observe(caseworker_a, youth_a1, "C7.1", now)
    snapshot = assessment.reassess(youth_a1.pk, "test", now=now)
    assert snapshot.band == "urgent"
    item = ReviewItem.objects.get(youth=youth_a1, status=ReviewStatus.OPEN)
    assert item.urgency == Urgency.URGENT
    assert item.due_at <= now + DAY
    assert any("same-day" in reason for reason in item.reasons)


def test_a_more_urgent_reason_raises_the_open_item_instead_of_adding_one(caseworker_a, youth_a1, now):
    for code in ("C5.1", "C6.1"):  # 3 + 3 = 6: Elevated
        observe(caseworker_a, youth_a1, code, now)
    assessment.reassess(youth_a1.pk, "test", now=now)
    item = ReviewItem.objects.get(youth=youth_a1)
    assert item.urgency == Urgency.ELEVATED
    observe(caseworker_a, youth_a1, "C7.3", now)
    assessment.reassess(youth_a1.pk, "test", now=now + HOUR)
    item.refresh_from_db()
    assert ReviewItem.objects.filter(youth=youth_a1).count() == 1
    assert item.urgency == Urgency.URGENT


def test_a_tripwire_opens_the_identification_workflow_at_once(caseworker_a, youth_a1, now):
    received = now - 3 * HOUR
    observe(caseworker_a, youth_a1, "C0.3", now, observed_at=now - DAY, information_received_at=received)
    item = ReviewItem.objects.get(youth=youth_a1, status=ReviewStatus.OPEN)
    assert item.urgency == Urgency.IDENTIFICATION
    assert item.tripwire.indicator.code == "C0.3"
    assert abs(item.due_at - (now + 4 * HOUR)) < datetime.timedelta(seconds=5)  # a tripwire: confirm within 4 h


# --- Decisions ------------------------------------------------------------------------------------


def decide(actor, youth, outcome, *, expected=None, **extra):
    if outcome == Outcome.IDENTIFIED:
        extra.setdefault("referrals", ["specialised"])  # an identification needs its services
    return decisions.decide(
        actor=actor, youth_id=youth.pk, outcome=outcome, expected_latest_decision_id=expected, **extra
    )


def test_a_caseworker_cannot_decide(caseworker_a, youth_a1):
    with pytest.raises(PermissionDenied):
        decide(caseworker_a, youth_a1, Outcome.NO_CONCERN, reason="Talked it through")
    assert not ReviewDecision.objects.exists()


def test_another_agencys_supervisor_gets_404(admin_b, youth_a1):
    with pytest.raises(Http404):
        decide(admin_b, youth_a1, Outcome.NO_CONCERN, reason="x")


def test_a_supervisor_of_another_team_gets_404(agency_a, team_a2, youth_a1):
    from caseapp.models import Role
    from tests.factories import UserFactory

    other = UserFactory(username="south_sup", agency=agency_a, role=Role.SUPERVISOR, supervises=[team_a2])
    with pytest.raises(Http404):
        decide(other, youth_a1, Outcome.NO_CONCERN, reason="x")


def test_no_concern_needs_a_reason_and_at_risk_needs_a_plan_and_referrals(supervisor_a, youth_a1):
    assert refused(lambda: decide(supervisor_a, youth_a1, Outcome.NO_CONCERN), "reason")
    with pytest.raises(ValidationError) as info:
        decide(supervisor_a, youth_a1, Outcome.AT_RISK)
    assert set(info.value.message_dict) == {"safety_plan", "referrals"}
    assert not ReviewDecision.objects.exists()


def test_deciding_closes_the_open_item_and_a_later_decision_supersedes(supervisor_a, caseworker_a, youth_a1, now):
    observe(caseworker_a, youth_a1, "C7.1", now)
    assessment.reassess(youth_a1.pk, "test", now=now)
    first = decide(
        supervisor_a,
        youth_a1,
        Outcome.AT_RISK,
        safety_plan="Weekly check-ins with a trusted adult",
        referrals=["housing", "connection"],
    )
    assert ReviewItem.objects.get(youth=youth_a1).status == ReviewStatus.DECIDED
    second = decide(supervisor_a, youth_a1, Outcome.NO_CONCERN, expected=first.pk, reason="Explained by school")
    first.refresh_from_db()
    assert second.supersedes == first
    assert first.superseded_by == second
    assert ReviewDecision.objects.filter(youth=youth_a1).count() == 2  # history kept
    with pytest.raises(EditConflict):  # a form opened before `second` is stale
        decide(supervisor_a, youth_a1, Outcome.NO_CONCERN, expected=first.pk, reason="x")


def test_the_same_reasons_do_not_come_back_after_a_decision(supervisor_a, caseworker_a, youth_a1, now):
    observe(caseworker_a, youth_a1, "C7.1", now)
    assessment.reassess(youth_a1.pk, "test", now=now)
    decide(supervisor_a, youth_a1, Outcome.AT_RISK, safety_plan="Plan", referrals=["food"])
    # The same snapshot looked at again (the nightly run, a retried task) raises nothing new.
    assert reviews.raise_reviews_for(youth_a1, RiskSnapshot.objects.filter(youth=youth_a1).latest(), now) is None
    assert not ReviewItem.objects.filter(youth=youth_a1, status=ReviewStatus.OPEN).exists()
    observe(caseworker_a, youth_a1, "C7.5", now + HOUR, observed_at=now, information_received_at=now)
    assessment.reassess(youth_a1.pk, "test", now=now + 2 * HOUR)
    assert ReviewItem.objects.filter(youth=youth_a1, status=ReviewStatus.OPEN).exists()


def test_identification_starts_the_law_enforcement_clock_from_receipt(supervisor_a, caseworker_a, youth_a1, now):
    received = now - 5 * HOUR
    observe(caseworker_a, youth_a1, "C0.1", now, observed_at=now - DAY, information_received_at=received)
    decision = decide(
        supervisor_a,
        youth_a1,
        Outcome.IDENTIFIED,
        trafficking_type="sex",
        trafficking_kind="buyer_perpetrated",
        timing="while_missing",
    )
    assert decision.information_received_at == received  # from the tripwire, not from the decision
    report = IdentificationReport.objects.get(decision=decision)
    assert report.due_at == received + 24 * HOUR
    assert "471(a)(34)(A)" in report.rule_source


def test_texas_identification_is_due_in_8_hours(supervisor_a, youth_a1, agency_a, now):
    agency_a.state = "TX"
    agency_a.save()
    received = now - HOUR
    decision = decide(
        supervisor_a,
        youth_a1,
        Outcome.IDENTIFIED,
        trafficking_type="sex",
        trafficking_kind="familial",
        timing="in_care",
        information_received_at=received,
    )
    assert decision.le_report.due_at == received + 8 * HOUR


def test_identification_needs_type_kind_timing_and_a_past_receipt_time(supervisor_a, youth_a1, now):
    with pytest.raises(ValidationError) as info:
        decide(supervisor_a, youth_a1, Outcome.IDENTIFIED, information_received_at=now + DAY)
    assert set(info.value.message_dict) == {"trafficking_type", "trafficking_kind", "timing", "information_received_at"}
    assert not IdentificationReport.objects.exists()


def test_recording_the_report_needs_evidence_and_completes_the_clock(supervisor_a, caseworker_a, youth_a1, now):
    decision = decide(
        supervisor_a,
        youth_a1,
        Outcome.IDENTIFIED,
        trafficking_type="sex",
        trafficking_kind="pimp_controlled",
        timing="in_care",
        information_received_at=now - 2 * HOUR,
    )
    report = decision.le_report
    with pytest.raises(ValidationError) as info:
        decisions.record_identification_report(
            actor=caseworker_a, report_id=report.pk, expected_version=1, done_at=now - HOUR, method="phone"
        )
    assert set(info.value.message_dict) == {"le_agency", "reference"}
    decisions.record_identification_report(
        actor=caseworker_a,
        report_id=report.pk,
        expected_version=1,
        done_at=now - HOUR,
        method="phone",
        le_agency="County Sheriff",
        reference="CS-2026-118",
    )
    report.refresh_from_db()
    assert report.is_done and not report.was_late() and report.done_by == caseworker_a


def test_correcting_an_identification_keeps_its_one_clock(supervisor_a, youth_a1, now):
    received = now - 2 * HOUR
    kinds = ("pimp_controlled", "gang_controlled", "familial")  # identified, then corrected twice
    previous = None
    for kind in kinds:
        previous = decide(
            supervisor_a, youth_a1, Outcome.IDENTIFIED, expected=previous.pk if previous else None,
            trafficking_type="sex", trafficking_kind=kind, timing="in_care", information_received_at=received,
        )
    assert IdentificationReport.objects.filter(youth=youth_a1).count() == 1
    # New information (received later) is a new identification with its own clock.
    decide(supervisor_a, youth_a1, Outcome.IDENTIFIED, expected=previous.pk, trafficking_type="labor",
           trafficking_kind="other", timing="in_care", information_received_at=now - HOUR)
    assert IdentificationReport.objects.filter(youth=youth_a1).count() == 2


# --- Weights ------------------------------------------------------------------------------------


def test_an_admin_changes_weights_and_old_snapshots_keep_their_version(agency_admin_a, caseworker_a, youth_a1, now):
    observe(caseworker_a, youth_a1, "C7.2", now)
    before = assessment.reassess(youth_a1.pk, "test", now=now)
    version = scoring.change_scoring(
        actor=agency_admin_a,
        weights={"C7.2": 5},
        thresholds={},
        reason="Local calibration",
        expected_number=0,
    )
    after = assessment.reassess(youth_a1.pk, "test", now=now + HOUR)
    before.refresh_from_db()
    assert (before.score, before.scoring_version) == (3, None)
    assert (after.score, after.scoring_version) == (5, version)
    assert after.settings_used["weights"]["C7.2"] == 5
    assert AuditEvent.objects.filter(object_type="scoringversion", action=AuditAction.UPDATE).count() == 1


def test_weights_are_validated_and_only_admins_change_them(agency_admin_a, supervisor_a):
    with pytest.raises(PermissionDenied):
        scoring.change_scoring(actor=supervisor_a, weights={}, thresholds={}, reason="x", expected_number=0)
    with pytest.raises(ValidationError):
        scoring.change_scoring(actor=agency_admin_a, weights={"C7.2": 4}, thresholds={}, reason="x", expected_number=0)
    assert not ScoringVersion.objects.exists()


def test_episode_history_feeds_the_rules(caseworker_a, youth_a1, now, django_capture_on_commit_callbacks):
    for days_ago in (80, 40, 10):
        start = now - days_ago * DAY
        with django_capture_on_commit_callbacks(execute=True):
            episode = episode_services.log_run(
                actor=caseworker_a,
                youth_id=youth_a1.pk,
                last_seen_at=start,
                agency_learned_at=start + HOUR,
                last_seen_location="Bus station",
                reported_by="Foster parent",
            )
        with django_capture_on_commit_callbacks(execute=True):
            episode_services.log_return(
                actor=caseworker_a,
                episode_id=episode.pk,
                expected_version=episode.version,
                returned_at=start + 5 * HOUR,
                found_location_type="friend",
            )
    snapshot = RiskSnapshot.objects.filter(youth=youth_a1).latest()
    assert "C4.3" in {r["indicator"] for r in snapshot.reasons if r["counted"]}  # 3 episodes in 90 days
    assert ReviewItem.objects.get(youth=youth_a1, status=ReviewStatus.OPEN).urgency == Urgency.URGENT


def test_the_queue_shows_the_latest_assessment_not_every_earlier_one(caseworker_a, youth_a1, now):
    observe(caseworker_a, youth_a1, "C0.3", now, observed_at=now - DAY, information_received_at=now - HOUR)
    for step, code in enumerate(("C5.1", "C6.1", "C7.2"), start=1):
        observe(caseworker_a, youth_a1, code, now)
        assessment.reassess(youth_a1.pk, "test", now=now + step * datetime.timedelta(minutes=1))
    item = ReviewItem.objects.get(youth=youth_a1, status=ReviewStatus.OPEN)
    assessments = [r for r in item.reasons if r.startswith("Assessment: ")]
    latest = RiskSnapshot.objects.filter(youth=youth_a1).latest()
    assert assessments == [f"Assessment: {latest.get_band_display()} (score {latest.score})."]
    assert item.reasons[0].startswith("Tripwire recorded: C0.3")  # kept: not from a snapshot
    assert any(r.startswith("C7.2 ") and "(weight 3)" in r for r in item.reasons)
