"""Alerts that are confirmed: raise, acknowledge, read, and escalate while nobody acknowledges (docs/alerts.md).

An alert is written in the caller's transaction (the outbox): the Alert, one AlertRecipient per person told and
one AlertDelivery per (recipient, channel). Delivery is queued by name after commit; if the message is lost
(Redis down), the minute sweep (caseapp.alert_delivery.sweep) finds the pending rows. caseapp never names the
apps that raise alerts: they call `raise_alert` with the words and the page to act on.
"""

import datetime
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from .. import audit, on_call
from ..models import (
    Alert,
    AlertChannel,
    AlertDelivery,
    AlertRecipient,
    AlertVia,
    AuditAction,
    Role,
)
from ..queue import enqueue_on_commit

log = logging.getLogger(__name__)

DELIVER_TASK = "caseapp.tasks.deliver_alert"
ESCALATION_BATCH = 200


def raise_alert(*, agency, youth, kind, key, subject, body, sms_text, url, recipients, ack_minutes=None, now=None):
    """Write alert `key` about `youth` for `recipients` — a list of `(user_or_None, email_or_blank, reason)` —
    and queue its delivery after commit. Call it inside the transaction of what causes it. A second call with
    the same key returns the existing alert and writes nothing. `ack_minutes`: the acknowledgement window
    (None: no acknowledgement asked, no escalation)."""
    existing = Alert.objects.filter(key=key).first()
    if existing is not None:
        return existing
    now = now or timezone.now()
    ack_minutes = ack_minutes or None  # a window of 0 minutes asks nothing
    with transaction.atomic():  # a savepoint inside the caller's transaction
        try:
            with transaction.atomic():
                alert = Alert.objects.create(
                    agency=agency,
                    youth=youth,
                    kind=kind,
                    key=key,
                    subject=subject,
                    body=body,
                    sms_text=sms_text,
                    url=url,
                    created_at=now,
                    ack_minutes=ack_minutes,
                    ack_due_at=now + datetime.timedelta(minutes=ack_minutes) if ack_minutes else None,
                )
        except IntegrityError:  # the same cause raised at the same moment elsewhere: theirs stands
            return Alert.objects.get(key=key)
        for user, email, reason in recipients:
            add_recipient(alert, user=user, email=email, reason=reason, now=now)
        enqueue_on_commit(DELIVER_TASK, alert.pk)
    return alert


def add_recipient(alert, *, user=None, email="", reason, now=None):
    """Tell one more person of `alert` (in the caller's transaction) with a delivery row per channel: email
    when there is an address; SMS when the user has a mobile number and the agency sends SMS. Skips inactive
    users and anyone already told. Returns the recipient row or None."""
    if user is not None and not user.is_active:
        return None
    email = email or (user.email if user is not None else "")
    if user is None and not email:
        return None
    if user is not None and alert.recipients.filter(user=user).exists():
        return None
    if user is None and alert.recipients.filter(user__isnull=True, email__iexact=email).exists():
        return None
    recipient = AlertRecipient.objects.create(
        alert=alert, user=user, email=email, reason=reason[:200], told_at=now or timezone.now()
    )
    channels = []
    if email:
        channels.append(AlertChannel.EMAIL)
    if user is not None and user.mobile_phone and alert.agency.sms_enabled:
        channels.append(AlertChannel.SMS)
    AlertDelivery.objects.bulk_create([AlertDelivery(recipient=recipient, channel=c) for c in channels])
    return recipient


def mark_read(recipient, now=None) -> None:
    AlertRecipient.objects.filter(pk=recipient.pk, read_at__isnull=True).update(read_at=now or timezone.now())


@transaction.atomic
def acknowledge(alert, *, user=None, via, recipient=None, ip=None, now=None) -> bool:
    """Acknowledge `alert` once: the first acknowledgement wins (a conditional update), later ones change
    nothing but mark their copy read. Returns True when this call acknowledged it. Writes an audit row."""
    if via not in AlertVia.values:
        raise ValueError(f"Unknown acknowledgement channel {via!r}.")
    now = now or timezone.now()
    user = user or (recipient.user if recipient is not None else None)
    if user is None:
        raise ValueError("An acknowledgement names the person who gives it.")
    won = bool(
        Alert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=now, acknowledged_by=user, acknowledged_via=via
        )
    )
    if recipient is not None:
        mark_read(recipient, now)
    if won:
        audit.record(
            user,
            AuditAction.UPDATE,
            alert,
            youth=alert.youth,
            ip=ip,
            detail={"event": "alert acknowledged", "via": via, "key": alert.key},
        )
    alert.refresh_from_db(fields=["acknowledged_at", "acknowledged_by", "acknowledged_via"])
    return won


def waiting_for_acknowledgement(now):
    """Alerts past their acknowledgement window (now > ack_due_at, the boundary of the clocks), not acknowledged,
    with the chain not yet exhausted."""
    return Alert.objects.filter(
        acknowledged_at__isnull=True, escalation_done_at__isnull=True, ack_due_at__isnull=False, ack_due_at__lt=now
    )


def escalate_due(now=None) -> dict:
    """Escalate every alert past its window (docs/alerts.md#escalation). Safe to run in several sweeps at once:
    each alert is locked (skip_locked on PostgreSQL) and re-checked before anyone is added."""
    now = now or timezone.now()
    counts = {"escalated": 0, "exhausted": 0}
    ids = list(waiting_for_acknowledgement(now).order_by("ack_due_at").values_list("pk", flat=True)[:ESCALATION_BATCH])
    for alert_id in ids:
        outcome = escalate_one(alert_id, now)
        if outcome:
            counts[outcome] += 1
    return counts


@transaction.atomic
def escalate_one(alert_id, now) -> str | None:
    """Tell the next person of the on-call chain about one unacknowledged alert, or mark the chain exhausted."""
    alert = (
        waiting_for_acknowledgement(now)
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("youth__team", "agency")
        .filter(pk=alert_id)
        .first()
    )
    if alert is None:  # acknowledged since, or another sweep has it now
        return None
    told = set(alert.recipients.filter(user__isnull=False).values_list("user_id", flat=True))
    following = next((u for u in on_call.escalation_chain(alert.youth, now) if u.pk not in told), None)
    if following is None:
        alert.escalation_done_at = now
        alert.save(update_fields=["escalation_done_at"])
        log.warning("Alert %s (%s) was not acknowledged and nobody is left to tell.", alert.pk, alert.key)
        return "exhausted"
    who = "agency admin" if following.role == Role.AGENCY_ADMIN else "next on call"
    add_recipient(alert, user=following, reason=f"Not acknowledged in {alert.ack_minutes} min: {who}", now=now)
    alert.ack_due_at = now + datetime.timedelta(minutes=alert.ack_minutes)
    alert.save(update_fields=["ack_due_at"])
    enqueue_on_commit(DELIVER_TASK, alert.pk)
    return "escalated"
