"""What every browser journey shares: the demo site, real Chromium (Debian's /usr/bin/chromium driven
by Playwright), the demo's test youth, and logging in with a demo login."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect, sync_playwright

from caseapp import demo
from caseapp.models import Youth

DEMO_PASSWORD = "youth-demo-2026"
# Chromium flags for a closed network, as root, without a screen.
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture
def demo_site(live_server, transactional_db):
    call_command("seed_demo", "--youth", "30", "--quiet", "--no-logins")
    return live_server.url


@pytest.fixture
def browser(chromium_path):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def jordan(demo_site):
    """Jordan's record, read before the browser starts: ORM calls made while Playwright's loop runs
    open a second PostgreSQL session that outlives the test (and blocks dropping the test database)."""
    return Youth.objects.select_related("agency").get(
        legal_first_name=demo.TEST_YOUTH_FIRST_NAME, legal_last_name=demo.TEST_YOUTH_LAST_NAME
    )


def log_in(page, base_url, username):
    page.goto(f"{base_url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Home")).to_be_visible()
