"""The episode register's rows on the hand-built data of conftest.py, right answers written out."""

import datetime

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from caseapp.models import Role
from exports import reports
from exports.models import ExportStatus
from exports.reports.base import ExportFilters, ReportQuery
from tests.exports.helpers import REGISTER, csv_rows, start
from tests.factories import UserFactory

HEADER = [
    "Episode ID",
    "Agency case number",
    "Team",
    "Status",
    "Last seen at",
    "Agency learned at",
    "Returned at",
    "Duration (hours)",
    "Placement type at the time",
    "Placement (provider)",
    "Category",
    "Where found",
    "How located",
    "Primary factors",
    "Screening answer at the latest return interview (the interviewer's account)",
    "Screened (a structured screening recorded for the return)",
    "Risk band at the return (at the export if still missing)",
]
GUARDED_PROVIDER = '\'=HYPERLINK("http://x","y")'


def expected(data):
    """Every row of agency A's March 2025, ordered by when the youth was last seen."""
    return {
        "start_edge": [
            str(data["start_edge"].pk),
            "A-SOUTH-1",
            "South",
            "Returned",
            "2025-02-27T22:00-06:00",
            "2025-02-27T23:00-06:00",
            "2025-03-01T02:00-06:00",
            "28.0",
            "Foster family home",
            GUARDED_PROVIDER,
            "Whereabouts unknown",
            "Street or public place",
            "Returned on their own",
            "Connection to friends or a partner",
            "Declined by the youth",
            "No",
            "Not assessed",
        ],
        "returned_at_start": [
            str(data["returned_at_start"].pk),
            "A-SOUTH-1",
            "South",
            "Returned",
            "2025-02-28T20:00-06:00",
            "2025-02-28T21:00-06:00",
            "2025-03-01T00:00-06:00",
            "4.0",
            "Foster family home",
            GUARDED_PROVIDER,
            "Left placement on their own",
            "",
            "",
            "",
            "No return interview recorded",
            "No",
            "Not assessed",
        ],
        "in_period": [
            str(data["in_period"].pk),
            "A-NORTH-1",
            "North",
            "Returned",
            "2025-03-05T10:00-06:00",
            "2025-03-05T11:00-06:00",
            "2025-03-06T16:30-06:00",
            "30.5",
            "Group home",
            "Maple House",
            "Left placement on their own",
            "Friend's home",
            "Law enforcement",
            "Conflict in the placement; Connection to family",
            "Yes",
            "Yes",
            "Elevated",
        ],
        # Still missing: no return, no duration, no interview yet; the band as of the export.
        "still_open": [
            str(data["still_open"].pk),
            "A-NORTH-2",
            "North",
            "Missing",
            "2025-03-20T08:00-05:00",
            "2025-03-20T09:00-05:00",
            "",
            "",
            "Shelter",
            "Harbor Shelter",
            "Left placement on their own",
            "",
            "",
            "",
            "",
            "No",
            "Urgent",
        ],
    }


def test_agency_staff_get_every_episode_overlapping_the_period_and_nothing_else(
    register_data, agency_staff_a, django_capture_on_commit_callbacks
):
    job = start(agency_staff_a, django_capture_on_commit_callbacks)

    assert job.status == ExportStatus.READY
    rows = expected(register_data)
    assert csv_rows(job) == [
        HEADER,
        rows["start_edge"],
        rows["returned_at_start"],
        rows["in_period"],
        rows["still_open"],
    ]
    assert job.row_count == job.rows_total == job.rows_done == 4


def test_a_supervisor_gets_only_the_teams_they_supervise(
    register_data, supervisor_a, django_capture_on_commit_callbacks
):
    job = start(supervisor_a, django_capture_on_commit_callbacks)

    rows = expected(register_data)
    assert csv_rows(job)[1:] == [rows["in_period"], rows["still_open"]]


def test_the_team_and_placement_type_filters(
    register_data, agency_admin_a, team_a2, django_capture_on_commit_callbacks
):
    rows = expected(register_data)
    south = start(agency_admin_a, django_capture_on_commit_callbacks, team_ids=[team_a2.pk])
    shelters = start(agency_admin_a, django_capture_on_commit_callbacks, placement_types=["shelter"])
    both = start(agency_admin_a, django_capture_on_commit_callbacks, team_ids=[team_a2.pk], placement_types=["shelter"])

    assert csv_rows(south)[1:] == [rows["start_edge"], rows["returned_at_start"]]
    assert csv_rows(shelters)[1:] == [rows["still_open"]]
    assert csv_rows(both)[1:] == []


def test_another_agency_sees_only_its_own_episode(register_data, agency_b, django_capture_on_commit_callbacks):
    staff_b = UserFactory(agency=agency_b, role=Role.AGENCY_STAFF)

    job = start(staff_b, django_capture_on_commit_callbacks)

    ids = [row[0] for row in csv_rows(job)[1:]]
    assert ids == [str(register_data["other_agency"].pk)]


def test_a_one_day_period_uses_the_agency_midnights(register_data, agency_staff_a, django_capture_on_commit_callbacks):
    # 03/01 local: the episode returned at 00:00 that day, and the one returned at 02:00, overlap it.
    job = start(agency_staff_a, django_capture_on_commit_callbacks, period_start="2025-03-01", period_end="2025-03-01")

    ids = [int(row[0]) for row in csv_rows(job)[1:]]
    assert ids == [register_data["start_edge"].pk, register_data["returned_at_start"].pk]


def test_the_xlsx_file_has_the_same_rows_with_real_numbers_and_times(
    register_data, agency_staff_a, django_capture_on_commit_callbacks
):
    job = start(agency_staff_a, django_capture_on_commit_callbacks, fmt="xlsx")

    assert job.status == ExportStatus.READY
    with job.file.open("rb") as handle:
        workbook = openpyxl.load_workbook(handle)
    sheet = workbook["Episode register"]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0] == HEADER
    first = values[1]
    assert first[0] == register_data["start_edge"].pk  # a number, not text
    assert first[4] == datetime.datetime(2025, 2, 27, 22, 0)  # local time, as Excel has no zones
    assert first[7] == 28.0
    assert first[9] == GUARDED_PROVIDER
    assert sheet.cell(row=2, column=10).data_type == "s"  # text, never a formula
    last = values[4]
    assert last[6] is None and last[7] is None and last[16] == "Urgent"
    about = dict(workbook["About this export"].iter_rows(values_only=True))
    assert about["Report"] == "Episode register"
    assert about["Period"] == "03/01/2025 to 03/31/2025"
    assert about["Teams"] == "Every team in the requester's scope"


def test_rows_come_from_one_query_whatever_the_row_count(register_data, agency_staff_a, agency_a):
    report = reports.get(REGISTER)
    query = ReportQuery(
        agency=agency_a,
        user=agency_staff_a,
        as_of=timezone.now(),
        filters=ExportFilters(period_start=datetime.date(2025, 1, 1), period_end=datetime.date(2025, 12, 31)),
    )
    with CaptureQueriesContext(connection) as queries:
        rows = list(report.rows(query))
    assert len(rows) == 6  # every agency A episode of 2025
    assert len(queries) == 1
    assert report.count(query) == 6


def test_no_report_reads_a_restricted_field_without_a_reason():
    from caseapp.models import Youth

    for report in reports.all_reports():
        restricted = [f for f in report.source_fields if f.rsplit("__", 1)[-1] in Youth.RESTRICTED_FIELDS]
        assert not restricted or report.restricted_reason, report.key
        # Minimum necessary: the case number identifies the youth, never the name.
        names = {
            "youth__legal_first_name",
            "youth__legal_middle_name",
            "youth__legal_last_name",
            "youth__preferred_name",
            "youth__aliases",
        }
        assert not names & set(report.source_fields), report.key


def test_the_registry_refuses_a_report_that_reads_restricted_fields_without_saying_why():
    from exports.reports.base import Column, Report

    class Careless(Report):
        key = "careless-report"
        title = "Careless"
        columns = (Column("SSN"),)
        source_fields = ("youth__ssn",)

    with pytest.raises(ValueError, match="restricted fields"):
        reports.register(Careless)
    assert reports.get("careless-report") is None


def year_query(agency, user):
    return ReportQuery(
        agency=agency,
        user=user,
        as_of=timezone.now(),
        filters=ExportFilters(period_start=datetime.date(2025, 1, 1), period_end=datetime.date(2025, 12, 31)),
    )


def test_primary_factors_are_read_once_per_combination_and_unknown_codes_kept(
    register_data, agency_staff_a, agency_a, caseworker_a, monkeypatch
):
    from exports.reports import episode_register
    from missing_reports.models import Debrief

    # "before" and "after" get return interviews too: the same factors as "in_period", and a code no longer
    # in the list (shown as it is stored, as before).
    for key, factors in (("before", ["conflict", "family_connection"]), ("after", ["family_connection", "gone"])):
        Debrief.objects.create(
            episode=register_data[key],
            interview_at=register_data[key].returned_at,
            interviewer=caseworker_a,
            running_direction="from",
            primary_factors=factors,
            trafficking_screening_done="yes",
        )
    monkeypatch.setattr(episode_register, "FACTOR_TEXTS_KEPT", 1)  # forgets at every new combination

    rows = {row[0]: row[13] for row in reports.get(REGISTER).rows(year_query(agency_a, agency_staff_a))}

    assert rows == {
        register_data["before"].pk: "Conflict in the placement; Connection to family",
        register_data["start_edge"].pk: "Connection to friends or a partner",
        register_data["returned_at_start"].pk: "",  # no return interview
        register_data["in_period"].pk: "Conflict in the placement; Connection to family",
        register_data["still_open"].pk: "",
        register_data["after"].pk: "Connection to family; gone",
    }


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_the_rows_stream_on_their_own_connection_and_are_the_same(
    register_data, agency_staff_a, agency_a, django_capture_on_commit_callbacks
):
    """Outside a transaction the rows are read by a thread with its own connection (a cursor that streams);
    the rows are those read inside a transaction on the caller's connection, and the file is the same."""
    from django.db import transaction

    report = reports.get(REGISTER)
    query = year_query(agency_a, agency_staff_a)
    assert not connection.in_atomic_block
    with CaptureQueriesContext(connection) as queries:
        streamed = list(report.rows(query))
    assert queries.captured_queries == []  # none on the caller's connection
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        in_transaction = list(report.rows(query))
    assert len(queries) == 1
    assert streamed == in_transaction
    assert len(streamed) == 6

    job = start(agency_staff_a, django_capture_on_commit_callbacks)
    rows = expected(register_data)
    assert csv_rows(job) == [
        HEADER,
        rows["start_edge"],
        rows["returned_at_start"],
        rows["in_period"],
        rows["still_open"],
    ]
    assert job.row_count == job.rows_done == 4


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_stream_hands_over_the_readers_error_and_its_thread_ends(register_data):
    import threading

    from django.db import DataError

    from exports.reports.base import stream
    from missing_reports.models import MissingEpisode

    def readers():
        return [thread for thread in threading.enumerate() if thread.name == "exports-stream"]

    broken = MissingEpisode.objects.extra(where=["1 / (id - id) = 1"]).values_list("pk")  # division by zero
    with pytest.raises(DataError):
        list(stream(broken))
    assert readers() == []

    episodes = MissingEpisode.objects.order_by("pk").values_list("pk", flat=True)
    rows = stream(episodes, chunk_size=2)
    assert next(rows) == min(episodes)
    rows.close()  # the export stopped early (an error, a lost claim): the reader stops too
    assert readers() == []
    assert list(stream(episodes, chunk_size=2)) == list(episodes)
