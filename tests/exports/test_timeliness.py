"""Timeliness compliance: its rows and summary figures on a small hand-built set, right answers written out.

Agency A (America/Chicago); the period is February and March 2025; figures as of 04/10/2025 12:00 CDT.
Episodes count when the agency learned of them; identified-victim reports when the information came in.

    episode  youth (team, sex)  learned (local)  LE report           NCMEC report     returned, interview
    e1       N1 (North, F)      02/20 10:00 CST  late by 1 min, NCIC exactly on time  02/22 12:00; recovery LE late
                                                                                       by 180 min; interview at 24 h,
                                                                                       screened (structured screening)
    e2       N2 (North, M)      03/10 09:00 CDT  not done, past due  on time (11 h)   still missing
    e5       N1 (North, F)      03/15 10:00 CDT  on time (1 h)       on time (2 h)    03/15 20:00; interview at 12 h
                                                                                       (declined); risk screening
    e3       S1 (South, F)      03/20 08:00 CDT  on time, no NCIC    late by 24 h     03/21 08:00; no interview;
                                                                                       court notice on time
    e4       S2 (South, M)      03/25 12:00 CDT  on time, NCIC       on time (2 h)    03/26 12:00; interview at 30 h,
                                                                                       no screening
    before   N1 (North)         01/31 23:30 CST  outside the period
    after    S2 (South)         04/01 00:00 CDT  outside the period (the end is exclusive)
    other    agency B, March                     never appears

    identified-victim reports: v2 S1 (South, F) received 02/25 10:00 CST, late by 30 min;
                               v1 N2 (North, M) received 03/12 10:00 CDT, on time; one of agency B's, never shown.
"""

import datetime
import io
import zoneinfo

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from caseapp.models import PlacementType, Role, Sex
from exports import reports
from exports.models import ExportStatus
from exports.reports.base import ExportFilters, ReportQuery
from exports.reports.timeliness import figures as timeliness_figures
from exports.reports.timeliness import rows as timeliness_rows
from missing_reports.models import Debrief, EpisodeStatus, MissingEpisode, Notification
from risk.models import IdentificationReport, ReviewDecision, Screening
from tests.exports.helpers import csv_rows
from tests.factories import PlacementFactory, UserFactory, YouthFactory
from tests.helpers import sign_in

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
PERIOD = {"period_start": "2025-02-01", "period_end": "2025-03-31"}
KEY = "timeliness"


def local(*args):
    return datetime.datetime(*args, tzinfo=CHICAGO)


AS_OF = local(2025, 4, 10, 12, 0)
H = datetime.timedelta(hours=1)


def make_episode(youth, creator, learned, returned=None):
    return MissingEpisode.objects.create(
        youth=youth,
        placement=youth.placements.first(),
        created_by=creator,
        last_seen_at=learned - H,
        agency_learned_at=learned,
        last_seen_location="Near the library",
        reported_by="Foster parent",
        status=EpisodeStatus.RETURNED if returned else EpisodeStatus.OPEN,
        returned_at=returned,
    )


def notice(episode, event, party, start, hours, done=None, *, by=None, method="phone", reference="REF", **extra):
    evidence = {}
    if done is not None:
        evidence = {"done_at": done, "done_by": by, "method": method, "reference": reference}
        if not reference:
            evidence["explanation"] = "The officer gave no number."
    return Notification.objects.create(
        episode=episode,
        event=event,
        party=party,
        due_at=start + hours * H,
        rule_hours=hours,
        rule_source="Federal: SSA §471(a)(35)(B)",
        **evidence,
        **extra,
    )


def debrief(episode, by, at, screening="yes"):
    return Debrief.objects.create(
        episode=episode,
        interview_at=at,
        interviewer=by,
        running_direction="from",
        primary_factors=["conflict"],
        trafficking_screening_done=screening,
        screening_not_done_reason="" if screening == "yes" else "Not today.",
        follow_up_adult_name="Mentor (synthetic)" if screening == "declined" else "",
    )


def identified(youth, by, received, done=None, reference="LE-V"):
    decision = ReviewDecision.objects.create(
        youth=youth,
        outcome="identified",
        decided_by=by,
        decided_at=received + H,
        trafficking_type="sex",
        trafficking_kind="other",
        timing="in_care",
        information_received_at=received,
    )
    IdentificationReport.objects.create(
        decision=decision,
        youth=youth,
        due_at=received + 24 * H,
        rule_hours=24,
        rule_source="Federal: SSA §471(a)(34)(A)",
        done_at=done,
        done_by=by if done else None,
        method="phone" if done else "",
        reference=reference if done else "",
    )
    return decision


@pytest.fixture
def data(team_a1, team_a2, team_b1, caseworker_a, caseworker_a2, caseworker_b, supervisor_a):
    n1 = YouthFactory(team=team_a1, case_number="A-N1", sex=Sex.FEMALE)
    n2 = YouthFactory(team=team_a1, case_number="A-N2", sex=Sex.MALE)
    s1 = YouthFactory(team=team_a2, case_number="A-S1", sex=Sex.FEMALE)
    s2 = YouthFactory(team=team_a2, case_number="A-S2", sex=Sex.MALE)
    b1 = YouthFactory(team=team_b1, case_number="B-1", sex=Sex.FEMALE)
    for youth, kind in ((n1, PlacementType.GROUP_HOME), (n2, PlacementType.SHELTER), (s1, PlacementType.FOSTER_FAMILY)):
        PlacementFactory(youth=youth, placement_type=kind, start_date=datetime.date(2024, 6, 1))
    PlacementFactory(youth=s2, placement_type=PlacementType.FOSTER_FAMILY, start_date=datetime.date(2024, 6, 1))
    PlacementFactory(youth=b1, start_date=datetime.date(2024, 6, 1))
    cw_n, cw_s = caseworker_a, caseworker_a2

    e1 = make_episode(n1, cw_n, local(2025, 2, 20, 10, 0), local(2025, 2, 22, 12, 0))
    e1_le = notice(
        e1, "missing", "law_enforcement", e1.agency_learned_at, 24, local(2025, 2, 21, 10, 1), by=cw_n,
        reference="LE-1", ncic_number="M123", ncic_confirmed_at=local(2025, 2, 21, 11, 0),
    )  # fmt: skip
    notice(
        e1, "missing", "ncmec", e1.agency_learned_at, 24, local(2025, 2, 21, 10, 0), by=cw_n, method="portal",
        reference="NCMEC-1",
    )  # fmt: skip
    notice(e1, "returned", "law_enforcement", e1.returned_at, 24, local(2025, 2, 23, 15, 0), by=cw_n, reference="")
    notice(e1, "returned", "ncmec", e1.returned_at, 24, local(2025, 2, 23, 11, 0), by=cw_n, method="portal")
    notice(
        e1, "returned", "return_interview", e1.returned_at, 72, local(2025, 2, 23, 12, 0), by=cw_n,
        method="in_person", reference="Debrief",
    )  # fmt: skip
    debrief(e1, cw_n, local(2025, 2, 23, 12, 0))
    # Screened by the structured screening, not by the debrief's "yes" (risk/screened.py).
    Screening.objects.create(youth=n1, episode=e1, conducted_at=local(2025, 2, 23, 12, 30), conducted_by=cw_n)

    e2 = make_episode(n2, cw_n, local(2025, 3, 10, 9, 0))
    notice(e2, "missing", "law_enforcement", e2.agency_learned_at, 24)
    notice(e2, "missing", "ncmec", e2.agency_learned_at, 24, local(2025, 3, 10, 20, 0), by=cw_n, method="portal")

    e5 = make_episode(n1, cw_n, local(2025, 3, 15, 10, 0), local(2025, 3, 15, 20, 0))
    notice(e5, "missing", "law_enforcement", e5.agency_learned_at, 24, local(2025, 3, 15, 11, 0), by=cw_n)
    notice(e5, "missing", "ncmec", e5.agency_learned_at, 24, local(2025, 3, 15, 12, 0), by=cw_n, method="portal")
    debrief(e5, cw_n, local(2025, 3, 16, 8, 0), screening="declined")
    Screening.objects.create(youth=n1, episode=e5, conducted_at=local(2025, 3, 16, 9, 0), conducted_by=cw_n)

    e3 = make_episode(s1, cw_s, local(2025, 3, 20, 8, 0), local(2025, 3, 21, 8, 0))
    notice(e3, "missing", "law_enforcement", e3.agency_learned_at, 24, local(2025, 3, 20, 9, 0), by=cw_s)
    notice(e3, "missing", "ncmec", e3.agency_learned_at, 24, local(2025, 3, 22, 8, 0), by=cw_s, method="portal")
    notice(e3, "missing", "court", e3.agency_learned_at, 24, local(2025, 3, 21, 7, 0), by=cw_s, method="written")
    notice(e3, "returned", "law_enforcement", e3.returned_at, 24, local(2025, 3, 21, 10, 0), by=cw_s)
    notice(e3, "returned", "ncmec", e3.returned_at, 24)
    notice(e3, "returned", "return_interview", e3.returned_at, 72)

    e4 = make_episode(s2, cw_s, local(2025, 3, 25, 12, 0), local(2025, 3, 26, 12, 0))
    notice(
        e4, "missing", "law_enforcement", e4.agency_learned_at, 24, local(2025, 3, 25, 13, 0), by=cw_s,
        ncic_confirmed_at=local(2025, 3, 25, 15, 0),
    )  # fmt: skip
    notice(e4, "missing", "ncmec", e4.agency_learned_at, 24, local(2025, 3, 25, 14, 0), by=cw_s, method="portal")
    notice(
        e4, "returned", "return_interview", e4.returned_at, 72, local(2025, 3, 27, 18, 0), by=cw_s,
        method="in_person", reference="Debrief",
    )  # fmt: skip
    debrief(e4, cw_s, local(2025, 3, 27, 18, 0), screening="no")

    before = make_episode(n1, cw_n, local(2025, 1, 31, 23, 30), local(2025, 2, 1, 9, 0))
    notice(before, "missing", "law_enforcement", before.agency_learned_at, 24)
    after = make_episode(s2, cw_s, local(2025, 4, 1, 0, 0))
    notice(after, "missing", "law_enforcement", after.agency_learned_at, 24)
    other = make_episode(b1, caseworker_b, local(2025, 3, 10, 12, 0))
    notice(other, "missing", "law_enforcement", other.agency_learned_at, 24)
    notice(other, "missing", "ncmec", other.agency_learned_at, 24)

    v2 = identified(s1, supervisor_a, local(2025, 2, 25, 10, 0), local(2025, 2, 26, 10, 30))
    v1 = identified(n2, supervisor_a, local(2025, 3, 12, 10, 0), local(2025, 3, 13, 9, 0))
    identified(b1, UserFactory(agency=b1.agency, role=Role.SUPERVISOR), local(2025, 3, 12, 10, 0))
    return {"e1": e1, "e2": e2, "e3": e3, "e4": e4, "e5": e5, "v1": v1, "v2": v2, "e1_le": e1_le}


def query_for(user, agency, as_of=AS_OF, **filters):
    return ReportQuery(agency=agency, user=user, as_of=as_of, filters=ExportFilters.from_json({**PERIOD, **filters}))


def expected_rows(d):
    """Every row of the period for agency staff, as the CSV holds them (as of AS_OF)."""
    e1, e2, e3, e4, e5 = (str(d[k].pk) for k in ("e1", "e2", "e3", "e4", "e5"))
    v1, v2 = str(d["v1"].pk), str(d["v2"].pk)
    le, ncmec = "Law enforcement (NCIC entry)", "NCMEC"
    le_back, ncmec_back = "Law enforcement (clear NCIC entry)", "NCMEC (recovery)"
    interview, victim = "Return interview (debrief)", "Law enforcement (identified victim of trafficking)"
    cst, cdt = "-06:00", "-05:00"
    return {
        "e1": [
            [e1, "", "A-N1", "North", le, f"2025-02-20T10:00{cst}", "24", f"2025-02-21T10:00{cst}",
             f"2025-02-21T10:01{cst}", "1", "Late", "Yes", "Phone", "Yes"],
            [e1, "", "A-N1", "North", ncmec, f"2025-02-20T10:00{cst}", "24", f"2025-02-21T10:00{cst}",
             f"2025-02-21T10:00{cst}", "0", "On time", "", "Web portal", "Yes"],
            [e1, "", "A-N1", "North", le_back, f"2025-02-22T12:00{cst}", "24", f"2025-02-23T12:00{cst}",
             f"2025-02-23T15:00{cst}", "180", "Late", "", "Phone", "No"],
            [e1, "", "A-N1", "North", ncmec_back, f"2025-02-22T12:00{cst}", "24", f"2025-02-23T12:00{cst}",
             f"2025-02-23T11:00{cst}", "0", "On time", "", "Web portal", "Yes"],
            [e1, "", "A-N1", "North", interview, f"2025-02-22T12:00{cst}", "72", f"2025-02-25T12:00{cst}",
             f"2025-02-23T12:00{cst}", "0", "On time", "", "In person", "Yes"],
        ],
        "e2": [
            # Not done and past due: overdue so far, from 03/11 09:00 to 04/10 12:00 (30 days and 3 hours).
            [e2, "", "A-N2", "North", le, f"2025-03-10T09:00{cdt}", "24", f"2025-03-11T09:00{cdt}", "",
             str(30 * 1440 + 180), "Not done, past due", "No", "", "No"],
            [e2, "", "A-N2", "North", ncmec, f"2025-03-10T09:00{cdt}", "24", f"2025-03-11T09:00{cdt}",
             f"2025-03-10T20:00{cdt}", "0", "On time", "", "Web portal", "Yes"],
        ],
        "e5": [
            [e5, "", "A-N1", "North", le, f"2025-03-15T10:00{cdt}", "24", f"2025-03-16T10:00{cdt}",
             f"2025-03-15T11:00{cdt}", "0", "On time", "No", "Phone", "Yes"],
            [e5, "", "A-N1", "North", ncmec, f"2025-03-15T10:00{cdt}", "24", f"2025-03-16T10:00{cdt}",
             f"2025-03-15T12:00{cdt}", "0", "On time", "", "Web portal", "Yes"],
        ],
        "e3": [
            [e3, "", "A-S1", "South", le, f"2025-03-20T08:00{cdt}", "24", f"2025-03-21T08:00{cdt}",
             f"2025-03-20T09:00{cdt}", "0", "On time", "No", "Phone", "Yes"],
            [e3, "", "A-S1", "South", ncmec, f"2025-03-20T08:00{cdt}", "24", f"2025-03-21T08:00{cdt}",
             f"2025-03-22T08:00{cdt}", "1440", "Late", "", "Web portal", "Yes"],
            [e3, "", "A-S1", "South", "Court", f"2025-03-20T08:00{cdt}", "24", f"2025-03-21T08:00{cdt}",
             f"2025-03-21T07:00{cdt}", "0", "On time", "", "Written (letter, email, fax)", "Yes"],
            [e3, "", "A-S1", "South", le_back, f"2025-03-21T08:00{cdt}", "24", f"2025-03-22T08:00{cdt}",
             f"2025-03-21T10:00{cdt}", "0", "On time", "", "Phone", "Yes"],
            [e3, "", "A-S1", "South", ncmec_back, f"2025-03-21T08:00{cdt}", "24", f"2025-03-22T08:00{cdt}", "",
             str(19 * 1440 + 240), "Not done, past due", "", "", "No"],
            [e3, "", "A-S1", "South", interview, f"2025-03-21T08:00{cdt}", "72", f"2025-03-24T08:00{cdt}", "",
             str(17 * 1440 + 240), "Not done, past due", "", "", "No"],
        ],
        "e4": [
            [e4, "", "A-S2", "South", le, f"2025-03-25T12:00{cdt}", "24", f"2025-03-26T12:00{cdt}",
             f"2025-03-25T13:00{cdt}", "0", "On time", "Yes", "Phone", "Yes"],
            [e4, "", "A-S2", "South", ncmec, f"2025-03-25T12:00{cdt}", "24", f"2025-03-26T12:00{cdt}",
             f"2025-03-25T14:00{cdt}", "0", "On time", "", "Web portal", "Yes"],
            [e4, "", "A-S2", "South", interview, f"2025-03-26T12:00{cdt}", "72", f"2025-03-29T12:00{cdt}",
             f"2025-03-27T18:00{cdt}", "0", "On time", "", "In person", "Yes"],
        ],
        "v2": [
            ["", v2, "A-S1", "South", victim, f"2025-02-25T10:00{cst}", "24", f"2025-02-26T10:00{cst}",
             f"2025-02-26T10:30{cst}", "30", "Late", "", "Phone", "Yes"],
        ],
        "v1": [
            ["", v1, "A-N2", "North", victim, f"2025-03-12T10:00{cdt}", "24", f"2025-03-13T10:00{cdt}",
             f"2025-03-13T09:00{cdt}", "0", "On time", "", "Phone", "Yes"],
        ],
    }  # fmt: skip


HEADER = [
    "Episode ID",
    "Identification decision ID",
    "Agency case number",
    "Team",
    "Notice",
    "Clock started at",
    "Deadline (hours)",
    "Due at",
    "Done at",
    "Late by (minutes; if not done, overdue so far)",
    "Status",
    "NCIC entry confirmed",
    "How it was done",
    "Reference number recorded",
]


def csv_of(rows):
    """Rows from report.rows() as the CSV writer writes them (via the real writer's cells)."""
    from exports.writers import CsvWriter

    writer = CsvWriter.__new__(CsvWriter)
    writer.tz = CHICAGO
    return [["" if (c := writer.cell(v)) == "" else str(c) for v in row] for row in rows]


# --- The pure rule -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due", "done", "status", "late_by"),
    [
        (local(2025, 3, 1, 10, 0), local(2025, 3, 1, 10, 0), "On time", 0),  # exactly at the deadline
        (local(2025, 3, 1, 10, 0), local(2025, 3, 1, 9, 0), "On time", 0),
        (local(2025, 3, 1, 10, 0), local(2025, 3, 1, 10, 1), "Late", 1),  # one minute late
        (local(2025, 3, 1, 10, 0), local(2025, 3, 1, 10, 0, 1), "Late", 1),  # a second late is a late minute
        (local(2025, 3, 1, 10, 0), None, "Not done, past due", 60),  # as of 11:00
        (local(2025, 3, 1, 11, 0), None, "Not yet due", None),  # due exactly now: not yet past
        (local(2025, 3, 1, 12, 0), None, "Not yet due", None),
    ],
)
def test_clock_status(due, done, status, late_by):
    assert timeliness_rows.clock_status(due, done, local(2025, 3, 1, 11, 0)) == (status, late_by)


# --- Rows ----------------------------------------------------------------------------------------------------


def test_agency_staff_get_every_clock_of_the_period_and_nothing_else(data, agency_staff_a, agency_a):
    report = reports.get(KEY)
    query = query_for(agency_staff_a, agency_a)
    rows = expected_rows(data)

    assert report.headers == HEADER
    assert csv_of(report.rows(query)) == [
        *rows["e1"],
        *rows["e2"],
        *rows["e5"],
        *rows["e3"],
        *rows["e4"],
        *rows["v2"],
        *rows["v1"],
    ]
    assert report.count(query) == 20


def test_a_supervisor_sees_only_their_teams_rows(data, supervisor_a, agency_a):
    report = reports.get(KEY)
    query = query_for(supervisor_a, agency_a)
    rows = expected_rows(data)

    assert csv_of(report.rows(query)) == [*rows["e1"], *rows["e2"], *rows["e5"], *rows["v1"]]
    assert report.count(query) == 10


def test_another_agency_sees_only_its_own(data, agency_b):
    staff_b = UserFactory(agency=agency_b, role=Role.AGENCY_STAFF)
    report = reports.get(KEY)
    rows = list(report.rows(query_for(staff_b, agency_b)))

    assert [row[3] for row in rows] == ["East", "East", "East"]  # its episode's two notices and its victim report
    assert not any(row[2].startswith("A-") for row in rows)


def test_team_and_placement_type_filters(data, agency_admin_a, agency_a, team_a2):
    report = reports.get(KEY)
    rows = expected_rows(data)

    south = csv_of(report.rows(query_for(agency_admin_a, agency_a, team_ids=[team_a2.pk])))
    shelters = csv_of(report.rows(query_for(agency_admin_a, agency_a, placement_types=["shelter"])))

    assert south == [*rows["e3"], *rows["e4"], *rows["v2"]]
    # N2 was in the shelter: its episode, and its identification (the placement on the day it came in).
    assert shelters == [*rows["e2"], *rows["v1"]]


def test_an_open_clock_is_not_yet_due(data, agency_staff_a, agency_a):
    report = reports.get(KEY)
    query = query_for(agency_staff_a, agency_a, as_of=local(2025, 3, 10, 20, 30))
    e2 = [row for row in report.rows(query) if row[0] == data["e2"].pk]

    assert [(row[4], row[9], row[10]) for row in e2] == [
        ("Law enforcement (NCIC entry)", None, "Not yet due"),
        ("NCMEC", 0, "On time"),
    ]


def test_rows_take_one_query_per_kind_of_clock(data, agency_staff_a, agency_a):
    report = reports.get(KEY)
    with CaptureQueriesContext(connection) as queries:
        rows = list(report.rows(query_for(agency_staff_a, agency_a)))
    assert len(rows) == 20
    # The episodes' notices, the identified-victim reports, the reports of disclosures without an episode.
    assert len(queries) == 3


def test_the_reference_numbers_are_not_read(data, agency_staff_a, agency_a):
    report = reports.get(KEY)
    with CaptureQueriesContext(connection) as queries:
        list(report.rows(query_for(agency_staff_a, agency_a)))
    selects = [q["sql"].split(" FROM ")[0] for q in queries]
    assert not any('"reference" AS' in s or s.rstrip().endswith('"reference"') for s in selects)
    assert not any("ncic_number" in s or "ncmec_case_number" in s for s in selects)


# --- The summary figures -------------------------------------------------------------------------------------


def figures_text(figures):
    """Every rate of a Figures as "percent (n of d)", and the median."""
    return {key: str(rate) for key, rate in figures.rates.items()} | {"median": figures.median_text}


ALL = {
    "le_on_time": "60.0% (3 of 5)",
    "ncmec_on_time": "80.0% (4 of 5)",
    "ncic_confirmed": "50.0% (2 of 4)",
    "return_interview": "75.0% (3 of 4)",
    "trafficking_screen": "50.0% (2 of 4)",
    "victim_report_on_time": "50.0% (1 of 2)",
    "median": "24.0 h (3 interviews)",
}
FEMALE = {
    "le_on_time": "66.7% (2 of 3)",
    "ncmec_on_time": "66.7% (2 of 3)",
    "ncic_confirmed": "33.3% (1 of 3)",
    "return_interview": "66.7% (2 of 3)",
    "trafficking_screen": "66.7% (2 of 3)",
    "victim_report_on_time": "0.0% (0 of 1)",
    "median": "18.0 h (2 interviews)",
}
MALE = {
    "le_on_time": "50.0% (1 of 2)",
    "ncmec_on_time": "100.0% (2 of 2)",
    "ncic_confirmed": "100.0% (1 of 1)",
    "return_interview": "100.0% (1 of 1)",
    "trafficking_screen": "0.0% (0 of 1)",
    "victim_report_on_time": "100.0% (1 of 1)",
    "median": "30.0 h (1 interview)",
}
NOTHING = {
    "le_on_time": "n/a (0 of 0)",
    "ncmec_on_time": "n/a (0 of 0)",
    "ncic_confirmed": "n/a (0 of 0)",
    "return_interview": "n/a (0 of 0)",
    "trafficking_screen": "n/a (0 of 0)",
    "victim_report_on_time": "n/a (0 of 0)",
    "median": "n/a",
}
NORTH = {
    "le_on_time": "33.3% (1 of 3)",
    "ncmec_on_time": "100.0% (3 of 3)",
    "ncic_confirmed": "50.0% (1 of 2)",
    "return_interview": "100.0% (2 of 2)",
    "trafficking_screen": "100.0% (2 of 2)",
    "victim_report_on_time": "100.0% (1 of 1)",
    "median": "18.0 h (2 interviews)",
}
SOUTH = {
    "le_on_time": "100.0% (2 of 2)",
    "ncmec_on_time": "50.0% (1 of 2)",
    "ncic_confirmed": "50.0% (1 of 2)",
    "return_interview": "50.0% (1 of 2)",
    "trafficking_screen": "0.0% (0 of 2)",
    "victim_report_on_time": "0.0% (0 of 1)",
    "median": "30.0 h (1 interview)",
}
FEBRUARY = {
    "le_on_time": "0.0% (0 of 1)",
    "ncmec_on_time": "100.0% (1 of 1)",
    "ncic_confirmed": "100.0% (1 of 1)",
    "return_interview": "100.0% (1 of 1)",
    "trafficking_screen": "100.0% (1 of 1)",
    "victim_report_on_time": "0.0% (0 of 1)",
    "median": "24.0 h (1 interview)",
}
MARCH = {
    "le_on_time": "75.0% (3 of 4)",
    "ncmec_on_time": "75.0% (3 of 4)",
    "ncic_confirmed": "33.3% (1 of 3)",
    "return_interview": "66.7% (2 of 3)",
    "trafficking_screen": "33.3% (1 of 3)",
    "victim_report_on_time": "100.0% (1 of 1)",
    "median": "21.0 h (2 interviews)",
}


def test_the_rates_overall_and_by_sex(data, agency_staff_a, agency_a):
    figures = timeliness_figures.summary(query_for(agency_staff_a, agency_a))

    overall = figures["all"]
    assert figures_text(overall.figures) == ALL
    assert (overall.figures.episodes, overall.figures.returns) == (5, 4)
    assert figures_text(overall.by_sex["female"]) == FEMALE
    assert figures_text(overall.by_sex["male"]) == MALE
    assert figures_text(overall.by_sex["unknown"]) == NOTHING  # zero denominators: n/a, never 0%
    assert overall.by_sex["unknown"].rates["le_on_time"].percent is None
    assert overall.figures.median_hours_to_interview == 24.0


def test_the_rates_by_team_and_by_month(data, agency_staff_a, agency_a):
    figures = timeliness_figures.summary(query_for(agency_staff_a, agency_a))

    assert [(g.label, figures_text(g.figures)) for g in figures["by_team"]] == [("North", NORTH), ("South", SOUTH)]
    assert [(g.key, g.label, figures_text(g.figures)) for g in figures["by_month"]] == [
        (datetime.date(2025, 2, 1), "February 2025", FEBRUARY),
        (datetime.date(2025, 3, 1), "March 2025", MARCH),
    ]
    north = figures["by_team"][0]
    assert figures_text(north.by_sex["male"]) == {
        "le_on_time": "0.0% (0 of 1)",
        "ncmec_on_time": "100.0% (1 of 1)",
        "ncic_confirmed": "n/a (0 of 0)",  # no report to law enforcement was made
        "return_interview": "n/a (0 of 0)",  # still missing: no return yet
        "trafficking_screen": "n/a (0 of 0)",
        "victim_report_on_time": "100.0% (1 of 1)",
        "median": "n/a",
    }
    march = figures["by_month"][1]
    assert str(march.by_sex["female"].rates["return_interview"]) == "50.0% (1 of 2)"  # e5 yes, e3 no


def test_a_supervisors_summary_is_their_team(data, supervisor_a, agency_a):
    figures = timeliness_figures.summary(query_for(supervisor_a, agency_a))

    assert figures_text(figures["all"].figures) == NORTH
    assert [g.label for g in figures["by_team"]] == ["North"]


def test_an_empty_period_is_all_n_a(data, agency_staff_a, agency_a):
    figures = timeliness_figures.summary(
        query_for(agency_staff_a, agency_a, period_start="2024-01-01", period_end="2024-01-31")
    )

    assert figures_text(figures["all"].figures) == NOTHING
    assert [(g.label, figures_text(g.figures)) for g in figures["by_month"]] == [("January 2024", NOTHING)]
    assert [(g.label, figures_text(g.figures)) for g in figures["by_team"]] == [("North", NOTHING), ("South", NOTHING)]


def test_not_yet_due_clocks_are_left_out_of_the_rates(data, agency_staff_a, agency_a):
    # As of 03/10 20:30, e2's report to law enforcement is not due until 03/11 09:00.
    figures = timeliness_figures.summary(
        query_for(agency_staff_a, agency_a, as_of=local(2025, 3, 10, 20, 30), period_start="2025-03-10",
                  period_end="2025-03-10")
    )  # fmt: skip

    assert str(figures["all"].figures.rates["le_on_time"]) == "n/a (0 of 0)"
    assert str(figures["all"].figures.rates["ncmec_on_time"]) == "100.0% (1 of 1)"
    assert figures["all"].figures.clocks_not_yet_due == 1


def test_the_summary_takes_a_fixed_number_of_queries(data, agency_staff_a, agency_a):
    with CaptureQueriesContext(connection) as queries:
        timeliness_figures.summary(query_for(agency_staff_a, agency_a))
    assert len(queries) == 5


def test_notification_delays(data, agency_staff_a, agency_a):
    delays = timeliness_figures.notification_delays(query_for(agency_staff_a, agency_a))

    le, ncmec = delays["law_enforcement"], delays["ncmec"]
    assert [round(h, 3) for h in le.hours] == [1.0, 1.0, 1.0, 24.017]  # e5, e3, e4; e1 a minute past 24 h
    assert (le.deadline_hours, le.deadlines, le.not_done_past_due, le.not_yet_due) == (24, (24,), 1, 0)
    assert ncmec.hours == [2.0, 2.0, 11.0, 24.0, 48.0]
    counts = {bucket.label: bucket.count for bucket in ncmec.buckets}
    assert counts == {
        "Up to 1 h": 0,
        "1 to 2 h": 2,  # an upper bound is included
        "2 to 4 h": 0,
        "4 to 8 h": 0,
        "8 to 12 h": 1,
        "12 to 24 h": 1,  # exactly at the 24-hour deadline: on time, left of the line
        "24 to 48 h": 1,
        "48 to 72 h": 0,
        "Over 72 h": 0,
    }
    assert [(b.label, b.count) for b in le.buckets if b.count] == [("Up to 1 h", 3), ("24 to 48 h", 1)]


# --- Through the framework -----------------------------------------------------------------------------------


def start(user, capture, fmt, **filters):
    from exports.services import jobs as services

    with capture(execute=True):
        job = services.start_export(
            actor=user, report=KEY, fmt=fmt, filters=ExportFilters.from_json({**PERIOD, **filters})
        )
    job.refresh_from_db()
    return job


def download(client, user, job):
    sign_in(client, user)
    response = client.get(f"/reports/exports/{job.pk}/download/")
    assert response.status_code == 200
    return response, b"".join(response.streaming_content)


def test_csv_export_downloads(data, agency_staff_a, client, django_capture_on_commit_callbacks):
    job = start(agency_staff_a, django_capture_on_commit_callbacks, "csv")

    assert job.status == ExportStatus.READY
    rows = csv_rows(job)
    assert rows[0] == HEADER
    assert len(rows) == 21 and job.row_count == 20
    assert rows[1][:11] == expected_rows(data)["e1"][0][:11]  # the late LE report, as_of aside (all are past)
    response, body = download(client, agency_staff_a, job)
    assert response["Content-Type"].startswith("text/csv")
    assert body.startswith(b"\xef\xbb\xbf")


def test_xlsx_export_downloads(data, agency_staff_a, client, django_capture_on_commit_callbacks):
    job = start(agency_staff_a, django_capture_on_commit_callbacks, "xlsx")

    assert job.status == ExportStatus.READY
    _, body = download(client, agency_staff_a, job)
    sheet = openpyxl.load_workbook(io.BytesIO(body))["Timeliness compliance"]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0] == HEADER
    assert values[1][0] == data["e1"].pk and values[1][9] == 1 and values[1][10] == "Late"
    assert values[1][7] == datetime.datetime(2025, 2, 21, 10, 0)  # local time


def test_pdf_export_downloads_with_the_figures(data, agency_staff_a, client, django_capture_on_commit_callbacks):
    job = start(agency_staff_a, django_capture_on_commit_callbacks, "pdf")

    assert job.status == ExportStatus.READY, job.error
    assert job.row_count == 20  # the clocks the figures sum up
    response, body = download(client, agency_staff_a, job)
    assert response["Content-Type"] == "application/pdf"
    assert f"timeliness-20250201-to-20250331-job{job.pk}.pdf" in response["Content-Disposition"]
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(body)).pages)
    assert "Timeliness compliance: summary" in text
    assert "Agency A" in text and "02/01/2025 to 03/31/2025" in text
    for figure in ("60.0% (3 of 5)", "80.0% (4 of 5)", "50.0% (2 of 4)", "75.0% (3 of 4)", "24.0 h (3 interviews)"):
        assert figure in text, figure
    assert "North" in text and "South" in text and "February 2025" in text and "March 2025" in text
    assert "n/a (0 of 0)" in text  # North's male row: no return yet
    assert "A-N1" not in text  # counts only, no case numbers


def test_pdf_of_a_supervisor_holds_their_team_only(data, supervisor_a, client, django_capture_on_commit_callbacks):
    job = start(supervisor_a, django_capture_on_commit_callbacks, "pdf")

    _, body = download(client, supervisor_a, job)
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(body)).pages)
    assert "33.3% (1 of 3)" in text  # North's law-enforcement rate is the whole
    assert "South" not in text


def test_another_user_cannot_download_the_pdf(
    data, agency_staff_a, supervisor_a, client, django_capture_on_commit_callbacks
):
    job = start(agency_staff_a, django_capture_on_commit_callbacks, "pdf")

    sign_in(client, supervisor_a)
    assert client.get(f"/reports/exports/{job.pk}/download/").status_code == 404


def test_the_episode_register_is_not_offered_as_pdf(agency_staff_a):
    from django.core.exceptions import ValidationError

    from exports.services import jobs as services

    with pytest.raises(ValidationError) as error:
        services.check_request(agency_staff_a, "episode-register", "pdf", ExportFilters.from_json(PERIOD))
    assert "format" in error.value.message_dict
