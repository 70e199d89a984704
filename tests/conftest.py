"""Shared fixtures: the personas of docs/design.md#testing, private media in a temp dir, and the
switches for tests that need PostgreSQL, Redis, a real Celery worker or Chromium (tests/services.py).
"""

import dataclasses
import os
import socket
import subprocess
import sys
import time
import types
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest

from tests import services

PROJECT_DIR = Path(__file__).resolve().parent.parent
WORKER_START_TIMEOUT = 30

# Markers (pyproject.toml) and the fixtures that imply them: a test marked, or using the fixture,
# is skipped (or failed under REQUIRE_SERVICES=1) when its service is missing.
FIXTURE_MARKERS = {
    "postgres_db": ("postgres",),
    "redis_url": ("redis",),
    "celery_via_redis": ("redis",),
    "celery_worker_process": ("worker", "postgres", "redis"),
    "celery_workers": ("worker", "postgres", "redis"),
    "chromium_path": ("browser",),
}


def pytest_report_header(config):
    return services.summary()


def pytest_collection_modifyitems(config, items):
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        for fixture, markers in FIXTURE_MARKERS.items():
            if fixture in names:
                for marker in markers:
                    item.add_marker(marker)


# Playwright's sync API runs an event loop in the test thread, so Django refuses ORM calls made
# there (SynchronousOnlyOperation) unless DJANGO_ALLOW_ASYNC_UNSAFE is set. It is set for browser
# tests only, from before their fixtures start until after they end: set for the whole run it would
# hide real async-safety bugs and leak into subprocesses (where `check --deploy` rejects it).
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"
_ASYNC_UNSAFE_SET = pytest.StashKey[bool]()


@pytest.hookimpl(tryfirst=True)  # before pytest sets up the test's fixtures
def pytest_runtest_setup(item):
    markers = {m.name for m in item.iter_markers()}
    if markers & {"postgres", "worker"}:
        services.require_postgres()
    if markers & {"redis", "worker"}:
        services.require_redis()
    if "browser" in markers:
        services.require_chromium()
        if ASYNC_UNSAFE not in os.environ:
            os.environ[ASYNC_UNSAFE] = "true"
            item.stash[_ASYNC_UNSAFE_SET] = True


@pytest.hookimpl(trylast=True)  # after pytest tore down the test's fixtures
def pytest_runtest_teardown(item, nextitem):
    if item.stash.get(_ASYNC_UNSAFE_SET, False):
        os.environ.pop(ASYNC_UNSAFE, None)


# --- Always on ------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Personas are made with passwords; the production hasher would make setup dominate the run."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _private_media_in_tmp(settings, tmp_path):
    """Uploaded photos go to a per-test temp dir, never into the repository."""
    media = tmp_path / "private_media"
    media.mkdir()
    settings.MEDIA_ROOT = media
    storages = {name: dict(conf) for name, conf in settings.STORAGES.items()}
    storages["default"]["OPTIONS"] = {**storages["default"].get("OPTIONS", {}), "location": media}
    settings.STORAGES = storages
    return media


@pytest.fixture(autouse=True)
def _empty_cache():
    """Counts cached by one test (the home page's) are never seen by the next (settings_test: local memory)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _celery_eager():
    """Tasks run in-process by default, also when REDIS_URL is set for the integration tests.

    Only `celery_via_redis` (and so `celery_worker_process`) sends tasks to a real broker.
    """
    from caseapp.celery import app

    saved = {key: app.conf[key] for key in ("task_always_eager", "task_eager_propagates")}
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield app
    for key, value in saved.items():
        app.conf[key] = value


# --- Services -------------------------------------------------------------------------------


@pytest.fixture
def postgres_db(db):
    """Database access, on PostgreSQL only (skipped, or failed under REQUIRE_SERVICES=1, elsewhere)."""
    from django.db import connection

    services.require_postgres()
    return connection


@pytest.fixture
def redis_url():
    """The REDIS_URL of a Redis that answers PING."""
    return services.require_redis()


@pytest.fixture
def chromium_path():
    """Debian's Chromium for Playwright: `chromium.launch(executable_path=chromium_path)`."""
    return services.require_chromium()


def _reset_celery_connections(app):
    """Forget cached broker connections and result backend after the URLs changed."""
    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)


def _use_routes(app):
    """Make the router read app.conf.task_routes again (Celery caches the table and the router)."""
    app.amqp.flush_routes()
    app.amqp.__dict__.pop("router", None)


@pytest.fixture
def celery_via_redis(redis_url, _celery_eager):
    """Send tasks through Redis for real (not eager), on queues private to this test.

    The private queues keep a stray worker from another run, on the same Redis database, from
    taking this test's tasks: the test's own TASK_QUEUE_PREFIX, so "urgent" and "bulk" (caseapp/celery.py)
    are "<name>-urgent" and "<name>-bulk". Yields the name; restores the eager configuration afterwards.
    """
    from caseapp.celery import URGENT, queue_name, task_routes

    app = _celery_eager
    queue = f"pytest-{uuid.uuid4().hex[:12]}"
    prefix = f"{queue}-"
    keys = ("task_always_eager", "broker_url", "result_backend", "task_default_queue", "task_routes")
    saved = {key: app.conf[key] for key in keys}
    app.conf.task_always_eager = False
    app.conf.broker_url = redis_url
    app.conf.result_backend = redis_url
    app.conf.task_default_queue = queue_name(URGENT, prefix)
    app.conf.task_routes = task_routes(prefix)
    _use_routes(app)
    changed = (saved["broker_url"], saved["result_backend"]) != (redis_url, redis_url)
    if changed:
        _reset_celery_connections(app)
    yield queue
    for key, value in saved.items():
        app.conf[key] = value
    _use_routes(app)
    if changed:
        _reset_celery_connections(app)
    _delete_queue(redis_url, queue)


def _delete_queue(redis_url, queue):
    """Remove what the private queue left in Redis (e.g. a heartbeat nobody consumed)."""
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        keys = list(client.scan_iter(match=f"*{queue}*"))
        if keys:
            client.delete(*keys)
        for binding in client.scan_iter(match="_kombu.binding.*"):
            stale = [m for m in client.smembers(binding) if queue.encode() in m]
            if stale:
                client.srem(binding, *stale)
    finally:
        client.close()


def _database_url(settings_dict) -> str:
    """A DATABASE_URL naming the database this test process uses (the test database)."""
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or ""
    if host.startswith("/"):
        host = quote(host, safe="")
    port = settings_dict.get("PORT")
    netloc = f"{host}:{port}" if port else host
    return f"postgres://{credentials}{netloc}/{quote(settings_dict['NAME'], safe='')}"


@dataclasses.dataclass
class WorkerProcess:
    process: subprocess.Popen
    nodename: str
    queues: tuple[str, ...]  # the Redis queues it consumes
    log_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def _stop(process: subprocess.Popen):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@pytest.fixture
def celery_workers(postgres_db, transactional_db, celery_via_redis, redis_url, tmp_path, _private_media_in_tmp):
    """`celery_workers.start(extra_env=None, queues=(URGENT, BULK))`: a real `celery worker` subprocess on the
    test database, consuming this test's private copy of every queue (or of those named: caseapp/celery.py),
    in its own process group (a test may kill the whole group). What the worker itself sends goes to the
    test's queues too (its TASK_QUEUE_PREFIX). Every worker started is stopped, and its log printed, at
    teardown (shown by pytest when the test fails).

    The test runs in `transactional_db` mode, so what it writes is committed and visible to the
    workers.
    """
    from django.db import connection

    from caseapp.celery import BULK, URGENT, app, queue_name

    prefix = f"{celery_via_redis}-"
    started = []

    def start(extra_env=None, queues=(URGENT, BULK)):
        consumed = tuple(queue_name(name, prefix) for name in queues)
        number = len(started) + 1
        nodename = f"{celery_via_redis}-{number}@{socket.gethostname()}"
        log_path = tmp_path / f"celery-worker-{number}.log"
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(connection.settings_dict),
            "REDIS_URL": redis_url,
            # Files the worker writes (report packets) go to this test's private media, never the repo's.
            "PRIVATE_MEDIA_ROOT": str(_private_media_in_tmp),
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "caseapp.settings"),
            "PYTHONUNBUFFERED": "1",
            "TASK_QUEUE_PREFIX": prefix,
            **(extra_env or {}),
        }
        command = [
            sys.executable, "-m", "celery", "-A", "caseapp", "worker",
            "--pool=solo", "--concurrency=1", "-l", "info",
            "-n", nodename, "-Q", ",".join(consumed),
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]
        with log_path.open("wb") as log_file:
            process = subprocess.Popen(
                command, cwd=PROJECT_DIR, env=env, stdout=log_file, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        worker = WorkerProcess(process=process, nodename=nodename, queues=consumed, log_path=log_path)
        started.append(worker)
        deadline = time.monotonic() + WORKER_START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(
                    f"The Celery worker exited with code {process.returncode} before it was ready:\n"
                    f"{worker.log()[-4000:]}",
                    pytrace=False,
                )
            if app.control.ping(destination=[nodename], timeout=0.5):
                return worker
            if time.monotonic() > deadline:
                pytest.fail(
                    f"The Celery worker did not answer a ping within {WORKER_START_TIMEOUT} s:\n"
                    f"{worker.log()[-4000:]}",
                    pytrace=False,
                )

    try:
        yield types.SimpleNamespace(start=start, started=started)
    finally:
        for worker in started:
            _stop(worker.process)
            print(f"--- Celery worker log ({worker.nodename}) ---\n{worker.log()}")


@pytest.fixture
def celery_worker_process(celery_workers):
    """One real `celery worker` subprocess on the test database, consuming this test's copy of every queue."""
    return celery_workers.start()


# --- Personas -------------------------------------------------------------------------------
# Agency A has two teams (North, South); agency B has one. docs/design.md#testing. The lists of who is an
# outsider to what are in tests/personas.py.


@pytest.fixture
def agency_a(db):
    from tests.factories import AgencyFactory

    return AgencyFactory(name="Agency A", code="agency-a", state="KS", time_zone="America/Chicago")


@pytest.fixture
def agency_b(db):
    from tests.factories import AgencyFactory

    return AgencyFactory(name="Agency B", code="agency-b", state="MO", time_zone="America/Chicago")


@pytest.fixture
def team_a1(agency_a):
    from tests.factories import TeamFactory

    return TeamFactory(agency=agency_a, name="North")


@pytest.fixture
def team_a2(agency_a):
    from tests.factories import TeamFactory

    return TeamFactory(agency=agency_a, name="South")


@pytest.fixture
def team_b1(agency_b):
    from tests.factories import TeamFactory

    return TeamFactory(agency=agency_b, name="East")


def _staff(username, agency, role, team=None, **extra):
    from tests.factories import UserFactory

    return UserFactory(username=username, agency=agency, role=role, team=team, **extra)


@pytest.fixture
def caseworker_a(agency_a, team_a1):
    from caseapp.models import Role

    return _staff("caseworker_a", agency_a, Role.CASEWORKER, team_a1)


@pytest.fixture
def caseworker_a2(agency_a, team_a2):
    """A caseworker on another team of agency A: sees team South's youth, not North's."""
    from caseapp.models import Role

    return _staff("caseworker_a2", agency_a, Role.CASEWORKER, team_a2)


@pytest.fixture
def supervisor_a(agency_a, team_a1):
    """Supervises team North (through Team.supervisors), not South."""
    from caseapp.models import Role

    return _staff("supervisor_a", agency_a, Role.SUPERVISOR, supervises=[team_a1])


@pytest.fixture
def agency_staff_a(agency_a):
    from caseapp.models import Role

    return _staff("agency_staff_a", agency_a, Role.AGENCY_STAFF)


@pytest.fixture
def agency_admin_a(agency_a):
    from caseapp.models import Role

    return _staff("agency_admin_a", agency_a, Role.AGENCY_ADMIN)


@pytest.fixture
def caseworker_b(agency_b, team_b1):
    """Agency B's caseworker: must get 404 for everything of agency A."""
    from caseapp.models import Role

    return _staff("caseworker_b", agency_b, Role.CASEWORKER, team_b1)


@pytest.fixture
def admin_b(agency_b):
    from caseapp.models import Role

    return _staff("admin_b", agency_b, Role.AGENCY_ADMIN)


@pytest.fixture
def supervisor_b(agency_b, team_b1):
    from caseapp.models import Role

    return _staff("supervisor_b", agency_b, Role.SUPERVISOR, supervises=[team_b1])


@pytest.fixture
def agency_staff_b(agency_b):
    from caseapp.models import Role

    return _staff("agency_staff_b", agency_b, Role.AGENCY_STAFF)


@pytest.fixture
def deactivated_caseworker_a(agency_a, team_a1):
    """A caseworker of team North whose account was deactivated: signed in before, sees nothing now."""
    from caseapp.models import Role

    return _staff("deactivated_caseworker_a", agency_a, Role.CASEWORKER, team_a1, is_active=False)


@pytest.fixture
def no_role_user(agency_a):
    """In agency A but with no role: must see nothing."""
    return _staff("no_role_user", agency_a, "")


@pytest.fixture
def youth_a1(team_a1, caseworker_a):
    """A youth of team North, on caseworker_a's caseload, with one current placement."""
    from tests.factories import PlacementFactory, YouthFactory

    youth = YouthFactory(team=team_a1, assigned_caseworkers=[caseworker_a])
    PlacementFactory(youth=youth)
    return youth


@pytest.fixture
def youth_a2(team_a2, caseworker_a2):
    from tests.factories import YouthFactory

    return YouthFactory(team=team_a2, assigned_caseworkers=[caseworker_a2])


@pytest.fixture
def youth_b(team_b1, caseworker_b):
    from tests.factories import YouthFactory

    return YouthFactory(team=team_b1, assigned_caseworkers=[caseworker_b])


@pytest.fixture
def client_for(db):
    """`client_for(user)`: a test client logged in as `user` (a new client per call), verified by a second factor
    when the account needs one (tests/helpers.py sign_in)."""
    from django.test import Client

    from tests.helpers import sign_in

    def make(user):
        return sign_in(Client(), user)

    return make
