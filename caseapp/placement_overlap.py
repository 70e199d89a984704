"""SQL that keeps a youth's placements from overlapping, for the migrations that install it.

PostgreSQL has an exclusion constraint over daterange(start_date, end_date, '[)'); SQLite gets
triggers with the same meaning. An empty range (a missing spell that started and ended on the same
day) overlaps nothing on either. SQLite drops triggers when Django rebuilds the table, so every
migration that rebuilds caseapp_placement on SQLite must call `sqlite_install` again.
"""

_OVERLAP = """
    SELECT RAISE(ABORT, 'placement_no_overlap')
    WHERE NEW.start_date < COALESCE(NEW.end_date, '9999-12-31')
      AND EXISTS (
        SELECT 1 FROM caseapp_placement p
        WHERE p.youth_id = NEW.youth_id AND p.id IS NOT NEW.id
          AND p.start_date < COALESCE(p.end_date, '9999-12-31')
          AND p.start_date < COALESCE(NEW.end_date, '9999-12-31')
          AND NEW.start_date < COALESCE(p.end_date, '9999-12-31')
    );
"""

SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS placement_no_overlap_insert",
    "DROP TRIGGER IF EXISTS placement_no_overlap_update",
]
SQLITE_CREATE = [
    f"CREATE TRIGGER placement_no_overlap_insert BEFORE INSERT ON caseapp_placement BEGIN {_OVERLAP} END",
    f"CREATE TRIGGER placement_no_overlap_update BEFORE UPDATE ON caseapp_placement BEGIN {_OVERLAP} END",
]


def sqlite_install(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_DROP + SQLITE_CREATE:
            schema_editor.execute(sql)


def noop(apps, schema_editor):
    pass
