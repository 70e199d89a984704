"""Point the stored indicators' source references at docs/risk-catalogue.md.

The rows loaded by 0002 cite the catalogue's design by the anchors of the project's own docs now;
databases migrated before keep the old references until this runs. Only `source_refs` changes.
"""

from django.db import migrations


def point_sources_at_docs(apps, schema_editor):
    from risk import catalogue

    Indicator = apps.get_model("risk", "Indicator")
    for definition in catalogue.INDICATORS:
        Indicator.objects.filter(code=definition.code).update(source_refs=list(definition.source_refs))


class Migration(migrations.Migration):
    dependencies = [("risk", "0003_clock_help_text")]
    operations = [migrations.RunPython(point_sources_at_docs, migrations.RunPython.noop)]
