"""Indexes for the caseload's search, on PostgreSQL only, and its placement filter (docs/design.md#speed).

The search (caseapp/filters.py CaseloadFilter.search) compares UPPER(column) LIKE UPPER('%word%') for the name
columns and UPPER(case_number) LIKE UPPER('prefix%'), so the indexes are on those same expressions: a GIN
trigram index (pg_trgm) per name column answers the `%word%` matches, and a btree with text_pattern_ops
answers the case number's prefix match whatever the database's collation. SQLite has no trigram index: it
runs the same lookups by scanning, with the same results. The indexes are not in the model's Meta (the
schema editor would try to build GIN indexes on SQLite too); they live here alone.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

NAME_COLUMNS = ("legal_first_name", "legal_last_name", "preferred_name", "aliases")

PG_FORWARD = [
    *(
        f"CREATE INDEX IF NOT EXISTS youth_{column}_trgm ON caseapp_youth "
        f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        for column in NAME_COLUMNS
    ),
    "CREATE INDEX IF NOT EXISTS youth_case_number_prefix ON caseapp_youth "
    "((UPPER(case_number::text)) text_pattern_ops)",
]
PG_BACKWARD = [
    *(f"DROP INDEX IF EXISTS youth_{column}_trgm" for column in NAME_COLUMNS),
    "DROP INDEX IF EXISTS youth_case_number_prefix",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("caseapp", "0014_password_changed_action")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(_run(PG_FORWARD), _run(PG_BACKWARD)),
        # On every database: the current placements by type, for the caseload's "current placement" filter.
        migrations.AddIndex(
            model_name="placement",
            index=models.Index(
                condition=models.Q(end_date__isnull=True),
                fields=["placement_type", "youth"],
                name="placement_current_type",
            ),
        ),
    ]
