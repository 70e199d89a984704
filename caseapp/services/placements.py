"""Add, correct and end placements. A youth's placements never overlap; at most one is current."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .. import access, audit
from ..models import AuditAction, Placement, PlacementEndReason, Youth
from .errors import EditConflict, save_as

EDITABLE_FIELDS = (
    "placement_type", "provider_name", "provider_phone", "address", "city", "state",
    "postal_code", "start_date", "end_date", "end_reason", "notes",
)


def overlaps(a_start, a_end, b_start, b_end) -> bool:
    """Do [a_start, a_end) and [b_start, b_end) share a day? An empty end means still open."""
    far = datetime.date.max
    return a_start < (b_end or far) and b_start < (a_end or far)


def _describe(p: Placement) -> str:
    until = f"{p.end_date:%m/%d/%Y}" if p.end_date else "now"
    return f"{p.get_placement_type_display()} with {p.provider_name} ({p.start_date:%m/%d/%Y} – {until})"


def _validate(placement: Placement, others):
    errors = {}
    today = timezone.localdate()
    if placement.start_date > today:
        errors["start_date"] = "The start date cannot be in the future."
    if placement.end_date is not None:
        same_day_allowed = placement.is_missing_spell and placement.end_date == placement.start_date
        if placement.end_date <= placement.start_date and not same_day_allowed:
            errors["end_date"] = "The end date must be at least one day after the start date."
        elif placement.end_date > today:
            errors["end_date"] = "The end date cannot be in the future."
        if not placement.end_reason:
            errors["end_reason"] = "Give the reason the placement ended."
    else:
        placement.end_reason = ""
    if errors:
        raise ValidationError(errors)
    for other in others:
        if placement.end_date is None and other.end_date is None:
            raise ValidationError(
                f"{_describe(other)} is still the current placement. End it first, or give this "
                "placement an end date."
            )
        if overlaps(placement.start_date, placement.end_date, other.start_date, other.end_date):
            raise ValidationError(f"These dates overlap another placement: {_describe(other)}.")


def _save(placement: Placement, actor):
    save_as(
        actor,
        placement,
        refused="These dates overlap another placement of this youth, or another placement is still "
        "current. Reload the page to see the latest placements.",
    )


def _lock_youth(actor, youth_id) -> Youth:
    # Locking the youth serialises placement changes for one youth, so the overlap check is sound.
    return access.get_youth_or_404(
        actor, youth_id, for_edit=True, queryset=Youth.objects.select_for_update()
    )


@transaction.atomic
def add_placement(*, actor, youth_id, end_current_with_reason="", ip=None, **fields) -> Placement:
    """Record a placement. With `end_current_with_reason`, the current placement ends the day this one starts."""
    youth = _lock_youth(actor, youth_id)
    placement = Placement(youth=youth, **fields)
    others = list(youth.placements.all())
    current = next((p for p in others if p.end_date is None), None)
    if end_current_with_reason and current is not None and placement.start_date > current.start_date:
        current.end_date = placement.start_date
        current.end_reason = end_current_with_reason
        current.version += 1
        _save(current, actor)
        audit.record(
            actor, AuditAction.UPDATE, current, youth=youth, ip=ip,
            detail={"changed": ["end_date", "end_reason"], "reason": "moved to a new placement"},
        )
    _validate(placement, others)
    _save(placement, actor)
    audit.record(actor, AuditAction.CREATE, placement, youth=youth, ip=ip)
    return placement


@transaction.atomic
def update_placement(*, actor, youth_id, placement_id, expected_version, ip=None, **fields) -> Placement:
    youth = _lock_youth(actor, youth_id)
    placement = access.get_in_scope_or_404(youth.placements.all(), placement_id)
    if placement.version != expected_version:
        raise EditConflict(current=placement)
    changed = sorted(k for k, v in fields.items() if getattr(placement, k) != v)
    for name, value in fields.items():
        setattr(placement, name, value)
    _validate(placement, youth.placements.exclude(pk=placement.pk))
    if not changed:
        return placement
    placement.version += 1
    _save(placement, actor)
    audit.record(actor, AuditAction.UPDATE, placement, youth=youth, ip=ip, detail={"changed": changed})
    return placement


def end_placement(*, actor, youth_id, placement_id, expected_version, end_date, end_reason, ip=None):
    if not end_reason:
        raise ValidationError({"end_reason": "Give the reason the placement ended."})
    if end_reason not in PlacementEndReason.values:
        raise ValidationError({"end_reason": "Choose a reason from the list."})
    return update_placement(
        actor=actor, youth_id=youth_id, placement_id=placement_id,
        expected_version=expected_version, ip=ip, end_date=end_date, end_reason=end_reason,
    )
