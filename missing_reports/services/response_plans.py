"""The response plan after a return interview: its actions added, corrected and marked done
(docs/duties.md#response-plan, §471(a)(35)(A)(ii)).

Each action answers one of the primary factors its interview named (or "other"), has one owner (a member of
staff who may do work for the youth: caseapp.access.work_owners_for) and a due time typed in the agency's time.
A due time already past is accepted: a plan written down after the fact is still the plan, and its action is
overdue at once on its owner's list (caseapp.work.is_overdue). Edits and "done" carry the version the user saw:
a stale save raises EditConflict and writes nothing (caseapp/conflicts.py). Every verb runs in one transaction
with its audit row and history.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from caseapp import access, audit
from caseapp.models import AuditAction
from caseapp.services.errors import EditConflict, save_as

from ..models import RESPONSE_FACTOR_OTHER, Debrief, PrimaryFactor, ResponseAction
from .typed_times import CLOCK_SKEW

ACTION_FIELDS = ("factor", "what", "owner", "due_at")
DONE_FIELDS = ("done_at", "done_note")


def factor_choices(debrief) -> list[tuple[str, str]]:
    """The factors an action of this interview may answer: those the interview named, then "Other"."""
    named = [value for value in debrief.primary_factors if value in PrimaryFactor.values]
    values = [*named, *([] if RESPONSE_FACTOR_OTHER in named else [RESPONSE_FACTOR_OTHER])]
    return [(value, PrimaryFactor(value).label) for value in values]


def _check(errors, fields, debrief):
    if fields.get("factor") not in dict(factor_choices(debrief)):
        errors["factor"] = "Choose one of the factors named in this interview, or “Other”."
    if not (fields.get("what") or "").strip():
        errors["what"] = "Say what will be done."
    owner = fields.get("owner")
    if owner is None:
        errors["owner"] = "Choose who will do it."
    elif not access.work_owners_for(debrief.episode.youth).filter(pk=owner.pk).exists():
        errors["owner"] = "Choose a member of staff who works with this youth."
    due_at = fields.get("due_at")
    if due_at is None:
        errors["due_at"] = "Give the date and time it is due."
    elif due_at < debrief.interview_at:
        errors["due_at"] = "The due time cannot be before the return interview."


def _debrief_for_edit(actor, debrief_id) -> Debrief:
    return access.get_in_scope_or_404(
        Debrief.objects.select_related("episode__youth").filter(episode__youth__in=access.youth_editable_by(actor)),
        debrief_id,
    )


def _action_for_edit(actor, action_id) -> ResponseAction:
    return access.get_in_scope_or_404(
        ResponseAction.objects.select_for_update()
        .select_related("debrief__episode__youth")
        .filter(youth__in=access.youth_editable_by(actor)),
        action_id,
    )


@transaction.atomic
def add_action(*, actor, debrief_id, ip=None, **fields) -> ResponseAction:
    """One action of the plan of this interview."""
    unknown = set(fields) - set(ACTION_FIELDS)
    if unknown:
        raise TypeError(f"Not action fields: {sorted(unknown)}")
    debrief = _debrief_for_edit(actor, debrief_id)
    errors = {}
    _check(errors, fields, debrief)
    if errors:
        raise ValidationError(errors)
    youth = debrief.episode.youth
    action = ResponseAction(debrief=debrief, youth=youth, created_by=actor, **fields)
    action.what = action.what.strip()
    save_as(actor, action, refused="The action could not be saved: please try again.")
    audit.record(actor, AuditAction.CREATE, action, youth=youth, ip=ip)
    return action


@transaction.atomic
def update_action(*, actor, action_id, expected_version, ip=None, **fields) -> ResponseAction:
    """Correct an open action: its factor, what will be done, its owner or its due time."""
    unknown = set(fields) - set(ACTION_FIELDS)
    if unknown:
        raise TypeError(f"Not action fields: {sorted(unknown)}")
    action = _action_for_edit(actor, action_id)
    if action.version != expected_version:
        raise EditConflict(current=action)
    if action.is_done:
        raise ValidationError("This action is done: it can no longer be changed.")
    merged = {name: getattr(action, name) for name in ACTION_FIELDS} | fields
    errors = {}
    _check(errors, merged, action.debrief)
    if errors:
        raise ValidationError(errors)
    merged["what"] = merged["what"].strip()
    changed = sorted(name for name in ACTION_FIELDS if getattr(action, name) != merged[name])
    if not changed:
        return action
    for name in changed:
        setattr(action, name, merged[name])
    action.version += 1
    save_as(actor, action, refused="The action could not be saved: please try again.")
    audit.record(actor, AuditAction.UPDATE, action, youth=action.youth, ip=ip, detail={"changed": changed})
    return action


@transaction.atomic
def complete_action(*, actor, action_id, expected_version, done_at, done_note, ip=None) -> ResponseAction:
    """Mark an action done: when, by whom (the actor), and what was done. It leaves its owner's list."""
    action = _action_for_edit(actor, action_id)
    if action.version != expected_version:
        raise EditConflict(current=action)
    if action.is_done:
        raise ValidationError("This action is already marked done.")
    errors = {}
    if done_at is None:
        errors["done_at"] = "Give the date and time it was done."
    elif done_at > timezone.now() + CLOCK_SKEW:
        errors["done_at"] = "The time it was done cannot be in the future."
    elif done_at < action.debrief.interview_at:
        errors["done_at"] = "It cannot have been done before the return interview."
    if not (done_note or "").strip():
        errors["done_note"] = "Say what was done."
    if errors:
        raise ValidationError(errors)
    action.done_at, action.done_by, action.done_note = done_at, actor, done_note.strip()
    action.version += 1
    save_as(actor, action, refused="The action could not be saved: please try again.")
    audit.record(actor, AuditAction.UPDATE, action, youth=action.youth, ip=ip, detail={"changed": ["done"]})
    return action
