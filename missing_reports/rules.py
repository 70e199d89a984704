"""An agency's deadline table: install its state's known rules so an admin can review and edit them."""

from django.db import transaction

from . import deadlines
from .models import ReportingRule


@transaction.atomic
def install_state_rules(agency) -> list[ReportingRule]:
    """Copy deadlines.STATE_RULES for the agency's state into its table; existing rows are kept.

    Until an agency has a table, its state's rules apply anyway (services.rules_for); installing
    them makes them visible and editable.
    """
    created = []
    for rule in deadlines.STATE_RULES.get(agency.state, []):
        row, made = ReportingRule.objects.get_or_create(
            agency=agency, event=rule.event, party=rule.party,
            defaults={"hours": rule.hours, "source": rule.source},
        )
        if made:
            created.append(row)
    return created
