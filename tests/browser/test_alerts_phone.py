"""At 390 px in real Chromium: the on-call supervisor opens Alerts from the top bar and acknowledges a run's
alert with one tap (docs/alerts.md#pages); axe-core checks each page on the way."""

import pytest
from django.db import transaction
from playwright.sync_api import expect

from caseapp import alert_delivery
from caseapp.models import User
from caseapp.selectors import unread_alert_count
from caseapp.services import alerts

from .conftest import PHONE, log_in


@pytest.fixture
def run_alert(demo_site, jordan):
    """An alert of Jordan's run for the caseworker and the on-call supervisor (raised before the browser starts),
    with the number of the supervisor's unread alerts: the demo's own runs alerted them too."""
    caseworker, supervisor = User.objects.get(username="caseworker"), User.objects.get(username="supervisor")
    with transaction.atomic():
        alert = alerts.raise_alert(
            agency=jordan.agency,
            youth=jordan,
            kind="run_logged",
            key="run:browser",
            subject=f"Missing from care: {jordan.display_name}",
            body="A run was logged.",
            sms_text=alert_delivery.sms_line(jordan, "Missing from care"),
            url=f"/youth/{jordan.pk}/",
            recipients=[(caseworker, "", "Assigned caseworker"), (supervisor, "", "On call")],
            ack_minutes=15,
        )
    alert.supervisor_unread = unread_alert_count(supervisor)
    return alert


def test_the_on_call_supervisor_acknowledges_from_the_alerts_list(demo_site, jordan, run_alert, browser):
    page = browser.new_page(**PHONE)
    log_in(page, demo_site, "supervisor")

    page.get_by_role("button", name="Show menu").click()
    unread = run_alert.supervisor_unread
    page.get_by_role("link", name=f"Alerts, {unread} unread").click()
    expect(page.get_by_role("heading", name="Alerts", exact=True)).to_be_visible()
    # This alert's card: its "Open" button leads to Jordan's record (the demo's run alerts open episodes).
    card = page.locator("li.card").filter(has=page.locator(f'a.btn[href="{run_alert.url}"]'))
    expect(card.get_by_text("Why: On call.")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    card.get_by_role("button", name="Acknowledge").click()

    expect(page.get_by_role("status").filter(has_text="Acknowledged: Missing from care")).to_be_visible()
    expect(card.get_by_text("Acknowledged by Dana Whitfield")).to_be_visible()
    expect(card.get_by_role("button", name="Acknowledge")).to_have_count(0)
    expect(card.get_by_text("Also told: Casey Morgan")).to_be_visible()
    expect(page.locator(f'nav a[aria-label="Alerts, {unread - 1} unread"]')).to_have_count(1)  # in the folded menu
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
