"""The pattern timeline in real Chromium, on a desktop and on a phone, with axe-core checking every page
(tests/browser/axe.py): from the youth page's summary to the chart and its table, reached by keyboard."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from caseapp.models import User
from missing_reports.services import episodes as episode_services

from .conftest import DESKTOP, PHONE, log_in


@pytest.fixture
def jordans_returns(jordan):
    """Two runs and returns of Jordan, logged before the browser starts (see conftest.jordan)."""
    now, hour = timezone.now(), datetime.timedelta(hours=1)
    caseworker = User.objects.get(username="caseworker")
    for days_ago in (20, 6):
        left = now - days_ago * 24 * hour
        episode = episode_services.log_run(
            actor=caseworker, youth_id=jordan.pk, last_seen_at=left, last_seen_location="Bus station",
            reported_by="Foster parent", agency_learned_at=left + hour,
        )
        episode_services.log_return(
            actor=caseworker, episode_id=episode.pk, expected_version=episode.version, located_at=left + 5 * hour,
            returned_at=left + 6 * hour, found_location_type="friend", how_located="self_returned",
        )
    return jordan


@pytest.mark.parametrize("screen", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_caseworker_opens_the_pattern_timeline_from_the_youth_page(demo_site, jordans_returns, browser, screen):
    page = browser.new_page(**screen)
    log_in(page, demo_site, "caseworker")
    page.goto(f"{demo_site}/youth/{jordans_returns.pk}/")
    expect(page.get_by_role("heading", name="Pattern of missing episodes")).to_be_visible()
    expect(page.get_by_text("Found more than once at: friend's home (twice).")).to_be_visible()
    page.get_by_role("link", name="Pattern timeline").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Pattern of missing episodes")
    expect(page.get_by_role("img", name="Missing episodes, placements and risk bands over time")).to_be_visible()
    table = page.get_by_role("region", name="Every missing episode, oldest first")
    expect(table.get_by_role("row")).to_have_count(3)
    # The table is the chart's accessible version: its scrolling region is reached with the keyboard.
    table.focus()
    expect(table).to_be_focused()
    assert page.evaluate("document.documentElement.scrollWidth") <= screen["viewport"]["width"]
