"""Sign-in events in the one audit trail (caseapp/audit.py): sign-ins, failures, sign-outs, lockouts, expired
sessions and second-factor changes. Agency admins see their agency's rows; a failed sign-in for a username that
matches no account has no agency, and only superusers see it (docs/security.md)."""

from .audit import client_ip
from .models import SIGN_IN_ACTIONS, AuditAction, AuditEvent


def record_sign_in_event(action: AuditAction, *, user=None, username: str = "", request=None, actor=None,
                         detail: dict | None = None) -> AuditEvent:
    """One sign-in event about `user` (the account it concerns; None when the username matched no account).

    `actor` is who did it when that is someone else (an admin resetting a second factor or unlocking an
    account); otherwise the account itself. The username typed is kept in `detail` for failures.
    """
    assert action in SIGN_IN_ACTIONS, action
    account = user if getattr(user, "pk", None) else None
    doer = actor if getattr(actor, "pk", None) else account
    detail = dict(detail or {})
    if username:
        detail.setdefault("username", username[:150])
    return AuditEvent.objects.create(
        actor=doer,
        agency_id=getattr(account, "agency_id", None) or getattr(doer, "agency_id", None),
        action=action,
        object_type="user",
        object_id=str(account.pk) if account else "",
        ip_address=client_ip(request),
        detail=detail,
    )
