"""A database migrated before the catalogue cited docs/ gets its indicators' source references re-pointed,
and only those: what the scoring page lists as each indicator's sources."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from risk import catalogue
from risk.models import Indicator

BEFORE = [("risk", "0003_clock_help_text")]
AFTER = [("risk", "0004_catalogue_sources_in_docs")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def test_stored_source_references_are_pointed_at_the_docs(transactional_db):
    try:
        migrate(BEFORE)
        Indicator.objects.filter(code="C4.3").update(source_refs=["notes outside the repository, B3", "B4 R3"])
        Indicator.objects.filter(code="C7.1").update(weight=3)  # not the migration's business

        migrate(AFTER)

        c43 = Indicator.objects.get(code="C4.3")
        assert c43.source_refs[:2] == ["docs/risk-catalogue.md#catalogue", "docs/risk-catalogue.md#history-rules R3"]
        assert c43.source_refs == list(catalogue.by_code()["C4.3"].source_refs)
        assert Indicator.objects.get(code="C7.1").weight == 3
    finally:
        migrate(latest())  # the next test in this process needs every migration (the suite runs in parallel)


def test_a_flushed_database_gets_its_indicator_catalogue_back(transactional_db):
    """`manage.py flush` empties every table, the data migration's indicator rows too: without them no
    observation can be recorded. The risk app puts them back after the flush."""
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)

    assert sorted(Indicator.objects.values_list("code", flat=True)) == sorted(catalogue.by_code())
