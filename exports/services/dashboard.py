"""Counting the reports dashboard's period figures off the request, and keeping them per scope and filters.

A year of a statewide agency's figures takes seconds of database and Python time (bench/README.md), far more
than a page may take, so the page draws figures counted by a Celery task (exports.tasks.count_dashboard, on
the bulk queue; in-process under the embedded default, so `make run` draws them at once) and kept in Django's
cache (docs/design.md#speed):

    key        the agency, the viewer's scope (caseapp.selectors.scope_key: who sees the same youth shares it),
               whether they decide reviews (the review items are drawn for those only) and the filters (period,
               teams): one scope's figures are never read under another's key
    figures    exports.dashboard.Counted (the sections, drawn, with the moment they were counted), kept for
               DASHBOARD_KEEP_SECONDS; fresh for DASHBOARD_STALE_SECONDS, then drawn with their time while one
               recount runs
    progress   how many of the parts are counted, or when the last count failed
    lock       single flight: `cache.add` lets one request of many start the count; it lapses after
               DASHBOARD_COUNT_LEASE_SECONDS, so a count lost with its worker is asked again by the next load

Who is missing now and the open review items are counted with the rest (10,000 open episodes of a statewide
agency take a quarter of a second to count): the page says when, and the Missing now board and the review queue,
a link away, are live.

The cache, not a table: the figures are a copy of what the records say and can be counted again at any time;
after a Redis restart the next load counts them (and the warm-up of the default period, `warm`, every agency's
once a day). A cache that cannot be reached is skipped: the page counts in the request, as before, slow but
whole.
"""

import dataclasses
import datetime
import hashlib
import json
import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from caseapp import access, queue
from caseapp import selectors as caseapp_selectors
from caseapp.models import Agency, Role, User

from .. import dashboard
from ..reports.base import ExportFilters

log = logging.getLogger(__name__)

TASK = "exports.tasks.count_dashboard"
# Bumped when exports.dashboard.Counted or a chart changes shape: entries of the code before are never read.
VERSION = 1


@dataclasses.dataclass
class State:
    """What the cache holds for one scope and filters, read in one round trip."""

    key: str
    counted: dashboard.Counted | None
    counting: bool
    done: int = 0
    total: int = len(dashboard.COUNTED_PARTS)
    started_at: datetime.datetime | None = None
    failed_at: datetime.datetime | None = None
    reachable: bool = True

    def is_fresh(self, now) -> bool:
        return self.counted is not None and now - self.counted.as_of < datetime.timedelta(
            seconds=settings.DASHBOARD_STALE_SECONDS
        )

    def as_json(self, now) -> dict:
        """The status endpoint's answer (exports/views/dashboard.py; static/exports/dashboard-status.js)."""
        if self.counting:
            status = "counting"
        elif self.failed_at is not None and (self.counted is None or self.failed_at > self.counted.as_of):
            status = "failed"
        elif self.counted is not None:
            status = "ready"
        else:
            status = "waiting"  # nothing counted and nobody counting: a page load asks for it
        return {
            "status": status,
            "fresh": self.is_fresh(now),
            "counted_at": self.counted.as_of.isoformat() if self.counted else None,
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "done": self.done,
            "total": self.total,
            "percent": round(100 * self.done / self.total) if self.total else 0,
        }


def key_of(user, filters: ExportFilters) -> str:
    """The cache key of `user`'s figures for `filters`: equal for everyone who sees the same youth of the same
    agency (a supervisor of team A and one of team B never share one). One query (the scope's teams)."""
    asked = json.dumps([filters.period_start.isoformat(), filters.period_end.isoformat(), sorted(filters.team_ids)])
    digest = hashlib.sha256(asked.encode()).hexdigest()[:24]
    decides = "decides" if access.can_review_youth(user) else "reads"
    return f"dashboard:v{VERSION}:{user.agency_id}:{caseapp_selectors.scope_key(user)}:{decides}:{digest}"


def _names(key):
    return f"{key}:figures", f"{key}:progress", f"{key}:lock"


def read(user, filters: ExportFilters, key: str | None = None) -> State:
    key = key or key_of(user, filters)
    figures_key, progress_key, lock_key = _names(key)
    try:
        found = cache.get_many([figures_key, progress_key, lock_key])
    except Exception:  # e.g. Redis down: the page counts in the request
        log.warning("The cache could not be read; the dashboard is counted in the request.", exc_info=True)
        return State(key=key, counted=None, counting=False, reachable=False)
    progress = found.get(progress_key) or {}
    counting = lock_key in found
    return State(
        key=key,
        counted=found.get(figures_key),
        counting=counting,
        done=progress.get("done", 0) if counting else 0,
        total=progress.get("total", len(dashboard.COUNTED_PARTS)),
        started_at=progress.get("started_at") if counting else None,
        failed_at=progress.get("failed_at"),
    )


def ask_for_count(user, filters: ExportFilters, key: str | None = None) -> bool:
    """Start counting `user`'s figures for `filters` unless a count of them is already running (single flight:
    of 20 viewers of a stale dashboard, one starts it). True if this call started it."""
    key = key or key_of(user, filters)
    _, progress_key, lock_key = _names(key)
    try:
        if not cache.add(lock_key, uuid.uuid4().hex, settings.DASHBOARD_COUNT_LEASE_SECONDS):
            return False
        cache.set(
            progress_key,
            {"done": 0, "total": len(dashboard.COUNTED_PARTS), "started_at": timezone.now()},
            settings.DASHBOARD_COUNT_LEASE_SECONDS,
        )
    except Exception:
        log.warning("The cache could not be written; the dashboard is not counted ahead.", exc_info=True)
        return False
    # At once, not on commit: the count reads committed records only and changes none.
    if queue.enqueue_now(TASK, user.pk, filters.to_json(), key):
        return True
    # The broker is down: no count is coming, so the page says it failed (and offers "Try again") instead of
    # "being counted" until the lock lapses.
    try:
        cache.set(progress_key, {"failed_at": timezone.now()}, settings.DASHBOARD_KEEP_SECONDS)
        cache.delete(lock_key)
    except Exception:
        log.warning("The cache could not be written.", exc_info=True)
    return False


def for_page(user, filters: ExportFilters, now) -> State:
    """What the page draws: the kept figures, after asking for a count when there are none or they are stale
    (not again while a failure is recent: the page offers "Count again"). Under the embedded default the count
    runs in this call, so the figures are there when it returns."""
    state = read(user, filters)
    if not state.reachable:
        return state
    failed_recently = state.failed_at is not None and now - state.failed_at < datetime.timedelta(
        seconds=settings.DASHBOARD_STALE_SECONDS
    )
    if not state.counting and not failed_recently and not state.is_fresh(now):
        ask_for_count(user, filters, state.key)
        state = read(user, filters, state.key)  # counted (in-process), being counted, or failed to start
    return state


def count_in_request(user, filters: ExportFilters, now) -> dashboard.Counted:
    """The figures counted here and now (the cache is unreachable): slow, but the page is whole."""
    return dashboard.count(dashboard.query_for(user, filters, now))


def run_count(user_id: int, filters_json: dict, key: str) -> str:
    """The task's work: count the figures of `key` as the user who asked, keep them, let go of the lock. Safe to
    run twice (the second count replaces the first). A failure is kept for the page (a calm message and "Count
    again"), never raised: the page must not fail because a count did."""
    figures_key, progress_key, lock_key = _names(key)
    user = User.objects.filter(pk=user_id).select_related("agency").first()
    filters = ExportFilters.from_json(filters_json)
    try:
        if user is None or not access.can_export(user) or key_of(user, filters) != key:
            return "dropped"  # their scope changed since they asked: their next load asks under the new key
        started = timezone.now()

        def progress(done, total):
            progress_now = {"done": done, "total": total, "started_at": started}
            cache.set(progress_key, progress_now, settings.DASHBOARD_COUNT_LEASE_SECONDS)

        counted = dashboard.count(dashboard.query_for(user, filters, started), progress=progress)
        cache.set(figures_key, counted, settings.DASHBOARD_KEEP_SECONDS)
        cache.delete(progress_key)
        return "counted"
    except Exception:
        log.exception("Counting the dashboard %s failed.", key)
        try:
            cache.set(progress_key, {"failed_at": timezone.now()}, settings.DASHBOARD_KEEP_SECONDS)
        except Exception:
            log.warning("The cache could not be written.", exc_info=True)
        return "failed"
    finally:
        try:
            cache.delete(lock_key)
        except Exception:
            log.warning("The dashboard's count lock could not be removed; it lapses by itself.", exc_info=True)


def warm() -> int:
    """Ask for every agency's default period, counted for its agency-wide scope (agency staff and admins see
    every team), when it is not kept yet: after each agency's local midnight (the default period ends today, so
    its key changes every day) or a cache restart. Run by beat every DASHBOARD_STALE_SECONDS; returns how many
    counts it started. Supervisors' scopes are counted on their first load."""
    started = 0
    now = timezone.now()
    for agency in Agency.objects.order_by("pk"):
        viewer = (
            User.objects.filter(agency=agency, is_active=True, role__in=(Role.AGENCY_STAFF, Role.AGENCY_ADMIN))
            .select_related("agency")
            .order_by("pk")
            .first()
        )
        if viewer is None:
            continue
        query = dashboard.query_for(viewer, ExportFilters(), now)
        today = timezone.localtime(now, query.tz).date()
        filters = ExportFilters(*dashboard.default_period(today))
        state = read(viewer, filters)
        wanted = state.reachable and state.counted is None and not state.counting
        if wanted and ask_for_count(viewer, filters, state.key):
            started += 1
    return started
