"""What happens around a sign-in, from Django's and django-axes' signals (docs/security.md): the audit rows of
sign-ins, failures, sign-outs and lockouts (through caseapp.signin_audit.record_sign_in_event only), the marks
of a new session (caseapp/sessions.py), and the end of every session of a user whose password changed or whose
account was deactivated, whoever made the change (an admin page, the Django admin, `manage.py
changepassword`). Connected from CaseappConfig.ready(); axes' own receivers run first (it is installed before
caseapp), so a request is already marked as locked out when these run.
"""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save, pre_save
from django.utils import timezone

from . import sessions
from .models import AuditAction, User
from .signin_audit import record_sign_in_event


def _account(username):
    if not username:
        return None
    return User.objects.filter(username=username).first()


def on_signed_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        sessions.start(request.session, timezone.now())
        sessions.forget_finished(user, timezone.now())
        sessions.track(user, request.session)
    record_sign_in_event(AuditAction.SIGN_IN, user=user, request=request)


def on_sign_in_failed(sender, credentials, request=None, **kwargs):
    username = (credentials or {}).get("username") or ""
    # Refused without a password check: the account or address was already locked out (caseapp/lockout.py).
    refused = bool(getattr(request, "axes_locked_out", False)) and getattr(
        request, "axes_failures_since_start", None
    ) is None
    record_sign_in_event(
        AuditAction.SIGN_IN_FAILED, user=_account(username), username=username, request=request,
        detail={"reason": "locked_out" if refused else "wrong_credentials"},
    )


def on_locked_out(sender, request, username, ip_address=None, **kwargs):
    # Sent again for each refused attempt while locked; the lock begins at the failure that was counted.
    if getattr(request, "axes_failures_since_start", None) is None:
        return
    record_sign_in_event(
        AuditAction.LOCKED_OUT, user=_account(username), username=username or "", request=request,
        detail={"failures": request.axes_failures_since_start},
    )


def on_signed_out(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        sessions.forget(request.session.session_key)
    if user is not None:
        record_sign_in_event(AuditAction.SIGN_OUT, user=user, request=request)


def _remember_credential_change(sender, instance, update_fields=None, **kwargs):
    instance._ends_sessions = False
    if instance.pk is None or (update_fields is not None and not {"password", "is_active"} & set(update_fields)):
        return
    before = User.objects.filter(pk=instance.pk).values("password", "is_active").first()
    if before is not None:
        instance._ends_sessions = before["password"] != instance.password or (
            before["is_active"] and not instance.is_active
        )


def _end_sessions_after_credential_change(sender, instance, created, **kwargs):
    if getattr(instance, "_ends_sessions", False):
        instance._ends_sessions = False
        sessions.end_sessions_of(instance)


def connect():
    user_logged_in.connect(on_signed_in, dispatch_uid="caseapp.signin_events.signed_in")
    user_login_failed.connect(on_sign_in_failed, dispatch_uid="caseapp.signin_events.failed")
    user_logged_out.connect(on_signed_out, dispatch_uid="caseapp.signin_events.signed_out")
    user_locked_out.connect(on_locked_out, dispatch_uid="caseapp.signin_events.locked_out")
    pre_save.connect(_remember_credential_change, sender=User, dispatch_uid="caseapp.signin_events.pre_save")
    post_save.connect(
        _end_sessions_after_credential_change, sender=User, dispatch_uid="caseapp.signin_events.post_save"
    )
