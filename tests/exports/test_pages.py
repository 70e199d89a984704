"""The Reports pages through the test client: who may export, bad input, My exports, the job page and its
status, and the download's scope and audit."""

import datetime

import pytest
from django.utils import timezone

from caseapp.models import AuditAction, AuditEvent, Role
from exports.models import ExportJob, ExportStatus
from tests.exports.helpers import REGISTER, start
from tests.factories import UserFactory

VALID = {"report": REGISTER, "format": "csv", "period_start": "2025-03-01", "period_end": "2025-03-31"}


@pytest.fixture
def colleague_a(agency_a):
    """Another agency staff member of agency A: sees the same youth, but not your export."""
    return UserFactory(username="colleague_a", agency=agency_a, role=Role.AGENCY_STAFF)


# --- Who may export --------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["agency_staff_a", "agency_admin_a", "supervisor_a"])
def test_exporting_roles_see_the_reports_link_and_page(request, client_for, persona):
    client = client_for(request.getfixturevalue(persona))
    assert 'href="/reports/">Reports</a>' in client.get("/").content.decode()
    page = client.get("/reports/")
    assert page.status_code == 200
    assert "Episode register" in page.content.decode()


@pytest.mark.parametrize("persona", ["caseworker_a", "no_role_user"])
def test_other_roles_have_no_reports(request, client_for, persona):
    client = client_for(request.getfixturevalue(persona))
    assert 'href="/reports/"' not in client.get("/").content.decode()
    for url in ("/reports/", "/reports/exports/"):
        assert client.get(url).status_code == 404
    assert client.post("/reports/", VALID).status_code == 404
    assert not ExportJob.objects.exists()


def test_a_supervisor_is_offered_only_their_teams(client_for, supervisor_a, team_a1, team_a2):
    form = client_for(supervisor_a).get("/reports/").context["form"]
    assert [label for _, label in form.fields["teams"].choices] == ["North"]


# --- Starting one -------------------------------------------------------------------------------------------


def test_starting_an_export_goes_to_its_page_with_the_download(
    register_data, client_for, agency_staff_a, django_capture_on_commit_callbacks
):
    client = client_for(agency_staff_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/reports/", VALID, REMOTE_ADDR="10.1.2.3")

    job = ExportJob.objects.get()
    assert response.status_code == 302 and response.url == f"/reports/exports/{job.pk}/"
    assert (job.requested_by, job.agency, job.report, job.format) == (
        agency_staff_a,
        agency_staff_a.agency,
        REGISTER,
        "csv",
    )
    assert job.filters == {
        "period_start": "2025-03-01",
        "period_end": "2025-03-31",
        "team_ids": [],
        "placement_types": [],
    }
    page = client.get(response.url).content.decode()
    assert 'Status: <span data-export="status-label">Ready</span>' in page
    assert f'href="/reports/exports/{job.pk}/download/"' in page
    assert "4 rows." in page
    assert "03/01/2025 to 03/31/2025" in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"period_end": "2025-02-28"}, "period_end", "The last day of the period must be on or after its first day."),
        ({"period_start": ""}, "period_start", "Give the first day of the period."),
        ({"period_end": "31/03/2025"}, "period_end", "Enter a valid date."),
        ({"format": "pdf"}, "format", "The episode register is made as CSV or Excel (XLSX)."),  # a summary format
        ({"format": "docx"}, "format", "Select a valid choice. docx is not one of the available choices."),
        ({"report": "everything"}, "report", "Select a valid choice. everything is not one of the available choices."),
        ({"placement_types": ["castle"]}, "placement_types", "Choose placement types from the list."),
    ],
)
def test_bad_input_gets_a_clear_message_and_no_job(client_for, agency_staff_a, changes, field, message):
    response = client_for(agency_staff_a).post("/reports/", {**VALID, **changes})

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert message.replace("'", "&#x27;") in response.content.decode()
    assert not ExportJob.objects.exists()


def test_a_team_of_another_agency_is_refused(client_for, agency_staff_a, team_a1, team_b1):
    response = client_for(agency_staff_a).post("/reports/", {**VALID, "teams": [team_a1.pk, team_b1.pk]})

    assert response.context["form"].errors["teams"] == [
        f"Choose teams from the list: {team_b1.pk} is not a team you can report on."
    ]
    assert not ExportJob.objects.exists()


def test_a_supervisor_cannot_ask_for_a_team_they_do_not_supervise(client_for, supervisor_a, team_a2):
    response = client_for(supervisor_a).post("/reports/", {**VALID, "teams": [team_a2.pk]})

    assert "teams" in response.context["form"].errors
    assert not ExportJob.objects.exists()


def test_the_service_refuses_a_format_the_report_is_not_made_in(agency_staff_a):
    from django.core.exceptions import ValidationError

    from exports.reports.base import ExportFilters
    from exports.services import jobs as services

    with pytest.raises(ValidationError) as error:
        services.start_export(
            actor=agency_staff_a,
            report=REGISTER,
            fmt="pdf",
            filters=ExportFilters(datetime.date(2025, 3, 1), datetime.date(2025, 3, 31)),
        )
    assert error.value.message_dict == {"format": ["The episode register is made as CSV or Excel (XLSX)."]}
    assert not ExportJob.objects.exists()


def test_the_service_checks_the_team_scope_too(supervisor_a, team_a2):
    """A request that skips the form (run again after losing a team) is checked the same way."""
    from django.core.exceptions import ValidationError

    from exports.reports.base import ExportFilters
    from exports.services import jobs as services

    with pytest.raises(ValidationError) as error:
        services.start_export(
            actor=supervisor_a,
            report=REGISTER,
            fmt="csv",
            filters=ExportFilters(datetime.date(2025, 3, 1), datetime.date(2025, 3, 31), team_ids=(team_a2.pk,)),
        )
    assert list(error.value.message_dict) == ["teams"]
    assert not ExportJob.objects.exists()


# --- My exports, the job page, its status ---------------------------------------------------------------------


def test_my_exports_lists_only_mine_newest_first(
    register_data, client_for, agency_staff_a, colleague_a, settings, django_capture_on_commit_callbacks
):
    settings.PAGE_SIZE = 2
    mine = [start(agency_staff_a, django_capture_on_commit_callbacks) for _ in range(3)]
    theirs = start(colleague_a, django_capture_on_commit_callbacks)

    client = client_for(agency_staff_a)
    first = client.get("/reports/exports/")
    second = client.get("/reports/exports/?page=2")

    assert [job.pk for job in first.context["page"].object_list] == [mine[2].pk, mine[1].pk]
    assert [job.pk for job in second.context["page"].object_list] == [mine[0].pk]
    assert f"/reports/exports/{theirs.pk}/" not in first.content.decode() + second.content.decode()
    assert "Episode register" in first.content.decode()


def test_a_waiting_job_shows_a_progress_bar_and_a_refresh_link(register_data, client_for, agency_staff_a):
    job = ExportJob.objects.create(
        agency=agency_staff_a.agency,
        requested_by=agency_staff_a,
        report=REGISTER,
        format="csv",
        filters={"period_start": "2025-03-01", "period_end": "2025-03-31"},
        status=ExportStatus.RUNNING,
        started_at=timezone.now(),
        rows_done=250,
        rows_total=1000,
    )
    client = client_for(agency_staff_a)

    page = client.get(f"/reports/exports/{job.pk}/").content.decode()
    assert 'role="progressbar"' in page and 'aria-valuenow="25"' in page
    assert "250 of 1000 rows written." in page
    assert f'href="/reports/exports/{job.pk}/" data-export="refresh">Refresh the status</a>' in page
    assert "exports/progress.js" in page

    status = client.get(f"/reports/exports/{job.pk}/status.json")
    assert status["Cache-Control"] == "no-store"
    assert status.json() == {
        "id": job.pk,
        "status": "running",
        "status_label": "Running",
        "rows_done": 250,
        "rows_total": 1000,
        "percent": 25,
        "finished": False,
        "download_url": None,
        "error": "",
        "title": "Episode register",
    }


def test_a_ready_job_status_gives_the_download(
    register_data, client_for, agency_staff_a, django_capture_on_commit_callbacks
):
    job = start(agency_staff_a, django_capture_on_commit_callbacks)

    status = client_for(agency_staff_a).get(f"/reports/exports/{job.pk}/status.json").json()

    assert (status["status"], status["finished"], status["percent"]) == ("ready", True, 100)
    assert status["download_url"] == f"/reports/exports/{job.pk}/download/"


# --- Download scope and audit ---------------------------------------------------------------------------------


def test_the_requester_downloads_and_it_is_audited(
    register_data, client_for, agency_staff_a, django_capture_on_commit_callbacks
):
    job = start(agency_staff_a, django_capture_on_commit_callbacks)

    response = client_for(agency_staff_a).get(f"/reports/exports/{job.pk}/download/", REMOTE_ADDR="10.9.8.7")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="episode-register-20250301-to-20250331-job{job.pk}.csv"'
    )
    assert response["Cache-Control"] == "private, no-store"
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert body.startswith('"Episode ID","Agency case number"')
    assert "A-NORTH-1" in body
    for youth in ("in_period", "start_edge", "still_open"):  # names never leave in an export
        assert register_data[youth].youth.legal_last_name not in body
    event = AuditEvent.objects.get(action=AuditAction.DOWNLOAD)
    assert (event.actor, event.agency, event.object_type, event.object_id, event.ip_address) == (
        agency_staff_a,
        agency_staff_a.agency,
        "exportjob",
        str(job.pk),
        "10.9.8.7",
    )
    assert event.detail == {"report": REGISTER, "format": "csv", "row_count": 4, "requested_by": agency_staff_a.pk}


def test_every_export_is_audited_with_who_what_filters_and_rows(
    register_data, client_for, agency_staff_a, team_a1, django_capture_on_commit_callbacks
):
    client = client_for(agency_staff_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/reports/", {**VALID, "teams": [team_a1.pk], "placement_types": ["group_home"]}, REMOTE_ADDR="10.1.2.3"
        )

    job = ExportJob.objects.get()
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert (event.actor, event.agency, event.object_type, event.object_id, event.ip_address) == (
        agency_staff_a,
        agency_staff_a.agency,
        "exportjob",
        str(job.pk),
        "10.1.2.3",
    )
    assert event.detail == {
        "report": REGISTER,
        "format": "csv",
        "row_count": 1,
        "filters": {
            "period_start": "2025-03-01",
            "period_end": "2025-03-31",
            "team_ids": [team_a1.pk],
            "placement_types": ["group_home"],
        },
        "file": f"episode-register-20250301-to-20250331-job{job.pk}.csv",
    }


@pytest.mark.parametrize("persona", ["colleague_a", "supervisor_a", "admin_b", "caseworker_a", "caseworker_b"])
def test_nobody_else_sees_or_downloads_your_export(
    request, register_data, client_for, agency_staff_a, persona, django_capture_on_commit_callbacks
):
    job = start(agency_staff_a, django_capture_on_commit_callbacks)
    client = client_for(request.getfixturevalue(persona))

    for suffix in ("", "status.json", "download/"):
        assert client.get(f"/reports/exports/{job.pk}/{suffix}").status_code == 404
    assert client.post(f"/reports/exports/{job.pk}/run-again/").status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.DOWNLOAD).exists()
    assert ExportJob.objects.count() == 1


def test_your_agency_admin_can_open_and_download_your_export(
    register_data, client_for, agency_staff_a, agency_admin_a, django_capture_on_commit_callbacks
):
    job = start(agency_staff_a, django_capture_on_commit_callbacks)
    client = client_for(agency_admin_a)

    page = client.get(f"/reports/exports/{job.pk}/").content.decode()
    assert f"by {agency_staff_a}" in page
    assert client.get(f"/reports/exports/{job.pk}/download/").status_code == 200
    assert AuditEvent.objects.get(action=AuditAction.DOWNLOAD).actor == agency_admin_a
    # ...but it stays the requester's: it is not in the admin's own list, and only they run it again.
    assert job.pk not in [j.pk for j in client.get("/reports/exports/").context["page"].object_list]
    assert client.post(f"/reports/exports/{job.pk}/run-again/").status_code == 404


def test_an_unknown_export_is_a_404(client_for, agency_admin_a):
    client = client_for(agency_admin_a)
    for suffix in ("", "status.json", "download/"):
        assert client.get(f"/reports/exports/999999/{suffix}").status_code == 404


def test_a_file_missing_from_storage_is_a_404_not_a_500(
    register_data, client_for, agency_staff_a, _private_media_in_tmp, django_capture_on_commit_callbacks
):
    job = start(agency_staff_a, django_capture_on_commit_callbacks)
    (_private_media_in_tmp / job.file.name).unlink()

    assert client_for(agency_staff_a).get(f"/reports/exports/{job.pk}/download/").status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.DOWNLOAD).exists()


def test_the_downloads_expire_after_the_configured_hours(
    register_data, client_for, agency_staff_a, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_EXPIRY_HOURS = 1
    job = start(agency_staff_a, django_capture_on_commit_callbacks)
    client = client_for(agency_staff_a)
    assert client.get(f"/reports/exports/{job.pk}/download/").status_code == 200
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert client.get(f"/reports/exports/{job.pk}/download/").status_code == 404
