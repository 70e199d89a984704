"""The reporting clock: who must be told of an event, and by when. Pure functions, no database.

The federal rule (SSA §471(a)(35)(B), docs/duties.md#missing-24h): law enforcement (for NCIC
entry) and NCMEC, immediately and never later than 24 hours after the agency *learns* of it. States
may be stricter (KS 2 h to law enforcement; KY and ND 12 h) and may add parties (TX: court,
attorney ad litem, guardian ad litem and parents within 24 h of the run and of the return).

The rules in effect for an agency (`effective_rules`) are the federal parties, its state's rules and
its own rows merged party by party, the stricter winning: a state's rule and an agency's row can add
a party or shorten a deadline, never lengthen or remove a federal or state one. A deadline set by law
never gets longer because an agency wrote a row. The return interview has no federal deadline: the
app's default (72 h) gives way to a state's or an agency's hours in either direction, but once a
state sets it (FL 24 h) it is a state deadline like the others.

A rule counts in one of three units (docs/duties.md#rule-units): hours (elapsed time from a UTC instant, so a
DST change moves the wall-clock hour a deadline shows at, never the time the agency has), calendar days (the same
wall-clock time N days later in the agency's zone) and business days (the end of the Nth working day after the
day the agency learned, in its zone, skipping Saturdays, Sundays and the agency's holidays). When rules for one
party count in different units, each is in effect unless another always comes first, and a clock is due at the
earliest of them for its start: the stricter wins, compared on the due times themselves.
"""

import datetime
import math
from dataclasses import dataclass, field, replace

from caseapp import local_time

# Events that start clocks.
MISSING = "missing"
RETURNED = "returned"
# A supervisor identified the youth as a victim of sex trafficking (risk module): law enforcement
# must be told within 24 h of when the agency *received the information* (§471(a)(34)(A)).
IDENTIFIED = "identified"
# Law enforcement would not take the report of a run, or would not enter the youth in NCIC
# (docs/duties.md#le-refused): the follow-up steps run from when the agency was refused.
LE_REFUSED = "le_refused"
# The report of a run was given to law enforcement: the agency confirms the NCIC entry (docs/duties.md#ncic-2h).
# Law enforcement has 2 h to enter (34 USC 41308); the agency's confirmation clock runs from the report.
NCIC_CONFIRMATION = "ncic_entry"
# The youth disclosed abuse or neglect, another crime against them, or online exploitation, at the return
# interview or later in the episode (docs/duties.md#disclosures): the reports run from the disclosure.
DISCLOSED = "disclosed"
EVENTS = (MISSING, RETURNED, IDENTIFIED, LE_REFUSED, NCIC_CONFIRMATION, DISCLOSED)
EVENT_LABELS = {
    MISSING: "Missing from care",
    RETURNED: "Return",
    IDENTIFIED: "Identified as a victim of trafficking",
    LE_REFUSED: "Law enforcement would not take the report or enter NCIC",
    NCIC_CONFIRMATION: "Report given to law enforcement (NCIC entry to confirm)",
    DISCLOSED: "A disclosure of abuse, neglect, a crime or online exploitation",
}
EPISODE_EVENTS = (MISSING, RETURNED, LE_REFUSED, NCIC_CONFIRMATION, DISCLOSED)

# Parties (and the return interview, which is the same kind of clock).
LAW_ENFORCEMENT = "law_enforcement"
NCMEC = "ncmec"
COURT = "court"
ATTORNEY_GAL = "attorney_gal"
PARENTS = "parents"
TRIBE = "tribe"
STATE_CLEARINGHOUSE = "state_clearinghouse"
RETURN_INTERVIEW = "return_interview"
# Parties the states of docs/duties.md#state-rules name (IL, AZ, GA, KS, ND, VA, WA).
CHILD_FIND = "child_find"
CASA = "casa"
CAREGIVER = "caregiver"
TRIBAL_LAW_ENFORCEMENT = "tribal_law_enforcement"
REGIONAL_SUPERVISOR = "regional_supervisor"
STATE_MISSING_TEAM = "state_missing_team"
LAW_ENFORCEMENT_WRITTEN = "law_enforcement_written"
# The follow-up of a refusal by law enforcement (LE_REFUSED).
SUPERVISOR = "supervisor"
SI_DIRECTOR = "si_director"
AFFIDAVIT = "affidavit"
# The reports of a disclosure (DISCLOSED), with LAW_ENFORCEMENT.
ABUSE_HOTLINE = "abuse_hotline"
CYBERTIPLINE = "cybertipline"

PARTY_LABELS = {
    LAW_ENFORCEMENT: "Law enforcement (NCIC entry)",
    NCMEC: "NCMEC",
    COURT: "Court",
    ATTORNEY_GAL: "Attorney / guardian ad litem",
    PARENTS: "Parents",
    TRIBE: "Tribe",
    STATE_CLEARINGHOUSE: "State missing-child clearinghouse",
    CHILD_FIND: "Child Find of America",
    CASA: "CASA (court-appointed special advocate)",
    CAREGIVER: "Caregiver (placement provider)",
    TRIBAL_LAW_ENFORCEMENT: "Tribal law enforcement",
    REGIONAL_SUPERVISOR: "Regional supervisor",
    STATE_MISSING_TEAM: "State agency's missing-children team",
    LAW_ENFORCEMENT_WRITTEN: "Law enforcement (written notice)",
    RETURN_INTERVIEW: "Return interview (debrief)",
    SUPERVISOR: "Supervisor",
    SI_DIRECTOR: "Special investigations program director",
    AFFIDAVIT: "Affidavit to the state missing-children unit",
    ABUSE_HOTLINE: "Child abuse hotline / intake",
    CYBERTIPLINE: "NCMEC CyberTipline",
}
# The follow-up trafficking screening after a return interview where the youth declined or it was not possible
# (docs/duties.md#return-interview). Its hours are the agency's setting (Agency.screening_follow_up_days), not a
# row of the rules table, so it is a clock's party but never a ReportingRule's.
SCREENING_FOLLOW_UP = "screening_follow_up"
CLOCK_PARTY_LABELS = {**PARTY_LABELS, SCREENING_FOLLOW_UP: "Follow-up trafficking screening"}
# Clocks done by recording something else, never on the notice form: what to record instead.
DONE_ELSEWHERE = {
    RETURN_INTERVIEW: "The return interview is done by recording the debrief.",
    SCREENING_FOLLOW_UP: "The follow-up screening is done by recording the structured trafficking screening.",
}
RETURN_PARTY_LABELS = {
    LAW_ENFORCEMENT: "Law enforcement (clear NCIC entry)",
    NCMEC: "NCMEC (recovery)",
}

FEDERAL_HOURS = 24
# Required for every episode whatever an agency's table says (§471(a)(35)(B)); the recovery
# notices are NCMEC's ask (34 USC 11295a counts recoveries) and TX/ND practice, not a federal
# deadline, so 24 h is this app's default for them.
FEDERAL_PARTIES = {
    MISSING: {LAW_ENFORCEMENT: FEDERAL_HOURS, NCMEC: FEDERAL_HOURS},
    RETURNED: {LAW_ENFORCEMENT: FEDERAL_HOURS, NCMEC: FEDERAL_HOURS},
    IDENTIFIED: {LAW_ENFORCEMENT: FEDERAL_HOURS},
}
FEDERAL_SOURCES = {
    MISSING: "Federal: SSA §471(a)(35)(B)",
    RETURNED: "Federal default (recovery notice)",
    IDENTIFIED: "Federal: SSA §471(a)(34)(A)",
}
# The app's defaults where the law sets no deadline for the agency (origin DEFAULT: a state's or an agency's
# hours replace them in either direction). The return interview (docs/duties.md#return-interview; FL: 24 h).
# After a refusal by law enforcement, NCMEC's guidance is to go to NCMEC or the state clearinghouse, and the
# supervisor must know (docs/duties.md#le-refused). The NCIC confirmation: 24 h after the report (GA DFCS
# practice; docs/duties.md#ncic-2h); law enforcement itself has 2 h to enter.
DEFAULT_RETURN_INTERVIEW_HOURS = 72
DEFAULT_RETURN_INTERVIEW_SOURCE = "Default (no federal deadline)"
DEFAULT_LE_REFUSED_HOURS = 24
DEFAULT_NCIC_CONFIRMATION_HOURS = 24
DEFAULT_NCIC_CONFIRMATION_SOURCE = (
    "Default: confirm the entry within 24 h (law enforcement must enter within 2 h, 34 USC 41308)"
)
# A disclosure: the app's default is 24 h for each report, agency practice (the law the app records sets none
# for the agency except a state's, e.g. TX 8 h; docs/duties.md#disclosures).
DEFAULT_DISCLOSURE_HOURS = 24
DEFAULT_DISCLOSURE_SOURCE = "Default: agency practice (no federal deadline)"
DEFAULT_RULES = (
    (RETURNED, RETURN_INTERVIEW, DEFAULT_RETURN_INTERVIEW_HOURS, DEFAULT_RETURN_INTERVIEW_SOURCE),
    (LE_REFUSED, SUPERVISOR, DEFAULT_LE_REFUSED_HOURS, "Default: tell the supervisor of the refusal"),
    (
        LE_REFUSED, STATE_CLEARINGHOUSE, DEFAULT_LE_REFUSED_HOURS,
        "Default: NCMEC's guidance when law enforcement declines (contact the state clearinghouse)",
    ),
    (NCIC_CONFIRMATION, LAW_ENFORCEMENT, DEFAULT_NCIC_CONFIRMATION_HOURS, DEFAULT_NCIC_CONFIRMATION_SOURCE),
    *(
        (DISCLOSED, party, DEFAULT_DISCLOSURE_HOURS, DEFAULT_DISCLOSURE_SOURCE)
        for party in (ABUSE_HOTLINE, LAW_ENFORCEMENT, CYBERTIPLINE)
    ),
)
# The parties the law says to tell "immediately" (24 h is only the ceiling): the escalation sweep
# reminds the caseworker within the first hour for these clocks: the run (§471(a)(35)(B)) and the
# identified victim (§471(a)(34)(A)). Not the recovery notices.
IMMEDIATE_PARTIES = {MISSING: (LAW_ENFORCEMENT, NCMEC), IDENTIFIED: (LAW_ENFORCEMENT,)}
IMMEDIATE_PARTY_NAMES = {LAW_ENFORCEMENT: "Law enforcement", NCMEC: "NCMEC"}


def is_immediate(event: str, party: str) -> bool:
    return party in IMMEDIATE_PARTIES.get(event, ())


# The units a rule counts in (docs/duties.md#rule-units). A rule's `hours` is its count in its unit: named for
# the unit nearly every rule uses, and kept so, because the stored clocks and the agency tables carry it.
HOURS = "hours"
DAYS = "days"
BUSINESS_DAYS = "business_days"
UNITS = (HOURS, DAYS, BUSINESS_DAYS)
UNIT_LABELS = {
    HOURS: "hours (elapsed)",
    DAYS: "calendar days (the same time of day)",
    BUSINESS_DAYS: "business days (to the end of the day)",
}
UNIT_NOUNS = {HOURS: "hours", DAYS: "days", BUSINESS_DAYS: "business days"}
# The longest rule in days the table takes: a notice, not a yearly report. It bounds the holidays read too.
MAX_DAYS = 90


def span_text(count, unit=HOURS) -> str:
    """'24 h', '1 day', '3 days', '2 business days': a rule's span, as every page and email words it."""
    if unit == HOURS:
        return f"{count} h"
    noun = "day" if unit == DAYS else "business day"
    return f"{count} {noun}{'' if count == 1 else 's'}"


@dataclass(frozen=True)
class Calendar:
    """What a rule in days needs of the agency: its zone (a ZoneInfo) and its holidays (dates)."""

    zone: object
    holidays: frozenset = field(default_factory=frozenset)


def due_at(start: datetime.datetime, count: int, unit: str = HOURS, calendar: Calendar | None = None):
    """When a rule of `count` `unit`s that starts at the aware instant `start` is due (UTC).

    Hours: elapsed. Calendar days: the same wall-clock time `count` days later in the agency's zone
    (local_time.same_wall_time_days_later: the repeated hour's first occurrence, the skipped hour's jump).
    Business days: the end of the `count`th working day after the day of `start`, in the agency's zone: the day
    the agency learned never counts (it may be half over, or a Saturday), as a court counts "within 2 days".
    """
    start = start.astimezone(datetime.UTC)
    if unit == HOURS:
        return start + datetime.timedelta(hours=count)
    if unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r}")
    if calendar is None:
        raise ValueError("a deadline in days needs the agency's calendar (its zone and holidays)")
    if not 1 <= count <= MAX_DAYS:
        raise ValueError(f"a deadline in days is 1 to {MAX_DAYS} days")
    if unit == DAYS:
        return local_time.same_wall_time_days_later(start, count, calendar.zone)
    day = start.astimezone(calendar.zone).date()
    last = local_time.working_days_after(day, count, calendar.holidays)
    return local_time.end_of_day(last, calendar.zone)


# How far apart, in elapsed hours, a rule's due time can be from its start: (fewest, most). A day is 24 hours but
# for a clock change (allowed up to 2 h); business days have no most (holidays), and the fewest is when the day
# the agency learned was ending. Used only to set aside a rule another always beats (`always_first`).
def _span_bounds(rule) -> tuple[float, float]:
    if rule.unit == HOURS:
        return rule.hours, rule.hours
    fewest = 24 * rule.hours - 2
    return fewest, (24 * rule.hours + 2 if rule.unit == DAYS else math.inf)


def always_first(rule, other) -> bool:
    """Whether `rule` is due no later than `other` whatever the start (so `other` never binds)."""
    return _span_bounds(rule)[1] <= _span_bounds(other)[0]


@dataclass(frozen=True)
class Rule:
    event: str
    party: str
    hours: int  # the count, in `unit`
    source: str = ""
    unit: str = HOURS


# Where a deadline in effect comes from.
FEDERAL = "federal"
STATE = "state"
AGENCY = "agency"
DEFAULT = "default"  # the app's own default where the law sets none (DEFAULT_RULES)
ORIGIN_LABELS = {FEDERAL: "Federal", STATE: "State", AGENCY: "Agency", DEFAULT: "Default"}
AGENCY_SOURCE = "Agency rule"


@dataclass(frozen=True)
class EffectiveRule:
    """A deadline in effect for one party of one event, with its origin (FEDERAL, STATE, AGENCY or
    DEFAULT) and the other rules for the same party that are not applied: the less strict ones (an
    agency row as long as a state deadline, or longer, has no effect) and a default that was replaced."""

    event: str
    party: str
    hours: int  # the count, in `unit`
    source: str
    origin: str
    not_applied: tuple["EffectiveRule", ...] = ()
    unit: str = HOURS

    @property
    def span(self) -> str:
        return span_text(self.hours, self.unit)


@dataclass(frozen=True)
class Deadline:
    party: str
    due_at: datetime.datetime
    hours: int  # the count, in `unit`, of the rule that set it
    source: str
    unit: str = HOURS

    @property
    def span(self) -> str:
        return span_text(self.hours, self.unit)


def effective_rules(state_rules=(), agency_rules=()) -> list[EffectiveRule]:
    """The rules in effect: the federal parties, `state_rules` and `agency_rules` (Rule-like objects:
    event, party, hours, source, and unit, hours when absent) merged per (event, party), the stricter winning.

    A state rule or an agency row adds a party or shortens a deadline; one as long as a federal or
    state deadline, or longer, has no effect (on a tie the law's rule stays, so the source shown is
    the law). Only the app's defaults (DEFAULT_RULES: the return interview, the steps after a refusal by
    law enforcement, the NCIC confirmation, the reports of a disclosure) give way to any rule, in either direction.

    Rules in one unit compare by their count. Rules in different units (24 h and 2 business days) compare on due
    times, which depend on the start: the fewest of each unit stays in effect unless another unit's rule always
    comes first (`always_first`), and `deadlines` takes the earliest due time of those in effect, so a party can
    have two rules in effect, "whichever comes first" (docs/duties.md#rule-units). Each rule set aside is listed
    in `not_applied` of the rule in effect that beats it. Sorted by event, then span, then party.
    """
    candidates: dict[tuple[str, str], list[EffectiveRule]] = {}

    def offer(rule, origin, default_source=""):
        unit = getattr(rule, "unit", HOURS) or HOURS
        if rule.event not in EVENTS:
            raise ValueError(f"unknown event {rule.event!r}")
        if unit not in UNITS:
            raise ValueError(f"unknown unit {unit!r}")
        if rule.hours < 0:
            raise ValueError("a deadline cannot be negative")
        if unit != HOURS and not 1 <= rule.hours <= MAX_DAYS:
            raise ValueError(f"a deadline in days is 1 to {MAX_DAYS} days")
        candidates.setdefault((rule.event, rule.party), []).append(
            EffectiveRule(rule.event, rule.party, rule.hours, rule.source or default_source, origin, unit=unit)
        )

    # In order of precedence on a tie: the law first.
    for event, parties in FEDERAL_PARTIES.items():
        for party, hours in parties.items():
            offer(Rule(event, party, hours, FEDERAL_SOURCES[event]), FEDERAL)
    for event, party, hours, source in DEFAULT_RULES:
        offer(Rule(event, party, hours, source), DEFAULT)
    for rule in state_rules:
        offer(rule, STATE)
    for rule in agency_rules:
        offer(rule, AGENCY, AGENCY_SOURCE)

    in_effect = []
    for options in candidates.values():
        binding = [rule for rule in options if rule.origin != DEFAULT] or options
        fewest: dict[str, EffectiveRule] = {}
        for rule in binding:  # the first of equals: the law before the agency
            if rule.unit not in fewest or rule.hours < fewest[rule.unit].hours:
                fewest[rule.unit] = rule
        winners = [
            rule for rule in fewest.values()
            if not any(other is not rule and always_first(other, rule) for other in fewest.values())
        ]
        set_aside: dict[int, list[EffectiveRule]] = {id(winner): [] for winner in winners}
        for rule in options:
            if any(rule is winner for winner in winners):
                continue
            same_unit = [winner for winner in winners if winner.unit == rule.unit]
            beaten_by = same_unit[0] if same_unit else next(
                (winner for winner in winners if always_first(winner, rule)), winners[0]
            )
            set_aside[id(beaten_by)].append(rule)
        in_effect.extend(replace(winner, not_applied=tuple(set_aside[id(winner)])) for winner in winners)
    return sorted(in_effect, key=lambda rule: (EVENTS.index(rule.event), _span_bounds(rule)[0], rule.party))


def deadlines(event: str, learned_at: datetime.datetime, rules, calendar: Calendar | None = None) -> list[Deadline]:
    """Every clock `event` starts, each due by its rule from `learned_at` (an aware datetime).

    `rules`: the agency's rules in effect (services.agency_rules.rules_for), or any Rule-like objects (event,
    party, hours, source, unit), which are merged as `effective_rules` merges an agency's rows: the federal
    parties are always present and only ever made stricter; the return interview is due after a
    return even if no rule names it. A party with rules in effect in two units is due at the earlier of their
    due times for this start. `calendar` (the agency's zone and holidays) is needed only by a rule in days.
    Sorted by due time.
    """
    if learned_at.tzinfo is None or learned_at.utcoffset() is None:
        raise ValueError("learned_at must be timezone-aware")
    if event not in EVENTS:
        raise ValueError(f"unknown event {event!r}")
    start = learned_at.astimezone(datetime.UTC)
    earliest: dict[str, Deadline] = {}
    for rule in effective_rules(agency_rules=rules):
        if rule.event != event:
            continue
        due = Deadline(rule.party, due_at(start, rule.hours, rule.unit, calendar), rule.hours, rule.source, rule.unit)
        if rule.party not in earliest or due.due_at < earliest[rule.party].due_at:
            earliest[rule.party] = due
    return sorted(earliest.values(), key=lambda d: (d.due_at, d.party))


def uses_business_days(event: str, rules) -> bool:
    """Whether a rule of `event` in effect counts business days (so the agency's holidays must be read)."""
    return any(rule.event == event and rule.unit == BUSINESS_DAYS for rule in effective_rules(agency_rules=rules))


# Stricter or added rules by state, as docs/duties.md#state-rules lists them (with what is left out, and why).
# They apply to every agency of the state (services.agency_rules.rules_for merges them with the agency's own
# rows); an agency row can only add to them or shorten them.
STATE_RULES: dict[str, list[Rule]] = {
    "KS": [Rule(MISSING, LAW_ENFORCEMENT, 2, "KS PPS 5245: law enforcement within 2 h")],
    "KY": [
        Rule(MISSING, LAW_ENFORCEMENT, 12, "KY SOP 4.67: law enforcement within 12 h"),
        # The SOP names the step, not a deadline: 24 h, like its other notifications.
        Rule(
            LE_REFUSED, AFFIDAVIT, 24,
            "KY SOP 4.67: not entered in LINK/NCIC, the worker signs an affidavit for the KY Missing & "
            "Exploited Children Unit (no deadline given: 24 h)",
        ),
    ],
    "ND": [
        *(
            Rule(MISSING, party, 12, "ND 624-05-15-50-34: within 12 h")
            for party in (LAW_ENFORCEMENT, NCMEC, REGIONAL_SUPERVISOR)
        ),
        *(
            Rule(RETURNED, party, 12, "ND: repeat notifications on return")
            for party in (LAW_ENFORCEMENT, NCMEC, REGIONAL_SUPERVISOR)
        ),
    ],
    "TX": [
        *(
            Rule(event, party, 24, "Tex. Fam. Code §264.123")
            for event in (MISSING, RETURNED)
            for party in (COURT, ATTORNEY_GAL, PARENTS)
        ),
        Rule(IDENTIFIED, LAW_ENFORCEMENT, 8, "TX CPS Handbook 6462: identified victim to law enforcement within 8 h"),
        *(
            Rule(
                LE_REFUSED, party, 8,
                "TX CPS Handbook 6461.2: law enforcement declines an NCIC report: supervisor and SI program director "
                "within 8 h (who ask DPS for the Child Safety Check Alert List)",
            )
            for party in (SUPERVISOR, SI_DIRECTOR)
        ),
        Rule(
            LE_REFUSED, NCMEC, 1,
            "TX CPS Handbook 6461.2: the special investigator follows up with NCMEC the next business day",
            BUSINESS_DAYS,
        ),
        # Crime or trafficking victim found at the return: law enforcement and Statewide Intake within 8 h;
        # abuse or neglect while absent goes to the hotline (Statewide Intake) within 8 h too.
        Rule(DISCLOSED, ABUSE_HOTLINE, 8, "TX CPS Handbook 6461.5: Statewide Intake within 8 h"),
        Rule(DISCLOSED, LAW_ENFORCEMENT, 8, "TX CPS Handbook 6461.5: crime victim to law enforcement within 8 h"),
    ],
    "GA": [
        Rule(
            NCIC_CONFIRMATION, LAW_ENFORCEMENT, 24,
            "GA DFCS 19.22: confirm NCIC entry within 24 h of the report",
        ),
        # "File a runaway report in juvenile court within 2 business days": the table does not tell a runaway
        # from another missing youth, so every episode starts it (docs/duties.md#state-rules).
        Rule(
            MISSING, COURT, 2,
            "GA DFCS 19.22: report to the juvenile court, with the efforts made to locate the youth, within 2 "
            "business days",
            BUSINESS_DAYS,
        ),
    ],
    "FL": [Rule(RETURNED, RETURN_INTERVIEW, 24, "Fla. Admin. Code 65C-30.019: debrief within 24 h")],
    "IL": [
        Rule(MISSING, party, 24, "89 Ill. Adm. Code 329.30: within 24 h of the initial report")
        for party in (PARENTS, COURT, CHILD_FIND)
    ],
    # The policy says "immediate" and gives no hours: 24 h, the ceiling of its own law-enforcement and NCMEC
    # notices. The tribe is told only for an Indian child, which the app does not record: an agency adds its row.
    "AZ": [
        Rule(
            MISSING, party, 24,
            "AZ DCS Policy Ch. 4 §8: immediate written and phone notice (no hours given: 24 h, as for law "
            "enforcement and NCMEC)",
        )
        for party in (PARENTS, ATTORNEY_GAL, CASA, COURT, CAREGIVER)
    ],
    "VA": [
        Rule(
            MISSING, LAW_ENFORCEMENT_WRITTEN, 48,
            "VA CFS Manual E §17.13: written notification to law enforcement within 48 h of the verbal report",
        ),
    ],
}

IDENTIFIED_PARTY_LABELS = {LAW_ENFORCEMENT: "Law enforcement (identified victim of trafficking)"}
LE_REFUSED_PARTY_LABELS = {
    SUPERVISOR: "Supervisor told of the refusal by law enforcement",
    SI_DIRECTOR: "SI program director told of the refusal (Child Safety Check Alert List)",
    STATE_CLEARINGHOUSE: "State missing-child clearinghouse told of the refusal",
    AFFIDAVIT: "Affidavit signed: youth not entered in NCIC",
    NCMEC: "NCMEC follow-up after the refusal",
}
NCIC_CONFIRMATION_PARTY_LABELS = {LAW_ENFORCEMENT: "NCIC entry confirmed"}
DISCLOSED_PARTY_LABELS = {
    ABUSE_HOTLINE: "Child abuse hotline told of the disclosure",
    LAW_ENFORCEMENT: "Law enforcement told of the disclosure",
    CYBERTIPLINE: "NCMEC CyberTipline report of the disclosure",
}
EVENT_PARTY_LABELS = {
    IDENTIFIED: IDENTIFIED_PARTY_LABELS,
    RETURNED: RETURN_PARTY_LABELS,
    LE_REFUSED: LE_REFUSED_PARTY_LABELS,
    NCIC_CONFIRMATION: NCIC_CONFIRMATION_PARTY_LABELS,
    DISCLOSED: DISCLOSED_PARTY_LABELS,
}


def party_label(event: str, party: str) -> str:
    """A clock's name in words: the event's own wording of the party if it has one, else the party's."""
    return EVENT_PARTY_LABELS.get(event, {}).get(party, CLOCK_PARTY_LABELS.get(party, party))


def screening_follow_up_hours(days: int) -> int:
    """The follow-up screening clock's hours from the agency's days (Agency.screening_follow_up_days)."""
    if days < 1:
        raise ValueError("the follow-up screening needs at least one day")
    return days * 24


# Which of the disclosure's clocks a kind of disclosure starts (docs/duties.md#disclosures): every disclosure
# is reported to the hotline and to law enforcement (and to any party an agency's rows add); only online
# exploitation adds the CyberTipline report.
ONLINE_EXPLOITATION = "online_exploitation"


def for_disclosure_kind(kind: str, due: list[Deadline]) -> list[Deadline]:
    """Of a disclosure's clocks `due`, those a disclosure of `kind` starts."""
    return [d for d in due if d.party != CYBERTIPLINE or kind == ONLINE_EXPLOITATION]


def disclosure_deadlines(kind: str, disclosed_at: datetime.datetime, rules, calendar=None) -> list[Deadline]:
    """The clocks a disclosure of `kind` starts, from `disclosed_at`, under the agency's `rules`."""
    return for_disclosure_kind(kind, deadlines(DISCLOSED, disclosed_at, rules, calendar))
