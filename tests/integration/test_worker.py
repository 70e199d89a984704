"""A real Celery worker process over Redis, on the PostgreSQL test database."""

import os

import pytest

from caseapp.services import health

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


@pytest.mark.worker
def test_worker_status_is_answered_by_the_worker_process_after_a_database_check(celery_worker_process):
    status = health.worker_status(timeout=20)

    assert status["ok"] is True, status["detail"]
    beat = status["heartbeat"]
    assert beat["database"] is True
    # The heartbeat ran in the worker (the solo pool runs tasks in the worker's own process),
    # not eagerly in this one.
    assert beat["pid"] != os.getpid()
    assert beat["pid"] == celery_worker_process.pid
    assert f"pid {beat['pid']}" in status["detail"]
    assert "eager" not in status["detail"]


def test_worker_status_reports_when_no_worker_answers(postgres_db, celery_via_redis):
    # Tasks go to Redis on a queue nobody consumes: the heartbeat waits, then gives up.
    status = health.worker_status(timeout=1)

    assert status["ok"] is False
    assert "No Celery worker answered within 1 s" in status["detail"]
    assert status["heartbeat"] is None
