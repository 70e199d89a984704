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


def test_production_settings_send_the_content_security_policy_and_the_permissions_policy():
    """DEBUG off, as deployed: the same enforced policies as in development (docs/security.md#headers). The
    home page sends a visitor who is signed out to log in: a redirect, which carries the headers too."""
    result = _manage(
        "shell", "--no-imports", "-c",
        "from django.test import Client; r = Client().get('/', secure=True);"
        "print(r.status_code); print(r['Content-Security-Policy']); print(r['Permissions-Policy']);"
        "print('Content-Security-Policy-Report-Only' in r)",
        DEBUG="false", SECRET_KEY="a-long-random-production-secret-" + "x" * 40, ALLOWED_HOSTS="testserver",
    )
    assert result.returncode == 0, result.stderr
    status, csp, permissions, report_only = result.stdout.strip().splitlines()[-4:]
    assert status == "302"
    assert "script-src 'self';" in csp + ";" and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "camera=()" in permissions and "microphone=()" in permissions and "geolocation=()" in permissions
    assert report_only == "False"
