"""SMS through Twilio's maintained Python client (`twilio` in requirements.txt; README "Dependencies").

Configured from the environment (caseapp/settings.py): TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM_NUMBER.
TWILIO_API_BASE_URL points the client at another address (a regional proxy, or the local server of the tests):
the client builds every URL on https://api.twilio.com (or a regional host), so a custom HTTP client, which the
Twilio client accepts as `http_client`, swaps the scheme and host before the request goes out.
"""

from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _http_client(base_url: str):
    from twilio.http.http_client import TwilioHttpClient

    base = urlsplit(base_url)

    class RebasedHttpClient(TwilioHttpClient):
        def request(self, method, url, *args, **kwargs):
            parts = urlsplit(url)
            url = urlunsplit((base.scheme, base.netloc, base.path.rstrip("/") + parts.path, parts.query, ""))
            return super().request(method, url, *args, **kwargs)

    return RebasedHttpClient(timeout=settings.SMS_TIMEOUT_SECONDS)


class SmsBackend:
    def __init__(self):
        sid, token, sender = settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, settings.TWILIO_FROM_NUMBER
        if not (sid and token and sender):
            raise ImproperlyConfigured(
                "The Twilio SMS backend needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER."
            )
        from twilio.http.http_client import TwilioHttpClient
        from twilio.rest import Client

        base_url = settings.TWILIO_API_BASE_URL
        http_client = _http_client(base_url) if base_url else TwilioHttpClient(timeout=settings.SMS_TIMEOUT_SECONDS)
        self.client = Client(sid, token, http_client=http_client)
        self.sender = sender

    def send(self, to: str, text: str) -> str:
        message = self.client.messages.create(to=to, from_=self.sender, body=text)
        return message.sid
