"""Report packets against PostgreSQL, Redis and a real Celery worker process.

- A run logged through the web is built into both packets by the worker, seconds later.
- The build task sent twice at once, or two builders racing in threads (each with its own
  PostgreSQL connection), end with exactly one READY version of each packet.
- A worker killed half-way leaves a BUILDING claim; the task (redelivered thanks to acks_late) or
  the sweep's catch-up takes it over after the lease and finishes it: one version, READY.
- A real worker SIGKILLed in the middle of a slow build (its heartbeat keeping the claim until then):
  a new worker and the minute sweep have the packet ready within 2 minutes of the kill.
- A long build in autocommit keeps its claim fresh with its heartbeat and is not taken over.
- A run saved while the broker is unreachable gets its packets from the sweep task once it is back.

Timing is never asserted beyond the 2 minutes a killed build may take (docs/packets.md): the other
polls only bound how long a test waits (bench/ measures speed).
"""

import datetime
import os
import signal
import threading
import time
import zoneinfo

import pytest
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from missing_reports import tasks
from missing_reports.models import MissingEpisode, PacketStatus, PacketVersion
from missing_reports.packets import facts as packet_facts
from missing_reports.packets import pipeline
from missing_reports.services import episodes as services
from tests.integration.broker import HANG_GUARD, TASK_TIMEOUT, while_broker_is_down

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

H = datetime.timedelta(hours=1)
KINDS = ("ncmec", "law_enforcement")
CHICAGO = zoneinfo.ZoneInfo("America/Chicago")  # agency A's zone: what its forms read
WAIT_FOR_PACKETS = 20  # seconds: a bound on the wait, not a speed requirement


@pytest.fixture
def worker_media(_private_media_in_tmp, monkeypatch):
    """Put before `celery_worker_process`: the worker then writes the packet files into this test's
    private media dir, where the test reads them (and never into the repository's)."""
    monkeypatch.setenv("PRIVATE_MEDIA_ROOT", str(_private_media_in_tmp))
    return _private_media_in_tmp


def wait_for(condition, timeout=WAIT_FOR_PACKETS, what="the packets"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"{what} did not appear within {timeout} s")


def ready_kinds(episode):
    return sorted(
        PacketVersion.objects.filter(episode=episode, status=PacketStatus.READY).values_list("kind", flat=True)
    )


def log_run(actor, youth):
    now = timezone.now()
    return services.log_run(
        actor=actor, youth_id=youth.pk, last_seen_at=now - 2 * H, agency_learned_at=now - H,
        last_seen_location="Outside Central High", reported_by="A. Rivera, foster parent",
    )


@pytest.fixture
def unqueued_run(transactional_db, caseworker_a, youth_a1, monkeypatch):
    """A committed run whose packets were never requested."""
    with monkeypatch.context() as patch:
        patch.setattr(pipeline, "request_packets", lambda *args, **kwargs: None)
        episode = log_run(caseworker_a, youth_a1)
    assert not PacketVersion.objects.exists()
    return episode


def test_a_run_logged_through_the_web_gets_both_packets_from_the_worker(
    worker_media, celery_worker_process, client_for, caseworker_a, youth_a1
):
    worker = celery_worker_process
    learned = timezone.localtime(timezone.now() - H, CHICAGO)
    response = client_for(caseworker_a).post(
        reverse("log_run", args=[youth_a1.pk]),
        {
            "last_seen_at": (learned - H).strftime("%Y-%m-%dT%H:%M"),
            "agency_learned_at": learned.strftime("%Y-%m-%dT%H:%M"),
            "last_seen_location": "Outside Central High",
            "reported_by": "A. Rivera, foster parent",
            "clothing": "Grey hoodie",
        },
    )
    assert response.status_code == 302
    episode = MissingEpisode.objects.get()

    wait_for(lambda: ready_kinds(episode) == sorted(KINDS))

    for packet in PacketVersion.objects.filter(episode=episode):
        assert packet.number == 1
        assert packet.trigger == "Run logged"
        assert packet.triggered_by == caseworker_a
        assert packet.pdf_file.name.endswith(f"{youth_a1.case_number}-episode{episode.pk}-{packet.kind}-v1.pdf")
        assert (worker_media / packet.pdf_file.name).read_bytes()[:5] == b"%PDF-"
    assert "build_packet" in worker.log()


def test_the_build_task_sent_twice_ends_with_one_ready_version_of_each(
    worker_media, celery_worker_process, unqueued_run
):
    worker = celery_worker_process
    for kind in KINDS:
        tasks.build_packet.delay(unqueued_run.pk, kind, "Run logged", None)
        tasks.build_packet.delay(unqueued_run.pk, kind, "Run logged", None)

    wait_for(lambda: ready_kinds(unqueued_run) == sorted(KINDS))
    wait_for(lambda: worker.log().count("build_packet[") >= 8, what="the worker's handling of all four tasks")

    assert PacketVersion.objects.filter(episode=unqueued_run).count() == 2
    assert all(v.attempts == 1 for v in PacketVersion.objects.filter(episode=unqueued_run))


def test_two_builders_racing_meet_on_one_version(postgres_db, transactional_db, unqueued_run, monkeypatch):
    # Both builders assemble the facts before either creates the version: the worst overlap.
    barrier = threading.Barrier(2, timeout=30)
    assemble = packet_facts.assemble

    def assemble_then_wait(episode, kind):
        facts = assemble(episode, kind)
        barrier.wait()
        return facts

    monkeypatch.setattr(packet_facts, "assemble", assemble_then_wait)
    results, errors = [], []

    def build():
        try:
            results.append(pipeline.build(unqueued_run.pk, "ncmec", reason="Run logged"))
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=build) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=HANG_GUARD)
    assert not any(t.is_alive() for t in threads)

    assert errors == []
    assert results[0].pk == results[1].pk
    [packet] = PacketVersion.objects.filter(episode=unqueued_run)
    assert packet.status == PacketStatus.READY
    assert packet.attempts == 1  # one of them built it; the other saw the claim and left it


def killed_mid_build(episode, kind):
    """The row a worker leaves when it is killed after claiming a build: BUILDING, lease run out."""
    facts = packet_facts.assemble(episode, kind)
    return PacketVersion.objects.create(
        episode=episode, kind=kind, content_hash=pipeline.content_hash(facts), number=1, facts=facts,
        status=PacketStatus.BUILDING, claimed_at=timezone.now() - pipeline.BUILD_LEASE - datetime.timedelta(seconds=1),
        attempts=1, trigger="Run logged",
    )


def test_a_build_killed_half_way_is_finished_by_the_redelivered_task(
    worker_media, celery_worker_process, unqueued_run
):
    claim = killed_mid_build(unqueued_run, "ncmec")

    tasks.build_packet.delay(unqueued_run.pk, "ncmec", "Run logged", None)  # acks_late: delivered again

    wait_for(lambda: ready_kinds(unqueued_run) == ["ncmec"])
    [packet] = PacketVersion.objects.filter(episode=unqueued_run)
    assert packet.pk == claim.pk
    assert packet.attempts == 2


def test_a_build_killed_half_way_is_finished_by_the_sweep(worker_media, celery_worker_process, unqueued_run):
    claim = killed_mid_build(unqueued_run, "law_enforcement")

    tasks.sweep_clocks.apply_async(ignore_result=False).get(timeout=TASK_TIMEOUT)

    assert ready_kinds(unqueued_run) == sorted(KINDS)  # and the NCMEC packet nobody had asked for
    assert PacketVersion.objects.filter(episode=unqueued_run).count() == 2
    claim.refresh_from_db()
    assert claim.status == PacketStatus.READY
    assert claim.attempts == 2


def test_a_run_saved_while_the_broker_is_down_gets_its_packets_from_the_sweep(
    worker_media, celery_worker_process, caseworker_a, youth_a1, caplog
):
    saved = while_broker_is_down(lambda: log_run(caseworker_a, youth_a1), "saving a run")
    episode = MissingEpisode.objects.get(pk=saved.pk)
    assert not PacketVersion.objects.exists()
    assert "build_packet" in caplog.text and "the periodic sweep will pick it up" in caplog.text

    tasks.sweep_clocks.apply_async(ignore_result=False).get(timeout=TASK_TIMEOUT)

    assert ready_kinds(episode) == sorted(KINDS)
    assert {v.trigger for v in PacketVersion.objects.filter(episode=episode)} == {pipeline.CATCH_UP_TRIGGER}


# docs/packets.md, "A worker killed mid-build": ready again within 2 minutes of the kill.
KILLED_BUILD_BOUND = 120  # seconds
SWEEP_PERIOD = 60  # seconds: Celery beat's period for sweep_clocks (settings.CELERY_BEAT_SCHEDULE)


def test_a_worker_killed_mid_build_is_rebuilt_within_two_minutes(worker_media, celery_workers, unqueued_run):
    # A worker whose builds take ten minutes: there is time to kill it in the middle of one.
    slow = celery_workers.start({"PACKET_BUILD_TEST_DELAY": "600"})
    tasks.build_packet.delay(unqueued_run.pk, "ncmec", "Run logged", None)

    def claim():
        return PacketVersion.objects.filter(episode=unqueued_run, kind="ncmec").first()

    wait_for(lambda: claim() is not None and claim().status == PacketStatus.BUILDING, what="the claimed build")
    first = claim().claimed_at
    # The heartbeat keeps the claim fresh while the worker builds: not taken over as a dead one.
    wait_for(lambda: claim().claimed_at > first, timeout=3 * pipeline.BUILD_HEARTBEAT.total_seconds(),
             what="a heartbeat of the build's claim")

    os.killpg(slow.pid, signal.SIGKILL)
    slow.process.wait(timeout=HANG_GUARD)
    killed = time.monotonic()
    assert claim().status == PacketStatus.BUILDING  # what the killed worker left behind

    celery_workers.start()  # a new worker comes up (systemd, the orchestrator, an administrator)
    next_sweep = killed  # beat's minute sweep, at some moment after the kill: here at once
    while claim().status != PacketStatus.READY:
        now = time.monotonic()
        assert now - killed < KILLED_BUILD_BOUND, (
            f"the killed build was not rebuilt within {KILLED_BUILD_BOUND} s; it is {claim().status}"
        )
        if now >= next_sweep:  # the test plays Celery beat: sweep_clocks every minute, as scheduled
            tasks.sweep_clocks.apply_async(expires=SWEEP_PERIOD - 5)
            next_sweep += SWEEP_PERIOD
        time.sleep(0.5)

    [packet] = PacketVersion.objects.filter(episode=unqueued_run, kind="ncmec")  # no second version
    assert packet.number == 1
    assert packet.attempts >= 2  # the killed build, then the one that finished it
    assert (worker_media / packet.pdf_file.name).read_bytes()[:5] == b"%PDF-"


def test_a_long_build_keeps_its_claim_with_its_heartbeat(
    postgres_db, transactional_db, unqueued_run, settings, monkeypatch
):
    monkeypatch.setattr(pipeline, "BUILD_HEARTBEAT", datetime.timedelta(seconds=0.2))
    settings.PACKET_BUILD_TEST_DELAY = 1.0  # five heartbeats long

    packet = pipeline.build(unqueued_run.pk, "ncmec", reason="Run logged")

    assert packet.status == PacketStatus.READY, packet.error
    packet.refresh_from_db()
    assert packet.attempts == 1  # built by its first claim, never taken over
    assert packet.claimed_at - packet.created_at >= pipeline.BUILD_HEARTBEAT  # the heartbeat moved it
