"""An export run by a real Celery worker process over Redis, on PostgreSQL: the progress moves and the file
downloads.

The test holds the worker at two points with PostgreSQL locks, so what it sees does not depend on speed:
- an ACCESS EXCLUSIVE lock on the risk snapshots table lets the count through but stops the rows query
  (its band subquery reads that table): the job page then shows "running, 0 of N rows";
- a row lock on the job stops the heartbeat after the first PROGRESS_EVERY rows, whose UPDATE the test
  reads in pg_stat_activity ("rows_done" = 2000) before letting it go.
Timing is never asserted: the polls only bound how long the test waits.
"""

import csv
import datetime
import io
import time

import psycopg2
import pytest
from django.db import connection
from django.urls import reverse

from exports.models import ExportJob, ExportStatus
from exports.services import jobs as services
from missing_reports.models import EpisodeStatus, MissingEpisode
from tests.exports.conftest import local
from tests.factories import YouthFactory

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

ROWS = services.PROGRESS_EVERY * 2 + 500  # two heartbeats on the way
WAIT = 30  # seconds: a bound on the wait, not a speed requirement


@pytest.fixture
def worker_media(_private_media_in_tmp, monkeypatch):
    """Before `celery_worker_process`: the worker writes its files into this test's private media."""
    monkeypatch.setenv("PRIVATE_MEDIA_ROOT", str(_private_media_in_tmp))
    return _private_media_in_tmp


def wait_for(condition, what):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"{what} did not happen within {WAIT} s")


def second_connection():
    """A plain psycopg2 connection to the test database, to hold locks while the worker runs."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    return psycopg2.connect(**params)


def waiting_queries(table):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT query FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE %s",
            [f"%{table}%"],
        )
        return [row[0] for row in cursor.fetchall()]


def many_episodes(team, creator, count):
    youths = [YouthFactory(team=team) for _ in range(5)]
    start = local(2025, 3, 1, 0, 0)
    MissingEpisode.objects.bulk_create(
        MissingEpisode(
            youth=youths[n % 5],
            created_by=creator,
            status=EpisodeStatus.RETURNED,
            last_seen_at=start + datetime.timedelta(minutes=n),
            agency_learned_at=start + datetime.timedelta(minutes=n),
            returned_at=start + datetime.timedelta(minutes=n + 90),
            last_seen_location="Near the bus station",
            reported_by="Foster parent",
        )
        for n in range(count)
    )


def test_a_worker_runs_an_export_with_moving_progress_and_the_file_downloads(
    worker_media, celery_worker_process, client_for, agency_staff_a, team_a1, caseworker_a
):
    many_episodes(team_a1, caseworker_a, ROWS)
    client = client_for(agency_staff_a)

    def status(job):
        return client.get(reverse("export_status", args=[job.pk])).json()

    rows_gate = second_connection()
    progress_gate = second_connection()
    try:
        with rows_gate.cursor() as cursor:
            cursor.execute("LOCK TABLE risk_risksnapshot IN ACCESS EXCLUSIVE MODE")

        response = client.post(
            reverse("reports"),
            {"report": "episode-register", "format": "csv", "period_start": "2025-03-01", "period_end": "2025-03-31"},
        )
        job = ExportJob.objects.get()
        assert response.url == reverse("export_detail", args=[job.pk])

        # Counted, held before its first row: the page shows 0 of ROWS.
        wait_for(lambda: status(job)["rows_total"] == ROWS, "the count")
        assert status(job) | {"id": None} == {
            "id": None,
            "status": "running",
            "status_label": "Running",
            "rows_done": 0,
            "rows_total": ROWS,
            "percent": 0,
            "finished": False,
            "download_url": None,
            "error": "",
            "title": "Episode register",
        }
        page = client.get(reverse("export_detail", args=[job.pk])).content.decode()
        assert f"0 of {ROWS} rows written." in page and 'aria-valuenow="0"' in page

        # Let the rows come, but hold the first heartbeat: the worker is 2000 rows in.
        with progress_gate.cursor() as cursor:
            cursor.execute("SELECT id FROM exports_exportjob WHERE id = %s FOR UPDATE", [job.pk])
        rows_gate.commit()
        [heartbeat] = wait_for(lambda: waiting_queries("exports_exportjob"), "the first heartbeat")
        assert f'"rows_done" = {services.PROGRESS_EVERY}' in heartbeat
        progress_gate.commit()

        done = wait_for(lambda: (s := status(job))["finished"] and s, "the end of the export")
    finally:
        rows_gate.close()
        progress_gate.close()

    assert (done["status"], done["rows_done"], done["rows_total"], done["percent"]) == ("ready", ROWS, ROWS, 100)
    job.refresh_from_db()
    assert (job.status, job.row_count, job.attempts) == (ExportStatus.READY, ROWS, 1)
    assert "run_export" in celery_worker_process.log()

    download = client.get(done["download_url"])
    assert download.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == ROWS + 1
    assert rows[0][:2] == ["Episode ID", "Agency case number"]
    assert (worker_media / job.file.name).exists()
