"""Run the clock sweep from the command line: once, or every N seconds.

With Redis and Celery beat the sweep runs every minute on its own. The embedded default (`make
run`) has no beat, so it runs this with --every 60 beside the web server.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from missing_reports import escalation


class Command(BaseCommand):
    help = "Send due reminders and mark overdue clocks (what Celery beat does every minute)."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=0, help="Repeat every N seconds until stopped.")

    def handle(self, *args, **options):
        every = options["every"]
        if every < 0:
            raise CommandError("--every cannot be negative.")
        while True:
            counts = escalation.sweep()
            self.stdout.write(f"sweep: {counts}")
            if not every:
                return
            time.sleep(every)
