"""The risk module against PostgreSQL, Redis and a real Celery worker process.

- An observation recorded through the service is reassessed by the worker (queued after commit): a
  snapshot and a review item appear without anything running in this process.
- `reassess_youth` run several times at once (two threads here and two tasks in the worker, on their
  own PostgreSQL connections) leaves one snapshot for the same facts: the youth's row lock and the
  result hash decide, not luck.
- The review sweep through the worker escalates an overdue identification item once, however many
  times it is sent.
"""

import datetime
import threading
import time

import pytest
from django.db import connections, transaction
from django.utils import timezone

from risk import reviews, tasks
from risk.models import Indicator, Observation, ReviewItem, ReviewStatus, RiskEscalation, RiskSnapshot, Urgency
from risk.services import observations as services

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

H = datetime.timedelta(hours=1)
TASK_TIMEOUT = 60
WAIT_FOR_WORKER = 30  # a guard against hanging, not a speed requirement (bench/ measures speed)
HANG_GUARD = 30


def wait_for(condition, what):
    deadline = time.monotonic() + WAIT_FOR_WORKER
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"The worker did not {what} within {WAIT_FOR_WORKER} s")
        time.sleep(0.2)


@pytest.mark.worker
def test_an_observation_is_reassessed_by_the_worker(celery_worker_process, caseworker_a, supervisor_a, youth_a1):
    now = timezone.now()
    services.record_observation(
        actor=caseworker_a, youth_id=youth_a1.pk, indicator_code="C7.1", observed_at=now - H,
        information_received_at=now - H, source="caregiver", evidence="verified",
    )

    wait_for(lambda: ReviewItem.objects.filter(youth=youth_a1).exists(), "raise a review item")

    snapshot = RiskSnapshot.objects.get(youth=youth_a1)
    assert (snapshot.band, snapshot.score) == ("urgent", 5)
    assert snapshot.trigger == "Observation C7.1 recorded"
    item = ReviewItem.objects.get(youth=youth_a1)
    assert (item.status, item.urgency, item.snapshot) == (ReviewStatus.OPEN, Urgency.URGENT, snapshot)
    assert "risk.tasks.reassess_youth" in celery_worker_process.log()


@pytest.mark.worker
def test_reassessing_at_once_in_the_worker_and_here_leaves_one_snapshot(celery_worker_process, caseworker_a,
                                                                         youth_a1):
    now = timezone.now()
    # Written without the service, so that no reassessment is queued before the race.
    for code in ("C1.1", "C5.3"):
        Observation.objects.create(
            youth=youth_a1, indicator=Indicator.objects.get(code=code), observed_at=now - H,
            information_received_at=now - H, source="caregiver", evidence="verified", recorded_by=caseworker_a,
        )
    assert not RiskSnapshot.objects.exists()

    barrier = threading.Barrier(2, timeout=HANG_GUARD)
    errors = []

    def reassess_here():
        try:
            barrier.wait()
            tasks.reassess_youth(youth_a1.pk, "Concurrent test")
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    in_worker = [
        tasks.reassess_youth.apply_async((youth_a1.pk, "Concurrent test"), ignore_result=False) for _ in range(2)
    ]
    threads = [threading.Thread(target=reassess_here) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=HANG_GUARD)
    results = [result.get(timeout=TASK_TIMEOUT) for result in in_worker]

    assert not any(t.is_alive() for t in threads)
    assert errors == []
    snapshot = RiskSnapshot.objects.get(youth=youth_a1)  # exactly one
    assert results == [snapshot.pk, snapshot.pk]
    assert (snapshot.band, snapshot.score) == ("elevated", 6)
    assert ReviewItem.objects.filter(youth=youth_a1).count() <= 1


@pytest.mark.worker
def test_the_review_sweep_through_the_worker_escalates_once(celery_worker_process, agency_a, youth_a1, supervisor_a,
                                                            agency_admin_a):
    agency_a.compliance_contact_email = "compliance@agency-a.example.org"
    agency_a.save()
    with transaction.atomic():
        item = reviews.raise_review(youth_a1, Urgency.IDENTIFICATION, ["Tripwire."], now=timezone.now() - 5 * H)

    first, second = (tasks.sweep_reviews.apply_async(ignore_result=False) for _ in range(2))
    results = [first.get(timeout=TASK_TIMEOUT), second.get(timeout=TASK_TIMEOUT)]

    assert sorted(r["reviews"]["overdue"] for r in results) == [0, 1]
    overdue = RiskEscalation.objects.get(review_item=item, stage="overdue")
    assert overdue.sent_at is not None
    assert overdue.recipients == ["compliance@agency-a.example.org", agency_admin_a.email, supervisor_a.email]
    item.refresh_from_db()
    assert item.overdue_at is not None
    # One alert, one email to each person told (console backend: the worker's log).
    log = celery_worker_process.log()
    assert log.count("Subject: Overdue: supervisor review for") == 3
    for address in overdue.recipients:
        assert log.count(f"To: {address}") == 1
