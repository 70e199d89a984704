"""The punitive-responses report (exports/reports/punitive_responses.py, docs/duties.md#return-responses): punitive
responses recorded after a return, by the provider of the placement the youth left and by team, beside the next
episode of the same youth and the time to it. Scoped like every report: another agency's responses never, another
team's not for a supervisor. A fixed number of queries whatever the number of responses.

Period March 2025 in America/Chicago. Maple House (North, youth n1): a run on 03/02, a detention decided 03/03
12:00 and contact with family increased 03/03 12:00; n1's next run starts 03/10 12:00 (7 days later). "maple  house"
(South, youth s1): privileges restricted 03/05, no next run. Agency B's Maple House: charges filed 03/04.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from exports.reports import punitive_responses
from exports.reports.base import ExportFilters, ReportQuery
from missing_reports.models import ReturnResponse
from tests.exports.conftest import episode, local
from tests.exports.helpers import csv_rows, start
from tests.factories import PlacementFactory, YouthFactory

pytestmark = pytest.mark.django_db

H = datetime.timedelta(hours=1)
AS_OF = local(2025, 5, 1, 9, 0)


def respond(ep, kind, at, actor):
    return ReturnResponse.objects.create(
        episode=ep, kind=kind, decided_at=at, decided_by_name="Placement unit", reason="Recorded for the test.",
        recorded_by=actor,
    )


def youth_with_run(team, worker, provider, seen, returned, case_number):
    youth = YouthFactory(team=team, case_number=case_number, assigned_caseworkers=[worker])
    placement = PlacementFactory(youth=youth, provider_name=provider, start_date=datetime.date(2025, 1, 1))
    return youth, placement, episode(youth, placement, worker, seen, returned)


@pytest.fixture
def responses(team_a1, team_a2, team_b1, caseworker_a, caseworker_a2, caseworker_b):
    n1, placement, first = youth_with_run(
        team_a1, caseworker_a, "Maple House", local(2025, 3, 2, 20), local(2025, 3, 3, 9), "A-N1"
    )
    respond(first, "detention", local(2025, 3, 3, 12), caseworker_a)
    respond(first, "family_contact_increased", local(2025, 3, 3, 12), caseworker_a)
    episode(n1, placement, caseworker_a, local(2025, 3, 10, 12), local(2025, 3, 11, 12))
    _, _, south = youth_with_run(
        team_a2, caseworker_a2, "maple  house", local(2025, 3, 4, 20), local(2025, 3, 5, 9), "A-S1"
    )
    respond(south, "restriction", local(2025, 3, 5, 10), caseworker_a2)
    _, _, other = youth_with_run(
        team_b1, caseworker_b, "Maple House", local(2025, 3, 3, 20), local(2025, 3, 4, 9), "B-1"
    )
    respond(other, "charges", local(2025, 3, 4, 10), caseworker_b)


def query(user, **filters):
    data = {"period_start": datetime.date(2025, 3, 1), "period_end": datetime.date(2025, 3, 31)} | filters
    return ReportQuery(agency=user.agency, user=user, filters=ExportFilters(**data), as_of=AS_OF)


def shown(rows):
    return [
        (r.provider, r.team, r.punitive.responses, r.punitive.followed, r.punitive.mean_days_to_next,
         r.other.responses, r.other.followed, r.other.mean_days_to_next)
        for r in rows
    ]


def test_a_punitive_response_appears_under_its_provider_and_another_agencys_never(
    responses, agency_admin_a, admin_b, team_a1, team_a2
):
    assert shown(punitive_responses.figures(query(agency_admin_a))) == [
        ("Maple House", team_a1.name, 1, 1, 7.0, 1, 1, 7.0),
        ("Maple House", team_a2.name, 1, 0, None, 0, 0, None),
    ]
    # Agency B's admin sees their own charges only: none of agency A's.
    assert shown(punitive_responses.figures(query(admin_b))) == [
        ("Maple House", admin_b.agency.teams.get().name, 1, 0, None, 0, 0, None),
    ]


def test_a_supervisor_sees_their_teams_only_and_a_response_outside_the_period_is_not_counted(
    responses, supervisor_a, team_a1
):
    assert [r.team for r in punitive_responses.figures(query(supervisor_a))] == [team_a1.name]
    assert punitive_responses.figures(query(supervisor_a, period_end=datetime.date(2025, 3, 2))) == []


def test_the_next_episode_is_looked_for_only_up_to_the_run_of_the_report(responses, agency_admin_a):
    early = ReportQuery(
        agency=agency_admin_a.agency, user=agency_admin_a, as_of=local(2025, 3, 9),
        filters=ExportFilters(datetime.date(2025, 3, 1), datetime.date(2025, 3, 31)),
    )
    assert shown(punitive_responses.figures(early))[0][3] == 0


def test_the_query_count_does_not_grow_with_the_responses(responses, agency_admin_a, caseworker_a, team_a1):
    with CaptureQueriesContext(connection) as few:
        punitive_responses.figures(query(agency_admin_a))
    for number in range(6):
        _, _, run = youth_with_run(
            team_a1, caseworker_a, f"Provider {number}", local(2025, 3, 6, 8), local(2025, 3, 6, 20), f"A-X{number}"
        )
        respond(run, "charges", local(2025, 3, 7, 8), caseworker_a)
    with CaptureQueriesContext(connection) as many:
        rows = punitive_responses.figures(query(agency_admin_a))
    assert len(rows) == 8
    assert len(many) == len(few) == 1


def test_the_export_has_the_same_rows_as_csv(responses, agency_admin_a, django_capture_on_commit_callbacks, team_a1):
    job = start(agency_admin_a, django_capture_on_commit_callbacks, report="punitive-responses")
    rows = csv_rows(job)
    assert rows[0][:3] == ["Provider at the time of the run", "Team", "Punitive responses"]
    assert rows[1][:6] == ["Maple House", team_a1.name, "1", "1", "100.0", "7.0"]
    assert len(rows) == 3


def test_the_page_shows_the_figures_of_the_askers_scope(responses, client_for, agency_admin_a, admin_b,
                                                        caseworker_a):
    url = reverse("punitive_responses_report") + "?period_start=2025-03-01&period_end=2025-03-31"
    page = client_for(agency_admin_a).get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Maple House" in body and "Download as CSV" in body
    other = client_for(admin_b).get(url).content.decode()
    assert other.count("Maple House") == 1  # their own row; agency A's two never
    assert client_for(caseworker_a).get(url).status_code == 404


def test_the_page_costs_the_same_queries_for_one_response_or_many(responses, client_for, agency_admin_a,
                                                                 caseworker_a, team_a1):
    client = client_for(agency_admin_a)
    url = reverse("punitive_responses_report") + "?period_start=2025-03-01&period_end=2025-03-31"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for number in range(5):
        _, _, run = youth_with_run(
            team_a1, caseworker_a, f"Home {number}", local(2025, 3, 6, 8), local(2025, 3, 6, 20), f"A-Y{number}"
        )
        respond(run, "detention", local(2025, 3, 7, 8), caseworker_a)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
    assert timezone.now()  # the page drew without error for both
