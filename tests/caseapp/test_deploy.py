"""The production server (docs/deploy.md): gunicorn with gunicorn.conf.py serving the app with DEBUG off, the
health check, and the client's address taken from the proxy's X-Forwarded-For only when the proxy is trusted.
"""

import http.client
import json
import os
import secrets
import socket
import subprocess
import sys
import time

import pytest
from django.test import Client
from django.urls import reverse

from caseapp.models import AuditEvent
from tests.conftest import PROJECT_DIR
from tests.personas import OTHER_AGENCY, OUTSIDERS

START_TIMEOUT = 60  # seconds: a bound on the wait, not a speed requirement


# --- The health check --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_health_check_answers_ok_to_anyone_and_shows_nothing_else(request, youth_a1):
    clients = [Client()]
    for persona in sorted({*OUTSIDERS, *OTHER_AGENCY}):
        client = Client()
        client.force_login(request.getfixturevalue(persona))
        clients.append(client)
    for client in clients:
        response = client.get(reverse("health_check"))
        assert response.status_code == 200
        assert response.content == b"ok\n"
        assert response["Content-Type"].startswith("text/plain")
        assert "no-cache" in response["Cache-Control"]
    assert Client().post(reverse("health_check")).status_code == 405


# --- The client's address behind the proxy -----------------------------------------------------------


def recorded_address(client, youth, **headers):
    client.get(reverse("youth_detail", args=[youth.pk]), **headers)
    return AuditEvent.objects.filter(youth=youth).latest("pk").ip_address


@pytest.mark.django_db
def test_the_audit_trail_records_the_client_behind_a_trusted_proxy_and_ignores_the_header_from_anyone_else(
    client_for, caseworker_a, youth_a1, settings
):
    settings.FORWARDED_ALLOW_IPS = ["127.0.0.1", "::1", "10.0.0.0/8"]
    client = client_for(caseworker_a)
    # nginx on this machine, which set the header: the client it saw.
    assert recorded_address(client, youth_a1, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9") == (
        "203.0.113.9"
    )
    # Through a second trusted proxy (a load balancer in 10/8): still the client, not a typed-in address before it.
    assert recorded_address(
        client, youth_a1, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9, 10.0.0.7"
    ) == "203.0.113.9"
    # A client talking to the app directly cannot choose the address it is recorded under.
    assert recorded_address(
        client, youth_a1, REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.9"
    ) == "198.51.100.7"
    # Garbage in the header: the proxy's own address stays.
    assert recorded_address(client, youth_a1, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="<script>") == "127.0.0.1"


# --- gunicorn ----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(port, path, **headers):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers={"Host": "127.0.0.1", **headers})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def test_gunicorn_serves_the_app_and_its_static_files_and_keeps_query_strings_out_of_its_log(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "caseapp.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": "",
        "STATIC_ROOT": str(tmp_path / "static"),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
    }
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    assert collected.returncode == 0, collected.stderr
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
            cwd=PROJECT_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            assert server.poll() is None, log_path.read_text()
            try:
                status, _, body = get(port, "/health/")
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"gunicorn did not answer within {START_TIMEOUT} s:\n{log_path.read_text()}")
                time.sleep(0.2)
        # The health check answers over plain HTTP (a check on the machine itself); DEBUG is off.
        assert (status, body) == (200, b"ok\n")

        # Anything else over plain HTTP is sent to HTTPS ...
        status, headers, _ = get(port, "/youth/?q=Zephyrine+Testname")
        assert status == 301 and headers["Location"].startswith("https://127.0.0.1/youth/")
        # ... and behind the proxy (X-Forwarded-Proto from 127.0.0.1, a trusted address) to the sign-in page.
        status, headers, _ = get(port, "/youth/?q=Zephyrine+Testname", **{"X-Forwarded-Proto": "https"})
        assert status == 302 and headers["Location"].startswith("/login/?next=/youth/")
        assert "Strict-Transport-Security" in headers

        # Static files come from the collected, hashed copies, cached for good (whitenoise).
        manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())["paths"]
        css = next(name for name in manifest if name.endswith("bootstrap.min.css"))
        status, headers, body = get(port, f"/static/{manifest[css]}", **{"X-Forwarded-Proto": "https"})
        assert status == 200 and headers["Content-Type"].startswith("text/css") and body
        assert "immutable" in headers["Cache-Control"]
    finally:
        server.terminate()
        server.wait(timeout=30)

    log = log_path.read_text()
    assert '"GET /youth/ HTTP/1.1" 302' in log
    assert "Zephyrine" not in log and "q=" not in log
