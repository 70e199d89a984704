"""How the agency responded to a return, the punitive-responses page and a provider alert, in real Chromium with
axe-core checking every page (docs/duties.md#return-responses, #provider-alert): the caseworker records a restriction
after Jordan's return on a phone; the agency admin reads the report and reviews a provider alert."""

import datetime
import re
import zoneinfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from caseapp.models import User
from exports.models import ProviderAlert
from missing_reports.models import ReturnResponse
from missing_reports.services import episodes as episode_services

from .conftest import DESKTOP, PHONE, log_in

H = datetime.timedelta(hours=1)


@pytest.fixture
def jordans_return(jordan):
    """Jordan's run and return, and a provider alert of Alder County, made before the browser starts."""
    now, caseworker = timezone.now(), User.objects.get(username="caseworker")
    episode = episode_services.log_run(
        actor=caseworker, youth_id=jordan.pk, last_seen_at=now - 30 * H, last_seen_location="Bus station",
        reported_by="Foster parent", agency_learned_at=now - 29 * H,
    )
    episode = episode_services.log_return(
        actor=caseworker, episode_id=episode.pk, expected_version=episode.version, located_at=now - 5 * H,
        returned_at=now - 4 * H, found_location_type="friend", how_located="self_returned",
    )
    alert = ProviderAlert.objects.create(
        agency=jordan.agency, provider_key="synthetic oak house", provider_name="Synthetic Oak House",
        period_start=datetime.date(2026, 1, 1), period_end=datetime.date(2026, 6, 30), rate=12, median_rate=4,
        factor=2, placement_days=400, episodes=5, providers_compared=6, min_placement_days=365,
    )
    alert.teams.set([jordan.team])
    return episode, alert


def test_a_caseworker_records_a_response_and_the_admin_reads_the_report_and_reviews_a_provider(
    demo_site, jordans_return, browser
):
    episode, alert = jordans_return
    page = browser.new_page(**PHONE)
    log_in(page, demo_site, "caseworker")
    page.goto(f"{demo_site}/episodes/{episode.pk}/")
    page.get_by_role("link", name="Record a response").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("How the agency responded to the return")
    page.get_by_label("Privileges restricted").check()
    zone = zoneinfo.ZoneInfo(episode.youth.agency.time_zone)
    decided = timezone.localtime(timezone.now() - H, zone)
    page.get_by_label("When it was decided").fill(decided.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Or their name and role").fill("Foster parent (synthetic)")
    page.get_by_label("Why, as the person who decided it explained it").fill("House rules (synthetic).")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name="Record the response").click()
    expect(page.get_by_text("How the agency responded is recorded.")).to_be_visible()
    expect(page.get_by_text("Consequence for the youth")).to_be_visible()
    assert ReturnResponse.objects.filter(episode=episode, kind="restriction").count() == 1
    page.close()

    admin = browser.new_page(**DESKTOP)
    log_in(admin, demo_site, "agencyadmin")
    admin.goto(f"{demo_site}/reports/punitive-responses/")
    expect(admin.get_by_role("heading", level=1)).to_have_text("Punitive responses after a return")
    expect(admin.get_by_role("table")).to_be_visible()
    admin.goto(f"{demo_site}/work/")
    admin.get_by_role("link", name="Review Synthetic Oak House").click()
    admin.get_by_label("What the review found and what follows").fill("Visited; evening support plan (synthetic).")
    admin.get_by_role("button", name=re.compile("Record the review")).click()
    expect(admin.get_by_text("The review is recorded and the alert is closed.")).to_be_visible()
    alert.refresh_from_db()
    assert not alert.is_open
