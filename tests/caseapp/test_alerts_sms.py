"""SMS of alerts: the pluggable backends, the Twilio backend against a local server, and what an SMS may say
(docs/alerts.md#sms)."""

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from caseapp import alert_delivery, sms
from caseapp.services import alerts
from caseapp.sms import locmem

pytestmark = pytest.mark.django_db


@pytest.fixture
def sms_outbox(settings):
    settings.SMS_BACKEND = "caseapp.sms.locmem.SmsBackend"
    locmem.outbox.clear()
    yield locmem.outbox
    locmem.outbox.clear()


def test_the_console_backend_is_the_default_and_prints(settings, capsys):
    assert settings.SMS_BACKEND == "caseapp.sms.console.SmsBackend"
    sms.send_sms("+15555550101", "Missing from care: Jordan, case A-000012.")
    assert "SMS to +15555550101: Missing from care: Jordan, case A-000012." in capsys.readouterr().out


def test_an_alert_sms_says_first_name_case_number_and_a_link_only(youth_a1, caseworker_a, sms_outbox, mailoutbox):
    youth_a1.agency.sms_enabled = True
    youth_a1.agency.save()
    caseworker_a.mobile_phone = "+15555550101"
    caseworker_a.save()
    youth_a1.preferred_name = "Jordan"
    youth_a1.medical_needs = "Asthma inhaler"
    youth_a1.save()
    alert = alerts.raise_alert(
        agency=youth_a1.agency,
        youth=youth_a1,
        kind="run_logged",
        key="run:1",
        subject=f"Missing from care: {youth_a1.display_name}",
        body=f"{youth_a1.legal_name} was reported missing.",
        sms_text=alert_delivery.sms_line(youth_a1, "Missing from care"),
        url=f"/youth/{youth_a1.pk}/",
        recipients=[(caseworker_a, "", "Assigned caseworker")],
        ack_minutes=15,
    )
    assert alert_delivery.deliver(alert.pk)["sent"] == 2
    assert alert_delivery.deliver(alert.pk)["sent"] == 0
    [(to, text)] = sms_outbox
    assert to == "+15555550101"
    prefix = f"Missing from care: Jordan, case {youth_a1.case_number}. Acknowledge: http://"
    assert text.startswith(prefix)
    link = text.split("Acknowledge: ")[1]
    assert " " not in link and "/alerts/ack/" in link
    for personal in (youth_a1.legal_last_name, youth_a1.legal_first_name, "Asthma", str(youth_a1.date_of_birth.year)):
        assert personal not in text
    assert len(text) <= 160


class _Recorder(BaseHTTPRequestHandler):
    requests: list = []

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        type(self).requests.append({"path": self.path, "form": form, "auth": self.headers.get("Authorization")})
        body = json.dumps({"sid": "SM" + "0" * 32, "status": "queued", "to": form["To"][0], "body": form["Body"][0]})
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def provider_server():
    _Recorder.requests = []
    server = HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", _Recorder.requests
    server.shutdown()
    server.server_close()


def test_the_twilio_backend_posts_to_from_and_body_to_the_provider(settings, provider_server):
    pytest.importorskip("twilio", reason="twilio (requirements.txt) is not installed in this environment")
    base_url, requests = provider_server
    settings.SMS_BACKEND = "caseapp.sms.twilio.SmsBackend"
    settings.TWILIO_ACCOUNT_SID = "AC" + "1" * 32
    settings.TWILIO_AUTH_TOKEN = "test-token"
    settings.TWILIO_FROM_NUMBER = "+15555550100"
    settings.TWILIO_API_BASE_URL = base_url

    message_id = sms.send_sms("+15555550101", "Missing from care: Jordan, case A-000012.")

    assert message_id == "SM" + "0" * 32
    [request] = requests
    assert request["path"] == f"/2010-04-01/Accounts/{settings.TWILIO_ACCOUNT_SID}/Messages.json"
    assert request["form"]["To"] == ["+15555550101"]
    assert request["form"]["From"] == ["+15555550100"]
    assert request["form"]["Body"] == ["Missing from care: Jordan, case A-000012."]
    assert request["auth"].startswith("Basic ")


def test_the_twilio_backend_refuses_to_start_without_its_settings(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.TWILIO_ACCOUNT_SID = ""
    with pytest.raises(ImproperlyConfigured, match="TWILIO_ACCOUNT_SID"):
        sms.get_backend("caseapp.sms.twilio.SmsBackend")


def test_a_mobile_number_must_be_international(client_for, agency_admin_a, caseworker_a):
    from django.urls import reverse

    client = client_for(agency_admin_a)
    url = reverse("staff_edit", args=[caseworker_a.pk])
    data = {
        "username": caseworker_a.username,
        "first_name": "Test",
        "last_name": "Person",
        "email": caseworker_a.email,
        "phone": "",
        "role": "caseworker",
        "team": caseworker_a.team_id,
        "is_active": "on",
    }
    page = client.post(url, {**data, "mobile_phone": "555 0101"}).content.decode()
    assert "Enter the mobile number in international form" in page
    caseworker_a.refresh_from_db()
    assert caseworker_a.mobile_phone == ""
    client.post(url, {**data, "mobile_phone": "+15555550101"})
    caseworker_a.refresh_from_db()
    assert caseworker_a.mobile_phone == "+15555550101"
