"""Run the periodic work of CELERY_BEAT_SCHEDULE in this process, on its schedule: an embedded beat.

With Redis, Celery beat sends these to the workers. The embedded default (`make run`) has no
broker and no beat, so `make run` starts this beside the web server: the clock sweep, the risk
review sweep, the export sweep every minute, and the nightly risk reassessment at its hour.
Each app registers its entries from its AppConfig (caseapp/registry.py), so caseapp names none of the
apps it runs (docs/design.md#dependencies).
"""

import datetime
import logging
import time

from celery.schedules import crontab, schedule
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from caseapp.celery import app

log = logging.getLogger(__name__)


def as_schedule(value):
    """A beat entry's schedule: seconds, a timedelta, or a celery schedule (crontab)."""
    if isinstance(value, int | float):
        return schedule(run_every=datetime.timedelta(seconds=value))
    if isinstance(value, datetime.timedelta):
        return schedule(run_every=value)
    if isinstance(value, schedule | crontab):
        return value
    raise CommandError(f"Unsupported schedule {value!r}.")


def beat_entries():
    """[(entry name, task, schedule)] from settings; an unknown task name is a clear error."""
    app.loader.import_default_modules()
    entries = []
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        task = app.tasks.get(entry["task"])
        if task is None:
            raise CommandError(f"Beat entry {name!r} names an unknown task {entry['task']!r}.")
        entries.append((name, task, as_schedule(entry["schedule"])))
    return entries


def run_entry(name, task, stdout):
    """Run one task in-process. A failure is logged and reported; the other entries still run."""
    try:
        result = task.apply(throw=True)
    except Exception:  # the loop must keep the other sweeps alive, as a beat would
        log.exception("Periodic task %s failed", name)
        stdout.write(f"{name}: failed (see the log)")
        return False
    stdout.write(f"{name}: {result.result}")
    return True


class Command(BaseCommand):
    help = "Run the periodic tasks of CELERY_BEAT_SCHEDULE in this process (for a set-up without Celery beat)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run every entry once, then stop.")
        parser.add_argument("--tick", type=float, default=5.0, help="Seconds between schedule checks.")

    def handle(self, *args, **options):
        if options["tick"] <= 0:
            raise CommandError("--tick must be more than 0 seconds.")
        entries = beat_entries()
        if options["once"]:
            failures = sum(not run_entry(name, task, self.stdout) for name, task, _ in entries)
            if failures:
                raise CommandError(f"{failures} periodic task(s) failed.")
            return
        # Interval entries run at once; a crontab entry first runs at its next due time.
        started = timezone.now()
        last_run = {
            name: started - sched.run_every if isinstance(sched, schedule) and not isinstance(sched, crontab)
            else started
            for name, _task, sched in entries
        }
        while True:
            for name, task, sched in entries:
                due, _next = sched.is_due(last_run[name])
                if due:
                    last_run[name] = timezone.now()
                    run_entry(name, task, self.stdout)
            time.sleep(options["tick"])
