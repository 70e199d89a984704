"""Settings come from the environment; production values pass Django's deployment checklist."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args, **env):
    # The child process sees only what this test gives it, plus the machine's ordinary environment;
    # manage.py's own settings module (caseapp.settings), not the test run's.
    dropped = (
        "DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE",
    )
    base = {k: v for k, v in os.environ.items() if k not in dropped}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **env},
        capture_output=True, text=True, timeout=120, check=False,
    )


def test_check_deploy_reports_nothing_with_production_values():
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING",
        DEBUG="false", SECRET_KEY="a-long-random-production-secret-" + "x" * 40,
        ALLOWED_HOSTS="cases.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_missing_secret_key_is_refused_when_debug_is_off():
    result = _manage("check", DEBUG="false", ALLOWED_HOSTS="cases.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_with_nothing_set_debug_is_off_and_a_secret_key_is_required():
    result = _manage("check")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off (DEBUG is off unless set)" in result.stderr
    assert "make run" in result.stderr


def test_with_only_a_secret_key_set_debug_is_off():
    result = _manage(
        "shell", "--no-imports", "-c", "from django.conf import settings as s; print(s.DEBUG, s.SESSION_COOKIE_SECURE)",
        SECRET_KEY="a-long-random-production-secret-" + "x" * 40,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True"]


def test_the_test_run_settings_turn_debug_on_with_nothing_set():
    result = _manage(
        "shell", "--no-imports", "-c", "from django.conf import settings as s; print(s.DEBUG)",
        DJANGO_SETTINGS_MODULE="caseapp.settings_test",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True"]


def test_embedded_default_runs_celery_in_process_on_sqlite():
    result = _manage(
        "shell", "--no-imports", "-c",
        "from django.conf import settings as s; from django.db import connection as c;"
        "print(c.vendor, s.CELERY_TASK_ALWAYS_EAGER, s.EMAIL_BACKEND)",
        DEBUG="true",  # as make run sets it
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["sqlite", "True", "django.core.mail.backends.console.EmailBackend"]
