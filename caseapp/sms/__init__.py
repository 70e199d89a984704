"""SMS, with pluggable backends like Django's email backends (docs/alerts.md#sms).

`SMS_BACKEND` names the backend class by dotted path; the default, `caseapp.sms.console.SmsBackend`, writes
messages to the log, so the app runs with nothing configured. `caseapp.sms.twilio.SmsBackend` sends through
Twilio's maintained Python client. A backend has one method, `send(to, text)`, that raises on failure.
"""

from django.conf import settings
from django.utils.module_loading import import_string


def get_backend(path: str | None = None):
    """An instance of the configured backend (or of `path`)."""
    return import_string(path or settings.SMS_BACKEND)()


def send_sms(to: str, text: str) -> str:
    """Send `text` to the number `to` (E.164); returns the provider's message id, if any. Raises on failure."""
    return get_backend().send(to, text)
