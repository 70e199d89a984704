"""Is the background machinery alive? A worker that answers and can reach the database.

A run must be saved even when Redis or the worker is down (docs/design.md#rule-nothing-lost), so nothing here
is on the path of saving a record: these checks only report, for a health page and for tests.
"""

import contextlib
import os
import socket

from django.db import DatabaseError, connection
from django.utils import timezone

from caseapp.queue import task_named

# A heartbeat that no worker picked up within this many seconds is worthless; a worker that comes
# back later drops it instead of answering a question nobody is waiting for.
HEARTBEAT_EXPIRES_SECONDS = 60
# caseapp/tasks.py runs record_worker_heartbeat in a worker; this module only sends it (caseapp.queue).
HEARTBEAT_TASK = "caseapp.tasks.record_worker_heartbeat"


def check_database() -> bool:
    """Can this process run a query on the default database?"""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        return False


def record_worker_heartbeat() -> dict:
    """What a worker reports about itself: runs in the worker process (the task's body)."""
    return {
        "database": check_database(),
        "worker_time": timezone.now().isoformat(),
        "hostname": socket.gethostname(),
        "pid": os.getpid(),
    }


def worker_status(timeout: float = 3.0) -> dict:
    """Send a heartbeat through the task queue and wait up to `timeout` seconds for the answer.

    Returns {"ok": bool, "detail": str, "heartbeat": dict | None}. With eager Celery (the embedded
    default) the heartbeat runs in this process and answers at once.
    """
    from celery.exceptions import TimeoutError as CeleryTimeout

    heartbeat_task = task_named(HEARTBEAT_TASK)
    eager = bool(heartbeat_task.app.conf.task_always_eager)
    try:
        result = heartbeat_task.apply_async(expires=HEARTBEAT_EXPIRES_SECONDS)
    except Exception as exc:  # kombu raises several types when the broker is unreachable
        return {"ok": False, "detail": f"Cannot reach the task queue: {exc}", "heartbeat": None}
    try:
        heartbeat = result.get(timeout=timeout)
    except CeleryTimeout:
        return {
            "ok": False,
            "detail": f"No Celery worker answered within {timeout:g} s.",
            "heartbeat": None,
        }
    except Exception as exc:
        return {"ok": False, "detail": f"The heartbeat task failed: {exc}", "heartbeat": None}
    finally:
        with contextlib.suppress(Exception):  # tidying the result store is best effort
            result.forget()
    where = "in the web process (eager mode)" if eager else f"on {heartbeat['hostname']} (pid {heartbeat['pid']})"
    if not heartbeat.get("database"):
        return {
            "ok": False,
            "detail": f"A worker answered {where} but could not reach the database.",
            "heartbeat": heartbeat,
        }
    return {
        "ok": True,
        "detail": f"A worker answered {where} at {heartbeat['worker_time']} and reached the database.",
        "heartbeat": heartbeat,
    }
