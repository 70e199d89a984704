"""Celery tasks of exports. Thin: load by id, call a service; safe to run twice."""

import logging

from celery import shared_task

from .services import dashboard as dashboard_services
from .services import jobs as job_services
from .services import provider_alerts as provider_alert_services

log = logging.getLogger(__name__)


# acks_late: a worker killed mid-export leaves the message to be delivered again; the job's claim lease
# (services.jobs.RUN_LEASE) then lets a new run take it over. ignore_result: nobody waits for the result, and
# enqueueing must fail fast when Redis is down (caseapp/queue.py). No automatic retry: a failed export
# keeps its error on the job page, where its requester retries it.
@shared_task(acks_late=True, ignore_result=True)
def run_export(job_id: int) -> str | None:
    """Run export job `job_id` to ready or failed. Returns its status (None for an unknown id)."""
    job = job_services.run_export(job_id)
    return job.status if job is not None else None


@shared_task(acks_late=True, ignore_result=True)
def sweep_exports() -> dict:
    """Run by Celery beat every minute: remove expired files (the rows stay, marked expired), then send
    again the jobs whose message was lost or whose worker died. Overlapping sweeps are harmless: every
    change is a conditional UPDATE, and a job sent twice runs once."""
    counts = {"purged": 0}
    try:
        counts["purged"] = job_services.purge_expired()
    except Exception:
        log.exception("Purging expired exports failed; the next sweep retries it.")
    counts.update(job_services.catch_up())
    if any(counts.values()):
        log.info("Export sweep: %s", counts)
    return counts


# Not acks_late: a count lost with its worker is asked for again by the next page load once its lock lapses
# (services.dashboard), so a redelivery would only count twice. A failure is kept for the page, never raised.
@shared_task(ignore_result=True)
def count_dashboard(user_id: int, filters_json: dict, key: str) -> str:
    """Count the reports dashboard's period figures of cache key `key`, as user `user_id` asked for them."""
    return dashboard_services.run_count(user_id, filters_json, key)


@shared_task(ignore_result=True)
def warm_dashboards() -> int:
    """Run by beat: ask for every agency's default period where it is not counted yet (once a day each)."""
    return dashboard_services.warm()


# Idempotent: the unique constraint opens each alert once per provider and period, however often it runs.
@shared_task(ignore_result=True)
def check_provider_alerts() -> int:
    """Run by beat: open a review for each provider over its agency's threshold (docs/duties.md#provider-alert)."""
    return provider_alert_services.check_all()
