"""An agency's deadlines as an admin reads them: each deadline in effect with where it comes from
(federal / state / agency), and the agency's rows that change nothing.

The merge itself is the pure rule deadlines.effective_rules, asked through services.episodes.rules_for; this
module only words it for the admin (the effective-deadlines page, the ReportingRule form) and the
`install_state_rules` command. A state's rules apply to every agency of the state without being
copied into its table: an agency row can add a party or shorten a deadline, nothing else.
"""

from dataclasses import dataclass

from . import deadlines
from .services import episodes as episode_services

EVENT_LABELS = deadlines.EVENT_LABELS


@dataclass(frozen=True)
class TableRow:
    """One line of the effective-deadlines table. `in_effect` False: a rule that is not applied
    (`note` says which stricter one applies instead, or that a default was replaced)."""

    event: str
    party: str
    hours: int
    origin: str
    source: str
    in_effect: bool
    note: str = ""


def _hours(hours: int) -> str:
    return f"{hours} h"


def _origin(rule) -> str:
    return deadlines.ORIGIN_LABELS[rule.origin].lower()


def effective_table(agency) -> list[TableRow]:
    """The agency's deadlines in effect, each followed by the rules for the same party it set aside."""
    rows = []
    for rule in episode_services.rules_for(agency):
        event, party = EVENT_LABELS[rule.event], deadlines.party_label(rule.event, rule.party)
        rows.append(TableRow(event, party, rule.hours, deadlines.ORIGIN_LABELS[rule.origin], rule.source, True))
        for other in rule.not_applied:
            rows.append(
                TableRow(
                    event, party, other.hours, deadlines.ORIGIN_LABELS[other.origin], other.source, False,
                    _why_not_applied(other, rule),
                )
            )
    return rows


def _why_not_applied(other, rule) -> str:
    """Why `other` gives way to `rule`, the deadline in effect for the same party."""
    winner = f"the {_origin(rule)} {'rule' if rule.origin == deadlines.AGENCY else 'deadline'} ({_hours(rule.hours)})"
    if other.origin == deadlines.DEFAULT:
        return f"replaced by {winner}."
    if other.hours == rule.hours:
        return f"the same as {winner}."
    if other.origin == deadlines.AGENCY:
        return f"{winner} is stricter; an agency row cannot lengthen it."
    return f"shortened by {winner}."


def longer_than_the_law(agency, event: str, party: str, hours: int) -> str:
    """'' when an agency row of `hours` for (event, party) would take effect; otherwise why not
    (a federal or state deadline is as strict or stricter), in words for the admin form."""
    state = deadlines.STATE_RULES.get(agency.state, ())
    candidate = deadlines.Rule(event, party, hours)
    for rule in deadlines.effective_rules(state, [candidate]):
        if (rule.event, rule.party) != (event, party) or rule.origin == deadlines.AGENCY:
            continue
        whose = "federal" if rule.origin == deadlines.FEDERAL else f"{agency.state} state"
        shorter = f"enter fewer than {rule.hours} hours, or add no row" if rule.hours else "add no row"
        return (
            f"{EVENT_LABELS[event]}, {deadlines.party_label(event, party)}: the {whose} deadline is "
            f"{_hours(rule.hours)} ({rule.source}), and it applies to this agency whatever its own table says. "
            f"An agency row can only make a deadline shorter: {shorter}."
        )
    return ""
