"""axe-core in every page a browser test visits: a serious or critical violation fails the test.

axe-core is vendored (`vendor/axe-core-<version>/`, see its README) so the tests need neither npm nor
the network. Nobody has to remember to call it: while the `browser` fixture is open, every action a
test takes on a page (a `goto`, a click, typing, choosing, closing; on the page or on a locator) first
checks the page's current document if it has not been checked yet, and when the test ends every page
still open is checked too. So each document is checked once, as the user left it (with any messages
and form errors the test produced), at whatever width the test uses (desktop or a 390 px phone).

How: `install` wraps the action methods of Playwright's `Page` and `Locator` classes for the length
of one test (pytest's monkeypatch), so every page and locator a test makes is covered; the document
carries its own "checked" mark. Why before the next action and not on the "load" event: Playwright's
sync API cannot run scripts from inside an event handler, and a check started by the page itself
would be cut short when the test navigates on before it finishes. Checking before the next action is
synchronous and never races.
"""

import functools
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page

AXE_VERSION = "4.14.1"
AXE_SOURCE = Path(__file__).parent / "vendor" / f"axe-core-{AXE_VERSION}" / "axe.min.js"
FAILING_IMPACTS = ("serious", "critical")

# What a test does to a page. Reads (`text_content`, `is_visible`, ...) and `expect()` are not
# actions: they do not leave the page, and checking before them would only cost time.
PAGE_ACTIONS = (
    "goto", "reload", "go_back", "go_forward", "set_content", "close",
    "click", "dblclick", "tap", "fill", "press", "type", "check", "uncheck", "set_checked",
    "select_option", "set_input_files",
)
LOCATOR_ACTIONS = (
    "click", "dblclick", "tap", "fill", "clear", "press", "press_sequentially", "type", "check", "uncheck",
    "set_checked", "select_option", "set_input_files",
)

# Marks the document as checked, then runs axe and returns the failing violations in a plain shape.
# The mark sits on the root element: a new document, or content set with `set_content` (which keeps the
# window and the document object), starts without it. An empty document (a new tab) is not checked.
RUN_AXE = """async (impacts) => {
  const root = document.documentElement;
  if (!root || root.__axeChecked || !document.body || !document.body.innerHTML.trim()) return null;
  if (!window.axe) return "inject";
  root.__axeChecked = true;
  const results = await window.axe.run(document, {resultTypes: ["violations"]});
  return results.violations.filter(v => impacts.includes(v.impact)).map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary || ""})),
  }));
}"""
# Errors that mean the page moved on while it was being checked: check the new document instead.
NAVIGATED_AWAY = ("Execution context was destroyed", "Target page, context or browser has been closed")
ATTEMPTS = 3


class AxeViolations(AssertionError):
    """A page has serious or critical accessibility violations."""


def describe(url, viewport, violations):
    """The failure message: where, then each rule (id, impact, help, link) and its failing nodes."""
    size = f"{viewport['width']}×{viewport['height']}" if viewport else "default size"
    lines = [
        f"axe-core {AXE_VERSION} found {len(violations)} serious or critical accessibility "
        f"violation(s) on {url} (viewport {size}):"
    ]
    for violation in violations:
        lines.append(f"- [{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"]:
            lines.append(f"    {node['target']}")
            lines.extend(f"      {line}" for line in node["summary"].splitlines() if line.strip())
    return "\n".join(lines)


class AxeChecker:
    def __init__(self):
        self.source = AXE_SOURCE.read_text(encoding="utf-8")
        self.documents_checked = 0

    def check(self, page: Page):
        """Check the page's current document unless it was checked already; raise AxeViolations."""
        for attempt in range(1, ATTEMPTS + 1):
            if page.is_closed():
                return
            try:
                page.wait_for_load_state("load")
                violations = page.evaluate(RUN_AXE, list(FAILING_IMPACTS))
                if violations == "inject":
                    page.evaluate(self.source)
                    violations = page.evaluate(RUN_AXE, list(FAILING_IMPACTS))
            except PlaywrightError as error:
                # The page navigated (or closed) mid-check: check what it shows now. A page that never
                # settles fails rather than going unchecked.
                if attempt < ATTEMPTS and any(words in str(error) for words in NAVIGATED_AWAY):
                    continue
                raise
            if violations is None:
                return
            self.documents_checked += 1
            if violations:
                raise AxeViolations(describe(page.url, page.viewport_size, violations))
            return

    def check_open_pages(self, browser):
        for context in browser.contexts:
            for page in context.pages:
                self.check(page)

    def install(self, monkeypatch):
        """Check before every action on a page or a locator, until `monkeypatch` is undone."""
        for cls, names in ((Page, PAGE_ACTIONS), (Locator, LOCATOR_ACTIONS)):
            for name in names:
                monkeypatch.setattr(cls, name, self._checked_first(getattr(cls, name)))

    def _checked_first(self, action):
        @functools.wraps(action)
        def checked(target, *args, **kwargs):
            self.check(target if isinstance(target, Page) else target.page)
            return action(target, *args, **kwargs)

        return checked
