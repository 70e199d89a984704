"""When law enforcement says no, on a phone in real Chromium with axe-core checking every page: the caseworker
records the refusal from the law-enforcement notice of Jordan's run and finds it on the episode page with its
follow-up steps and the reminder that NCMEC has not been told yet (docs/duties.md#le-refused)."""

import datetime
import re
import zoneinfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from caseapp.models import User
from missing_reports.models import LawEnforcementRefusal
from missing_reports.services import episodes as episode_services

from .conftest import PHONE, log_in


@pytest.fixture
def jordans_run(jordan):
    """Jordan's run, logged before the browser starts (see conftest.jordan)."""
    now, hour = timezone.now(), datetime.timedelta(hours=1)
    return episode_services.log_run(
        actor=User.objects.get(username="caseworker"), youth_id=jordan.pk, last_seen_at=now - 3 * hour,
        last_seen_location="Bus station", reported_by="Foster parent", agency_learned_at=now - 2 * hour,
    )


def test_a_caseworker_records_that_law_enforcement_would_not_enter_ncic(demo_site, jordans_run, browser):
    page = browser.new_page(**PHONE)
    log_in(page, demo_site, "caseworker")
    page.goto(f"{demo_site}/episodes/{jordans_run.pk}/")
    page.get_by_role("link", name=re.compile("^Law enforcement said no")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Law enforcement would not take the report")

    page.get_by_label("Would not enter the youth in NCIC").check()
    zone = zoneinfo.ZoneInfo(jordans_run.youth.agency.time_zone)
    when = timezone.localtime(timezone.now() - datetime.timedelta(minutes=20), zone)
    page.get_by_label("When they said no").fill(when.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Law-enforcement agency").fill("Example City Police")
    page.get_by_label("The reason they gave").fill("Said to wait until tomorrow.")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name="Record the refusal").click()

    expect(page.get_by_text("The refusal is recorded")).to_be_visible()
    expect(page.get_by_role("heading", name="When law enforcement said no")).to_be_visible()
    expect(page.get_by_text("NCMEC has not been told yet.")).to_be_visible()
    expect(page.get_by_role("heading", name="Supervisor told of the refusal by law enforcement")).to_be_visible()
    assert LawEnforcementRefusal.objects.filter(notification__episode=jordans_run).count() == 1
