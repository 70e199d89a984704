"""The deadlines in effect for an agency: one read, asked by every clock (docs/duties.md#state-rules)."""

from .. import deadlines
from ..models import ReportingRule


def rules_for(agency) -> list[deadlines.EffectiveRule]:
    """The deadlines in effect for the agency: the federal parties, its state's rules and its own
    table merged party by party, the stricter winning (deadlines.effective_rules). Every clock
    (runs, returns, identified-victim reports, the steps after a refusal, the NCIC confirmation) and the
    admin's table of deadlines read this."""
    rows = ReportingRule.objects.filter(agency=agency).order_by("event", "party")
    return deadlines.effective_rules(deadlines.STATE_RULES.get(agency.state, ()), rows)
