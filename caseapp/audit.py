"""The audit trail: one function writes every event, inside the caller's transaction."""

from .models import AuditAction, AuditEvent


def client_ip(request) -> str | None:
    """The client's address (behind the proxy, from X-Forwarded-For: caseapp/middleware.py ForwardedForMiddleware)."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record(actor, action: AuditAction, obj, *, youth=None, ip=None, detail=None) -> AuditEvent:
    """Write one audit event for `obj`. Call it inside the transaction that makes the change."""
    agency_id = getattr(youth, "agency_id", None) or getattr(obj, "agency_id", None)
    if agency_id is None and getattr(actor, "agency_id", None):
        agency_id = actor.agency_id
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        agency_id=agency_id,
        action=action,
        object_type=obj._meta.model_name,
        object_id=str(obj.pk),
        youth=youth,
        ip_address=ip,
        detail=detail or {},
    )
