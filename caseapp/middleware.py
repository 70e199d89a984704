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
        if user.is_authenticated and not user.is_verified() and two_factor.needs_second_step(user):
            backend = request.session.get(BACKEND_SESSION_KEY)
            going_to = request.get_full_path() if request.method == "GET" else ""
            two_factor.begin(request, user, going_to if url_has_allowed_host_and_scheme(going_to, None) else "",
                             backend=backend)
            request.user = AnonymousUser()
            if request.path != reverse("logout"):
                return redirect(two_factor.step_url(user))
        return self.get_response(request)
