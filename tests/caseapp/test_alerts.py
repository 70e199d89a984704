"""Alerts that are confirmed: the outbox, exactly-once delivery, retries, escalation (docs/alerts.md)."""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from caseapp import alert_delivery, on_call
from caseapp.models import (
    Alert,
    AlertDelivery,
    AlertRecipient,
    AuditEvent,
    DeliveryStatus,
    Role,
)
from caseapp.services import alerts
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MIN = datetime.timedelta(minutes=1)


def raise_run_alert(youth, recipients, *, key="run:1", ack_minutes=15, now=None):
    return alerts.raise_alert(
        agency=youth.agency,
        youth=youth,
        kind="run_logged",
        key=key,
        subject=f"Missing from care: {youth.display_name}",
        body="A run was logged.",
        sms_text=alert_delivery.sms_line(youth, "Missing from care"),
        url=f"/youth/{youth.pk}/",
        recipients=recipients,
        ack_minutes=ack_minutes,
        now=now,
    )


def test_raise_writes_the_outbox_and_delivers_once_after_commit(
    youth_a1, caseworker_a, supervisor_a, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        alert = raise_run_alert(youth_a1, [(caseworker_a, "", "Assigned caseworker"), (supervisor_a, "", "On call")])
        assert mailoutbox == []  # nothing leaves before the cause is committed
    assert sorted(m.to[0] for m in mailoutbox) == sorted([caseworker_a.email, supervisor_a.email])
    assert AlertDelivery.objects.filter(recipient__alert=alert, status=DeliveryStatus.SENT).count() == 2
    assert "Acknowledge (one click): http" in mailoutbox[0].body


def test_raise_is_idempotent_per_key(youth_a1, caseworker_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = raise_run_alert(youth_a1, [(caseworker_a, "", "Assigned caseworker")])
        second = raise_run_alert(youth_a1, [(caseworker_a, "", "Assigned caseworker"), (None, "x@example.org", "x")])
    assert first.pk == second.pk
    assert Alert.objects.count() == 1
    assert AlertRecipient.objects.count() == 1
    assert AlertDelivery.objects.count() == 1


def test_the_outbox_rolls_back_with_its_cause(youth_a1, caseworker_a, mailoutbox, django_capture_on_commit_callbacks):
    class Refused(Exception):
        pass

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Refused), transaction.atomic():
        raise_run_alert(youth_a1, [(caseworker_a, "", "Assigned caseworker")])
        raise Refused
    assert not Alert.objects.exists()
    assert not AlertDelivery.objects.exists()
    assert mailoutbox == []


def test_channels_follow_the_address_the_mobile_number_and_the_agency_switch(youth_a1, caseworker_a, supervisor_a):
    caseworker_a.mobile_phone = "+15555550101"
    caseworker_a.save()
    inactive = UserFactory(agency=youth_a1.agency, role=Role.SUPERVISOR, is_active=False)
    alert = raise_run_alert(
        youth_a1,
        [
            (caseworker_a, "", "Assigned caseworker"),
            (inactive, "", "On call"),
            (None, "compliance@example.org", "Compliance"),
        ],
    )
    channels = set(AlertDelivery.objects.values_list("recipient__email", "channel"))
    assert channels == {(caseworker_a.email, "email"), ("compliance@example.org", "email")}  # SMS off: no SMS
    assert not alert.recipients.filter(user=inactive).exists()

    youth_a1.agency.sms_enabled = True
    youth_a1.agency.save()
    raise_run_alert(youth_a1, [(caseworker_a, "", "Assigned caseworker")], key="run:2")
    assert set(AlertDelivery.objects.filter(recipient__alert__key="run:2").values_list("channel", flat=True)) == {
        "email",
        "sms",
    }


def test_delivering_twice_sends_each_recipient_and_channel_once(youth_a1, caseworker_a, supervisor_a, mailoutbox):
    alert = raise_run_alert(youth_a1, [(caseworker_a, "", "Assigned caseworker"), (supervisor_a, "", "On call")])
    first = alert_delivery.deliver(alert.pk)
    second = alert_delivery.deliver(alert.pk)
    assert first["sent"] == 2 and second["sent"] == 0
    assert len(mailoutbox) == 2
    # A claim another worker holds (fresh "sending") is not taken either.
    delivery = AlertDelivery.objects.first()
    AlertDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.SENDING, claimed_at=timezone.now())
    assert alert_delivery.deliver_one(delivery.pk) == "skipped"
    # A claim older than the lease (the worker died mid-send) is taken over.
    AlertDelivery.objects.filter(pk=delivery.pk).update(claimed_at=timezone.now() - 2 * alert_delivery.CLAIM_LEASE)
    assert alert_delivery.deliver_one(delivery.pk) == "sent"


def test_a_failed_send_is_retried_with_backoff_then_marked_failed(youth_a1, caseworker_a, settings, mailoutbox):
    settings.ALERT_DELIVERY_MAX_ATTEMPTS = 3
    settings.EMAIL_BACKEND = "tests.caseapp.failing_email.Backend"
    alert = raise_run_alert(youth_a1, [(caseworker_a, "", "Assigned caseworker")])
    now = timezone.now()
    assert alert_delivery.deliver(alert.pk, now=now)["retry"] == 1
    row = AlertDelivery.objects.get()
    assert (row.status, row.attempts, row.next_attempt_at) == ("pending", 1, now + MIN)
    assert "SMTP server is unreachable" in row.last_error
    assert alert_delivery.deliver(alert.pk, now=now + 30 * datetime.timedelta(seconds=1))["retry"] == 0  # not yet
    assert alert_delivery.sweep(now=now + MIN)["retry"] == 1
    row.refresh_from_db()
    assert (row.attempts, row.next_attempt_at) == (2, now + MIN + 2 * MIN)
    assert alert_delivery.sweep(now=now + 3 * MIN)["failed"] == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("failed", 3)
    # The mail server is back: a failed row is not sent again by any sweep; a new row still goes out.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert alert_delivery.sweep(now=now + 60 * MIN)["sent"] == 0
    assert mailoutbox == []


def test_acknowledge_once_first_wins_with_an_audit_row(youth_a1, caseworker_a, supervisor_a):
    alert = raise_run_alert(youth_a1, [(caseworker_a, "", "Assigned caseworker"), (supervisor_a, "", "On call")])
    mine = alert.recipients.get(user=supervisor_a)
    assert alerts.acknowledge(alert, via="app", recipient=mine) is True
    assert alerts.acknowledge(alert, user=caseworker_a, via="app") is False
    alert.refresh_from_db()
    assert (alert.acknowledged_by, alert.acknowledged_via) == (supervisor_a, "app")
    mine.refresh_from_db()
    assert mine.read_at is not None
    event = AuditEvent.objects.get(object_type="alert", object_id=str(alert.pk))
    assert event.actor == supervisor_a and event.detail["via"] == "app"


@pytest.fixture
def chain(agency_a, team_a1, supervisor_a, agency_admin_a):
    """The placeholder chain for team North: supervisor_a, then a second supervisor, then the agency admin."""
    second = UserFactory(
        username="supervisor_a_second", last_name="Zimmer", agency=agency_a, role=Role.SUPERVISOR, supervises=[team_a1]
    )
    supervisor_a.last_name = "Adams"
    supervisor_a.save()
    return [supervisor_a, second, agency_admin_a]


def test_the_placeholder_chain_is_supervisors_then_admins_who_may_open_the_youth(youth_a1, chain, admin_b):
    assert on_call.escalation_chain(youth_a1, timezone.now()) == chain


def test_an_unacknowledged_alert_goes_along_the_chain_and_stops_when_acknowledged(
    youth_a1, caseworker_a, chain, mailoutbox
):
    supervisor, second, admin = chain
    start = timezone.now()
    alert = raise_run_alert(
        youth_a1, [(caseworker_a, "", "Assigned caseworker"), (supervisor, "", "On call")], now=start
    )
    alert_delivery.sweep(now=start + MIN)
    assert len(mailoutbox) == 2
    # Inside the window: nobody more.
    assert alert_delivery.sweep(now=start + 15 * MIN)["escalated"] == 0
    # Past it: the next person not yet told.
    assert alert_delivery.sweep(now=start + 15 * MIN + MIN)["escalated"] == 1
    added = alert.recipients.get(user=second)
    assert added.reason == "Not acknowledged in 15 min: next on call"
    assert mailoutbox[-1].to == [second.email]
    alert.refresh_from_db()
    assert alert.ack_due_at == start + 31 * MIN
    # Acknowledged: nobody else is told, however long it waits.
    alerts.acknowledge(alert, user=second, via="app", recipient=added)
    assert alert_delivery.sweep(now=start + 120 * MIN)["escalated"] == 0
    assert not alert.recipients.filter(user=admin).exists()
    assert len(mailoutbox) == 3


def test_the_chain_ends_at_the_agency_admin_then_stops(youth_a1, caseworker_a, chain):
    supervisor, second, admin = chain
    start = timezone.now()
    alert = raise_run_alert(youth_a1, [(caseworker_a, "", "Assigned caseworker")], now=start)
    for minutes in (16, 32, 48):
        alert_delivery.sweep(now=start + minutes * MIN)
    reasons = list(alert.recipients.values_list("user__username", "reason"))
    assert reasons == [
        (caseworker_a.username, "Assigned caseworker"),
        (supervisor.username, "Not acknowledged in 15 min: next on call"),
        (second.username, "Not acknowledged in 15 min: next on call"),
        (admin.username, "Not acknowledged in 15 min: agency admin"),
    ]
    assert alert_delivery.sweep(now=start + 64 * MIN)["exhausted"] == 1
    alert.refresh_from_db()
    assert alert.escalation_done_at == start + 64 * MIN
    assert alert_delivery.sweep(now=start + 200 * MIN)["exhausted"] == 0


def test_an_alert_without_a_window_never_escalates(youth_a1, caseworker_a, chain):
    start = timezone.now()
    alert = raise_run_alert(youth_a1, [(caseworker_a, "", "Assigned caseworker")], ack_minutes=None, now=start)
    alert_delivery.sweep(now=start + 600 * MIN)
    assert alert.recipients.count() == 1


def test_sms_line_names_first_name_and_case_number_only(youth_a1):
    youth_a1.preferred_name = ""
    assert alert_delivery.sms_line(youth_a1, "Missing from care") == (
        f"Missing from care: {youth_a1.legal_first_name.split()[0]}, case {youth_a1.case_number}."
    )
    youth_a1.preferred_name = "Jordan"
    line = alert_delivery.sms_line(youth_a1, "Missing from care")
    assert line == f"Missing from care: Jordan, case {youth_a1.case_number}."
    assert youth_a1.legal_last_name not in line
