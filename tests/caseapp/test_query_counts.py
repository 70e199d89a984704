"""A page runs the same number of queries whatever the caseload size (docs/design.md#where-code-goes).

Each test measures a page with a small data set (5 of everything), grows the data to 50, and
asserts the page runs exactly the same number of queries. No number is hard-coded: what matters is
"same count with 5 and with 50", so a new N+1 fails here and a deliberate new query does not.
"""

import datetime
import io
import itertools

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from caseapp.models import Role
from caseapp.services import photos as photo_services
from caseapp.services import placements as placement_services
from caseapp.services import youth as youth_services
from tests.factories import PlacementFactory, TeamFactory, UserFactory, YouthFactory

pytestmark = pytest.mark.django_db

SMALL, LARGE = 5, 50


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries)


def assert_same_count(django_assert_num_queries, client, url, expected):
    """Fails with the list of queries run when the count differs from the small data set's."""
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == 200
    return response


# --- Caseload --------------------------------------------------------------------------------------


def add_youth_with_placements(team, caseworkers, count):
    """`count` youth, each with two past placements and a current one, and assigned caseworkers."""
    today = timezone.localdate()
    cycle = itertools.cycle(caseworkers)
    for _ in range(count):
        youth = YouthFactory(team=team, assigned_caseworkers=[next(cycle), next(cycle)])
        PlacementFactory(
            youth=youth, start_date=today - datetime.timedelta(days=600),
            end_date=today - datetime.timedelta(days=400), end_reason="moved",
        )
        PlacementFactory(
            youth=youth, start_date=today - datetime.timedelta(days=400),
            end_date=today - datetime.timedelta(days=200), end_reason="step_down",
        )
        PlacementFactory(youth=youth, start_date=today - datetime.timedelta(days=200))


@pytest.fixture
def extra_caseworkers(agency_a, team_a1, team_a2):
    return [UserFactory(agency=agency_a, role=Role.CASEWORKER, team=t) for t in (team_a1, team_a2, team_a1)]


@pytest.mark.parametrize("persona", ["caseworker_a", "agency_admin_a"])
def test_caseload_runs_the_same_queries_with_5_and_50_youth(
    request, client_for, django_assert_num_queries, team_a1, team_a2, caseworker_a, extra_caseworkers, persona
):
    teams = [team_a1] if persona == "caseworker_a" else [team_a1, team_a2]
    caseworkers = [caseworker_a, *extra_caseworkers]
    client = client_for(request.getfixturevalue(persona))
    url = reverse("caseload")

    for team in teams:
        add_youth_with_placements(team, caseworkers, SMALL)
    client.get(url)  # warm-up: first-request caches are not what this test is about
    small = count_queries(client, url)

    for team in teams:
        add_youth_with_placements(team, caseworkers, LARGE - SMALL)
    response = assert_same_count(django_assert_num_queries, client, url, small)
    assert response.context["page"].count == LARGE * len(teams)
    # Every listed youth shows its current placement, from the prefetch.
    assert all(len(y.current_placements) == 1 for y in response.context["page"].object_list)


def test_caseload_search_and_filters_run_the_same_queries(
    client_for, django_assert_num_queries, team_a1, caseworker_a, extra_caseworkers
):
    client = client_for(caseworker_a)
    url = reverse("caseload") + "?status=active&placement_type=foster_family&mine=true&q=TC"
    add_youth_with_placements(team_a1, [caseworker_a, *extra_caseworkers], SMALL)
    client.get(url)
    small = count_queries(client, url)
    add_youth_with_placements(team_a1, [caseworker_a, *extra_caseworkers], LARGE - SMALL)
    assert_same_count(django_assert_num_queries, client, url, small)


@pytest.mark.parametrize("query", ["", "?page=last", "?q=testfamily", "?status=active"])
def test_a_caseload_too_large_to_count_exactly_runs_the_same_queries_with_5_and_50_youth(
    client_for, django_assert_num_queries, team_a1, caseworker_a, extra_caseworkers, settings, query
):
    """Above CASELOAD_EXACT_COUNT_UP_TO the count is kept in the cache: once kept, a page reads a page of rows
    whatever the caseload's size (docs/design.md#speed)."""
    settings.CASELOAD_EXACT_COUNT_UP_TO = 3  # the cache starts empty (tests/conftest.py)
    client = client_for(caseworker_a)
    url = reverse("caseload") + query
    add_youth_with_placements(team_a1, [caseworker_a, *extra_caseworkers], SMALL)
    client.get(url)  # warm-up: the count is kept
    small = count_queries(client, url)
    add_youth_with_placements(team_a1, [caseworker_a, *extra_caseworkers], LARGE - SMALL)
    response = assert_same_count(django_assert_num_queries, client, url, small)
    assert not response.context["page"].count_is_exact
    assert len(response.context["page"].object_list) == 25
    # Page 2, as the Next link reads it, costs the same again with one more read: the youth it starts after.
    anchor = response.context["page"].next_anchor
    if "last" not in query:
        assert_same_count(django_assert_num_queries, client, f"{url}{'&' if query else '?'}after={anchor}", small + 1)


def test_dashboard_runs_the_same_queries_with_5_and_50_viewed_youth(
    client_for, django_assert_num_queries, team_a1, caseworker_a, extra_caseworkers
):
    client = client_for(caseworker_a)
    url = reverse("dashboard")
    add_youth_with_placements(team_a1, [caseworker_a, *extra_caseworkers], SMALL)
    for youth in team_a1.youth.all():
        youth_services.record_view(actor=caseworker_a, youth=youth)
    client.get(url)
    small = count_queries(client, url)
    add_youth_with_placements(team_a1, [caseworker_a, *extra_caseworkers], LARGE - SMALL)
    for youth in team_a1.youth.all():
        youth_services.record_view(actor=caseworker_a, youth=youth)
    response = assert_same_count(django_assert_num_queries, client, url, small)
    assert len(response.context["recently_viewed"]) == 5


# --- Youth record ----------------------------------------------------------------------------------


def tiny_jpeg(index):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (index * 5 % 256, 100, 150)).save(buffer, format="JPEG")
    return SimpleUploadedFile(f"p{index}.jpg", buffer.getvalue(), content_type="image/jpeg")


class RecordGrower:
    """Grows youth_a1's record: past placements, corrections, youth edits, photos and audited views,
    by a growing set of staff so the history and access log name many different people."""

    def __init__(self, youth, agency, team, editors):
        self.youth = youth
        self.agency = agency
        self.team = team
        self.editors = list(editors)
        self.placements = 1  # the fixture's current placement
        self.rounds = 0

    def grow_to(self, size):
        today = timezone.localdate()
        current = self.youth.placements.get(end_date__isnull=True)
        while self.placements < size:
            # Each older placement lasts ten days, ending where the previous one started.
            end = current.start_date - datetime.timedelta(days=10 * (self.placements - 1))
            editor = self.editors[self.placements % len(self.editors)]
            placement = placement_services.add_placement(
                actor=editor, youth_id=self.youth.pk, placement_type="foster_family",
                provider_name=f"Provider {self.placements}", state="KS",
                start_date=end - datetime.timedelta(days=10), end_date=end, end_reason="moved",
            )
            placement_services.update_placement(
                actor=editor, youth_id=self.youth.pk, placement_id=placement.pk,
                expected_version=placement.version, provider_name=f"Provider {self.placements} (corrected)",
            )
            self.placements += 1
        while self.rounds < size:
            self.rounds += 1
            viewer = UserFactory(agency=self.agency, role=Role.CASEWORKER, team=self.team)
            self.youth.assigned_caseworkers.add(viewer)
            editor = self.editors[self.rounds % len(self.editors)]
            self.youth.refresh_from_db()
            youth_services.update_youth(
                actor=editor, youth_id=self.youth.pk, expected_version=self.youth.version,
                preferred_name=f"Name {self.rounds}", medical_notes=f"Synthetic note {self.rounds}",
            )
            photo_services.add_photo(
                actor=viewer, youth_id=self.youth.pk, image=tiny_jpeg(self.rounds),
                taken_on=today - datetime.timedelta(days=self.rounds),
            )
            youth_services.record_view(actor=viewer, youth=self.youth, ip="10.0.0.1", restricted_shown=True)
        self.youth.refresh_from_db()


@pytest.mark.parametrize("persona", ["caseworker_a", "supervisor_a", "agency_staff_a", "agency_admin_a"])
def test_youth_page_runs_the_same_queries_with_5_and_50_of_everything(
    request, client_for, django_assert_num_queries, agency_a, team_a1, youth_a1, caseworker_a, supervisor_a,
    agency_admin_a, persona,
):
    client = client_for(request.getfixturevalue(persona))
    url = reverse("youth_detail", kwargs={"youth_id": youth_a1.pk})
    grower = RecordGrower(youth_a1, agency_a, team_a1, [caseworker_a, supervisor_a, agency_admin_a])

    grower.grow_to(SMALL)
    client.get(url)
    small = count_queries(client, url)

    grower.grow_to(LARGE)
    response = assert_same_count(django_assert_num_queries, client, url, small)
    assert len(response.context["placements"]) == LARGE
    assert len(response.context["photos"]) == LARGE
    assert response.context["changes"], "the history section has rows to show"


# --- Staff and teams -------------------------------------------------------------------------------


def add_staff_and_teams(agency, count, start):
    for index in range(start, start + count):
        team = TeamFactory(agency=agency, name=f"Team {index}")
        UserFactory(agency=agency, role=Role.SUPERVISOR, supervises=[team])
        UserFactory(agency=agency, role=Role.CASEWORKER, team=team)
        team.supervisors.add(UserFactory(agency=agency, role=Role.SUPERVISOR))


def test_staff_list_runs_the_same_queries_with_5_and_50_staff_and_teams(
    client_for, django_assert_num_queries, agency_a, agency_admin_a, caseworker_b
):
    client = client_for(agency_admin_a)
    url = reverse("staff_list")
    add_staff_and_teams(agency_a, SMALL, start=0)
    client.get(url)
    small = count_queries(client, url)

    add_staff_and_teams(agency_a, LARGE - SMALL, start=SMALL)
    response = assert_same_count(django_assert_num_queries, client, url, small)
    assert len(response.context["teams"]) == LARGE
    assert response.context["page"].paginator.count == 3 * LARGE + 1  # + the admin
