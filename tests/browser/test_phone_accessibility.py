"""The pages a phone user reaches first, at 390 px in real Chromium, each checked by axe-core on the
way (tests/browser/axe.py): "Report missing" is a button in the top bar of the home page and the
missing-now board without opening the menu; the youth's risk tables scroll by keyboard; links inside alerts (My exports
when empty, an edit conflict) are as readable as the alert's text; nothing is wider than the screen.
"""

import re

import pytest
from playwright.sync_api import expect

from risk import demo as risk_demo

from .conftest import DESKTOP, PHONE, log_in


@pytest.fixture
def youth_with_risk_history(demo_site, jordan):
    """A North Team youth the demo gave observations, hence assessments (read before the browser starts)."""
    return risk_demo.demo_youth(jordan.agency_id)[-1]


def assert_fits_the_screen(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def assert_link_reads_like_its_alert(link):
    """The link has the alert's own text colour (not Bootstrap's blue) and stays underlined."""
    colours = link.evaluate(
        """a => ({link: getComputedStyle(a).color, alert: getComputedStyle(a.closest('.alert')).color,
                  underline: getComputedStyle(a).textDecorationLine})"""
    )
    assert colours["link"] == colours["alert"]
    assert colours["underline"] == "underline"


def report_missing_button(page):
    """The one "Report missing" a user can see in the top bar (the other copy is hidden at this width)."""
    return page.get_by_role("navigation", name="Main").get_by_role("link", name="Report missing", exact=True)


def test_report_missing_is_a_button_on_home_and_the_board_and_reaches_the_run_form(demo_site, jordan, browser):
    page = browser.new_page(**PHONE)
    log_in(page, demo_site, "caseworker")

    # The menu is folded away, the button is not.
    expect(page.get_by_role("link", name="Youth", exact=True)).to_be_hidden()
    expect(report_missing_button(page)).to_be_visible()
    assert_fits_the_screen(page)
    report_missing_button(page).click()
    expect(page.get_by_role("heading", name="Report a youth missing from care")).to_be_visible()

    page.goto(f"{demo_site}/missing/")
    expect(page.get_by_role("heading", name="Missing from care now")).to_be_visible()
    expect(report_missing_button(page)).to_be_visible()
    assert_fits_the_screen(page)
    report_missing_button(page).click()

    page.get_by_label("Name or case number").fill(jordan.legal_last_name)
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=re.compile(rf"^Report missing\W+{jordan.display_name}$")).click()
    expect(page.get_by_role("heading", name=re.compile(f"Report {jordan.display_name} missing"))).to_be_visible()
    expect(page.get_by_label("When last seen")).to_be_visible()
    assert_fits_the_screen(page)


def test_report_missing_stays_a_single_button_on_a_wide_screen(demo_site, browser):
    page = browser.new_page(**DESKTOP)
    log_in(page, demo_site, "caseworker")

    expect(page.get_by_role("link", name="Youth", exact=True)).to_be_visible()
    expect(report_missing_button(page)).to_have_count(1)
    report_missing_button(page).click()
    expect(page.get_by_role("heading", name="Report a youth missing from care")).to_be_visible()


def test_the_risk_page_tables_scroll_by_keyboard_on_a_phone(demo_site, youth_with_risk_history, browser):
    page = browser.new_page(**PHONE)
    log_in(page, demo_site, "caseworker")
    page.goto(f"{demo_site}/youth/{youth_with_risk_history.pk}/risk/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Trafficking risk and screenings")

    for name in ("Why: every reason of this assessment", "Every assessment kept, newest first"):
        region = page.get_by_role("region", name=name, exact=True)
        expect(region).to_have_attribute("tabindex", "0")
        region.focus()
        expect(region).to_be_focused()
        if region.evaluate("r => r.scrollWidth > r.clientWidth"):
            page.keyboard.press("ArrowRight")
            # Keyboard scrolling is animated: wait for it to move.
            page.wait_for_function("r => r.scrollLeft > 0", arg=region.element_handle())
    # The reasons table is wider than a phone: it scrolls inside its region, the page does not.
    assert page.get_by_role("region", name="Why: every reason of this assessment").evaluate(
        "r => r.scrollWidth > r.clientWidth"
    )
    assert_fits_the_screen(page)


def test_my_exports_when_empty_has_a_readable_link_on_a_phone(demo_site, browser):
    page = browser.new_page(**PHONE)
    log_in(page, demo_site, "agencystaff")
    page.goto(f"{demo_site}/reports/exports/")

    expect(page.get_by_text("You have not exported anything yet")).to_be_visible()
    link = page.get_by_role("link", name="Start a report")
    assert_link_reads_like_its_alert(link)
    assert_fits_the_screen(page)
    link.click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_an_edit_conflict_on_a_phone_has_a_readable_way_out(demo_site, jordan, browser):
    edit_url = f"{demo_site}/youth/{jordan.pk}/edit/"
    mine = browser.new_page(**PHONE)
    log_in(mine, demo_site, "caseworker")
    mine.goto(edit_url)
    theirs = browser.new_page(**PHONE)
    log_in(theirs, demo_site, "supervisor")
    theirs.goto(edit_url)
    theirs.get_by_label("Preferred name").fill("Sky")
    theirs.get_by_role("button", name="Save").click()
    expect(theirs.get_by_role("heading", name=re.compile(jordan.legal_last_name), level=1)).to_be_visible()

    mine.get_by_label("Preferred name").fill("Jo")
    mine.get_by_role("button", name="Save").click()

    alert = mine.get_by_role("alert")
    expect(alert).to_contain_text(re.compile("saved this record after you opened it"))
    leave = alert.get_by_role("link", name=re.compile("leave without saving", re.I))
    assert_link_reads_like_its_alert(leave)
    assert_fits_the_screen(mine)
