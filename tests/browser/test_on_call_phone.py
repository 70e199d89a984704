"""The on-call page at 390 px in real Chromium, checked by axe-core on the way (tests/browser/axe.py): a
caseworker reads who is on call now and the demo's weekly pattern; the agency admin adds a Sunday night shift
that runs into Monday and removes it again; nothing is wider than the screen."""

import re

from playwright.sync_api import expect

from .conftest import PHONE, log_in


def assert_fits_the_screen(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_caseworker_reads_the_roster_on_a_phone(demo_site, browser):
    page = browser.new_page(**PHONE)
    log_in(page, demo_site, "caseworker")
    page.get_by_role("button", name="Show menu").click()
    page.get_by_role("link", name="On call", exact=True).click()
    expect(page.get_by_role("heading", name="On call now")).to_be_visible()
    expect(page.get_by_role("heading", name="North Team")).to_be_visible()
    expect(page.get_by_role("heading", name="Sunday")).to_be_visible()
    expect(page.get_by_text("17:00–08:00 next day").first).to_be_visible()
    expect(page.get_by_role("heading", name="Add a weekly shift")).to_have_count(0)
    assert_fits_the_screen(page)


def test_the_admin_adds_and_removes_a_night_shift_on_a_phone(demo_site, browser):
    page = browser.new_page(**PHONE)
    log_in(page, demo_site, "agencyadmin")
    page.goto(f"{demo_site}/on-call/")
    form = page.locator("form", has=page.get_by_role("button", name="Add shift"))
    form.get_by_label("Team").select_option(label="South Team")
    form.get_by_label("Day").select_option(label="Sunday")
    form.get_by_label("From").select_option(label="22:00")
    form.get_by_label("To").select_option(label="06:00")
    form.get_by_label("Person").select_option(label="Riley Bennett")
    form.get_by_label("Position").fill("2")
    form.get_by_role("button", name="Add shift").click()
    expect(page.get_by_role("status")).to_contain_text("Weekly shift added.")
    line = page.get_by_role("listitem").filter(
        has_text=re.compile(r"22:00–06:00 next day\s+·\s+South Team\s+·\s+backup\s")
    )
    expect(line).to_have_count(1)
    assert_fits_the_screen(page)
    line.get_by_role("button", name=re.compile("^Remove")).click()
    expect(page.get_by_role("status")).to_contain_text("Shift of Riley Bennett removed.")
    expect(line).to_have_count(0)
