"""Staff accounts and teams, managed by an agency admin within their own agency."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from .. import access, audit
from ..models import AuditAction, Role, Team, User
from .errors import save_as


def _validate_staff(actor, staff: User, supervised_teams):
    errors = {}
    if staff.team_id and staff.team.agency_id != staff.agency_id:
        errors["team"] = "Choose a team of this agency."
    if staff.role == Role.CASEWORKER and not staff.team_id:
        errors["team"] = "A caseworker needs a team: their caseload is the team's youth."
    if staff.role not in Role.values:
        errors["role"] = "Choose a role."
    if any(t.agency_id != staff.agency_id for t in supervised_teams):
        errors["supervised_teams"] = "Choose teams of this agency."
    if supervised_teams and staff.role != Role.SUPERVISOR:
        errors["supervised_teams"] = "Only a supervisor supervises teams."
    if User.objects.filter(username__iexact=staff.username).exclude(pk=staff.pk).exists():
        errors["username"] = "That username is taken."
    if staff.pk == actor.pk and (staff.role != Role.AGENCY_ADMIN or not staff.is_active) and not actor.is_superuser:
        errors["role"] = "You cannot remove your own admin access; ask another agency admin."
    if errors:
        raise ValidationError(errors)


def _set_supervised_teams(actor, staff: User, teams):
    """Change supervision from the team's side (Team.supervisors), so each team's history records it.

    Not through staff.supervised_teams: django-simple-history then tries to write a User history
    row with the excluded password field and fails (django-simple-history issues #1048, #1408).
    """
    wanted = set(teams)
    current = set(staff.supervised_teams.all())
    for team in current - wanted:
        team._history_user = actor
        team.supervisors.remove(staff)
    for team in wanted - current:
        team._history_user = actor
        team.supervisors.add(staff)


def _require_admin(actor, agency_id):
    if not access.can_manage_staff(actor) or (not actor.is_superuser and actor.agency_id != agency_id):
        raise PermissionDenied


@transaction.atomic
def create_staff(*, actor, password, supervised_teams=(), agency=None, ip=None, **fields) -> User:
    agency_id = agency.pk if agency is not None else actor.agency_id
    _require_admin(actor, agency_id)
    staff = User(agency_id=agency_id, **fields)
    _validate_staff(actor, staff, supervised_teams)
    try:
        validate_password(password, staff)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    staff.set_password(password)
    save_as(actor, staff, refused={"username": "That username is taken."})
    _set_supervised_teams(actor, staff, supervised_teams)
    audit.record(actor, AuditAction.CREATE, staff, ip=ip, detail={"role": staff.role})
    return staff


@transaction.atomic
def update_staff(*, actor, staff_id, supervised_teams=None, ip=None, **fields) -> User:
    staff = access.get_in_scope_or_404(access.staff_manageable_by(actor).select_for_update(), staff_id)
    changed = sorted(k for k, v in fields.items() if getattr(staff, k) != v)
    for name, value in fields.items():
        setattr(staff, name, value)
    teams = list(staff.supervised_teams.all()) if supervised_teams is None else list(supervised_teams)
    _validate_staff(actor, staff, teams)
    staff._history_user = actor
    staff.save()
    if supervised_teams is not None and set(teams) != set(staff.supervised_teams.all()):
        _set_supervised_teams(actor, staff, teams)
        changed.append("supervised_teams")
    if changed:
        audit.record(actor, AuditAction.UPDATE, staff, ip=ip, detail={"changed": changed})
    return staff


@transaction.atomic
def set_staff_password(*, actor, staff_id, password, ip=None) -> User:
    staff = access.get_in_scope_or_404(access.staff_manageable_by(actor), staff_id)
    try:
        validate_password(password, staff)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    staff.set_password(password)
    staff.save(update_fields=["password"])
    audit.record(actor, AuditAction.UPDATE, staff, ip=ip, detail={"changed": ["password"]})
    return staff


def _validate_team(team: Team, supervisors):
    errors = {}
    if Team.objects.filter(agency_id=team.agency_id, name__iexact=team.name).exclude(pk=team.pk).exists():
        errors["name"] = "This agency already has a team with that name."
    if any(u.agency_id != team.agency_id or u.role != Role.SUPERVISOR for u in supervisors):
        errors["supervisors"] = "Choose supervisors of this agency."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_team(*, actor, name, supervisors, team_id=None, ip=None) -> Team:
    if team_id is None:
        _require_admin(actor, actor.agency_id)
        team = Team(agency_id=actor.agency_id)
    else:
        team = access.get_in_scope_or_404(access.teams_manageable_by(actor), team_id)
    team.name = name.strip()
    supervisors = list(supervisors)
    _validate_team(team, supervisors)
    created = team.pk is None
    team._history_user = actor
    team.save()
    team.supervisors.set(supervisors)
    audit.record(actor, AuditAction.CREATE if created else AuditAction.UPDATE, team, ip=ip)
    return team
