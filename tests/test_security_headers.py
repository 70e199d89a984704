"""Every page answers with the Content-Security-Policy and the Permissions-Policy (docs/security.md#headers).

The pages are those of the resolver, walked as tests/test_every_url_is_scoped.py walks them (the same
records fill their parameters, so a new URL is covered without anyone adding it here): as agency A's admin
(GET, and POST with an empty form, rolled back), signed out, and the Django admin's pages as a superuser.
The templates are read too: a script, a style or an event handler written inline would be refused by the
browser, so it is refused here first, with the file and line.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import reverse

from caseapp.csp import ADMIN_STYLE_ATTRIBUTE_HASHES
from tests import test_every_url_is_scoped as walker
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent

# The walker's fixtures: one record of each kind of agency A.
records = walker.records
now = walker.now

APP_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "frame-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
ADMIN_POLICY = {**APP_POLICY, "style-src": ["'self'", "'unsafe-hashes'", *ADMIN_STYLE_ATTRIBUTE_HASHES]}
DENIED_FEATURES = ("camera", "microphone", "geolocation", "payment", "usb", "serial", "hid", "midi")


def parse_policy(header):
    """{directive: [sources]} of a Content-Security-Policy header value."""
    policy = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            assert words[0] not in policy, f"{words[0]} appears twice in {header!r}"
            policy[words[0]] = words[1:]
    return policy


def header_problems(label, response, expected_policy):
    problems = []
    csp = response.get("Content-Security-Policy")
    if csp is None:
        problems.append(f"{label}: no Content-Security-Policy header ({response.status_code})")
    elif parse_policy(csp) != expected_policy:
        problems.append(f"{label}: Content-Security-Policy is {csp!r}")
    if "Content-Security-Policy-Report-Only" in response:
        problems.append(f"{label}: a report-only policy (the policy must be enforced)")
    permissions = response.get("Permissions-Policy", "")
    denied = {item.strip() for item in permissions.split(",")}
    missing = [feature for feature in DENIED_FEATURES if f"{feature}=()" not in denied]
    if missing:
        problems.append(f"{label}: Permissions-Policy {permissions!r} does not deny {missing}")
    return problems


class RolledBack(Exception):
    pass


def test_every_app_page_answers_with_both_policies_signed_in_and_out(records, agency_admin_a):
    insider = Client()
    insider.force_login(agency_admin_a)
    anonymous = Client()
    pages = walker.app_urls(records) + [(name, reverse(name)) for name in walker.NOT_RECORD_SCOPED]
    assert len(pages) > 60  # the walker found the app's pages
    problems = []
    for name, url in pages:
        for who, client in (("admin of agency A", insider), ("signed out", anonymous)):
            problems += header_problems(f"{who}: GET {name} {url}", client.get(url), APP_POLICY)
            try:
                with transaction.atomic():  # an empty form rarely saves, but the records stay as they are
                    response = client.post(url, {})
                    raise RolledBack
            except RolledBack:
                pass
            problems += header_problems(f"{who}: POST {name} {url}", response, APP_POLICY)
    assert problems == []


def test_token_pages_and_error_pages_answer_with_both_policies(client):
    problems = []
    for name in walker.TOKEN_SCOPED:
        route = next(route for n, _ns, route, _params in walker.walk(walker.get_resolver().url_patterns) if n == name)
        url = "/" + re.sub(r"<[^>]+>", "not-a-valid-token", route)
        problems += header_problems(f"GET {name} {url}", client.get(url), APP_POLICY)
    problems += header_problems("a page that does not exist", client.get("/no-such-page/"), APP_POLICY)
    assert problems == []


def test_every_admin_page_answers_with_both_policies(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    problems = []
    for name, url in walker.admin_urls():
        response = client.get(url)
        if response.status_code >= 500:
            problems.append(f"admin {name} {url}: {response.status_code}")
        problems += header_problems(f"admin {name} {url}", response, ADMIN_POLICY)
    assert problems == []


def test_the_policy_allows_no_inline_or_evaluated_script_anywhere():
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    for directive in ("default-src", "script-src", "script-src-elem", "script-src-attr", "style-src"):
        sources = directives.get(directive, [])
        for unsafe in ("'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*", "data:", "http:", "https:"):
            assert unsafe not in sources, f"{directive} allows {unsafe}"
    assert directives["script-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert not getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)


def test_the_admin_exception_is_one_style_attribute_and_no_script():
    assert parse_policy(Client().get(reverse("admin:login")).headers["Content-Security-Policy"]) == ADMIN_POLICY
    assert ADMIN_POLICY["script-src"] == ["'self'"]


# What a browser refuses under the policy, as it appears in a template.
INLINE = {
    "an inline script": re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I),
    "a <style> element": re.compile(r"<style\b", re.I),
    "a style attribute": re.compile(r"\sstyle\s*=", re.I),
    "an event-handler attribute": re.compile(r"\son[a-z]+\s*=", re.I),
    "a javascript: URL": re.compile(r"javascript:", re.I),
}


def inline_code(text):
    return [
        f"line {number}: {what}"
        for number, line in enumerate(text.splitlines(), start=1)
        for what, pattern in INLINE.items()
        if pattern.search(line)
    ]


def test_no_template_carries_inline_script_style_or_handlers():
    found = [
        f"{path.relative_to(ROOT)} {problem}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for problem in inline_code(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_the_template_check_finds_each_kind_of_inline_code():
    page = "\n".join([
        "<script>alert(1)</script>",
        "<style>p { color: red }</style>",
        '<p style="color: red">',
        '<button onclick="go()">',
        '<a href="javascript:go()">',
        '<script src="/static/js/ok.js"></script>',
        '<script id="data" type="application/json">{}</script>',
    ])
    assert inline_code(page) == [
        "line 1: an inline script", "line 2: a <style> element", "line 3: a style attribute",
        "line 4: an event-handler attribute", "line 5: a javascript: URL",
    ]
