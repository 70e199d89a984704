"""Celery tasks of missing episodes. Thin: load by id, call a service; safe to run twice."""

import logging

from celery import shared_task

from . import escalation
from .packets import pipeline

log = logging.getLogger(__name__)


# ignore_result: nobody waits for these results. It also keeps apply_async from subscribing to the
# result backend first, which on a dead Redis retries for ~20 s before the broker is even tried.
@shared_task(acks_late=True, ignore_result=True)
def sweep_clocks() -> dict:
    """Run by Celery beat every minute: reminder alerts before a clock runs out, overdue marks and alerts
    after; then the report packets whose build was never queued or never finished (pipeline.catch_up).

    Overlapping or repeated runs alert each stage of each clock once (escalation.sweep) and build each
    packet version once. Returns the sweep's counts; the packet counts are logged.
    """
    counts = escalation.sweep()
    catch_up_packets()
    return counts


def catch_up_packets() -> dict:
    """pipeline.catch_up, logged; never raises (the alerts were raised already; the next sweep retries)."""
    try:
        built = pipeline.catch_up()
    except Exception:
        log.exception("The packet catch-up failed; the next sweep retries it.")
        return {}
    if any(built.values()):
        log.info("Packet catch-up: %s", built)
    return built


# Retried with exponential backoff (1 s, 2 s, 4 s … with jitter, at most 5 min apart), 5 times; after
# that the version stays FAILED with its error on the episode page and the minute sweep's catch-up
# (pipeline.catch_up) keeps retrying it, less often. acks_late: a worker killed mid-build leaves the
# message to be delivered again; the version's claim lease lets the redelivery take the build over.
@shared_task(
    acks_late=True,
    ignore_result=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
)
def build_packet(episode_id: int, kind: str, reason: str = "", actor_id: int | None = None) -> int:
    """Build the `kind` packet of the episode's current facts. Returns the version's id.

    Idempotent: the same facts give the same version (pipeline.build), however often this runs.
    """
    return pipeline.build(episode_id, kind, reason=reason, actor_id=actor_id).pk
