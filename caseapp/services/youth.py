"""Create and change youth records: validation, the version check, history and audit in one transaction."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .. import access, audit, signals
from ..models import AuditAction, CoveredPopulation, Youth, YouthStatus
from .errors import EditConflict, save_as

# Fields a form may set through these services; agency, version and timestamps are never taken from input.
EDITABLE_FIELDS = (
    "team", "case_number", "status", "exited_on", "covered_population", "legal_status",
    "entered_care_on", "legal_first_name", "legal_middle_name", "legal_last_name", "preferred_name",
    "aliases", "date_of_birth", "sex", "gender_identity", "races", "hispanic_latino",
    "primary_language", "height_inches", "weight_pounds", "eye_color", "hair_color", "complexion",
    "eyewear", "has_braces", "scars_marks_tattoos", "piercings",
    *Youth.RESTRICTED_FIELDS,
)


def _validate(actor, youth: Youth, assigned_caseworkers):
    """Domain rules a form cannot know alone. Raises ValidationError keyed by field."""
    errors = {}
    today = timezone.localdate()
    if youth.date_of_birth and youth.date_of_birth > today:
        errors["date_of_birth"] = "Date of birth cannot be in the future."
    if youth.entered_care_on and youth.entered_care_on > today:
        errors["entered_care_on"] = "The date entered care cannot be in the future."
    if youth.entered_care_on and youth.date_of_birth and youth.entered_care_on < youth.date_of_birth:
        errors["entered_care_on"] = "The date entered care cannot be before the date of birth."
    if youth.status == YouthStatus.EXITED and not youth.exited_on:
        errors["exited_on"] = "Give the date the youth exited the agency's care."
    if youth.status == YouthStatus.ACTIVE:
        youth.exited_on = None
    if youth.exited_on and youth.exited_on > today:
        errors["exited_on"] = "The exit date cannot be in the future."
    if (
        youth.covered_population == CoveredPopulation.UNDER_26
        and youth.team_id
        and not youth.team.agency.serves_under_26
    ):
        errors["covered_population"] = (
            "This agency has not chosen to serve people under 26 who are not in care "
            "(§471(a)(9)(C)(i)(II)); an agency admin can turn that option on."
        )
    if not access.teams_for_new_youth(actor).filter(pk=youth.team_id).exists():
        errors["team"] = "You cannot place a youth's record in that team."
    if youth.case_number and (
        Youth.objects.filter(agency_id=youth.agency_id, case_number=youth.case_number)
        .exclude(pk=youth.pk)
        .exists()
    ):
        errors["case_number"] = "Another youth in this agency already has this case number."
    allowed = set(access.caseworkers_assignable(youth.agency_id).values_list("pk", flat=True))
    if any(u.pk not in allowed for u in assigned_caseworkers):
        errors["assigned_caseworkers"] = "Assign only active caseworkers or supervisors of this agency."
    if errors:
        raise ValidationError(errors)


def _save(youth: Youth, actor):
    # The check above catches the usual duplicate case number; this is a race with another save.
    save_as(actor, youth, refused={"case_number": "Another youth in this agency already has this case number."})


@transaction.atomic
def create_youth(*, actor, assigned_caseworkers=(), ip=None, **fields) -> Youth:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not editable: {sorted(unknown)}")
    youth = Youth(**fields)
    youth.agency_id = youth.team.agency_id if youth.team_id else None
    _validate(actor, youth, assigned_caseworkers)
    _save(youth, actor)
    youth.assigned_caseworkers.set(assigned_caseworkers)
    audit.record(
        actor, AuditAction.CREATE, youth, youth=youth, ip=ip,
        detail={"fields": sorted(k for k, v in fields.items() if v not in ("", None, []))},
    )
    return youth


@transaction.atomic
def update_youth(*, actor, youth_id, expected_version, assigned_caseworkers=None, ip=None, **fields) -> Youth:
    """Apply `fields` if nobody saved the youth since `expected_version` was read.

    Restricted fields are only applied when the actor may see them, so a form that hides them can
    never blank them.
    """
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not editable: {sorted(unknown)}")
    youth = access.get_youth_or_404(
        actor, youth_id, for_edit=True, queryset=Youth.objects.select_for_update()
    )
    if youth.version != expected_version:
        raise EditConflict(current=youth)
    if not access.can_see_restricted(actor, youth):
        fields = {k: v for k, v in fields.items() if k not in Youth.RESTRICTED_FIELDS}

    changed = sorted(k for k, v in fields.items() if getattr(youth, k) != v)
    for name, value in fields.items():
        setattr(youth, name, value)
    if "team" in changed:
        youth.agency_id = youth.team.agency_id
    before = set(youth.assigned_caseworkers.values_list("pk", flat=True))
    after = before if assigned_caseworkers is None else {u.pk for u in assigned_caseworkers}
    _validate(actor, youth, assigned_caseworkers or [])
    if not changed and before == after:
        return youth
    youth.version += 1
    _save(youth, actor)
    if after != before:
        youth.assigned_caseworkers.set(assigned_caseworkers)
        changed.append("assigned_caseworkers")
    audit.record(actor, AuditAction.UPDATE, youth, youth=youth, ip=ip, detail={"changed": changed})
    signals.youth_record_changed_on_commit(sender=Youth, youth_id=youth.pk, actor=actor, changed=changed)
    return youth


def record_view(*, actor, youth, ip=None, restricted_shown=False):
    """Every view of a youth record is audited."""
    audit.record(
        actor, AuditAction.VIEW, youth, youth=youth, ip=ip,
        detail={"restricted_shown": restricted_shown} if restricted_shown else {},
    )
