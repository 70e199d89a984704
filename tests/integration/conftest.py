"""Fixtures of the integration tests (PostgreSQL, Redis, a real worker): a broker nobody listens on."""

import kombu.pools
import pytest

from caseapp.celery import app
from tests.conftest import _reset_celery_connections
from tests.integration.broker import DEAD_BROKER


@pytest.fixture
def broker_down(_celery_eager):
    """Messages cannot be sent (no broker listens): what is queued stays pending for the sweeps, and no task
    runs eagerly in the test's threads (Celery's eager "no join inside a task" flag is process-wide, so two
    threads running eager tasks at once can leave it set)."""
    saved = {key: app.conf[key] for key in ("task_always_eager", "broker_url", "result_backend")}
    app.conf.task_always_eager = False
    app.conf.broker_url = app.conf.result_backend = DEAD_BROKER
    _reset_celery_connections(app)
    kombu.pools.reset()
    yield
    for key, value in saved.items():
        app.conf[key] = value
    _reset_celery_connections(app)
    kombu.pools.reset()
