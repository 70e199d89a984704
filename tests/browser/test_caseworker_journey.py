"""The main journey in real Chromium (Debian's /usr/bin/chromium, driven by Playwright).

A caseworker logs in with the demo login, finds a youth by name and opens the record; on a
phone-size screen the same journey works through the collapsed menu.
"""

from playwright.sync_api import expect

from .conftest import log_in


def test_caseworker_finds_a_youth_by_name_and_opens_the_record(demo_site, browser):
    page = browser.new_page()
    log_in(page, demo_site, "caseworker")

    page.get_by_role("link", name="Youth", exact=True).click()
    page.get_by_role("searchbox", name="Search").fill("Testperson")
    page.get_by_role("button", name="Search").click()

    results = page.get_by_role("table")
    expect(results.get_by_role("link", name="Jordan Testperson")).to_be_visible()
    expect(results.locator("tbody tr")).to_have_count(1)

    results.get_by_role("link", name="Jordan Testperson").click()
    expect(page.get_by_role("heading", name="Jordan Testperson", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Placements")).to_be_visible()
    expect(page.get_by_role("heading", name="Physical description")).to_be_visible()


def test_on_a_phone_the_menu_opens_and_the_record_is_readable(demo_site, browser):
    page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    log_in(page, demo_site, "caseworker")

    menu_link = page.get_by_role("link", name="Youth", exact=True)
    expect(menu_link).to_be_hidden()
    page.get_by_role("button", name="Show menu").click()
    menu_link.click()

    page.get_by_role("searchbox", name="Search").fill("Jordan")
    page.get_by_role("searchbox", name="Search").press("Enter")
    page.get_by_role("link", name="Jordan Testperson").first.click()
    heading = page.get_by_role("heading", name="Jordan Testperson", level=1)
    expect(heading).to_be_visible()
    # Nothing wider than the screen: the page does not scroll sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_another_agencys_caseworker_gets_not_found(demo_site, browser):
    page = browser.new_page()
    log_in(page, demo_site, "caseworker")
    page.get_by_role("link", name="Youth", exact=True).click()
    page.get_by_role("searchbox", name="Search").fill("Testperson")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Jordan Testperson").click()
    record_url = page.url

    other = browser.new_page()
    log_in(other, demo_site, "birch.caseworker")
    response = other.goto(record_url)
    assert response.status == 404
    expect(other.get_by_role("heading", name="Not found")).to_be_visible()
