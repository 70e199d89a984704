"""The packet pipeline: build once per set of facts, version on change, recover from failures and lost
requests, record submissions, audited downloads (docs/design.md#rule-nothing-lost and #rule-idempotent-tasks).

Celery runs eagerly here; `django_capture_on_commit_callbacks(execute=True)` runs the on-commit hooks
that queue the builds, as a real commit would. Concurrency with real workers is in
tests/integration/test_packet_worker.py.
"""

import datetime
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from caseapp import tasks as caseapp_tasks
from caseapp.models import AuditAction, AuditEvent
from caseapp.services.photos import add_photo
from caseapp.services.youth import update_youth
from missing_reports import tasks
from missing_reports.models import PacketKind, PacketStatus, PacketSubmission, PacketVersion
from missing_reports.packets import facts as packet_facts
from missing_reports.packets import kinds, pipeline
from missing_reports.services import episodes as services
from missing_reports.services import submissions
from tests.factories import YouthFactory

pytestmark = pytest.mark.django_db

H = datetime.timedelta(hours=1)
MIN = datetime.timedelta(minutes=1)
NCMEC, LE, RECOVERY = PacketKind.NCMEC.value, PacketKind.LAW_ENFORCEMENT.value, PacketKind.RECOVERY.value


# --- Helpers ----------------------------------------------------------------------------------


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """`with commit():` runs what the block queues on commit (the packet builds), as a commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def youth(youth_a1):
    # A case number that is not a safe file name as it stands.
    youth_a1.case_number = "KS/2025 #0042"
    youth_a1.legal_first_name, youth_a1.legal_last_name = "Jordanna", "Testperson"
    youth_a1.preferred_name = "Jo"
    youth_a1.save()
    return youth_a1


def run_fields(**extra):
    now = timezone.now()
    return {
        "last_seen_at": now - 2 * H, "agency_learned_at": now - H,
        "last_seen_location": "Outside Central High", "reported_by": "A. Rivera, foster parent",
        "clothing": "Grey hoodie", **extra,
    }


@pytest.fixture
def episode(commit, caseworker_a, youth):
    with commit():
        return services.log_run(actor=caseworker_a, youth_id=youth.pk, **run_fields())


@pytest.fixture
def no_requests(monkeypatch):
    """Saves queue no builds, as if every message were lost with the broker."""
    monkeypatch.setattr(pipeline, "request_packets", lambda *args, **kwargs: None)


@pytest.fixture
def unqueued_episode(no_requests, commit, caseworker_a, youth):
    """An episode whose packets were never requested."""
    with commit():
        return services.log_run(actor=caseworker_a, youth_id=youth.pk, **run_fields())


def versions(episode, kind):
    return list(PacketVersion.objects.filter(episode=episode, kind=kind).order_by("number"))


def latest(episode, kind):
    return PacketVersion.objects.filter(episode=episode, kind=kind).order_by("-number").first()


def basename(field):
    return field.name.rsplit("/", 1)[-1]


def photo_upload():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 50), (90, 120, 160)).save(buffer, format="JPEG")
    return SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")


def notice(episode, party, event="missing"):
    return episode.notifications.get(party=party, event=event)


def record_le_case_number(commit, actor, episode, number="PD-25-000123"):
    le = notice(episode, "law_enforcement")
    with commit():
        services.record_notification(
            actor=actor, notification_id=le.pk, expected_version=le.version, done_at=timezone.now() - 30 * MIN,
            method="phone", reference=number, le_agency="Topeka Police Department",
        )


def change_height(commit, actor, youth, inches=66):
    youth.refresh_from_db()
    with commit():
        update_youth(actor=actor, youth_id=youth.pk, expected_version=youth.version, height_inches=inches)


def add_a_photo(commit, actor, youth):
    with commit():
        add_photo(actor=actor, youth_id=youth.pk, image=photo_upload(), taken_on=timezone.localdate())


def log_the_return(commit, actor, episode):
    episode.refresh_from_db()
    with commit():
        return services.log_return(
            actor=actor, episode_id=episode.pk, expected_version=episode.version,
            returned_at=timezone.now() - 10 * MIN, found_location_type="friend",
        )


def render_fails_once(monkeypatch, message="the PDF library broke"):
    real = kinds.render
    calls = []

    def render(kind, facts):
        calls.append(kind)
        if len(calls) == 1:
            raise RuntimeError(message)
        return real(kind, facts)

    monkeypatch.setattr(kinds, "render", render)
    return calls


# --- A run builds both packets ----------------------------------------------------------------


def test_a_logged_run_has_ready_ncmec_and_law_enforcement_packets_named_by_case_number_and_episode(
    episode, youth, caseworker_a
):
    ncmec, le = latest(episode, NCMEC), latest(episode, LE)
    for packet, kind in ((ncmec, "ncmec"), (le, "law_enforcement")):
        assert packet.status == PacketStatus.READY, packet.error
        assert packet.number == 1
        assert packet.attempts == 1
        assert packet.trigger == "Run logged"
        assert packet.triggered_by == caseworker_a
        assert packet.ready_at is not None
        assert basename(packet.pdf_file) == f"KS_2025_0042-episode{episode.pk}-{kind}-v1.pdf"
        assert basename(packet.json_file) == f"KS_2025_0042-episode{episode.pk}-{kind}-v1.json"
        for field in (packet.pdf_file, packet.json_file):
            for name in ("Jordanna", "Testperson", youth.legal_name):
                assert name.lower() not in field.name.lower()
            assert field.storage.exists(field.name)
        assert packet.pdf_file.read(5) == b"%PDF-"
        # The files are rendered from the facts stored on the row.
        assert json.loads(packet.json_file.open("rb").read()) == packet.facts
        assert packet.content_hash == pipeline.content_hash(packet.facts)
    assert not PacketVersion.objects.filter(episode=episode, kind=RECOVERY).exists()


def test_the_stored_facts_are_the_assembled_facts(episode):
    packet = latest(episode, NCMEC)
    assert packet.facts == json.loads(json.dumps(packet_facts.assemble(episode, NCMEC)))


def test_building_again_without_a_change_makes_nothing_new(episode):
    first = latest(episode, NCMEC)
    again = pipeline.build(episode.pk, NCMEC, reason="Again")
    tasks.build_packet.delay(episode.pk, NCMEC, "And again", None)

    assert again.pk == first.pk
    assert again.status == PacketStatus.READY
    assert again.attempts == 1
    assert again.trigger == "Run logged"
    assert PacketVersion.objects.filter(episode=episode).count() == 2


# --- Versions ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change, kinds_changed, trigger",
    [
        ("le_case_number", [LE, NCMEC], "Law enforcement (NCIC entry) notice recorded"),
        ("height", [LE, NCMEC], "Youth's record updated: height inches"),
        ("photo", [LE, NCMEC], "New photo added to the youth's record"),
        ("clothing", [LE, NCMEC], "Episode details updated: clothing last seen in"),
    ],
)
def test_a_change_makes_version_2_and_keeps_version_1(
    change, kinds_changed, trigger, commit, episode, youth, caseworker_a
):
    v1 = {kind: latest(episode, kind) for kind in (NCMEC, LE)}
    if change == "le_case_number":
        record_le_case_number(commit, caseworker_a, episode)
    elif change == "height":
        change_height(commit, caseworker_a, youth)
    elif change == "photo":
        add_a_photo(commit, caseworker_a, youth)
    else:
        with commit():
            services.update_episode(
                actor=caseworker_a, episode_id=episode.pk, expected_version=episode.version,
                clothing="Grey hoodie, red cap",
            )

    for kind in kinds_changed:
        old, new = versions(episode, kind)
        assert old.pk == v1[kind].pk
        assert old.status == PacketStatus.READY and old.pdf_file.storage.exists(old.pdf_file.name)
        assert new.number == 2
        assert new.status == PacketStatus.READY, new.error
        assert new.trigger == trigger
        assert new.triggered_by == caseworker_a
        assert new.content_hash != old.content_hash
        assert basename(new.pdf_file) == f"KS_2025_0042-episode{episode.pk}-{kind}-v2.pdf"


def test_the_law_enforcement_case_number_is_in_the_new_version(commit, episode, caseworker_a):
    record_le_case_number(commit, caseworker_a, episode, number="PD-25-000777")
    packet = latest(episode, LE)
    assert packet.number == 2
    assert packet.facts["law_enforcement"]["case_number"] == "PD-25-000777"
    assert b"PD-25-000777" in packet.json_file.open("rb").read()


def test_a_change_the_packets_do_not_show_makes_no_version(commit, episode, youth, caseworker_a):
    before = PacketVersion.objects.count()
    youth.refresh_from_db()
    with commit():
        update_youth(
            actor=caseworker_a, youth_id=youth.pk, expected_version=youth.version,
            entered_care_on=youth.entered_care_on - datetime.timedelta(days=3),
        )
    episode.refresh_from_db()
    with commit():  # nothing changes at all: the service does not even save
        services.update_episode(
            actor=caseworker_a, episode_id=episode.pk, expected_version=episode.version, clothing="Grey hoodie"
        )
    assert PacketVersion.objects.count() == before


def test_a_youth_change_reaches_the_open_episode_and_the_latest_returned_one_only(
    commit, caseworker_a, youth
):
    with commit():
        older = services.log_run(actor=caseworker_a, youth_id=youth.pk, **run_fields(
            last_seen_at=timezone.now() - 40 * 24 * H, agency_learned_at=timezone.now() - 40 * 24 * H + H))
    older.refresh_from_db()
    with commit():
        services.log_return(actor=caseworker_a, episode_id=older.pk, expected_version=older.version,
                            returned_at=timezone.now() - 39 * 24 * H)
    with commit():
        previous = services.log_run(actor=caseworker_a, youth_id=youth.pk, **run_fields(
            last_seen_at=timezone.now() - 20 * 24 * H, agency_learned_at=timezone.now() - 20 * 24 * H + H))
    log_the_return(commit, caseworker_a, previous)
    with commit():
        current = services.log_run(actor=caseworker_a, youth_id=youth.pk, **run_fields())
    counts = {e.pk: PacketVersion.objects.filter(episode=e).count() for e in (older, previous, current)}

    change_height(commit, caseworker_a, youth)

    after = {e.pk: PacketVersion.objects.filter(episode=e).count() for e in (older, previous, current)}
    assert after[older.pk] == counts[older.pk]
    assert after[previous.pk] == counts[previous.pk] + 3  # NCMEC, law enforcement, recovery
    assert after[current.pk] == counts[current.pk] + 2
    assert latest(previous, RECOVERY).trigger == "Youth's record updated: height inches"


def test_a_failing_receiver_never_fails_the_youth_save(commit, episode, youth, caseworker_a, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("queue exploded")

    monkeypatch.setattr(pipeline, "request_packets", broken)
    change_height(commit, caseworker_a, youth, inches=70)
    youth.refresh_from_db()
    assert youth.height_inches == 70
    assert "the periodic check will" in caplog.text


def test_the_return_makes_a_recovery_packet_and_keeps_the_others_current(commit, episode, caseworker_a):
    log_the_return(commit, caseworker_a, episode)

    recovery = latest(episode, RECOVERY)
    assert recovery.number == 1
    assert recovery.status == PacketStatus.READY, recovery.error
    assert recovery.trigger == "Return logged"
    assert basename(recovery.pdf_file) == f"KS_2025_0042-episode{episode.pk}-recovery-v1.pdf"
    # The NCMEC and law-enforcement packets now say the youth returned.
    assert [v.number for v in versions(episode, NCMEC)] == [1, 2]
    assert latest(episode, NCMEC).facts["episode"]["status_code"] == "returned"


# --- Failures, claims and leases --------------------------------------------------------------


def test_a_failed_render_keeps_the_error_and_the_next_build_finishes_it(unqueued_episode, monkeypatch):
    calls = render_fails_once(monkeypatch)

    with pytest.raises(RuntimeError, match="the PDF library broke"):
        pipeline.build(unqueued_episode.pk, NCMEC, reason="Run logged")

    [failed] = versions(unqueued_episode, NCMEC)
    assert failed.status == PacketStatus.FAILED
    assert failed.error == "RuntimeError: the PDF library broke"
    assert failed.attempts == 1
    assert not failed.pdf_file and not failed.json_file

    again = pipeline.build(unqueued_episode.pk, NCMEC, reason="Retry")

    assert again.pk == failed.pk
    assert again.status == PacketStatus.READY
    assert again.attempts == 2
    assert again.error == ""
    assert again.trigger == "Run logged"  # the version's trigger is what first made it
    assert len(calls) == 2


def test_files_written_before_a_failure_are_removed(unqueued_episode, monkeypatch, _private_media_in_tmp):
    # The JSON file is written, then writing the PDF fails (a float is no file content).
    monkeypatch.setattr(kinds, "render", lambda kind, facts: (b"{}", 1.5))

    with pytest.raises(TypeError):
        pipeline.build(unqueued_episode.pk, NCMEC, reason="Run logged")

    [failed] = versions(unqueued_episode, NCMEC)
    assert failed.status == PacketStatus.FAILED
    assert failed.error.startswith("TypeError")
    assert not [p for p in _private_media_in_tmp.rglob("*") if p.is_file() and "packets" in p.parts]


def test_the_build_task_retries_a_failure_and_the_retry_finishes_it(unqueued_episode, monkeypatch):
    task = tasks.build_packet
    assert (task.autoretry_for, task.retry_backoff, task.max_retries, task.acks_late) == ((Exception,), True, 5, True)
    calls = render_fails_once(monkeypatch)

    # Eagerly and without propagating, Celery runs the retry at once (a worker waits the backoff).
    result = task.apply(args=(unqueued_episode.pk, NCMEC, "Run logged", None), throw=False)

    assert result.state == "SUCCESS"
    [packet] = versions(unqueued_episode, NCMEC)
    assert packet.status == PacketStatus.READY
    assert packet.attempts == 2
    assert len(calls) == 2


def test_a_failing_build_never_fails_the_save(commit, caseworker_a, youth, monkeypatch):
    def broken(kind, facts):
        raise RuntimeError("renderer down")

    monkeypatch.setattr(kinds, "render", broken)
    with commit():
        episode = services.log_run(actor=caseworker_a, youth_id=youth.pk, **run_fields())
    assert episode.pk
    ncmec = latest(episode, NCMEC)
    assert ncmec.status == PacketStatus.FAILED
    assert ncmec.error == "RuntimeError: renderer down"
    # Eager Celery does not wait for the retry; the minute sweep's catch-up takes the build from here.
    assert pipeline.catch_up(now=ncmec.claimed_at + H)["failed"] == 2


def make_claim(episode, kind, claimed_ago, attempts=1):
    """The row a worker leaves when it claimed a build `claimed_ago` and then died (or is busy)."""
    facts = packet_facts.assemble(episode, kind)
    return PacketVersion.objects.create(
        episode=episode, kind=kind, content_hash=pipeline.content_hash(facts), number=1, facts=facts,
        status=PacketStatus.BUILDING, claimed_at=timezone.now() - claimed_ago, attempts=attempts,
        trigger="Run logged",
    )


def test_a_stale_claim_of_a_killed_worker_is_taken_over(unqueued_episode):
    stale = make_claim(unqueued_episode, NCMEC, claimed_ago=10 * MIN)

    packet = pipeline.build(unqueued_episode.pk, NCMEC, reason="Redelivered")

    assert packet.pk == stale.pk
    assert packet.status == PacketStatus.READY
    assert packet.attempts == 2
    assert PacketVersion.objects.filter(episode=unqueued_episode, kind=NCMEC).count() == 1


def test_a_live_claim_is_left_to_its_worker(unqueued_episode, monkeypatch):
    # Claimed (or refreshed by its heartbeat) one heartbeat ago: well inside the lease.
    busy = make_claim(unqueued_episode, NCMEC, claimed_ago=pipeline.BUILD_HEARTBEAT)
    monkeypatch.setattr(kinds, "render", lambda kind, facts: pytest.fail("rendered a packet someone else builds"))

    packet = pipeline.build(unqueued_episode.pk, NCMEC, reason="Sent twice")

    assert packet.pk == busy.pk
    assert packet.status == PacketStatus.BUILDING
    assert packet.attempts == 1
    assert packet.claimed_at == busy.claimed_at


def test_a_build_that_loses_its_claim_discards_its_files(unqueued_episode, monkeypatch, _private_media_in_tmp):
    real = kinds.render
    taken_over_at = timezone.now() + MIN

    def slow_render(kind, facts):
        # While this worker renders, its lease runs out and another worker takes the build over.
        PacketVersion.objects.filter(episode=unqueued_episode, kind=kind).update(claimed_at=taken_over_at)
        return real(kind, facts)

    monkeypatch.setattr(kinds, "render", slow_render)
    packet = pipeline.build(unqueued_episode.pk, NCMEC, reason="Run logged")

    assert packet.status == PacketStatus.BUILDING
    assert packet.claimed_at == taken_over_at
    assert not packet.pdf_file
    assert not [p for p in _private_media_in_tmp.rglob("*") if p.is_file() and "packets" in p.parts]


def test_concurrent_builders_of_the_same_facts_meet_on_one_row(unqueued_episode):
    facts = packet_facts.assemble(unqueued_episode, LE)
    first, _ = pipeline._claimed_version_for(unqueued_episode, LE, facts, trigger="A", actor_id=None)
    second, _ = pipeline._claimed_version_for(unqueued_episode, LE, facts, trigger="B", actor_id=None)
    assert first.pk == second.pk
    assert PacketVersion.objects.filter(episode=unqueued_episode, kind=LE).count() == 1


# --- Catch-up: lost requests and unfinished builds ----------------------------------------------


def test_catch_up_builds_the_packets_of_a_run_whose_request_was_lost(unqueued_episode):
    assert not PacketVersion.objects.exists()

    counts = pipeline.catch_up()

    assert counts == {"retried": 0, "built": 2, "failed": 0}
    for kind in (NCMEC, LE):
        [packet] = versions(unqueued_episode, kind)
        assert packet.status == PacketStatus.READY
        assert packet.trigger == pipeline.CATCH_UP_TRIGGER
        assert packet.triggered_by is None
    assert pipeline.catch_up() == {"retried": 0, "built": 0, "failed": 0}


def test_catch_up_builds_what_a_lost_change_and_return_need(commit, episode, youth, caseworker_a, monkeypatch):
    monkeypatch.setattr(pipeline, "request_packets", lambda *args, **kwargs: None)
    change_height(commit, caseworker_a, youth)
    log_the_return(commit, caseworker_a, episode)
    assert PacketVersion.objects.filter(episode=episode).count() == 2  # nothing was queued

    assert pipeline.catch_up()["built"] == 3

    assert [v.number for v in versions(episode, NCMEC)] == [1, 2]
    assert latest(episode, NCMEC).facts["youth"]["height_inches"] == 66
    assert latest(episode, RECOVERY).status == PacketStatus.READY
    assert pipeline.catch_up()["built"] == 0


def test_a_run_saved_while_the_broker_is_down_still_gets_its_packets(commit, caseworker_a, youth, monkeypatch,
                                                                     caplog):
    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("Error 111 connecting to 127.0.0.1:6399")

    monkeypatch.setattr(tasks.build_packet, "apply_async", broker_down)
    monkeypatch.setattr(caseapp_tasks.deliver_alert, "apply_async", broker_down)
    with commit():
        episode = services.log_run(actor=caseworker_a, youth_id=youth.pk, **run_fields())
    assert "the periodic sweep will pick it up" in caplog.text
    assert not PacketVersion.objects.exists()

    tasks.sweep_clocks.apply()

    assert {v.kind: v.status for v in PacketVersion.objects.filter(episode=episode)} == {
        NCMEC: PacketStatus.READY, LE: PacketStatus.READY,
    }


def test_the_sweep_task_catches_up_and_keeps_its_result(unqueued_episode):
    # The packet counts are logged, not added to the sweep's counts.
    result = tasks.sweep_clocks.apply().get()
    assert set(result) == {"first_hour", "lead_caseworker", "lead_supervisor", "overdue", "skipped"}
    assert PacketVersion.objects.filter(episode=unqueued_episode, status=PacketStatus.READY).count() == 2


def test_catch_up_retries_a_failed_build_after_a_backoff(unqueued_episode, monkeypatch):
    render_fails_once(monkeypatch)
    with pytest.raises(RuntimeError):
        pipeline.build(unqueued_episode.pk, NCMEC, reason="Run logged")
    failed = latest(unqueued_episode, NCMEC)

    pipeline.catch_up(now=failed.claimed_at + 30 * datetime.timedelta(seconds=1))
    failed.refresh_from_db()
    assert failed.status == PacketStatus.FAILED  # too soon

    counts = pipeline.catch_up(now=failed.claimed_at + pipeline.CATCH_UP_BACKOFF)
    failed.refresh_from_db()
    assert failed.status == PacketStatus.READY
    assert counts["retried"] == 1


def test_catch_up_stops_retrying_after_the_attempts_run_out(unqueued_episode, monkeypatch):
    monkeypatch.setattr(kinds, "render", lambda kind, facts: pytest.fail("retried a build that ran out of attempts"))
    facts = packet_facts.assemble(unqueued_episode, NCMEC)
    PacketVersion.objects.create(
        episode=unqueued_episode, kind=NCMEC, content_hash=pipeline.content_hash(facts), number=1, facts=facts,
        status=PacketStatus.FAILED, error="ValueError: bad facts", attempts=pipeline.CATCH_UP_MAX_ATTEMPTS,
        claimed_at=timezone.now() - 24 * H, trigger="Run logged",
    )
    monkeypatch.setattr(pipeline, "kinds_for", lambda episode: [NCMEC])
    assert pipeline.catch_up() == {"retried": 0, "built": 0, "failed": 0}
    assert latest(unqueued_episode, NCMEC).status == PacketStatus.FAILED


def test_catch_up_takes_over_a_stale_claim_and_gives_up_on_one_that_never_finishes(unqueued_episode):
    stale = make_claim(unqueued_episode, NCMEC, claimed_ago=10 * MIN, attempts=2)
    hopeless = make_claim(unqueued_episode, LE, claimed_ago=10 * MIN, attempts=pipeline.CATCH_UP_MAX_ATTEMPTS)
    fresh = timezone.now()

    counts = pipeline.catch_up(now=fresh)

    stale.refresh_from_db()
    hopeless.refresh_from_db()
    assert stale.status == PacketStatus.READY and stale.attempts == 3
    assert hopeless.status == PacketStatus.FAILED
    assert "never finished" in hopeless.error
    assert counts == {"retried": 1, "built": 0, "failed": 1}


def test_catch_up_with_nothing_to_do_runs_a_fixed_number_of_queries(commit, caseworker_a, team_a1, monkeypatch):
    # Once the changes are older than the margin (seconds after their build), nothing is looked at again.
    monkeypatch.setattr(pipeline, "CHANGE_COMMIT_MARGIN", datetime.timedelta(0))

    def idle_queries():
        pipeline.catch_up()
        with CaptureQueriesContext(connection) as context:
            pipeline.catch_up()
        return len(context.captured_queries)

    for _ in range(2):
        with commit():
            services.log_run(actor=caseworker_a, youth_id=YouthFactory(team=team_a1).pk, **run_fields())
    few = idle_queries()
    for _ in range(5):
        with commit():
            services.log_run(actor=caseworker_a, youth_id=YouthFactory(team=team_a1).pk, **run_fields())
    assert idle_queries() == few
    assert few <= 4


def test_catch_up_is_bounded(no_requests, commit, caseworker_a, team_a1):
    for _ in range(3):
        with commit():
            services.log_run(actor=caseworker_a, youth_id=YouthFactory(team=team_a1).pk, **run_fields())
    assert pipeline.catch_up(max_builds=4)["built"] == 4
    assert pipeline.catch_up(max_checks=1)["built"] == 1
    assert pipeline.catch_up(max_builds=4)["built"] == 1
    assert PacketVersion.objects.filter(status=PacketStatus.READY).count() == 6


# --- Submissions --------------------------------------------------------------------------------


def submit(actor, packet, **overrides):
    fields = {
        "channel": "ncmec_call_centre", "reference": "NCMEC-1234567",
        "submitted_at": timezone.now() - 10 * MIN, **overrides,
    }
    return submissions.record_submission(actor=actor, packet_id=packet.pk, **fields)


def test_submitting_the_ncmec_packet_completes_the_ncmec_clock_with_the_case_number(
    commit, episode, caseworker_a, youth
):
    packet = latest(episode, NCMEC)
    when = timezone.now() - 10 * MIN
    with commit():
        submission = submit(caseworker_a, packet, submitted_at=when, reference=" NCMEC-1234567 ")

    clock = notice(episode, "ncmec")
    assert clock.done_at == when
    assert clock.done_by == caseworker_a
    assert clock.method == "phone"
    assert clock.reference == "NCMEC-1234567"
    assert clock.ncmec_case_number == "NCMEC-1234567"
    assert submission.packet == packet
    assert submission.notification == clock
    assert submission.channel == "ncmec_call_centre"
    assert submission.reference == "NCMEC-1234567"
    assert submission.submitted_by == caseworker_a
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="packetsubmission")
    assert event.youth == youth
    assert event.detail["kind"] == NCMEC and event.detail["number"] == 1
    assert not notice(episode, "law_enforcement").is_done
    # NCMEC's own case number is no news to NCMEC: the version sent stays the current one.
    assert versions(episode, NCMEC) == [packet]
    assert PacketSubmission.objects.get().packet.number == 1
    # It is news to law enforcement: their packet gets a version that carries it.
    le_old, le_new = versions(episode, LE)
    assert le_new.facts["ncmec"]["case_number"] == "NCMEC-1234567"
    assert le_old.facts["ncmec"]["case_number"] == ""


def test_submitting_the_law_enforcement_packet_makes_no_new_version_of_it_but_one_for_ncmec(
    commit, episode, caseworker_a
):
    packet = latest(episode, LE)
    with commit():
        submit(caseworker_a, packet, channel="le_phone", reference="PD-25-000999")
    assert versions(episode, LE) == [packet]
    _, ncmec_new = versions(episode, NCMEC)
    assert ncmec_new.facts["law_enforcement"]["case_number"] == "PD-25-000999"


def test_a_real_change_after_a_submission_makes_a_version_that_quotes_the_recipients_number(
    commit, episode, youth, caseworker_a
):
    sent = latest(episode, NCMEC)
    with commit():
        submit(caseworker_a, sent, reference="NCMEC-7654321")
    change_height(commit, caseworker_a, youth, inches=71)
    old, new = versions(episode, NCMEC)
    assert old.pk == sent.pk and new.number == 2
    assert new.facts["youth"]["height_inches"] == 71
    assert new.facts["ncmec"]["case_number"] == "NCMEC-7654321"  # the update names NCMEC's own case


def test_submitting_the_law_enforcement_packet_completes_the_law_enforcement_clock(episode, caseworker_a):
    submit(caseworker_a, latest(episode, LE), channel="le_in_person", reference="PD-25-000123")
    clock = notice(episode, "law_enforcement")
    assert clock.is_done
    assert clock.method == "in_person"
    assert clock.reference == "PD-25-000123"
    assert not notice(episode, "ncmec").is_done


def test_a_recovery_notice_completes_the_recovery_clock_of_the_party_it_went_to(commit, episode, caseworker_a):
    log_the_return(commit, caseworker_a, episode)
    recovery = latest(episode, RECOVERY)

    submit(caseworker_a, recovery, channel="ncmec_portal", reference="NCMEC-1234567")
    assert notice(episode, "ncmec", event="returned").method == "portal"
    assert not notice(episode, "law_enforcement", event="returned").is_done

    submit(caseworker_a, recovery, channel="le_written", reference="PD-25-000123")
    assert notice(episode, "law_enforcement", event="returned").method == "written"
    assert not notice(episode, "ncmec").is_done  # the run's own NCMEC notice is another clock


def test_a_clock_already_done_keeps_its_evidence(commit, episode, caseworker_a):
    record_le_case_number(commit, caseworker_a, episode, number="PD-1")
    before = notice(episode, "law_enforcement")
    submit(caseworker_a, latest(episode, LE), channel="le_phone", reference="PD-1")
    after = notice(episode, "law_enforcement")
    assert (after.done_at, after.version, after.method) == (before.done_at, before.version, before.method)
    assert PacketSubmission.objects.get().notification == after


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"reference": "  "}, "reference"),
        ({"submitted_at": timezone.now() + H}, "submitted_at"),
        ({"submitted_at": timezone.now() - 3 * H}, "submitted_at"),  # before the youth was last seen
        ({"submitted_at": None}, "submitted_at"),
        ({"channel": "le_phone"}, "channel"),  # an NCMEC packet does not go to law enforcement
    ],
)
def test_a_bad_submission_is_refused_and_writes_nothing(episode, caseworker_a, overrides, field):
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        submit(caseworker_a, latest(episode, NCMEC), **overrides)
    assert field in refused.value.message_dict
    assert not PacketSubmission.objects.exists()
    assert not notice(episode, "ncmec").is_done
    assert AuditEvent.objects.count() == before


def test_a_packet_that_is_not_ready_cannot_be_submitted(unqueued_episode, caseworker_a):
    busy = make_claim(unqueued_episode, NCMEC, claimed_ago=MIN)
    with pytest.raises(ValidationError, match="not ready"):
        submit(caseworker_a, busy)
    assert not PacketSubmission.objects.exists()
    assert not notice(unqueued_episode, "ncmec").is_done


@pytest.mark.parametrize("persona", ["caseworker_b", "caseworker_a2", "agency_staff_a", "no_role_user"])
def test_submission_is_404_for_anyone_who_may_not_edit_the_youth(request, episode, persona):
    with pytest.raises(Http404):
        submit(request.getfixturevalue(persona), latest(episode, NCMEC))
    assert not PacketSubmission.objects.exists()


def test_a_supervisor_of_the_team_may_record_a_submission(episode, supervisor_a):
    submission = submit(supervisor_a, latest(episode, NCMEC))
    assert submission.submitted_by == supervisor_a


# --- Downloads ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt, content_type", [("pdf", "application/pdf"), ("json", "application/json")])
def test_a_download_is_named_by_case_number_and_audited(episode, caseworker_a, youth, fmt, content_type):
    packet = latest(episode, NCMEC)
    handle, filename, kind = pipeline.open_packet_file(caseworker_a, packet.pk, fmt, ip="203.0.113.9")
    with handle:
        data = handle.read()
    assert filename == f"KS_2025_0042-episode{episode.pk}-ncmec-v1.{fmt}"
    assert kind == content_type
    assert data[:5] == b"%PDF-" if fmt == "pdf" else json.loads(data) == packet.facts
    event = AuditEvent.objects.get(action=AuditAction.DOWNLOAD)
    assert event.actor == caseworker_a
    assert event.youth == youth
    assert event.object_type == "packetversion" and event.object_id == str(packet.pk)
    assert event.detail == {"kind": NCMEC, "number": 1, "format": fmt, "restricted_shown": True}
    assert event.ip_address == "203.0.113.9"


def test_old_versions_stay_downloadable(commit, episode, youth, caseworker_a, agency_staff_a):
    change_height(commit, caseworker_a, youth)
    old, new = versions(episode, NCMEC)
    for packet in (old, new):
        _, filename, _ = pipeline.open_packet_file(agency_staff_a, packet.pk, "pdf")
        assert filename.endswith(f"-ncmec-v{packet.number}.pdf")


@pytest.mark.parametrize("persona", ["caseworker_b", "caseworker_a2", "no_role_user"])
def test_a_download_is_404_out_of_scope_and_not_audited(request, episode, persona):
    with pytest.raises(Http404):
        pipeline.open_packet_file(request.getfixturevalue(persona), latest(episode, NCMEC).pk, "pdf")
    assert not AuditEvent.objects.filter(action=AuditAction.DOWNLOAD).exists()


def test_a_download_is_404_for_a_packet_not_ready_or_an_unknown_format(unqueued_episode, caseworker_a):
    busy = make_claim(unqueued_episode, LE, claimed_ago=MIN)
    with pytest.raises(Http404):
        pipeline.open_packet_file(caseworker_a, busy.pk, "pdf")
    ready = pipeline.build(unqueued_episode.pk, NCMEC, reason="Run logged")
    with pytest.raises(Http404):
        pipeline.open_packet_file(caseworker_a, ready.pk, "docx")
    with pytest.raises(Http404):
        pipeline.open_packet_file(caseworker_a, 999999, "pdf")
    assert not AuditEvent.objects.filter(action=AuditAction.DOWNLOAD).exists()


# --- Pure helpers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "case_number, safe",
    [("TC-000123", "TC-000123"), ("KS/2025 #0042", "KS_2025_0042"), ("../../etc", "etc"), ("", "case"),
     ("Ünïcode 7", "n_code_7")],
)
def test_case_numbers_become_safe_file_name_parts(case_number, safe):
    assert pipeline.safe_case_number(case_number) == safe



def test_the_same_submission_twice_is_refused_and_counted_once(episode, caseworker_a):
    packet = latest(episode, NCMEC)
    submit(caseworker_a, packet)
    with pytest.raises(ValidationError, match="already recorded as submitted"):
        submit(caseworker_a, packet)
    assert PacketSubmission.objects.filter(packet=packet).count() == 1


def test_a_record_edited_back_makes_the_earlier_version_current_again(commit, episode, caseworker_a, youth, client_for):
    first = latest(episode, NCMEC)
    original_height = youth.height_inches
    change_height(commit, caseworker_a, youth, inches=70)
    assert latest(episode, NCMEC).number == 2

    change_height(commit, caseworker_a, youth, inches=original_height)

    versions = PacketVersion.objects.filter(episode=episode, kind=NCMEC)
    assert versions.count() == 2  # no copy of version 1
    current = versions.order_by("-current_since", "-number").first()
    assert current.pk == first.pk
    # The episode page offers version 1 as the current NCMEC packet.
    page = client_for(caseworker_a).get(reverse("episode_detail", args=[episode.pk])).content.decode()
    ncmec_section = page[page.index("NCMEC report packet"):]
    assert ncmec_section.index("Version 1") < ncmec_section.index("Version 2")


def test_catch_up_rebuilds_when_an_earlier_episode_is_corrected(commit, caseworker_a, youth, monkeypatch):
    # An earlier run, returned; then the current run and its packets.
    now = timezone.now()
    with commit():
        earlier = services.log_run(
            actor=caseworker_a, youth_id=youth.pk,
            **run_fields(last_seen_at=now - 240 * H, agency_learned_at=now - 239 * H),
        )
        earlier = services.log_return(
            actor=caseworker_a, episode_id=earlier.pk, expected_version=earlier.version,
            continue_previous_placement=True, returned_at=now - 200 * H, found_address="12 Elm Court, Topeka",
        )
        current = services.log_run(actor=caseworker_a, youth_id=youth.pk, **run_fields())
    assert latest(current, NCMEC).facts["prior_episodes"][0]["found_address"] == "12 Elm Court, Topeka"
    before = {kind: latest(current, kind).number for kind in (NCMEC, LE)}
    # The sweep last looked at the current run's packets at T; the correction comes after T, and the
    # request it would make for the current run's packets is lost (it only asks for the earlier run's).
    looked = now + 30 * MIN
    for kind in (NCMEC, LE):
        monkeypatch.setitem(pipeline._checked, (current.pk, kind), looked)
    earlier.found_address = "14 Elm Court, Topeka"
    earlier.version += 1
    earlier._history_user = caseworker_a
    earlier.save()
    earlier.history.filter(history_date__gte=now).update(history_date=looked + H)

    pipeline.catch_up(now=looked + 2 * H)

    for kind in (NCMEC, LE):
        packet = latest(current, kind)
        assert packet.number == before[kind] + 1
        assert packet.facts["prior_episodes"][0]["found_address"] == "14 Elm Court, Topeka"
