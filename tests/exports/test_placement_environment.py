"""The placement-environment report on a hand-built dataset; the right answers are written out below.

Agency A (America/Chicago), period March 2025 (03/01 to 03/31, both included), run on 04/15 unless a test says
otherwise. A placement covers start_date up to, not including, end_date.

    placement  youth/team      type / provider            start   end      days in March
    P1         y1 / North      group home "Maple House"   02/20   03/05    4  (03/01 to 03/04: spans the start)
    P2         y1 / North      foster "Oak Family"        03/05   03/12    7  (inside)
    M1         y1 / North      missing spell              03/12   03/14    0  (a missing spell counts nothing)
    P2b        y1 / North      foster "Oak Family"        03/14   open     18 (03/14 to 03/31: open, spans the end)
    P3         y2 / North      shelter "Harbor Shelter"   03/10   03/20    10 (inside)
    P4         y2 / North      group home "maple  house"  03/20   04/10    12 (03/20 to 03/31: spans the end)
    P5         y3 / South      foster "Oak Family"        01/01   03/01    0  (outside: 03/01 is not one of its days)
    P7         y3 / South      relative "Birch Kin"       03/01   04/01    31 (exactly the period)
    P6         y3 / South      foster "Pine Family"       04/01   open     0  (outside: starts after)

Placement-days: 82 in all; group home 16 (P1 + P4: "maple  house" is Maple House), foster 25, shelter 10,
relative 31; North 51, South 31.

    episode  youth  placement  last seen (local)   72 h after a placement start?          interview factors
    e1       y1     P2         03/07 23:59         yes: 71 h 59 min after P2's 03/05       placement_safety, conflict
    e2       y1     P2         03/12 10:00         no: 7 days after P2                     conflict
    e3       y2     P3         03/13 00:00         no: exactly 72 h after P3 (not "less")  food, conflict
    e4       y2     P4         03/20 00:00         yes: at P4's start (0 h)                no interview (still missing)
    e8       y3     P7         03/03 12:00         yes: 60 h after P7                      family_connection
    e7       y3     none       03/15 09:00         no                                      no interview
    e5       y3     P7         02/28 22:00         before the period: not counted
    e6       y3     P7         04/01 00:00         after the period (starts at its end): not counted
    eb       agency B           03/10 12:00         never (another agency)

Attributed: 5 episodes (e7 has no placement) → 5 x 1,000 / 82 = 60.98 per 1,000 placement-days; 3 of 5 within
72 h = 60.0 %; 4 interviews naming conflict 3, food 1, placement safety 1, family connection 1 (ties in
PrimaryFactor's order: food, family connection).
"""

import datetime
import zoneinfo

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from caseapp.models import PlacementType
from exports import reports
from exports.models import ExportStatus
from exports.reports import placement_environment
from exports.reports.base import ExportFilters, ReportQuery
from missing_reports.models import Debrief, EpisodeStatus, MissingEpisode
from tests.exports.helpers import csv_rows, start
from tests.factories import PlacementFactory, YouthFactory

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
REPORT = "placement-environment"
MARCH = ExportFilters(period_start=datetime.date(2025, 3, 1), period_end=datetime.date(2025, 3, 31))
AFTER_MARCH = datetime.datetime(2025, 4, 15, 12, 0, tzinfo=CHICAGO)


def local(*args):
    return datetime.datetime(*args, tzinfo=CHICAGO)


def day(month, d, year=2025):
    return datetime.date(year, month, d)


def placement(youth, kind, provider, start, end=None):
    return PlacementFactory(
        youth=youth,
        placement_type=kind,
        provider_name=provider,
        start_date=start,
        end_date=end,
        end_reason="moved" if end else "",
    )


def episode(youth, where, creator, last_seen, *, returned=None, factors=None):
    made = MissingEpisode.objects.create(
        youth=youth,
        placement=where,
        created_by=creator,
        last_seen_at=last_seen,
        agency_learned_at=last_seen + datetime.timedelta(hours=1),
        last_seen_location="Near the library",
        reported_by="Caregiver",
        status=EpisodeStatus.RETURNED if returned else EpisodeStatus.OPEN,
        returned_at=returned,
    )
    if factors is not None:
        Debrief.objects.create(
            episode=made,
            interview_at=returned + datetime.timedelta(hours=20),
            interviewer=creator,
            running_direction="from",
            primary_factors=factors,
            trafficking_screening_done="yes",
        )
    return made


@pytest.fixture
def environment(team_a1, team_a2, team_b1, caseworker_a, caseworker_a2, caseworker_b):
    return build_environment(team_a1, team_a2, team_b1, caseworker_a, caseworker_a2, caseworker_b)


def build_environment(team_a1, team_a2, team_b1, caseworker_a, caseworker_a2, caseworker_b):
    """The dataset of the module docstring; the episodes by name (the dashboard's tests use it too)."""
    y1 = YouthFactory(team=team_a1, case_number="A-ENV-1")
    y2 = YouthFactory(team=team_a1, case_number="A-ENV-2")
    y3 = YouthFactory(team=team_a2, case_number="A-ENV-3")
    yb = YouthFactory(team=team_b1, case_number="B-ENV-1")
    placement(y1, PlacementType.GROUP_HOME, "Maple House", day(2, 20), day(3, 5))
    p2 = placement(y1, PlacementType.FOSTER_FAMILY, "Oak Family", day(3, 5), day(3, 12))
    placement(y1, PlacementType.MISSING_RUNAWAY, "Missing from care", day(3, 12), day(3, 14))
    placement(y1, PlacementType.FOSTER_FAMILY, "Oak Family", day(3, 14))
    p3 = placement(y2, PlacementType.SHELTER, "Harbor Shelter", day(3, 10), day(3, 20))
    p4 = placement(y2, PlacementType.GROUP_HOME, "maple  house", day(3, 20), day(4, 10))
    placement(y3, PlacementType.FOSTER_FAMILY, "Oak Family", day(1, 1), day(3, 1))
    p7 = placement(y3, PlacementType.RELATIVE_KINSHIP, "Birch Kin", day(3, 1), day(4, 1))
    placement(y3, PlacementType.FOSTER_FAMILY, "Pine Family", day(4, 1))
    pb = placement(yb, PlacementType.GROUP_HOME, "Maple House", day(1, 1))

    hours = datetime.timedelta(hours=6)
    made = {
        "e1": episode(
            y1,
            p2,
            caseworker_a,
            local(2025, 3, 7, 23, 59),
            returned=local(2025, 3, 8, 6, 0),
            factors=["placement_safety", "conflict"],
        ),
        "e2": episode(
            y1, p2, caseworker_a, local(2025, 3, 12, 10, 0), returned=local(2025, 3, 14, 9), factors=["conflict"]
        ),
        "e3": episode(
            y2,
            p3,
            caseworker_a,
            local(2025, 3, 13, 0, 0),
            returned=local(2025, 3, 13) + hours,
            factors=["food", "conflict"],
        ),
        "e4": episode(y2, p4, caseworker_a, local(2025, 3, 20, 0, 0)),
        "e5": episode(
            y3, p7, caseworker_a2, local(2025, 2, 28, 22, 0), returned=local(2025, 3, 1, 1), factors=["money"]
        ),
        "e8": episode(
            y3,
            p7,
            caseworker_a2,
            local(2025, 3, 3, 12, 0),
            returned=local(2025, 3, 3, 20),
            factors=["family_connection"],
        ),
        "e7": episode(y3, None, caseworker_a2, local(2025, 3, 15, 9, 0), returned=local(2025, 3, 15, 20)),
        "e6": episode(
            y3, p7, caseworker_a2, local(2025, 4, 1, 0, 0), returned=local(2025, 4, 1, 8), factors=["school"]
        ),
        "eb": episode(yb, pb, caseworker_b, local(2025, 3, 10, 12, 0), returned=local(2025, 3, 11), factors=["food"]),
    }
    return made


def run(user, filters=MARCH, as_of=AFTER_MARCH):
    return placement_environment.figures(ReportQuery(agency=user.agency, user=user, filters=filters, as_of=as_of))


def rows(user, filters=MARCH, as_of=AFTER_MARCH):
    report = reports.get(REPORT)
    return list(report.rows(ReportQuery(agency=user.agency, user=user, filters=filters, as_of=as_of)))


def table(groups):
    return [(g.label, g.placement_days, g.episodes, g.rate, g.share_72h) for g in groups]


# --- Placement-days across the period's edges -------------------------------------------------------------


def test_placement_days_are_clipped_to_the_period(environment, agency_staff_a):
    figures = run(agency_staff_a)
    assert figures.total.placement_days == 82
    assert {g.label: g.placement_days for g in figures.by_type} == {
        "Group home": 16,
        "Foster family home": 25,
        "Shelter": 10,
        "Relative / kinship home": 31,
    }
    assert {g.label: g.placement_days for g in figures.by_team} == {"North": 51, "South": 31}
    # "maple  house" is Maple House; Oak Family's January placement and Pine Family (from 04/01) have no days.
    assert {g.label: g.placement_days for g in figures.by_provider} == {
        "Maple House": 16,
        "Oak Family": 25,
        "Harbor Shelter": 10,
        "Birch Kin": 31,
    }


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (day(2, 20), day(3, 5), 4),  # spans the start: 03/01, 02, 03, 04
        (day(3, 5), day(3, 12), 7),  # inside
        (day(3, 25), None, 7),  # open, spans the end: 03/25 to 03/31
        (day(2, 1), day(5, 1), 31),  # covers the whole period
        (day(1, 1), day(3, 1), 0),  # ends on the first day: that day is the next placement's
        (day(4, 1), None, 0),  # starts the day after the period
        (day(3, 31), day(4, 2), 1),  # starts on the last day
    ],
)
def test_one_placement_at_the_edges(team_a1, agency_staff_a, start, end, expected):
    youth = YouthFactory(team=team_a1)
    placement(youth, PlacementType.GROUP_HOME, "Edge House", start, end)
    assert run(agency_staff_a).total.placement_days == expected


def test_an_open_placement_runs_to_today_when_the_period_has_not_ended(environment, agency_staff_a):
    """Run on 03/20: no day after today counts, today does. P1 4, P2 7, P2b 7 (03/14 to 03/20), P3 10, P4 1 (today),
    P7 20 (03/01 to 03/20, although it ends on 04/01)."""
    figures = run(agency_staff_a, as_of=local(2025, 3, 20, 12, 0))
    assert figures.total.placement_days == 4 + 7 + 7 + 10 + 1 + 20
    assert figures.counted_through == day(3, 20)
    # The period is still March: the episodes are the same (e4 started at midnight today).
    assert figures.total.episodes == 5


def test_a_period_that_has_not_started_has_no_placement_days(environment, agency_staff_a):
    figures = run(agency_staff_a, as_of=local(2025, 2, 27, 12, 0))
    assert figures.total.placement_days == 0
    assert figures.counted_through is None
    assert figures.total.rate is None


# --- Rates, factors and the 72-hour share -------------------------------------------------------------------


def test_rates_shares_and_factors_per_group(environment, agency_staff_a):
    figures = run(agency_staff_a)
    total = figures.total
    assert (total.placement_days, total.episodes, total.rate, total.interviews, total.within_72h) == (
        82,
        5,
        60.98,
        4,
        3,
    )
    assert total.share_72h == 60.0
    assert total.top_factors() == [("Conflict in the placement", 3), ("Food", 1), ("Connection to family", 1)]
    # Highest rate first within each kind.
    assert table(figures.by_type) == [
        ("Shelter", 10, 1, 100.0, 0.0),
        ("Foster family home", 25, 2, 80.0, 50.0),
        ("Group home", 16, 1, 62.5, 100.0),
        ("Relative / kinship home", 31, 1, 32.26, 100.0),
    ]
    assert table(figures.by_provider) == [
        ("Harbor Shelter", 10, 1, 100.0, 0.0),
        ("Oak Family", 25, 2, 80.0, 50.0),
        ("Maple House", 16, 1, 62.5, 100.0),
        ("Birch Kin", 31, 1, 32.26, 100.0),
    ]
    assert table(figures.by_team) == [("North", 51, 4, 78.43, 50.0), ("South", 31, 1, 32.26, 100.0)]
    by_label = {g.label: g for g in figures.by_type}
    assert by_label["Shelter"].top_factors() == [("Food", 1), ("Conflict in the placement", 1)]
    assert by_label["Foster family home"].top_factors() == [
        ("Conflict in the placement", 2),
        ("Not feeling safe in the placement", 1),
    ]
    assert by_label["Group home"].top_factors() == []  # e4 has no return interview yet
    north = figures.by_team[0]
    assert north.top_factors() == [
        ("Conflict in the placement", 3),
        ("Food", 1),
        ("Not feeling safe in the placement", 1),
    ]
    # e7 had no placement recorded: counted, in no rate.
    assert (figures.not_attributed.episodes, figures.not_attributed.rate) == (1, None)
    assert figures.episodes == 6


def test_the_72_hour_window_is_real_hours_across_the_daylight_saving_change(team_a1, agency_staff_a, caseworker_a):
    """Clocks went forward on 03/09/2025 at 2:00. From 03/07 00:00 CST to 03/10 00:30 CDT is 71 h 30 min (the
    calendar says 72 h 30 min): within 72 hours, as risk rule R10 counts it. 03/10 01:30 CDT is 72 h 30 min: not."""
    inside, outside = YouthFactory(team=team_a1), YouthFactory(team=team_a1)
    first = placement(inside, PlacementType.FOSTER_FAMILY, "Cedar Family", day(3, 7))
    second = placement(outside, PlacementType.FOSTER_FAMILY, "Cedar Family", day(3, 7))
    episode(inside, first, caseworker_a, local(2025, 3, 10, 0, 30))
    episode(outside, second, caseworker_a, local(2025, 3, 10, 1, 30))
    total = run(agency_staff_a).total
    assert (total.episodes, total.within_72h, total.share_72h) == (2, 1, 50.0)


def test_a_return_to_placement_interview_without_factors_counts_as_an_interview(team_a1, agency_staff_a, caseworker_a):
    youth = YouthFactory(team=team_a1)
    home = placement(youth, PlacementType.FOSTER_FAMILY, "Cedar Family", day(1, 1))
    episode(youth, home, caseworker_a, local(2025, 3, 3, 9), returned=local(2025, 3, 3, 12), factors=[])
    total = run(agency_staff_a).total
    assert (total.episodes, total.interviews, total.top_factors()) == (1, 1, [])


# --- Scope and filters -------------------------------------------------------------------------------------------


def test_a_supervisor_sees_their_teams_only(environment, supervisor_a):
    figures = run(supervisor_a)
    assert (figures.total.placement_days, figures.total.episodes) == (51, 4)
    assert [g.label for g in figures.by_team] == ["North"]
    assert "Birch Kin" not in [g.label for g in figures.by_provider]
    assert figures.not_attributed.episodes == 0  # e7 is South's


def test_another_agency_never_appears(environment, admin_b):
    figures = run(admin_b)
    # Agency B's own figures: its one placement (all of March) and its one episode; nothing of agency A.
    assert (figures.total.placement_days, figures.total.episodes) == (31, 1)
    assert [g.label for g in figures.by_team] == ["East"]


def test_team_and_placement_type_filters(environment, agency_staff_a, team_a2):
    south = run(agency_staff_a, ExportFilters(**{**MARCH.__dict__, "team_ids": (team_a2.pk,)}))
    assert (south.total.placement_days, south.total.episodes, south.not_attributed.episodes) == (31, 1, 1)
    foster = run(agency_staff_a, ExportFilters(**{**MARCH.__dict__, "placement_types": ("foster_family",)}))
    assert (foster.total.placement_days, foster.total.episodes, foster.not_attributed.episodes) == (25, 2, 0)
    assert [g.label for g in foster.by_type] == ["Foster family home"]


def test_fixed_number_of_queries(environment, agency_staff_a, team_a1, caseworker_a):
    with CaptureQueriesContext(connection) as small:
        run(agency_staff_a)
    for n in range(12):
        youth = YouthFactory(team=team_a1)
        home = placement(youth, PlacementType.SHELTER, f"Shelter {n}", day(2, 1))
        episode(
            youth, home, caseworker_a, local(2025, 3, 2 + n, 9), returned=local(2025, 3, 2 + n, 18), factors=["food"]
        )
    with CaptureQueriesContext(connection) as large:
        run(agency_staff_a)
    assert len(small) == len(large) == 2


def test_episodes_per_month_adds_up_to_the_episodes_of_the_period(environment, agency_staff_a):
    query = ReportQuery(
        agency=agency_staff_a.agency,
        user=agency_staff_a,
        filters=ExportFilters(period_start=day(1, 15), period_end=day(4, 1)),
        as_of=AFTER_MARCH,
    )
    # January: none; February: e5 (02/28 22:00); March: six; April 1: e6 at midnight.
    assert placement_environment.episodes_per_month(query) == [
        (day(1, 1), 0),
        (day(2, 1), 1),
        (day(3, 1), 6),
        (day(4, 1), 1),
    ]
    assert placement_environment.figures(query).episodes == 8


# --- The export --------------------------------------------------------------------------------------------------


HEADER = [
    "Group kind",
    "Group",
    "Placement-days in the period",
    "Episodes started in the period",
    "Episodes per 1,000 placement-days",
    "Return interviews",
    "Most common primary factors (interviews naming each)",
    "Share of episodes starting within 72 hours of a placement change (%)",
]


def test_the_rows(environment, agency_staff_a):
    assert rows(agency_staff_a) == [
        (
            "All placements",
            "All placements in scope",
            82,
            5,
            60.98,
            4,
            "Conflict in the placement (3); Food (1); Connection to family (1)",
            60.0,
        ),
        ("Placement type", "Shelter", 10, 1, 100.0, 1, "Food (1); Conflict in the placement (1)", 0.0),
        (
            "Placement type",
            "Foster family home",
            25,
            2,
            80.0,
            2,
            "Conflict in the placement (2); Not feeling safe in the placement (1)",
            50.0,
        ),
        ("Placement type", "Group home", 16, 1, 62.5, 0, "", 100.0),
        ("Placement type", "Relative / kinship home", 31, 1, 32.26, 1, "Connection to family (1)", 100.0),
        ("Provider", "Harbor Shelter", 10, 1, 100.0, 1, "Food (1); Conflict in the placement (1)", 0.0),
        (
            "Provider",
            "Oak Family",
            25,
            2,
            80.0,
            2,
            "Conflict in the placement (2); Not feeling safe in the placement (1)",
            50.0,
        ),
        ("Provider", "Maple House", 16, 1, 62.5, 0, "", 100.0),
        ("Provider", "Birch Kin", 31, 1, 32.26, 1, "Connection to family (1)", 100.0),
        (
            "Team",
            "North",
            51,
            4,
            78.43,
            3,
            "Conflict in the placement (3); Food (1); Not feeling safe in the placement (1)",
            50.0,
        ),
        ("Team", "South", 31, 1, 32.26, 1, "Connection to family (1)", 100.0),
        ("No placement recorded", "Episodes with no placement recorded at the time", None, 1, None, 0, "", 0.0),
    ]


def test_the_csv_and_xlsx_exports(environment, agency_staff_a, django_capture_on_commit_callbacks):
    job = start(agency_staff_a, django_capture_on_commit_callbacks, report=REPORT)
    assert job.status == ExportStatus.READY and job.rows_total == job.rows_done == 12
    written = csv_rows(job)
    assert written[0] == HEADER
    assert written[1] == [
        "All placements",
        "All placements in scope",
        "82",
        "5",
        "60.98",
        "4",
        "Conflict in the placement (3); Food (1); Connection to family (1)",
        "60.0",
    ]
    assert written[-1] == [
        "No placement recorded",
        "Episodes with no placement recorded at the time",
        "",
        "1",
        "",
        "0",
        "",
        "0.0",
    ]
    assert not any("B-ENV" in cell or "A-ENV" in cell for row in written for cell in row)  # no youth identifiers

    xlsx = start(agency_staff_a, django_capture_on_commit_callbacks, report=REPORT, fmt="xlsx")
    with xlsx.file.open("rb") as handle:
        sheet = openpyxl.load_workbook(handle).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == HEADER
    assert values[1][:6] == ("All placements", "All placements in scope", 82, 5, 60.98, 4)


def test_a_supervisors_export_holds_their_teams(environment, supervisor_a, django_capture_on_commit_callbacks):
    job = start(supervisor_a, django_capture_on_commit_callbacks, report=REPORT)
    written = csv_rows(job)
    assert written[1][2:4] == ["51", "4"]
    assert [row[1] for row in written if row[0] == "Team"] == ["North"]


# --- The dashboard's figures: the totals and the placement types, grouped by type alone ---------------------------


def _drawn(figures):
    """What the dashboard draws from the figures: the totals, the type rows, the factors, the unattributed."""
    return (
        table([figures.total, *figures.by_type]),
        figures.total.interviews,
        figures.factor_counts(),
        (figures.not_attributed.episodes, figures.not_attributed.interviews),
        figures.episodes,
        figures.counted_through,
    )


def more_environment(team_a1, team_a2, caseworker_a, caseworker_a2):
    """More providers on both teams, placements across both edges and open, episodes with and without
    interviews, and a missing spell: so a type's total is summed over several providers and teams."""
    for n, (team, worker) in enumerate(((team_a1, caseworker_a), (team_a2, caseworker_a2)) * 3):
        youth = YouthFactory(team=team)
        kind = (PlacementType.GROUP_HOME, PlacementType.FOSTER_FAMILY, PlacementType.SHELTER)[n % 3]
        before = placement(youth, kind, f"Provider {n}", day(1, 10 + n), day(3, 3 + n))
        placement(youth, PlacementType.MISSING_RUNAWAY, "Missing from care", day(3, 3 + n), day(3, 4 + n))
        after = placement(youth, PlacementType.FOSTER_FAMILY, f"Family {n % 2}", day(3, 4 + n))
        episode(youth, before, worker, local(2025, 3, 2 + n, 8), returned=local(2025, 3, 2 + n, 20), factors=["food"])
        episode(youth, after, worker, local(2025, 3, 6 + n, 23))
        episode(youth, after, worker, local(2025, 3, 20 + n, 7), returned=local(2025, 3, 21 + n), factors=[])


@pytest.mark.parametrize(
    ("who", "filters", "as_of"),
    [
        ("agency_staff_a", MARCH, AFTER_MARCH),
        ("agency_staff_a", MARCH, local(2025, 3, 18, 10)),  # the period runs on: counted up to today
        ("supervisor_a", MARCH, AFTER_MARCH),
        ("agency_staff_a", ExportFilters(**{**MARCH.__dict__, "placement_types": ("foster_family",)}), AFTER_MARCH),
        ("agency_staff_a", ExportFilters(day(3, 10), day(4, 5)), AFTER_MARCH),
        ("agency_staff_a", ExportFilters(day(5, 1), day(5, 31)), AFTER_MARCH),  # after today: nothing counted
    ],
)
def test_the_dashboards_type_totals_equal_the_reports(
    request, environment, team_a1, team_a2, caseworker_a, caseworker_a2, who, filters, as_of
):
    more_environment(team_a1, team_a2, caseworker_a, caseworker_a2)
    user = request.getfixturevalue(who)
    query = ReportQuery(agency=user.agency, user=user, filters=filters, as_of=as_of)
    report = placement_environment.figures(query)
    with CaptureQueriesContext(connection) as queries:
        drawn = placement_environment.figures(query, detail=False)
    assert _drawn(drawn) == _drawn(report)
    assert drawn.by_provider == drawn.by_team == []
    assert len(queries) <= 2
    if filters == MARCH and as_of == AFTER_MARCH and who == "agency_staff_a":
        assert len(report.by_provider) > len(report.by_type) and len(report.by_team) == 2  # the data is varied
        assert report.total.placement_days > 82 and report.total.episodes > 5
