"""The one access gate (caseapp/access.py): who sees, changes and manages what.

Each persona's scope is checked as a set of records, so a test fails both when a user loses a youth
they need and when they gain one they must never see.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from caseapp import access
from caseapp.models import Role, Team, User, Youth
from tests.factories import TeamFactory, UserFactory, YouthFactory

pytestmark = pytest.mark.django_db


def ids(queryset):
    return set(queryset.values_list("pk", flat=True))


@pytest.fixture
def superuser(agency_a):
    return UserFactory(agency=None, role="", is_superuser=True, is_staff=True)


@pytest.fixture
def inactive_caseworker(agency_a, team_a1):
    return UserFactory(agency=agency_a, role=Role.CASEWORKER, team=team_a1, is_active=False)


@pytest.fixture
def inactive_admin(agency_a):
    return UserFactory(agency=agency_a, role=Role.AGENCY_ADMIN, is_active=False)


@pytest.fixture
def other_caseworker_a1(agency_a, team_a1):
    """A caseworker on youth_a1's team who is not assigned to youth_a1."""
    return UserFactory(agency=agency_a, role=Role.CASEWORKER, team=team_a1)


@pytest.fixture
def supervisor_a2(agency_a, team_a2):
    return UserFactory(agency=agency_a, role=Role.SUPERVISOR, supervises=[team_a2])


@pytest.fixture
def all_youth(youth_a1, youth_a2, youth_b):
    return youth_a1, youth_a2, youth_b


# --- youth_visible_to -------------------------------------------------------------------------


def test_caseworker_sees_only_own_team(caseworker_a, all_youth, youth_a1):
    assert ids(access.youth_visible_to(caseworker_a)) == {youth_a1.pk}


def test_caseworker_on_other_team_sees_only_that_team(caseworker_a2, all_youth, youth_a2):
    assert ids(access.youth_visible_to(caseworker_a2)) == {youth_a2.pk}


def test_caseworker_sees_unassigned_youth_of_own_team(caseworker_a, team_a1, all_youth, youth_a1):
    unassigned = YouthFactory(team=team_a1)
    assert ids(access.youth_visible_to(caseworker_a)) == {youth_a1.pk, unassigned.pk}


def test_caseworker_without_team_sees_nothing(agency_a, all_youth):
    teamless = UserFactory(agency=agency_a, role=Role.CASEWORKER, team=None)
    assert not access.youth_visible_to(teamless).exists()


def test_supervisor_sees_supervised_teams_only(supervisor_a, all_youth, youth_a1):
    assert ids(access.youth_visible_to(supervisor_a)) == {youth_a1.pk}


def test_supervisor_of_two_teams_sees_both(supervisor_a, team_a2, all_youth, youth_a1, youth_a2):
    team_a2.supervisors.add(supervisor_a)
    assert ids(access.youth_visible_to(supervisor_a)) == {youth_a1.pk, youth_a2.pk}


def test_supervisor_of_other_agencys_team_does_not_see_it(supervisor_a, team_b1, all_youth, youth_a1):
    # A misconfigured link across agencies must not open agency B's records.
    team_b1.supervisors.add(supervisor_a)
    assert ids(access.youth_visible_to(supervisor_a)) == {youth_a1.pk}


@pytest.mark.parametrize("persona", ["agency_staff_a", "agency_admin_a"])
def test_agency_staff_and_admin_see_whole_agency(request, persona, all_youth, youth_a1, youth_a2):
    user = request.getfixturevalue(persona)
    assert ids(access.youth_visible_to(user)) == {youth_a1.pk, youth_a2.pk}


@pytest.mark.parametrize("persona", ["caseworker_b", "admin_b"])
def test_agency_b_never_sees_agency_a(request, persona, all_youth, youth_b):
    user = request.getfixturevalue(persona)
    assert ids(access.youth_visible_to(user)) == {youth_b.pk}


def test_no_role_user_sees_nothing(no_role_user, all_youth):
    assert no_role_user.role == ""
    assert not access.youth_visible_to(no_role_user).exists()


def test_unknown_role_sees_nothing(agency_a, team_a1, all_youth):
    odd = UserFactory(agency=agency_a, role="auditor", team=team_a1)
    assert not access.youth_visible_to(odd).exists()


def test_user_without_agency_sees_nothing(all_youth):
    stray = UserFactory(agency=None, role=Role.AGENCY_ADMIN)
    assert not access.youth_visible_to(stray).exists()


def test_inactive_user_sees_nothing(inactive_caseworker, inactive_admin, all_youth):
    assert not access.youth_visible_to(inactive_caseworker).exists()
    assert not access.youth_visible_to(inactive_admin).exists()


def test_anonymous_user_sees_nothing(all_youth):
    assert not access.youth_visible_to(AnonymousUser()).exists()
    assert not access.youth_visible_to(None).exists()


def test_superuser_sees_all(superuser, all_youth):
    assert ids(access.youth_visible_to(superuser)) == ids(Youth.objects.all())
    assert len(ids(Youth.objects.all())) == 3


# --- youth_editable_by and the 404 helper -------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("caseworker_a", {"youth_a1"}),
        ("caseworker_a2", {"youth_a2"}),
        ("supervisor_a", {"youth_a1"}),
        ("agency_admin_a", {"youth_a1", "youth_a2"}),
        ("agency_staff_a", set()),
        ("no_role_user", set()),
        ("caseworker_b", {"youth_b"}),
        ("admin_b", {"youth_b"}),
    ],
)
def test_youth_editable_by(request, persona, expected, all_youth):
    user = request.getfixturevalue(persona)
    expected_ids = {request.getfixturevalue(name).pk for name in expected}
    assert ids(access.youth_editable_by(user)) == expected_ids


def test_inactive_and_anonymous_edit_nothing(inactive_caseworker, all_youth):
    assert not access.youth_editable_by(inactive_caseworker).exists()
    assert not access.youth_editable_by(AnonymousUser()).exists()


def test_superuser_edits_all(superuser, all_youth):
    assert len(ids(access.youth_editable_by(superuser))) == 3


def test_can_edit_youth_matches_editable_scope(
    caseworker_a, caseworker_a2, supervisor_a, agency_staff_a, agency_admin_a, caseworker_b, youth_a1
):
    assert access.can_edit_youth(caseworker_a, youth_a1)
    assert access.can_edit_youth(supervisor_a, youth_a1)
    assert access.can_edit_youth(agency_admin_a, youth_a1)
    assert not access.can_edit_youth(agency_staff_a, youth_a1)
    assert not access.can_edit_youth(caseworker_a2, youth_a1)
    assert not access.can_edit_youth(caseworker_b, youth_a1)


def test_get_youth_or_404_hides_out_of_scope_youth(caseworker_a, caseworker_b, agency_staff_a, youth_a1):
    assert access.get_youth_or_404(caseworker_a, youth_a1.pk) == youth_a1
    assert access.get_youth_or_404(agency_staff_a, youth_a1.pk) == youth_a1
    with pytest.raises(Http404):
        access.get_youth_or_404(caseworker_b, youth_a1.pk)
    with pytest.raises(Http404):
        access.get_youth_or_404(agency_staff_a, youth_a1.pk, for_edit=True)
    # A missing record and a malformed id look exactly like an out-of-scope one.
    with pytest.raises(Http404):
        access.get_youth_or_404(caseworker_a, youth_a1.pk + 10_000)
    with pytest.raises(Http404):
        access.get_youth_or_404(caseworker_a, "not-a-number")


# --- restricted fields --------------------------------------------------------------------------


def test_assigned_caseworker_sees_restricted(caseworker_a, youth_a1):
    assert youth_a1.assigned_caseworkers.filter(pk=caseworker_a.pk).exists()
    assert access.can_see_restricted(caseworker_a, youth_a1)


def test_other_caseworker_on_same_team_does_not_see_restricted(other_caseworker_a1, youth_a1):
    assert youth_a1 in access.youth_visible_to(other_caseworker_a1)
    assert not access.can_see_restricted(other_caseworker_a1, youth_a1)


def test_assigned_caseworker_on_another_team_does_not_see_restricted(caseworker_a2, youth_a1):
    # Assignment alone does not open a record outside the caseworker's team.
    youth_a1.assigned_caseworkers.add(caseworker_a2)
    assert not access.can_see_restricted(caseworker_a2, youth_a1)


def test_supervisor_of_team_sees_restricted(supervisor_a, supervisor_a2, youth_a1):
    assert access.can_see_restricted(supervisor_a, youth_a1)
    assert not access.can_see_restricted(supervisor_a2, youth_a1)


def test_agency_staff_do_not_see_restricted(agency_staff_a, youth_a1):
    assert not access.can_see_restricted(agency_staff_a, youth_a1)


def test_agency_admin_sees_restricted_of_own_agency_only(agency_admin_a, admin_b, youth_a1, youth_b):
    assert access.can_see_restricted(agency_admin_a, youth_a1)
    assert not access.can_see_restricted(agency_admin_a, youth_b)
    assert not access.can_see_restricted(admin_b, youth_a1)


def test_restricted_denied_to_nobody_roles(no_role_user, inactive_caseworker, caseworker_b, youth_a1):
    youth_a1.assigned_caseworkers.add(inactive_caseworker)
    assert not access.can_see_restricted(no_role_user, youth_a1)
    assert not access.can_see_restricted(inactive_caseworker, youth_a1)
    assert not access.can_see_restricted(caseworker_b, youth_a1)
    assert not access.can_see_restricted(AnonymousUser(), youth_a1)


def test_superuser_sees_restricted(superuser, youth_a1, youth_b):
    assert access.can_see_restricted(superuser, youth_a1)
    assert access.can_see_restricted(superuser, youth_b)


# --- access log ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("supervisor_a", True),
        ("agency_admin_a", True),
        ("caseworker_a", False),
        ("caseworker_a2", False),
        ("agency_staff_a", False),
        ("no_role_user", False),
        ("caseworker_b", False),
        ("admin_b", False),
    ],
)
def test_can_see_access_log(request, persona, allowed, youth_a1):
    user = request.getfixturevalue(persona)
    assert access.can_see_access_log(user, youth_a1) is allowed


def test_access_log_not_for_supervisor_of_other_team_inactive_or_anonymous(
    supervisor_a2, inactive_admin, superuser, youth_a1
):
    assert not access.can_see_access_log(supervisor_a2, youth_a1)
    assert not access.can_see_access_log(inactive_admin, youth_a1)
    assert not access.can_see_access_log(AnonymousUser(), youth_a1)
    assert access.can_see_access_log(superuser, youth_a1)


# --- staff and team management ------------------------------------------------------------------


def test_agency_admin_manages_own_agency_staff_only(
    agency_admin_a, agency_a, caseworker_a, caseworker_a2, supervisor_a, no_role_user, caseworker_b, admin_b
):
    manageable = ids(access.staff_manageable_by(agency_admin_a))
    assert manageable == ids(User.objects.filter(agency=agency_a))
    assert {caseworker_a.pk, caseworker_a2.pk, supervisor_a.pk, no_role_user.pk, agency_admin_a.pk} <= manageable
    assert caseworker_b.pk not in manageable
    assert admin_b.pk not in manageable


def test_admin_b_does_not_manage_agency_a(admin_b, agency_b, caseworker_a, agency_admin_a, caseworker_b):
    manageable = ids(access.staff_manageable_by(admin_b))
    assert manageable == ids(User.objects.filter(agency=agency_b))
    assert caseworker_b.pk in manageable
    assert caseworker_a.pk not in manageable
    assert agency_admin_a.pk not in manageable


@pytest.mark.parametrize(
    "persona", ["caseworker_a", "caseworker_a2", "supervisor_a", "agency_staff_a", "no_role_user", "caseworker_b"]
)
def test_non_admins_manage_nobody(request, persona, agency_admin_a, admin_b):
    user = request.getfixturevalue(persona)
    assert not access.can_manage_staff(user)
    assert not access.staff_manageable_by(user).exists()
    assert not access.teams_manageable_by(user).exists()


def test_inactive_or_agencyless_admin_manages_nobody(inactive_admin, caseworker_a):
    stray_admin = UserFactory(agency=None, role=Role.AGENCY_ADMIN)
    for user in (inactive_admin, stray_admin, AnonymousUser()):
        assert not access.can_manage_staff(user)
        assert not access.staff_manageable_by(user).exists()


def test_superuser_manages_everyone(superuser, caseworker_a, caseworker_b):
    assert ids(access.staff_manageable_by(superuser)) == ids(User.objects.all())


def test_teams_manageable_by_agency_admin(agency_admin_a, agency_a, team_a1, team_a2, team_b1):
    assert ids(access.teams_manageable_by(agency_admin_a)) == ids(Team.objects.filter(agency=agency_a))
    assert team_b1.pk not in ids(access.teams_manageable_by(agency_admin_a))


# --- teams offered in the caseload filter and for new records ------------------------------------


def test_teams_visible_follow_youth_scope(
    caseworker_a, supervisor_a, agency_staff_a, agency_admin_a, caseworker_b, team_a1, team_a2, team_b1
):
    assert ids(access.teams_visible_to(caseworker_a)) == {team_a1.pk}
    assert ids(access.teams_visible_to(supervisor_a)) == {team_a1.pk}
    assert ids(access.teams_visible_to(agency_staff_a)) == {team_a1.pk, team_a2.pk}
    assert ids(access.teams_visible_to(agency_admin_a)) == {team_a1.pk, team_a2.pk}
    assert ids(access.teams_visible_to(caseworker_b)) == {team_b1.pk}


def test_agency_staff_cannot_open_new_records(agency_staff_a, no_role_user, caseworker_a, team_a1):
    assert not access.teams_for_new_youth(agency_staff_a).exists()
    assert not access.teams_for_new_youth(no_role_user).exists()
    assert ids(access.teams_for_new_youth(caseworker_a)) == {team_a1.pk}


def test_new_team_in_agency_b_is_invisible_to_agency_a(agency_admin_a, agency_b):
    extra = TeamFactory(agency=agency_b)
    assert extra.pk not in ids(access.teams_visible_to(agency_admin_a))
    assert extra.pk not in ids(access.teams_manageable_by(agency_admin_a))


def test_who_may_run_reports_is_decided_by_the_gate(
    caseworker_a, supervisor_a, agency_staff_a, agency_admin_a, no_role_user, admin_b
):
    from caseapp import access

    assert [access.can_export(u) for u in (supervisor_a, agency_staff_a, agency_admin_a, admin_b)] == [True] * 4
    assert not access.can_export(caseworker_a)
    assert not access.can_export(no_role_user)
    agency_staff_a.is_active = False
    assert not access.can_export(agency_staff_a)


def test_agency_wide_records_are_scoped_to_the_agencies_an_admin_manages(
    agency_a, agency_b, agency_admin_a, supervisor_a, inactive_admin, superuser
):
    assert ids(access.agencies_managed_by(agency_admin_a)) == {agency_a.pk}
    assert ids(access.agencies_managed_by(superuser)) == {agency_a.pk, agency_b.pk}
    for nobody in (supervisor_a, inactive_admin, AnonymousUser()):
        assert ids(access.agencies_managed_by(nobody)) == set()
    teams = Team.objects.all()
    assert ids(access.scope_to_managed_agencies(teams, agency_admin_a)) == ids(teams.filter(agency=agency_a))
    assert ids(access.scope_to_managed_agencies(teams, supervisor_a)) == set()


def test_youth_records_in_the_admin_are_scoped_like_the_pages(caseworker_a, superuser, all_youth, youth_a1):
    from caseapp.models import Placement

    placements = Placement.objects.all()
    assert ids(access.scope_to_visible_youth(placements, caseworker_a)) == ids(
        placements.filter(youth__in=access.youth_visible_to(caseworker_a))
    )
    assert ids(access.scope_to_visible_youth(placements, superuser)) == ids(placements)


def test_a_page_outside_the_role_is_a_404():
    access.require(True)
    with pytest.raises(Http404):
        access.require(False)
