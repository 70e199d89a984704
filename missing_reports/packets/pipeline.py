"""Building report packets, exactly once per set of facts, and what users do with them.

The build (docs/design.md#rule-idempotent-tasks), for one episode and kind:

    facts = facts.assemble(episode, kind)                 the one shared assembly
    content_hash = sha256(canonical JSON of the facts,    identifies the version
                   less the recipient's own case number)  (changes.hashed_facts)
    version = get or create (episode, kind, hash)         unique constraint: concurrent builders meet;
                                                          a row is created already claimed by its
                                                          creator (BUILDING, attempts 1)
    READY                → done, nothing new              idempotent
    claim it             PENDING / FAILED, or BUILDING whose claim is older than BUILD_LEASE
                         (a worker killed half-way), → BUILDING with one conditional UPDATE;
                         while it builds, a heartbeat refreshes the claim every BUILD_HEARTBEAT
    lost the claim       → someone else is building it; return the row
    render               kinds.render(kind, version.facts): the STORED facts, so the files always
                         match the row; files named by case number and episode id, never by name
    BUILDING → READY     conditional on still holding this claim (the claimed_at of its last
                         heartbeat); files and status change in one UPDATE, so no READY row
                         ever lacks its files
    on an exception      → FAILED with the error kept (conditional on the claim), files of this
                         attempt deleted, re-raised so the Celery task retries with backoff

A version row is never deleted or changed after READY: old versions stay downloadable, each with
the trigger that made it. A save that could not queue its build (Redis down) is caught up by
`catch_up`, which the minute sweep runs (escalation.sweep), from the database alone.
"""

import datetime
import hashlib
import io
import json
import logging
import re
import threading
import time
from contextlib import nullcontext

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Max, OuterRef, Q, Subquery
from django.http import Http404
from django.utils import timezone

from caseapp import access, audit
from caseapp.models import AuditAction, Youth, YouthPhoto
from caseapp.queue import enqueue_on_commit

from ..models import (
    EpisodeStatus,
    MissingEpisode,
    Notification,
    PacketKind,
    PacketStatus,
    PacketVersion,
)
from . import changes, kinds
from . import facts as packet_facts
from .pdf import photo as packet_photo

log = logging.getLogger(__name__)

# A builder in a worker refreshes its claim (claimed_at) every BUILD_HEARTBEAT while it works, so a
# long honest build keeps it. A BUILDING claim older than BUILD_LEASE (three heartbeats missed)
# belongs to a worker that died or hangs: anyone may take it over. The minute sweep does, so a build
# killed with its worker is ready again within BUILD_LEASE + the sweep's 60 s period + one build:
# about 90 s, under the 2 minutes docs/packets.md promises ("A worker killed mid-build").
BUILD_HEARTBEAT = datetime.timedelta(seconds=10)
BUILD_LEASE = datetime.timedelta(seconds=30)
# catch_up looks after open episodes and those returned this recently (their recovery packet).
RECENT_RETURN = datetime.timedelta(days=30)
# Bounded work per catch_up call (it runs inside the minute sweep): builds, and facts assembled to
# see whether a build is needed (a few milliseconds each).
CATCH_UP_MAX_BUILDS = 200
CATCH_UP_MAX_CHECKS = 200
# catch_up retries a FAILED version until it has had this many attempts (the Celery task's own
# retries included), waiting CATCH_UP_BACKOFF * 2**(attempts - 1), at most CATCH_UP_BACKOFF_MAX,
# after the last one. After that it stays FAILED, shown on the episode page; a new change builds
# a new version.
CATCH_UP_MAX_ATTEMPTS = 10
CATCH_UP_BACKOFF = datetime.timedelta(minutes=1)
CATCH_UP_BACKOFF_MAX = datetime.timedelta(hours=1)

# The task that builds a version (missing_reports/tasks.py), sent by name: the task imports this
# module, never the reverse (caseapp/queue.py).
BUILD_TASK = "missing_reports.tasks.build_packet"

TRIGGER_MAX = PacketVersion._meta.get_field("trigger").max_length
ERROR_MAX = 2000
CATCH_UP_TRIGGER = "Periodic check: no packet had been built for the current record"

FORMATS = {"pdf": ("pdf_file", "application/pdf"), "json": ("json_file", "application/json")}

# --- Which packets an episode has --------------------------------------------------------------


def kinds_for(episode) -> list[str]:
    """The packet kinds that apply to `episode`.

    NCMEC and law enforcement from the run on, and still after the return (their packets then say
    the youth returned); the recovery notice once the youth has returned.
    """
    wanted = [PacketKind.NCMEC, PacketKind.LAW_ENFORCEMENT]
    if episode.status == EpisodeStatus.RETURNED:
        wanted.append(PacketKind.RECOVERY)
    return [kind.value for kind in wanted if kind.value in kinds.KINDS]


def content_hash(facts: dict) -> str:
    """The version's identity: sha256 of the canonical JSON of its facts, less the recipient's own
    case number (changes.hashed_facts): recording a submission must not make a new version of the
    packet just sent."""
    return hashlib.sha256(_canonical(changes.hashed_facts(facts)).encode()).hexdigest()


def _canonical(facts: dict) -> str:
    return json.dumps(facts, sort_keys=True, separators=(",", ":"))


def safe_case_number(case_number: str) -> str:
    """The agency case number as a file-name part: [A-Za-z0-9_-] only."""
    return re.sub(r"[^A-Za-z0-9_-]+", "_", case_number or "").strip("_") or "case"


def file_name(version, case_number: str, fmt: str) -> str:
    """`<case number>-episode<id>-<kind>-v<number>.<fmt>`: never the youth's name."""
    return f"{safe_case_number(case_number)}-episode{version.episode_id}-{version.kind}-v{version.number}.{fmt}"


# --- Triggers ---------------------------------------------------------------------------------


def request_packets(episode, *, reason, actor=None) -> None:
    """Queue a build of each packet kind that applies, after the current transaction commits.

    Never fails the save: when the broker cannot be reached the message is dropped with a warning
    (caseapp.queue) and `catch_up`, run by the minute sweep, builds the packet from the database.
    """
    actor_id = getattr(actor, "pk", None)
    for kind in kinds_for(episode):
        enqueue_on_commit(BUILD_TASK, episode.pk, kind, _trigger(reason), actor_id)


def youth_changes_reason(changed) -> str:
    """The trigger text of a youth-record change: what changed, never a value."""
    names = [name for name in changed if name not in Youth.RESTRICTED_FIELDS]
    if names == ["photo"]:
        return "New photo added to the youth's record"
    labels = []
    for name in names:
        try:
            labels.append(str(Youth._meta.get_field(name).verbose_name))
        except FieldDoesNotExist:
            labels.append(name.replace("_", " "))
    return "Youth's record updated" + (f": {', '.join(labels)}" if labels else "")


def on_youth_record_changed(sender, *, youth_id, actor=None, changed=(), **kwargs):
    """caseapp.signals.youth_record_changed: new versions for the youth's open episode and its
    most recent returned one (whose recovery notice may still be going out).

    Runs after the change committed; never raises into the caller (the signal is sent robustly, and
    this logs its own errors too).
    """
    try:
        episodes = list(
            MissingEpisode.objects.filter(youth_id=youth_id, status=EpisodeStatus.OPEN).only("pk", "status")
        )
        last_returned = (
            MissingEpisode.objects.filter(youth_id=youth_id, status=EpisodeStatus.RETURNED)
            .order_by("-returned_at", "-pk")
            .only("pk", "status")
            .first()
        )
        if last_returned is not None:
            episodes.append(last_returned)
        reason = youth_changes_reason(changed)
        for episode in episodes:
            request_packets(episode, reason=reason, actor=actor)
    except Exception:
        log.exception("Could not request packets after a change to youth %s; the periodic check will.", youth_id)


def _trigger(reason) -> str:
    text = " ".join(str(reason or "").split()) or "Requested"
    return text if len(text) <= TRIGGER_MAX else text[: TRIGGER_MAX - 1] + "…"


# --- The build --------------------------------------------------------------------------------


def build(episode_id, kind, *, reason, actor_id=None) -> PacketVersion:
    """Build the `kind` packet of the episode's current facts, or return the version that has them.

    Idempotent and safe to run concurrently (module docstring). Raises on a failed build, after
    marking the version FAILED with the error, so the Celery task retries it.

    A new version costs eight queries: the episode (with youth, agency, placement and recovery
    photo), the four other reads of the facts, the episode's versions of this kind, the INSERT of
    the claimed version and the UPDATE to READY.
    """
    if kind not in kinds.KINDS:
        raise ValueError(f"Unknown packet kind {kind!r}.")
    episode = packet_facts.load_episode(episode_id)  # read once: the facts and the file names use it
    assembled_at = timezone.now()  # a version's created_at is when its facts were read (see catch_up)
    facts = packet_facts.assemble(episode, kind)
    version, claimed_at = _claimed_version_for(
        episode, kind, facts, trigger=_trigger(reason), actor_id=actor_id, now=assembled_at
    )
    return _finish(version, episode, claimed_at=claimed_at)


def _claimed_version_for(episode, kind, facts, *, trigger, actor_id, now=None):
    """(version, claimed_at): the version row of these facts, found or created with the next number.

    A row this call creates is created claimed (BUILDING, attempts 1, claimed_at): nobody else can
    have seen it, so its creator builds it without a separate claim (`claimed_at` is returned; None
    for a row that already existed, which `_finish` claims as usual). A creator killed before it
    finishes leaves a BUILDING row whose lease runs out, as after any claim.

    Concurrent builders of the same facts converge on one row (the unique (episode, kind, hash)
    constraint); builders of different facts that race for a number retry with the next one. One
    query finds the row and the next number, one creates it.
    """
    canonical = _canonical(facts)
    digest = content_hash(facts)
    rows = PacketVersion.objects.filter(episode_id=episode.pk, kind=kind)
    for _ in range(10):
        # Newest-current first: (pk, content hash, number) of every version of this packet.
        known = list(rows.order_by("-current_since", "-number").values_list("pk", "content_hash", "number"))
        existing_pk = next((pk for pk, content, _ in known if content == digest), None)
        if existing_pk is not None:
            existing = PacketVersion.objects.get(pk=existing_pk)
            if known[0][0] != existing_pk:
                # The record went back to earlier facts: that version is the current one again.
                existing.current_since = now or timezone.now()
                PacketVersion.objects.filter(pk=existing.pk).update(current_since=existing.current_since)
            return existing, None
        number = max((n for _, _, n in known), default=0) + 1
        claimed_at = timezone.now()
        try:
            # In autocommit (a worker) the INSERT commits by itself; inside a transaction a savepoint
            # keeps a lost race from breaking it.
            with transaction.atomic() if transaction.get_connection().in_atomic_block else nullcontext():
                version = PacketVersion.objects.create(
                    episode_id=episode.pk,
                    kind=kind,
                    content_hash=digest,
                    number=number,
                    # Stored as the canonical JSON reads back, so what is rendered is what was hashed
                    # (with the recipient's own number, which the hash leaves out).
                    facts=json.loads(canonical),
                    trigger=trigger,
                    triggered_by_id=actor_id,
                    created_at=now or timezone.now(),
                    current_since=now or timezone.now(),
                    status=PacketStatus.BUILDING,
                    claimed_at=claimed_at,
                    attempts=1,
                )
            return version, claimed_at
        except IntegrityError:
            continue  # another builder made this version, or took this number: look again
    raise RuntimeError(f"Could not create a {kind} packet version for episode {episode.pk}.")


def _claimable(now):
    return Q(status__in=[PacketStatus.PENDING, PacketStatus.FAILED]) | Q(
        status=PacketStatus.BUILDING, claimed_at__lt=now - BUILD_LEASE
    )


def _finish(version, episode, *, claimed_at=None) -> PacketVersion:
    """Claim `version`, render it from its stored facts and mark it READY (or FAILED, re-raising).

    `claimed_at`: the claim this caller already holds, when it created the version claimed
    (`_claimed_version_for`); its facts are then those it stored, as the database gives them back.
    """
    if claimed_at is None:
        if version.status == PacketStatus.READY:
            return version
        claimed_at = timezone.now()
        claimed = (
            PacketVersion.objects.filter(pk=version.pk)
            .filter(_claimable(claimed_at))
            .update(status=PacketStatus.BUILDING, claimed_at=claimed_at, attempts=F("attempts") + 1)
        )
        if not claimed:
            # Ready, or another worker holds a live claim: it builds, this one does nothing.
            version.refresh_from_db()
            return version
        version.refresh_from_db()  # the stored facts, as the database gives them back
    version.episode = episode  # for packet_path (agency code), without a query
    written = []
    claim = _Heartbeat(version.pk, claimed_at)
    try:
        with claim:
            if settings.PACKET_BUILD_TEST_DELAY:  # tests only: time to kill the worker mid-build
                time.sleep(settings.PACKET_BUILD_TEST_DELAY)
            # The photos the facts were just assembled with (if they were): the PDF need not read them again.
            with packet_photo.known_photos(getattr(episode, "packet_photos", ())):
                json_bytes, pdf_bytes = kinds.render(version.kind, version.facts)
            case_number = episode.youth.case_number
            for field, data, fmt in (("json_file", json_bytes, "json"), ("pdf_file", pdf_bytes, "pdf")):
                getattr(version, field).save(file_name(version, case_number, fmt), ContentFile(data), save=False)
                written.append(getattr(version, field).name)
        # The heartbeat has stopped: claim.claimed_at is the claim as the database holds it.
        ready_at = timezone.now()
        done = PacketVersion.objects.filter(
            pk=version.pk, status=PacketStatus.BUILDING, claimed_at=claim.claimed_at
        ).update(
            status=PacketStatus.READY,
            ready_at=ready_at,
            error="",
            json_file=version.json_file.name,
            pdf_file=version.pdf_file.name,
        )
    except Exception as exc:
        _delete_files(version, written)
        try:
            PacketVersion.objects.filter(
                pk=version.pk, status=PacketStatus.BUILDING, claimed_at=claim.claimed_at
            ).update(status=PacketStatus.FAILED, error=_error_text(exc))
        except Exception:  # the database itself is failing: the claim's lease runs out instead
            log.exception("Could not mark packet version %s failed.", version.pk)
        log.warning(
            "Building %s packet v%s of episode %s failed.",
            version.kind,
            version.number,
            version.episode_id,
            exc_info=True,
        )
        raise
    if not done:
        # The claim was taken over (this build outlived BUILD_LEASE): the new holder's files count.
        _delete_files(version, written)
        log.warning("Lost the claim on packet version %s while building it; its files were discarded.", version.pk)
        version.refresh_from_db()
        return version
    # The row is what this UPDATE wrote: no need to read it back.
    version.status, version.ready_at, version.error = PacketStatus.READY, ready_at, ""
    return version


class _Heartbeat:
    """While a build runs, refresh its claim every BUILD_HEARTBEAT from a thread (with its own
    database connection), so that BUILD_LEASE can be short and a long build is still not taken
    over. Each refresh is conditional on the claim being the one this build holds; once another
    builder took it over, the heartbeat stops and the build's final UPDATE finds out.

    Only when the build runs in autocommit (a worker, or a task run after a commit). Inside a
    caller's transaction (a task run eagerly in a request or a test) nobody else can see the claim
    before it is READY, and a second connection would wait for that transaction's row lock.
    """

    def __init__(self, pk, claimed_at):
        self.pk = pk
        self.claimed_at = claimed_at
        self._stop = threading.Event()
        self._thread = None

    def __enter__(self):
        if not transaction.get_connection().in_atomic_block:
            self._thread = threading.Thread(target=self._beat, name=f"packet-{self.pk}-heartbeat", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        return False

    def _beat(self):
        from django.db import connection

        try:
            while not self._stop.wait(BUILD_HEARTBEAT.total_seconds()):
                now = timezone.now()
                kept = PacketVersion.objects.filter(
                    pk=self.pk, status=PacketStatus.BUILDING, claimed_at=self.claimed_at
                ).update(claimed_at=now)
                if not kept:
                    return
                self.claimed_at = now
        except Exception:  # the lease runs out instead; the build's own UPDATEs say what happened
            log.warning("Could not refresh the claim on packet version %s.", self.pk, exc_info=True)
        finally:
            connection.close()


def _delete_files(version, names):
    storage = version.json_file.storage
    for name in names:
        try:
            storage.delete(name)
        except Exception:
            log.warning("Could not delete %s of an unfinished packet build.", name, exc_info=True)


def _error_text(exc) -> str:
    text = f"{type(exc).__name__}: {exc}"
    return text if len(text) <= ERROR_MAX else text[: ERROR_MAX - 1] + "…"


# --- Catch-up ---------------------------------------------------------------------------------


def _retry_due(version, now) -> bool:
    """May catch_up retry this PENDING / FAILED / BUILDING version now?"""
    if version.status == PacketStatus.PENDING:
        return True
    if version.status == PacketStatus.BUILDING:
        return version.claimed_at is not None and version.claimed_at < now - BUILD_LEASE
    if version.attempts >= CATCH_UP_MAX_ATTEMPTS:
        return False
    wait = min(CATCH_UP_BACKOFF * 2 ** max(0, version.attempts - 1), CATCH_UP_BACKOFF_MAX)
    return version.claimed_at is None or version.claimed_at <= now - wait


def catch_up(now=None, *, max_builds=CATCH_UP_MAX_BUILDS, max_checks=CATCH_UP_MAX_CHECKS) -> dict:
    """Finish what builds left undone and build what was never queued. Returns counts.

    1. Versions PENDING, FAILED (attempts left, after a backoff) or BUILDING with a stale claim (a
       killed worker) are rendered from their stored facts.
    2. Open episodes, and those returned within RECENT_RETURN, whose packet inputs changed after
       their newest version of a kind was assembled (or that have none) get their current facts
       assembled and hashed; a hash with no version is built. That covers every change whose
       request to build was lost (Redis down): each trigger (run, episode edit, notice, return,
       youth edit, photo) leaves a timestamp in the episode's or a notice's history, the youth's
       `updated_at` or the photo's `uploaded_at`.

    With nothing to do it runs a fixed number of queries (four) whatever the caseload, so the
    minute sweep can afford it. Bounded: at most `max_builds` builds and `max_checks` assemblies per
    call, the likeliest first; the next sweep continues. A failing build is counted and logged,
    never raised: one bad packet must not stop the others.
    """
    now = now or timezone.now()
    counts = {"retried": 0, "built": 0, "failed": 0}
    budget = max_builds
    checks = max_checks

    # 1. Unfinished versions: never-claimed and abandoned claims first, then failures due a retry.
    abandoned = PacketVersion.objects.filter(
        Q(status=PacketStatus.PENDING) | Q(status=PacketStatus.BUILDING, claimed_at__lt=now - BUILD_LEASE)
    )
    failed = PacketVersion.objects.filter(
        status=PacketStatus.FAILED, attempts__lt=CATCH_UP_MAX_ATTEMPTS, claimed_at__lte=now - CATCH_UP_BACKOFF
    )
    for rows in (abandoned, failed):
        for version in rows.select_related("episode__youth__agency").order_by("created_at", "pk")[: budget * 4]:
            if budget <= 0:
                return counts
            if not _retry_due(version, now):
                continue
            budget -= 1
            if version.status == PacketStatus.BUILDING and version.attempts >= CATCH_UP_MAX_ATTEMPTS:
                _give_up(version)
                counts["failed"] += 1
            elif _try(lambda v=version: _finish(v, v.episode), counts):
                counts["retried"] += 1

    # 2. Current facts that may have no version (the request to build them was lost).
    for episode, kind in _maybe_outdated(now):
        if budget <= 0 or checks <= 0:
            return counts
        checks -= 1
        assembled_at = timezone.now()
        try:
            facts = packet_facts.assemble(episode, kind)
        except Exception:
            log.exception("Could not assemble the %s facts of episode %s.", kind, episode.pk)
            counts["failed"] += 1
            continue
        _checked[(episode.pk, kind)] = assembled_at
        digest = content_hash(facts)
        if PacketVersion.objects.filter(episode_id=episode.pk, kind=kind, content_hash=digest).exists():
            continue
        budget -= 1

        def make(episode=episode, kind=kind, facts=facts, assembled_at=assembled_at):
            version, claimed_at = _claimed_version_for(
                episode, kind, facts, trigger=CATCH_UP_TRIGGER, actor_id=None, now=assembled_at
            )
            return _finish(version, episode, claimed_at=claimed_at)

        if _try(make, counts):
            counts["built"] += 1
    return counts


# A change timed less than this before the newest version's facts were read is looked at again, once
# per process and after every other candidate: it may have committed just after that read (its
# timestamp is taken inside its transaction). Changes normally commit within milliseconds.
CHANGE_COMMIT_MARGIN = datetime.timedelta(seconds=10)
# When this process last assembled the facts of (episode id, kind) and found a version for them.
# Process-local and only a saving: a no-op change (a youth field the packets do not show) is then
# assembled again once per worker process, not every minute.
_checked: dict[tuple[int, str], datetime.datetime] = {}


def _maybe_outdated(now):
    """(episode, kind) pairs whose packet inputs may have changed since their newest version was
    assembled, likeliest first: no version at all, or changed after it (newest change first); then
    changed just before it (CHANGE_COMMIT_MARGIN). Two queries."""
    recent = Q(status=EpisodeStatus.OPEN) | Q(status=EpisodeStatus.RETURNED, returned_at__gte=now - RECENT_RETURN)
    history = MissingEpisode.history.model.objects
    notice_history = Notification.history.model.objects
    episodes = list(
        MissingEpisode.objects.filter(recent)
        .select_related("youth__agency")
        .annotate(
            episode_changed=Subquery(
                history.filter(id=OuterRef("pk")).order_by("-history_date").values("history_date")[:1]
            ),
            # An earlier episode of the youth corrected (its found address, say): facts.prior_episodes.
            prior_changed=Subquery(
                history.filter(youth_id=OuterRef("youth_id"), last_seen_at__lt=OuterRef("last_seen_at"))
                .order_by("-history_date")
                .values("history_date")[:1]
            ),
            notice_changed=Subquery(
                notice_history.filter(episode_id=OuterRef("pk")).order_by("-history_date").values("history_date")[:1]
            ),
            photo_added=Subquery(
                YouthPhoto.objects.filter(youth_id=OuterRef("youth_id"))
                .order_by("-uploaded_at")
                .values("uploaded_at")[:1]
            ),
        )
        .order_by("-agency_learned_at", "-pk")
    )
    newest = {
        (row["episode_id"], row["kind"]): row["newest"]
        for row in PacketVersion.objects.filter(episode__in=MissingEpisode.objects.filter(recent))
        .values("episode_id", "kind")
        .annotate(newest=Max("created_at"))
    }
    wanted, after, just_before = set(), [], []
    for episode in episodes:
        changed = max(
            moment
            for moment in (
                episode.created_at,
                episode.episode_changed,
                episode.prior_changed,
                episode.notice_changed,
                episode.photo_added,
                episode.youth.updated_at,
            )
            if moment is not None
        )
        for kind in kinds_for(episode):
            wanted.add((episode.pk, kind))
            covered = max(
                filter(None, (newest.get((episode.pk, kind)), _checked.get((episode.pk, kind)))), default=None
            )
            if covered is None or changed > covered:
                after.append((changed, episode, kind))
            elif changed >= covered - CHANGE_COMMIT_MARGIN:
                just_before.append((changed, episode, kind))
    for key in [key for key in _checked if key not in wanted]:  # episodes no longer looked after
        del _checked[key]
    for candidates in (after, just_before):
        candidates.sort(key=lambda item: (item[0], item[1].pk), reverse=True)
        yield from ((episode, kind) for _, episode, kind in candidates)


def _give_up(version):
    """A build that was started CATCH_UP_MAX_ATTEMPTS times and never finished (the worker died each
    time): stop retrying it, visibly. A later change of the record builds a new version."""
    PacketVersion.objects.filter(pk=version.pk, status=PacketStatus.BUILDING, claimed_at=version.claimed_at).update(
        status=PacketStatus.FAILED,
        error=f"The build was started {version.attempts} times and never finished (the worker stopped).",
    )
    log.error("Gave up on packet version %s after %s unfinished builds.", version.pk, version.attempts)


def _try(build_step, counts) -> bool:
    try:
        build_step()
    except Exception:
        counts["failed"] += 1
        log.exception("A packet build in the periodic check failed; it will be retried.")
        return False
    return True


# --- Downloads ----------------------------------------------------------------------------


def open_packet_file(actor, packet_id, fmt, *, ip=None):
    """(open file, download name, content type) of a READY version's PDF or JSON; audited.

    Whoever may see the youth's health fields (access.can_see_restricted: the assigned caseworkers,
    their team's supervisors, agency admins) gets the stored file. Anyone else in scope gets the same
    version with those fields withheld (facts.withhold_health), rendered from the version's stored
    facts on request, so the PDF and the JSON follow the same rule. The audit row says which.

    404 when the packet is out of the user's scope, not ready, or `fmt` is neither pdf nor json.
    """
    if fmt not in FORMATS:
        raise Http404("No such format.")
    field, content_type = FORMATS[fmt]
    packet = (
        PacketVersion.objects.select_related("episode__youth")
        .defer("facts")
        .filter(pk=packet_id, status=PacketStatus.READY, episode__youth__in=access.youth_visible_to(actor))
        .first()
    )
    if packet is None:
        raise Http404("No such packet.")
    youth = packet.episode.youth
    full = access.can_see_restricted(actor, youth)
    if full:
        stored = getattr(packet, field)
        try:
            handle = stored.storage.open(stored.name, "rb")
        except FileNotFoundError:
            log.error("The %s file of packet version %s is missing from storage.", fmt, packet.pk)
            raise Http404("No such packet.") from None
    else:
        facts = PacketVersion.objects.values_list("facts", flat=True).get(pk=packet.pk)
        handle = io.BytesIO(kinds.render_one(packet.kind, packet_facts.withhold_health(facts), fmt))
    audit.record(
        actor,
        AuditAction.DOWNLOAD,
        packet,
        youth=youth,
        ip=ip,
        detail={"kind": packet.kind, "number": packet.number, "format": fmt, "restricted_shown": full},
    )
    return handle, file_name(packet, youth.case_number, fmt), content_type
