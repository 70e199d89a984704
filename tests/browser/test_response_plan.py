"""The response plan and "What helps me" on a phone in real Chromium, axe-core checking every page: the caseworker
adds an action to the plan of the demo's return interview, marks the demo's overdue action done, reads the
new-placement form's "Before you choose the placement" and the print view for a caregiver
(docs/duties.md#response-plan, #what-helps-me)."""

import datetime
import re
import zoneinfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from missing_reports.models import ResponseAction

from .conftest import PHONE, log_in


@pytest.fixture
def plan(demo_site):
    """The demo's plan, read before the browser starts (see conftest.jordan): its overdue action."""
    action = ResponseAction.objects.select_related("owner", "debrief__episode__youth__agency").order_by("due_at")[0]
    return action


def test_a_caseworker_adds_an_action_marks_one_done_and_sees_the_factors_when_placing(demo_site, plan, browser):
    youth = plan.debrief.episode.youth
    zone = zoneinfo.ZoneInfo(youth.agency.time_zone)
    page = browser.new_page(**PHONE)
    log_in(page, demo_site, plan.owner.username)
    page.goto(f"{demo_site}/episodes/{plan.debrief.episode_id}/")
    page.get_by_role("link", name=re.compile("^Add an action")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Add an action to the response plan")
    page.get_by_label("The factor it responds to").select_option("conflict")
    page.get_by_label("What will be done").fill("House meeting with the foster parent each Sunday.")
    due = timezone.localtime(timezone.now() + datetime.timedelta(days=3), zone)
    page.get_by_label("Due by").fill(due.strftime("%Y-%m-%dT%H:%M"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name="Add the action").click()
    expect(page.get_by_text("work list until it is done")).to_be_visible()
    new_action = "House meeting with the foster parent each Sunday."
    expect(page.locator(f"#plan-{plan.debrief_id}")).to_contain_text(new_action)

    page.get_by_role("link", name=re.compile("^Mark done.*Mediation")).click()
    page.get_by_label("What was done").fill("Met with the foster parent and the youth; rules agreed.")
    page.get_by_role("button", name="Mark done").click()
    expect(page.get_by_text("The action is marked done.")).to_be_visible()

    page.goto(f"{demo_site}/youth/{youth.pk}/placements/new/")
    before = page.get_by_role("region", name="Before you choose the placement")
    expect(before).to_contain_text("Factors named in earlier return interviews")
    expect(before).to_contain_text("Conflict in the placement")
    expect(before).to_contain_text("House meeting with the foster parent each Sunday.")
    page.goto(f"{demo_site}/youth/{youth.pk}/what-helps-me/print/")
    expect(page.get_by_role("heading", name="Who I trust")).to_be_visible()
    assert ResponseAction.objects.filter(debrief=plan.debrief, done_at__isnull=False).count() == 1
