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


def test_a_disclosure_with_an_observation_is_recorded_reported_corrected_and_withdrawn(demo_site, jordan, browser):
    """No episode needed: from the observation form the caseworker records a disclosure, finds its reports on
    Jordan's page and records the hotline report; the supervisor corrects its time, then withdraws it as recorded
    in error, and the report not yet made reads "Not required" (docs/duties.md#disclosure-clocks)."""
    zone = zoneinfo.ZoneInfo(jordan.agency.time_zone)
    now = timezone.localtime(timezone.now(), zone)
    page = browser.new_page(**PHONE)
    log_in(page, demo_site, "caseworker")
    page.goto(f"{demo_site}/youth/{jordan.pk}/risk/observe/")
    page.get_by_role("link", name="record the disclosure").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a disclosure")
    expect(page.get_by_label("With a risk observation")).to_be_checked()
    page.get_by_label("Abuse or neglect").check()
    an_hour_ago = (now - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    page.get_by_label("When the youth disclosed it").fill(an_hour_ago)
    page.get_by_label("What the youth said").fill("Said an adult at the group home hit them.")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name="Record the disclosure").click()

    expect(page.get_by_text("The disclosure is recorded")).to_be_visible()
    section = page.locator("section", has=page.get_by_role("heading", name="Disclosures", exact=True))
    expect(section.get_by_text("Child abuse hotline told of the disclosure", exact=True)).to_be_visible()
    section.get_by_role("link", name="Record the report: Child abuse hotline told of the disclosure").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report the disclosure to the child abuse hotline")
    page.get_by_role("combobox", name="How").select_option("phone")
    page.get_by_label("Reference or case number").fill("INTAKE-2026-41")
    page.get_by_role("button", name="Save the report").click()
    expect(page.get_by_text("recorded as made")).to_be_visible()
    page.close()

    page = browser.new_page(**PHONE)
    log_in(page, demo_site, "supervisor")
    page.goto(f"{demo_site}/youth/{jordan.pk}/")
    page.get_by_role("link", name="Correct the disclosure").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Correct a disclosure")
    three_hours_ago = (now - datetime.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    page.get_by_label("When the youth disclosed it").fill(three_hours_ago)
    page.get_by_label("Why it is corrected").fill("The caseworker typed the time of the call, not of the disclosure.")
    page.get_by_role("button", name="Save the correction").click()
    expect(page.get_by_text("The disclosure is corrected")).to_be_visible()

    page.get_by_role("link", name="Withdraw: recorded in error").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Withdraw a disclosure recorded in error")
    page.get_by_label("Why was this disclosure recorded in error?").fill("Recorded for the wrong youth.")
    page.get_by_label("I confirm this disclosure was recorded in error").check()
    page.get_by_role("button", name="Withdraw the disclosure").click()
    expect(page.get_by_text("The disclosure was withdrawn as recorded in error")).to_be_visible()
    section = page.locator("section", has=page.get_by_role("heading", name="Disclosures", exact=True))
    expect(section.get_by_text("Withdrawn: recorded in error")).to_be_visible()
    expect(section.get_by_text("Not required")).to_be_visible()
    page.close()

    disclosure = Disclosure.objects.get(youth=jordan)
    assert disclosure.episode is None and disclosure.is_withdrawn and disclosure.version == 3
    assert disclosure.history.count() == 3
