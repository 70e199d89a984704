"""The Celery app. With REDIS_URL unset, settings make tasks run eagerly in-process."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caseapp.settings")

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
