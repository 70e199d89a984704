"""Wapiti, a web vulnerability scanner, against the app served by a real server process on 127.0.0.1, signed
in as the demo caseworker, with the demo data on PostgreSQL: any finding of medium severity or higher fails
the test (docs/security.md#scanner).

The server is gunicorn with the production configuration (gunicorn.conf.py, as `make serve` runs it) in its own
process, with production's settings (DEBUG off, the same
middleware, headers and static files through WhiteNoise) except the three that need HTTPS
(tests/scan_settings.py). Wapiti runs from its own virtualenv (`make scan-install`, requirements-scan.txt).
It crawls the app, then attacks what it found with the modules in MODULES, each bounded in time, the whole
run bounded by MAX_SCAN_SECONDS. It never signs the caseworker out (/logout/ is excluded) and writes only to
this test's database.

Needs PostgreSQL and Wapiti: skipped with the reason when either is missing, failed under REQUIRE_SERVICES=1.
`pytest -m "not scan"` leaves it out of a quick run.
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.middleware.csrf import CSRF_SECRET_LENGTH
from django.test import Client
from django.utils.crypto import get_random_string

from caseapp.models import User
from tests import services
from tests.conftest import PROJECT_DIR, _database_url, _stop

pytestmark = [pytest.mark.postgres, pytest.mark.scan]

WAPITI = PROJECT_DIR / ".venv-scan" / "bin" / "wapiti"
# What is attacked: injections (reflected and stored scripts, SQL, commands, paths), open redirects, CSRF,
# header injection, the security headers, the cookies' flags, the Content-Security-Policy, HTTP methods, and
# left-over backup and .htaccess files. Not loaded: modules that need the internet (ssrf, xxe, log4shell, wapp,
# nikto's database), TLS checks (the scan is plain HTTP; TLS is the reverse proxy's), brute-forcing of the login
# form or of directories, and CMS fingerprints.
MODULES = (
    "xss", "permanentxss", "sql", "exec", "file", "redirect", "csrf", "crlf",
    "http_headers", "cookieflags", "csp", "methods", "backup", "htaccess",
)
MAX_SCAN_SECONDS = 150  # the whole scan, crawl and attacks
MAX_ATTACK_SECONDS = 12  # each attack module
HARD_TIMEOUT_SECONDS = 420  # Wapiti is stopped past this, whatever it is doing
MEDIUM = 2  # Wapiti's levels: 1 low, 2 medium, 3 high, 4 critical

# Findings that are not flaws, each excluded as narrowly as possible: (category, path, why). Keep it empty
# unless a finding was checked by hand and found to be wrong.
FALSE_POSITIVES: list[tuple[str, str, str]] = []


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(connection, tmp_path, media):
    env = {
        key: value for key, value in os.environ.items()
        if key not in ("REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "DEBUG")
    }
    env.update({
        "DJANGO_SETTINGS_MODULE": "tests.scan_settings",
        "DEBUG": "false",
        # This process's key: the session the test signs in here must be valid there.
        "SECRET_KEY": settings.SECRET_KEY,
        "DATABASE_URL": _database_url(connection.settings_dict),
        "STATIC_ROOT": str(tmp_path / "static"),
        "PRIVATE_MEDIA_ROOT": str(media),
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    })
    return env


def wait_until_serving(url, process, log_path, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"The server exited with {process.returncode}:\n{log_path.read_text()[-4000:]}", pytrace=False)
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (our own server on 127.0.0.1)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"The server did not answer within {seconds} s:\n{log_path.read_text()[-4000:]}", pytrace=False)


@pytest.fixture
def live_app(postgres_db, transactional_db, tmp_path, _private_media_in_tmp):
    """The demo data, and the app served on 127.0.0.1 by its own process; yields the base URL."""
    if not WAPITI.is_file():
        services.missing(f"needs Wapiti at {WAPITI.relative_to(PROJECT_DIR)}: run `make scan-install`")
    call_command("seed_demo", "--youth", "20", "--quiet", "--no-logins")
    env = server_env(postgres_db, tmp_path, _private_media_in_tmp)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=PROJECT_DIR, env=env, check=True, timeout=180,
    )
    port = free_port()
    log_path = tmp_path / "server.log"
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
            cwd=PROJECT_DIR, env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "2"},
            stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_serving(f"{base}/login/", process, log_path)
        yield base
    finally:
        _stop(process)
        print(f"--- server log (last lines) ---\n{log_path.read_text(errors='replace')[-6000:]}")


def caseworker_cookies():
    """The cookies a signed-in browser of the demo caseworker holds: the session, and a CSRF cookie.

    Wapiti sends the cookies given on its command line with every request, but does not carry a cookie the
    server set while crawling into its attacks: without a CSRF cookie of its own every form it attacks would
    be refused (403) before the view ran, and the csrf module would report each form as "not checked".
    """
    client = Client()
    client.force_login(User.objects.get(username="caseworker"))
    csrf_secret = get_random_string(CSRF_SECRET_LENGTH)
    return f"sessionid={client.cookies['sessionid'].value}; csrftoken={csrf_secret}"


def findings(report, minimum=MEDIUM):
    """(category, level, method, path, parameter, info) of every finding at `minimum` or above, less the
    excluded false positives."""
    found = []
    for section in ("vulnerabilities", "anomalies"):
        for category, items in report.get(section, {}).items():
            for item in items:
                if item.get("level", 0) < minimum:
                    continue
                if any(category == c and item.get("path") == p for c, p, _why in FALSE_POSITIVES):
                    continue
                found.append((category, item["level"], item.get("method"), item.get("path"),
                              item.get("parameter"), item.get("info")))
    return found


def test_wapiti_finds_nothing_of_medium_severity_or_higher(live_app, tmp_path):
    cookies = caseworker_cookies()
    report_path = tmp_path / "wapiti.json"
    command = [
        str(WAPITI), "--url", f"{live_app}/", "--scope", "folder",
        "--cookie-value", cookies,
        "--exclude", f"{live_app}/logout/", "--exclude", f"{live_app}/admin/*", "--exclude", f"{live_app}/static/*",
        "--module", ",".join(MODULES),
        "--max-scan-time", str(MAX_SCAN_SECONDS), "--max-attack-time", str(MAX_ATTACK_SECONDS),
        "--depth", "4", "--max-links-per-page", "30", "--max-files-per-dir", "10", "--timeout", "10",
        "--tasks", "4", "--flush-session", "--no-bugreport",
        # Wapiti resolves the address of its log4shell DNS server at start even when that module is not run;
        # point it (and the endpoints of modules not run) at this machine, so nothing leaves 127.0.0.1.
        "--dns-endpoint", "localhost", "--endpoint", f"{live_app}/",
        "--store-session", str(tmp_path / "wapiti-session"), "--store-config", str(tmp_path / "wapiti-config"),
        "--format", "json", "--output", str(report_path), "--verbose", "0",
    ]
    env = {**os.environ, "HOME": str(tmp_path)}  # Wapiti keeps its files under ~/.wapiti
    try:
        result = subprocess.run(
            command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=HARD_TIMEOUT_SECONDS, check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"Wapiti ran past {HARD_TIMEOUT_SECONDS} s", pytrace=False)
    output = result.stdout[-3000:] + result.stderr[-3000:]
    assert result.returncode == 0, f"Wapiti failed ({result.returncode}):\n{output}"
    report = json.loads(Path(report_path).read_text())

    crawled = report["infos"]["crawled_pages_nbr"]
    print(f"Wapiti crawled {crawled} pages; findings of every level:")
    for finding in findings(report, minimum=0):
        print("  ", finding)
    # Signed in, the crawl reaches the caseworker's youth and episodes, not only the login page.
    assert crawled > 50, f"Wapiti crawled only {crawled} pages: was the session accepted?"
    serious = findings(report)
    assert serious == [], "Wapiti found, at medium severity or higher:\n" + "\n".join(map(str, serious))
