"""What every browser journey shares: the demo site, real Chromium (Debian's /usr/bin/chromium driven
by Playwright) with axe-core checking every page it shows (tests/browser/axe.py) and any
Content-Security-Policy violation failing the test (tests/browser/csp.py), the demo's test youth, and
logging in with a demo login."""

import time

import pytest
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect, sync_playwright

from caseapp import demo_data
from caseapp.models import Youth
from tests.helpers import totp_code

from .axe import AxeChecker
from .csp import CspWatcher

DEMO_PASSWORD = "youth-demo-2026"
# Chromium flags for a closed network, as root, without a screen.
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


# The demo logins' authenticator apps (caseapp/demo.py gives one to every login that must use a second factor),
# read by demo_site before the browser starts: username -> (device, the last time step whose code was used).
_AUTHENTICATORS = {}


@pytest.fixture
def demo_site(live_server, transactional_db):
    call_command("seed_demo", "--youth", "30", "--quiet", "--no-logins")
    _AUTHENTICATORS.clear()
    for device in TOTPDevice.objects.filter(confirmed=True).select_related("user"):
        _AUTHENTICATORS[device.user.username] = [device, -1]
    return live_server.url


PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1200, "height": 900}}

_OPEN_PAGES_CHECK = pytest.StashKey[object]()


@pytest.fixture
def browser(chromium_path, request, monkeypatch):
    """Chromium, with every page checked by axe-core, and for refusals under its Content-Security-Policy,
    before each action and when the test ends."""
    checker = AxeChecker()
    watcher = CspWatcher()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        checker.install(monkeypatch)
        watcher.install(monkeypatch)

        def check_open_pages():
            watcher.check_open_pages(browser)
            checker.check_open_pages(browser)
            watcher.check()  # anything the axe run itself made the page refuse

        request.node.stash[_OPEN_PAGES_CHECK] = check_open_pages
        try:
            yield browser
        finally:
            browser.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """The pages still open when a passing test ends are checked too, as part of the test (a
    violation fails the test itself rather than erroring its teardown)."""
    result = yield
    check_open_pages = item.stash.get(_OPEN_PAGES_CHECK, None)
    if check_open_pages is not None:
        check_open_pages()
    return result


@pytest.fixture
def jordan(demo_site):
    """Jordan's record, read before the browser starts: ORM calls made while Playwright's loop runs
    open a second PostgreSQL session that outlives the test (and blocks dropping the test database)."""
    return Youth.objects.select_related("agency").get(
        legal_first_name=demo_data.TEST_YOUTH_FIRST_NAME, legal_last_name=demo_data.TEST_YOUTH_LAST_NAME
    )


def authenticator_code(username) -> str:
    """The code the demo login's authenticator app shows now, as a person would type it. A code signs in once, so a
    second sign-in within the same 30 seconds types the next step's code (accepted: one step of clock drift), and
    a third waits for the next step."""
    device, last_step = _AUTHENTICATORS[username]
    while True:
        step = int((time.time() - device.t0) // device.step)
        for candidate in (step, step + 1):
            if candidate > last_step:
                _AUTHENTICATORS[username][1] = candidate
                return totp_code(device, at=device.t0 + candidate * device.step + 1)
        time.sleep(device.step - (time.time() - device.t0) % device.step + 0.1)


def log_in(page, base_url, username):
    """Log in through /login/ as a demo login: the password, then, for a login with an authenticator app, the code
    it shows (docs/security.md)."""
    page.goto(f"{base_url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    if username in _AUTHENTICATORS:
        expect(page.get_by_role("heading", name="Enter the code from your authenticator app")).to_be_visible()
        page.get_by_label("Code from your authenticator app, or a recovery code").fill(authenticator_code(username))
        page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Home")).to_be_visible()
