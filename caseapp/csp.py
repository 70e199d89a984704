"""The Content-Security-Policy middleware: django-csp's, with one narrow exception for the Django admin.

The policy itself is CONTENT_SECURITY_POLICY in caseapp/settings.py (docs/security.md#headers). Every page
of the app gets it unchanged. Pages under the admin's URL also allow, by its hash, the one inline style
attribute django-simple-history's history page carries (`<p class="paginator" style="border-top: 0">` in
simple_history/object_history_list.html): CSP3 allows a style attribute only through 'unsafe-hashes' plus
its hash, which lets that exact text and nothing else through. No script is ever allowed inline.
tests/browser/test_headers_in_browser.py opens the admin's pages in Chromium and fails on any violation, so
a new inline style in a later django-simple-history or Django release is caught, not silently broken.
"""

from csp.constants import UNSAFE_HASHES
from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.middleware import PolicyParts
from django.urls import NoReverseMatch, reverse

# sha256 of "border-top: 0", base64 (the style attribute of django-simple-history's paginator).
ADMIN_STYLE_ATTRIBUTE_HASHES = ("'sha256-XMXSevYjgSjXgRafBFDvtjwX+yyWLrxfso9DcNZ9UXM='",)


def admin_prefix() -> str | None:
    try:
        return reverse("admin:index")
    except NoReverseMatch:
        return None


class CSPMiddleware(BaseCSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        prefix = admin_prefix()
        if not report_only and prefix and request.path_info.startswith(prefix):
            update = dict(parts.update or {})
            update["style-src"] = [*update.get("style-src", []), UNSAFE_HASHES, *ADMIN_STYLE_ATTRIBUTE_HASHES]
            parts.update = update
        return parts
