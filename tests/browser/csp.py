"""Content-Security-Policy violations in every page a browser test visits: any one fails the test.

The app sends its policy in development and tests too (caseapp/settings.py CONTENT_SECURITY_POLICY), so an
inline script, an inline style or an event-handler attribute that a change brings in is refused by Chromium,
which says so in the page's console ("Executing inline script violates the following Content Security Policy
directive ...", "Refused to load ... because it violates the following Content Security Policy directive").
A refused script is a feature that silently does nothing for the user; here it is a failing test.

Chromium also logs a Permissions-Policy header it cannot read ("Error with Permissions-Policy header: ..."):
that fails the test as well, so the header stays one the browser applies whole.

How: like the axe-core check (tests/browser/axe.py), for the length of one test. Every browser context a
test makes (`browser.new_context()`, `browser.new_page()`) is watched from its creation, so the messages of
its first navigation are caught, pop-ups included; the messages are checked before each action on a page or
locator and when the test ends, and the failure names the page and the browser's words.
"""

import functools

from playwright.sync_api import Browser, BrowserContext, Locator, Page

from .axe import LOCATOR_ACTIONS, PAGE_ACTIONS

# The console messages that mean the browser refused something the page asked for.
VIOLATION_MARKERS = (
    "Content Security Policy directive",
    "Content-Security-Policy",
    "Error with Permissions-Policy header",
)


class CspViolations(AssertionError):
    """The browser refused something under the page's Content-Security-Policy (or could not read the
    Permissions-Policy)."""


def is_violation(text: str) -> bool:
    return any(marker in text for marker in VIOLATION_MARKERS)


class CspWatcher:
    def __init__(self):
        self.violations: list[tuple[str, str]] = []
        self.watched_contexts = 0

    def watch(self, context: BrowserContext) -> BrowserContext:
        """Record the violations of every page of `context` from now on (once per context)."""
        watchers = context.__dict__.setdefault("_csp_watchers", set())
        if id(self) not in watchers:
            watchers.add(id(self))
            self.watched_contexts += 1
            context.on("console", self._on_console)
        return context

    def _on_console(self, message):
        if is_violation(message.text):
            page = message.page
            self.violations.append((page.url if page is not None else "(no page)", message.text))

    def check(self):
        """Raise CspViolations if the browser refused anything since the last check."""
        if not self.violations:
            return
        found, self.violations = self.violations, []
        lines = [f"The browser refused {len(found)} thing(s) under the page's Content-Security-Policy:"]
        lines += [f"- {url}: {text}" for url, text in found]
        lines.append("Move scripts and styles into files under static/ (docs/security.md#headers).")
        raise CspViolations("\n".join(lines))

    def check_open_pages(self, browser: Browser):
        """At the end of a test: let each open page deliver its last messages, then check."""
        for context in browser.contexts:
            for page in context.pages:
                if not page.is_closed():
                    page.wait_for_load_state("load")
                    page.evaluate("0")  # a round trip, so the console messages sent before it have arrived
        self.check()

    def install(self, monkeypatch):
        """Watch every new context, and check before every action, until `monkeypatch` is undone."""
        watcher = self

        def watched_new_context(new_context):
            @functools.wraps(new_context)
            def wrapper(browser, *args, **kwargs):
                return watcher.watch(new_context(browser, *args, **kwargs))

            return wrapper

        def watched_new_page(new_page):
            @functools.wraps(new_page)
            def wrapper(target, *args, **kwargs):
                if isinstance(target, BrowserContext):
                    watcher.watch(target)
                    return new_page(target, *args, **kwargs)
                # Browser.new_page makes its own context: watch it before the page can navigate.
                page = new_page(target, *args, **kwargs)
                watcher.watch(page.context)
                return page

            return wrapper

        monkeypatch.setattr(Browser, "new_context", watched_new_context(Browser.new_context))
        monkeypatch.setattr(Browser, "new_page", watched_new_page(Browser.new_page))
        monkeypatch.setattr(BrowserContext, "new_page", watched_new_page(BrowserContext.new_page))
        for cls, names in ((Page, PAGE_ACTIONS), (Locator, LOCATOR_ACTIONS)):
            for name in names:
                monkeypatch.setattr(cls, name, self._checked_first(getattr(cls, name)))

    def _checked_first(self, action):
        @functools.wraps(action)
        def checked(target, *args, **kwargs):
            self.check()
            return action(target, *args, **kwargs)

        return checked
