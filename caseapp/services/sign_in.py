"""Actions on a person's sign-in: an agency admin unlocking an account locked out by failed sign-ins
(caseapp/lockout.py, docs/security.md#lockout), and a person changing their own password."""

from django.contrib.auth import update_session_auth_hash
from django.db import transaction

from .. import access, lockout, sessions
from ..models import AuditAction, User
from ..signin_audit import record_sign_in_event


@transaction.atomic
def unlock_account(*, actor, staff_id, request=None) -> User:
    """Forget the account's failed sign-ins, so its owner may sign in again at once; audited as UNLOCKED. An
    account outside the admin's agency is not found (404). A lockout of an address is not an account's: it
    ends with its cool-off (or `manage.py axes_reset_ip`)."""
    staff = access.get_in_scope_or_404(access.staff_manageable_by(actor), staff_id)
    was_locked = staff.username in lockout.locked_usernames([staff.username])
    cleared = lockout.clear_account(staff.username)
    record_sign_in_event(
        AuditAction.UNLOCKED, user=staff, actor=actor, request=request,
        detail={"was_locked": was_locked, "failures_cleared": cleared},
    )
    return staff


def change_own_password(*, request, user, new_password) -> None:
    """The person sets a new password (already validated by OwnPasswordForm). Every session of theirs ends
    (caseapp/signin_events.py, one rule for a password change), then this one is renewed under a new key, so
    they stay signed in here and nowhere else. Audited as PASSWORD_CHANGED."""
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        record_sign_in_event(AuditAction.PASSWORD_CHANGED, user=user, request=request)
    update_session_auth_hash(request, user)
    sessions.track(user, request.session)
