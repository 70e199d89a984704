"""caseapp/celery.py: a worker applies Django's connection rule after each task (so CONN_MAX_AGE keeps a
connection between tasks), but a task run in-process leaves the caller's connection alone."""

from types import SimpleNamespace

from celery import signals
from django.db import transaction

from caseapp.models import Youth
from risk import tasks
from tests import services


def test_an_in_process_task_leaves_the_callers_connection_and_transaction_alone(postgres_db, youth_a1, settings):
    settings.DATABASES["default"]["CONN_MAX_AGE"] = 0
    with transaction.atomic():
        tasks.reassess_youth.apply(args=[youth_a1.pk, "test"])  # eager, as under `make run`
        assert postgres_db.connection is not None and not postgres_db.connection.closed
        assert Youth.objects.filter(pk=youth_a1.pk).exists()  # the transaction still works


class WorkerTask:
    """A task as a worker runs it (signals need a hashable sender)."""

    request = SimpleNamespace(is_eager=False)


def test_after_a_worker_task_an_obsolete_connection_is_closed(transactional_db, settings):
    from django.db import connection

    services.require_postgres()
    settings.DATABASES["default"]["CONN_MAX_AGE"] = 0
    connection.ensure_connection()
    connection.close_at = 0  # what CONN_MAX_AGE 0 sets when a connection opens: obsolete at once
    signals.task_postrun.send(sender=WorkerTask)
    assert connection.connection is None  # closed: the next task opens a fresh one
