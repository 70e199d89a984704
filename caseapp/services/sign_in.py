"""An agency admin's actions on another person's sign-in: unlocking an account locked out by failed sign-ins
(caseapp/lockout.py, docs/security.md#lockout)."""

from django.db import transaction

from .. import access, lockout
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
