"""The reports dashboard's figures counted by a real Celery worker over Redis, on PostgreSQL, kept in Redis: the
page says it is counting, its status endpoint follows the count, then the page draws the worker's figures, which
are a direct count's. And twenty loads of a page with nothing counted send one message to the bulk queue.

Timing is never asserted: the polls only bound how long the test waits.
"""

import time

import pytest
import redis
from django.utils import timezone

from caseapp.celery import BULK, queue_name
from exports import dashboard
from exports.services import dashboard as services
from tests.exports.test_dashboard import MARCH_GET, URL, chart_table
from tests.exports.test_placement_environment import MARCH, build_environment

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

STATUS_URL = "/reports/dashboard/status.json"
WAIT = 60  # seconds: a bound on the wait, not a speed requirement


@pytest.fixture
def shared_cache(settings, redis_url, celery_via_redis):
    """This process and the worker share one cache: Redis, under a prefix of this test's own
    (caseapp/settings_test.py TEST_CACHE_KEY_PREFIX)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": f"{celery_via_redis}-caseapp",
        }
    }
    return f"{celery_via_redis}-caseapp"


@pytest.fixture
def environment(team_a1, team_a2, team_b1, caseworker_a, caseworker_a2, caseworker_b):
    return build_environment(team_a1, team_a2, team_b1, caseworker_a, caseworker_a2, caseworker_b)


def test_twenty_loads_with_nothing_counted_send_one_count(
    shared_cache, celery_via_redis, redis_url, environment, client_for, agency_staff_a
):
    client = client_for(agency_staff_a)
    for _ in range(20):
        page = client.get(URL, MARCH_GET).content.decode()
        assert "The figures for this period are being counted." in page
    queued = redis.Redis.from_url(redis_url)
    try:
        assert queued.llen(queue_name(BULK, f"{celery_via_redis}-")) == 1
    finally:
        queued.close()


def test_a_worker_counts_the_figures_the_page_then_draws(
    shared_cache, environment, client_for, agency_staff_a, celery_workers
):
    celery_workers.start(extra_env={"TEST_CACHE_KEY_PREFIX": shared_cache})
    client = client_for(agency_staff_a)
    page = client.get(URL, MARCH_GET).content.decode()
    assert "Counted as of" in page or "being counted" in page  # the worker may be quick
    deadline = time.monotonic() + WAIT
    while (status := client.get(STATUS_URL, MARCH_GET).json())["status"] != "ready":
        assert status["status"] == "counting", status
        assert time.monotonic() < deadline, f"not counted within {WAIT} s"
        time.sleep(0.2)
    page = client.get(URL, MARCH_GET).content.decode()
    assert "Counted as of" in page
    assert chart_table(page, "chart-episodes-per-month") == [["March 2025", "6"]]
    counted = services.read(agency_staff_a, MARCH).counted
    direct = dashboard.count(dashboard.query_for(agency_staff_a, MARCH, timezone.now()))
    assert {c.id: c.rows for s in counted.sections for c in s.charts} == {
        c.id: c.rows for s in direct.sections for c in s.charts
    }
