"""A supervisor's decision on a flagged youth, and the identified-victim report it may start.

The scores are decision support (docs/risk-catalogue.md#principles): only `decide` records a finding,
and only a supervisor or agency admin may call it. Each verb runs in one transaction and writes its
audit event in it.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from caseapp import access, audit
from caseapp.models import AuditAction
from caseapp.services.errors import EditConflict
from missing_reports import deadlines
from missing_reports.models import NotificationMethod
from missing_reports.services.agency_rules import deadlines_for

from .. import endangerment
from ..models import (
    IdentificationReport,
    Outcome,
    Referral,
    ReviewDecision,
    ReviewItem,
    ReviewStatus,
    Timing,
    TraffickingKind,
    TraffickingType,
)
from . import referrals as referral_services
from .observations import _check_time

# SSA §471(a)(9)(C) asks the agency to determine the services an identified youth needs
# (docs/duties.md#identify-document); the safety net's services are docs/risk-catalogue.md#referrals.
IDENTIFIED_NEEDS_SERVICES = (
    "An identification needs the services determined for the youth: choose at least one of the safety net's "
    "services (housing, food, medical care, connection, empowerment, specialised services for survivors)."
)


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
    if outcome == Outcome.IDENTIFIED and not referrals:
        errors["referrals"] = IDENTIFIED_NEEDS_SERVICES
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
    "At risk" and "identified" need the services determined; each becomes a tracked referral
    (risk/services/referrals.py, docs/risk-catalogue.md#referrals).
    """
    if not access.can_review_youth(actor):
        if access.youth_visible_to(actor).filter(pk=youth_id).exists():
            raise PermissionDenied("Only a supervisor or an agency admin can decide.")
        raise Http404("No such youth.")
    youth = access.get_youth_or_404(
        actor, youth_id,
        queryset=access.youth_reviewable_by(actor).select_for_update(of=("self",)).select_related("agency"),
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
    referral_services.create_for_decision(actor=actor, decision=decision, ip=ip)
    report = None
    if identified and not _same_identification(previous, decision):
        report = _start_le_report(youth, decision)
    audit.record(
        actor, AuditAction.CREATE, decision, youth=youth, ip=ip,
        detail={"outcome": outcome, "supersedes": previous.pk if previous else None,
                "le_report_due": report.due_at.isoformat() if report else None},
    )
    if identified:  # identified while missing: the open episode's packets say so (risk/endangerment.py)
        endangerment.refresh(youth.pk, "Identified as a victim of trafficking", actor=actor)
    return decision


def _same_identification(previous, decision):
    """A correction of an identification (same information, through an unbroken run of identified
    decisions, however many corrections) keeps its one report clock."""
    # A withdrawn identification (risk/services/corrections.py) is nothing to correct: a new one starts a clock.
    while previous is not None and previous.outcome == Outcome.IDENTIFIED and previous.withdrawn_at is None:
        if previous.information_received_at == decision.information_received_at and (
            IdentificationReport.objects.filter(decision=previous).exists()
        ):
            return True
        previous = previous.supersedes
    return False


def _start_le_report(youth, decision):
    clocks = deadlines_for(youth.agency, deadlines.IDENTIFIED, decision.information_received_at)
    clock = next(c for c in clocks if c.party == deadlines.LAW_ENFORCEMENT)
    return IdentificationReport.objects.create(
        decision=decision, youth=youth, due_at=clock.due_at, rule_hours=clock.hours, rule_unit=clock.unit,
        rule_source=clock.source,
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
