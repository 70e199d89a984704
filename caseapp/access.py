"""Who may see and change what. The one gate: every view, endpoint, export and task starts here.

Scopes (docs/design.md#rule-access):
- caseworker: youth of their own team;
- supervisor: youth of the teams they supervise;
- agency staff and agency admin: every youth of their agency;
- superuser: everything.
Anything else (no role, no agency, an unknown role, an anonymous user) sees nothing. A record
outside a user's scope is reported as missing (404), never as forbidden, so its existence is not
confirmed.
"""

from django.db.models import Q
from django.http import Http404

from .models import Agency, Role, Team, User, Youth

# Roles that may change youth records; agency staff read and export only.
EDITOR_ROLES = {Role.CASEWORKER, Role.SUPERVISOR, Role.AGENCY_ADMIN}


def _is_active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def youth_visible_to(user):
    """The youth this user may see: those of the teams in their scope (teams_visible_to). Deny by default."""
    if not _is_active(user):
        return Youth.objects.none()
    if user.is_superuser:
        return Youth.objects.all()
    if user.agency_id is None:
        return Youth.objects.none()
    return Youth.objects.filter(agency_id=user.agency_id, team__in=teams_visible_to(user))


def youth_editable_by(user):
    """The youth this user may change: those they see, if their role edits at all."""
    if not _is_active(user):
        return Youth.objects.none()
    if user.is_superuser or user.role in EDITOR_ROLES:
        return youth_visible_to(user)
    return Youth.objects.none()


def get_youth_or_404(user, pk, *, for_edit=False, queryset=None):
    """One youth in the user's scope, or 404 whether it is missing or out of scope."""
    scope = youth_editable_by(user) if for_edit else youth_visible_to(user)
    if queryset is not None:
        scope = queryset & scope
    try:
        return scope.get(pk=pk)
    except (Youth.DoesNotExist, ValueError, TypeError):
        raise Http404("No such youth.") from None


def can_edit_youth(user, youth, *, seen=False) -> bool:
    """`seen`: the caller has just read `youth` through youth_visible_to(user) (get_youth_or_404), so it is in the
    user's scope, and an editor's scope is what they may change (youth_editable_by): not asked of the database
    again (docs/design.md#speed)."""
    if not _is_active(user):
        return False
    if user.is_superuser:
        return True
    return user.role in EDITOR_ROLES and (seen or _in_scope(user, youth))


def can_see_restricted(user, youth) -> bool:
    """SSN and health fields: the youth's assigned caseworkers, their team's supervisors, agency admins."""
    if can_see_access_log(user, youth):
        return True
    return (
        _is_active(user)
        and user.role == Role.CASEWORKER
        and user.agency_id == youth.agency_id
        and user.team_id == youth.team_id
        and _is_assigned(user, youth)
    )


def _is_assigned(user, youth) -> bool:
    # The youth page prefetches the assigned caseworkers (to list them): asked of that list, not of the database.
    prefetched = getattr(youth, "_prefetched_objects_cache", {}).get("assigned_caseworkers")
    if prefetched is not None:
        return any(caseworker.pk == user.pk for caseworker in prefetched)
    return youth.assigned_caseworkers.filter(pk=user.pk).exists()


def can_see_access_log(user, youth) -> bool:
    """Recent access to a youth's record: supervisors of the youth's team and agency admins (who also see
    the restricted fields, with the assigned caseworkers: can_see_restricted)."""
    if not _is_active(user):
        return False
    if user.is_superuser:
        return True
    if user.agency_id != youth.agency_id:
        return False
    if user.role == Role.AGENCY_ADMIN:
        return True
    return user.role == Role.SUPERVISOR and _supervises(user, youth)


# Roles that decide about a youth after a review (e.g. the trafficking-risk review queue).
DECIDER_ROLES = {Role.SUPERVISOR, Role.AGENCY_ADMIN}


def youth_reviewable_by(user):
    """The youth whose supervisory decisions this user may make: supervisors for the teams they
    supervise, agency admins for their agency. Caseworkers and agency staff decide nothing."""
    if not _is_active(user):
        return Youth.objects.none()
    if user.is_superuser or user.role in DECIDER_ROLES:
        return youth_visible_to(user)
    return Youth.objects.none()


def can_review_youth(user) -> bool:
    """Whether the user's role makes supervisory decisions at all (pages ask it to offer the form)."""
    return _is_active(user) and (user.is_superuser or user.role in DECIDER_ROLES)


# Roles that run agency reports and exports: agency staff and admins for their agency, supervisors
# for their teams (the rows are scoped by youth_visible_to). Caseworkers have the youth's pages.
EXPORTER_ROLES = {Role.AGENCY_STAFF, Role.AGENCY_ADMIN, Role.SUPERVISOR}


def can_export(user) -> bool:
    """May this user run reports? Active, of an agency, in an exporting role. Deny by default."""
    return _is_active(user) and user.agency_id is not None and user.role in EXPORTER_ROLES


# Roles that see other people's work items (caseapp/work.py): supervisors for the teams they supervise,
# agency staff (the compliance contact) and admins for their agency. Caseworkers have "My work".
TEAM_WORK_ROLES = {Role.SUPERVISOR, Role.AGENCY_STAFF, Role.AGENCY_ADMIN}


def can_see_team_work(user) -> bool:
    """The team view of work items: active, of an agency, in a role of TEAM_WORK_ROLES (or a superuser)."""
    return _is_active(user) and (
        user.is_superuser or (user.agency_id is not None and user.role in TEAM_WORK_ROLES)
    )


def staff_in_team_work(user):
    """The staff whose work the team view can list for this user: active members and supervisors of the teams
    in their scope (teams_visible_to). Empty for a role without the team view."""
    if not can_see_team_work(user):
        return User.objects.none()
    teams = teams_visible_to(user)
    return (
        User.objects.filter(is_active=True)
        .filter(Q(team__in=teams) | Q(supervised_teams__in=teams))
        .distinct()
    )


def can_manage_agency_settings(user) -> bool:
    """Agency-wide settings (deadline rules, risk weights): agency admins of their own agency."""
    return can_manage_staff(user)


def teams_for_new_youth(user):
    """Teams a user may open a youth record in: the teams they see, if their role edits."""
    if _is_active(user) and (user.is_superuser or user.role in EDITOR_ROLES):
        return teams_visible_to(user)
    return Team.objects.none()


def teams_visible_to(user):
    """Teams whose youth the user sees: the one definition of a user's scope."""
    if not _is_active(user):
        return Team.objects.none()
    if user.is_superuser:
        return Team.objects.all()
    if user.agency_id is None:
        return Team.objects.none()
    teams = Team.objects.filter(agency_id=user.agency_id)
    if user.role == Role.CASEWORKER:
        return teams.filter(pk=user.team_id) if user.team_id else Team.objects.none()
    if user.role == Role.SUPERVISOR:
        return teams.filter(supervisors=user)
    if user.role in (Role.AGENCY_STAFF, Role.AGENCY_ADMIN):
        return teams
    return Team.objects.none()


def caseworkers_assignable(agency_id):
    """Active caseworkers and supervisors of an agency who can carry a youth."""
    return User.objects.filter(
        agency_id=agency_id, is_active=True, role__in=[Role.CASEWORKER, Role.SUPERVISOR]
    )


def can_own_work(user) -> bool:
    """Whether any work item can be this user's (caseapp/work.py): the roles that change youth records, who
    are the ones able to do the work. Agency staff read and export only; no role, nothing."""
    return _is_active(user) and user.agency_id is not None and user.role in EDITOR_ROLES


def owns_agency_wide_work(user) -> bool:
    """Agency admins decide for every team (DECIDER_ROLES), so work items of any youth of their agency can be
    theirs (caseapp/work.py owned_scope)."""
    return _is_active(user) and user.role == Role.AGENCY_ADMIN and user.agency_id is not None


def can_manage_staff(user) -> bool:
    return _is_active(user) and (
        user.is_superuser or (user.role == Role.AGENCY_ADMIN and user.agency_id is not None)
    )


def staff_manageable_by(user):
    """Staff accounts an agency admin may see and change: their own agency's only."""
    if not can_manage_staff(user):
        return User.objects.none()
    if user.is_superuser:
        return User.objects.all()
    return User.objects.filter(agency_id=user.agency_id)


def teams_manageable_by(user):
    if not can_manage_staff(user):
        return Team.objects.none()
    if user.is_superuser:
        return Team.objects.all()
    return Team.objects.filter(agency_id=user.agency_id)


def agencies_managed_by(user):
    """Agencies whose settings, staff, teams and audit trail this user manages: every agency for a
    superuser, their own for an agency admin, none for anyone else."""
    if not can_manage_staff(user):
        return Agency.objects.none()
    if user.is_superuser:
        return Agency.objects.all()
    return Agency.objects.filter(pk=user.agency_id)


def scope_to_managed_agencies(queryset, user, agency_field="agency"):
    """`queryset` (of any model with an agency) cut to the agencies this user manages: the admin site's
    lists of agency-wide records (staff, teams, deadline rules, risk weights, the audit trail)."""
    if _is_active(user) and user.is_superuser:
        return queryset
    return queryset.filter(**{f"{agency_field}__in": agencies_managed_by(user)})


def scope_to_visible_youth(queryset, user, youth_field="youth"):
    """`queryset` (of any model of a youth) cut to the youth this user sees: the admin site's lists of
    youth records (episodes, observations, reviews, decisions)."""
    if _is_active(user) and user.is_superuser:
        return queryset
    return queryset.filter(**{f"{youth_field}__in": youth_visible_to(user)})


def users_who_see_youth(youth):
    """The active users for whom youth_visible_to(user) holds `youth`: the same scopes asked from the youth's
    side, so a list of people to alert is filtered in one query whatever its length (caseapp/on_call.py).
    tests/caseapp/test_on_call_chain.py checks it answers as youth_visible_to does for every persona."""
    same_agency = Q(agency_id=youth.agency_id) & (
        Q(role=Role.CASEWORKER, team_id=youth.team_id)
        | Q(role=Role.SUPERVISOR, supervised_teams=youth.team_id)
        | Q(role__in=[Role.AGENCY_STAFF, Role.AGENCY_ADMIN])
    )
    return User.objects.filter(Q(is_superuser=True) | same_agency, is_active=True).distinct()


def work_owners_for(youth):
    """Who may be named as the owner of a piece of work about `youth` (a response plan's action): active staff of
    the youth's agency who see the youth (users_who_see_youth) and whose role does work (can_own_work). Agency
    staff read and export only; a superuser of no agency is nobody's caseworker."""
    return users_who_see_youth(youth).filter(agency_id=youth.agency_id, role__in=EDITOR_ROLES)


def can_see_on_call(user) -> bool:
    """The on-call roster of the user's own agency: everyone of an agency with a role (who to call at night
    is not a secret inside the agency); nobody else."""
    return _is_active(user) and user.agency_id is not None and user.role in Role.values


def can_manage_on_call(user) -> bool:
    """Changing the roster: the agency admins of that agency (a superuser with no agency has no roster)."""
    return can_see_on_call(user) and can_manage_agency_settings(user)


def require(allowed: bool):
    """A page the user's role does not include is answered like a record outside their scope: 404."""
    if not allowed:
        raise Http404("No such page.")


def get_record_or_404(user, queryset, pk, *, youth_path, for_edit=False, what="record"):
    """One record about a youth (an episode, a clock, an interview...), or 404 whether it is missing or its youth
    (reached by `youth_path`, e.g. "episode__youth") is out of the user's scope; `for_edit`: within the youth the
    user may change. The one scoped lookup every record page of the apps builds on."""
    scope = youth_editable_by(user) if for_edit else youth_visible_to(user)
    record = queryset.filter(**{f"{youth_path}__in": scope}, pk=pk).first()
    if record is None:
        raise Http404(f"No such {what}.")
    return record


def get_in_scope_or_404(queryset, pk):
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404("Not found.") from None


def _supervises(user, youth) -> bool:
    return Team.objects.filter(pk=youth.team_id, supervisors=user).exists()


def _in_scope(user, youth) -> bool:
    if user.agency_id is None or user.agency_id != youth.agency_id:
        return False
    return teams_visible_to(user).filter(pk=youth.team_id).exists()
