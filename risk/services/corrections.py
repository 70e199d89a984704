"""Withdrawing an identification that was recorded in error: the only thing that withdraws one.

An identification is a fact that stays (risk/afcars.py): a later "No current concern" or "At risk"
decision describes the present and leaves it in the AFCARS elements, the annual count and the
youth's history. When a decider finds that the identification itself was wrong (the wrong youth,
information that was never true), they record that here, with a reason: the identification and
its corrections are marked withdrawn (kept, never deleted, docs/design.md#rule-nothing-lost), stop
counting, and a law-enforcement report clock not yet done closes with them
(risk.models.IdentificationReport.OPEN). One transaction, one audit row.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from caseapp import access, audit
from caseapp.models import AuditAction

from .. import endangerment, selectors
from ..models import IdentificationReport, ReviewDecision


def withdrawable_decision_or_404(actor, decision_id):
    """A decision of a youth whose decisions `actor` may make (with its youth), or 404 for anyone else:
    outsiders and those who decide nothing about the youth alike."""
    return access.get_in_scope_or_404(
        ReviewDecision.objects.filter(youth__in=access.youth_reviewable_by(actor)).select_related(
            "youth__agency", "decided_by", "withdrawn_by"
        ),
        decision_id,
    )


def identification_of(decision):
    """The standing identification (risk.afcars.Identification) `decision` belongs to, or None when it
    is no identification or was already withdrawn. Two queries."""
    decisions = list(decision.youth.risk_decisions.select_related("le_report"))
    standing = selectors.standing_identifications(decisions)
    return next((i for i in standing.values() if decision.pk in i.decision_ids), None)


@transaction.atomic
def withdraw_identification(*, actor, decision_id, reason, ip=None) -> list[int]:
    """Withdraw the identification `decision_id` belongs to (the original and its corrections) as recorded
    in error. Returns the ids of the decisions withdrawn. Only a decider of the youth (404 otherwise);
    a reason is required."""
    decision = withdrawable_decision_or_404(actor, decision_id)
    # The youth's row lock serialises this with a new decision about the same youth (decisions.decide).
    access.youth_reviewable_by(actor).select_for_update().get(pk=decision.youth_id)
    errors = {}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = "Say why the identification was recorded in error."
    identification = identification_of(decision)
    if identification is None:
        errors["__all__"] = (
            "This identification was already withdrawn." if decision.withdrawn_at
            else "Only an identification can be withdrawn as recorded in error."
        )
    if errors:
        raise ValidationError(errors)
    ids = list(identification.decision_ids)
    now = timezone.now()
    ReviewDecision.objects.filter(pk__in=ids, withdrawn_at__isnull=True).update(
        withdrawn_at=now, withdrawn_by=actor, withdrawal_reason=reason
    )
    report = IdentificationReport.objects.filter(decision_id__in=ids).first()
    audit.record(
        actor, AuditAction.UPDATE, decision, youth=decision.youth, ip=ip,
        detail={
            "withdrawn": "recorded in error",
            "decisions": ids,
            "le_report_closed": bool(report and not report.is_done),
        },
    )
    endangerment.withdrawn(decision.youth_id, actor)  # the open episode's tick goes with it (risk/endangerment.py)
    return ids
