"""Setting up an authenticator app in real Chromium, with axe-core checking every page (tests/browser/axe.py): a
caseworker adds one from the Sign-in security page, typing the key shown as text (as a keyboard or screen-reader
user would, instead of scanning the QR code), keeps the recovery codes, and the next sign-in asks for the code;
and a supervisor signs in with a recovery code on a phone."""

import base64
import re
import time

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from playwright.sync_api import expect

from caseapp.models import User

from .conftest import DEMO_PASSWORD, DESKTOP, PHONE, log_in


def code_for(secret: str, at: float) -> str:
    clock = TOTP(base64.b32decode(secret.replace(" ", "")), 30, 0, 6, 0)
    clock.time = at
    return f"{clock.token():06d}"


def password(page, base_url, username):
    page.goto(f"{base_url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_a_caseworker_sets_up_an_authenticator_app_with_the_key_as_text(demo_site, browser):
    page = browser.new_page(**DESKTOP)
    log_in(page, demo_site, "caseworker")  # no second factor yet
    page.get_by_role("link", name="Sign-in security").click()
    expect(page.get_by_role("heading", name="Sign-in security")).to_be_visible()
    expect(page.get_by_text("No second factor is set up")).to_be_visible()
    page.get_by_role("link", name="Set up an authenticator app").click()

    expect(page.get_by_role("heading", name="Set up an authenticator app")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    secret = page.locator("#totp-secret").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{4}( [A-Z2-7]{4})+", secret)
    page.get_by_label("Code from your authenticator app").fill("123")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("alert")).to_contain_text("The code was not accepted")
    expect(page.get_by_text("Enter the 6 digits your authenticator app shows now.")).to_be_visible()

    now = time.time()
    page.get_by_label("Code from your authenticator app").fill(code_for(secret, now))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    codes = page.get_by_role("list", name="Recovery codes").get_by_role("listitem")
    expect(codes).to_have_count(10)
    page.get_by_role("link", name="I have kept them, continue").click()
    expect(page.get_by_text("An authenticator app is set up")).to_be_visible()
    expect(page.get_by_text("Recovery codes left: 10")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    password(page, demo_site, "caseworker")
    expect(page.get_by_role("heading", name="Enter the code from your authenticator app")).to_be_visible()
    page.get_by_label("Code from your authenticator app, or a recovery code").fill(code_for(secret, now + 30))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Home")).to_be_visible()


@pytest.fixture
def supervisors_recovery_code(demo_site):
    """A recovery code of the demo supervisor (made before the browser starts: see conftest.jordan)."""
    device = StaticDevice.objects.create(user=User.objects.get(username="supervisor"), name="Recovery codes")
    StaticToken.objects.create(device=device, token="k7q2m4xa")
    return "k7q2 m4xa"


def test_a_supervisor_signs_in_with_a_recovery_code_on_a_phone(demo_site, supervisors_recovery_code, browser):
    page = browser.new_page(**PHONE)
    password(page, demo_site, "supervisor")
    expect(page.get_by_role("heading", name="Enter the code from your authenticator app")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_label("Code from your authenticator app, or a recovery code").fill(supervisors_recovery_code)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Home")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="You signed in with a recovery code; 0 left")).to_be_visible()
