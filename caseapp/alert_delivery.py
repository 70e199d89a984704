"""Delivering alerts by email and SMS, exactly once per (recipient, channel) (docs/alerts.md#delivery).

Each AlertDelivery row is claimed with a conditional UPDATE (pending and due, or "sending" past its lease after a
worker died) before anything is sent, so two deliveries of the same alert running at once never send twice; a
row already sent is never sent again. A failed send goes back to pending with a growing delay and is marked
failed after ALERT_DELIVERY_MAX_ATTEMPTS. The minute sweep delivers what a lost message left pending and
escalates unacknowledged alerts (caseapp.services.alerts.escalate_due).
"""

import datetime
import logging

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from . import sms
from .models import AlertChannel, AlertDelivery, AlertVia, DeliveryStatus
from .services import alerts as alert_services

log = logging.getLogger(__name__)

# A claim older than this is taken to belong to a dead worker: the row may be claimed again.
CLAIM_LEASE = datetime.timedelta(minutes=5)
MAX_BACKOFF = datetime.timedelta(hours=1)
TOKEN_SALT = "caseapp.alerts.acknowledge"  # noqa: S105  a signing salt, not a secret
# The channel letter in a signed link: short, because an SMS is short.
_VIA_CODES = {"e": AlertVia.EMAIL, "s": AlertVia.SMS}


# --- Signed acknowledgement links ---------------------------------------------------------------------------


def ack_token(recipient_id: int, via: str) -> str:
    code = {v: k for k, v in _VIA_CODES.items()}[via]
    return signing.TimestampSigner(salt=TOKEN_SALT).sign(f"{recipient_id}{code}")


def read_ack_token(token: str) -> tuple[int, str]:
    """(recipient id, via) of a link; raises signing.BadSignature (SignatureExpired included) otherwise."""
    max_age = datetime.timedelta(days=settings.ALERT_LINK_MAX_AGE_DAYS)
    value = signing.TimestampSigner(salt=TOKEN_SALT).unsign(token, max_age=max_age)
    number, code = value[:-1], value[-1:]
    if code not in _VIA_CODES or not number.isdigit():
        raise signing.BadSignature("Malformed alert link.")
    return int(number), _VIA_CODES[code]


def ack_link(recipient_id: int, via: str) -> str:
    return settings.APP_BASE_URL + reverse("alert_ack_link", args=[ack_token(recipient_id, via)])


def absolute(url: str) -> str:
    return url if url.startswith(("http://", "https://")) else settings.APP_BASE_URL + url


# --- Message text ---------------------------------------------------------------------------------------------


def sms_line(youth, what: str) -> str:
    """The personal part of an SMS: what happened, the youth's first name and the case number, nothing more
    (docs/alerts.md#sms), e.g. "Missing from care: Jordan, case A-000012."."""
    first = (
        (youth.preferred_name or youth.legal_first_name).split()[0]
        if (youth.preferred_name or youth.legal_first_name)
        else "youth"
    )
    return f"{what}: {first}, case {youth.case_number}."


def email_text(delivery) -> tuple[str, str]:
    recipient = delivery.recipient
    alert = recipient.alert
    lines = [alert.body.rstrip(), "", f"Why you: {recipient.reason}.", f"Open: {absolute(alert.url)}"]
    if recipient.user_id is not None and alert.ack_minutes:
        lines.append(f"Acknowledge (one click): {ack_link(recipient.pk, AlertVia.EMAIL)}")
    return alert.subject, "\n".join(lines) + "\n"


def sms_text(delivery) -> str:
    recipient = delivery.recipient
    alert = recipient.alert
    text = alert.sms_text or sms_line(alert.youth, "Alert")
    if alert.ack_minutes:
        text += f" Acknowledge: {ack_link(recipient.pk, AlertVia.SMS)}"
    return text


def send(delivery) -> None:
    """Send one delivery by its channel; raises on failure."""
    recipient = delivery.recipient
    if delivery.channel == AlertChannel.EMAIL:
        subject, body = email_text(delivery)
        send_mail(subject, body, None, [recipient.email], fail_silently=False)
    elif delivery.channel == AlertChannel.SMS:
        sms.send_sms(recipient.user.mobile_phone, sms_text(delivery))
    else:
        raise ValueError(f"Unknown alert channel {delivery.channel!r}.")


# --- Claiming and sending -------------------------------------------------------------------------------------


def _due(now) -> Q:
    pending = Q(status=DeliveryStatus.PENDING) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    stale = Q(status=DeliveryStatus.SENDING, claimed_at__lt=now - CLAIM_LEASE)
    return pending | stale


def backoff(attempts: int) -> datetime.timedelta:
    """1, 2, 4, 8 ... minutes after the n-th failed attempt, at most an hour."""
    return min(datetime.timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def deliver_one(delivery_id: int, now=None) -> str:
    """Claim, send and record one delivery. Returns "sent", "retry", "failed" or "skipped" (not ours to send)."""
    now = now or timezone.now()
    claimed = AlertDelivery.objects.filter(_due(now), pk=delivery_id).update(
        status=DeliveryStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return "skipped"
    delivery = AlertDelivery.objects.select_related(
        "recipient__user", "recipient__alert__youth", "recipient__alert__agency"
    ).get(pk=delivery_id)
    mine = AlertDelivery.objects.filter(pk=delivery_id, status=DeliveryStatus.SENDING, claimed_at=now)
    try:
        send(delivery)
    except Exception as error:  # any backend's failure; the row says what happened
        message = f"{type(error).__name__}: {error}"[:2000]
        if delivery.attempts >= settings.ALERT_DELIVERY_MAX_ATTEMPTS:
            mine.update(status=DeliveryStatus.FAILED, last_error=message, next_attempt_at=None)
            log.error(
                "Alert delivery %s (%s) failed for good after %s attempts: %s",
                delivery_id,
                delivery.channel,
                delivery.attempts,
                message,
            )
            return "failed"
        mine.update(status=DeliveryStatus.PENDING, last_error=message, next_attempt_at=now + backoff(delivery.attempts))
        log.warning("Alert delivery %s (%s) failed, will retry: %s", delivery_id, delivery.channel, message)
        return "retry"
    mine.update(status=DeliveryStatus.SENT, sent_at=timezone.now(), last_error="")
    return "sent"


def _deliver_rows(queryset, now) -> dict:
    counts = {"sent": 0, "retry": 0, "failed": 0, "skipped": 0}
    for delivery_id in list(queryset.filter(_due(now)).order_by("pk").values_list("pk", flat=True)):
        counts[deliver_one(delivery_id, now)] += 1
    return counts


def deliver(alert_id: int, now=None) -> dict:
    """Send every due delivery of one alert (the task caseapp.tasks.deliver_alert)."""
    return _deliver_rows(AlertDelivery.objects.filter(recipient__alert_id=alert_id), now or timezone.now())


def sweep(now=None) -> dict:
    """The minute sweep: escalate what waited too long, then send whatever is due (a lost message, a retry)."""
    now = now or timezone.now()
    counts = alert_services.escalate_due(now)
    counts.update(_deliver_rows(AlertDelivery.objects.all(), now))
    return counts
