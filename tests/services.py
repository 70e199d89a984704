"""Which outside services this test run has, and what a test does when one it needs is missing.

Without REQUIRE_SERVICES a test that needs PostgreSQL, Redis, a worker or Chromium is skipped with
a reason (`pytest -ra` lists them). With REQUIRE_SERVICES=1 (CI sets it) the same test fails
instead, so a CI machine that lost a service can never pass by skipping what it should have run.
"""

import functools
import os
from pathlib import Path

import pytest

CHROMIUM_PATH = Path("/usr/bin/chromium")


def services_required() -> bool:
    return os.environ.get("REQUIRE_SERVICES", "").strip().lower() not in ("", "0", "false", "no", "off")


def missing(reason: str):
    """Skip the current test for `reason`, or fail it when REQUIRE_SERVICES is set."""
    if services_required():
        pytest.fail(f"{reason} (REQUIRE_SERVICES=1: required services must be present)", pytrace=False)
    pytest.skip(reason)


def postgres_in_use() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def configured_redis_url() -> str:
    return os.environ.get("REDIS_URL", "").strip()


@functools.cache
def redis_answers(url: str) -> bool:
    """Does a Redis server at `url` answer PING? Asked once per URL per test run."""
    if not url:
        return False
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except (redis.RedisError, OSError, ValueError):
        return False


def chromium_available() -> bool:
    return CHROMIUM_PATH.is_file() and os.access(CHROMIUM_PATH, os.X_OK)


def require_postgres():
    if not postgres_in_use():
        missing("needs PostgreSQL: set DATABASE_URL=postgres://...")


def require_redis() -> str:
    url = configured_redis_url()
    if not url:
        missing("needs Redis: set REDIS_URL=redis://...")
    if not redis_answers(url):
        missing(f"needs Redis: no answer to PING at {url}")
    return url


def require_chromium() -> str:
    if not chromium_available():
        missing(f"needs Chromium at {CHROMIUM_PATH} (apt-get install chromium)")
    return str(CHROMIUM_PATH)


def summary() -> str:
    """One line for the pytest header: what this run will and will not exercise."""
    url = configured_redis_url()
    database = os.environ.get("DATABASE_URL", "").split("://", 1)[0] or "sqlite (default)"
    redis_state = "unset" if not url else ("up" if redis_answers(url) else "NOT ANSWERING")
    chromium = "yes" if chromium_available() else "missing"
    mode = "fail" if services_required() else "skip"
    return (
        f"services: database={database} redis={redis_state} chromium={chromium}; "
        f"tests needing a missing service {mode} (REQUIRE_SERVICES)"
    )
