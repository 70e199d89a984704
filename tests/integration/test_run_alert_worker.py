"""The alert of a run against PostgreSQL, Redis and a real Celery worker process (docs/alerts.md#run).

- A run logged while the broker is unreachable is saved with its alert; once Redis and a worker are back, the
  alert sweep through the worker tells the assigned caseworker and the on-call supervisor once each, and
  sweeping again sends nothing more (docs/design.md#rule-nothing-lost).
- Not acknowledged within the agency's window, the alert reaches the next person on the roster (the
  position-2 shift), and nobody more once someone acknowledges. Times are passed (`now=`), never slept.

With the console email backend the worker's emails go to its log.
"""

import datetime
import time

import pytest
from django.utils import timezone

from caseapp import tasks
from caseapp.models import Alert, AlertDelivery, AlertRecipient, DeliveryStatus, Role
from caseapp.services import alerts
from missing_reports.services import episodes as services
from tests.factories import UserFactory, on_call_all_week
from tests.integration.broker import TASK_TIMEOUT, while_broker_is_down

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

H = datetime.timedelta(hours=1)
MIN = datetime.timedelta(minutes=1)


def log(actor, youth):
    learned = timezone.now() - 5 * MIN
    return services.log_run(
        actor=actor, youth_id=youth.pk, agency_learned_at=learned, last_seen_at=learned - H,
        last_seen_location="Near the bus station", reported_by="Foster parent",
    )


@pytest.fixture
def night_supervisor(agency_a, team_a1):
    """A supervisor of team North on call for the team all week (first call)."""
    user = UserFactory(username="night_supervisor", agency=agency_a, role=Role.SUPERVISOR, supervises=[team_a1])
    on_call_all_week(user, team=team_a1)
    return user


def emails_to(worker, address):
    return worker.log().count(f"To: {address}")


def wait_until_sent(recipient):
    """The worker sends after the escalation commits: wait (bounded) for its delivery row to say so."""
    deadline = time.monotonic() + TASK_TIMEOUT
    while time.monotonic() < deadline:
        if not recipient.deliveries.exclude(status=DeliveryStatus.SENT).exists():
            return
        time.sleep(0.2)
    pytest.fail(f"The worker did not send the alert to {recipient} within {TASK_TIMEOUT} s.")


@pytest.mark.worker
def test_a_run_logged_while_the_broker_is_down_alerts_the_caseworker_and_the_on_call_supervisor_once(
    celery_worker_process, youth_a1, caseworker_a, supervisor_a, night_supervisor, caplog
):
    # The day supervisor logs it: they know.
    episode = while_broker_is_down(lambda: log(supervisor_a, youth_a1), "logging a run")
    assert "the periodic sweep will pick it up" in caplog.text
    alert = Alert.objects.get(key=f"run:{episode.pk}")
    assert list(alert.recipients.order_by("id").values_list("user", "reason")) == [
        (caseworker_a.pk, "Assigned caseworker"),
        (night_supervisor.pk, "On call"),
    ]
    assert AlertDelivery.objects.filter(status=DeliveryStatus.PENDING).count() == 2

    # Redis and the worker are back: the alert sweep, twice, sends each person one email.
    first = tasks.sweep_alerts.apply_async(ignore_result=False).get(timeout=TASK_TIMEOUT)
    second = tasks.sweep_alerts.apply_async(ignore_result=False).get(timeout=TASK_TIMEOUT)
    assert (first["sent"], second["sent"]) == (2, 0)
    worker = celery_worker_process
    assert worker.log().count(f"Subject: Missing from care: {youth_a1.display_name}") == 2
    assert emails_to(worker, caseworker_a.email) == 1
    assert emails_to(worker, night_supervisor.email) == 1
    assert emails_to(worker, supervisor_a.email) == 0
    assert AlertRecipient.objects.filter(user=caseworker_a).count() == 1
    assert AlertRecipient.objects.filter(user=night_supervisor).count() == 1


@pytest.mark.worker
def test_an_unacknowledged_run_alert_reaches_the_backup_on_call_and_stops_when_acknowledged(
    celery_worker_process, agency_a, team_a1, youth_a1, caseworker_a, supervisor_a, night_supervisor,
    agency_admin_a,
):
    backup = UserFactory(username="backup_supervisor", agency=agency_a, role=Role.SUPERVISOR, supervises=[team_a1])
    on_call_all_week(backup, team=team_a1, position=2)
    episode = log(caseworker_a, youth_a1)
    alert = Alert.objects.get(key=f"run:{episode.pk}")
    assert list(alert.recipients.values_list("user", flat=True)) == [night_supervisor.pk]
    wait_until_sent(alert.recipients.get())
    start = alert.created_at

    assert alerts.escalate_due(now=start + 15 * MIN) == {"escalated": 0, "exhausted": 0}  # the window is 15 min
    assert alerts.escalate_due(now=start + 16 * MIN) == {"escalated": 1, "exhausted": 0}
    told = alert.recipients.get(user=backup)
    assert told.reason == "Not acknowledged in 15 min: next on call"
    wait_until_sent(told)  # the worker delivered it
    assert emails_to(celery_worker_process, backup.email) == 1

    alerts.acknowledge(alert, user=backup, via="app", now=start + 20 * MIN)
    assert alerts.escalate_due(now=start + 2 * H) == {"escalated": 0, "exhausted": 0}
    assert alert.recipients.count() == 2
    tasks.sweep_alerts.apply_async(ignore_result=False).get(timeout=TASK_TIMEOUT)
    assert alert.recipients.count() == 2
    assert emails_to(celery_worker_process, supervisor_a.email) == 0
    assert emails_to(celery_worker_process, backup.email) == 1
