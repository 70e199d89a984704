"""The youth's pattern timeline (/youth/<id>/pattern/, docs/design.md#pattern-timeline) and its summary on the
youth page: the facts on the chart and in the tables in the agency's zone (the night the clocks go back), the
empty state, a fixed number of queries for 5 or 50 episodes, scope, restricted fields and the audit row."""

import datetime
import html
import re

import pytest
from django.urls import reverse

from caseapp.models import AuditAction, AuditEvent, PlacementType
from missing_reports.models import Debrief, MissingEpisode
from missing_reports.services import disclosures
from tests.exports.conftest import episode, snapshot
from tests.factories import PlacementFactory
from tests.helpers import FrozenClock, visible_text

pytestmark = pytest.mark.django_db

H = datetime.timedelta(hours=1)
UTC = datetime.UTC
NOW = datetime.datetime(2026, 11, 20, 15, 0, tzinfo=UTC)  # 9:00 AM CST, a Friday


@pytest.fixture
def clock(monkeypatch):
    return FrozenClock(monkeypatch, NOW)


def interview(ep, by, factors):
    return Debrief.objects.create(
        episode=ep, interview_at=ep.returned_at + H, interviewer=by, running_direction="from",
        primary_factors=factors, trafficking_screening_done="yes",
    )


@pytest.fixture
def history(youth_a1, caseworker_a, clock):
    """youth_a1 (agency A, America/Chicago): a foster home, then a group home (a change), the group home continued
    after a return (the same stay), three episodes (two on the night the clocks go back, 1:30 AM CDT and 1:30 AM
    CST, found at the same friend's address; one still missing) and two risk bands."""
    youth_a1.placements.all().delete()
    foster = PlacementFactory(
        youth=youth_a1, placement_type=PlacementType.FOSTER_FAMILY, provider_name="Birchwood Family",
        start_date=datetime.date(2026, 1, 5), end_date=datetime.date(2026, 10, 1), end_reason="moved",
    )
    group = PlacementFactory(
        youth=youth_a1, placement_type=PlacementType.GROUP_HOME, provider_name="Oak House",
        start_date=datetime.date(2026, 10, 1), end_date=datetime.date(2026, 11, 1), end_reason="missing",
    )
    PlacementFactory(
        youth=youth_a1, placement_type=PlacementType.MISSING_RUNAWAY, provider_name="Missing from care",
        start_date=datetime.date(2026, 11, 1), end_date=datetime.date(2026, 11, 2), end_reason="returned",
    )
    PlacementFactory(
        youth=youth_a1, placement_type=PlacementType.GROUP_HOME, provider_name="Oak House",
        start_date=datetime.date(2026, 11, 2),
    )
    cdt = datetime.datetime(2026, 11, 1, 6, 30, tzinfo=UTC)  # 1:30 AM CDT
    cst = datetime.datetime(2026, 11, 1, 7, 30, tzinfo=UTC)  # 1:30 AM CST, an hour later
    first = episode(
        youth_a1, foster, caseworker_a, cdt - 30 * 24 * H, cdt - 30 * 24 * H + 26 * H,
        found_location_type="friend", found_address="12 Elm St.", how_located="self_returned",
        returned_with=["new_phone"],
    )
    second = episode(
        youth_a1, group, caseworker_a, cst, cst + 5 * H, found_location_type="friend", found_address="12 ELM ST",
        how_located="law_enforcement",
    )
    third = episode(youth_a1, group, caseworker_a, cdt, None)  # the 1:30 AM CDT: still missing
    # A still-open episode started before a returned one is impossible in life; the table only needs three rows.
    MissingEpisode.objects.filter(pk=third.pk).update(last_seen_at=NOW - 3 * H, agency_learned_at=NOW - 2 * H)
    interview(first, caseworker_a, ["conflict", "school"])
    interview(second, caseworker_a, ["family_connection"])
    snapshot(youth_a1, datetime.datetime(2026, 9, 1, tzinfo=UTC), "monitor")
    snapshot(youth_a1, datetime.datetime(2026, 9, 2, tzinfo=UTC), "monitor")  # the same band: no change
    snapshot(youth_a1, datetime.datetime(2026, 11, 1, 7, 0, tzinfo=UTC), "high")
    return first, second, third


def table_rows(response, marker):
    body = response.content.decode()
    table = body[body.index(marker):]
    table = table[: table.index("</table>")]
    return [
        " | ".join(
            html.unescape(" ".join(re.sub(r"<[^>]+>", " ", cell).split()))
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        )
        for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)
    ]


def test_the_facts_on_the_chart_and_in_the_table_are_in_agency_time(client_for, caseworker_a, youth_a1, history):
    response = client_for(caseworker_a).get(reverse("youth_pattern", kwargs={"youth_id": youth_a1.pk}))
    assert response.status_code == 200
    rows = table_rows(response, 'data-chart-table="pattern-timeline"')
    assert rows[1:] == [
        "10/02/2026 01:30 CDT | Friday, 1:30 AM (midnight to 3 AM) | 1 day 2 h | Friend's home, 12 Elm St. | "
        "Returned on their own | A new phone | Conflict in the placement; School | Foster family home: Birchwood Family"
        " | Monitor",
        "11/01/2026 01:30 CST | Sunday, 1:30 AM (midnight to 3 AM) | 5 h | Friend's home, 12 ELM ST | Law enforcement"
        " | None recorded | Connection to family | Group home: Oak House | High",
        "11/20/2026 06:00 CST | Friday, 6:00 AM (6 AM to 9 AM) | Still missing (3 h so far) | — | — | None recorded"
        " | — | Group home: Oak House | High",
    ]
    svg = response.context["timeline"].svg
    assert 'role="img"' in svg and "<title id=\"pattern-timeline-title\">" in svg and "<desc " in svg
    # Each episode's facts are in the chart too, as its tooltip.
    assert "Left 10/02/2026 01:30 CDT, Friday, 1:30 AM (midnight to 3 AM); 1 day 2 h; found: Friend&#x27;s home" in svg
    assert "Left 11/01/2026 01:30 CST, Sunday" in svg and "still missing" in svg
    assert "Moved to Group home: Oak House, Oct 1, 2026 to" not in svg  # joined with its continuation
    assert "Moved to Group home: Oak House, Since Oct 1, 2026" in svg
    assert "Risk band High, Since 11/01/2026 01:00 CST" in svg
    assert table_rows(response, 'data-pattern-table="placements"')[1:] == [
        "Foster family home: Birchwood Family | Jan 5, 2026 to Oct 1, 2026 | No",
        "Group home: Oak House | Since Oct 1, 2026 | Yes",
    ]
    assert table_rows(response, 'data-pattern-table="bands"')[1:] == [
        "Monitor | 08/31/2026 19:00 CDT to 11/01/2026 01:00 CST", "High | Since 11/01/2026 01:00 CST",
    ]
    text = visible_text(response)
    assert "Found more than once at: friend's home (twice); 12 Elm St. (twice)." in text
    assert "Median time away: 15 h 30 min (over 2 returns)." in text
    assert "Placement changes since the first placement recorded: 1." in text
    hours = response.context["hours"]
    assert ("midnight to 3 AM", 2) in hours.rows and ("6 AM to 9 AM", 1) in hours.rows
    assert dict(response.context["weekdays"].rows) == {
        "Monday": 0, "Tuesday": 0, "Wednesday": 0, "Thursday": 0, "Friday": 2, "Saturday": 0, "Sunday": 1,
    }
    assert AuditEvent.objects.filter(actor=caseworker_a, action=AuditAction.VIEW, youth=youth_a1).exists()


def test_the_youth_page_summarises_the_pattern_and_links_to_it(client_for, caseworker_a, youth_a1, history):
    response = client_for(caseworker_a).get(reverse("youth_detail", kwargs={"youth_id": youth_a1.pk}))
    text = visible_text(response)
    assert "Pattern of missing episodes" in text
    assert "Left most often on a Friday (2 of 3 episodes)." in text
    assert "Found more than once at: friend's home (twice); 12 Elm St. (twice)." in text
    assert reverse("youth_pattern", kwargs={"youth_id": youth_a1.pk}) in response.content.decode()


def test_empty_state(client_for, caseworker_a, youth_a1, clock):
    response = client_for(caseworker_a).get(reverse("youth_pattern", kwargs={"youth_id": youth_a1.pk}))
    text = visible_text(response)
    assert response.status_code == 200
    assert "No missing episodes recorded." in text
    assert response.context["timeline"].svg is None and "<svg" not in response.content.decode().split("<main")[-1]
    assert "Not assessed yet." in text
    page = client_for(caseworker_a).get(reverse("youth_detail", kwargs={"youth_id": youth_a1.pk}))
    assert "Pattern of missing episodes" not in visible_text(page)


def grow(youth, creator, placement, count):
    """`count` returned episodes of the youth in all, a day apart, each with a return interview and a snapshot."""
    have = youth.missing_episodes.count()
    start = datetime.datetime(2026, 1, 1, 3, 0, tzinfo=UTC)
    for index in range(have, count):
        left = start + index * 24 * H
        ep = episode(youth, placement, creator, left, left + 5 * H, found_location_type="friend",
                     found_address=f"{index} Elm St.")
        interview(ep, creator, ["conflict"])
        snapshot(youth, left + H, "high" if index % 2 else "elevated")


@pytest.mark.parametrize("persona", ["caseworker_a", "agency_staff_a"])
def test_the_pattern_page_and_the_youth_page_run_the_same_queries_with_5_and_50_episodes(
    request, client_for, django_assert_num_queries, caseworker_a, youth_a1, clock, persona
):
    from tests.caseapp.test_query_counts import count_queries

    client = client_for(request.getfixturevalue(persona))
    placement = youth_a1.placements.get()
    for url in (
        reverse("youth_pattern", kwargs={"youth_id": youth_a1.pk}),
        reverse("youth_detail", kwargs={"youth_id": youth_a1.pk}),
    ):
        grow(youth_a1, caseworker_a, placement, 5)
        client.get(url)
        small = count_queries(client, url)
        grow(youth_a1, caseworker_a, placement, 50)
        with django_assert_num_queries(small):
            response = client.get(url)
        assert response.status_code == 200
        if "pattern" in url:
            assert len(response.context["timeline"].rows) == 50
        Debrief.objects.filter(episode__youth=youth_a1).delete()
        MissingEpisode.objects.filter(youth=youth_a1).delete()
        youth_a1.risk_snapshots.all().delete()


@pytest.mark.parametrize("outsider", ["caseworker_a2", "caseworker_b", "admin_b"])
def test_another_team_or_agency_gets_404(request, client_for, youth_a1, history, outsider):
    client = client_for(request.getfixturevalue(outsider))
    url = reverse("youth_pattern", kwargs={"youth_id": youth_a1.pk})
    response = client.get(url)
    assert response.status_code == 404
    assert youth_a1.legal_last_name not in response.content.decode()


def test_post_is_not_allowed(client_for, caseworker_a, youth_a1):
    assert client_for(caseworker_a).post(reverse("youth_pattern", kwargs={"youth_id": youth_a1.pk})).status_code == 405


@pytest.mark.parametrize("persona", ["caseworker_a", "agency_staff_a", "supervisor_a"])
def test_restricted_fields_never_show_and_bands_follow_the_risk_pages_rule(
    request, client_for, caseworker_a, youth_a1, history, persona, django_capture_on_commit_callbacks
):
    """Bands: whoever may open the risk page (everyone who sees the youth) sees them here. Health fields and what
    a youth disclosed are restricted (caseapp.access.can_see_restricted): the timeline reads neither, so no one,
    allowed or not, finds them here."""
    youth_a1.medications = "Synthetic-medication-42"
    youth_a1.medical_needs = "Synthetic-need-42"
    youth_a1.save()
    with django_capture_on_commit_callbacks(execute=True):
        disclosures.record_disclosure(
            actor=caseworker_a, youth_id=youth_a1.pk, kind="abuse_neglect", disclosed_at=NOW - 4 * H,
            what_was_said="Synthetic-words-42",
        )
    user = request.getfixturevalue(persona)
    client = client_for(user)
    body = client.get(reverse("youth_pattern", kwargs={"youth_id": youth_a1.pk})).content.decode()
    for restricted in ("Synthetic-medication-42", "Synthetic-need-42", "Synthetic-words-42"):
        assert restricted not in body
    risk_page = client.get(reverse("youth_risk", kwargs={"youth_id": youth_a1.pk}))
    assert risk_page.status_code == 200 and "High" in visible_text(risk_page)
    assert "Risk band High" in body
