"""The follow-up trafficking screening clock (docs/duties.md#return-interview).

When the youth declined the screening at a return interview, or it was not possible, a trusted adult tries again:
a Notification of the episode (event RETURNED, party deadlines.SCREENING_FOLLOW_UP), the same evidenced clock as
every notice (docs/design.md#rule-clock-data), due the agency's `screening_follow_up_days` after the interview. It
is done only when a structured screening that counts is recorded for the episode (risk/screened.py): the risk app
calls `complete` from its record_screening (risk may import missing_reports; this module never names risk).
"""

import datetime

from django.db import transaction

from caseapp import audit
from caseapp.models import AuditAction

from .. import deadlines
from ..models import Notification, NotificationMethod


def source_for(days: int) -> str:
    return f"Agency setting: try the screening again within {days} days"


def start(*, actor, debrief) -> Notification | None:
    """Start the episode's follow-up clock from `debrief` (in the caller's transaction), unless one exists: one per
    episode (notification_unique); a later declined interview keeps the clock already running or already done."""
    episode = debrief.episode
    existing = Notification.objects.filter(
        episode=episode, event=deadlines.RETURNED, party=deadlines.SCREENING_FOLLOW_UP
    ).first()
    if existing is not None:
        return None
    days = episode.youth.agency.screening_follow_up_days
    hours = deadlines.screening_follow_up_hours(days)
    clock = Notification(
        episode=episode, event=deadlines.RETURNED, party=deadlines.SCREENING_FOLLOW_UP,
        due_at=debrief.interview_at.astimezone(datetime.UTC) + datetime.timedelta(hours=hours),
        rule_hours=hours, rule_source=source_for(days),
        contact_name=debrief.follow_up_adult_display[:200],
    )
    clock._history_user = actor
    clock.save()
    audit.record(
        actor, AuditAction.CREATE, clock, youth=episode.youth,
        detail={"party": clock.party, "event": clock.event, "debrief": debrief.pk},
    )
    return clock


@transaction.atomic
def complete(*, actor, episode_id, done_at, reference, ip=None) -> Notification | None:
    """Mark the episode's open follow-up clock done by a structured screening (`reference`, e.g. "Screening 12"),
    in the caller's transaction. Nothing to do when there is no open clock; safe to call twice."""
    clock = (
        Notification.objects.select_for_update(of=("self",))
        .select_related("episode__youth")
        .filter(
            episode_id=episode_id, event=deadlines.RETURNED, party=deadlines.SCREENING_FOLLOW_UP,
            done_at__isnull=True,
        )
        .first()
    )
    if clock is None:
        return None
    clock.done_at = done_at
    clock.done_by = actor
    clock.method = NotificationMethod.IN_PERSON
    clock.reference = reference[:100]
    clock.version += 1
    clock._history_user = actor
    clock.save()
    audit.record(
        actor, AuditAction.UPDATE, clock, youth=clock.episode.youth, ip=ip,
        detail={"party": clock.party, "event": clock.event, "late": clock.was_late(), "reference": reference},
    )
    return clock
