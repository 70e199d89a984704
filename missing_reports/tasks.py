"""Celery tasks of missing episodes. Thin: load by id, call a service; safe to run twice."""

from celery import shared_task

from . import escalation


@shared_task(acks_late=True)
def announce_run(episode_id: int) -> int:
    """Tell the youth's supervisors at once that a run was logged. Returns emails sent."""
    return escalation.announce_run(episode_id)


@shared_task(acks_late=True)
def sweep_clocks() -> dict:
    """Run by Celery beat every minute: reminders before a clock runs out, overdue marks after."""
    return escalation.sweep()
