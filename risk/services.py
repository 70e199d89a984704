"""The verbs of the risk module: record observations and screenings, reassess, raise reviews, decide,
record the identified-victim report, and change the agency's weights.

Each verb runs in one transaction, writes its audit event in it, and enqueues the reassessment only
after commit (caseapp.queue), so a save never waits on Redis. The scores are decision support
(docs/risk-catalogue.md#principles): only `decide` records a finding, and only a supervisor or agency admin may call it.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from caseapp import access, audit
from caseapp.local_time import agency_zone, display_time
from caseapp.models import AuditAction, Youth
from caseapp.queue import enqueue_on_commit
from caseapp.services.errors import EditConflict
from missing_reports import deadlines
from missing_reports.models import MissingEpisode, NotificationMethod
from missing_reports.services import CLOCK_SKEW, rules_for

from . import assessment
from .models import (
    Evidence,
    ExternalScreen,
    IdentificationReport,
    Indicator,
    Observation,
    Outcome,
    Referral,
    ReviewDecision,
    ReviewItem,
    ReviewStatus,
    ScoringVersion,
    Screening,
    ScreenTool,
    Source,
    Timing,
    TraffickingKind,
    TraffickingType,
    Urgency,
)
from .reviews import raise_review

# The reassessment tasks (risk/tasks.py), sent by name: the tasks import this app's modules, never the
# reverse (caseapp/queue.py).
REASSESS_YOUTH_TASK = "risk.tasks.reassess_youth"
REASSESS_AGENCY_TASK = "risk.tasks.reassess_agency"


def enqueue_reassess(youth_id, trigger):
    """Reassess one youth after the current transaction commits (risk/tasks.py)."""
    enqueue_on_commit(REASSESS_YOUTH_TASK, youth_id, trigger)


def _youth_for_edit(actor, youth_id):
    return access.get_youth_or_404(
        actor, youth_id, for_edit=True, queryset=Youth.objects.select_for_update().select_related("agency")
    )


def _check_time(errors, name, value, label, now, *, required=True):
    if value is None:
        if required:
            errors[name] = f"Give {label}."
        return
    if value > now + CLOCK_SKEW:
        errors[name] = f"{label[0].upper()}{label[1:]} cannot be in the future."


def _indicator(code, errors, field="indicator"):
    indicator = Indicator.objects.filter(code=code, active=True).first() if code else None
    if indicator is None:
        errors[field] = "Choose an indicator from the catalogue."
    elif indicator.derived:
        errors[field] = (
            f"{indicator.code} is worked out from the missing-episode history; it cannot be recorded by hand."
        )
        return None
    return indicator


def _validate_provenance(errors, source, evidence, prefix=""):
    if source not in Source.values:
        errors[prefix + "source"] = "Choose where the information came from."
    if evidence not in Evidence.values:
        errors[prefix + "evidence"] = "Choose whether it was reported or verified."


def _episode_of(youth, episode_id, errors):
    if episode_id is None:
        return None
    episode = MissingEpisode.objects.filter(pk=episode_id, youth=youth).first()
    if episode is None:
        errors["episode"] = "Choose one of this youth's missing episodes."
    return episode


def _open_identification(actor, youth, observation, now):
    """A tripwire opens the identification workflow at once (docs/risk-catalogue.md#bands): a review item due in 4 h."""
    raise_review(
        youth,
        Urgency.IDENTIFICATION,
        [
            f"Tripwire recorded: {observation.indicator.code} {observation.indicator.label} "
            f"(information received {display_time(observation.information_received_at, agency_zone(youth.agency))})"
        ],
        now=now,
        tripwire=observation,
    )


@transaction.atomic
def record_observation(
    *, actor, youth_id, indicator_code, observed_at, source, evidence, information_received_at=None, note="",
    episode_id=None, ip=None,
) -> Observation:
    """One indicator for a youth, with when it was seen, when the agency learned of it, and its source."""
    youth = _youth_for_edit(actor, youth_id)
    now = timezone.now()
    if information_received_at is None:
        information_received_at = now
    errors = {}
    indicator = _indicator(indicator_code, errors)
    _validate_provenance(errors, source, evidence)
    _check_time(errors, "observed_at", observed_at, "when it was observed", now)
    _check_time(errors, "information_received_at", information_received_at, "when the information was received", now)
    received_too_early = observed_at and information_received_at and observed_at > information_received_at
    if received_too_early and "observed_at" not in errors:
        errors["information_received_at"] = "The information cannot have been received before it was observed."
    episode = _episode_of(youth, episode_id, errors)
    if errors:
        raise ValidationError(errors)
    observation = Observation(
        youth=youth, indicator=indicator, observed_at=observed_at, information_received_at=information_received_at,
        source=source, evidence=evidence, note=note.strip(), episode=episode, recorded_by=actor,
    )
    observation._history_user = actor
    observation.save()
    audit.record(actor, AuditAction.CREATE, observation, youth=youth, ip=ip, detail={"indicator": indicator.code})
    if indicator.is_tripwire:
        _open_identification(actor, youth, observation, now)
    enqueue_reassess(youth.pk, f"Observation {indicator.code} recorded")
    return observation


@transaction.atomic
def retract_observation(*, actor, observation_id, reason, ip=None) -> Observation:
    """Take an observation out of the score (recorded in error). It stays listed, with the reason."""
    observation = access.get_in_scope_or_404(
        Observation.objects.select_for_update()
        .select_related("youth", "indicator")
        .filter(youth__in=access.youth_editable_by(actor)),
        observation_id,
    )
    if observation.is_retracted:
        raise ValidationError("This observation was already retracted.")
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the observation is being retracted."})
    observation.retracted_at = timezone.now()
    observation.retracted_by = actor
    observation.retraction_reason = reason.strip()
    observation._history_user = actor
    observation.save()
    audit.record(
        actor, AuditAction.UPDATE, observation, youth=observation.youth, ip=ip,
        detail={"indicator": observation.indicator.code, "retracted": True},
    )
    enqueue_reassess(observation.youth_id, f"Observation {observation.indicator.code} retracted")
    return observation


@transaction.atomic
def record_screening(
    *, actor, youth_id, conducted_at, findings=(), no_indicators_found=False, youth_declined=False, notes="",
    episode_id=None, ip=None,
) -> Screening:
    """A structured screening and what it found, all or nothing.

    `findings`: dicts with indicator (code), source, evidence, note and optionally observed_at
    (default: the screening time). The information was received at the screening.
    """
    youth = _youth_for_edit(actor, youth_id)
    now = timezone.now()
    errors = {}
    _check_time(errors, "conducted_at", conducted_at, "when the screening took place", now)
    episode = _episode_of(youth, episode_id, errors)
    if episode is not None and conducted_at and episode.returned_at and conducted_at < episode.last_seen_at:
        errors["conducted_at"] = "The screening cannot be before the episode began."
    findings = list(findings)
    if findings and no_indicators_found:
        errors["no_indicators_found"] = "Untick 'no indicators found', or remove the indicators you chose."
    if not findings and not no_indicators_found and not youth_declined:
        errors["findings"] = "Choose what you found, tick 'no indicators found', or note that the youth declined."
    finding_errors, prepared = [], []
    seen_codes = set()
    for finding in findings:
        one = {}
        code = finding.get("indicator")
        indicator = _indicator(code, one)
        _validate_provenance(one, finding.get("source"), finding.get("evidence"))
        observed_at = finding.get("observed_at") or conducted_at
        _check_time(one, "observed_at", observed_at, "when it was observed", now)
        if observed_at and conducted_at and observed_at > conducted_at:
            one["observed_at"] = "It cannot have been observed after the screening."
        if code in seen_codes:
            one["indicator"] = "Each indicator once per screening."
        seen_codes.add(code)
        if one:
            finding_errors.extend(f"{code or 'Indicator'}: {message}" for message in one.values())
        prepared.append((indicator, finding, observed_at))
    if finding_errors:
        errors["findings"] = finding_errors
    if errors:
        raise ValidationError(errors)
    screening = Screening.objects.create(
        youth=youth, episode=episode, conducted_at=conducted_at, conducted_by=actor,
        no_indicators_found=no_indicators_found, youth_declined=youth_declined, notes=notes.strip(),
    )
    tripwires = []
    for indicator, finding, observed_at in prepared:
        observation = Observation(
            youth=youth, indicator=indicator, observed_at=observed_at, information_received_at=conducted_at,
            source=finding["source"], evidence=finding["evidence"], note=(finding.get("note") or "").strip(),
            screening=screening, episode=episode, recorded_by=actor,
        )
        observation._history_user = actor
        observation.save()
        if indicator.is_tripwire:
            tripwires.append(observation)
    audit.record(
        actor, AuditAction.CREATE, screening, youth=youth, ip=ip,
        detail={"indicators": sorted(i.code for i, _f, _o in prepared), "episode": episode_id},
    )
    for observation in tripwires:
        _open_identification(actor, youth, observation, now)
    enqueue_reassess(youth.pk, "Screening recorded")
    return screening


@transaction.atomic
def record_external_screen(
    *, actor, youth_id, tool, result_category, screened_on, tool_other="", ip=None
) -> ExternalScreen:
    """The final category of an external screen; never its items (docs/risk-catalogue.md#principles, item 6)."""
    youth = _youth_for_edit(actor, youth_id)
    errors = {}
    if tool not in ScreenTool.values:
        errors["tool"] = "Choose the tool."
    if tool == ScreenTool.OTHER and not tool_other.strip():
        errors["tool_other"] = "Name the tool."
    if not (result_category or "").strip():
        errors["result_category"] = "Give the tool's final category."
    if screened_on is None:
        errors["screened_on"] = "Give the date of the screen."
    elif screened_on > timezone.localdate():
        errors["screened_on"] = "The date of the screen cannot be in the future."
    if errors:
        raise ValidationError(errors)
    screen = ExternalScreen.objects.create(
        youth=youth, tool=tool, tool_other=tool_other.strip(), result_category=result_category.strip(),
        screened_on=screened_on, recorded_by=actor,
    )
    audit.record(actor, AuditAction.CREATE, screen, youth=youth, ip=ip, detail={"tool": tool})
    return screen


def latest_decision(youth):
    return youth.risk_decisions.order_by("-decided_at", "-id").first()


def _validate_decision(errors, *, outcome, reason, safety_plan, referrals, trafficking_type, trafficking_kind,
                       timing, information_received_at, youth, now):
    if outcome not in Outcome.values:
        errors["outcome"] = "Choose a decision."
        return
    if outcome == Outcome.NO_CONCERN and not reason.strip():
        errors["reason"] = "Say why there is no current concern."
    if outcome == Outcome.AT_RISK:
        if not safety_plan.strip():
            errors["safety_plan"] = "Write the safety and needs plan."
        if not referrals:
            errors["referrals"] = "Choose at least one service referral."
    unknown = [r for r in referrals if r not in Referral.values]
    if unknown:
        errors["referrals"] = "Choose referrals from the list."
    if outcome == Outcome.IDENTIFIED:
        if trafficking_type not in TraffickingType.values:
            errors["trafficking_type"] = "Choose sex or labor trafficking."
        if trafficking_kind not in TraffickingKind.values:
            errors["trafficking_kind"] = "Choose the kind of trafficking."
        if timing not in Timing.values:
            errors["timing"] = "Choose when it happened."
        _check_time(errors, "information_received_at", information_received_at,
                    "when the agency received the information", now)
        if information_received_at and "information_received_at" not in errors and (
            timezone.localtime(information_received_at).date() < youth.date_of_birth
        ):
            errors["information_received_at"] = "This is before the youth's date of birth."


@transaction.atomic
def decide(
    *, actor, youth_id, outcome, expected_latest_decision_id, reason="", safety_plan="", referrals=(),
    trafficking_type="", trafficking_kind="", timing="", information_received_at=None, ip=None,
) -> ReviewDecision:
    """A supervisor's decision. Supersedes the previous one (kept); closes the open review item.

    Identification starts the law-enforcement report clock from `information_received_at` (default:
    when the tripwire's information was received), per the agency's rules (federal 24 h, TX 8 h).
    """
    if not access.can_review_youth(actor):
        if access.youth_visible_to(actor).filter(pk=youth_id).exists():
            raise PermissionDenied("Only a supervisor or an agency admin can decide.")
        raise Http404("No such youth.")
    youth = access.get_youth_or_404(
        actor, youth_id, queryset=access.youth_reviewable_by(actor).select_for_update().select_related("agency")
    )
    previous = latest_decision(youth)
    if (previous.pk if previous else None) != expected_latest_decision_id:
        raise EditConflict(current=previous)
    item = ReviewItem.objects.select_for_update().filter(youth=youth, status=ReviewStatus.OPEN).first()
    now = timezone.now()
    referrals = list(referrals or [])
    if outcome == Outcome.IDENTIFIED and information_received_at is None and item and item.tripwire_id:
        information_received_at = item.tripwire.information_received_at
    errors = {}
    _validate_decision(
        errors, outcome=outcome, reason=reason or "", safety_plan=safety_plan or "", referrals=referrals,
        trafficking_type=trafficking_type, trafficking_kind=trafficking_kind, timing=timing,
        information_received_at=information_received_at, youth=youth, now=now,
    )
    if errors:
        raise ValidationError(errors)
    identified = outcome == Outcome.IDENTIFIED
    decision = ReviewDecision.objects.create(
        youth=youth, review_item=item, outcome=outcome, decided_by=actor, decided_at=now,
        reason=(reason or "").strip(), safety_plan=(safety_plan or "").strip(), referrals=referrals,
        trafficking_type=trafficking_type if identified else "",
        trafficking_kind=trafficking_kind if identified else "",
        timing=timing if identified else "",
        information_received_at=information_received_at if identified else None,
        supersedes=previous, snapshot=youth.risk_snapshots.order_by("-computed_at", "-id").first(),
    )
    if item is not None:
        item.status = ReviewStatus.DECIDED
        item._history_user = actor
        item.save()
    report = None
    if identified and not _same_identification(previous, decision):
        report = _start_le_report(youth, decision)
    audit.record(
        actor, AuditAction.CREATE, decision, youth=youth, ip=ip,
        detail={"outcome": outcome, "supersedes": previous.pk if previous else None,
                "le_report_due": report.due_at.isoformat() if report else None},
    )
    return decision


def _same_identification(previous, decision):
    """A correction of an identification (same information, through an unbroken run of identified
    decisions, however many corrections) keeps its one report clock."""
    while previous is not None and previous.outcome == Outcome.IDENTIFIED:
        if previous.information_received_at == decision.information_received_at and (
            IdentificationReport.objects.filter(decision=previous).exists()
        ):
            return True
        previous = previous.supersedes
    return False


def _start_le_report(youth, decision):
    clocks = deadlines.deadlines(deadlines.IDENTIFIED, decision.information_received_at, rules_for(youth.agency))
    clock = next(c for c in clocks if c.party == deadlines.LAW_ENFORCEMENT)
    return IdentificationReport.objects.create(
        decision=decision, youth=youth, due_at=clock.due_at, rule_hours=clock.hours, rule_source=clock.source
    )


REPORT_FIELDS = ("done_at", "method", "le_agency", "contact_name", "reference", "explanation")


@transaction.atomic
def record_identification_report(*, actor, report_id, expected_version, ip=None, **evidence) -> IdentificationReport:
    """The identified-victim report was made: when, how, to whom, and the reference (or why none)."""
    unknown = set(evidence) - set(REPORT_FIELDS)
    if unknown:
        raise TypeError(f"Not report fields: {sorted(unknown)}")
    report = access.get_in_scope_or_404(
        IdentificationReport.objects.select_for_update()
        .select_related("youth", "decision")
        .filter(youth__in=access.youth_editable_by(actor)),
        report_id,
    )
    if report.version != expected_version:
        raise EditConflict(current=report)
    now = timezone.now()
    errors = {}
    _check_time(errors, "done_at", evidence.get("done_at"), "the date and time of the report", now)
    done_at = None if "done_at" in errors else evidence.get("done_at")
    if done_at and done_at < report.decision.information_received_at:
        errors["done_at"] = "The report cannot be before the agency received the information."
    if evidence.get("method") not in NotificationMethod.values:
        errors["method"] = "Say how the report was made."
    if not (evidence.get("le_agency") or "").strip():
        errors["le_agency"] = "Name the law-enforcement agency."
    if not (evidence.get("reference") or "").strip() and not (evidence.get("explanation") or "").strip():
        errors["reference"] = "Give the report or case number you were given, or explain why there is none."
    if errors:
        raise ValidationError(errors)
    was_done = report.is_done
    for name, value in evidence.items():
        setattr(report, name, value.strip() if isinstance(value, str) else value)
    if not was_done:
        report.done_by = actor
    report.version += 1
    report._history_user = actor
    report.save()
    audit.record(
        actor, AuditAction.UPDATE, report, youth=report.youth, ip=ip,
        detail={"corrected": was_done, "late": report.was_late()},
    )
    return report


def current_scoring_version(agency):
    return ScoringVersion.objects.filter(agency=agency).order_by("-number").first()


@transaction.atomic
def change_scoring(*, actor, weights, thresholds, reason, expected_number, ip=None) -> ScoringVersion:
    """A new version of the agency's weights and thresholds. Old snapshots keep theirs."""
    if not access.can_manage_agency_settings(actor) or actor.agency_id is None:
        raise PermissionDenied("Only an agency admin can change the weights.")
    agency = actor.agency
    # Lock the agency's versions so two admins cannot both make version N + 1.
    list(ScoringVersion.objects.select_for_update().filter(agency=agency))
    current = current_scoring_version(agency)
    if (current.number if current else 0) != expected_number:
        raise EditConflict(current=current)
    errors = {}
    if not (reason or "").strip():
        errors["reason"] = "Say why the weights or thresholds change."
    try:
        assessment.settings_from(weights, thresholds)
    except ValueError as exc:
        errors["weights"] = str(exc)
    if errors:
        raise ValidationError(errors)
    version = ScoringVersion.objects.create(
        agency=agency, number=expected_number + 1, weights=dict(weights), thresholds=dict(thresholds),
        reason=reason.strip(), created_by=actor,
    )
    audit.record(
        actor, AuditAction.UPDATE, version, ip=ip,
        detail={"number": version.number, "weights": version.weights, "thresholds": version.thresholds},
    )
    enqueue_on_commit(REASSESS_AGENCY_TASK, agency.pk, f"Scoring version {version.number}")
    return version
