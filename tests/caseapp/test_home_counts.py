"""The home page's counts (caseapp/selectors.py dashboard_summary): right for the user's scope, kept for a minute
per scope so a page load does not scan the whole scope, said on the page with when they were counted; who is
missing from care now is never cached."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from caseapp import selectors
from caseapp.models import CoveredPopulation, Role, YouthStatus
from missing_reports.services import episodes as episode_services
from tests.factories import PlacementFactory, UserFactory, YouthFactory

HOME = reverse("dashboard")


@pytest.fixture
def caseload(team_a1, team_a2, caseworker_a):
    """North: 3 active youth (2 assigned to caseworker_a, 1 with no current placement), 1 who left care and 1
    active youth in independent living without a placement (not in foster care); South: 2 active youth."""
    placed = [YouthFactory(team=team_a1, assigned_caseworkers=[caseworker_a]) for _ in range(2)]
    for youth in placed:
        PlacementFactory(youth=youth)
    unplaced = YouthFactory(team=team_a1)
    YouthFactory(
        team=team_a1,
        status=YouthStatus.EXITED,
        exited_on=datetime.date(2025, 1, 1),
        assigned_caseworkers=[caseworker_a],
    )
    not_foster_care = next(c for c in CoveredPopulation.values if c != CoveredPopulation.FOSTER_CARE)
    other = YouthFactory(team=team_a1, covered_population=not_foster_care)
    PlacementFactory(youth=other)
    for _ in range(2):
        PlacementFactory(youth=YouthFactory(team=team_a2))
    return {"placed": placed, "unplaced": unplaced}


def counts(response):
    context = response.context
    return context["active_count"], context["assigned_count"], context["no_placement_count"]


def test_the_counts_are_those_of_the_users_scope(caseload, client_for, caseworker_a, agency_admin_a):
    assert counts(client_for(caseworker_a).get(HOME)) == (4, 2, 1)
    assert counts(client_for(agency_admin_a).get(HOME)) == (6, 0, 1)


def test_the_page_says_when_the_counts_were_counted(caseload, client_for, caseworker_a):
    page = client_for(caseworker_a).get(HOME).content.decode()
    assert 'id="counts-as-of">Counted as of ' in page
    assert "Who is missing from care now is always current." in page


def test_a_warm_cache_counts_nothing_and_runs_a_fixed_number_of_queries(
    caseload, team_a1, caseworker_a, django_assert_num_queries
):
    first = selectors.dashboard_summary(caseworker_a)
    with CaptureQueriesContext(connection) as warm:
        again = selectors.dashboard_summary(caseworker_a)
    assert len(warm) == 2, [q["sql"] for q in warm.captured_queries]  # the scope's teams, recently viewed
    assert not any("COUNT(" in q["sql"] for q in warm.captured_queries)
    assert again["active_count"] == first["active_count"] == 4
    assert again["counts_as_of"] == first["counts_as_of"]
    # More youth: the same queries on a warm cache, and the counts lag until the minute is up.
    for _ in range(10):
        YouthFactory(team=team_a1, assigned_caseworkers=[caseworker_a])
    with django_assert_num_queries(2):
        lagging = selectors.dashboard_summary(caseworker_a)
    assert (lagging["active_count"], lagging["assigned_count"]) == (4, 2)
    cache.clear()  # what the minute's expiry does
    fresh = selectors.dashboard_summary(caseworker_a)
    assert (fresh["active_count"], fresh["assigned_count"], fresh["no_placement_count"]) == (14, 12, 11)


def test_people_who_see_the_same_teams_share_the_scopes_counts_but_not_their_own(
    caseload, agency_a, team_a1, caseworker_a
):
    colleague = UserFactory(agency=agency_a, role=Role.CASEWORKER, team=team_a1)
    selectors.dashboard_summary(caseworker_a)
    with CaptureQueriesContext(connection) as queries:
        theirs = selectors.dashboard_summary(colleague)
    counted = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"]]
    assert len(counted) == 1  # only "assigned to you"
    assert (theirs["active_count"], theirs["assigned_count"], theirs["no_placement_count"]) == (4, 0, 1)


def test_another_scope_never_gets_the_counts_of_this_one(
    caseload, client_for, caseworker_a, caseworker_a2, supervisor_a
):
    client_for(caseworker_a).get(HOME)
    assert counts(client_for(caseworker_a2).get(HOME)) == (2, 0, 0)
    assert counts(client_for(supervisor_a).get(HOME)) == (4, 0, 1)


def test_who_is_missing_now_is_current_the_moment_a_run_is_logged(
    caseload, client_for, caseworker_a, django_capture_on_commit_callbacks
):
    client = client_for(caseworker_a)
    before = client.get(HOME).content.decode()
    assert "Nobody in your caseload is missing from care right now." in before
    youth = caseload["placed"][0]
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        episode_services.log_run(
            actor=caseworker_a,
            youth_id=youth.pk,
            last_seen_at=now - datetime.timedelta(hours=2),
            last_seen_location="Outside the library",
            reported_by="Foster parent",
            agency_learned_at=now - datetime.timedelta(hours=1),
        )
    after = client.get(HOME)
    page = after.content.decode()
    assert youth.display_name in page
    assert "See every clock on the missing-now board (1)" in page
    assert [episode.youth_id for episode in after.context["missing_now"]] == [youth.pk]


def test_an_unreachable_cache_still_shows_the_counts(caseload, client_for, caseworker_a, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    assert counts(client_for(caseworker_a).get(HOME)) == (4, 2, 1)
