"""Two queues, so a long export never delays a report packet (caseapp/celery.py, docs/deploy.md#queues).

- Every task the apps register goes to the queue the table names, and none is left to the default.
- With a real worker on the urgent queue only, a run's packets are built while an export waits on the bulk
  queue, untouched; a worker on the bulk queue then runs it.
"""

import time

import pytest
import redis
from django.urls import reverse
from django.utils import timezone

from caseapp.celery import BULK, QUEUE_OF_TASK, URGENT, app, queue_name
from exports.models import ExportJob, ExportStatus
from missing_reports.models import MissingEpisode, PacketStatus, PacketVersion
from missing_reports.services import episodes as services

APPS = ("caseapp.", "missing_reports.", "risk.", "exports.")
RAN = "Task {}["  # a worker's log line for a task it received (its banner lists every task by name alone)
WAIT = 30  # seconds: a bound on the wait, not a speed requirement


def test_every_task_of_the_apps_has_a_queue_and_the_router_sends_it_there(settings):
    registered = sorted(name for name in app.tasks if name.startswith(APPS))
    assert registered == sorted(QUEUE_OF_TASK), "name the queue of every task in caseapp/celery.py QUEUE_OF_TASK"

    router = app.amqp.Router()
    for name, queue in QUEUE_OF_TASK.items():
        assert router.route({}, name)["queue"].name == queue_name(queue, settings.TASK_QUEUE_PREFIX), name
    assert QUEUE_OF_TASK["missing_reports.tasks.build_packet"] == URGENT
    assert QUEUE_OF_TASK["missing_reports.tasks.sweep_clocks"] == URGENT
    assert QUEUE_OF_TASK["caseapp.tasks.deliver_alert"] == URGENT
    assert QUEUE_OF_TASK["exports.tasks.run_export"] == BULK
    # Celery's own tasks (none is used today) go to the default queue: the urgent one, whose worker is always up.
    assert router.route({}, "celery.chord_unlock")["queue"].name == queue_name(URGENT, settings.TASK_QUEUE_PREFIX)


@pytest.fixture
def worker_media(_private_media_in_tmp, monkeypatch):
    """Before the workers start: they write packets and exports into this test's private media."""
    monkeypatch.setenv("PRIVATE_MEDIA_ROOT", str(_private_media_in_tmp))
    return _private_media_in_tmp


def wait_for(condition, what):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"{what} did not happen within {WAIT} s")


def ready_packets(episode):
    return sorted(
        PacketVersion.objects.filter(episode=episode, status=PacketStatus.READY).values_list("kind", flat=True)
    )


@pytest.mark.postgres
@pytest.mark.redis
def test_a_packet_is_built_by_the_urgent_worker_while_an_export_waits_for_the_bulk_one(
    worker_media, celery_workers, celery_via_redis, redis_url, client_for, agency_staff_a, caseworker_a, youth_a1
):
    urgent_worker = celery_workers.start(queues=(URGENT,))
    bulk_queue = queue_name(BULK, f"{celery_via_redis}-")
    queues = redis.Redis.from_url(redis_url)

    response = client_for(agency_staff_a).post(
        reverse("reports"),
        {"report": "episode-register", "format": "csv", "period_start": "2025-03-01", "period_end": "2025-03-31"},
    )
    job = ExportJob.objects.get()
    assert response.url == reverse("export_detail", args=[job.pk])
    assert queues.llen(bulk_queue) == 1  # the export's message, waiting

    now = timezone.now()
    episode = services.log_run(
        actor=caseworker_a, youth_id=youth_a1.pk, last_seen_at=now - timezone.timedelta(hours=2),
        agency_learned_at=now - timezone.timedelta(hours=1), last_seen_location="Outside Central High",
        reported_by="A. Rivera, foster parent",
    )
    wait_for(lambda: ready_packets(episode) == ["law_enforcement", "ncmec"], "both packets")

    job.refresh_from_db()
    assert job.status == ExportStatus.PENDING and job.attempts == 0
    assert queues.llen(bulk_queue) == 1
    assert RAN.format("missing_reports.tasks.build_packet") in urgent_worker.log()
    assert RAN.format("exports.tasks.run_export") not in urgent_worker.log()
    assert MissingEpisode.objects.get().pk == episode.pk

    bulk_worker = celery_workers.start(queues=(BULK,))
    wait_for(lambda: ExportJob.objects.get().status == ExportStatus.READY, "the export")
    assert RAN.format("exports.tasks.run_export") in bulk_worker.log()
    assert RAN.format("missing_reports.tasks.build_packet") not in bulk_worker.log()
    queues.close()
