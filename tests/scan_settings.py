"""Settings of the server the Wapiti scan runs against (tests/integration/test_scanner.py): production's,
DEBUG off, but over plain HTTP on 127.0.0.1.

Production sends the session and CSRF cookies with the Secure flag and redirects to HTTPS; a client on plain
HTTP would then have no CSRF cookie, every form POST would be refused with 403 before the view ran, and the
scanner would attack nothing behind a form. So only these three change; the cookies' Secure flag and the
HTTPS redirect are checked by `manage.py check --deploy` (tests/caseapp/test_settings.py).
"""

from caseapp.settings import *  # noqa: F403

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
