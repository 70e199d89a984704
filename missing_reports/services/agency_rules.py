"""The deadlines in effect for an agency: one read, asked by every clock (docs/duties.md#state-rules)."""

import datetime

from caseapp.local_time import agency_zone
from caseapp.models import AgencyHoliday

from .. import deadlines
from ..models import ReportingRule

# The agency's holidays read for a clock: from the day it starts, far enough for the longest rule in business
# days (deadlines.MAX_DAYS working days are fewer than this many calendar days, whatever the holidays).
HOLIDAY_HORIZON_DAYS = 366


def rules_for(agency) -> list[deadlines.EffectiveRule]:
    """The deadlines in effect for the agency: the federal parties, its state's rules and its own
    table merged party by party, the stricter winning (deadlines.effective_rules). Every clock
    (runs, returns, identified-victim reports, the steps after a refusal, the NCIC confirmation) and the
    admin's table of deadlines read this."""
    rows = ReportingRule.objects.filter(agency=agency).order_by("event", "party")
    return deadlines.effective_rules(deadlines.STATE_RULES.get(agency.state, ()), rows)


def calendar_for(agency, start, *, holidays=True) -> deadlines.Calendar:
    """The agency's zone and, when `holidays`, its holidays from the day of `start` on (one query)."""
    zone = agency_zone(agency)
    if not holidays:
        return deadlines.Calendar(zone)
    first = start.astimezone(zone).date()
    days = AgencyHoliday.objects.filter(
        agency=agency, date__gte=first, date__lte=first + datetime.timedelta(days=HOLIDAY_HORIZON_DAYS)
    ).values_list("date", flat=True)
    return deadlines.Calendar(zone, frozenset(days))


def deadlines_for(agency, event, start, rules=None) -> list[deadlines.Deadline]:
    """The clocks `event` starts for the agency from `start`, due by its rules in effect (`rules`, read when not
    given) on its calendar: the one way a service starts clocks. The holidays are read only when a rule of the
    event counts business days, so a run in an agency without one costs no more queries."""
    rules = rules_for(agency) if rules is None else rules
    calendar = calendar_for(agency, start, holidays=deadlines.uses_business_days(event, rules))
    return deadlines.deadlines(event, start, rules, calendar)


def due_again(agency, clock, start) -> datetime.datetime:
    """When an existing clock is due from a corrected `start`, by the rule it was made with (its count and unit),
    not by today's table: a correction moves the start, never the rule."""
    calendar = calendar_for(agency, start, holidays=clock.rule_unit == deadlines.BUSINESS_DAYS)
    return deadlines.due_at(start, clock.rule_hours, clock.rule_unit, calendar)
