"""The reports dashboard's figures, counted off the request and kept per scope and filters
(exports/services/dashboard.py): what the page draws is a direct count's figures, a stale page starts one recount
however many load it, an empty one says it is counting and then draws the figures, a failure is a calm message
with a way to try again, and no scope ever reads another's figures.

Under the test settings the task runs in-process (as under `make run`); a count "running elsewhere" is its lock
taken, as a worker's count holds it. The real worker is in test_dashboard_worker.py.
"""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from caseapp.models import PlacementType, Role
from exports import dashboard, tasks
from exports.reports.base import ExportFilters
from exports.services import dashboard as services
from tests.exports.test_dashboard import MARCH_GET, URL, chart_table
from tests.exports.test_placement_environment import MARCH, build_environment, day, episode, local, placement
from tests.factories import TeamFactory, UserFactory, YouthFactory
from tests.helpers import sign_in
from tests.integration.conftest import broker_down  # noqa: F401  (a fixture)

STATUS_URL = "/reports/dashboard/status.json"
RECOUNT_URL = "/reports/dashboard/recount/"


@pytest.fixture
def environment(team_a1, team_a2, team_b1, caseworker_a, caseworker_a2, caseworker_b):
    return build_environment(team_a1, team_a2, team_b1, caseworker_a, caseworker_a2, caseworker_b)


def tables(sections):
    return {chart.id: chart.rows for section in sections for chart in section.charts}


def kept(user, filters=MARCH):
    return services.read(user, filters).counted


def age(user, filters=MARCH, by=datetime.timedelta(hours=1)):
    """Make the kept figures of `user` older, as if counted `by` ago."""
    key = services.key_of(user, filters)
    counted = cache.get(f"{key}:figures")
    counted.as_of -= by
    cache.set(f"{key}:figures", counted)


def hold_lock(user, filters=MARCH):
    """A count of these figures running elsewhere (a worker holds its lock)."""
    assert cache.add(f"{services.key_of(user, filters)}:lock", "elsewhere", 60)


def test_the_page_draws_the_kept_figures_and_they_are_a_direct_count(environment, client_for, agency_staff_a):
    page = client_for(agency_staff_a).get(URL, MARCH_GET).content.decode()
    counted = kept(agency_staff_a)
    assert counted is not None and "Counted as of" in page
    direct = dashboard.count(dashboard.query_for(agency_staff_a, MARCH, timezone.now()))
    assert tables(counted.sections) == tables(direct.sections)
    assert counted.missing_now == direct.missing_now
    for chart_id, rows in tables(direct.sections).items():
        if rows:
            assert len(chart_table(page, chart_id)) == len(rows)
    assert chart_table(page, "chart-episodes-per-month") == [["March 2025", "6"]]


def test_a_fresh_page_reads_the_kept_figures_without_counting(environment, client_for, agency_staff_a):
    client = client_for(agency_staff_a)
    client.get(URL, MARCH_GET)
    first = kept(agency_staff_a).as_of
    client.get(URL, MARCH_GET)
    assert kept(agency_staff_a).as_of == first  # not counted again


def test_a_stale_page_is_drawn_and_starts_exactly_one_recount(environment, client_for, agency_staff_a):
    client = client_for(agency_staff_a)
    client.get(URL, MARCH_GET)
    age(agency_staff_a)
    old = kept(agency_staff_a).as_of
    counted_at = set()
    for _ in range(20):
        client.get(URL, MARCH_GET)
        counted_at.add(kept(agency_staff_a).as_of)
    assert len(counted_at) == 1 and old not in counted_at  # one recount (in-process here), then read 19 times


def test_while_a_count_runs_nobody_starts_another(environment, agency_staff_a):
    hold_lock(agency_staff_a)
    assert [services.ask_for_count(agency_staff_a, MARCH) for _ in range(20)] == [False] * 20
    assert kept(agency_staff_a) is None


def test_a_stale_page_while_its_recount_runs_shows_the_old_figures_with_their_time(
    environment, client_for, agency_staff_a
):
    client = client_for(agency_staff_a)
    client.get(URL, MARCH_GET)
    age(agency_staff_a)
    old = kept(agency_staff_a).as_of
    hold_lock(agency_staff_a)
    for _ in range(3):
        page = client.get(URL, MARCH_GET).content.decode()
        assert "being counted again now" in page
        assert chart_table(page, "chart-episodes-per-month") == [["March 2025", "6"]]
    assert kept(agency_staff_a).as_of == old  # nobody started a second count


def test_nothing_counted_yet_shows_the_counting_state_then_the_figures(environment, client_for, agency_staff_a):
    client = client_for(agency_staff_a)
    hold_lock(agency_staff_a)  # a worker is counting them
    response = client.get(URL, MARCH_GET)
    page = response.content.decode()
    assert response.status_code == 200
    assert "The figures for this period are being counted." in page
    assert 'role="progressbar"' in page and "0 of 5 parts counted." in page
    assert 'src="/static/exports/dashboard-status.js"' in page  # updates itself, no inline script
    assert f'href="{URL}?period_start=2025-03-01&amp;period_end=2025-03-31"' in page  # the no-script way
    assert "chart-episodes-per-month" not in page
    status = client.get(STATUS_URL, MARCH_GET).json()
    assert (status["status"], status["done"], status["total"]) == ("counting", 0, 5)

    key = services.key_of(agency_staff_a, MARCH)
    assert tasks.count_dashboard.apply(args=(agency_staff_a.pk, MARCH.to_json(), key)).get() == "counted"

    status = client.get(STATUS_URL, MARCH_GET).json()
    assert status["status"] == "ready" and status["fresh"] and status["counted_at"]
    page = client.get(URL, MARCH_GET).content.decode()
    assert chart_table(page, "chart-episodes-per-month") == [["March 2025", "6"]]
    assert "dashboard-status.js" not in page


def test_progress_moves_part_by_part(environment, agency_staff_a):
    key = services.key_of(agency_staff_a, MARCH)
    seen = []
    query = dashboard.query_for(agency_staff_a, MARCH, timezone.now())
    dashboard.count(query, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(n, 5) for n in range(1, 6)]
    assert services.read(agency_staff_a, MARCH, key).counted is None  # counting directly keeps nothing


def test_a_failed_count_is_a_calm_message_and_a_way_to_try_again(
    environment, client_for, agency_staff_a, monkeypatch
):
    def broken(query, progress=None):
        raise RuntimeError("the database went away")

    client = client_for(agency_staff_a)
    with monkeypatch.context() as patched:
        patched.setattr(dashboard, "count", broken)
        response = client.get(URL, MARCH_GET)
        page = response.content.decode()
        assert response.status_code == 200
        assert "The figures could not be counted this time." in page and "Try again" in page
        assert "the database went away" not in page
        assert client.get(STATUS_URL, MARCH_GET).json()["status"] == "failed"
        # Not asked for again on every load while the failure is recent: the page offers the button.
        client.get(URL, MARCH_GET)
    response = client.post(RECOUNT_URL, MARCH_GET)
    assert response.status_code == 302 and response.url.startswith(URL + "?period_start=2025-03-01")
    page = client.get(response.url).content.decode()
    assert "could not be counted" not in page
    assert chart_table(page, "chart-episodes-per-month") == [["March 2025", "6"]]


def test_count_again_is_a_post_with_its_csrf_token(environment, agency_staff_a):
    client = sign_in(Client(enforce_csrf_checks=True), agency_staff_a)
    assert client.post(RECOUNT_URL, MARCH_GET).status_code == 403
    assert kept(agency_staff_a) is None
    assert client.get(RECOUNT_URL).status_code == 405


def test_count_again_counts_now_even_when_fresh(environment, client_for, agency_staff_a):
    client = client_for(agency_staff_a)
    client.get(URL, MARCH_GET)
    age(agency_staff_a, by=datetime.timedelta(seconds=5))  # fresh, but counted before
    old = kept(agency_staff_a).as_of
    client.post(RECOUNT_URL, MARCH_GET)
    assert kept(agency_staff_a).as_of > old


# --- Scope ---------------------------------------------------------------------------------------------------


def test_a_supervisor_never_reads_another_teams_kept_figures(environment, client_for, supervisor_a, agency_a, team_a2):
    supervisor_south = UserFactory(
        username="supervisor_south", agency=agency_a, role=Role.SUPERVISOR, supervises=[team_a2]
    )
    assert services.key_of(supervisor_south, MARCH) != services.key_of(supervisor_a, MARCH)
    south_page = client_for(supervisor_south).get(URL, MARCH_GET).content.decode()
    north_page = client_for(supervisor_a).get(URL, MARCH_GET).content.decode()
    # North: e1, e2, e3, e4 in March; South: its own episodes only, and each sees its own team only.
    assert chart_table(north_page, "chart-episodes-per-month") == [["March 2025", "4"]]
    assert chart_table(north_page, "chart-missing-now") == [["North", "1"]]
    assert chart_table(south_page, "chart-episodes-per-month") != [["March 2025", "4"]]
    assert "North" not in south_page and "South" not in north_page


def test_a_supervisor_of_the_same_teams_shares_the_figures(environment, supervisor_a, agency_a, team_a1):
    other = UserFactory(username="supervisor_north_2", agency=agency_a, role=Role.SUPERVISOR, supervises=[team_a1])
    assert services.key_of(other, MARCH) == services.key_of(supervisor_a, MARCH)


def test_agency_staff_and_admins_keep_apart_what_only_deciders_see(agency_staff_a, agency_admin_a):
    # The same youth, but admins decide reviews and see the review items' chart: two keys.
    assert services.key_of(agency_staff_a, MARCH) != services.key_of(agency_admin_a, MARCH)


def test_filters_have_their_own_figures(environment, client_for, agency_staff_a, team_a1):
    north_only = {**MARCH_GET, "teams": [team_a1.pk]}
    client = client_for(agency_staff_a)
    everyone = client.get(URL, MARCH_GET).content.decode()
    north = client.get(URL, north_only).content.decode()
    assert chart_table(everyone, "chart-episodes-per-month") == [["March 2025", "6"]]
    assert chart_table(north, "chart-episodes-per-month") == [["March 2025", "4"]]


def test_another_agency_never_reads_agency_as_kept_figures(environment, client_for, agency_staff_a, admin_b):
    client_for(agency_staff_a).get(URL, MARCH_GET)
    assert services.key_of(admin_b, MARCH) != services.key_of(agency_staff_a, MARCH)
    status = client_for(admin_b).get(STATUS_URL, MARCH_GET).json()
    assert status["status"] == "waiting" and status["counted_at"] is None
    page = client_for(admin_b).get(URL, MARCH_GET).content.decode()
    assert chart_table(page, "chart-episodes-per-month") == [["March 2025", "1"]]  # agency B's own episode


@pytest.mark.parametrize("persona", ["caseworker_a", "no_role_user", "caseworker_b"])
def test_the_status_and_count_again_are_404_for_those_without_the_dashboard(
    request, environment, client_for, agency_staff_a, persona
):
    client_for(agency_staff_a).get(URL, MARCH_GET)
    client = client_for(request.getfixturevalue(persona))
    assert client.get(STATUS_URL, MARCH_GET).status_code == 404
    assert client.post(RECOUNT_URL, MARCH_GET).status_code == 404


def test_the_status_endpoint_answers_json_not_kept_by_the_browser(environment, client_for, agency_staff_a):
    client = client_for(agency_staff_a)
    client.get(URL, MARCH_GET)
    response = client.get(STATUS_URL, MARCH_GET)
    assert response["Content-Type"] == "application/json" and response["Cache-Control"] == "no-store"
    assert response.json()["status"] == "ready"


def test_a_count_asked_by_someone_whose_scope_changed_keeps_nothing(environment, supervisor_a, team_a1, team_a2):
    key = services.key_of(supervisor_a, MARCH)
    team_a2.supervisors.add(supervisor_a)  # they now see South too: another key
    assert tasks.count_dashboard.apply(args=(supervisor_a.pk, MARCH.to_json(), key)).get() == "dropped"
    assert cache.get(f"{key}:figures") is None


# --- The count's own cost and the warm-up ---------------------------------------------------------------------


def test_the_count_runs_a_fixed_number_of_queries_whatever_the_data_size(
    environment, agency_admin_a, team_a1, caseworker_a
):
    def queries_of_a_count():
        key = services.key_of(agency_admin_a, MARCH)
        with CaptureQueriesContext(connection) as captured:
            services.run_count(agency_admin_a.pk, MARCH.to_json(), key)
        return len(captured)

    small = queries_of_a_count()
    for n in range(10):
        youth = YouthFactory(team=team_a1)
        home = placement(youth, PlacementType.SHELTER, f"Shelter {n}", day(2, 1))
        episode(youth, home, caseworker_a, local(2025, 3, 2 + n, 9), returned=local(2025, 3, 2 + n, 18))
        episode(YouthFactory(team=team_a1), None, caseworker_a, timezone.now() - datetime.timedelta(hours=n + 2))
    assert queries_of_a_count() == small


def test_warm_counts_each_agencys_default_period_once(agency_staff_a, agency_admin_a, admin_b, team_a1, team_b1):
    TeamFactory(agency=agency_staff_a.agency, name="West")
    assert services.warm() == 2  # agency A (its first agency-wide account) and agency B
    assert services.warm() == 0  # counted already
    today = timezone.localtime(timezone.now(), dashboard.query_for(agency_staff_a, MARCH).tz).date()
    default = ExportFilters(*dashboard.default_period(today))
    assert kept(agency_staff_a, default) is not None  # the first of agency A's agency-wide accounts
    assert kept(admin_b, default) is not None


@pytest.mark.usefixtures("broker_down")
def test_with_the_broker_down_the_page_says_the_count_failed(environment, client_for, agency_staff_a):
    client = client_for(agency_staff_a)
    response = client.get(URL, MARCH_GET)
    page = response.content.decode()
    assert response.status_code == 200
    assert "The figures could not be counted this time." in page and "Try again" in page
    state = services.read(agency_staff_a, MARCH)
    assert not state.counting and state.failed_at is not None  # not "being counted" until the lock lapses
