"""Celery tasks of the core records. Thin: each calls a service and is safe to run twice."""

from celery import shared_task

from .services import health


@shared_task(acks_late=True)
def record_worker_heartbeat() -> dict:
    """Prove a worker is running and can reach the database (services/health.py)."""
    return health.record_worker_heartbeat()
