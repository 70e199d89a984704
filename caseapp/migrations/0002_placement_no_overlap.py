"""A youth's placements never overlap, enforced by the database itself.

PostgreSQL: an exclusion constraint over the half-open date range [start_date, end_date).
SQLite (the embedded default): triggers that refuse an overlapping insert or update.
The service layer checks first to give a clear message; this is the backstop for races.
"""

from django.db import migrations

PG_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    """ALTER TABLE caseapp_placement ADD CONSTRAINT placement_no_overlap
       EXCLUDE USING gist (youth_id WITH =, daterange(start_date, end_date, '[)') WITH &&)""",
]
PG_BACKWARD = ["ALTER TABLE caseapp_placement DROP CONSTRAINT IF EXISTS placement_no_overlap"]

SQLITE_CHECK = """
    SELECT RAISE(ABORT, 'placement_no_overlap')
    WHERE EXISTS (
        SELECT 1 FROM caseapp_placement p
        WHERE p.youth_id = NEW.youth_id AND p.id IS NOT NEW.id
          AND p.start_date < COALESCE(NEW.end_date, '9999-12-31')
          AND NEW.start_date < COALESCE(p.end_date, '9999-12-31')
    );
"""
SQLITE_FORWARD = [
    f"CREATE TRIGGER placement_no_overlap_insert BEFORE INSERT ON caseapp_placement BEGIN {SQLITE_CHECK} END",
    f"CREATE TRIGGER placement_no_overlap_update BEFORE UPDATE ON caseapp_placement BEGIN {SQLITE_CHECK} END",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS placement_no_overlap_insert",
    "DROP TRIGGER IF EXISTS placement_no_overlap_update",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("caseapp", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
