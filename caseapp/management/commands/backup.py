"""`manage.py backup DIR`: the database and the private media into a new or empty directory, with a manifest of
checksums and counts (caseapp/services/backup.py; docs/deploy.md#backups)."""

from django.core.management.base import BaseCommand, CommandError

from caseapp.services import backup


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump custom format, or a SQLite copy) and the private media into DIR, a new or "
        "empty directory, with manifest.json (checksums, file list, row counts). Restore with `manage.py restore`."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="A new or empty directory (its parent must exist).")

    def handle(self, *args, directory, **options):
        try:
            result = backup.backup(directory, log=self.stdout.write)
        except backup.BackupError as exc:
            raise CommandError(f"{exc} Nothing was written.") from None
        for note in result.notes:
            self.stderr.write(self.style.WARNING(note))
        manifest = result.manifest
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written to {result.directory}: {manifest['database']['file']}, {manifest['media']['file']} "
                f"and manifest.json (SHA-256 {backup.sha256_of(result.directory / backup.MANIFEST)}). It holds "
                "children's records: keep it as carefully as the database."
            )
        )
