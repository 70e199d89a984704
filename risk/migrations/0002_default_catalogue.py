"""Load the default indicator catalogue (docs/risk-catalogue.md#catalogue) from risk/catalogue.py, with its source references.

Idempotent (update_or_create by code). A later change to the catalogue ships as a new migration that
calls `sync` again; agency weight changes never touch these rows (they live in ScoringVersion).
"""

from django.db import migrations


def sync(apps, schema_editor):
    from risk import catalogue

    Indicator = apps.get_model("risk", "Indicator")
    for order, definition in enumerate(catalogue.INDICATORS):
        Indicator.objects.update_or_create(
            code=definition.code,
            defaults={
                "category": definition.category,
                "label": definition.label,
                "weight": definition.weight,
                "flag": definition.flag,
                "cst_type": definition.cst_type,
                "derived": definition.derived,
                "cybertip": definition.cybertip,
                "source_refs": list(definition.source_refs),
                "sort_order": order,
                "active": True,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("risk", "0001_initial")]
    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
