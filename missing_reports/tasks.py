"""Celery tasks of missing episodes. Thin: load by id, call a service; safe to run twice."""

from celery import shared_task

from . import escalation


# ignore_result: nobody waits for these results. It also keeps apply_async from subscribing to the
# result backend first, which on a dead Redis retries for ~20 s before the broker is even tried:
# enqueueing after a run is saved must fail fast (caseapp/queue.py, DESIGN.md rule 2).
@shared_task(acks_late=True, ignore_result=True)
def announce_run(episode_id: int) -> int:
    """Tell the youth's supervisors at once that a run was logged. Returns messages sent (0 or 1).

    Best effort (see escalation.announce_run): the deadline emails are the sweep's.
    """
    return escalation.announce_run(episode_id)


@shared_task(acks_late=True, ignore_result=True)
def sweep_clocks() -> dict:
    """Run by Celery beat every minute: reminders before a clock runs out, overdue marks after.

    Overlapping or repeated runs send each stage of each clock once (escalation.sweep).
    """
    return escalation.sweep()
