"""The reporting clock: who must be told of an event, and by when. Pure functions, no database.

The federal rule (SSA §471(a)(35)(B), reference/regulatory.md §0 row 1): law enforcement (for NCIC
entry) and NCMEC, immediately and never later than 24 hours after the agency *learns* of it. States
may be stricter (KS 2 h to law enforcement; KY and ND 12 h) and may add parties (TX: court,
attorney ad litem, guardian ad litem and parents within 24 h of the run and of the return). An
agency's own rules can shorten a federal deadline, never lengthen it.

Deadlines are elapsed time from a UTC instant, so a DST change moves the wall-clock hour a deadline
shows at, never the time the agency has.
"""

import datetime
from dataclasses import dataclass

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
# No federal deadline for the return interview (regulatory.md §5.4): this is the default; FL: 24 h.
DEFAULT_RETURN_INTERVIEW_HOURS = 72


@dataclass(frozen=True)
class Rule:
    event: str
    party: str
    hours: int
    source: str = ""


@dataclass(frozen=True)
class Deadline:
    party: str
    due_at: datetime.datetime
    hours: int
    source: str


def deadlines(event: str, learned_at: datetime.datetime, agency_rules) -> list[Deadline]:
    """Every clock `event` starts, due `hours` after `learned_at` (an aware datetime).

    `agency_rules`: Rule-like objects (event, party, hours, source) from the agency's table.
    The federal parties are always present; an agency rule may only make them stricter.
    The return interview is due after a return even if the agency set nothing.
    """
    if learned_at.tzinfo is None or learned_at.utcoffset() is None:
        raise ValueError("learned_at must be timezone-aware")
    if event not in EVENTS:
        raise ValueError(f"unknown event {event!r}")
    chosen: dict[str, tuple[int, str]] = {
        party: (hours, FEDERAL_SOURCES[event])
        for party, hours in FEDERAL_PARTIES[event].items()
    }
    if event == RETURNED:
        chosen[RETURN_INTERVIEW] = (DEFAULT_RETURN_INTERVIEW_HOURS, "Default (no federal deadline)")
    for rule in agency_rules:
        if rule.event != event:
            continue
        if rule.hours < 0:
            raise ValueError("a deadline cannot be negative")
        current = chosen.get(rule.party)
        if current is None or rule.party == RETURN_INTERVIEW or rule.hours < current[0]:
            chosen[rule.party] = (rule.hours, rule.source or "Agency rule")
    start = learned_at.astimezone(datetime.UTC)
    return [
        Deadline(party, start + datetime.timedelta(hours=hours), hours, source)
        for party, (hours, source) in sorted(chosen.items(), key=lambda item: (item[1][0], item[0]))
    ]


# Stricter or added rules by state, as regulatory.md §0 and §4 give them. Loaded into an agency's
# table by `missing_reports.services.rules.install_state_rules`; an agency admin can change them.
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
        return IDENTIFIED_PARTY_LABELS.get(party, PARTY_LABELS.get(party, party))
    if event == RETURNED:
        return RETURN_PARTY_LABELS.get(party, PARTY_LABELS.get(party, party))
    return PARTY_LABELS.get(party, party)
