"""Which endangerment items of a missing episode the record supports, each with its reason in words.

NCMEC and law enforcement give an endangered child priority (docs/duties.md#endangerment). A caseworker
logging a run at night should not have to remember that the youth is 10, or takes insulin: the record
knows. `reasons_from_record(facts)` is the one home of that rule; it is pure (no database), so it is
tested case by case. `missing_reports.selectors.endangerment_facts` gathers its inputs, and
`missing_reports/services/endangerment.py` applies the result to the episode.

The items:
- under 13: the youth's age on the day the agency learned of the run, in the agency's time zone
  ("Age 10 (born 2016-03-04)"); on the 13th birthday the youth is 13, no longer under 13;
- needs prescription medication: the youth's medications field is filled. The reason never names the
  medications ("Medications recorded"): the packet's restricted-field rules (docs/packets.md, "Who gets
  the health fields") withhold them from some readers, and a reason is printed for every reader;
- vulnerable to sex trafficking and identified as a victim: what the apps above this one contribute
  (risk registers a contributor, `missing_reports/endangerment_sources.py`): a risk band of High or
  Urgent or an open identification review, and a standing identification decision.

`merge` is how a recomputation meets what the caseworker did: an item the caseworker unticked (with a
reason) is never ticked again by the record, and an item once ticked stays ticked until a caseworker
unticks it (a score that falls later does not end the danger the youth was in when they went missing).
"""

import datetime
import hashlib
from dataclasses import dataclass, field

from caseapp.models import Youth

UNDER_13 = "under_13"
PRESCRIPTION_MEDICATION = "prescription_medication"
TRAFFICKING_VULNERABILITY = "trafficking_vulnerability"
IDENTIFIED_TRAFFICKING_VICTIM = "identified_trafficking_victim"

MEDICATIONS_REASON = "Medications recorded"


@dataclass(frozen=True)
class RecordFacts:
    """What the rule reads of the record. `learned_on`: the agency-local date the agency learned of the
    run; `contributed`: (code, reason) pairs from the registered contributors, in their order."""

    date_of_birth: datetime.date | None
    learned_on: datetime.date
    medications: str = ""
    contributed: tuple[tuple[str, str], ...] = field(default_factory=tuple)


def age_on(date_of_birth: datetime.date, day: datetime.date) -> int:
    """Whole years on `day`: the youth record's one rule (caseapp.models.Youth.age_on), on an unsaved
    record, so no database is read."""
    return Youth(date_of_birth=date_of_birth).age_on(day)


def reasons_from_record(facts: RecordFacts) -> dict[str, str]:
    """{code: reason} of the endangerment items `facts` support, in the order of the checks; the first
    reason given for a code wins."""
    found: dict[str, str] = {}
    if facts.date_of_birth is not None and facts.date_of_birth <= facts.learned_on:
        age = age_on(facts.date_of_birth, facts.learned_on)
        if age < 13:
            found[UNDER_13] = f"Age {age} (born {facts.date_of_birth.isoformat()})"
    if facts.medications.strip():
        found[PRESCRIPTION_MEDICATION] = MEDICATIONS_REASON
    for code, reason in facts.contributed:
        reason = " ".join(str(reason).split())
        if code and reason:
            found.setdefault(code, reason)
    return found


@dataclass(frozen=True)
class Merged:
    codes: list[str]  # the ticked items, in the order they were ticked
    reasons: dict[str, str]  # {code: reason} of the items ticked from the record
    added: list[str]  # codes the record ticked now that were not ticked before


def merge(codes, reasons, unticked, computed) -> Merged:
    """The episode's items after a recomputation: `codes` (ticked now), `reasons` (stored reasons),
    `unticked` ({code: ...} unticked by a caseworker) and `computed` (reasons_from_record)."""
    codes, reasons, added = list(codes), dict(reasons), []
    for code, reason in computed.items():
        if code in unticked:
            continue
        if code not in codes:
            codes.append(code)
            added.append(code)
            reasons[code] = reason
        else:
            # A newer reason (a band that went from High to Urgent), or an item ticked by hand that the
            # record now supports as well.
            reasons[code] = reason
    return Merged(codes, reasons, added)


def codes_hash(codes) -> str:
    """A short stable name of a set of codes: an alert's key names the set that caused it."""
    return hashlib.sha256(",".join(sorted(set(codes))).encode()).hexdigest()[:12]
