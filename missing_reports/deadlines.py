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

Deadlines are elapsed time from a UTC instant, so a DST change moves the wall-clock hour a deadline
shows at, never the time the agency has.
"""

import datetime
from dataclasses import dataclass, replace

# Events that start clocks.
MISSING = "missing"
RETURNED = "returned"
# A supervisor identified the youth as a victim of sex trafficking (risk module): law enforcement
# must be told within 24 h of when the agency *received the information* (§471(a)(34)(A)).
IDENTIFIED = "identified"
EVENTS = (MISSING, RETURNED, IDENTIFIED)
EPISODE_EVENTS = (MISSING, RETURNED)

# Parties (and the return interview, which is the same kind of clock).
LAW_ENFORCEMENT = "law_enforcement"
NCMEC = "ncmec"
COURT = "court"
ATTORNEY_GAL = "attorney_gal"
PARENTS = "parents"
TRIBE = "tribe"
STATE_CLEARINGHOUSE = "state_clearinghouse"
RETURN_INTERVIEW = "return_interview"

PARTY_LABELS = {
    LAW_ENFORCEMENT: "Law enforcement (NCIC entry)",
    NCMEC: "NCMEC",
    COURT: "Court",
    ATTORNEY_GAL: "Attorney / guardian ad litem",
    PARENTS: "Parents",
    TRIBE: "Tribe",
    STATE_CLEARINGHOUSE: "State missing-child clearinghouse",
    RETURN_INTERVIEW: "Return interview (debrief)",
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
# No federal deadline for the return interview (docs/duties.md#return-interview): this is the default; FL: 24 h.
# The parties the law says to tell "immediately" (24 h is only the ceiling): the escalation sweep
# reminds the caseworker within the first hour for these clocks: the run (§471(a)(35)(B)) and the
# identified victim (§471(a)(34)(A)). Not the recovery notices.
IMMEDIATE_PARTIES = {MISSING: (LAW_ENFORCEMENT, NCMEC), IDENTIFIED: (LAW_ENFORCEMENT,)}
IMMEDIATE_PARTY_NAMES = {LAW_ENFORCEMENT: "Law enforcement", NCMEC: "NCMEC"}


def is_immediate(event: str, party: str) -> bool:
    return party in IMMEDIATE_PARTIES.get(event, ())


DEFAULT_RETURN_INTERVIEW_HOURS = 72


@dataclass(frozen=True)
class Rule:
    event: str
    party: str
    hours: int
    source: str = ""


# Where a deadline in effect comes from.
FEDERAL = "federal"
STATE = "state"
AGENCY = "agency"
DEFAULT = "default"  # the app's own default where the law sets none (the return interview)
ORIGIN_LABELS = {FEDERAL: "Federal", STATE: "State", AGENCY: "Agency", DEFAULT: "Default"}
DEFAULT_RETURN_INTERVIEW_SOURCE = "Default (no federal deadline)"
AGENCY_SOURCE = "Agency rule"


@dataclass(frozen=True)
class EffectiveRule:
    """A deadline in effect for one party of one event, with its origin (FEDERAL, STATE, AGENCY or
    DEFAULT) and the other rules for the same party that are not applied: the less strict ones (an
    agency row as long as a state deadline, or longer, has no effect) and a default that was replaced."""

    event: str
    party: str
    hours: int
    source: str
    origin: str
    not_applied: tuple["EffectiveRule", ...] = ()


@dataclass(frozen=True)
class Deadline:
    party: str
    due_at: datetime.datetime
    hours: int
    source: str


def effective_rules(state_rules=(), agency_rules=()) -> list[EffectiveRule]:
    """The rules in effect: the federal parties, `state_rules` and `agency_rules` (Rule-like objects:
    event, party, hours, source) merged per (event, party), the stricter (fewer hours) winning.

    A state rule or an agency row adds a party or shortens a deadline; one as long as a federal or
    state deadline, or longer, has no effect (on a tie the law's rule stays, so the source shown is
    the law). Only the app's default return interview gives way to any rule, in either direction.
    Sorted by event, then hours, then party.
    """
    candidates: dict[tuple[str, str], list[EffectiveRule]] = {}

    def offer(rule, origin, default_source=""):
        if rule.event not in EVENTS:
            raise ValueError(f"unknown event {rule.event!r}")
        if rule.hours < 0:
            raise ValueError("a deadline cannot be negative")
        candidates.setdefault((rule.event, rule.party), []).append(
            EffectiveRule(rule.event, rule.party, rule.hours, rule.source or default_source, origin)
        )

    # In order of precedence on a tie: the law first.
    for event, parties in FEDERAL_PARTIES.items():
        for party, hours in parties.items():
            offer(Rule(event, party, hours, FEDERAL_SOURCES[event]), FEDERAL)
    offer(Rule(RETURNED, RETURN_INTERVIEW, DEFAULT_RETURN_INTERVIEW_HOURS, DEFAULT_RETURN_INTERVIEW_SOURCE), DEFAULT)
    for rule in state_rules:
        offer(rule, STATE)
    for rule in agency_rules:
        offer(rule, AGENCY, AGENCY_SOURCE)

    in_effect = []
    for options in candidates.values():
        binding = [rule for rule in options if rule.origin != DEFAULT] or options
        winner = min(binding, key=lambda rule: rule.hours)  # the first of equals: the law before the agency
        in_effect.append(replace(winner, not_applied=tuple(rule for rule in options if rule is not winner)))
    return sorted(in_effect, key=lambda rule: (EVENTS.index(rule.event), rule.hours, rule.party))


def deadlines(event: str, learned_at: datetime.datetime, rules) -> list[Deadline]:
    """Every clock `event` starts, due `hours` after `learned_at` (an aware datetime).

    `rules`: the agency's rules in effect (services.episodes.rules_for), or any Rule-like objects (event,
    party, hours, source), which are merged as `effective_rules` merges an agency's rows: the federal
    parties are always present and only ever made stricter; the return interview is due after a
    return even if no rule names it. Sorted by due time.
    """
    if learned_at.tzinfo is None or learned_at.utcoffset() is None:
        raise ValueError("learned_at must be timezone-aware")
    if event not in EVENTS:
        raise ValueError(f"unknown event {event!r}")
    start = learned_at.astimezone(datetime.UTC)
    chosen = [rule for rule in effective_rules(agency_rules=rules) if rule.event == event]
    return [
        Deadline(rule.party, start + datetime.timedelta(hours=rule.hours), rule.hours, rule.source)
        for rule in sorted(chosen, key=lambda rule: (rule.hours, rule.party))
    ]


# Stricter or added rules by state, as docs/duties.md#state-rules lists them. They apply to every agency
# of the state (services.episodes.rules_for merges them with the agency's own rows); an agency row can only add
# to them or shorten them.
STATE_RULES: dict[str, list[Rule]] = {
    "KS": [Rule(MISSING, LAW_ENFORCEMENT, 2, "KS PPS 5245: law enforcement within 2 h")],
    "KY": [Rule(MISSING, LAW_ENFORCEMENT, 12, "KY SOP 4.67: law enforcement within 12 h")],
    "ND": [
        Rule(MISSING, LAW_ENFORCEMENT, 12, "ND 624-05-15-50-34: within 12 h"),
        Rule(MISSING, NCMEC, 12, "ND 624-05-15-50-34: within 12 h"),
        Rule(RETURNED, LAW_ENFORCEMENT, 12, "ND: repeat notifications on return"),
        Rule(RETURNED, NCMEC, 12, "ND: repeat notifications on return"),
    ],
    "TX": [
        *(
            Rule(event, party, 24, "Tex. Fam. Code §264.123")
            for event in (MISSING, RETURNED)
            for party in (COURT, ATTORNEY_GAL, PARENTS)
        ),
        Rule(IDENTIFIED, LAW_ENFORCEMENT, 8, "TX CPS Handbook 6462: identified victim to law enforcement within 8 h"),
    ],
    "FL": [Rule(RETURNED, RETURN_INTERVIEW, 24, "Fla. Admin. Code 65C-30.019: debrief within 24 h")],
}


IDENTIFIED_PARTY_LABELS = {LAW_ENFORCEMENT: "Law enforcement (identified victim of trafficking)"}


def party_label(event: str, party: str) -> str:
    if event == IDENTIFIED:
        return IDENTIFIED_PARTY_LABELS.get(party, CLOCK_PARTY_LABELS.get(party, party))
    if event == RETURNED:
        return RETURN_PARTY_LABELS.get(party, CLOCK_PARTY_LABELS.get(party, party))
    return CLOCK_PARTY_LABELS.get(party, party)


def screening_follow_up_hours(days: int) -> int:
    """The follow-up screening clock's hours from the agency's days (Agency.screening_follow_up_days)."""
    if days < 1:
        raise ValueError("the follow-up screening needs at least one day")
    return days * 24
