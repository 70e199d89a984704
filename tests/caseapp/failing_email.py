"""An email backend that always fails, as an unreachable mail server does (tests of alert retries)."""

from django.core.mail.backends.base import BaseEmailBackend


class Backend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("SMTP server is unreachable")
