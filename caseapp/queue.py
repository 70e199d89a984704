"""Enqueue Celery work after the transaction commits, without ever failing the save.

Saving a run must succeed when Redis or the worker is down (docs/design.md#rule-nothing-lost). Work that
matters is recorded in the database first; the periodic sweep finds it whatever happened to the message.
"""

import logging

from django.db import transaction

log = logging.getLogger(__name__)


def _send(task, args):
    try:
        if task.app.conf.task_always_eager:
            task.apply_async(args=args)
            return
        # Fail at once when the broker is down instead of holding the request: no publish retry and
        # no connection retry (kombu would otherwise retry for several seconds).
        with task.app.connection_for_write(transport_options={"max_retries": 0}) as connection:
            task.apply_async(args=args, retry=False, connection=connection)
    except Exception:  # kombu/redis raise many kinds; the sweep will catch up either way
        log.warning("Could not enqueue %s%r; the periodic sweep will pick it up.", task.name, args, exc_info=True)


def enqueue_on_commit(task, *args):
    transaction.on_commit(lambda: _send(task, args))
