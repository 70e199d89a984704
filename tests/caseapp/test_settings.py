"""Settings come from the environment; production values pass Django's deployment checklist."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args, **env):
    # The child process sees only what this test gives it, plus the machine's ordinary environment.
    dropped = ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")
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


def test_embedded_default_runs_celery_in_process_on_sqlite():
    result = _manage(
        "shell", "--no-imports", "-c",
        "from django.conf import settings as s; from django.db import connection as c;"
        "print(c.vendor, s.CELERY_TASK_ALWAYS_EAGER, s.EMAIL_BACKEND)",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["sqlite", "True", "django.core.mail.backends.console.EmailBackend"]
