"""The annual count of youth identified as victims of sex trafficking, on a hand-built set of decisions
whose right answers are written out here.

Agency A (America/Chicago), federal fiscal year 2025: 10/01/2024 00:00 CDT to 10/01/2025 00:00 CDT.

    youth        team   decisions (local times)                                             counts as
    A-BEFORE     North  sex, pimp, before entry, 11/05/2024 10:00; report on time           sex, before entry
    A-CORRECTED  South  sex, other, in care, 04/01/2025 10:00; corrected 04/02 (same        sex once, while missing,
                        information) to buyer-perpetrated, while missing; report on time    buyer-perpetrated
    A-INCARE     South  sex, gang, in care, 02/10/2025 09:00; report 6 h late               sex, in care
    A-LABOR      North  labor, other, in care, 05/01/2025 10:00; report on time             labor only
    A-MISSING    North  sex, familial, while missing, 06/01/2025 12:00; no report (overdue) sex, while missing
    A-SEX-TWICE  North  sex, pimp, before entry, 12/01/2024; sex, gang, while missing,      sex once (the latest:
                        08/01/2025 (new information)                                        while missing, gang)
    A-TWICE      South  sex, pimp, in care, 01/10/2025; labor, other, in care, 07/01/2025   sex and labor
    A-WITHDRAWN  North  sex 03/01/2025, then "No current concern" 03/05/2025, then          nothing (withdrawn)
                        withdrawn as recorded in error 03/06/2025
    A-LAST-YEAR  North  sex 09/30/2024 23:59 CDT (FY 2024)                                  nothing (other year)
    B-1          (B)    sex 03/01/2025                                                      never (agency B)
"""

import datetime
import io
import zoneinfo

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from exports import reports
from exports.models import ExportJob, ExportStatus
from exports.reports.annual_count import DecisionRow, counted_identifications
from exports.reports.base import (
    ExportFilters,
    ReportQuery,
    fiscal_year_bounds,
    fiscal_year_choices,
    fiscal_year_label,
)
from exports.services import jobs as services
from risk.models import IdentificationReport, ReviewDecision
from tests.exports.helpers import csv_rows, start
from tests.factories import YouthFactory

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
COUNT = "annual-victim-count"
FY2025 = {"period_start": "2024-10-01", "period_end": "2025-09-30"}
HEADER = [
    "Agency case number",
    "Team",
    "Identified at",
    "Type",
    "Kind",
    "When it happened",
    "Information received at",
    "Law-enforcement report due at",
    "Law-enforcement report made at",
    "Law-enforcement report",
    "Late by (hours)",
    "Identifications of this type in the period",
]


def local(*args):
    return datetime.datetime(*args, tzinfo=CHICAGO)


class Chain:
    """A youth's decisions, each superseding the one before (as risk.services.decisions.decide records them)."""

    def __init__(self, youth, decider):
        self.youth, self.decider, self.last = youth, decider, None

    def identify(self, at, type_, kind, timing, received, *, report_done=None, clock=True):
        decision = ReviewDecision.objects.create(
            youth=self.youth,
            outcome="identified",
            decided_by=self.decider,
            decided_at=at,
            trafficking_type=type_,
            trafficking_kind=kind,
            timing=timing,
            information_received_at=received,
            supersedes=self.last,
        )
        if clock:
            IdentificationReport.objects.create(
                decision=decision,
                youth=self.youth,
                due_at=received + datetime.timedelta(hours=24),
                rule_hours=24,
                done_at=report_done,
                done_by=self.decider if report_done else None,
                reference="LE-1" if report_done else "",
            )
        self.last = decision
        return decision

    def withdraw(self, decision, at, reason="Recorded for the wrong youth."):
        """The identification `decision` withdrawn as recorded in error (risk/services/corrections.py)."""
        ReviewDecision.objects.filter(pk=decision.pk).update(
            withdrawn_at=at, withdrawn_by=self.decider, withdrawal_reason=reason
        )

    def at_risk(self, at):
        self.last = ReviewDecision.objects.create(
            youth=self.youth,
            outcome="at_risk",
            decided_by=self.decider,
            decided_at=at,
            safety_plan="Weekly check-ins.",
            supersedes=self.last,
        )
        return self.last

    def no_concern(self, at):
        self.last = ReviewDecision.objects.create(
            youth=self.youth,
            outcome="no_concern",
            decided_by=self.decider,
            decided_at=at,
            reason="Found wrong.",
            supersedes=self.last,
        )
        return self.last


@pytest.fixture
def count_data(team_a1, team_a2, team_b1, agency_admin_a, admin_b):
    def youth(team, case_number):
        return YouthFactory(team=team, case_number=case_number, entered_care_on=datetime.date(2023, 1, 1))

    Chain(youth(team_a1, "A-BEFORE"), agency_admin_a).identify(
        local(2024, 11, 5, 10),
        "sex",
        "pimp_controlled",
        "before_entry",
        local(2024, 11, 5, 8),
        report_done=local(2024, 11, 5, 15),
    )
    corrected = Chain(youth(team_a2, "A-CORRECTED"), agency_admin_a)
    corrected.identify(
        local(2025, 4, 1, 10), "sex", "other", "in_care", local(2025, 3, 31, 18), report_done=local(2025, 4, 1, 12)
    )
    corrected.identify(
        local(2025, 4, 2, 9), "sex", "buyer_perpetrated", "while_missing", local(2025, 3, 31, 18), clock=False
    )
    Chain(youth(team_a2, "A-INCARE"), agency_admin_a).identify(
        local(2025, 2, 10, 9),
        "sex",
        "gang_controlled",
        "in_care",
        local(2025, 2, 9, 20),
        report_done=local(2025, 2, 11, 2),
    )
    Chain(youth(team_a1, "A-LABOR"), agency_admin_a).identify(
        local(2025, 5, 1, 10), "labor", "other", "in_care", local(2025, 5, 1, 9), report_done=local(2025, 5, 1, 11)
    )
    Chain(youth(team_a1, "A-MISSING"), agency_admin_a).identify(
        local(2025, 6, 1, 12), "sex", "familial", "while_missing", local(2025, 6, 1, 9)
    )
    twice = Chain(youth(team_a1, "A-SEX-TWICE"), agency_admin_a)
    twice.identify(
        local(2024, 12, 1, 10),
        "sex",
        "pimp_controlled",
        "before_entry",
        local(2024, 12, 1, 9),
        report_done=local(2024, 12, 1, 11),
    )
    twice.identify(
        local(2025, 8, 1, 10),
        "sex",
        "gang_controlled",
        "while_missing",
        local(2025, 8, 1, 9),
        report_done=local(2025, 8, 1, 10, 30),
    )
    both = Chain(youth(team_a2, "A-TWICE"), agency_admin_a)
    both.identify(
        local(2025, 1, 10, 10),
        "sex",
        "pimp_controlled",
        "in_care",
        local(2025, 1, 10, 9),
        report_done=local(2025, 1, 10, 11),
    )
    both.identify(
        local(2025, 7, 1, 10), "labor", "other", "in_care", local(2025, 7, 1, 9), report_done=local(2025, 7, 1, 11)
    )
    withdrawn = Chain(youth(team_a1, "A-WITHDRAWN"), agency_admin_a)
    withdrawn_identification = withdrawn.identify(
        local(2025, 3, 1, 10), "sex", "familial", "in_care", local(2025, 3, 1, 9)
    )
    withdrawn.no_concern(local(2025, 3, 5, 10))
    withdrawn.withdraw(withdrawn_identification, local(2025, 3, 6, 10))
    Chain(youth(team_a1, "A-LAST-YEAR"), agency_admin_a).identify(
        local(2024, 9, 30, 23, 59), "sex", "familial", "in_care", local(2024, 9, 30, 22)
    )
    Chain(youth(team_b1, "B-1"), admin_b).identify(
        local(2025, 3, 1, 10), "sex", "familial", "in_care", local(2025, 3, 1, 9)
    )


def expected_rows(late_so_far):
    """Every row of agency A's FY 2025 (by case number, sex before labor). `late_so_far`: the hours
    A-MISSING's report is overdue at the export (it was never made)."""
    return {
        "A-BEFORE": [
            "A-BEFORE",
            "North",
            "2024-11-05T10:00-06:00",
            "Sex trafficking",
            "Pimp-controlled",
            "Before entering care",
            "2024-11-05T08:00-06:00",
            "2024-11-06T08:00-06:00",
            "2024-11-05T15:00-06:00",
            "On time",
            "",
            "1",
        ],
        # Counted once, with the correction's facts, under the original's date and report clock.
        "A-CORRECTED": [
            "A-CORRECTED",
            "South",
            "2025-04-01T10:00-05:00",
            "Sex trafficking",
            "Buyer-perpetrated",
            "While missing from care",
            "2025-03-31T18:00-05:00",
            "2025-04-01T18:00-05:00",
            "2025-04-01T12:00-05:00",
            "On time",
            "",
            "1",
        ],
        "A-INCARE": [
            "A-INCARE",
            "South",
            "2025-02-10T09:00-06:00",
            "Sex trafficking",
            "Gang-controlled",
            "While in care",
            "2025-02-09T20:00-06:00",
            "2025-02-10T20:00-06:00",
            "2025-02-11T02:00-06:00",
            "Late",
            "6.0",
            "1",
        ],
        "A-LABOR": [
            "A-LABOR",
            "North",
            "2025-05-01T10:00-05:00",
            "Labor trafficking",
            "Other",
            "While in care",
            "2025-05-01T09:00-05:00",
            "2025-05-02T09:00-05:00",
            "2025-05-01T11:00-05:00",
            "On time",
            "",
            "1",
        ],
        "A-MISSING": [
            "A-MISSING",
            "North",
            "2025-06-01T12:00-05:00",
            "Sex trafficking",
            "Familial",
            "While missing from care",
            "2025-06-01T09:00-05:00",
            "2025-06-02T09:00-05:00",
            "",
            "Not made: overdue",
            late_so_far,
            "1",
        ],
        # Two sex-trafficking identifications in the year: one youth, the latest decides.
        "A-SEX-TWICE": [
            "A-SEX-TWICE",
            "North",
            "2025-08-01T10:00-05:00",
            "Sex trafficking",
            "Gang-controlled",
            "While missing from care",
            "2025-08-01T09:00-05:00",
            "2025-08-02T09:00-05:00",
            "2025-08-01T10:30-05:00",
            "On time",
            "",
            "2",
        ],
        "A-TWICE sex": [
            "A-TWICE",
            "South",
            "2025-01-10T10:00-06:00",
            "Sex trafficking",
            "Pimp-controlled",
            "While in care",
            "2025-01-10T09:00-06:00",
            "2025-01-11T09:00-06:00",
            "2025-01-10T11:00-06:00",
            "On time",
            "",
            "1",
        ],
        "A-TWICE labor": [
            "A-TWICE",
            "South",
            "2025-07-01T10:00-05:00",
            "Labor trafficking",
            "Other",
            "While in care",
            "2025-07-01T09:00-05:00",
            "2025-07-02T09:00-05:00",
            "2025-07-01T11:00-05:00",
            "On time",
            "",
            "1",
        ],
    }


def _late_so_far(job):
    due = local(2025, 6, 2, 9)
    return str(round((job.started_at - due).total_seconds() / 3600, 1))


def test_agency_staff_get_each_counted_youth_once_per_type(
    count_data, agency_staff_a, django_capture_on_commit_callbacks
):
    job = start(agency_staff_a, django_capture_on_commit_callbacks, report=COUNT, **FY2025)

    assert job.status == ExportStatus.READY
    rows = expected_rows(_late_so_far(job))
    assert csv_rows(job) == [
        HEADER,
        rows["A-BEFORE"],
        rows["A-CORRECTED"],
        rows["A-INCARE"],
        rows["A-LABOR"],
        rows["A-MISSING"],
        rows["A-SEX-TWICE"],
        rows["A-TWICE sex"],
        rows["A-TWICE labor"],
    ]
    assert job.row_count == job.rows_total == 8


def test_the_figures_by_timing_kind_and_type(count_data, agency_staff_a, agency_a):
    report = reports.get(COUNT)
    figures = report.annual_count(_query(agency_a, agency_staff_a))

    # The HHS count: youth identified as victims of SEX trafficking in FY 2025.
    assert figures.headline == figures.sex.youth == 6
    assert figures.sex.by_timing == {"before_entry": 1, "in_care": 2, "while_missing": 3}
    assert figures.sex.by_kind == {
        "pimp_controlled": 2,
        "gang_controlled": 2,
        "familial": 1,
        "buyer_perpetrated": 1,
        "other": 0,
    }
    assert figures.sex.by_report == {
        "On time": 4,
        "Late": 1,
        "Not made: overdue": 1,
        "Not made yet: not due": 0,
        "No report clock": 0,
    }
    # Labor trafficking, shown separately; A-TWICE is in both counts once.
    assert figures.labor.youth == 2
    assert figures.labor.by_timing == {"before_entry": 0, "in_care": 2, "while_missing": 0}
    assert figures.labor.by_kind["other"] == 2
    assert figures.both == 1


def test_a_supervisor_counts_only_the_teams_they_supervise(
    count_data, supervisor_a, django_capture_on_commit_callbacks
):
    job = start(supervisor_a, django_capture_on_commit_callbacks, report=COUNT, **FY2025)

    assert [(row[0], row[3]) for row in csv_rows(job)[1:]] == [
        ("A-BEFORE", "Sex trafficking"),
        ("A-LABOR", "Labor trafficking"),
        ("A-MISSING", "Sex trafficking"),
        ("A-SEX-TWICE", "Sex trafficking"),
    ]


def test_the_team_filter(count_data, agency_admin_a, team_a2, django_capture_on_commit_callbacks):
    job = start(agency_admin_a, django_capture_on_commit_callbacks, report=COUNT, team_ids=[team_a2.pk], **FY2025)

    assert [row[0] for row in csv_rows(job)[1:]] == ["A-CORRECTED", "A-INCARE", "A-TWICE", "A-TWICE"]


def test_another_agency_counts_only_its_own_youth(count_data, admin_b, django_capture_on_commit_callbacks):
    job = start(admin_b, django_capture_on_commit_callbacks, report=COUNT, **FY2025)

    assert [row[0] for row in csv_rows(job)[1:]] == ["B-1"]


def test_the_period_edge_is_the_agency_midnight(count_data, agency_staff_a, django_capture_on_commit_callbacks):
    # FY 2024 ends 09/30/2024 24:00 CDT: A-LAST-YEAR (23:59) is in it, and nothing of FY 2025 is.
    job = start(
        agency_staff_a,
        django_capture_on_commit_callbacks,
        report=COUNT,
        period_start="2023-10-01",
        period_end="2024-09-30",
    )

    assert [row[0] for row in csv_rows(job)[1:]] == ["A-LAST-YEAR"]


def test_a_later_decision_leaves_the_identification_in_the_count_and_only_a_withdrawal_removes_it(
    count_data, agency_staff_a, agency_admin_a, agency_a
):
    # A later "At risk" or "No current concern" describes the present: the youth was identified in the year.
    youth = ReviewDecision.objects.get(youth__case_number="A-INCARE").youth
    identification = youth.risk_decisions.get()
    chain = Chain(youth, agency_admin_a)
    chain.last = identification
    chain.at_risk(local(2025, 8, 20, 9))
    chain.no_concern(local(2025, 10, 20, 9))

    figures = reports.get(COUNT).annual_count(_query(agency_a, agency_staff_a))
    assert figures.headline == 6
    assert figures.sex.by_timing["in_care"] == 2

    # The count is as known when it runs: an identification found recorded in error after the year ended
    # takes the youth out of that year's count.
    chain.withdraw(identification, local(2025, 10, 21, 9))

    figures = reports.get(COUNT).annual_count(_query(agency_a, agency_staff_a))
    assert figures.headline == 5
    assert figures.sex.by_timing["in_care"] == 1


def test_the_xlsx_list_has_real_times_and_numbers(count_data, agency_staff_a, django_capture_on_commit_callbacks):
    job = start(agency_staff_a, django_capture_on_commit_callbacks, report=COUNT, fmt="xlsx", **FY2025)

    with job.file.open("rb") as handle:
        workbook = openpyxl.load_workbook(handle)
    values = [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    assert values[0] == HEADER
    incare = values[3]
    assert incare[0] == "A-INCARE"
    assert incare[2] == datetime.datetime(2025, 2, 10, 9, 0)
    assert incare[10] == 6.0 and incare[11] == 1


def test_the_summary_tables_have_the_counts_side_by_side(count_data, agency_staff_a, agency_a):
    tables = reports.get(COUNT).summary_tables(_query(agency_a, agency_staff_a))

    headline, timing, kind, law_enforcement = tables
    assert headline.title == "Youth identified as victims of sex trafficking in federal fiscal year 2025"
    assert headline.rows == [
        ("Identified as victims of sex trafficking: the count to HHS (§471(a)(34)(B))", "6"),
        ("Identified as victims of labor trafficking (not in the count)", "2"),
        ("Identified as victims of both (in each count once)", "1"),
    ]
    assert timing.header == ("When it happened", "Sex trafficking (the count)", "Labor trafficking")
    assert timing.rows == [
        ("Before entering care", "1", "0"),
        ("While in care", "2", "2"),
        ("While missing from care", "3", "0"),
        ("All youth counted", "6", "2"),
    ]
    assert kind.rows == [
        ("Pimp-controlled", "2", "0"),
        ("Gang-controlled", "2", "0"),
        ("Familial", "1", "0"),
        ("Buyer-perpetrated", "1", "0"),
        ("Other", "0", "2"),
        ("All youth counted", "6", "2"),
    ]
    assert law_enforcement.rows == [
        ("On time", "4", "2"),
        ("Late", "1", "0"),
        ("Not made: overdue", "1", "0"),
        ("Not made yet: not due", "0", "0"),
        ("All youth counted", "6", "2"),
    ]


def test_the_pdf_summary_downloads_for_the_requester_only(
    count_data, agency_staff_a, supervisor_a, client_for, django_capture_on_commit_callbacks
):
    job = start(agency_staff_a, django_capture_on_commit_callbacks, report=COUNT, fmt="pdf", **FY2025)

    assert job.status == ExportStatus.READY, job.error
    assert job.row_count == 8  # the youth and types the figures sum up
    response = client_for(agency_staff_a).get(f"/reports/exports/{job.pk}/download/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    body = b"".join(response.streaming_content)
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(body)).pages)
    assert "Annual count of youth identified as victims of sex trafficking: summary" in text
    assert "in federal fiscal year 2025" in text and "10/01/2024 to 09/30/2025" in text
    assert "the count to HHS (§471(a)(34)(B)) 6" in text
    assert "A-BEFORE" not in text  # counts only, no case numbers
    assert client_for(supervisor_a).get(f"/reports/exports/{job.pk}/download/").status_code == 404


def test_no_names_and_no_notes_in_the_list():
    report = reports.get(COUNT)
    assert not {"reason", "safety_plan", "youth__legal_first_name", "youth__legal_last_name"} & set(
        report.source_fields
    )


# --- The pure rule, case by case ------------------------------------------------------------------------------

START, END = local(2024, 10, 1), local(2025, 10, 1)


def decision(pk, at, outcome="identified", type_="sex", kind="familial", timing="in_care", received=None, **clock):
    identified = outcome == "identified"
    return DecisionRow(
        youth_id=1,
        case_number="X",
        team="T",
        id=pk,
        outcome=outcome,
        decided_at=at,
        timing=timing if identified else "",
        trafficking_type=type_ if identified else "",
        trafficking_kind=kind if identified else "",
        information_received_at=(received or at) if identified else None,
        report_due_at=clock.get("due"),
        report_done_at=clock.get("done"),
    )


def test_a_later_at_risk_decision_does_not_withdraw_and_a_new_identification_counts_too():
    decisions = [
        decision(1, local(2024, 11, 1), timing="before_entry"),
        decision(2, local(2024, 12, 1), outcome="at_risk"),
        decision(3, local(2025, 2, 1), timing="while_missing", kind="gang_controlled"),
    ]

    (counted,) = counted_identifications(decisions, START, END)

    assert (counted.timing, counted.trafficking_kind, counted.identifications_in_period) == (
        "while_missing",
        "gang_controlled",
        2,
    )


def test_identified_then_at_risk_still_counts_and_withdrawn_does_not():
    identified = [decision(1, local(2025, 1, 10), timing="in_care"), decision(2, local(2025, 3, 1), outcome="at_risk")]
    (counted,) = counted_identifications(identified, START, END)
    assert (counted.decision_id, counted.timing) == (1, "in_care")

    withdrawn = [identified[0]._replace(withdrawn_at=local(2025, 4, 1)), identified[1]]
    assert counted_identifications(withdrawn, START, END) == []


def test_a_correction_made_after_the_period_keeps_the_original_period_and_takes_the_new_facts():
    received = local(2025, 9, 30, 8)
    due = received + datetime.timedelta(hours=24)
    decisions = [
        decision(1, local(2025, 9, 30, 9), kind="other", received=received, due=due),
        decision(2, local(2025, 10, 3, 9), kind="familial", type_="labor", received=received),
    ]

    (counted,) = counted_identifications(decisions, START, END)
    assert (counted.trafficking_type, counted.trafficking_kind, counted.identified_at) == (
        "labor",
        "familial",
        local(2025, 9, 30, 9),
    )
    assert counted.report_due_at == due
    assert counted_identifications(decisions, END, local(2026, 10, 1)) == []


def _query(agency, user):
    return ReportQuery(
        agency=agency,
        user=user,
        filters=ExportFilters(period_start=datetime.date(2024, 10, 1), period_end=datetime.date(2025, 9, 30)),
        as_of=local(2026, 1, 15, 12),
    )


def test_the_list_takes_one_query_whatever_the_row_count(count_data, agency_staff_a, agency_a):
    with CaptureQueriesContext(connection) as queries:
        rows = list(reports.get(COUNT).rows(_query(agency_a, agency_staff_a)))
    assert len(rows) == 8
    assert len(queries) == 1


# --- One federal fiscal year ----------------------------------------------------------------------------


def test_fiscal_years_are_october_to_september_named_by_the_year_they_end():
    assert fiscal_year_bounds(2026) == (datetime.date(2025, 10, 1), datetime.date(2026, 9, 30))
    assert fiscal_year_label(2026) == "FY 2026 (Oct 1, 2025 – Sep 30, 2026)"
    years = [year for year, _label in fiscal_year_choices(datetime.date(2026, 9, 30))]
    assert years == [2026, 2025, 2024, 2023, 2022, 2021, 2020]
    assert fiscal_year_choices(datetime.date(2026, 10, 1))[0] == (2027, "FY 2027 (Oct 1, 2026 – Sep 30, 2027)")


def test_the_reports_form_offers_fiscal_years(client_for, agency_staff_a):
    today = timezone.localdate()
    current = today.year + 1 if today.month >= 10 else today.year
    page = client_for(agency_staff_a).get("/reports/").content.decode()
    assert '<label class="form-label" for="id_fiscal_year">Federal fiscal year</label>' in page
    assert f'<option value="{current}">{fiscal_year_label(current)}</option>' in page
    assert f'<option value="{current - 1}" selected>{fiscal_year_label(current - 1)}</option>' in page


def test_the_annual_count_takes_the_chosen_fiscal_year(
    count_data, client_for, agency_staff_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(agency_staff_a).post(
            "/reports/",
            {"report": COUNT, "format": "csv", "fiscal_year": "2025", "period_start": "2025-03-01",
             "period_end": "2025-03-31"},
        )
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert (job.filters["period_start"], job.filters["period_end"]) == ("2024-10-01", "2025-09-30")
    assert job.status == ExportStatus.READY
    case_numbers = {row[0] for row in csv_rows(job)[1:]}
    assert {"A-BEFORE", "A-INCARE", "A-MISSING"} <= case_numbers  # identified in FY 2025, not only in March
    assert "A-LAST-YEAR" not in case_numbers


def test_other_reports_keep_their_days_whatever_year_is_chosen(client_for, agency_staff_a):
    client_for(agency_staff_a).post(
        "/reports/",
        {"report": "episode-register", "format": "csv", "fiscal_year": "2025", "period_start": "2025-03-01",
         "period_end": "2025-03-31"},
    )
    job = ExportJob.objects.get()
    assert (job.filters["period_start"], job.filters["period_end"]) == ("2025-03-01", "2025-03-31")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"fiscal_year": ""}, "The annual count is made for one federal fiscal year, October 1 to September 30: "
         "choose the year in the list."),
        ({"fiscal_year": "1999"}, "Choose a federal fiscal year from the list."),
        ({"fiscal_year": "next year"}, "Choose a federal fiscal year from the list."),
    ],
)
def test_the_annual_count_refuses_anything_but_a_fiscal_year(client_for, agency_staff_a, changes, message):
    data = {"report": COUNT, "format": "csv", "period_start": "2025-03-01", "period_end": "2025-03-31", **changes}
    response = client_for(agency_staff_a).post("/reports/", data)
    assert response.status_code == 200
    assert response.context["form"].errors["fiscal_year"] == [message]
    assert message in response.content.decode()
    assert not ExportJob.objects.exists()


@pytest.mark.parametrize(
    "period",
    [
        {"period_start": "2025-01-01", "period_end": "2025-12-31"},  # a calendar year
        {"period_start": "2024-10-01", "period_end": "2025-03-31"},  # half a fiscal year
        {"period_start": None, "period_end": None},
    ],
)
def test_the_service_refuses_a_period_that_is_not_a_fiscal_year(agency_staff_a, period):
    with pytest.raises(ValidationError) as refused:
        services.start_export(
            actor=agency_staff_a, report=COUNT, fmt="csv", filters=ExportFilters.from_json(period)
        )
    assert list(refused.value.message_dict) == ["fiscal_year"]
    assert not ExportJob.objects.exists()
