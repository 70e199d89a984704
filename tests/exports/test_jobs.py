"""The export job: claimed once, progress that moves, failure kept and retried, expiry, and the sweep."""

import datetime

import pytest
from django.utils import timezone

from caseapp.models import AuditAction, AuditEvent, Role
from exports import tasks
from exports.models import ExportJob, ExportStatus
from exports.reports.base import ExportFilters
from exports.reports.episode_register import EpisodeRegister
from exports.services import jobs as services
from tests.exports.conftest import PERIOD
from tests.exports.helpers import REGISTER, csv_rows, start


def queued_job(user, fmt="csv"):
    """A job as start_export leaves it when its message is lost (the on-commit send never ran)."""
    return services.start_export(actor=user, report=REGISTER, fmt=fmt, filters=ExportFilters.from_json(PERIOD))


def export_files(media):
    return sorted(p.name for p in (media / "exports").rglob("*") if p.is_file()) if (media / "exports").exists() else []


def test_the_task_run_twice_makes_one_file(register_data, agency_staff_a, _private_media_in_tmp):
    job = queued_job(agency_staff_a)

    assert tasks.run_export(job.pk) == ExportStatus.READY
    assert tasks.run_export(job.pk) == ExportStatus.READY

    job.refresh_from_db()
    assert job.attempts == 1
    assert export_files(_private_media_in_tmp) == [f"episode-register-20250301-to-20250331-job{job.pk}.csv"]
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, object_id=str(job.pk)).count() == 1


def test_a_job_another_worker_is_running_is_left_alone(register_data, agency_staff_a):
    job = queued_job(agency_staff_a)
    now = timezone.now()
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.RUNNING, started_at=now, heartbeat_at=now, attempts=1
    )

    assert tasks.run_export(job.pk) == ExportStatus.RUNNING
    job.refresh_from_db()
    assert (job.attempts, job.file.name) == (1, "")


def test_a_run_whose_worker_died_is_taken_over(register_data, agency_staff_a, _private_media_in_tmp):
    job = queued_job(agency_staff_a)
    long_ago = timezone.now() - services.RUN_LEASE - datetime.timedelta(seconds=1)
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.RUNNING, started_at=long_ago, heartbeat_at=long_ago, attempts=1, rows_done=2000
    )

    assert tasks.run_export(job.pk) == ExportStatus.READY
    job.refresh_from_db()
    assert (job.attempts, job.row_count) == (2, 4)
    assert len(export_files(_private_media_in_tmp)) == 1


def test_a_run_that_loses_its_claim_keeps_nothing(register_data, agency_staff_a, _private_media_in_tmp, monkeypatch):
    """A slow run outlives the lease and a second run takes the job over: the first writes no file."""
    job = queued_job(agency_staff_a)
    rows = EpisodeRegister.rows
    monkeypatch.setattr(services, "PROGRESS_EVERY", 1)

    def taken_over_midway(self, query):
        for number, row in enumerate(rows(self, query)):
            if number == 1:
                ExportJob.objects.filter(pk=job.pk).update(started_at=timezone.now())  # the other run's claim
            yield row

    monkeypatch.setattr(EpisodeRegister, "rows", taken_over_midway)
    services.run_export(job.pk)

    job.refresh_from_db()
    assert job.status == ExportStatus.RUNNING  # the other run's to finish
    assert job.file.name == ""
    assert export_files(_private_media_in_tmp) == []  # no partial file left either


def test_progress_moves_and_the_total_is_right(register_data, agency_staff_a, monkeypatch):
    job = queued_job(agency_staff_a)
    seen = []
    rows = EpisodeRegister.rows
    monkeypatch.setattr(services, "PROGRESS_EVERY", 1)

    def watched(self, query):
        for row in rows(self, query):
            seen.append(ExportJob.objects.values_list("status", "rows_done", "rows_total").get(pk=job.pk))
            yield row

    monkeypatch.setattr(EpisodeRegister, "rows", watched)
    services.run_export(job.pk)

    assert seen == [("running", 0, 4), ("running", 1, 4), ("running", 2, 4), ("running", 3, 4)]
    job.refresh_from_db()
    assert (job.status, job.rows_done, job.rows_total, job.row_count, job.percent) == ("ready", 4, 4, 4, 100)


def test_a_failed_job_keeps_its_error_and_can_be_retried(
    register_data, agency_staff_a, client_for, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(self, query):
        raise RuntimeError("the database went away")
        yield  # pragma: no cover

    with monkeypatch.context() as patch:
        patch.setattr(EpisodeRegister, "rows", broken)
        job = start(agency_staff_a, django_capture_on_commit_callbacks)
    assert (job.status, job.error) == ("failed", "RuntimeError: the database went away")
    assert job.file.name == ""
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()

    client = client_for(agency_staff_a)
    page = client.get(f"/reports/exports/{job.pk}/").content.decode()
    assert "The export failed." in page and "RuntimeError: the database went away" in page
    assert "Retry the export" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/reports/exports/{job.pk}/retry/")
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.error, job.row_count) == ("ready", "", 4)
    assert "Download" in client.get(f"/reports/exports/{job.pk}/").content.decode()


def test_only_a_failed_job_can_be_retried_and_only_by_its_requester(
    register_data, agency_staff_a, agency_admin_a, client_for, django_capture_on_commit_callbacks
):
    job = start(agency_staff_a, django_capture_on_commit_callbacks)
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.FAILED, error="x", file="")

    assert client_for(agency_admin_a).post(f"/reports/exports/{job.pk}/retry/").status_code == 404
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.EXPIRED, error="", expired_at=timezone.now())
    response = client_for(agency_staff_a).post(f"/reports/exports/{job.pk}/retry/", follow=True)
    assert "Only a failed export can be retried." in response.content.decode()
    job.refresh_from_db()
    assert job.status == ExportStatus.EXPIRED


def test_too_many_rows_for_an_excel_sheet_fail_with_a_clear_message(
    register_data, agency_staff_a, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "XLSX_MAX_ROWS", 3)

    job = start(agency_staff_a, django_capture_on_commit_callbacks, fmt="xlsx")

    assert job.status == ExportStatus.FAILED
    assert job.error == "4 rows are more than an Excel sheet holds (3). Choose CSV, or a shorter period."


def test_a_requester_who_can_no_longer_export_gets_nothing(register_data, agency_staff_a):
    job = queued_job(agency_staff_a)
    agency_staff_a.role = Role.CASEWORKER
    agency_staff_a.save()

    services.run_export(job.pk)

    job.refresh_from_db()
    assert (job.status, job.error) == ("failed", "The account that asked for this export can no longer run reports.")


def test_the_expiry_purge_removes_the_file_and_keeps_the_row(
    register_data, agency_staff_a, client_for, _private_media_in_tmp, django_capture_on_commit_callbacks
):
    job = start(agency_staff_a, django_capture_on_commit_callbacks)
    assert job.expires_at == job.finished_at + datetime.timedelta(hours=72)
    path = _private_media_in_tmp / job.file.name
    assert path.exists()

    assert services.purge_expired(now=job.expires_at - datetime.timedelta(seconds=1)) == 0
    assert services.purge_expired(now=job.expires_at) == 1

    job.refresh_from_db()
    assert (job.status, job.file.name, job.row_count) == ("expired", "", 4)
    assert job.expired_at == job.expires_at
    assert not path.exists()
    client = client_for(agency_staff_a)
    assert client.get(f"/reports/exports/{job.pk}/download/").status_code == 404
    page = client.get(f"/reports/exports/{job.pk}/").content.decode()
    assert "expired" in page and "Run it again" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/reports/exports/{job.pk}/run-again/")
    again = ExportJob.objects.exclude(pk=job.pk).get()
    assert response.url == f"/reports/exports/{again.pk}/"
    assert (again.status, again.report, again.filters, again.row_count) == ("ready", job.report, job.filters, 4)


def test_a_file_past_its_expiry_is_not_served_before_the_purge(
    register_data, agency_staff_a, client_for, django_capture_on_commit_callbacks
):
    job = start(agency_staff_a, django_capture_on_commit_callbacks)
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))

    client = client_for(agency_staff_a)
    assert client.get(f"/reports/exports/{job.pk}/download/").status_code == 404
    assert "Run it again" in client.get(f"/reports/exports/{job.pk}/").content.decode()


def test_the_expiry_follows_the_setting(register_data, agency_staff_a, settings, django_capture_on_commit_callbacks):
    settings.EXPORT_EXPIRY_HOURS = 2
    job = start(agency_staff_a, django_capture_on_commit_callbacks)
    assert job.expires_at - job.finished_at == datetime.timedelta(hours=2)


def test_the_sweep_sends_a_lost_job_again_and_leaves_a_recent_one(
    register_data, agency_staff_a, django_capture_on_commit_callbacks
):
    lost = queued_job(agency_staff_a)
    recent = queued_job(agency_staff_a)
    ExportJob.objects.filter(pk=lost.pk).update(queued_at=timezone.now() - services.REQUEUE_AFTER * 2)

    with django_capture_on_commit_callbacks(execute=True):
        counts = tasks.sweep_exports()

    assert counts == {"purged": 0, "requeued": 1, "failed": 0}
    lost.refresh_from_db()
    recent.refresh_from_db()
    assert (lost.status, recent.status) == ("ready", "pending")
    assert csv_rows(lost)[0][0] == "Episode ID"


def test_the_sweep_gives_up_on_a_job_whose_worker_died_every_time(register_data, agency_staff_a):
    job = queued_job(agency_staff_a)
    long_ago = timezone.now() - services.RUN_LEASE * 2
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.RUNNING, started_at=long_ago, heartbeat_at=long_ago, attempts=services.MAX_ATTEMPTS
    )

    assert services.catch_up() == {"requeued": 0, "failed": 1}

    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED
    assert job.error.startswith(f"The export was started {services.MAX_ATTEMPTS} times and never finished")


def test_the_sweep_removes_partial_files_of_dead_runs(agency_staff_a, _private_media_in_tmp):
    partial = _private_media_in_tmp / services.PARTIAL_DIR
    partial.mkdir(parents=True)
    old, fresh = partial / "job1-a.csv.part", partial / "job2-b.csv.part"
    old.write_text("x")
    fresh.write_text("y")
    day_ago = (timezone.now() - services.PARTIAL_MAX_AGE - datetime.timedelta(minutes=1)).timestamp()
    import os

    os.utime(old, (day_ago, day_ago))

    services.purge_expired()

    assert (old.exists(), fresh.exists()) == (False, True)


@pytest.mark.parametrize(
    ("fields", "constraint"),
    [
        ({"status": "ready"}, "export_ready_has_file"),
        ({"status": "failed"}, "export_failed_has_error"),
        ({"status": "running"}, "export_running_is_claimed"),
        ({"status": "expired"}, "export_expired_has_time"),
        ({"file": "exports/x.csv"}, "export_file_only_when_ready"),
        ({"format": "doc"}, "export_format_known"),
    ],
)
def test_the_database_keeps_the_status_machine(agency_staff_a, fields, constraint):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        ExportJob.objects.create(
            **{
                "agency": agency_staff_a.agency,
                "requested_by": agency_staff_a,
                "report": REGISTER,
                "format": "csv",
                **fields,
            }
        )
