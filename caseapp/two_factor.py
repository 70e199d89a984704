"""The second factor at sign-in: who must use one, and the half-done sign-in between the password and the code
(docs/security.md).

A correct password alone never signs a person in who has an authenticator app or must have one. The sign-in
page (caseapp/views/sign_in.py) then keeps only "this account passed its password, at this time, through this
backend" in the session (`begin`) and sends the person to the second step; until that step succeeds the session
is not signed in, so every page but the steps, the sign-in page and sign-out sends them back (Django's
LoginRequiredMiddleware). `complete` signs them in with Django's `login` (the user_logged_in signal, and so the
sign-in audit, fires only then) and records the device that verified them (django_otp.login), which
django_otp's middleware reads on every request as `request.user.is_verified()`.

A session signed in some other way that must have a second factor and has not passed it (an account that
became a supervisor while signed in, an agency that turned the caseworker setting on, a device an admin reset)
is turned back into that half-done sign-in by caseapp/middleware.py, so it too reaches no page before the step.
"""

import time

import django_otp
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, get_user_model, login
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import Role

PENDING_SESSION_KEY = "two_factor_pending"
# Roles that always sign in with a second factor: they see and decide about many youth, or run the agency.
ALWAYS_REQUIRED_ROLES = frozenset({Role.SUPERVISOR, Role.AGENCY_STAFF, Role.AGENCY_ADMIN})


def required_for(user) -> bool:
    """Whether `user` must sign in with a second factor: superusers and anyone with admin-site access, supervisors,
    agency staff and admins always; caseworkers when their agency says so."""
    if user is None or not getattr(user, "pk", None):
        return False
    if user.is_superuser or user.is_staff or user.role in ALWAYS_REQUIRED_ROLES:
        return True
    if user.role == Role.CASEWORKER and user.agency_id is not None:
        return bool(user.agency.require_two_factor_for_caseworkers)
    return False


def authenticator_of(user):
    """The user's confirmed authenticator app (a TOTP device), or None."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("pk").first()


def has_authenticator(user) -> bool:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def needs_second_step(user) -> bool:
    """Whether a correct password must be followed by the second step: the user has an authenticator app, or must
    have one (and then sets it up at that step)."""
    return required_for(user) or has_authenticator(user)


# --- The half-done sign-in -----------------------------------------------------------------------------------


def begin(request, user, next_url: str, backend: str | None = None):
    """`user` passed their password (or had a signed-in session that must still pass the second factor): keep
    only that in a new session key (no session fixation), not signed in."""
    backend = backend or getattr(user, "backend", None) or settings.AUTHENTICATION_BACKENDS[0]
    request.session.flush()
    request.session[PENDING_SESSION_KEY] = {
        "user_id": user.pk,
        "backend": backend,
        "since": time.time(),
        "next": next_url,
    }


def pending_user(request):
    """The active account of the half-done sign-in in this session, or None (none, or too old: then it is
    forgotten and the person starts at the sign-in page again)."""
    state = request.session.get(PENDING_SESSION_KEY)
    if not state:
        return None
    if time.time() - state.get("since", 0) > settings.TWO_FACTOR_STEP_SECONDS:
        del request.session[PENDING_SESSION_KEY]
        return None
    user = get_user_model().objects.filter(pk=state.get("user_id"), is_active=True).select_related("agency").first()
    if user is None:
        del request.session[PENDING_SESSION_KEY]
    return user


def pending_next(request) -> str:
    return (request.session.get(PENDING_SESSION_KEY) or {}).get("next") or settings.LOGIN_REDIRECT_URL


def complete(request, user, device):
    """The second step succeeded: sign `user` in (a new session key again) and mark the session verified by
    `device`. Returns where the person was going."""
    state = request.session.get(PENDING_SESSION_KEY) or {}
    next_url = state.get("next") or ""
    login(request, user, backend=state.get("backend") or request.session.get(BACKEND_SESSION_KEY))
    request.session.pop(PENDING_SESSION_KEY, None)
    django_otp.login(request, device)
    return next_url


def verified_by(request, device):
    """A signed-in person just proved a device (set one up): the session counts as verified by it."""
    django_otp.login(request, device)


def step_url(user) -> str:
    """Where a half-done sign-in of `user` continues: the code, or setting up the app they must have."""
    return reverse("sign_in_code") if has_authenticator(user) else reverse("two_factor_set_up")
