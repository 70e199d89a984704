"""Two people edit Jordan's record at once, in real Chromium: the second is shown what happened, keeps
only their own changes, chooses where both changed the same field, and saving again loses neither edit."""

import re

from playwright.sync_api import expect

from caseapp.models import HairColor

from .conftest import log_in


def _open_edit(browser, base_url, username, youth):
    page = browser.new_page()
    log_in(page, base_url, username)
    page.goto(f"{base_url}/youth/{youth.pk}/edit/")
    expect(page.get_by_role("heading", name=re.compile("^Edit "))).to_be_visible()
    return page


def test_the_second_save_keeps_the_first_and_the_shared_field_is_chosen(demo_site, jordan, browser):
    theirs, mine = [label for value, label in HairColor.choices if value != jordan.hair_color][:2]
    first = _open_edit(browser, demo_site, "caseworker", jordan)
    second = _open_edit(browser, demo_site, "supervisor", jordan)

    first.locator("#id_height_inches").fill("66")
    first.locator("#id_hair_color").select_option(label=theirs)
    first.get_by_role("button", name="Save", exact=True).click()
    expect(first.get_by_text("Changes saved.")).to_be_visible()

    second.locator("#id_weight_pounds").fill("141")
    second.locator("#id_hair_color").select_option(label=mine)
    second.get_by_role("button", name="Save", exact=True).click()

    alert = second.locator("#edit-conflict")
    expect(alert.get_by_role("heading", name="Someone else saved this record after you opened it")).to_be_visible()
    expect(alert).to_contain_text("You changed Weight (pounds) from")
    expect(alert).to_contain_text("Height (inches) was changed from")
    expect(alert).to_contain_text("by Casey Morgan at")
    expect(second.locator("#id_height_inches")).to_have_value("66")  # the saved height, not the stale one
    choice = alert.get_by_role("group", name=re.compile("Hair color: you both changed it"))
    expect(choice.get_by_role("radio")).to_have_count(2)

    # The choice is required: saving without it is refused at the field.
    second.get_by_role("button", name="Save", exact=True).click()
    expect(second.get_by_text("choose which value to keep").first).to_be_visible()

    second.locator("#edit-conflict").get_by_role("radio", name=re.compile("^Saved by Casey Morgan")).check()
    second.get_by_role("button", name="Save", exact=True).click()
    expect(second.get_by_text("Changes saved.")).to_be_visible()

    record = second.locator("dl.record, main")
    expect(record.get_by_text("141 lb")).to_be_visible()
    expect(record.get_by_text(re.compile("5 ft 6 in|66 in"))).to_be_visible()
