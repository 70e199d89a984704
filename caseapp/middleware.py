import ipaddress

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth.models import AnonymousUser
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from . import two_factor
from .local_time import agency_zone


class AgencyTimezoneMiddleware:
    """Show times in the agency's zone; timestamps stay stored in UTC."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        agency = getattr(getattr(request, "user", None), "agency", None)
        if agency is not None:
            timezone.activate(agency_zone(agency))
        else:
            timezone.deactivate()
        return self.get_response(request)


class TwoFactorMiddleware:
    """A signed-in session that must pass the second factor and has not (caseapp/two_factor.py) reaches no page:
    it becomes the half-done sign-in of its account and is sent to the second step (or to set up an
    authenticator app). Runs after django_otp's OTPMiddleware, which tells whether the session is verified."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if request.path == reverse("health_check"):  # a machine's check: it reads no account and shows nothing
            return self.get_response(request)
        if user.is_authenticated and not user.is_verified() and two_factor.needs_second_step(user):
            backend = request.session.get(BACKEND_SESSION_KEY)
            going_to = request.get_full_path() if request.method == "GET" else ""
            two_factor.begin(request, user, going_to if url_has_allowed_host_and_scheme(going_to, None) else "",
                             backend=backend)
            request.user = AnonymousUser()
            if request.path != reverse("logout"):
                return redirect(two_factor.step_url(user))
        return self.get_response(request)


class ForwardedForMiddleware:
    """The client's address behind the reverse proxy (docs/deploy.md#the-reverse-proxy).

    Behind nginx every request comes from the proxy's address; the client's is in X-Forwarded-For. Only a
    request from a trusted proxy (settings.FORWARDED_ALLOW_IPS, the variable gunicorn reads too; a unix socket,
    with no address, counts as the proxy, as gunicorn has it) has that header believed: REMOTE_ADDR becomes the
    rightmost address in it that is not itself a trusted proxy. The header is then removed, so nothing after
    this (the audit trail, the sign-in lockout) can read an address a client typed in.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        entries = [entry.strip() for entry in settings.FORWARDED_ALLOW_IPS if entry.strip()]
        self.trust_all = "*" in entries
        self.trusted = [ipaddress.ip_network(entry, strict=False) for entry in entries if entry != "*"]

    def _is_proxy(self, address: str) -> bool:
        if self.trust_all or address == "":
            return True
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.trusted)

    def __call__(self, request):
        forwarded = request.META.pop("HTTP_X_FORWARDED_FOR", "")
        if forwarded and self._is_proxy(request.META.get("REMOTE_ADDR", "")):
            for candidate in reversed([part.strip() for part in forwarded.split(",")]):
                try:
                    ipaddress.ip_address(candidate)
                except ValueError:
                    break  # garbage in the header: keep the last address that was sound
                request.META["REMOTE_ADDR"] = candidate
                if not self._is_proxy(candidate):
                    break
        return self.get_response(request)
