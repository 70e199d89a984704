"""Delete photo files that no YouthPhoto row points to.

A photo's file is written before its row commits; if the transaction then rolls back (a failed
audit write, a return that could not be saved), the file stays behind, unreachable through the app
but still a youth's photo on disk. This removes such files once they are old enough that no upload
can still be in flight.
"""

import datetime

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from caseapp.models import YouthPhoto


def _walk(storage, path):
    dirs, files = storage.listdir(path)
    for name in files:
        yield f"{path}/{name}"
    for name in dirs:
        yield from _walk(storage, f"{path}/{name}")


class Command(BaseCommand):
    help = "Delete photo files no record points to (left by rolled-back uploads)."

    def add_arguments(self, parser):
        parser.add_argument("--older-than-minutes", type=int, default=60)
        parser.add_argument("--dry-run", action="store_true", help="List them; delete nothing.")

    def handle(self, *args, **options):
        minutes = options["older_than_minutes"]
        if minutes < 5:
            raise CommandError("--older-than-minutes must be at least 5, so uploads in progress are never touched.")
        if not default_storage.exists("photos"):
            self.stdout.write("No photos directory; nothing to do.")
            return
        cutoff = timezone.now() - datetime.timedelta(minutes=minutes)
        referenced = set(YouthPhoto.objects.values_list("image", flat=True))
        removed = 0
        for name in _walk(default_storage, "photos"):
            if name in referenced or default_storage.get_modified_time(name) > cutoff:
                continue
            removed += 1
            if options["dry_run"]:
                self.stdout.write(f"would delete {name}")
            else:
                default_storage.delete(name)
        verb = "would delete" if options["dry_run"] else "deleted"
        self.stdout.write(f"{removed} orphan photo file(s) {verb}.")
