"""The worker heartbeat in the embedded default: eager Celery, in this process, on SQLite or PostgreSQL."""

import os

from kombu.exceptions import OperationalError

from caseapp import tasks
from caseapp.services import health


def test_check_database_runs_a_query(db):
    assert health.check_database() is True


def test_heartbeat_task_reports_database_time_host_and_process(db):
    beat = tasks.record_worker_heartbeat.delay().get(timeout=5)

    assert beat["database"] is True
    assert beat["pid"] == os.getpid()  # eager: the task ran here
    assert beat["hostname"]
    assert beat["worker_time"].endswith("+00:00")


def test_worker_status_is_ok_in_eager_mode(db):
    status = health.worker_status()

    assert status["ok"] is True, status["detail"]
    assert "eager mode" in status["detail"]
    assert status["heartbeat"]["database"] is True


def test_worker_status_reports_a_worker_that_cannot_reach_the_database(db, monkeypatch):
    monkeypatch.setattr(health, "check_database", lambda: False)

    status = health.worker_status()

    assert status["ok"] is False
    assert "could not reach the database" in status["detail"]


def test_worker_status_reports_an_unreachable_task_queue(db, monkeypatch):
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.record_worker_heartbeat, "apply_async", broker_down)

    status = health.worker_status()

    assert status["ok"] is False
    assert "Cannot reach the task queue" in status["detail"]
    assert status["heartbeat"] is None
