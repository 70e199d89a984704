"""The caseload search's trigram indexes with a small pending list, on PostgreSQL only (docs/design.md#speed).

A GIN index's "fast update" puts new rows in a pending list that every search reads in full (and that the planner
prices in) until a vacuum, or the list's limit (4 MB by default), merges it into the index. At 100,000 youth loaded
in bulk the lists held 2.7 MB per name column, unmerged: a search read them all, and the planner preferred filtering
every youth of the agency, 110-230 ms a query instead of 10-20 (bench/README.md). With a 64 kB limit (the smallest)
a search reads at most 8 pages of it, and a bulk load still adds its rows in batches (100,000 youth: 7 s into the
four indexes here, against 4 s with the default and 35 s with no pending list at all). The lists already there
are merged now.
"""

from django.db import migrations

TRIGRAM_INDEXES = ("youth_legal_first_name_trgm", "youth_legal_last_name_trgm", "youth_preferred_name_trgm",
                   "youth_aliases_trgm")  # made by 0015_caseload_search_indexes
PENDING_LIST_KB = 64


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index in TRIGRAM_INDEXES:
        schema_editor.execute(f"ALTER INDEX {index} SET (gin_pending_list_limit = {PENDING_LIST_KB})")
        schema_editor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index in TRIGRAM_INDEXES:
        schema_editor.execute(f"ALTER INDEX {index} RESET (gin_pending_list_limit)")


class Migration(migrations.Migration):
    dependencies = [("caseapp", "0018_agency_holidays")]

    operations = [migrations.RunPython(forward, backward)]
