"""The integration tests' broker switch: point the web side's Celery at a broker nobody listens on, run a save
in a thread (so a hang is caught, not waited out), and point it back."""

import threading

import kombu.pools
from django.db import connections

from caseapp.celery import app
from tests.conftest import _reset_celery_connections

DEAD_BROKER = "redis://127.0.0.1:6399/0"  # nothing listens here
TASK_TIMEOUT = 60
HANG_GUARD = 30  # a save that has not returned by then hangs on the broker


def point_celery_at(url):
    app.conf.broker_url = app.conf.result_backend = url
    _reset_celery_connections(app)
    kombu.pools.reset()  # kombu's global producer pools still hold the connection pool just closed


def while_broker_is_down(save, what="the save"):
    """Run `save()` with the broker unreachable, in a thread, and return what it returned. Fails the test if it
    hangs on the broker (HANG_GUARD) and re-raises what it raised. The broker is pointed back afterwards."""
    working = app.conf.broker_url
    outcome = {}

    def run():
        try:
            outcome["value"] = save()
        except Exception as exc:  # re-raised in the test's thread below
            outcome["error"] = exc
        finally:
            connections.close_all()

    point_celery_at(DEAD_BROKER)
    try:
        thread = threading.Thread(target=run)
        thread.start()
        thread.join(timeout=HANG_GUARD)
        assert not thread.is_alive(), f"{what} hung on the unreachable broker"
    finally:
        point_celery_at(working)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
