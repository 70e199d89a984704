"""Signing in with a second factor, and each person's "Sign-in security" page (docs/security.md).

/login/ stays Django's LoginView (the fields "Username" and "Password", `authenticate(request=...)` so the
authentication backends and their lockout apply); after a correct password a person who has an authenticator
app, or must have one, goes on to the second step instead of being signed in (caseapp/two_factor.py).
"""

from base64 import b32encode

import segno
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET

from .. import two_factor
from ..forms.base import add_service_error
from ..forms.sign_in import CodeForm, OwnPasswordForm, sign_in_code_form
from ..services import sign_in as sign_in_services
from ..services import two_factor as two_factor_services
from .sign_in_activity import locked_out

NEW_CODES_SESSION_KEY = "two_factor_new_codes"


class SignInView(auth_views.LoginView):
    """The password step. A person who needs no second factor is signed in as before."""

    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if not two_factor.needs_second_step(user):
            return super().form_valid(form)
        two_factor.begin(self.request, user, self.get_redirect_url())
        return redirect(two_factor.step_url(user))


def _safe_next(request, url):
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
        return url
    return reverse("dashboard")


def _start_over(request, timed_out):
    """No half-done sign-in here (none, or it took too long): back to the sign-in page."""
    if timed_out:
        messages.info(request, "Please log in again: the second step waits only a few minutes after the password.")
    return redirect_to_login(reverse("dashboard"))


@login_not_required
def sign_in_code(request):
    """The second step: a code from the authenticator app, or a recovery code."""
    if request.user.is_authenticated:
        return redirect("dashboard")
    timed_out = two_factor.PENDING_SESSION_KEY in request.session
    user = two_factor.pending_user(request)
    if user is None:
        return _start_over(request, timed_out)
    if not two_factor.has_authenticator(user):
        return redirect("two_factor_set_up")
    form = sign_in_code_form(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = two_factor_services.verify_sign_in(user=user, code=form.cleaned_data["code"], request=request)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            next_url = two_factor.complete(request, user, device)
            if device.persistent_id != two_factor.authenticator_of(user).persistent_id:
                left = two_factor_services.recovery_codes_left(user)
                messages.warning(
                    request,
                    f"You signed in with a recovery code; {left} left. If your phone is lost, make new recovery "
                    "codes or ask an agency admin to reset your second factor (Sign-in security page).",
                )
            return redirect(_safe_next(request, next_url))
    return render(request, "registration/sign_in_code.html", {"form": form})


def _qr_svg(uri: str) -> str:
    svg = segno.make(uri, error="m").svg_inline(scale=4, border=2, title="QR code for your authenticator app")
    return svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1)


def _grouped(secret: str) -> str:
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


@login_not_required
def two_factor_set_up(request):
    """Set up an authenticator app: scan the QR code (or type the secret), then confirm with its first code. At
    sign-in for a person who must have one; from the Sign-in security page for anyone else."""
    signing_in = not request.user.is_authenticated
    timed_out = two_factor.PENDING_SESSION_KEY in request.session
    user = two_factor.pending_user(request) if signing_in else request.user
    if user is None:
        return _start_over(request, timed_out)
    if two_factor.has_authenticator(user):
        return redirect("sign_in_code" if signing_in else "sign_in_security")
    device = two_factor_services.start_set_up(user=user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = two_factor_services.confirm_set_up(
                user=user, code=form.cleaned_data["code"], request=request
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            next_url = two_factor.complete(request, user, device) if signing_in else reverse("sign_in_security")
            if not signing_in:
                two_factor.verified_by(request, device)
            request.session[NEW_CODES_SESSION_KEY] = {"codes": codes, "next": next_url}
            messages.success(request, "Your authenticator app is set up.")
            return redirect("recovery_codes_show")
    secret = b32encode(device.bin_key).decode()
    return render(request, "registration/two_factor_set_up.html", {
        "form": form,
        "signing_in": signing_in,
        "required": two_factor.required_for(user),
        "qr_svg": _qr_svg(device.config_url),
        "secret": _grouped(secret),
        "account_name": user.get_username(),
        "issuer": device._read_str_from_settings("OTP_TOTP_ISSUER") or "",
    })


@require_GET
def recovery_codes_show(request):
    """The recovery codes just made, shown this once."""
    new = request.session.pop(NEW_CODES_SESSION_KEY, None)
    if not new:
        messages.info(request, "Recovery codes are shown only once, when they are made. Make new ones here if you "
                               "no longer have them.")
        return redirect("sign_in_security")
    return render(request, "registration/recovery_codes.html", {
        "codes": new["codes"], "next_url": _safe_next(request, new.get("next")),
    })


@require_GET
def sign_in_security(request):
    user = request.user
    device = two_factor.authenticator_of(user)
    return render(request, "registration/sign_in_security.html", {
        "device": device,
        "required": two_factor.required_for(user),
        "codes_left": two_factor_services.recovery_codes_left(user) if device else 0,
    })


def _with_code(request, service, template, success):
    if two_factor.authenticator_of(request.user) is None:
        return redirect("sign_in_security")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = service(user=request.user, code=form.cleaned_data["code"], request=request)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            return success(result)
    return render(request, template, {"form": form, "required": two_factor.required_for(request.user)})


def recovery_codes_new(request):
    """New recovery codes, for a current code from the app."""
    def shown(codes):
        request.session[NEW_CODES_SESSION_KEY] = {"codes": codes, "next": reverse("sign_in_security")}
        return redirect("recovery_codes_show")

    return _with_code(request, two_factor_services.renew_recovery_codes, "registration/recovery_codes_new.html",
                      shown)


def two_factor_remove(request):
    """Remove one's own authenticator app, for a current code from it. A person who must have one sets up a new one
    at once (the middleware holds their session at the set-up)."""
    def removed(_result):
        messages.success(request, "Your authenticator app and recovery codes are removed.")
        return redirect("sign_in_security")

    return _with_code(request, two_factor_services.remove_own, "registration/two_factor_remove.html", removed)


def password_change(request):
    """The person changes their own password, with their current one. Five wrong current passwords lock the
    account as five wrong sign-ins do, and sign this session out (caseapp/forms/sign_in.py OwnPasswordForm)."""
    form = OwnPasswordForm(request.user, request.POST or None, request=request)
    if request.method == "POST":
        if form.is_valid():
            sign_in_services.change_own_password(
                request=request, user=request.user, new_password=form.cleaned_data["new_password1"]
            )
            messages.success(
                request, "Your password is changed. You stay signed in here; anywhere else you were signed in with "
                "the old password is signed out."
            )
            return redirect("sign_in_security")
        if form.locked_out:
            username = request.user.get_username()
            logout(request)
            return locked_out(request, credentials={"username": username})
    return render(request, "registration/password_change.html", {"form": form})
