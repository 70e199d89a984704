"""An agency's deadlines as an admin reads them: each deadline in effect with where it comes from
(federal / state / agency), and the agency's rows that change nothing.

The merge itself is the pure rule deadlines.effective_rules, asked through services.episodes.rules_for; this
module only words it for the admin (the effective-deadlines page, the ReportingRule form) and the
`install_state_rules` command. A state's rules apply to every agency of the state without being
copied into its table: an agency row can add a party or shorten a deadline, nothing else.
"""

from dataclasses import dataclass

from django.utils import timezone

from caseapp.local_time import agency_zone
from caseapp.models import AgencyHoliday

from . import deadlines
from .services import episodes as episode_services

EVENT_LABELS = deadlines.EVENT_LABELS


@dataclass(frozen=True)
class TableRow:
    """One line of the effective-deadlines table. `in_effect` False: a rule that is not applied
    (`note` says which stricter one applies instead, or that a default was replaced). An applied rule's `note`
    names the rule it is in effect with when the party has two in different units ("whichever comes first")."""

    event: str
    party: str
    hours: int  # the count, in `unit`
    origin: str
    source: str
    in_effect: bool
    note: str = ""
    unit: str = deadlines.HOURS

    @property
    def span(self) -> str:
        return deadlines.span_text(self.hours, self.unit)


# The holidays the effective-deadlines page lists: the next ones, enough for a year of an agency's calendar.
HOLIDAYS_SHOWN = 40


def upcoming_holidays(agency):
    """The agency's holidays from today on (its own calendar), the nearest first, at most HOLIDAYS_SHOWN."""
    today = timezone.localtime(timezone.now(), agency_zone(agency)).date()
    return list(AgencyHoliday.objects.filter(agency=agency, date__gte=today).order_by("date")[:HOLIDAYS_SHOWN])


def _origin(rule) -> str:
    return deadlines.ORIGIN_LABELS[rule.origin].lower()


def _named(rule) -> str:
    """'the state deadline (2 business days)', 'the agency rule (72 h)'."""
    return f"the {_origin(rule)} {'rule' if rule.origin == deadlines.AGENCY else 'deadline'} ({rule.span})"


def effective_table(agency) -> list[TableRow]:
    """The agency's deadlines in effect, each followed by the rules for the same party it set aside."""
    rules = episode_services.rules_for(agency)
    rows = []
    for rule in rules:
        event, party = EVENT_LABELS[rule.event], deadlines.party_label(rule.event, rule.party)
        alongside = [
            other for other in rules if (other.event, other.party) == (rule.event, rule.party) and other is not rule
        ]
        note = (
            f"with {', '.join(_named(other) for other in alongside)}: whichever comes first." if alongside else ""
        )
        rows.append(
            TableRow(
                event, party, rule.hours, deadlines.ORIGIN_LABELS[rule.origin], rule.source, True, note, rule.unit
            )
        )
        for other in rule.not_applied:
            rows.append(
                TableRow(
                    event, party, other.hours, deadlines.ORIGIN_LABELS[other.origin], other.source, False,
                    _why_not_applied(other, rule), other.unit,
                )
            )
    return rows


def _why_not_applied(other, rule) -> str:
    """Why `other` gives way to `rule`, the deadline in effect for the same party that beats it."""
    winner = _named(rule)
    if other.origin == deadlines.DEFAULT:
        return f"replaced by {winner}."
    if (other.hours, other.unit) == (rule.hours, rule.unit):
        return f"the same as {winner}."
    if other.unit != rule.unit:
        return f"{winner} always comes first; a rule that never binds changes nothing."
    if other.origin == deadlines.AGENCY:
        return f"{winner} is stricter; an agency row cannot lengthen it."
    return f"shortened by {winner}."


def longer_than_the_law(agency, event: str, party: str, hours: int, unit: str = deadlines.HOURS) -> str:
    """'' when an agency row of `hours` `unit`s for (event, party) would take effect (alone, or as the one of two
    rules in different units that comes first for some starts); otherwise why not (a federal or state deadline is
    as strict or stricter, always), in words for the admin form."""
    state = deadlines.STATE_RULES.get(agency.state, ())
    candidate = deadlines.Rule(event, party, hours, unit=unit)
    in_effect = [rule for rule in deadlines.effective_rules(state, [candidate]) if (rule.event, rule.party) == (
        event, party)]
    if any(rule.origin == deadlines.AGENCY for rule in in_effect):
        return ""
    rule = next(
        (rule for rule in in_effect if any(other.origin == deadlines.AGENCY for other in rule.not_applied)),
        in_effect[0],
    )
    whose = "federal" if rule.origin == deadlines.FEDERAL else f"{agency.state} state"
    if rule.unit != unit:
        shorter = f"{deadlines.span_text(hours, unit)} never comes before it: enter a shorter deadline, or add no row"
    elif rule.hours:
        shorter = f"enter fewer than {rule.hours} {deadlines.UNIT_NOUNS[unit]}, or add no row"
    else:
        shorter = "add no row"
    return (
        f"{EVENT_LABELS[event]}, {deadlines.party_label(event, party)}: the {whose} deadline is "
        f"{rule.span} ({rule.source}), and it applies to this agency whatever its own table says. "
        f"An agency row can only make a deadline shorter: {shorter}."
    )
