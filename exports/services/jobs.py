"""The verbs of exports: ask for one, run it (the Celery task), retry it, download it, purge expired files.

The run (docs/design.md#rule-idempotent-tasks), for one job:

    claim        one conditional UPDATE: PENDING → RUNNING, or a RUNNING job whose heartbeat stopped
                 (its worker died) → RUNNING again; started_at = the claim. Lost it: someone else runs it.
    count        report.count(query) → rows_total (the progress bar's 100 %)
    stream       report.rows(query) into the format's writer, into a partial file in private storage;
                 every PROGRESS_EVERY rows a cheap UPDATE of rows_done and the heartbeat, conditional on
                 the claim (a lost claim stops the run and its partial file is removed); a summary format
                 (PDF) gets report.summary_tables(query) instead (exports/pdf.py)
    finish       the file moved into private storage, then in one transaction: RUNNING → READY with the
                 file, row count and expiry (conditional on the claim), and the EXPORT audit event
    on an error  → FAILED with the error kept (conditional on the claim), the partial file removed;
                 the job page offers a retry (PENDING again, queued anew)

So running the task twice, or a redelivered message after a worker died, produces one file. A job whose
message was lost (Redis down when it was asked for) stays PENDING and the minute sweep (`catch_up`)
sends it again; a file past its expiry is removed by the same sweep (`purge_expired`), the row kept.
"""

import datetime
import itertools
import logging
import os
import tempfile
import time
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import F, Q
from django.http import Http404
from django.utils import timezone

from caseapp import access, audit
from caseapp.local_time import short_time
from caseapp.models import AuditAction, PlacementType, Team
from caseapp.queue import enqueue_on_commit

from .. import reports, selectors
from ..models import ExportJob, ExportStatus, export_path
from ..reports.base import PERIOD, PLACEMENT_TYPES, TEAMS, ExportFilters, ReportQuery
from ..writers import XLSX_MAX_ROWS, writer_for

log = logging.getLogger(__name__)

# The task that runs a job (exports/tasks.py), sent by name: the task imports this module, never the
# reverse (caseapp/queue.py).
RUN_EXPORT_TASK = "exports.tasks.run_export"
# rows_done and the heartbeat are written every this many rows: one small UPDATE per database chunk.
PROGRESS_EVERY = 2000
# A RUNNING job without a heartbeat for this long lost its worker: the sweep sends it again and the
# next run takes it over. Far longer than the gap between two heartbeats (well under a second per
# PROGRESS_EVERY rows; the count and the first fetch of a very large export take seconds).
RUN_LEASE = datetime.timedelta(minutes=10)
# A PENDING job not started this long after its message was sent is sent again (the message was lost,
# or waits behind a long export: then the second message finds the job taken and does nothing).
REQUEUE_AFTER = datetime.timedelta(minutes=2)
# A job whose run was started this many times without ever finishing (the worker died each time) fails
# visibly instead of being retried forever.
MAX_ATTEMPTS = 5
# Work per sweep.
SWEEP_BATCH = 200
# Partial files older than this belong to no live run (RUN_LEASE is far shorter).
PARTIAL_MAX_AGE = datetime.timedelta(days=1)
PARTIAL_DIR = "exports/partial"
ERROR_MAX = 2000


class ExportError(Exception):
    """A reason a job cannot produce its file, in words for the job page."""


class _ClaimLost(Exception):
    """Another run took this job over (this one outlived RUN_LEASE): stop and keep nothing."""


# --- Asking for an export ------------------------------------------------------------------------------------


def teams_for(user):
    """The teams a user may filter on: those of their scope in their agency (a supervisor's own teams)."""
    if not selectors.can_export(user):
        return Team.objects.none()
    return access.teams_visible_to(user).filter(agency_id=user.agency_id)


def check_request(actor, report_key, fmt, filters: ExportFilters) -> None:
    """Raise ValidationError, keyed by the form's fields, when this export cannot be asked for."""
    errors = {}
    report = reports.get(report_key)
    if report is None:
        raise ValidationError({"report": "Choose a report from the list."})
    if fmt not in report.formats:
        errors["format"] = (
            f"The {report.title.lower()} is made as " + " or ".join(label for _, label in report.format_choices()) + "."
        )
    # A report made per fiscal year checks its own period (check_filters), with words about the year.
    if PERIOD in report.filters and not report.fiscal_year_only:
        if filters.period_start is None:
            errors["period_start"] = "Give the first day of the period."
        if filters.period_end is None:
            errors["period_end"] = "Give the last day of the period."
        if filters.period_start and filters.period_end and filters.period_end < filters.period_start:
            errors["period_end"] = "The last day of the period must be on or after its first day."
    if TEAMS in report.filters and filters.team_ids:
        allowed = set(teams_for(actor).values_list("pk", flat=True))
        if set(filters.team_ids) - allowed:
            errors["teams"] = "Choose teams from the list: one of them is not a team you can report on."
    if PLACEMENT_TYPES in report.filters and set(filters.placement_types) - set(PlacementType.values):
        errors["placement_types"] = "Choose placement types from the list."
    if not errors.keys() & {"period_start", "period_end"}:
        errors.update(report.check_filters(filters))
    if errors:
        raise ValidationError(errors)


def _only_used(report, filters: ExportFilters) -> ExportFilters:
    """The filters the report reads; the others are dropped so the job says exactly what was applied."""
    return ExportFilters(
        period_start=filters.period_start if PERIOD in report.filters else None,
        period_end=filters.period_end if PERIOD in report.filters else None,
        team_ids=tuple(sorted(filters.team_ids)) if TEAMS in report.filters else (),
        placement_types=tuple(sorted(filters.placement_types)) if PLACEMENT_TYPES in report.filters else (),
    )


@transaction.atomic
def start_export(*, actor, report, fmt, filters: ExportFilters, ip=None) -> ExportJob:
    """Record a new export job for `actor` and queue its run after commit. 404 for a user who may not
    export; ValidationError (per field) for a bad request, with nothing saved."""
    if not selectors.can_export(actor):
        raise Http404("No reports for this account.")
    check_request(actor, report, fmt, filters)
    now = timezone.now()
    job = ExportJob.objects.create(
        agency_id=actor.agency_id,
        requested_by=actor,
        requested_ip=ip,
        report=report,
        format=fmt,
        filters=_only_used(reports.get(report), filters).to_json(),
        created_at=now,
        queued_at=now,
    )
    enqueue_on_commit(RUN_EXPORT_TASK, job.pk)
    return job


def run_again(*, actor, job_id, ip=None) -> ExportJob:
    """A new job with the same report, format and filters (checked again against today's scope)."""
    job = selectors.get_job_or_404(actor, job_id)
    if job.requested_by_id != actor.pk:
        raise Http404("No such export.")
    return start_export(
        actor=actor, report=job.report, fmt=job.format, filters=ExportFilters.from_json(job.filters), ip=ip
    )


@transaction.atomic
def retry_export(*, actor, job_id) -> ExportJob:
    """A FAILED job of the actor's, back to PENDING and queued again. The requester only."""
    job = selectors.get_job_or_404(actor, job_id)
    if job.requested_by_id != actor.pk:
        raise Http404("No such export.")
    now = timezone.now()
    retried = ExportJob.objects.filter(pk=job.pk, status=ExportStatus.FAILED).update(
        status=ExportStatus.PENDING,
        error="",
        rows_done=0,
        rows_total=None,
        queued_at=now,
        attempts=0,
        started_at=None,
        heartbeat_at=None,
        finished_at=None,
    )
    if not retried:
        raise ValidationError("Only a failed export can be retried.")
    enqueue_on_commit(RUN_EXPORT_TASK, job.pk)
    job.refresh_from_db()
    return job


# --- Running it ----------------------------------------------------------------------------------------------


def _claimable(now):
    return Q(status=ExportStatus.PENDING) | Q(status=ExportStatus.RUNNING, heartbeat_at__lt=now - RUN_LEASE)


def run_export(job_id) -> ExportJob | None:
    """Run one job to READY or FAILED. Idempotent: a job already taken, finished or failed is left as it
    is, so the task may run twice or be redelivered. Errors of the report end as FAILED with the error
    on the job page; they are not raised (the page offers the retry)."""
    claim = timezone.now()
    claimed = (
        ExportJob.objects.filter(pk=job_id)
        .filter(_claimable(claim))
        .update(
            status=ExportStatus.RUNNING,
            started_at=claim,
            heartbeat_at=claim,
            attempts=F("attempts") + 1,
            rows_done=0,
            rows_total=None,
            error="",
        )
    )
    job = ExportJob.objects.select_related("agency", "requested_by").filter(pk=job_id).first()
    if not claimed or job is None:
        return job
    try:
        _produce(job, claim)
    except _ClaimLost:
        log.warning("Export %s was taken over by another run; this run kept nothing.", job_id)
    except Exception as exc:
        failed = ExportJob.objects.filter(pk=job_id, status=ExportStatus.RUNNING, started_at=claim).update(
            status=ExportStatus.FAILED, error=_error_text(exc), finished_at=timezone.now()
        )
        if failed:
            log.warning("Export %s (%s) failed.", job_id, job.report, exc_info=not isinstance(exc, ExportError))
    job.refresh_from_db()
    return job


def _produce(job, claim):
    report = reports.get(job.report)
    if report is None:
        raise ExportError("This report is no longer available.")
    writer_class = writer_for(job.format)
    if writer_class is None or job.format not in report.formats:
        raise ExportError(f"The {report.title.lower()} cannot be made as {job.get_format_display()}.")
    if not selectors.can_export(job.requested_by) or job.requested_by.agency_id != job.agency_id:
        raise ExportError("The account that asked for this export can no longer run reports.")
    query = ReportQuery(
        agency=job.agency, user=job.requested_by, filters=ExportFilters.from_json(job.filters), as_of=claim
    )
    total = report.count(query)
    if writer_class.extension == "xlsx" and total > XLSX_MAX_ROWS:
        raise ExportError(
            f"{total:,} rows are more than an Excel sheet holds ({XLSX_MAX_ROWS:,}). Choose CSV, or a shorter period."
        )
    _heartbeat(job, claim, rows_done=0, rows_total=total)
    partial = _partial_path(job, writer_class.extension)
    try:
        writer = writer_class(partial, report.columns, query.tz, title=report.title, about=_about(job, report, query))
        done = 0
        try:
            if getattr(writer, "summary", False):
                # A summary format (PDF) draws the report's summary tables; its rows are those they sum up.
                writer.write_tables(report.summary_tables(query))
                done = total
            else:
                # PROGRESS_EVERY rows at a time (one database chunk): the writer converts them together
                # (write_rows, when it has it), then the progress and the heartbeat are written.
                write_rows = getattr(writer, "write_rows", None)
                rows = report.rows(query)
                while chunk := list(itertools.islice(rows, PROGRESS_EVERY)):
                    if write_rows is not None:
                        write_rows(chunk)
                    else:
                        for row in chunk:
                            writer.write(row)
                    done += len(chunk)
                    if len(chunk) == PROGRESS_EVERY:
                        _heartbeat(job, claim, rows_done=done)
        finally:
            writer.close()
        _finish(job, claim, report, partial, done)
    finally:
        if os.path.exists(partial):
            os.remove(partial)


def _heartbeat(job, claim, **progress):
    alive = ExportJob.objects.filter(pk=job.pk, status=ExportStatus.RUNNING, started_at=claim).update(
        heartbeat_at=timezone.now(), **progress
    )
    if not alive:
        raise _ClaimLost()


class _PartialFile(File):
    """A finished partial file: FileSystemStorage moves it into place instead of copying it."""

    def temporary_file_path(self):
        return self.file.name


def _finish(job, claim, report, partial, done):
    storage = job.file.storage
    with open(partial, "rb") as handle:
        stored = storage.save(export_path(job, download_name(job)), _PartialFile(handle))
    finished = timezone.now()
    try:
        with transaction.atomic():
            ready = ExportJob.objects.filter(pk=job.pk, status=ExportStatus.RUNNING, started_at=claim).update(
                status=ExportStatus.READY,
                file=stored,
                rows_done=done,
                rows_total=done,
                row_count=done,
                finished_at=finished,
                heartbeat_at=finished,
                expires_at=finished + expiry(),
                error="",
            )
            if not ready:
                raise _ClaimLost()
            audit.record(
                job.requested_by,
                AuditAction.EXPORT,
                job,
                ip=job.requested_ip,
                detail={
                    "report": job.report,
                    "format": job.format,
                    "filters": job.filters,
                    "row_count": done,
                    "file": os.path.basename(stored),
                },
            )
    except BaseException:
        _delete(storage, stored)
        raise


def expiry() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.EXPORT_EXPIRY_HOURS)


def _partial_path(job, extension) -> str:
    """A new file in private storage's partial directory (so an interrupted run leaves no data in a
    shared temporary directory), or in the system's temporary directory for a non-filesystem storage."""
    try:
        directory = job.file.storage.path(PARTIAL_DIR)
    except NotImplementedError:
        directory = tempfile.gettempdir()
    os.makedirs(directory, mode=0o700, exist_ok=True)
    return os.path.join(directory, f"job{job.pk}-{uuid.uuid4().hex}.{extension}.part")


def describe_filters(job) -> list[tuple[str, str]]:
    """The job's period and filters in words, as the job page and the XLSX "About" sheet show them."""
    report = reports.get(job.report)
    used = report.filters if report else ()
    filters = ExportFilters.from_json(job.filters)
    described = []
    if PERIOD in used and filters.period_start and filters.period_end:
        described.append(("Period", f"{filters.period_start:%m/%d/%Y} to {filters.period_end:%m/%d/%Y}"))
    if TEAMS in used:
        names = sorted(
            Team.objects.filter(agency_id=job.agency_id, pk__in=filters.team_ids).values_list("name", flat=True)
        )
        described.append(("Teams", ", ".join(names) if names else "Every team in the requester's scope"))
    if PLACEMENT_TYPES in used:
        labels = sorted(str(PlacementType(v).label) for v in filters.placement_types if v in PlacementType.values)
        described.append(("Placement types", ", ".join(labels) if labels else "All"))
    return described


def _about(job, report, query):
    """What the XLSX "About this export" sheet says: the report, its filters in words, when and by whom."""
    return [
        ("Report", report.title),
        ("Agency", job.agency.name),
        *describe_filters(job),
        ("Requested by", str(job.requested_by)),
        ("Made at", short_time(query.as_of, query.tz)),
        ("Times", f"In the agency's time zone ({query.tz.key}); periods run from midnight to midnight there."),
    ]


def download_name(job) -> str:
    """`<report>-<first day>-to-<last day>-job<id>.<ext>`: never a youth's name."""
    filters = ExportFilters.from_json(job.filters)
    period = f"-{filters.period_start:%Y%m%d}-to-{filters.period_end:%Y%m%d}" if filters.period_start else ""
    return f"{job.report}{period}-job{job.pk}.{job.format}"


def _error_text(exc) -> str:
    text = str(exc) if isinstance(exc, ExportError) else f"{type(exc).__name__}: {exc}"
    return text if len(text) <= ERROR_MAX else text[: ERROR_MAX - 1] + "…"


def _delete(storage, name):
    try:
        storage.delete(name)
    except Exception:
        log.warning("Could not delete %s.", name, exc_info=True)


# --- Downloading -----------------------------------------------------------------------------------------


def open_export_file(actor, job_id, *, ip=None):
    """(open file, download name, content type) of a ready, unexpired job the actor may see; audited.
    404 otherwise: out of scope, not ready, expired, or its file gone."""
    job = selectors.get_job_or_404(actor, job_id)
    if not job.is_downloadable():
        raise Http404("No such export file.")
    try:
        handle = job.file.storage.open(job.file.name, "rb")
    except FileNotFoundError:
        log.error("The file of export %s is missing from storage.", job.pk)
        raise Http404("No such export file.") from None
    audit.record(
        actor,
        AuditAction.DOWNLOAD,
        job,
        ip=ip,
        detail={
            "report": job.report,
            "format": job.format,
            "row_count": job.row_count,
            "requested_by": job.requested_by_id,
        },
    )
    writer_class = writer_for(job.format)
    return handle, download_name(job), writer_class.content_type


# --- The sweep -------------------------------------------------------------------------------------------


def purge_expired(now=None) -> int:
    """Remove the files of READY jobs past their expiry; the rows stay, marked EXPIRED. Returns how many.

    The row is marked first (conditionally), so no download starts on a file being removed; downloads
    also check the expiry themselves, so a late sweep never serves an expired file.
    """
    now = now or timezone.now()
    purged = 0
    for pk, name in (
        ExportJob.objects.filter(status=ExportStatus.READY, expires_at__lte=now)
        .order_by("expires_at")
        .values_list("pk", "file")[:SWEEP_BATCH]
    ):
        marked = ExportJob.objects.filter(pk=pk, status=ExportStatus.READY, file=name).update(
            status=ExportStatus.EXPIRED, file="", expired_at=now
        )
        if marked:
            _delete(ExportJob._meta.get_field("file").storage, name)
            purged += 1
    _purge_partials(now)
    return purged


def _purge_partials(now):
    """Partial files no run will finish (a worker killed mid-export)."""
    storage = ExportJob._meta.get_field("file").storage
    try:
        directory = storage.path(PARTIAL_DIR)
    except NotImplementedError:
        return
    if not os.path.isdir(directory):
        return
    cutoff = time.time() - PARTIAL_MAX_AGE.total_seconds()
    with os.scandir(directory) as entries:
        for entry in entries:
            try:
                if entry.is_file() and entry.name.endswith(".part") and entry.stat().st_mtime < cutoff:
                    os.remove(entry.path)
            except OSError:
                log.warning("Could not remove the partial export file %s.", entry.path, exc_info=True)


def catch_up(now=None) -> dict:
    """Send again the jobs whose message was lost (PENDING too long) or whose worker died (RUNNING
    without a heartbeat for RUN_LEASE); fail those started MAX_ATTEMPTS times without finishing."""
    now = now or timezone.now()
    counts = {"requeued": 0, "failed": 0}
    dead = Q(status=ExportStatus.RUNNING, heartbeat_at__lt=now - RUN_LEASE)
    lost = Q(status=ExportStatus.PENDING, queued_at__lt=now - REQUEUE_AFTER)
    candidates = (
        ExportJob.objects.filter(dead | lost)
        .order_by("queued_at", "pk")
        .values_list("pk", "status", "attempts", "queued_at", "heartbeat_at")[:SWEEP_BATCH]
    )
    for pk, status, attempts, queued_at, heartbeat_at in candidates:
        same = ExportJob.objects.filter(pk=pk, status=status, queued_at=queued_at, heartbeat_at=heartbeat_at)
        if status == ExportStatus.RUNNING and attempts >= MAX_ATTEMPTS:
            if same.update(
                status=ExportStatus.FAILED,
                finished_at=now,
                error=f"The export was started {attempts} times and never finished (the worker stopped). "
                "Retry it; if it fails again, choose a shorter period or CSV.",
            ):
                counts["failed"] += 1
            continue
        if same.update(queued_at=now):
            enqueue_on_commit(RUN_EXPORT_TASK, pk)
            counts["requeued"] += 1
    return counts
