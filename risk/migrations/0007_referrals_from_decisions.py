"""The referrals already recorded on decisions (their `referrals` list) become tracked ServiceReferral rows, so
nothing is lost (docs/risk-catalogue.md#referrals).

Each becomes "sent" on the decision's day in UTC (the day it was recorded; the agency's zone is not read here,
so the day is the one stored), next step due the app's 7 days later (risk/referral_steps.py, copied as a number:
a migration keeps the value it was written with). Oldest decisions first; a service the youth already has a row
for is not added again, as risk/services/referrals.py does for a later decision naming it again. Running it
twice adds nothing.
"""

import datetime

from django.db import migrations

ANSWER_DAYS = 7  # risk.referral_steps.ANSWER_DAYS when this migration was written
SERVICES = {"housing", "food", "medical", "connection", "empowerment", "specialised", "other"}


def referrals_from_decisions(apps, schema_editor):
    ReviewDecision = apps.get_model("risk", "ReviewDecision")
    ServiceReferral = apps.get_model("risk", "ServiceReferral")
    have = set(ServiceReferral.objects.values_list("youth_id", "service"))
    rows = []
    for decision in ReviewDecision.objects.order_by("decided_at", "id").iterator():
        for service in dict.fromkeys(decision.referrals or []):
            if service not in SERVICES or (decision.youth_id, service) in have:
                continue
            have.add((decision.youth_id, service))
            sent_on = decision.decided_at.astimezone(datetime.UTC).date()
            rows.append(
                ServiceReferral(
                    youth_id=decision.youth_id, decision_id=decision.pk, service=service, status="sent",
                    sent_on=sent_on, next_step_due=sent_on + datetime.timedelta(days=ANSWER_DAYS),
                    created_by_id=decision.decided_by_id, created_at=decision.decided_at,
                )
            )
    ServiceReferral.objects.bulk_create(rows, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("risk", "0006_service_referrals")]

    # Backwards: the rows stay until 0005 is reversed and drops the table.
    operations = [migrations.RunPython(referrals_from_decisions, migrations.RunPython.noop)]
