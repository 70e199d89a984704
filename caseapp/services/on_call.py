"""The on-call roster's verbs: add or remove a weekly shift or a one-off swap (docs/design.md#on-call).

Only an agency admin changes their own agency's roster. Each verb checks every rule with a message per field,
writes its row and its audit row in one transaction, and writes nothing when it refuses.

Removing is a soft delete (removed_at, removed_by) rather than a deleted row: alerts sent from the roster
name the person who was on call, and "who was on call that night, and who took them off" must stay
answerable from the rows themselves (docs/design.md#rule-nothing-lost); simple_history keeps each change too.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .. import access, audit
from ..models import AuditAction, OnCallShift, OnCallSwap, Team, User
from .errors import save_as


def _require_manager(actor):
    access.require(access.can_manage_on_call(actor))


def _check_team(errors, actor, team):
    if team is not None and (not isinstance(team, Team) or team.agency_id != actor.agency_id):
        errors["team"] = "Choose a team of this agency, or agency-wide."


def _check_person(errors, field, actor, user):
    if not isinstance(user, User) or user.agency_id != actor.agency_id or not user.is_active or not user.role:
        errors[field] = "Choose an active staff member of this agency."


@transaction.atomic
def add_shift(*, actor, user, weekday, start_hour, end_hour, team=None, position=1, note="", ip=None) -> OnCallShift:
    _require_manager(actor)
    errors = {}
    _check_team(errors, actor, team)
    _check_person(errors, "user", actor, user)
    if weekday not in range(7):
        errors["weekday"] = "Choose a day of the week."
    if start_hour not in range(24):
        errors["start_hour"] = "Choose a start hour from 00:00 to 23:00."
    if end_hour not in range(1, 25):
        errors["end_hour"] = "Choose an end hour from 01:00 to 24:00."
    elif start_hour == end_hour:
        errors["end_hour"] = "A shift must end at another hour than it starts (22:00 to 06:00 runs overnight)."
    if not isinstance(position, int) or position < 1:
        errors["position"] = "Position 1 is first call, 2 the backup: at least 1."
    if errors:
        raise ValidationError(errors)
    shift = OnCallShift(
        agency_id=actor.agency_id,
        team=team,
        user=user,
        weekday=weekday,
        start_hour=start_hour,
        end_hour=end_hour,
        position=position,
        note=(note or "").strip(),
        created_by=actor,
    )
    save_as(actor, shift, refused={"end_hour": "The shift's hours or position are not valid."})
    audit.record(
        actor,
        AuditAction.CREATE,
        shift,
        ip=ip,
        detail={
            "user": user.pk,
            "team": team.pk if team else None,
            "weekday": weekday,
            "start_hour": start_hour,
            "end_hour": end_hour,
            "position": position,
        },
    )
    return shift


@transaction.atomic
def add_swap(*, actor, user, starts_at, ends_at, team=None, replaces=None, note="", ip=None) -> OnCallSwap:
    _require_manager(actor)
    errors = {}
    _check_team(errors, actor, team)
    _check_person(errors, "user", actor, user)
    if replaces is not None:
        if not isinstance(replaces, User) or replaces.agency_id != actor.agency_id:
            errors["replaces"] = "Choose a staff member of this agency, or nobody."
        elif replaces.pk == getattr(user, "pk", None):
            errors["replaces"] = "A person cannot replace themselves."
    if starts_at is None:
        errors["starts_at"] = "Enter when the swap starts."
    if ends_at is None:
        errors["ends_at"] = "Enter when the swap ends."
    elif starts_at is not None and ends_at <= starts_at:
        errors["ends_at"] = "The swap must end after it starts."
    if errors:
        raise ValidationError(errors)
    swap = OnCallSwap(
        agency_id=actor.agency_id,
        team=team,
        user=user,
        replaces=replaces,
        starts_at=starts_at,
        ends_at=ends_at,
        note=(note or "").strip(),
        created_by=actor,
    )
    save_as(actor, swap, refused={"ends_at": "The swap must end after it starts."})
    audit.record(
        actor,
        AuditAction.CREATE,
        swap,
        ip=ip,
        detail={
            "user": user.pk,
            "replaces": replaces.pk if replaces else None,
            "team": team.pk if team else None,
            "starts_at": starts_at.isoformat(),
            "ends_at": ends_at.isoformat(),
        },
    )
    return swap


def _remove(actor, model, pk, ip):
    _require_manager(actor)
    row = access.get_in_scope_or_404(model.objects.current().filter(agency_id=actor.agency_id).select_for_update(), pk)
    row.removed_at = timezone.now()
    row.removed_by = actor
    row._history_user = actor
    row.save(update_fields=["removed_at", "removed_by"])
    # The audit trail has no "removed" action: a removal is an update of the row, named in the detail.
    audit.record(actor, AuditAction.UPDATE, row, ip=ip, detail={"removed": True, "user": row.user_id})
    return row


@transaction.atomic
def remove_shift(*, actor, shift_id, ip=None) -> OnCallShift:
    return _remove(actor, OnCallShift, shift_id, ip)


@transaction.atomic
def remove_swap(*, actor, swap_id, ip=None) -> OnCallSwap:
    return _remove(actor, OnCallSwap, swap_id, ip)
