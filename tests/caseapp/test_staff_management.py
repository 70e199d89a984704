"""Agency admins manage staff accounts and teams of their own agency, and every change is audited."""

import html

import pytest
from django.test import Client
from django.urls import reverse

from caseapp.models import AuditAction, AuditEvent, Role, Team, User
from caseapp.signin_audit import SIGN_IN_ACTIONS
from tests.factories import TEST_PASSWORD, TeamFactory, UserFactory
from tests.helpers import sign_in, signin_request

NEW_PASSWORD = "plum-harbour-lantern-42"


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def staff_post(**overrides):
    data = {
        "username": "new_caseworker",
        "first_name": "Jordan",
        "last_name": "Rivera",
        "email": "jordan.rivera@example.org",
        "phone": "",
        "role": "caseworker",
        "team": "",
        "is_active": "on",
        "password": NEW_PASSWORD,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def edit_post(staff, **overrides):
    """The edit form as rendered for `staff`, with `overrides` typed in (is_active=None unticks the box)."""
    data = {
        "username": staff.username,
        "first_name": staff.first_name,
        "last_name": staff.last_name,
        "email": staff.email,
        "phone": staff.phone,
        "role": staff.role,
        "team": staff.team_id or "",
        "is_active": "on" if staff.is_active else None,
        "supervised_teams": [t.pk for t in staff.supervised_teams.all()],
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def audit_count():
    """Audit rows of changes: not views, and not the sign-ins of the test's own clients (caseapp/signin_audit.py)."""
    return AuditEvent.objects.exclude(action=AuditAction.VIEW).exclude(action__in=SIGN_IN_ACTIONS).count()


# --- Creating accounts -----------------------------------------------------------------------


def test_admin_creates_a_caseworker_who_can_log_in_and_see_the_team(client_for, agency_admin_a, team_a1, youth_a1):
    admin = client_for(agency_admin_a)

    response = admin.post(reverse("staff_create"), staff_post(team=team_a1.pk), follow=True)

    created = User.objects.get(username="new_caseworker")
    assert created.agency == agency_admin_a.agency
    assert created.role == Role.CASEWORKER
    assert created.team == team_a1
    assert created.is_active
    text = page_text(response)
    assert "Account created for Jordan Rivera." in text
    assert "new_caseworker" in text  # listed on the staff page
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="user", object_id=str(created.pk))
    assert event.actor == agency_admin_a
    assert event.agency == agency_admin_a.agency

    newcomer = Client()
    assert newcomer.login(request=signin_request(), username="new_caseworker", password=NEW_PASSWORD)
    caseload = newcomer.get(reverse("caseload"))
    assert caseload.status_code == 200
    assert youth_a1.case_number in page_text(caseload)


def test_a_caseworker_without_a_team_is_refused(client_for, agency_admin_a, team_a1):
    before_users, before_audit = User.objects.count(), audit_count()

    response = client_for(agency_admin_a).post(reverse("staff_create"), staff_post(team=""))

    assert response.status_code == 200
    assert "A caseworker needs a team" in page_text(response)
    assert User.objects.count() == before_users
    assert audit_count() == before_audit


def test_a_taken_username_is_refused(client_for, agency_admin_a, team_a1, caseworker_a):
    before_users, before_audit = User.objects.count(), audit_count()

    response = client_for(agency_admin_a).post(
        reverse("staff_create"), staff_post(username="CASEWORKER_A", team=team_a1.pk)
    )

    assert response.status_code == 200
    assert "That username is taken." in page_text(response)
    assert User.objects.count() == before_users
    assert audit_count() == before_audit


def test_a_username_taken_in_another_agency_is_also_refused(client_for, agency_admin_a, team_a1, caseworker_b):
    """Usernames are global (one login page), so agency B's name blocks agency A's admin too."""
    response = client_for(agency_admin_a).post(
        reverse("staff_create"), staff_post(username="caseworker_b", team=team_a1.pk)
    )
    assert "That username is taken." in page_text(response)
    assert User.objects.filter(username="caseworker_b").count() == 1


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short-1", "This password is too short. It must contain at least 12 characters."),
        ("123456789012345", "This password is entirely numeric."),
        ("password1234", "This password is too common."),
        ("jordan.rivera.x", "The password is too similar to the"),
    ],
)
def test_a_weak_password_is_refused(client_for, agency_admin_a, team_a1, password, message):
    before_users, before_audit = User.objects.count(), audit_count()

    response = client_for(agency_admin_a).post(
        reverse("staff_create"), staff_post(team=team_a1.pk, password=password)
    )

    assert response.status_code == 200
    assert message in page_text(response)
    assert User.objects.count() == before_users
    assert audit_count() == before_audit


def test_admin_creates_a_supervisor_of_teams(client_for, agency_admin_a, team_a1, team_a2, youth_a1, youth_a2):
    response = client_for(agency_admin_a).post(
        reverse("staff_create"),
        staff_post(username="new_supervisor", role="supervisor", supervised_teams=[team_a1.pk, team_a2.pk]),
    )

    assert response.status_code == 302
    supervisor = User.objects.get(username="new_supervisor")
    assert supervisor.role == Role.SUPERVISOR
    assert set(supervisor.supervised_teams.all()) == {team_a1, team_a2}
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="user", object_id=str(supervisor.pk)
    ).exists()
    client = Client()
    assert client.login(request=signin_request(), username="new_supervisor", password=NEW_PASSWORD)
    # A supervisor signs in with a second factor too (tests/caseapp/test_two_factor.py): first set up.
    assert client.get(reverse("caseload"))["Location"] == reverse("two_factor_set_up")
    sign_in(client, supervisor)
    text = page_text(client.get(reverse("caseload")))
    assert youth_a1.case_number in text and youth_a2.case_number in text


def test_only_a_supervisor_supervises_teams(client_for, agency_admin_a, team_a1):
    before = User.objects.count()
    response = client_for(agency_admin_a).post(
        reverse("staff_create"), staff_post(team=team_a1.pk, supervised_teams=[team_a1.pk])
    )
    assert "Only a supervisor supervises teams." in page_text(response)
    assert User.objects.count() == before


def test_a_team_of_another_agency_cannot_be_chosen(client_for, agency_admin_a, team_b1):
    before = User.objects.count()
    response = client_for(agency_admin_a).post(reverse("staff_create"), staff_post(team=team_b1.pk))
    assert response.status_code == 200
    assert "Select a valid choice" in page_text(response)
    assert User.objects.count() == before


# --- Editing accounts ------------------------------------------------------------------------


def test_admin_changes_a_users_role(client_for, agency_admin_a, caseworker_a, team_a1, youth_a1):
    client = client_for(agency_admin_a)

    response = client.post(
        reverse("staff_edit", args=[caseworker_a.pk]),
        edit_post(caseworker_a, role="supervisor", team="", supervised_teams=[team_a1.pk]),
        follow=True,
    )

    assert "Account updated." in page_text(response)
    caseworker_a.refresh_from_db()
    assert caseworker_a.role == Role.SUPERVISOR
    assert list(caseworker_a.supervised_teams.all()) == [team_a1]
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_type="user", object_id=str(caseworker_a.pk))
    assert event.actor == agency_admin_a
    assert set(event.detail["changed"]) == {"role", "team", "supervised_teams"}
    # The new role applies at once: a supervisor of North still sees North's youth.
    assert client_for(caseworker_a).get(reverse("youth_detail", args=[youth_a1.pk])).status_code == 200


def test_a_deactivated_account_can_no_longer_log_in(client_for, agency_admin_a, caseworker_a, youth_a1):
    still_logged_in = client_for(caseworker_a)
    assert Client().login(request=signin_request(), username="caseworker_a", password=TEST_PASSWORD)

    response = client_for(agency_admin_a).post(
        reverse("staff_edit", args=[caseworker_a.pk]), edit_post(caseworker_a, is_active=None), follow=True
    )

    assert "Account updated." in page_text(response)
    assert "Deactivated" in page_text(response)
    caseworker_a.refresh_from_db()
    assert caseworker_a.is_active is False
    assert not Client().login(request=signin_request(), username="caseworker_a", password=TEST_PASSWORD)
    # An open session ends too: the next page sends them to the login page.
    after = still_logged_in.get(reverse("youth_detail", args=[youth_a1.pk]))
    assert after.status_code == 302 and reverse("login") in after["Location"]
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_type="user", object_id=str(caseworker_a.pk))
    assert event.detail["changed"] == ["is_active"]


def test_an_admin_cannot_remove_their_own_admin_role(client_for, agency_admin_a):
    client = client_for(agency_admin_a)
    before = audit_count()

    for change in ({"role": "agency_staff"}, {"is_active": None}):
        response = client.post(reverse("staff_edit", args=[agency_admin_a.pk]), edit_post(agency_admin_a, **change))
        assert response.status_code == 200
        assert "You cannot remove your own admin access" in page_text(response)

    agency_admin_a.refresh_from_db()
    assert agency_admin_a.role == Role.AGENCY_ADMIN
    assert agency_admin_a.is_active
    assert audit_count() == before


def test_admin_sets_a_new_password(client_for, agency_admin_a, caseworker_a):
    response = client_for(agency_admin_a).post(
        reverse("staff_password", args=[caseworker_a.pk]), {"password": NEW_PASSWORD}, follow=True
    )
    assert "Password set for" in page_text(response)
    assert Client().login(request=signin_request(), username="caseworker_a", password=NEW_PASSWORD)
    assert not Client().login(request=signin_request(), username="caseworker_a", password=TEST_PASSWORD)
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_type="user", object_id=str(caseworker_a.pk))
    assert event.detail["changed"] == ["password"]
    assert NEW_PASSWORD not in str(event.detail)


def test_a_weak_new_password_is_refused(client_for, agency_admin_a, caseworker_a):
    response = client_for(agency_admin_a).post(reverse("staff_password", args=[caseworker_a.pk]), {"password": "abc"})
    assert "This password is too short." in page_text(response)
    assert Client().login(request=signin_request(), username="caseworker_a", password=TEST_PASSWORD)
    assert audit_count() == 0


# --- Other agencies and other roles ----------------------------------------------------------


def test_admin_b_cannot_see_or_change_agency_a_staff(client_for, admin_b, caseworker_a, agency_admin_a, team_a1):
    client = client_for(admin_b)

    listing = page_text(client.get(reverse("staff_list")))
    assert "caseworker_a" not in listing
    assert "agency_admin_a" not in listing
    assert team_a1.name not in listing

    for url in (
        reverse("staff_edit", args=[caseworker_a.pk]),
        reverse("staff_password", args=[caseworker_a.pk]),
        reverse("team_edit", args=[team_a1.pk]),
    ):
        assert client.get(url).status_code == 404
    response = client.post(reverse("staff_edit", args=[caseworker_a.pk]), edit_post(caseworker_a, is_active=None))
    assert response.status_code == 404
    assert client.post(reverse("staff_password", args=[caseworker_a.pk]), {"password": NEW_PASSWORD}).status_code == 404
    caseworker_a.refresh_from_db()
    assert caseworker_a.is_active
    assert caseworker_a.check_password(TEST_PASSWORD)
    assert audit_count() == 0


def test_staff_pages_are_for_agency_admins_only(client_for, caseworker_a, supervisor_a, agency_staff_a, no_role_user):
    for user in (caseworker_a, supervisor_a, agency_staff_a, no_role_user):
        client = client_for(user)
        assert client.get(reverse("staff_list")).status_code == 404
        assert client.post(reverse("staff_create"), staff_post()).status_code == 404
        assert client.post(reverse("team_create"), {"name": "Sneaky"}).status_code == 404
    assert not User.objects.filter(username="new_caseworker").exists()
    assert not Team.objects.filter(name="Sneaky").exists()


# --- Teams -----------------------------------------------------------------------------------


def test_admin_creates_a_team_with_a_supervisor(client_for, agency_admin_a, supervisor_a):
    response = client_for(agency_admin_a).post(
        reverse("team_create"), {"name": "West", "supervisors": [supervisor_a.pk]}, follow=True
    )
    assert "Team saved." in page_text(response)
    team = Team.objects.get(agency=agency_admin_a.agency, name="West")
    assert list(team.supervisors.all()) == [supervisor_a]
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="team", object_id=str(team.pk)).exists()


def test_a_duplicate_team_name_is_refused(client_for, agency_admin_a, team_a1):
    before_teams, before_audit = Team.objects.count(), audit_count()

    response = client_for(agency_admin_a).post(reverse("team_create"), {"name": team_a1.name.upper()})

    assert response.status_code == 200
    assert "This agency already has a team with that name." in page_text(response)
    assert Team.objects.count() == before_teams
    assert audit_count() == before_audit


def test_the_same_team_name_in_another_agency_is_allowed(client_for, admin_b, team_a1):
    response = client_for(admin_b).post(reverse("team_create"), {"name": team_a1.name})
    assert response.status_code == 302
    assert Team.objects.filter(name=team_a1.name).count() == 2


def test_team_supervisors_are_limited_to_the_agencys_supervisors(
    client_for, agency_admin_a, agency_b, caseworker_a, supervisor_a, team_a1
):
    supervisor_b = UserFactory(username="supervisor_b", agency=agency_b, role=Role.SUPERVISOR)
    client = client_for(agency_admin_a)
    offered = client.get(reverse("team_create")).context["form"].fields["supervisors"].queryset
    assert list(offered) == [supervisor_a]
    assert caseworker_a not in offered  # a caseworker is not a supervisor
    before_teams, before_audit = Team.objects.count(), audit_count()

    for intruder in (supervisor_b, caseworker_a):
        response = client.post(reverse("team_create"), {"name": "West", "supervisors": [intruder.pk]})
        assert response.status_code == 200
        assert "Select a valid choice" in page_text(response)

    edit = client.post(
        reverse("team_edit", args=[team_a1.pk]), {"name": team_a1.name, "supervisors": [supervisor_b.pk]}
    )
    assert "Select a valid choice" in page_text(edit)
    assert not team_a1.supervisors.filter(pk=supervisor_b.pk).exists()
    assert Team.objects.count() == before_teams
    assert audit_count() == before_audit


def test_editing_a_team_renames_it_and_is_audited(client_for, agency_admin_a, supervisor_a):
    team = TeamFactory(agency=agency_admin_a.agency, name="Old name")
    response = client_for(agency_admin_a).post(
        reverse("team_edit", args=[team.pk]), {"name": "New name", "supervisors": [supervisor_a.pk]}
    )
    assert response.status_code == 302
    team.refresh_from_db()
    assert team.name == "New name"
    assert list(team.supervisors.all()) == [supervisor_a]
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, object_type="team", object_id=str(team.pk)).exists()
