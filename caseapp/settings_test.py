"""The test run's settings (pyproject.toml; the Makefile's migration check): caseapp.settings with
DEBUG on unless the environment says otherwise, as under `make run`.

So a fresh machine runs the tests with nothing set (the generated local secret key), and the settings
computed from DEBUG stay those of development: plain HTTP for the test client, static files without
a collectstatic manifest. pytest-django still runs each test with settings.DEBUG False, as Django's
test runner does. Child processes the tests start (a Celery worker) inherit both.
"""

import os

os.environ.setdefault("DEBUG", "true")

from caseapp.settings import *  # noqa: F403

# Each test starts with an empty cache (tests/conftest.py): the process's own memory, never the Redis
# database the integration tests' broker uses. A test whose worker must share the cache with it (the reports
# dashboard's counts) starts the worker with TEST_CACHE_KEY_PREFIX set and reads Redis under that prefix itself.
if os.environ.get("TEST_CACHE_KEY_PREFIX") and REDIS_URL:  # noqa: F405
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,  # noqa: F405
            "KEY_PREFIX": os.environ["TEST_CACHE_KEY_PREFIX"],
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "caseapp-tests"}}

# The top bar's overdue count is computed on every page in tests, as it was before it was kept
# (caseapp/work.py): a test comparing two pages' query counts must not depend on which page kept it first. The
# tests of keeping it set WORK_COUNT_SECONDS themselves (tests/caseapp/test_work_pages.py).
WORK_COUNT_SECONDS = 0
