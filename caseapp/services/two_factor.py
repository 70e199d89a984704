"""The second factor's verbs: set up an authenticator app, check a code, make recovery codes, remove one's own
authenticator, and an agency admin's reset of a lost one (docs/security.md). Each change writes its sign-in
audit row (caseapp/signin_audit.py) in the same transaction.

Codes are checked with django-otp (`django_otp.verify_token`: the device row locked, a code used once, the
throttle of wrong codes kept per device). A check is never inside a transaction that a refusal rolls back, so
a wrong code always counts toward the throttle.
"""

import math
import re

import django_otp
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .. import access, sessions
from ..models import AuditAction
from ..signin_audit import record_sign_in_event
from ..two_factor import authenticator_of

AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"
WRONG_CODE = "That code is not right. Check the app shows this account, and enter the 6 digits it shows now."
WRONG_RECOVERY_CODE = "That recovery code is not right, or it was used already. Each one works once."
_TOTP_SHAPE = re.compile(r"^[0-9]{6}$")


def _clean(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()


def _throttled_message(device):
    allowed, info = device.verify_is_allowed()
    if allowed:
        return None
    wait = math.ceil(((info or {}).get("locked_until", timezone.now()) - timezone.now()).total_seconds())
    wait = max(wait, 1)
    return (
        f"Too many wrong codes in a row. Please wait {wait} second{'s' if wait != 1 else ''}, then try again "
        "(each wrong code makes the next wait longer)."
    )


def _check(user, device, code: str, wrong_message: str):
    """`device` if `code` is right for it now; else a ValidationError on the code (the throttle's wait, when it
    applies, instead)."""
    throttled = _throttled_message(device)
    if throttled:
        raise ValidationError({"code": ValidationError(throttled, code="throttled")})
    verified = django_otp.verify_token(user, device.persistent_id, code)
    if verified is None:
        raise ValidationError({"code": ValidationError(wrong_message, code="wrong")})
    return verified


def _check_authenticator(user, code: str):
    device = authenticator_of(user)
    if device is None:
        raise ValidationError({"code": "This account has no authenticator app set up."})
    code = _clean(code)
    if not _TOTP_SHAPE.match(code):
        raise ValidationError({"code": "Enter the 6 digits your authenticator app shows now."})
    return _check(user, device, code, WRONG_CODE)


# --- Setting up an authenticator app -------------------------------------------------------------------------


def start_set_up(*, user) -> TOTPDevice:
    """The unconfirmed authenticator of `user` whose secret the set-up page shows: the same one on every visit
    until it is confirmed, so a reload does not change the secret being scanned."""
    if authenticator_of(user) is not None:
        raise ValidationError("An authenticator app is already set up for this account.")
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


def confirm_set_up(*, user, code: str, request=None) -> tuple[TOTPDevice, list[str]]:
    """The first code from the app proves it holds the secret: the authenticator is confirmed and a first set of
    recovery codes made. Returns the device and the recovery codes (shown once)."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("pk").first()
    if device is None or authenticator_of(user) is not None:
        raise ValidationError({"code": "Start the set-up again: this page is out of date."})
    code = _clean(code)
    if not _TOTP_SHAPE.match(code):
        raise ValidationError({"code": "Enter the 6 digits your authenticator app shows now."})
    throttled = _throttled_message(device)
    if throttled:
        raise ValidationError({"code": ValidationError(throttled, code="throttled")})
    # An unconfirmed device is not found by django_otp.verify_token (it asks for confirmed ones only), so it is
    # checked here the same way: locked, one use per code, throttled.
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        verified = device.verify_token(code)
    if not verified:
        raise ValidationError({"code": ValidationError(WRONG_CODE, code="wrong")})
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.devices_for_user(user, confirmed=False).delete()
        record_sign_in_event(AuditAction.TWO_FACTOR_ADDED, user=user, request=request)
        codes = _make_recovery_codes(user, request)
    return device, codes


# --- Recovery codes ------------------------------------------------------------------------------------------


def _make_recovery_codes(user, request) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = []
    while len(codes) < settings.TWO_FACTOR_RECOVERY_CODES:
        token = StaticToken.random_token()
        if token not in codes:
            codes.append(token)
    StaticToken.objects.bulk_create([StaticToken(device=device, token=token) for token in codes])
    record_sign_in_event(AuditAction.RECOVERY_CODES, user=user, request=request, detail={"count": len(codes)})
    return codes


def renew_recovery_codes(*, user, code: str, request=None) -> list[str]:
    """New recovery codes for a current code from the app; the old ones stop working."""
    _check_authenticator(user, code)
    with transaction.atomic():
        return _make_recovery_codes(user, request)


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# --- The second step of a sign-in ----------------------------------------------------------------------------


def verify_sign_in(*, user, code: str, request=None):
    """The device that accepts `code` at the second step: 6 digits are a code from the app, anything else a
    recovery code (used up by this). A wrong code is audited as a failed sign-in."""
    cleaned = _clean(code)
    try:
        if _TOTP_SHAPE.match(cleaned):
            return _check_authenticator(user, cleaned)
        recovery = StaticDevice.objects.devices_for_user(user, confirmed=True).first()
        if recovery is None or not cleaned:
            raise ValidationError({"code": ValidationError(WRONG_RECOVERY_CODE, code="wrong")})
        device = _check(user, recovery, cleaned, WRONG_RECOVERY_CODE)
    except ValidationError as exc:
        reason = "throttled" if _is_throttled(exc) else "wrong code"
        record_sign_in_event(
            AuditAction.SIGN_IN_FAILED, user=user, request=request, detail={"step": "second factor", "reason": reason}
        )
        raise
    record_sign_in_event(
        AuditAction.RECOVERY_CODE_USED, user=user, request=request, detail={"left": recovery_codes_left(user)}
    )
    return device


def _is_throttled(exc: ValidationError) -> bool:
    return any(error.code == "throttled" for errors in exc.error_dict.values() for error in errors)


# --- Removing and resetting ----------------------------------------------------------------------------------


def remove_own(*, user, code: str, request=None):
    """The person removes their own authenticator app (and recovery codes), proving it with a current code."""
    _check_authenticator(user, code)
    with transaction.atomic():
        _remove_devices(user)
        record_sign_in_event(AuditAction.TWO_FACTOR_REMOVED, user=user, request=request)


def reset(*, actor, staff_id, request=None):
    """An agency admin (of the account's own agency) or a superuser removes a staff member's lost authenticator
    and recovery codes and ends every session of theirs: their next sign-in sets up a new one."""
    staff = access.get_in_scope_or_404(access.staff_manageable_by(actor), staff_id)
    with transaction.atomic():
        removed = _remove_devices(staff)
        # One rule for ending a person's sessions (caseapp/sessions.py), as for a password change.
        ended = sessions.end_sessions_of(staff)
        record_sign_in_event(
            AuditAction.TWO_FACTOR_RESET, user=staff, actor=actor, request=request,
            detail={"devices_removed": removed, "sessions_ended": ended},
        )
    return staff


def _remove_devices(user) -> int:
    removed = TOTPDevice.objects.filter(user=user).count() + StaticDevice.objects.filter(user=user).count()
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    return removed
