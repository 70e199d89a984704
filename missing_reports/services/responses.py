"""Record how the agency responded to a return, and correct it (docs/duties.md#return-responses).

Each verb runs in one transaction, checks every rule with a message per field (bad input changes nothing) and
writes its audit row in it. The episode and the response are read through the gate (caseapp.access): another
team's or agency's record is a 404.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from caseapp import access, audit
from caseapp.models import AuditAction, User
from caseapp.services.errors import EditConflict

from ..models import MissingEpisode, ReturnResponse
from ..responses import DESCRIBED, ResponseKind
from .typed_times import CLOCK_SKEW

# The fields a person types; `kind` (create: `kinds`) is the entry of the fixed list.
RESPONSE_FIELDS = ("kind", "description", "decided_at", "decided_by", "decided_by_name", "reason")


def _check(errors, fields, episode, kinds, now):
    unknown = [kind for kind in kinds if kind not in ResponseKind.values]
    if not kinds or unknown:
        errors["kinds"] = "Choose what followed the return (at least one)."
    elif ResponseKind.NOTHING_CHANGED in kinds and len(kinds) > 1:
        errors["kinds"] = "“Nothing changed” cannot be recorded together with a change."
    if set(kinds) & DESCRIBED and not (fields.get("description") or "").strip():
        errors["description"] = "Say in a few words what the other response was."
    if episode.is_open:
        errors["__all__"] = "Record how the agency responded once the youth has returned."
    decided_at = fields.get("decided_at")
    found_at = episode.located_at or episode.returned_at
    if not decided_at:
        errors["decided_at"] = "Give the date and time it was decided."
    elif decided_at > now + CLOCK_SKEW:
        errors["decided_at"] = "The time it was decided cannot be in the future."
    elif found_at and decided_at < found_at:
        errors["decided_at"] = "A response to the return cannot be decided before the youth was found."
    decided_by = fields.get("decided_by")
    if decided_by is not None and decided_by.agency_id != episode.youth.agency_id:
        errors["decided_by"] = "Choose a member of the youth's agency, or give a name and role."
    if decided_by is None and not (fields.get("decided_by_name") or "").strip():
        errors["decided_by_name"] = "Say who decided it: choose a member of staff or give a name and role."
    if not (fields.get("reason") or "").strip():
        errors["reason"] = "Say why it was decided, as the person who decided it explained it."


def _decider(value):
    """A member of staff given as a User or an id (a service may be called with either)."""
    if value in (None, ""):
        return None
    if isinstance(value, User):
        return value
    return User.objects.filter(pk=value).first() or User(pk=0, agency_id=None)


def _episode_for_edit(actor, episode_id):
    return access.get_in_scope_or_404(
        MissingEpisode.objects.select_for_update(of=("self",))
        .select_related("youth")
        .filter(youth__in=access.youth_editable_by(actor)),
        episode_id,
    )


@transaction.atomic
def record_responses(
    *, actor, episode_id, kinds, decided_at, reason, decided_by=None, decided_by_name="", description="", ip=None
) -> list[ReturnResponse]:
    """One response for each of `kinds`, all decided by the same person at the same time for the same reason.
    Bad input raises ValidationError and writes nothing."""
    episode = _episode_for_edit(actor, episode_id)
    kinds = list(dict.fromkeys(kinds or ()))
    fields = {
        "decided_at": decided_at,
        "decided_by": _decider(decided_by),
        "decided_by_name": (decided_by_name or "").strip(),
        "reason": (reason or "").strip(),
        "description": (description or "").strip(),
    }
    errors = {}
    _check(errors, fields, episode, kinds, timezone.now())
    if errors:
        raise ValidationError(errors)
    saved = []
    for kind in kinds:
        described = fields["description"] if kind in DESCRIBED else ""
        response = ReturnResponse(
            episode=episode, kind=kind, recorded_by=actor, **(fields | {"description": described})
        )
        response._history_user = actor
        response.save()
        audit.record(actor, AuditAction.CREATE, response, youth=episode.youth, ip=ip, detail={"kind": kind})
        saved.append(response)
    return saved


@transaction.atomic
def correct_response(*, actor, response_id, expected_version, ip=None, **fields) -> ReturnResponse:
    """Correct one response. A stale version raises EditConflict; bad input ValidationError; nothing changed
    saves nothing."""
    unknown = set(fields) - set(RESPONSE_FIELDS)
    if unknown:
        raise TypeError(f"Not response fields: {sorted(unknown)}")
    response = access.get_in_scope_or_404(
        ReturnResponse.objects.select_for_update(of=("self",))
        .select_related("episode__youth")
        .filter(episode__youth__in=access.youth_editable_by(actor)),
        response_id,
    )
    if response.version != expected_version:
        raise EditConflict(current=response)
    if "decided_by" in fields:
        fields["decided_by"] = _decider(fields["decided_by"])
    for name in ("decided_by_name", "reason", "description"):
        if name in fields:
            fields[name] = (fields[name] or "").strip()
    merged = {name: getattr(response, name) for name in RESPONSE_FIELDS} | fields
    errors = {}
    _check(errors, merged, response.episode, [merged["kind"]], timezone.now())
    if "kinds" in errors:
        errors["kind"] = errors.pop("kinds")
    if errors:
        raise ValidationError(errors)
    if merged["kind"] not in DESCRIBED:
        fields["description"] = ""
    changed = sorted(name for name, value in fields.items() if getattr(response, name) != value)
    if not changed:
        return response
    for name in changed:
        setattr(response, name, fields[name])
    response.version += 1
    response._history_user = actor
    response.save()
    audit.record(actor, AuditAction.UPDATE, response, youth=response.episode.youth, ip=ip, detail={"changed": changed})
    return response
