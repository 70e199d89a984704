"""AFCARS sex-trafficking elements E106-E111 of one youth, from their supervisors' identification
decisions and the law-enforcement report clocks (docs/duties.md#afcars). Pure: no database.

Which identifications count
---------------------------
An identification is a fact that stays: a youth who was identified as a victim *was* identified,
whatever a later decision says about the present. So every identification decision counts, also
when a later "No current concern" or "At risk" decision supersedes it. Only an explicit correction
withdraws one: a decider records that it was "recorded in error", with a reason
(risk/services/corrections.py, `ReviewDecision.withdrawn_at`); a withdrawn decision does not count.

Corrections of the facts: an identification decision that directly supersedes an identification
(not withdrawn) and keeps its "information received" time is a *correction* of it (the service
keeps its one report clock): the correction's facts replace the earlier ones, and the earlier
decision does not count on its own. A decision with a new "information received" time, or after a
decision that is not an identification, is a further identification and counts next to the earlier.

`counting_identifications` is the one home of this rule: the AFCARS elements here, the annual count and the
AFCARS export (exports/reports/), and the youth's risk page all read it.

E106-E111 are about **sex** trafficking: an identification of labor trafficking (the latest facts of
its corrections decide) is kept in the youth's record but does not count here.

This reading follows docs/risk-catalogue.md#principles (identification is a supervisor's decision) and
#caveats (confirm with counsel).

The elements
------------
- E106 prior victim: 1 if a counting identification happened before the youth entered care, else 0.
- E107 reported (E106 = 1 only, else blank): 1 if the law-enforcement report of such an
  identification was made, else 0.
- E108 date reported (E107 = 1 only): YYYYMMDD, the most recent such report (AFCARS keeps a child's
  most recent values, docs/duties.md#afcars), in the agency's time zone.
- E109 victim while in foster care: 1 if a counting identification happened while in care or while
  missing from care (a youth missing from care is still in care), else 0.
- E110 reported (E109 = 1 only): as E107.
- E111 date reported (E110 = 1 only): as E108.

Checks (the AXE validators, docs/duties.md#afcars): E107 is required when E106 = 1 and E110 when
E109 = 1; E108 and E111 are required when E107 / E110 = 1 and cannot be in the future; E111 must be
on or after the latest removal date (E69, `Youth.entered_care_on`).
"""

import datetime
from dataclasses import dataclass, field

IDENTIFIED = "identified"
SEX = "sex"
BEFORE_ENTRY = "before_entry"
IN_CARE_TIMINGS = ("in_care", "while_missing")


@dataclass(frozen=True)
class DecisionFacts:
    """What the elements need of one decision (risk.models.ReviewDecision and its report clock).

    `report_done_at` is the done time of the report clock this decision started, if it has one and
    it was recorded; `has_report` says whether it started a clock at all.
    """

    id: int
    outcome: str
    decided_at: datetime.datetime
    timing: str = ""
    trafficking_type: str = "sex"
    information_received_at: datetime.datetime | None = None
    has_report: bool = False
    report_done_at: datetime.datetime | None = None
    withdrawn: bool = False


@dataclass(frozen=True)
class Identification:
    """One counting identification: the facts of its latest correction, and its one report clock.
    `decision_ids` are all its decisions, the original first (a withdrawal withdraws them all)."""

    decision_id: int
    timing: str
    reported_at: datetime.datetime | None
    trafficking_type: str = "sex"
    decision_ids: tuple[int, ...] = ()


@dataclass
class AfcarsElements:
    e106: int
    e107: int | None
    e108: str | None
    e109: int
    e110: int | None
    e111: str | None
    identifications: list[Identification] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def rows(self):
        """(element, what it says, value) in the order of the AFCARS file; blank shows as '(blank)'."""
        shown = [
            ("E106", "Victim of sex trafficking before entering foster care", self.e106),
            ("E107", "Reported to law enforcement", self.e107),
            ("E108", "Date reported (YYYYMMDD)", self.e108),
            ("E109", "Victim of sex trafficking while in foster care", self.e109),
            ("E110", "Reported to law enforcement", self.e110),
            ("E111", "Date reported (YYYYMMDD)", self.e111),
        ]
        return [(element, label, "(blank)" if value is None else str(value)) for element, label, value in shown]


def counting_identifications(decisions) -> list[Identification]:
    """The identifications that count: ever made and not withdrawn (see the module docstring), oldest
    first, each with the facts of its latest correction. `decisions`: all of one youth's decisions
    (DecisionFacts or anything with the same attributes), in any order."""
    chain = sorted(decisions, key=lambda d: (d.decided_at, d.id))
    result: list[Identification] = []
    previous = None
    for decision in chain:
        if decision.outcome == IDENTIFIED and not decision.withdrawn:
            if (
                previous is not None
                and previous.outcome == IDENTIFIED
                and not previous.withdrawn
                and decision.information_received_at == previous.information_received_at
            ):
                # A correction: its facts replace the original's; the report made for the original counts
                # unless the correction's own clock (if it has one) was recorded.
                earlier = result.pop()
                reported_at = decision.report_done_at or earlier.reported_at
                ids = (*earlier.decision_ids, decision.id)
            else:
                reported_at, ids = decision.report_done_at, (decision.id,)
            result.append(
                Identification(decision.id, decision.timing, reported_at, decision.trafficking_type, ids)
            )
        previous = decision
    return result


def _ymd(moment, zone) -> str:
    return moment.astimezone(zone).strftime("%Y%m%d")


def _latest_report(identifications, timings):
    reports = [i.reported_at for i in identifications if i.timing in timings and i.reported_at is not None]
    return max(reports) if reports else None


def afcars_elements(decisions, *, removal_date: datetime.date | None, today: datetime.date, zone) -> AfcarsElements:
    """E106-E111 for one youth. `decisions`: DecisionFacts of all their decisions, in any order;
    `removal_date`: the latest removal date (E69); `today` and `zone`: the agency's date and time zone."""
    identifications = [i for i in counting_identifications(decisions) if i.trafficking_type == SEX]
    prior = [i for i in identifications if i.timing == BEFORE_ENTRY]
    in_care = [i for i in identifications if i.timing in IN_CARE_TIMINGS]
    prior_report = _latest_report(prior, (BEFORE_ENTRY,))
    in_care_report = _latest_report(in_care, IN_CARE_TIMINGS)

    e106 = 1 if prior else 0
    e107 = (1 if prior_report else 0) if e106 else None
    e108 = _ymd(prior_report, zone) if e107 == 1 else None
    e109 = 1 if in_care else 0
    e110 = (1 if in_care_report else 0) if e109 else None
    e111 = _ymd(in_care_report, zone) if e110 == 1 else None
    elements = AfcarsElements(e106, e107, e108, e109, e110, e111, identifications)
    elements.errors = validate(elements, removal_date=removal_date, today=today)
    return elements


def validate(elements: AfcarsElements, *, removal_date: datetime.date | None, today: datetime.date) -> list[str]:
    """The AXE validator rules over the six values; an empty list when the file would pass."""
    errors = []
    if elements.e106 == 1 and elements.e107 is None:
        errors.append("E107 is required when E106 is 1 (was the law-enforcement report made?).")
    if elements.e109 == 1 and elements.e110 is None:
        errors.append("E110 is required when E109 is 1 (was the law-enforcement report made?).")
    for flag, date_element, value in (("E107", "E108", elements.e108), ("E110", "E111", elements.e111)):
        if getattr(elements, flag.lower()) == 1 and not value:
            errors.append(f"{date_element} is required when {flag} is 1.")
        if value and datetime.datetime.strptime(value, "%Y%m%d").date() > today:
            errors.append(f"{date_element} ({value}) cannot be in the future.")
    if elements.e111:
        reported = datetime.datetime.strptime(elements.e111, "%Y%m%d").date()
        if removal_date is None:
            errors.append("E111 must be on or after the latest removal date (E69), but the youth has no "
                          "date entered care.")
        elif reported < removal_date:
            errors.append(f"E111 ({elements.e111}) is before the latest removal date (E69, "
                          f"{removal_date:%Y%m%d}): check the date entered care and the report date.")
    return errors
