"""The AFCARS elements export (CSV, XLSX, XML fragment) on a hand-built set whose right answers are written
out here, the period rule, and each validation rule of docs/duties.md#afcars.

Agency A (America/Chicago), AFCARS period 10/01/2024 to 03/31/2025. Every youth entered care 01/01/2024
unless said otherwise.

    youth             team   identifications (local)                        missing spells (placements)
    A-AF-AFTER        North  sex, in care, 04/10/2025 (after the period)      runaway 09/28/2024-10/01/2024 (ends on
                                                                              the first day: in); runaway from
                                                                              04/02/2025 (after: out)
    A-AF-EARLY        North  sex, in care, 12/22/2024, reported 12/22        runaway 12/20/2024-01/02/2025
                             (entered care 01/15/2025: both before E69)
    A-AF-INCARE       South  sex, in care, 01/10/2025, not reported          unknown 01/05-01/08/2025; runaway from
                                                                              03/20/2025 (still missing)
    A-AF-LABOR        North  labor, in care, 11/01/2024, reported            none
    A-AF-NOE69        North  none (no date entered care)                     runaway 02/01-02/03/2025
    A-AF-PRIOR        North  sex, before entry, 11/05/2024, reported 11/05   runaway 12/01-12/04/2024; runaway
                                                                              08/01-08/03/2024 (before: out)
    A-AF-EXITED       North  (exited care 09/01/2024)                         none: not in the file
    A-AF-INHOME       North  (no date entered care, never missing)            none: not in the file
    B-AF-1            (B)    sex, in care                                     runaway: never in agency A's file
"""

import csv
import datetime
import io
import xml.etree.ElementTree as ET
import zoneinfo

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from caseapp.models import Placement, PlacementType
from exports import reports
from exports.afcars_xml import AfcarsRow, AfcarsXmlWriter
from exports.models import ExportJob, ExportStatus
from exports.reports.afcars_elements import (
    child_errors,
    living_arrangement_errors,
    semiannual_period_error,
    sex_trafficking_elements,
)
from exports.reports.annual_count import DecisionRow
from exports.reports.base import ExportFilters, ReportQuery
from exports.services import jobs as services
from risk import afcars
from tests.exports.helpers import csv_rows, start
from tests.exports.test_annual_count import Chain
from tests.factories import YouthFactory

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
AFCARS = "afcars-elements"
PERIOD = {"period_start": "2024-10-01", "period_end": "2025-03-31"}
HEADER = [
    "Agency case number",
    "Team",
    "E69 Latest removal date",
    "E106 Prior victim of sex trafficking",
    "E107 Prior victim reported to law enforcement",
    "E108 Date reported",
    "E109 Victim of sex trafficking while in foster care",
    "E110 Reported to law enforcement",
    "E111 Date reported",
    "E112 Date of living arrangement",
    "E120 Other living arrangement type",
    "E121 Location of living arrangement",
    "Living arrangement ended",
    "Validation errors (child: E69, E106-E111)",
    "Validation errors (living arrangement: E112, E120, E121)",
]


def local(*args):
    return datetime.datetime(*args, tzinfo=CHICAGO)


def day(*args):
    return datetime.date(*args)


ENTERED = day(2024, 1, 1)


def spell(youth, start_date, end_date=None, kind=PlacementType.MISSING_RUNAWAY):
    return Placement.objects.create(
        youth=youth,
        placement_type=kind,
        provider_name="Missing from care",
        start_date=start_date,
        end_date=end_date,
        end_reason="returned" if end_date else "",
    )


@pytest.fixture
def afcars_data(team_a1, team_a2, team_b1, agency_admin_a, admin_b):
    def youth(team, case_number, entered=ENTERED, **extra):
        return YouthFactory(team=team, case_number=case_number, entered_care_on=entered, **extra)

    after = youth(team_a1, "A-AF-AFTER")
    Chain(after, agency_admin_a).identify(local(2025, 4, 10, 10), "sex", "familial", "in_care", local(2025, 4, 10, 9))
    spell(after, day(2024, 9, 28), day(2024, 10, 1))
    spell(after, day(2025, 4, 2))

    early = youth(team_a1, "A-AF-EARLY", entered=day(2025, 1, 15))
    Chain(early, agency_admin_a).identify(
        local(2024, 12, 22, 10),
        "sex",
        "pimp_controlled",
        "in_care",
        local(2024, 12, 22, 9),
        report_done=local(2024, 12, 22, 11),
    )
    spell(early, day(2024, 12, 20), day(2025, 1, 2))

    incare = youth(team_a2, "A-AF-INCARE")
    Chain(incare, agency_admin_a).identify(
        local(2025, 1, 10, 10), "sex", "gang_controlled", "in_care", local(2025, 1, 10, 9)
    )
    spell(incare, day(2025, 1, 5), day(2025, 1, 8), kind=PlacementType.MISSING_WHEREABOUTS_UNKNOWN)
    spell(incare, day(2025, 3, 20))

    labor = youth(team_a1, "A-AF-LABOR")
    Chain(labor, agency_admin_a).identify(
        local(2024, 11, 1, 10), "labor", "other", "in_care", local(2024, 11, 1, 9), report_done=local(2024, 11, 1, 12)
    )

    no_e69 = youth(team_a1, "A-AF-NOE69", entered=None)
    spell(no_e69, day(2025, 2, 1), day(2025, 2, 3))

    prior = youth(team_a1, "A-AF-PRIOR")
    Chain(prior, agency_admin_a).identify(
        local(2024, 11, 5, 10),
        "sex",
        "pimp_controlled",
        "before_entry",
        local(2024, 11, 5, 8),
        report_done=local(2024, 11, 5, 15),
    )
    spell(prior, day(2024, 8, 1), day(2024, 8, 3))
    spell(prior, day(2024, 12, 1), day(2024, 12, 4))

    youth(team_a1, "A-AF-EXITED", status="exited", exited_on=day(2024, 9, 1))
    youth(team_a1, "A-AF-INHOME", entered=None)

    other = youth(team_b1, "B-AF-1")
    Chain(other, admin_b).identify(local(2025, 1, 10, 10), "sex", "familial", "in_care", local(2025, 1, 10, 9))
    spell(other, day(2025, 1, 20), day(2025, 1, 22))


E69_MISSING = "E69 (the latest removal date) is missing: record the date the youth entered care."
E111_BEFORE_E69 = (
    "E111 (20241222) is before the latest removal date (E69, 20250115): check the date entered care and the "
    "report date."
)
E112_BEFORE_E69 = (
    "E112 (20241220) is before the latest removal date (E69, 20250115): check the date entered care and the date "
    "the youth went missing."
)

# Every row of agency A's file, by case number, each youth's spells by start date.
EXPECTED = [
    # The identification after the period is not in it; the spell that ended on the first day is.
    ["A-AF-AFTER", "North", "20240101", "0", "", "", "0", "", "", "20240928", "12", "4", "20241001", "", ""],
    [
        "A-AF-EARLY",
        "North",
        "20250115",
        "0",
        "",
        "",
        "1",
        "1",
        "20241222",
        "20241220",
        "12",
        "4",
        "20250102",
        E111_BEFORE_E69,
        E112_BEFORE_E69,
    ],
    # E110 = 0 (not reported yet): E111 stays blank, and that is no error.
    ["A-AF-INCARE", "South", "20240101", "0", "", "", "1", "0", "", "20250105", "13", "4", "20250108", "", ""],
    ["A-AF-INCARE", "South", "20240101", "0", "", "", "1", "0", "", "20250320", "12", "4", "", "", ""],
    # A labor identification is not a sex-trafficking element; no missing spell: one row, its cells blank.
    ["A-AF-LABOR", "North", "20240101", "0", "", "", "0", "", "", "", "", "", "", "", ""],
    ["A-AF-NOE69", "North", "", "0", "", "", "0", "", "", "20250201", "12", "4", "20250203", E69_MISSING, ""],
    ["A-AF-PRIOR", "North", "20240101", "1", "1", "20241105", "0", "", "", "20241201", "12", "4", "20241204", "", ""],
]


def test_the_csv_has_each_youth_and_missing_spell_with_the_errors_listed(
    afcars_data, agency_staff_a, django_capture_on_commit_callbacks
):
    job = start(agency_staff_a, django_capture_on_commit_callbacks, report=AFCARS, **PERIOD)

    assert job.status == ExportStatus.READY, job.error
    assert csv_rows(job) == [HEADER, *EXPECTED]
    assert job.row_count == job.rows_total == 7


def test_a_supervisor_gets_only_their_teams(afcars_data, supervisor_a, django_capture_on_commit_callbacks):
    job = start(supervisor_a, django_capture_on_commit_callbacks, report=AFCARS, **PERIOD)

    assert [row[0] for row in csv_rows(job)[1:]] == [
        "A-AF-AFTER",
        "A-AF-EARLY",
        "A-AF-LABOR",
        "A-AF-NOE69",
        "A-AF-PRIOR",
    ]


def test_another_agency_sees_only_its_own_youth(afcars_data, admin_b, django_capture_on_commit_callbacks):
    job = start(admin_b, django_capture_on_commit_callbacks, report=AFCARS, **PERIOD)

    assert csv_rows(job)[1:] == [
        ["B-AF-1", "East", "20240101", "0", "", "", "1", "0", "", "20250120", "12", "4", "20250122", "", ""]
    ]


def _xml(job):
    with job.file.open("rb") as handle:
        data = handle.read()
    # Comments kept, to check where the validation errors are.
    parser = ET.XMLParser(target=ET.TreeBuilder(insert_comments=True))  # noqa: S314 (the app's own file)
    parser.feed(data)
    return parser.close(), data.decode("utf-8")


def _children(element):
    return [child for child in element if isinstance(child.tag, str)]


def _comments(element):
    return [child.text.strip() for child in element if child.tag is ET.Comment]


def test_the_xml_fragment_parses_and_follows_the_afcars_element_names(
    afcars_data, agency_staff_a, django_capture_on_commit_callbacks
):
    job = start(agency_staff_a, django_capture_on_commit_callbacks, report=AFCARS, fmt="xml", **PERIOD)

    assert job.status == ExportStatus.READY, job.error
    assert job.file.name.endswith(".xml")
    root, text = _xml(job)
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>')
    assert root.tag == "afcars_fragment"
    records = root.find("records").findall("record")
    assert [r.findtext("E4_child_record_number") for r in records] == [
        "A-AF-AFTER",
        "A-AF-EARLY",
        "A-AF-INCARE",
        "A-AF-LABOR",
        "A-AF-NOE69",
        "A-AF-PRIOR",
    ]
    # The order of a record: the removal loop, then the child-level E106-E111 outside it (docs/duties.md#afcars).
    prior = records[5]
    assert [c.tag for c in _children(prior)] == [
        "E4_child_record_number",
        "E69_E186_removals",
        "E106_prior_victim_sex_trafficking",
        "E107_E108_prior_victim_sex_trafficking_reporting",
        "E109_victim_sex_trafficking",
        "E110_E111_victim_sex_trafficking_reporting",
    ]
    assert prior.findtext("E106_prior_victim_sex_trafficking") == "1"
    reporting = prior.find("E107_E108_prior_victim_sex_trafficking_reporting")
    assert reporting.findtext("E107_prior_victim_sex_trafficking_reported") == "1"
    assert reporting.findtext("E108_prior_victim_sex_trafficking_reported_date") == "20241105"
    assert prior.findtext("E109_victim_sex_trafficking") == "0"
    blank = prior.find("E110_E111_victim_sex_trafficking_reporting/E110_victim_sex_trafficking_reported")
    assert blank is not None and blank.text is None  # not applicable: an empty element
    removal = prior.find("E69_E186_removals/removal_2020")
    assert removal.findtext("E69_removal_date") == "20240101"
    arrangements = removal.findall("E112_E146_living_arrangements/living_arrangement")
    assert [[(c.tag, c.text) for c in _children(arrangement)] for arrangement in arrangements] == [
        [
            ("E112_date_living_arrangement", "20241201"),
            ("E120_other_living_arrangement_type", "12"),
            ("E121_location_of_living_arrangement", "4"),
        ]
    ]
    incare = records[2]
    assert [
        (a.findtext("E112_date_living_arrangement"), a.findtext("E120_other_living_arrangement_type"))
        for a in incare.iter("living_arrangement")
    ] == [("20250105", "13"), ("20250320", "12")]
    assert incare.findtext("E110_E111_victim_sex_trafficking_reporting/E110_victim_sex_trafficking_reported") == "0"
    # No missing spell: the removal has an empty living-arrangement loop.
    labor = records[3]
    assert labor.find("E69_E186_removals/removal_2020/E112_E146_living_arrangements") is not None
    assert list(labor.iter("living_arrangement")) == []
    # The elements only: no team (and never a name).
    body = text[text.index("<afcars_fragment>") :]
    assert "North" not in body and "South" not in body


def test_the_xml_lists_each_validation_error_as_a_comment_where_it_belongs(
    afcars_data, agency_staff_a, django_capture_on_commit_callbacks
):
    job = start(agency_staff_a, django_capture_on_commit_callbacks, report=AFCARS, fmt="xml", **PERIOD)

    root, text = _xml(job)
    records = {r.findtext("E4_child_record_number"): r for r in root.iter("record")}
    early = records["A-AF-EARLY"]
    assert _comments(early) == [f"AFCARS validation: {E111_BEFORE_E69}"]
    (arrangement,) = early.iter("living_arrangement")
    assert _comments(arrangement) == [f"AFCARS validation: {E112_BEFORE_E69}"]
    assert _comments(records["A-AF-NOE69"]) == [f"AFCARS validation: {E69_MISSING}"]
    assert _comments(records["A-AF-PRIOR"]) == []
    assert text.rstrip().endswith("<!-- 6 record(s); 3 validation error(s) in 2 record(s). -->")


def test_the_xlsx_has_the_same_rows(afcars_data, agency_staff_a, django_capture_on_commit_callbacks):
    job = start(agency_staff_a, django_capture_on_commit_callbacks, report=AFCARS, fmt="xlsx", **PERIOD)

    with job.file.open("rb") as handle:
        sheet = openpyxl.load_workbook(handle).worksheets[0]
    values = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    assert values == [HEADER, *EXPECTED]


# --- The period ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "first, last",
    [
        ("2024-10-01", "2025-03-31"),
        ("2025-04-01", "2025-09-30"),
        ("2023-10-01", "2024-03-31"),  # a leap year's March ends on the 31st all the same
    ],
)
def test_an_afcars_period_is_accepted(agency_staff_a, first, last):
    services.check_request(
        agency_staff_a, AFCARS, "csv", ExportFilters.from_json({"period_start": first, "period_end": last})
    )


@pytest.mark.parametrize(
    "first, last, suggested",
    [
        ("2024-10-01", "2025-03-30", "10/01/2024 to 03/31/2025"),  # a day short
        ("2024-10-01", "2025-09-30", "10/01/2024 to 03/31/2025"),  # a whole fiscal year
        ("2025-04-02", "2025-09-30", "04/01/2025 to 09/30/2025"),
        ("2025-01-01", "2025-06-30", "10/01/2024 to 03/31/2025"),
        ("2024-10-01", "2026-03-31", "10/01/2024 to 03/31/2025"),  # the right days, a year too long
    ],
)
def test_any_other_period_is_refused_with_the_afcars_period_to_choose(
    agency_staff_a, first, last, suggested, django_capture_on_commit_callbacks
):
    with pytest.raises(ValidationError) as error, django_capture_on_commit_callbacks(execute=True):
        services.start_export(
            actor=agency_staff_a,
            report=AFCARS,
            fmt="csv",
            filters=ExportFilters.from_json({"period_start": first, "period_end": last}),
        )
    assert error.value.message_dict == {
        "period_start": [
            "AFCARS periods run from October 1 to March 31 or from April 1 to September 30: choose one of them "
            f"(the one of your first day is {suggested})."
        ]
    }
    assert not ExportJob.objects.exists()


def test_the_reports_form_shows_the_period_error(agency_staff_a, client_for):
    response = client_for(agency_staff_a).post(
        "/reports/",
        {"report": AFCARS, "format": "xml", "period_start": "2025-01-01", "period_end": "2025-03-31"},
    )

    assert response.status_code == 200
    assert "AFCARS periods run from October 1 to March 31 or from April 1 to September 30" in response.content.decode()
    assert not ExportJob.objects.exists()


def test_the_xml_format_is_the_afcars_reports_only(agency_staff_a):
    with pytest.raises(ValidationError) as error:
        services.check_request(agency_staff_a, "episode-register", "xml", ExportFilters.from_json(PERIOD))
    assert "format" in error.value.message_dict


def test_semiannual_period_error_needs_both_days():
    assert semiannual_period_error(None, day(2025, 3, 31)) == ""
    assert semiannual_period_error(day(2025, 4, 1), day(2025, 9, 30)) == ""


# --- The validation rules, one by one ---------------------------------------------------------------------------

TODAY = day(2025, 2, 1)


@pytest.mark.parametrize(
    "e120, e121, error",
    [
        (12, 4, None),
        (13, 4, None),
        (12, 1, "E121 must be 4 (runaway or whereabouts unknown) when E120 is 12; it is 1."),
        (13, None, "E121 must be 4 (runaway or whereabouts unknown) when E120 is 13; it is blank."),
        (2, 4, "E121 can be 4 (runaway or whereabouts unknown) only when E120 is 12 or 13; E120 is 2."),
        (None, 4, "E121 can be 4 (runaway or whereabouts unknown) only when E120 is 12 or 13; E120 is blank."),
        (2, 1, None),
    ],
)
def test_e121_is_4_exactly_when_e120_is_runaway_or_whereabouts_unknown(e120, e121, error):
    errors = living_arrangement_errors(
        e112=day(2025, 1, 5),
        e120=e120,
        e121=e121,
        removal_date=day(2024, 1, 1),
        period_end=day(2025, 3, 31),
        today=TODAY,
    )
    assert errors == ([error] if error else [])


def test_e112_cannot_be_in_the_future_after_the_period_or_before_e69():
    def errors(e112, removal_date=ENTERED):
        return living_arrangement_errors(
            e112=e112, e120=12, e121=4, removal_date=removal_date, period_end=day(2025, 3, 31), today=TODAY
        )

    assert errors(day(2025, 2, 1)) == []  # today is not the future
    assert errors(day(2025, 2, 2)) == ["E112 (20250202) cannot be in the future."]
    assert errors(day(2025, 4, 1)) == [
        "E112 (20250401) cannot be in the future.",
        "E112 (20250401) is after the end of the period (20250331).",
    ]
    assert errors(day(2023, 12, 31)) == [
        "E112 (20231231) is before the latest removal date (E69, 20240101): check the date entered care and the "
        "date the youth went missing."
    ]
    assert errors(None) == ["E112 (the date of the living arrangement) is required."]


def test_e111_is_required_when_e110_is_1_and_e108_when_e107_is_1():
    elements = afcars.AfcarsElements(e106=1, e107=1, e108=None, e109=1, e110=1, e111=None)
    elements.errors = afcars.validate(elements, removal_date=day(2024, 1, 1), today=TODAY)

    assert child_errors(elements, removal_date=day(2024, 1, 1), today=TODAY) == [
        "E108 is required when E107 is 1.",
        "E111 is required when E110 is 1.",
    ]


def test_e69_cannot_be_missing_or_in_the_future():
    elements = afcars.AfcarsElements(e106=0, e107=None, e108=None, e109=0, e110=None, e111=None)

    assert child_errors(elements, removal_date=None, today=TODAY) == [E69_MISSING]
    assert child_errors(elements, removal_date=day(2025, 2, 2), today=TODAY) == [
        "E69 (20250202) cannot be in the future."
    ]


def row(pk, at, type_="sex", timing="in_care", outcome="identified", received=None, done=None):
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
        trafficking_kind="familial" if identified else "",
        information_received_at=(received or at) if identified else None,
        report_due_at=(received or at) + datetime.timedelta(hours=24) if identified else None,
        report_done_at=done,
    )


def _elements(decisions, today=TODAY, removal_date=ENTERED):
    return sex_trafficking_elements(
        decisions, period_end_at=local(2025, 4, 1), removal_date=removal_date, today=today, zone=CHICAGO
    )


def test_no_report_date_in_the_future():
    # A report recorded with a time after the export's day (a wrong clock, an edit in the admin) is listed.
    elements = _elements([row(1, local(2025, 1, 10), done=local(2025, 2, 3, 9))])

    assert (elements.e109, elements.e110, elements.e111) == (1, 1, "20250203")
    assert elements.errors == ["E111 (20250203) cannot be in the future."]


def test_only_sex_trafficking_identifications_make_the_elements():
    labor_then_sex = [
        row(1, local(2024, 11, 1), type_="labor", timing="before_entry", done=local(2024, 11, 1, 12)),
        row(2, local(2025, 1, 10), type_="sex", timing="in_care"),
    ]
    elements = _elements(labor_then_sex)
    assert (elements.e106, elements.e107, elements.e109, elements.e110) == (0, None, 1, 0)


def test_a_correction_to_labor_takes_the_youth_out_and_a_withdrawal_too():
    received = local(2025, 1, 10, 9)
    corrected = [
        row(1, local(2025, 1, 10), received=received),
        row(2, local(2025, 1, 11), type_="labor", received=received),
    ]
    later = [row(1, local(2025, 1, 10)), row(2, local(2025, 5, 1), outcome="no_concern")]
    withdrawn = [later[0]._replace(withdrawn_at=local(2025, 5, 2)), later[1]]

    assert _elements(corrected).e109 == 0
    # An identification is a fact that stays: a later decision does not take it out of E109.
    assert _elements(later).e109 == 1
    assert _elements(withdrawn).e109 == 0


def test_a_correction_keeps_the_original_report():
    received = local(2024, 11, 5, 8)
    decisions = [
        row(1, local(2024, 11, 5, 10), timing="in_care", received=received, done=local(2024, 11, 5, 15)),
        # Corrected: it happened before the youth entered care; the correction starts no clock of its own.
        row(2, local(2024, 11, 6, 10), timing="before_entry", received=received)._replace(report_due_at=None),
    ]
    elements = _elements(decisions)

    assert (elements.e106, elements.e107, elements.e108, elements.e109) == (1, 1, "20241105", 0)


def test_two_sex_trafficking_identifications_with_the_same_time_are_not_merged_after_a_labor_one_between():
    received = local(2024, 11, 5, 8)
    decisions = [
        row(1, local(2024, 11, 5, 10), timing="before_entry", received=received, done=local(2024, 11, 5, 12)),
        row(2, local(2024, 12, 1, 10), type_="labor", received=local(2024, 12, 1, 9)),
        row(3, local(2025, 1, 5, 10), timing="in_care", received=received),
    ]
    elements = _elements(decisions)

    assert (elements.e106, elements.e107, elements.e109, elements.e110) == (1, 1, 1, 0)


def test_the_report_as_of_a_past_day_lists_a_future_report_date(afcars_data, agency_staff_a, agency_a):
    query = ReportQuery(
        agency=agency_a,
        user=agency_staff_a,
        filters=ExportFilters.from_json(PERIOD),
        as_of=local(2024, 12, 10, 12),  # before A-AF-EARLY entered care and was reported
    )
    rows = {r[0]: r for r in reports.get(AFCARS).rows(query) if r[0] in ("A-AF-PRIOR", "A-AF-EARLY")}

    early = AfcarsRow._make(rows["A-AF-EARLY"])
    assert "E111 (20241222) cannot be in the future." in early.child_errors
    assert "E69 (20250115) cannot be in the future." in early.child_errors
    assert "E112 (20241220) cannot be in the future." in early.arrangement_errors


# --- The writer alone ---------------------------------------------------------------------------------------


def test_the_xml_writer_keeps_text_safe_and_comments_well_formed(tmp_path):
    path = tmp_path / "fragment.xml"
    writer = AfcarsXmlWriter(path, [], CHICAGO, title="AFCARS elements", about=[("Agency", "A & B <--> C-")])
    writer.write(
        (
            "X<&>1",
            "T",
            None,
            1,
            1,
            None,
            0,
            None,
            None,
            None,
            None,
            None,
            None,
            "E108 is required when E107 is 1. | Odd -- text-",
            "",
        )
    )
    writer.close()

    root, text = _xml_file(path)
    record = root.find("records/record")
    assert record.findtext("E4_child_record_number") == "X<&>1"
    assert _comments(record) == [
        "AFCARS validation: E108 is required when E107 is 1.",
        "AFCARS validation: Odd - - text",
    ]
    assert "Agency: A & B <- -> C" in text


def _xml_file(path):
    data = path.read_bytes()
    parser = ET.XMLParser(target=ET.TreeBuilder(insert_comments=True))  # noqa: S314 (the app's own file)
    parser.feed(data)
    return parser.close(), data.decode("utf-8")


# --- Through the framework: the requester downloads it, nobody else -------------------------------------------


@pytest.mark.parametrize(
    ("report", "fmt", "period"),
    [
        (AFCARS, "xml", PERIOD),
        (AFCARS, "csv", PERIOD),
        ("annual-victim-count", "csv", {"period_start": "2024-10-01", "period_end": "2025-09-30"}),
    ],
)
def test_the_requester_downloads_the_file_and_others_get_404(
    afcars_data,
    agency_staff_a,
    supervisor_a,
    caseworker_b,
    client_for,
    report,
    fmt,
    period,
    django_capture_on_commit_callbacks,
):
    job = start(agency_staff_a, django_capture_on_commit_callbacks, report=report, fmt=fmt, **period)

    response = client_for(agency_staff_a).get(f"/reports/exports/{job.pk}/download/")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    if fmt == "xml":
        assert response["Content-Type"] == "application/xml; charset=utf-8"
        assert ET.fromstring(body).tag == "afcars_fragment"  # noqa: S314 (the app's own file)
    else:
        header = next(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
        assert header[0] == "Agency case number"
    assert response["Content-Disposition"].endswith(f'-job{job.pk}.{fmt}"')
    for other in (supervisor_a, caseworker_b):
        assert client_for(other).get(f"/reports/exports/{job.pk}/download/").status_code == 404


def test_rows_take_three_queries_whatever_the_row_count(afcars_data, agency_staff_a, agency_a):
    query = ReportQuery(
        agency=agency_a, user=agency_staff_a, filters=ExportFilters.from_json(PERIOD), as_of=local(2026, 1, 5, 12)
    )
    with CaptureQueriesContext(connection) as queries:
        rows = list(reports.get(AFCARS).rows(query))
    assert len(rows) == 7
    assert len(queries) == 3  # the youth, their decisions, their missing spells
    assert reports.get(AFCARS).count(query) == 7
