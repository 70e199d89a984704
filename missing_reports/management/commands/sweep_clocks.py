"""Run the clock sweep from the command line: once, or every N seconds.

With Redis and Celery beat the sweep runs every minute on its own; under the embedded default
(`make run`) `run_periodic` runs it. This command is for running the clock sweep alone, by hand.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from missing_reports import escalation, tasks


class Command(BaseCommand):
    help = (
        "Send due reminders, mark overdue clocks and build report packets whose build was lost "
        "(what Celery beat does every minute)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=0, help="Repeat every N seconds until stopped.")

    def handle(self, *args, **options):
        every = options["every"]
        if every < 0:
            raise CommandError("--every cannot be negative.")
        while True:
            counts = escalation.sweep()
            # As the beat task does: also build report packets whose build was lost or failed.
            packets = tasks.catch_up_packets()
            self.stdout.write(f"sweep: {counts}; packets: {packets}")
            if not every:
                return
            time.sleep(every)
