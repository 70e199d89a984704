"""The trafficking-risk journey in real Chromium: a tripwire recorded by the caseworker reaches the
supervisor's queue at the top; the supervisor identifies the youth as a victim of trafficking, which
starts the law-enforcement clock from when the information was received; the report is recorded; the
caseworker records that the service referral the decision determined was accepted. The identification stays
until the supervisor withdraws it as recorded in error, with a reason.

Also: the gentle wording hint appears while the caseworker types, and never blocks saving. The
checks read the pages, not the database: ORM calls while Playwright's loop runs would open a second
PostgreSQL session (see conftest.jordan).
"""

import datetime
import re
import zoneinfo

from django.utils import timezone
from playwright.sync_api import expect

from caseapp.local_time import agency_zone, short_time

from .conftest import log_in

DESKTOP = {"viewport": {"width": 1200, "height": 900}}


def test_a_tripwire_reaches_the_supervisor_who_identifies_and_the_report_is_made(demo_site, jordan, browser):
    zone = zoneinfo.ZoneInfo(jordan.agency.time_zone)
    received = timezone.localtime(timezone.now() - datetime.timedelta(hours=2), zone).replace(second=0, microsecond=0)
    observed = received - datetime.timedelta(days=1)

    caseworker = browser.new_page(**DESKTOP)
    log_in(caseworker, demo_site, "caseworker")
    caseworker.goto(f"{demo_site}/youth/{jordan.pk}/risk/")
    caseworker.get_by_role("link", name="Record an observation").click()
    caseworker.get_by_label("What was observed or reported").select_option("C0.3")
    caseworker.get_by_label("When it was observed or happened").fill(observed.strftime("%Y-%m-%dT%H:%M"))
    caseworker.get_by_label("When the agency received the information").fill(received.strftime("%Y-%m-%dT%H:%M"))
    caseworker.get_by_label("Where the information came from").select_option("external")
    caseworker.get_by_label("Evidence level").select_option("verified")
    note = caseworker.get_by_label("Note")
    note.press_sequentially("School nurse report; staff called her a chronic runaway.")
    # The live hint, in words a caseworker can act on; it does not stop the save.
    expect(caseworker.locator(".language-hint")).to_contain_text("instead of 'chronic runaway'")
    caseworker.get_by_role("button", name="Save the observation").click()
    expect(caseworker.get_by_role("heading", level=1)).to_contain_text("Trafficking risk and screenings")
    expect(caseworker.get_by_role("status").first).to_contain_text(re.compile("supervisor", re.I))
    expect(caseworker.get_by_text("C0.3").first).to_be_visible()

    supervisor = browser.new_page(**DESKTOP)
    log_in(supervisor, demo_site, "supervisor")
    supervisor.get_by_role("link", name="Review queue").click()
    first = supervisor.locator(".review-queue > li").first
    expect(first).to_contain_text("Jordan Testperson")
    expect(first).to_contain_text("Identification")
    first.get_by_role("link", name=re.compile("^Decide")).click()

    supervisor.get_by_label("Identified as a victim of trafficking").check()
    supervisor.get_by_label("Sex trafficking").check()
    supervisor.get_by_label("Kind of trafficking").select_option("buyer_perpetrated")
    supervisor.get_by_label("While missing from care").check()
    # An identification needs its services (§471(a)(9)(C)); each becomes a tracked referral.
    supervisor.get_by_label("Specialised services for survivors").check()
    # Pre-filled from the tripwire: the clock runs from receipt, not from this decision.
    expect(supervisor.get_by_label("When the agency received the information")).to_have_value(
        received.strftime("%Y-%m-%dT%H:%M")
    )
    supervisor.get_by_role("button", name="Save the decision").click()

    # Kansas has no stricter rule for this report: the federal 24 h from receipt, in the agency's zone.
    due = short_time(received + datetime.timedelta(hours=24), agency_zone(jordan.agency))
    expect(supervisor.get_by_role("status").first).to_contain_text(due)

    supervisor.get_by_label("When the report was made").fill(
        timezone.localtime(timezone.now(), zone).strftime("%Y-%m-%dT%H:%M")
    )
    supervisor.get_by_role("combobox", name=re.compile("How")).select_option("phone")
    supervisor.get_by_label("Law-enforcement agency").fill("Alder County Sheriff")
    supervisor.get_by_label("Report or case number", exact=True).fill("ACS-2026-0042")
    supervisor.get_by_role("button", name="Record as done").click()
    expect(supervisor.get_by_text("Done, on time").first).to_be_visible()

    # The referral is on the youth's risk page; the caseworker records that the provider accepted it.
    caseworker.goto(f"{demo_site}/youth/{jordan.pk}/risk/")
    services = caseworker.locator("section", has=caseworker.get_by_role("heading", name="Services"))
    expect(services).to_contain_text("Specialised services for survivors")
    expect(services).to_contain_text("Sent, waiting for an answer")
    services.get_by_role("link", name=re.compile("Record the next step")).click()
    caseworker.get_by_label("Accepted").check()
    caseworker.get_by_label("Provider").fill("Harbor Survivor Services")
    caseworker.get_by_role("button", name="Record this step").click()
    expect(caseworker.get_by_role("status").first).to_contain_text("referral recorded as accepted")
    expect(services).to_contain_text("Accepted, waiting to start")
    # Found to have been recorded in error: withdrawn from the risk page, confirmed, with a reason.
    supervisor.goto(f"{demo_site}/youth/{jordan.pk}/risk/")
    expect(supervisor.get_by_text("Identified: stays in the record and the counts").first).to_be_visible()
    supervisor.get_by_role("link", name=re.compile("^Recorded in error")).first.click()
    expect(supervisor.get_by_role("heading", level=1)).to_contain_text("Withdraw an identification recorded in error")
    supervisor.get_by_role("button", name="Withdraw the identification").click()
    expect(supervisor.get_by_text("Say why the identification was recorded in error.").first).to_be_visible()
    supervisor.get_by_label("Why was this identification recorded in error?").fill("Entered for the wrong youth.")
    supervisor.get_by_label(re.compile("I confirm this identification was recorded in error")).check()
    supervisor.get_by_role("button", name="Withdraw the identification").click()
    expect(supervisor.get_by_role("status").first).to_contain_text("withdrawn as recorded in error")
    expect(supervisor.get_by_text("Withdrawn: recorded in error").first).to_be_visible()
