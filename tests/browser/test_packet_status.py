"""The episode page's report packets in real Chromium: while a packet is being built the page keeps
asking for its state (static/js/packet-status.js) and shows the downloads once it is ready, without a
tap; it does not give up after a few tries."""

import datetime
import re
import threading

import pytest
from django.db import connections
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from missing_reports.models import PacketStatus, PacketVersion
from missing_reports.services import episodes as services

# Longer than the page's first polls (2 s, 3 s, 4.5 s …): the build is still running when they ask.
STILL_BUILDING = 8  # seconds


@pytest.fixture
def building_episode(live_server, transactional_db, caseworker_a, youth_a1):
    """An episode whose NCMEC packet is being built (set up before the browser starts)."""
    now = timezone.now()
    episode = services.log_run(
        actor=caseworker_a, youth_id=youth_a1.pk, last_seen_at=now - datetime.timedelta(hours=2),
        agency_learned_at=now - datetime.timedelta(hours=1), last_seen_location="Outside Central High",
        reported_by="A. Rivera, foster parent",
    )
    PacketVersion.objects.filter(episode=episode, kind="ncmec").update(status=PacketStatus.BUILDING)
    return episode


@pytest.fixture
def caseworker_cookie(live_server, caseworker_a):
    """caseworker_a's session, made before the browser starts (see conftest.jordan: ORM calls made
    while Playwright's loop runs open a second PostgreSQL session that outlives the test)."""
    client = Client()
    client.force_login(caseworker_a)
    return {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}


def finish_build(episode_id):
    """The worker finishes the build, from another thread (with its own connection)."""
    try:
        PacketVersion.objects.filter(episode_id=episode_id, kind="ncmec").update(status=PacketStatus.READY)
    finally:
        connections.close_all()


def test_the_packet_section_shows_the_downloads_once_a_slow_build_is_ready(
    live_server, building_episode, caseworker_cookie, browser
):
    context = browser.new_context()
    context.add_cookies([caseworker_cookie])
    page = context.new_page()
    status_calls = []
    page.on("request", lambda r: status_calls.append(r.url) if "/packets/status/" in r.url else None)
    page.goto(f"{live_server.url}/episodes/{building_episode.pk}/")

    ncmec = page.locator("article", has=page.get_by_role("heading", name="NCMEC report packet"))
    expect(ncmec.get_by_text("Being built…").first).to_be_visible()
    expect(ncmec.get_by_role("link", name="Refresh the page")).to_be_visible()  # without JavaScript
    page.wait_for_timeout(STILL_BUILDING * 1000)  # (Playwright reports requests only while it waits)
    assert len(status_calls) >= 2  # asked, found it still building, and asked again
    expect(ncmec.get_by_role("link", name=re.compile("^Download PDF"))).to_have_count(0)

    worker = threading.Thread(target=finish_build, args=(building_episode.pk,))
    worker.start()
    worker.join(timeout=30)

    expect(ncmec.get_by_role("link", name=re.compile("^Download PDF"))).to_be_visible(timeout=30_000)
    expect(ncmec.get_by_text("Being built…")).to_have_count(0)
    context.close()
