"""Celery tasks of the core records. Thin: each calls a service and is safe to run twice."""

from celery import shared_task

from . import alert_delivery
from .services import health


@shared_task(acks_late=True)
def record_worker_heartbeat() -> dict:
    """Prove a worker is running and can reach the database (services/health.py)."""
    return health.record_worker_heartbeat()


@shared_task(acks_late=True, ignore_result=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def deliver_alert(alert_id: int) -> dict:
    """Send the alert's pending email and SMS; each (recipient, channel) at most once (alert_delivery.py)."""
    return alert_delivery.deliver(alert_id)


@shared_task(acks_late=True, ignore_result=True)
def sweep_alerts() -> dict:
    """Every minute: escalate unacknowledged alerts and send what a lost message left pending."""
    return alert_delivery.sweep()
