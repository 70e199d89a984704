"""`manage.py restore DIR`: a backup made by `manage.py backup` into an EMPTY database and an empty private media
directory, every checksum verified first (caseapp/services/backup.py; docs/deploy.md#backups)."""

from django.core.management.base import BaseCommand, CommandError

from caseapp.services import backup


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into the database DATABASE_URL names, which must be empty, and "
        "PRIVATE_MEDIA_ROOT, which must be empty or new. Checks the manifest and every checksum before it changes "
        "anything, and every table's row count after."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="The backup's directory (with manifest.json).")

    def handle(self, *args, directory, **options):
        try:
            result = backup.restore(directory, log=self.stdout.write)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        for note in result.notes:
            self.stderr.write(self.style.WARNING(note))
        self.stdout.write(self.style.SUCCESS(f"Restored the backup of {result.manifest['created_at']}."))
