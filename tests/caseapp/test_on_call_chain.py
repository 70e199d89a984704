"""Who is on call (caseapp.on_call.on_call_at) and who is alerted about a youth, in order
(escalation_chain): team before agency-wide, swaps replacing and adding, only people who may open the youth's
record, supervisors and admins after the roster, in a fixed number of queries (docs/design.md#on-call)."""

import datetime
import logging

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from caseapp import access
from caseapp.models import OnCallShift, OnCallSwap, Role
from caseapp.on_call import escalation_chain, on_call_at, on_call_supervisor
from tests.factories import UserFactory, YouthFactory
from tests.personas import OTHER_AGENCY, OUTSIDERS

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
# Monday 2026-12-07, 10:00 CST and 23:00 CST (America/Chicago is UTC-6 in December).
MONDAY_10 = datetime.datetime(2026, 12, 7, 16, tzinfo=UTC)
MONDAY_23 = datetime.datetime(2026, 12, 8, 5, tzinfo=UTC)
MON = 0


def shift(agency, user, *, team=None, weekday=MON, start=8, end=17, position=1):
    return OnCallShift.objects.create(
        agency=agency,
        team=team,
        user=user,
        weekday=weekday,
        start_hour=start,
        end_hour=end,
        position=position,
        created_by=user,
    )


def swap(agency, user, *, replaces=None, team=None, starts=MONDAY_10 - datetime.timedelta(hours=1), hours=4):
    return OnCallSwap.objects.create(
        agency=agency,
        team=team,
        user=user,
        replaces=replaces,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=hours),
        created_by=user,
    )


@pytest.fixture
def night_admin(agency_a):
    return UserFactory(username="night_admin", agency=agency_a, role=Role.AGENCY_ADMIN, last_name="Zed")


def test_team_first_then_agency_wide_each_by_position(
    agency_a, team_a1, caseworker_a, supervisor_a, agency_admin_a, night_admin
):
    shift(agency_a, agency_admin_a, position=1)
    shift(agency_a, night_admin, position=2)
    shift(agency_a, caseworker_a, team=team_a1, position=2)
    shift(agency_a, supervisor_a, team=team_a1, position=1)
    assert on_call_at(agency_a, MONDAY_10, team_a1) == [supervisor_a, caseworker_a, agency_admin_a, night_admin]
    assert on_call_at(agency_a, MONDAY_10) == [agency_admin_a, night_admin]
    assert on_call_at(agency_a, MONDAY_23, team_a1) == []


def test_swaps_replace_in_place_and_add_on_top(
    agency_a, team_a1, caseworker_a, supervisor_a, agency_admin_a, night_admin, caseworker_a2
):
    shift(agency_a, supervisor_a, team=team_a1, position=1)
    shift(agency_a, caseworker_a, team=team_a1, position=2)
    swap(agency_a, agency_admin_a, replaces=supervisor_a, team=team_a1)
    swap(agency_a, night_admin, team=team_a1)
    assert on_call_at(agency_a, MONDAY_10, team_a1) == [night_admin, agency_admin_a, caseworker_a]
    # The swaps are over by 23:00 and cover nobody before their start.
    assert on_call_at(agency_a, MONDAY_10 - datetime.timedelta(hours=2), team_a1) == [supervisor_a, caseworker_a]


def test_no_one_twice_and_only_active_staff_of_the_agency(
    agency_a, team_a1, caseworker_a, supervisor_a, deactivated_caseworker_a
):
    shift(agency_a, supervisor_a, team=team_a1)
    shift(agency_a, deactivated_caseworker_a, team=team_a1, position=2)
    shift(agency_a, supervisor_a)  # agency-wide as well
    shift(agency_a, caseworker_a, position=2)
    assert on_call_at(agency_a, MONDAY_10, team_a1) == [supervisor_a, caseworker_a]


def test_removed_rows_are_not_on_call(agency_a, team_a1, supervisor_a, agency_admin_a):
    row = shift(agency_a, supervisor_a, team=team_a1)
    OnCallShift.objects.filter(pk=row.pk).update(removed_at=MONDAY_10, removed_by=agency_admin_a)
    assert on_call_at(agency_a, MONDAY_10, team_a1) == []


def test_another_agency_s_roster_is_not_read(agency_a, agency_b, team_a1, supervisor_b):
    shift(agency_b, supervisor_b)
    assert on_call_at(agency_a, MONDAY_10, team_a1) == []


def test_the_chain_is_the_roster_then_supervisors_then_admins(
    agency_a, team_a1, youth_a1, caseworker_a, supervisor_a, agency_admin_a, night_admin
):
    shift(agency_a, caseworker_a, team=team_a1)
    shift(agency_a, night_admin)
    assert escalation_chain(youth_a1, MONDAY_10) == [caseworker_a, night_admin, supervisor_a, agency_admin_a]
    assert on_call_supervisor(youth_a1, MONDAY_10) == caseworker_a


def test_with_nobody_on_call_the_chain_falls_back_to_supervisors_then_admins(youth_a1, supervisor_a, agency_admin_a):
    assert escalation_chain(youth_a1, MONDAY_23) == [supervisor_a, agency_admin_a]
    assert on_call_supervisor(youth_a1, MONDAY_23) == supervisor_a


def test_nobody_at_all_is_none(youth_a1):
    assert escalation_chain(youth_a1, MONDAY_23) == []
    assert on_call_supervisor(youth_a1, MONDAY_23) is None


def test_someone_on_call_who_may_not_open_the_record_is_skipped_and_logged(
    agency_a, youth_a1, caseworker_a2, supervisor_a, agency_admin_a, caplog
):
    shift(agency_a, caseworker_a2)  # agency-wide, but a caseworker of team South
    with caplog.at_level(logging.INFO, logger="caseapp.on_call"):
        assert escalation_chain(youth_a1, MONDAY_10) == [supervisor_a, agency_admin_a]
    assert f"skips user {caseworker_a2.pk}" in caplog.text


def test_the_chain_runs_a_fixed_number_of_queries(agency_a, team_a1, youth_a1, supervisor_a, agency_admin_a):
    def count():
        with CaptureQueriesContext(connection) as queries:
            escalation_chain(youth_a1, MONDAY_10)
        return len(queries.captured_queries)

    shift(agency_a, supervisor_a, team=team_a1)
    small = count()
    for position in range(2, 12):
        shift(
            agency_a,
            UserFactory(agency=agency_a, role=Role.SUPERVISOR, supervises=[team_a1]),
            team=team_a1,
            position=position,
        )
        shift(agency_a, UserFactory(agency=agency_a, role=Role.AGENCY_ADMIN), position=position)
        swap(agency_a, UserFactory(agency=agency_a, role=Role.AGENCY_STAFF))
    assert len(escalation_chain(youth_a1, MONDAY_10)) > 30
    assert count() == small


@pytest.mark.parametrize(
    "persona",
    sorted(
        {
            "caseworker_a",
            "supervisor_a",
            "agency_staff_a",
            "agency_admin_a",
            "deactivated_caseworker_a",
            "no_role_user",
            "supervisor_b",
            *OUTSIDERS,
            *OTHER_AGENCY,
        }
    ),
)
def test_users_who_see_youth_agrees_with_the_gate(request, persona, youth_a1, youth_a2, youth_b):
    user = request.getfixturevalue(persona)
    for youth in (youth_a1, youth_a2, youth_b, YouthFactory(team=youth_a1.team)):
        expected = access.youth_visible_to(user).filter(pk=youth.pk).exists()
        assert access.users_who_see_youth(youth).filter(pk=user.pk).exists() is expected, (persona, youth)


def test_users_who_see_youth_includes_a_superuser_as_the_gate_does(youth_a1):
    root = UserFactory(username="root", agency=None, role="", is_superuser=True)
    assert access.youth_visible_to(root).filter(pk=youth_a1.pk).exists()
    assert access.users_who_see_youth(youth_a1).filter(pk=root.pk).exists()
