"""`run_periodic`: the embedded beat that `make run` starts beside the web server."""

import datetime
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from missing_reports.models import Notification
from missing_reports.services import episodes as episode_services

HOUR = datetime.timedelta(hours=1)


def test_once_runs_every_beat_entry_and_the_clock_sweep_marks_overdue(
    caseworker_a, youth_a1, settings, capsys, django_capture_on_commit_callbacks
):
    long_ago = timezone.now() - 30 * HOUR
    with django_capture_on_commit_callbacks(execute=True):
        episode_services.log_run(
            actor=caseworker_a, youth_id=youth_a1.pk, last_seen_at=long_ago - HOUR, agency_learned_at=long_ago,
            last_seen_location="Park", reported_by="Foster parent",
        )
    call_command("run_periodic", "--once")
    output = capsys.readouterr().out
    for name in settings.CELERY_BEAT_SCHEDULE:
        assert f"{name}: " in output
    assert Notification.objects.filter(overdue_at__isnull=False).count() == 2  # law enforcement and NCMEC


def test_an_unknown_task_in_the_schedule_is_a_clear_error(settings):
    settings.CELERY_BEAT_SCHEDULE = {"typo": {"task": "risk.tasks.no_such_task", "schedule": 60.0}}
    with pytest.raises(CommandError, match=re.escape("'typo' names an unknown task 'risk.tasks.no_such_task'")):
        call_command("run_periodic", "--once")


def test_a_failing_task_does_not_stop_the_others(settings, capsys, db):
    settings.CELERY_BEAT_SCHEDULE = {
        "broken": {"task": "risk.tasks.reassess_youth", "schedule": 60.0},  # needs an argument: fails
        "sweep-exports": {"task": "exports.tasks.sweep_exports", "schedule": 60.0},
    }
    with pytest.raises(CommandError, match="1 periodic task"):
        call_command("run_periodic", "--once")
    output = capsys.readouterr().out
    assert "broken: failed" in output and "sweep-exports: {" in output
