"""Enqueue Celery work after the transaction commits, without ever failing the save.

Saving a run must succeed when Redis or the worker is down (docs/design.md#rule-nothing-lost). Work that matters is
recorded in the database first; the periodic sweep finds it whatever happened to the message.

A service names the task it wants by its registered name ("missing_reports.tasks.build_packet")
and never imports the tasks module: tasks import services (each is a thin caller, load by id and
call a service), so the arrow points one way. Each app's AppConfig.ready() imports its tasks, so
the names are registered in every process, web or worker.
"""

import logging

from django.db import transaction

from .celery import app

log = logging.getLogger(__name__)


def task_named(name: str):
    """The registered Celery task `name`. A name no app registered is a programming error: KeyError
    at once, in the caller, rather than a message nobody will ever consume."""
    try:
        return app.tasks[name]
    except KeyError:
        raise KeyError(f"No Celery task is registered as {name!r}.") from None


def _send(task, args) -> bool:
    """Send `task`; False (logged) when the broker could not take it."""
    try:
        if task.app.conf.task_always_eager:
            task.apply_async(args=args)
            return True
        # Fail at once when the broker is down instead of holding the request: no publish retry and
        # no connection retry (kombu would otherwise retry for several seconds).
        with task.app.connection_for_write(transport_options={"max_retries": 0}) as connection:
            task.apply_async(args=args, retry=False, connection=connection)
        return True
    except Exception:  # kombu/redis raise many kinds; the sweep will catch up either way
        log.warning("Could not enqueue %s%r; the periodic sweep will pick it up.", task.name, args, exc_info=True)
        return False


def enqueue_on_commit(task_name: str, *args):
    """Send task `task_name` with `args` once the current transaction commits (at once outside one)."""
    task = task_named(task_name)
    transaction.on_commit(lambda: _send(task, args))


def enqueue_now(task_name: str, *args) -> bool:
    """Send task `task_name` with `args` at once, whatever transaction is open: for work that reads committed
    records only and changes none (the reports dashboard's counts), so nothing waits for a commit. False when
    the broker could not take it (logged); no sweep sends it again, the caller decides."""
    return _send(task_named(task_name), args)
