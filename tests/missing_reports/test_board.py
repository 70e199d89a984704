"""The missing-now board: who each persona sees, most urgent first, in a fixed number of queries."""

import datetime
import re
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from caseapp.local_time import duration
from missing_reports import deadlines
from missing_reports.models import Notification
from missing_reports.services import episodes as services
from tests.factories import YouthFactory

pytestmark = pytest.mark.django_db

BOARD = reverse("missing_now")
# Times shown are whole minutes, rounded down: half a minute either way keeps them steady while a test runs.
HALF_MINUTE = datetime.timedelta(seconds=30)


def open_episode(actor, youth, *, learned_ago, seen_before=datetime.timedelta(0), category="runaway"):
    """An open episode the agency learned of `learned_ago` ago (agency A is in KS: LE 2 h, NCMEC 24 h)."""
    learned_at = timezone.now() - learned_ago
    return services.log_run(
        actor=actor, youth_id=youth.pk, category=category, last_seen_at=learned_at - seen_before,
        last_seen_location="Group home", agency_learned_at=learned_at, reported_by="Night staff",
    )


def mark_done(actor, episode, party):
    notification = episode.notifications.get(event=deadlines.MISSING, party=party)
    return services.record_notification(
        actor=actor, notification_id=notification.pk, expected_version=notification.version,
        done_at=timezone.now() - datetime.timedelta(minutes=1), method="phone", reference="RPT-1",
    )


def board_names(response):
    return [row["episode"].youth.display_name for row in response.context["rows"]]


def badges(response):
    return re.findall(r'<span class="badge ([^"]+)"[^>]*>(.*?)</span></li>', response.content.decode())


# --- Scope ------------------------------------------------------------------------------------------


@pytest.fixture
def everyone_missing(caseworker_a, caseworker_a2, caseworker_b, youth_a1, youth_a2, youth_b):
    for actor, youth in ((caseworker_a, youth_a1), (caseworker_a2, youth_a2), (caseworker_b, youth_b)):
        open_episode(actor, youth, learned_ago=datetime.timedelta(hours=1))


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("caseworker_a", ["youth_a1"]),
        ("caseworker_a2", ["youth_a2"]),
        ("supervisor_a", ["youth_a1"]),
        ("agency_staff_a", ["youth_a1", "youth_a2"]),
        ("agency_admin_a", ["youth_a1", "youth_a2"]),
        ("caseworker_b", ["youth_b"]),
        ("no_role_user", []),
    ],
)
def test_the_board_shows_only_the_episodes_in_scope(request, client_for, everyone_missing, persona, expected):
    response = client_for(request.getfixturevalue(persona)).get(BOARD)
    assert response.status_code == 200
    shown = [request.getfixturevalue(name) for name in expected]
    assert sorted(board_names(response)) == sorted(y.display_name for y in shown)
    page = response.content.decode()
    for name in ("youth_a1", "youth_a2", "youth_b"):
        youth = request.getfixturevalue(name)
        episode = youth.missing_episodes.get()
        link = reverse("episode_detail", kwargs={"episode_id": episode.pk})
        assert (link in page) is (youth in shown)
    if not expected:
        assert "Nobody in your caseload is missing from care right now." in page


def test_a_returned_youth_leaves_the_board(client_for, caseworker_a, youth_a1):
    episode = open_episode(caseworker_a, youth_a1, learned_ago=datetime.timedelta(hours=3))
    client = client_for(caseworker_a)
    assert board_names(client.get(BOARD)) == [youth_a1.display_name]
    services.log_return(
        actor=caseworker_a, episode_id=episode.pk, expected_version=episode.version,
        returned_at=timezone.now() - datetime.timedelta(minutes=5),
    )
    response = client.get(BOARD)
    assert board_names(response) == []
    assert "Nobody in your caseload is missing from care right now." in response.content.decode()


def test_the_empty_board_says_so(client_for, caseworker_a, youth_a1):
    response = client_for(caseworker_a).get(BOARD)
    assert response.status_code == 200
    assert "Nobody in your caseload is missing from care right now." in response.content.decode()


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(BOARD)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- What a row says ------------------------------------------------------------------------------


def test_a_row_shows_team_time_missing_and_each_clock(client_for, caseworker_a, youth_a1):
    open_episode(
        caseworker_a, youth_a1, learned_ago=datetime.timedelta(minutes=40) - HALF_MINUTE,
        seen_before=datetime.timedelta(minutes=20, seconds=59),
    )
    response = client_for(caseworker_a).get(BOARD)
    page = response.content.decode()
    assert youth_a1.team.name in page
    assert "Missing for 1 h" in page
    assert badges(response) == [
        ("text-bg-warning", "LE due in 1 h 20 min"),
        ("text-bg-warning", "NCMEC due in 23 h 20 min"),
    ]


def test_overdue_clocks_say_overdue_in_words_not_colour_alone(client_for, caseworker_a, youth_a1):
    open_episode(caseworker_a, youth_a1, learned_ago=datetime.timedelta(hours=27) + HALF_MINUTE)
    response = client_for(caseworker_a).get(BOARD)
    page = response.content.decode()
    assert "Missing for 1 day 3 h" in page
    found = badges(response)
    assert ("text-bg-danger", '<span aria-hidden="true">⚠ </span>LE overdue by 1 day 1 h') in found
    assert ("text-bg-danger", '<span aria-hidden="true">⚠ </span>NCMEC overdue by 3 h') in found
    assert "border-danger" in page


def test_a_done_clock_says_done(client_for, caseworker_a, youth_a1):
    episode = open_episode(caseworker_a, youth_a1, learned_ago=datetime.timedelta(hours=5) - HALF_MINUTE)
    mark_done(caseworker_a, episode, deadlines.LAW_ENFORCEMENT)
    found = badges(client_for(caseworker_a).get(BOARD))
    assert ("text-bg-success", '<span aria-hidden="true">✓ </span>LE done') in found
    assert ("text-bg-warning", "NCMEC due in 19 h") in found


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (datetime.timedelta(seconds=59), "0 min"),
        (datetime.timedelta(minutes=5), "5 min"),
        (datetime.timedelta(hours=1, minutes=20), "1 h 20 min"),
        (datetime.timedelta(hours=3), "3 h"),
        (datetime.timedelta(days=1, hours=3, minutes=59), "1 day 3 h"),
        (datetime.timedelta(days=2), "2 days"),
        (datetime.timedelta(seconds=-30), "0 min"),
    ],
)
def test_durations_read_like_speech(delta, text):
    assert duration(delta) == text


# --- Most urgent first ------------------------------------------------------------------------------


def test_the_most_urgent_episode_comes_first(client_for, caseworker_a, team_a1):
    names = {}
    # Learned an hour ago: LE (2 h) due in an hour.
    names["soon"] = open_episode(caseworker_a, YouthFactory(team=team_a1), learned_ago=datetime.timedelta(hours=1))
    # Learned 30 h ago with LE done: NCMEC overdue by 6 h.
    old = open_episode(caseworker_a, YouthFactory(team=team_a1), learned_ago=datetime.timedelta(hours=30))
    mark_done(caseworker_a, old, deadlines.LAW_ENFORCEMENT)
    names["ncmec_overdue"] = old
    # Learned 3 h ago: LE overdue by 1 h.
    names["le_overdue"] = open_episode(
        caseworker_a, YouthFactory(team=team_a1), learned_ago=datetime.timedelta(hours=3)
    )
    # Learned 10 h ago with both notices done: nothing pending, last.
    calm = open_episode(caseworker_a, YouthFactory(team=team_a1), learned_ago=datetime.timedelta(hours=10))
    mark_done(caseworker_a, calm, deadlines.LAW_ENFORCEMENT)
    mark_done(caseworker_a, calm, deadlines.NCMEC)
    names["all_done"] = calm

    response = client_for(caseworker_a).get(BOARD)
    order = [row["episode"].pk for row in response.context["rows"]]
    expected = ["ncmec_overdue", "le_overdue", "soon", "all_done"]
    assert order == [names[key].pk for key in expected]
    overdue_flags = [row["overdue"] for row in response.context["rows"]]
    assert overdue_flags == [True, True, False, False]


# --- Fixed number of queries --------------------------------------------------------------------


def add_missing_youth(actor, team, count):
    for n in range(count):
        episode = open_episode(actor, YouthFactory(team=team), learned_ago=datetime.timedelta(hours=n + 1))
        if n % 2:
            mark_done(actor, episode, deadlines.LAW_ENFORCEMENT)


@pytest.mark.parametrize("persona", ["caseworker_a", "supervisor_a", "agency_admin_a"])
def test_the_board_runs_the_same_queries_for_2_and_12_episodes(
    request, client_for, caseworker_a, team_a1, django_assert_num_queries, persona
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(request.getfixturevalue(persona))
    add_missing_youth(caseworker_a, team_a1, 2)
    with CaptureQueriesContext(connection) as small:
        assert len(client.get(BOARD).context["rows"]) == 2
    add_missing_youth(caseworker_a, team_a1, 10)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(BOARD)
    assert len(response.context["rows"]) == 12
    # Two clocks per run, and an NCIC confirmation clock for each of the 6 reports to law enforcement.
    assert Notification.objects.count() == 24 + 6


# --- Words ------------------------------------------------------------------------------------------


def test_the_board_uses_behavioural_words_not_labels_of_the_youth(client_for, caseworker_a, team_a1):
    for n, category in enumerate(["runaway", "whereabouts_unknown", "runaway"]):
        open_episode(caseworker_a, YouthFactory(team=team_a1), learned_ago=datetime.timedelta(hours=n + 1),
                     category=category)
    page = client_for(caseworker_a).get(BOARD).content.decode()
    assert "Missing for" in page
    assert "· Left placement on their own</span>" in page  # the category, in behavioural words
    lowered = page.lower()
    for word in ("runaway", "chronic", "runner", "frequent flier", "awol", "eloped"):
        assert word not in lowered, word


def test_a_clock_badge_tooltip_gives_its_due_time_in_the_agency_zone(client_for, caseworker_a, youth_a1):
    episode = open_episode(caseworker_a, youth_a1, learned_ago=datetime.timedelta(minutes=10))
    due = episode.notifications.get(event=deadlines.MISSING, party="law_enforcement").due_at
    local = timezone.localtime(due, zoneinfo.ZoneInfo(youth_a1.agency.time_zone))
    page = client_for(caseworker_a).get(BOARD).content.decode()
    assert f": due {local:%m/%d/%Y %H:%M} {local.tzname()}" in page
