"""The Content-Security-Policy check that runs in every browser test (tests/browser/csp.py) catches a page
that carries inline code, and the app's own policy is what makes Chromium refuse it.

The app's real pages come from the live server; the injected ones are the same responses (the app's own
headers) with one inline script, style or handler added, as a template change would add it.
"""

import re

import pytest
from django.conf import settings
from playwright.sync_api import sync_playwright

from .conftest import CHROMIUM_ARGS
from .csp import CspViolations, CspWatcher

INJECTIONS = {
    "an inline script": ("<script>document.title = 'ran';</script>", "script-src"),
    "an event-handler attribute": ('<img src="/static/favicon.svg" alt="" onload="document.title=1">', "script-src"),
    "a style attribute": ('<p style="color: red">Injected</p>', "style-src"),
    "a <style> element": ("<style>p { color: red; }</style>", "style-src"),
}


def serve_with(page, url, injection):
    """Serve `url` from the live server with `injection` added just before </body>, the app's headers kept."""

    def handle(route):
        response = route.fetch()
        body = response.text().replace("</body>", f"{injection}</body>")
        route.fulfill(response=response, body=body)

    page.route(url, handle)


@pytest.fixture
def login_url(live_server, transactional_db):
    return f"{live_server.url}/login/"


@pytest.mark.parametrize("kind", list(INJECTIONS))
def test_inline_code_injected_into_an_app_page_is_refused_and_fails_the_test(browser, login_url, kind):
    injection, directive = INJECTIONS[kind]
    page = browser.new_page()
    serve_with(page, login_url, injection)
    page.goto(login_url)

    with pytest.raises(CspViolations) as failure:
        page.get_by_label("Username").fill("someone")

    message = str(failure.value)
    assert login_url in message
    assert f"Content Security Policy directive '{directive}" in message
    assert page.title() not in ("ran", "1")  # the script never ran


def test_the_same_page_without_the_injection_passes(browser, login_url):
    page = browser.new_page()
    page.goto(login_url)
    page.get_by_label("Username").fill("someone")
    page.get_by_label("Password").fill("not the password")


def test_a_violation_in_the_page_left_open_fails_at_the_end(chromium_path, monkeypatch, login_url):
    """Its own Chromium and watcher (the `browser` fixture's would fail this test when it ends)."""
    watcher = CspWatcher()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            watcher.install(monkeypatch)
            page = browser.new_page()
            serve_with(page, login_url, INJECTIONS["an inline script"][0])
            page.goto(login_url)
            with pytest.raises(CspViolations, match="script-src"):
                watcher.check_open_pages(browser)
        finally:
            monkeypatch.undo()
            browser.close()


def test_an_unreadable_permissions_policy_fails_the_test(browser, login_url):
    page = browser.new_page()

    def handle(route):
        response = route.fetch()
        headers = {**response.headers, "permissions-policy": "camera=(), not-a-feature=()"}
        route.fulfill(response=response, headers=headers)

    page.route(login_url, handle)
    page.goto(login_url)
    with pytest.raises(CspViolations, match="Error with Permissions-Policy header"):
        page.get_by_label("Username").fill("someone")


def test_the_app_enforces_the_policy_it_is_configured_with(browser, login_url):
    page = browser.new_page()
    response = page.goto(login_url)
    header = response.headers["content-security-policy"]
    assert "script-src 'self'" in header
    assert not re.search(r"unsafe-(inline|eval)", header)
    assert "content-security-policy-report-only" not in response.headers
    assert settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["script-src"] == ["'self'"]
