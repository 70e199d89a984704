"""Reporting a youth missing on a phone, in real Chromium: the run form, then the missing-now board.

The demo caseworker reports Jordan Testperson missing on a 390 px wide screen, saves, and finds
Jordan on the board with the law-enforcement and NCMEC clocks running.
"""

import datetime
import re
import zoneinfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from missing_reports.models import MissingEpisode

from .conftest import log_in

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def jordan_not_missing(jordan):
    """Jordan, checked not missing already (before the browser starts: see conftest.jordan)."""
    assert not MissingEpisode.objects.filter(youth=jordan, status="open").exists()
    return jordan


def test_a_caseworker_reports_jordan_missing_on_a_phone_and_sees_the_clocks(demo_site, jordan_not_missing, browser):
    jordan = jordan_not_missing
    page = browser.new_page(**PHONE)
    log_in(page, demo_site, "caseworker")

    page.goto(f"{demo_site}/youth/{jordan.pk}/missing/new/")
    expect(page.get_by_role("heading", name=re.compile("Report Jordan Testperson missing"))).to_be_visible()
    agency_zone = zoneinfo.ZoneInfo(jordan.agency.time_zone)
    last_seen = timezone.localtime(timezone.now() - datetime.timedelta(minutes=45), agency_zone)
    page.get_by_label("When last seen").fill(last_seen.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Where last seen").fill("Bus stop outside the school")
    page.get_by_label("Who reported it").fill("A. Rivera, foster parent")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name="Save and start the clocks").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Jordan Testperson")
    assert re.search(r"/episodes/\d+/$", page.url)
    expect(page.get_by_text("Law enforcement (NCIC entry)").first).to_be_visible()

    page.goto(f"{demo_site}/missing/")
    expect(page.get_by_role("heading", name="Missing from care now")).to_be_visible()
    row = page.locator("li.card", has=page.get_by_role("link", name="Jordan Testperson"))
    expect(row).to_have_count(1)
    expect(row).to_contain_text(re.compile(r"Missing for 4[5-9] min"))
    # The demo agency is in Kansas: law enforcement within 2 h, NCMEC within 24 h of learning of it.
    expect(row.get_by_text(re.compile(r"^LE due in 1 h \d+ min$"))).to_be_visible()
    expect(row.get_by_text(re.compile(r"^NCMEC due in 2[23] h( \d+ min)?$"))).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
