from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.utils import timezone

from . import sessions
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
