"""The axe-core check that runs in every browser test (tests/browser/axe.py) catches a bad page.

The pages are set with `set_content`, so these need Chromium but no demo site.
"""

import pytest

from .axe import AXE_VERSION, AxeChecker, AxeViolations
from .conftest import PHONE

# An image without a text alternative (critical), a link with no name and a barely visible paragraph
# (both serious), and a button to act on.
BAD_PAGE = """<!doctype html><html lang="en"><head><title>Bad page</title></head><body><main>
<h1>A deliberately bad page</h1>
<img id="no-alt" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<a id="no-name" href="#top"></a>
<p id="faint" style="color:#ccc;background:#fff">Hard to read</p>
<button type="button">Next</button>
</main></body></html>"""

GOOD_PAGE = """<!doctype html><html lang="en"><head><title>Good page</title></head><body><main>
<h1>A plain page</h1><p>Readable text.</p><button type="button">Next</button>
</main></body></html>"""


def test_an_action_on_a_bad_page_fails_with_the_rules_and_the_failing_elements(browser):
    page = browser.new_page()
    page.set_content(BAD_PAGE)

    with pytest.raises(AxeViolations) as failure:
        page.get_by_role("button", name="Next").click()

    message = str(failure.value)
    assert f"axe-core {AXE_VERSION}" in message
    assert "[critical] image-alt: Images must have alternative text" in message
    assert "#no-alt" in message
    assert "[serious] link-name" in message
    assert "#no-name" in message
    assert "[serious] color-contrast" in message
    assert "#faint" in message
    assert "viewport 1280×720" in message


def test_the_check_runs_at_the_phone_width_too(browser):
    page = browser.new_page(**PHONE)
    page.set_content(BAD_PAGE)

    with pytest.raises(AxeViolations, match=r"viewport 390×844"):
        page.goto("about:blank")


def test_the_page_left_open_at_the_end_is_checked(browser):
    page = browser.new_page()
    page.set_content(BAD_PAGE)

    with pytest.raises(AxeViolations, match="image-alt"):
        AxeChecker().check_open_pages(browser)


def test_a_good_page_passes_and_each_document_is_checked_once(browser):
    checker = AxeChecker()
    page = browser.new_page()
    page.set_content(GOOD_PAGE)

    checker.check(page)
    checker.check(page)
    page.get_by_role("button", name="Next").click()

    assert checker.documents_checked == 1
