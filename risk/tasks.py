"""Celery tasks of the risk module. Thin: load by id, call a service; safe to run twice."""

import logging

from celery import shared_task

from caseapp.models import Youth, YouthStatus

from . import assessment

log = logging.getLogger(__name__)


@shared_task(acks_late=True, ignore_result=True)
def reassess_youth(youth_id: int, trigger: str = "Changed") -> int | None:
    """Recompute one youth's assessment (assessment.reassess is idempotent). Returns the snapshot id."""
    snapshot = assessment.reassess(youth_id, trigger)
    return snapshot.pk if snapshot else None


@shared_task(acks_late=True, ignore_result=True)
def reassess_agency(agency_id: int, trigger: str) -> int:
    """Every active youth of one agency, e.g. after its weights changed. Returns how many."""
    ids = Youth.objects.filter(agency_id=agency_id, status=YouthStatus.ACTIVE).values_list("pk", flat=True)
    count = 0
    for youth_id in ids.iterator(chunk_size=500):
        assessment.reassess(youth_id, trigger)
        count += 1
    return count


@shared_task(acks_late=True, ignore_result=True)
def reassess_nightly() -> int:
    """The history rules run nightly too, so ageing observations and open episodes move the band."""
    ids = Youth.objects.filter(status=YouthStatus.ACTIVE).values_list("pk", flat=True)
    count = 0
    for youth_id in ids.iterator(chunk_size=500):
        try:
            assessment.reassess(youth_id, "Nightly reassessment")
        except Exception:  # one youth's bad data must not stop the others; logged for the admins
            log.exception("Nightly reassessment failed for youth %s", youth_id)
            continue
        count += 1
    return count


@shared_task(acks_late=True, ignore_result=True)
def sweep_reviews() -> dict:
    """Run by Celery beat every minute: reminders and overdue emails of open review items and of open
    identified-victim reports (risk.escalation). Overlapping or repeated runs send each stage once."""
    from . import escalation

    return escalation.sweep()
