"""Alerts against PostgreSQL, Redis and a real Celery worker process (docs/alerts.md#delivery).

- An alert raised while the broker is unreachable is saved with its deliveries, and the minute sweep, sent
  through the worker once Redis is back, delivers each (recipient, channel) once.
- Two deliveries of the same alert at once (two threads, two PostgreSQL connections) send each message once;
  two escalation sweeps at once add the next person once.
"""

import datetime
import threading
from collections import Counter

import pytest
from django.db import connections, transaction
from django.utils import timezone

from caseapp import alert_delivery, tasks
from caseapp.models import AlertDelivery, DeliveryStatus
from caseapp.services import alerts
from tests.integration.broker import HANG_GUARD, TASK_TIMEOUT, while_broker_is_down

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

MIN = datetime.timedelta(minutes=1)


def raise_run_alert(youth, users, key="run:1", now=None):
    with transaction.atomic():
        return alerts.raise_alert(
            agency=youth.agency,
            youth=youth,
            kind="run_logged",
            key=key,
            subject=f"Missing from care: case {youth.case_number}",
            body="A run was logged.",
            sms_text=alert_delivery.sms_line(youth, "Missing from care"),
            url=f"/youth/{youth.pk}/",
            recipients=[(u, "", reason) for u, reason in users],
            ack_minutes=15,
            now=now,
        )


@pytest.mark.worker
def test_an_alert_raised_while_the_broker_is_down_is_delivered_once_when_it_is_back(
    celery_worker_process, youth_a1, caseworker_a, supervisor_a, caplog
):
    people = [(caseworker_a, "Assigned caseworker"), (supervisor_a, "On call")]
    while_broker_is_down(lambda: raise_run_alert(youth_a1, people), "raising an alert")
    assert "the periodic sweep will pick it up" in caplog.text
    assert AlertDelivery.objects.filter(status=DeliveryStatus.PENDING).count() == 2

    # Redis and the worker are back: the sweep, twice, delivers each message once.
    first = tasks.sweep_alerts.apply_async(ignore_result=False).get(timeout=TASK_TIMEOUT)
    second = tasks.sweep_alerts.apply_async(ignore_result=False).get(timeout=TASK_TIMEOUT)
    assert (first["sent"], second["sent"]) == (2, 0)
    assert AlertDelivery.objects.filter(status=DeliveryStatus.SENT).count() == 2
    log = celery_worker_process.log()
    subject = f"Subject: Missing from care: case {youth_a1.case_number}"
    assert log.count(subject) == 2
    assert log.count(f"To: {caseworker_a.email}") == 1 and log.count(f"To: {supervisor_a.email}") == 1


def _race(target, *args):
    barrier = threading.Barrier(2, timeout=30)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(target(*args))
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=HANG_GUARD)
    assert not any(t.is_alive() for t in threads)
    assert errors == []
    return sum((Counter(r) for r in results), Counter())


def test_two_deliveries_at_once_send_each_message_once(
    postgres_db, transactional_db, broker_down, youth_a1, caseworker_a, supervisor_a, mailoutbox
):
    alert = raise_run_alert(youth_a1, [(caseworker_a, "Assigned caseworker"), (supervisor_a, "On call")])
    assert mailoutbox == []
    total = _race(alert_delivery.deliver, alert.pk)
    assert total["sent"] == 2
    assert sorted(m.to[0] for m in mailoutbox) == sorted([caseworker_a.email, supervisor_a.email])


def test_two_escalation_sweeps_at_once_add_the_next_person_once(
    postgres_db, transactional_db, broker_down, youth_a1, caseworker_a, supervisor_a, agency_admin_a, mailoutbox
):
    start = timezone.now()
    alert = raise_run_alert(youth_a1, [(caseworker_a, "Assigned caseworker")], now=start)
    total = _race(alert_delivery.sweep, start + 16 * MIN)
    assert total["escalated"] == 1
    assert list(alert.recipients.values_list("user__username", flat=True)) == [
        caseworker_a.username,
        supervisor_a.username,
    ]
    assert sum(m.to == [supervisor_a.email] for m in mailoutbox) == 1
