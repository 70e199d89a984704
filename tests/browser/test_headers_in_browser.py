"""Pages whose styles moved out of the templates for the Content-Security-Policy, and the Django admin, work in
Chromium under the policy: no refusal in the console (tests/browser/csp.py fails the test on any), and what the
moved styles do is still done.
"""

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect, sync_playwright

from caseapp.models import User
from exports.models import ExportJob

from .conftest import _AUTHENTICATORS, CHROMIUM_ARGS, DEMO_PASSWORD, DESKTOP, authenticator_code, log_in
from .csp import CspWatcher


@pytest.fixture
def superuser(demo_site):
    """A superuser with an authenticator app: the admin asks for its code too (docs/security.md#the-django-admin)."""
    user = User.objects.create_superuser("root", "root@example.org", DEMO_PASSWORD)
    _AUTHENTICATORS[user.username] = [TOTPDevice.objects.create(user=user, name="Phone", confirmed=True), -1]
    return user


@pytest.fixture
def pending_export(demo_site):
    """An export a worker is half-way through (made before the browser starts: see conftest.jordan)."""
    admin = User.objects.get(username="agencyadmin")
    job = ExportJob.objects.create(
        agency=admin.agency, requested_by=admin, report="episode-register", format="csv", status="running",
        rows_total=200, rows_done=74, started_at=timezone.now(), heartbeat_at=timezone.now(),
    )
    return job.pk


@pytest.fixture
def admin_browser(chromium_path, monkeypatch):
    """Chromium with the policy check only: the admin's pages are Django's own, and axe-core finds Django's
    breadcrumb link colours in them (Django's accessibility to fix, not this app's; the admin is for the
    people who run the installation). Every refusal under the policy still fails the test."""
    watcher = CspWatcher()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        watcher.install(monkeypatch)
        try:
            yield browser
            watcher.check_open_pages(browser)
        finally:
            monkeypatch.undo()
            browser.close()


def test_the_django_admin_works_under_the_policy(demo_site, superuser, jordan, admin_browser):
    page = admin_browser.new_page(**DESKTOP)
    # The admin signs in through the app's page (password, then the code), and comes back to the admin.
    page.goto(f"{demo_site}{reverse('admin:login')}")
    page.get_by_label("Username").fill("root")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_label("Code from your authenticator app, or a recovery code").fill(authenticator_code("root"))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()

    page.goto(f"{demo_site}{reverse('admin:caseapp_youth_changelist')}")
    page.get_by_role("searchbox").fill(jordan.legal_last_name)  # the admin's own scripts and styles
    page.get_by_role("searchbox").press("Enter")
    expect(page.locator("#result_list")).to_contain_text(jordan.legal_last_name)
    page.goto(f"{demo_site}{reverse('admin:caseapp_youth_change', args=[jordan.pk])}")
    expect(page.locator("#youth_form")).to_be_visible()
    # django-simple-history's page, with the one style attribute the admin's policy lets through by its hash.
    page.goto(f"{demo_site}{reverse('admin:caseapp_youth_history', args=[jordan.pk])}")
    expect(page.locator("p.paginator")).to_have_css("border-top-width", "0px")
    page.goto(f"{demo_site}{reverse('admin:caseapp_agency_change', args=[jordan.agency_id])}")
    expect(page.locator("#agency_form")).to_be_visible()


def test_the_pages_whose_styles_moved_to_app_css_look_as_before(demo_site, jordan, pending_export, browser):
    page = browser.new_page(**DESKTOP)
    log_in(page, demo_site, "agencyadmin")

    # The export's progress bar: 74 of 200 rows, 37 %, drawn to the nearest 5 % by the page (app.css).
    page.goto(f"{demo_site}{reverse('export_detail', args=[pending_export])}")
    bar = page.locator("[data-export=bar]")
    expect(bar).to_have_text("37%")
    width = bar.evaluate("bar => bar.getBoundingClientRect().width / bar.parentElement.getBoundingClientRect().width")
    assert 0.3 < width < 0.45
    expect(page.locator("[data-export=progress]")).to_have_css("height", "24px")

    # The dashboard's charts scale down to their container, never past 640 px.
    page.goto(f"{demo_site}{reverse('reports_dashboard')}")
    chart = page.locator("svg.dashboard-chart").first
    expect(chart).to_have_css("max-width", "640px")

    # The screening form: an indicator's details show only once it is ticked.
    page.goto(f"{demo_site}{reverse('risk_screening', args=[jordan.pk])}")
    finding = page.locator(".finding").first
    expect(finding.locator(".finding-details")).to_be_hidden()
    finding.locator(".finding-check").check()
    expect(finding.locator(".finding-details")).to_be_visible()
