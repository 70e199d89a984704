"""The Celery app. With REDIS_URL unset, settings make tasks run eagerly in-process."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caseapp.settings")

# Two queues, so a long export never delays a report packet (docs/deploy.md#queues). Every task of the apps is
# named here (tests/integration/test_queues.py fails on one that is not): "urgent" for the work the 24-hour
# clocks and the alerts wait on, each task short; "bulk" for exports and whole-agency recomputations, which
# may run for many minutes. Run at least one worker on each (`make serve` does; docs/deploy.md).
URGENT = "urgent"
BULK = "bulk"
QUEUE_OF_TASK = {
    "caseapp.tasks.record_worker_heartbeat": URGENT,  # System status asks the urgent worker
    "caseapp.tasks.deliver_alert": URGENT,
    "caseapp.tasks.sweep_alerts": URGENT,
    "missing_reports.tasks.build_packet": URGENT,
    "missing_reports.tasks.sweep_clocks": URGENT,
    "risk.tasks.reassess_youth": URGENT,  # one youth, after an observation: its band may call for a review
    "risk.tasks.sweep_reviews": URGENT,
    "exports.tasks.run_export": BULK,
    "exports.tasks.count_dashboard": BULK,  # a year of an agency's figures: seconds of database time
    "exports.tasks.warm_dashboards": BULK,
    "exports.tasks.sweep_exports": BULK,
    "exports.tasks.check_provider_alerts": BULK,  # every provider's rate of an agency: reads six months
    "risk.tasks.reassess_agency": BULK,
    "risk.tasks.reassess_nightly": BULK,
}


def queue_name(queue: str, prefix: str = "") -> str:
    """The Redis queue of `queue` (URGENT or BULK) under TASK_QUEUE_PREFIX `prefix`."""
    return prefix + queue


def task_routes(prefix: str = "") -> dict:
    """Celery's task_routes for QUEUE_OF_TASK, the queue names under `prefix` (settings.TASK_QUEUE_PREFIX)."""
    return {task: {"queue": queue_name(queue, prefix)} for task, queue in QUEUE_OF_TASK.items()}


app = Celery("caseapp")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.task_prerun.connect
@signals.task_postrun.connect
def close_old_connections(sender=None, **kwargs):
    """Django's rule for a connection after a web request, after each task too: closed when older
    than CONN_MAX_AGE (0: every time) or no longer usable. Pairs with CELERY_DB_REUSE_MAX (settings).

    Not for a task run in-process (eager: `make run`, the tests): the connection is the caller's,
    possibly inside its transaction, as Celery's own fix-up also leaves it alone."""
    if getattr(getattr(sender, "request", None), "is_eager", False):
        return
    from django.db import close_old_connections as close

    close()
