"""My work and the overdue count on a 390 px phone, and the team view, in real Chromium with axe-core checking
every page (tests/browser/axe.py): the count is in the top bar without opening the menu and leads to the list."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from caseapp.models import User, Youth
from missing_reports.models import EpisodeStatus
from missing_reports.services import episodes as episode_services

from .conftest import DESKTOP, PHONE, log_in


@pytest.fixture
def overdue_run(demo_site):
    """A run of a youth on the demo caseworker's caseload, logged 30 h after the agency learned of it, so its
    notices are overdue (made before the browser starts: see conftest.jordan)."""
    caseworker = User.objects.get(username="caseworker")
    youth = (
        Youth.objects.filter(assigned_caseworkers=caseworker)
        .exclude(missing_episodes__status=EpisodeStatus.OPEN)
        .order_by("pk")
        .first()
    )
    now = timezone.now()
    episode_services.log_run(
        actor=caseworker,
        youth_id=youth.pk,
        last_seen_at=now - datetime.timedelta(hours=31),
        last_seen_location="Bus station",
        reported_by="Foster parent",
        agency_learned_at=now - datetime.timedelta(hours=30),
    )
    return youth


def test_the_overdue_count_leads_a_phone_user_to_my_work(demo_site, overdue_run, browser):
    page = browser.new_page(**PHONE)
    log_in(page, demo_site, "caseworker")
    expect(page.get_by_role("heading", name=re.compile("^My work"))).to_be_visible()  # first on the home page

    badge = page.get_by_role("navigation", name="Main").get_by_role(
        "link", name=re.compile(r"overdue items? in My work")
    )
    expect(badge).to_be_visible()  # without opening the menu
    badge.click()
    expect(page.get_by_role("heading", name="My work", exact=True)).to_be_visible()
    line = page.get_by_role("listitem").filter(has_text=overdue_run.case_number).filter(has_text="Report to NCMEC")
    expect(line).to_contain_text(re.compile(r"Overdue by \d+ h"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    line.get_by_role("link", name="Report to NCMEC").click()
    expect(page.get_by_role("heading", name=re.compile("NCMEC"))).to_be_visible()


def test_the_supervisor_filters_the_team_view(demo_site, overdue_run, browser):
    page = browser.new_page(**DESKTOP)
    log_in(page, demo_site, "supervisor")
    page.get_by_role("link", name="Team work").click()
    expect(page.get_by_role("heading", name="Team work")).to_be_visible()
    page.get_by_label("Show", exact=True).select_option("overdue")
    page.get_by_label("Kind of work").select_option("notice")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name=re.compile("Casey Morgan"))).to_be_visible()
    expect(page.get_by_text(overdue_run.case_number).first).to_be_visible()


@pytest.mark.parametrize("username", ["agencyadmin", "supervisor"])
def test_the_longest_menus_fit_a_wide_screen(demo_site, browser, username):
    page = browser.new_page(**DESKTOP)
    log_in(page, demo_site, username)
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Team work")).to_be_visible()
    expect(nav.get_by_role("button", name="Log out")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1200
