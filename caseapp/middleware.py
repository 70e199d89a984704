import ipaddress

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from . import sessions, two_factor, work
from .local_time import agency_zone
from .models import AuditAction
from .signin_audit import record_sign_in_event


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


class WorkCountMiddleware:
    """A request that may change something (not GET or HEAD) drops the person's kept overdue count, so the top bar
    shows the effect of what they just did on the next page (caseapp/work.py `top_bar_overdue_count`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if request.method not in ("GET", "HEAD") and user is not None and user.is_authenticated:
            work.forget_top_bar_count(user)
        return response


class SessionLimitsMiddleware:
    """Sign out a session past its idle timeout or its absolute lifetime, and record activity
    (caseapp/sessions.py; docs/security.md#sessions). Enforced here, on the server: the page's warning
    (static/js/session-timeout.js) only tells the person in time.

    An expired session is emptied (not through logout(), which would audit a sign-out the person did not make)
    and audited as SESSION_EXPIRED; the person lands on the sign-in page with a message, or a background
    request gets a 401 it can act on.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            now = timezone.now()
            reason = sessions.expiry(request.session, user, now)
            if reason is not None:
                return self._expire(request, user, reason)
            if not sessions.is_background(request):
                sessions.touch(request.session, now)
        response = self.get_response(request)
        if request.user.is_authenticated and hasattr(request, "session"):
            sessions.track(request.user, request.session)
        return response

    def _expire(self, request, user, reason):
        record_sign_in_event(AuditAction.SESSION_EXPIRED, user=user, request=request, detail={"reason": reason})
        sessions.forget(request.session.session_key)
        request.session.flush()
        request.user = AnonymousUser()
        if sessions.is_background(request):
            return JsonResponse({"signed_in": False}, status=401)
        if reason == sessions.IDLE:
            minutes = sessions.idle_minutes(user)
            text = (
                f"You were signed out after {minutes} minutes without activity, to keep the records safe. "
                "Please sign in again."
            )
        else:
            text = (
                f"You were signed out because your sign-in was more than {settings.SESSION_ABSOLUTE_HOURS:g} "
                "hours ago, to keep the records safe. Please sign in again."
            )
        messages.info(request, text)
        return redirect_to_login(request.get_full_path())
