"""The idle warning in real Chromium (static/js/session-timeout.js, docs/security.md#sessions), checked by axe:
with the agency's idle time at 2 minutes the dialog opens a minute before the end, "Stay signed in" (by
keyboard) keeps the session past the old end, and a session left alone lands on the sign-in page with its
message. Both clocks are moved, never waited for: the server's (tests/helpers.FrozenClock; the live server runs
in this process) and the page's (Playwright's clock)."""

import datetime

import pytest
from django.test import Client
from playwright.sync_api import expect

from tests.helpers import FrozenClock

START = datetime.datetime(2026, 11, 3, 14, 0, tzinfo=datetime.UTC)
SECOND = datetime.timedelta(seconds=1)


@pytest.fixture
def server_clock(monkeypatch):
    return FrozenClock(monkeypatch, START)


@pytest.fixture
def signed_in_cookie(live_server, transactional_db, server_clock, caseworker_a, agency_a):
    """caseworker_a signed in at START, in an agency that signs out after 2 idle minutes (made before the
    browser starts: ORM calls while Playwright's loop runs open a second database session)."""
    agency_a.session_idle_minutes = 2
    agency_a.save()
    client = Client()
    client.force_login(caseworker_a)
    return {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}


def test_the_idle_warning_opens_before_the_end_and_stay_signed_in_keeps_the_session(
    live_server, signed_in_cookie, server_clock, browser
):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    context.add_cookies([signed_in_cookie])
    page = context.new_page()
    page.clock.install()
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Home")).to_be_visible()
    dialog = page.get_by_role("dialog", name="Are you still there?")
    expect(dialog).to_be_hidden()

    # 65 s later (55 s left, under the minute's warning): the page asks the server and warns.
    server_clock.set(START + 65 * SECOND)
    page.clock.fast_forward(65_000)
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("you will be signed out in")
    stay = dialog.get_by_role("button", name="Stay signed in")
    expect(stay).to_be_focused()
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()

    # Past the old end (START + 2 min) but within the renewed one: still signed in.
    server_clock.set(START + 155 * SECOND)
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Home")).to_be_visible()

    # Left alone: the warning comes again, nobody answers, and the page lands on the sign-in page.
    server_clock.set(START + 215 * SECOND)
    page.clock.fast_forward(61_000)
    expect(dialog).to_be_visible()
    server_clock.set(START + 280 * SECOND)
    page.clock.fast_forward(61_000)
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    expect(page.get_by_text("You were signed out after 2 minutes without activity")).to_be_visible()
    context.close()
