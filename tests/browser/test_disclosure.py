"""A disclosure routed, on a phone in real Chromium with axe-core checking every page: after Jordan's return the
caseworker records a disclosure of online exploitation from the episode page and finds the hotline,
law-enforcement and CyberTipline clocks under the disclosure (docs/duties.md#disclosures)."""

import datetime
import zoneinfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from caseapp.models import User
from missing_reports.models import Disclosure
from missing_reports.services import episodes as episode_services

from .conftest import PHONE, log_in


@pytest.fixture
def jordans_return(jordan):
    """Jordan's run and return, logged before the browser starts (see conftest.jordan)."""
    now, hour = timezone.now(), datetime.timedelta(hours=1)
    caseworker = User.objects.get(username="caseworker")
    episode = episode_services.log_run(
        actor=caseworker, youth_id=jordan.pk, last_seen_at=now - 30 * hour,
        last_seen_location="Bus station", reported_by="Foster parent", agency_learned_at=now - 29 * hour,
    )
    return episode_services.log_return(
        actor=caseworker, episode_id=episode.pk, expected_version=episode.version,
        located_at=now - 3 * hour, returned_at=now - 2 * hour, found_location_type="friend",
        how_located="self_returned",
    )


def test_a_caseworker_records_a_disclosure_and_finds_its_reports(demo_site, jordans_return, browser):
    page = browser.new_page(**PHONE)
    log_in(page, demo_site, "caseworker")
    page.goto(f"{demo_site}/episodes/{jordans_return.pk}/")
    page.get_by_role("link", name="Record a disclosure").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a disclosure")

    page.get_by_label("Online exploitation").check()
    zone = zoneinfo.ZoneInfo(jordans_return.youth.agency.time_zone)
    when = timezone.localtime(timezone.now() - datetime.timedelta(minutes=30), zone)
    page.get_by_label("When the youth disclosed it").fill(when.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("What the youth said").fill("An adult they met online asked for photos.")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name="Record the disclosure").click()

    expect(page.get_by_text("The disclosure is recorded")).to_be_visible()
    expect(page.get_by_text("The reports this disclosure calls for")).to_be_visible()
    for label in (
        "Child abuse hotline told of the disclosure", "Law enforcement told of the disclosure",
        "NCMEC CyberTipline report of the disclosure",
    ):
        expect(page.get_by_role("heading", name=label)).to_be_visible()
    assert Disclosure.objects.filter(episode=jordans_return).count() == 1
