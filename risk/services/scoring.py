"""The agency's weights and thresholds: a new version, audited, and every youth of the agency reassessed
after commit. Old snapshots keep the version they were computed with."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from caseapp import access, audit
from caseapp.models import AuditAction
from caseapp.queue import enqueue_on_commit
from caseapp.services.errors import EditConflict

from .. import assessment
from ..models import ScoringVersion

# The agency-wide reassessment (risk/tasks.py), sent by name: the tasks import this app's modules,
# never the reverse (caseapp/queue.py).
REASSESS_AGENCY_TASK = "risk.tasks.reassess_agency"


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
