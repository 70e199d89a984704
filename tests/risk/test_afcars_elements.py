"""AFCARS E106-E111 from a youth's decisions and report clocks (risk.afcars; docs/duties.md#afcars).

Pure: no database."""

import datetime
import zoneinfo

import pytest

from risk.afcars import DecisionFacts, afcars_elements, counting_identifications

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
TODAY = datetime.date(2025, 6, 30)
REMOVAL = datetime.date(2024, 1, 10)


def at(day, hour=12):
    """A moment in Chicago on 2025-`day` (MMDD) or a full date."""
    date = day if isinstance(day, datetime.date) else datetime.date(2025, int(day[:2]), int(day[2:]))
    return datetime.datetime(date.year, date.month, date.day, hour, tzinfo=CHICAGO)


_ids = iter(range(1, 10_000))


def decision(outcome, day, *, timing="", received=None, report=None, done=None, kind="sex", withdrawn=False):
    """One decision on 2025-`day`. report=True: it started a clock; done: the day (MMDD) the clock was recorded."""
    return DecisionFacts(
        id=next(_ids),
        outcome=outcome,
        decided_at=at(day),
        timing=timing,
        trafficking_type=kind,
        information_received_at=received,
        has_report=bool(report or done),
        report_done_at=at(done, 9) if done else None,
        withdrawn=withdrawn,
    )


def identified(day, timing, *, received=None, report=True, done=None, kind="sex", withdrawn=False):
    return decision(
        "identified", day, timing=timing, received=received or at(day, 8), report=report, done=done, kind=kind,
        withdrawn=withdrawn,
    )


def no_concern(day):
    return decision("no_concern", day)


def at_risk(day):
    return decision("at_risk", day)


def elements(decisions, removal=REMOVAL, today=TODAY):
    return afcars_elements(decisions, removal_date=removal, today=today, zone=CHICAGO)


def values(result):
    return (result.e106, result.e107, result.e108, result.e109, result.e110, result.e111)


CASES = [
    # (name, decisions, (E106, E107, E108, E109, E110, E111))
    ("no decisions", [], (0, None, None, 0, None, None)),
    ("only no concern and at risk", [no_concern("0101"), at_risk("0201")], (0, None, None, 0, None, None)),
    ("prior victim, not reported yet", [identified("0301", "before_entry")], (1, 0, None, 0, None, None)),
    ("prior victim, reported", [identified("0301", "before_entry", done="0302")], (1, 1, "20250302", 0, None, None)),
    ("victim in care, reported", [identified("0301", "in_care", done="0301")], (0, None, None, 1, 1, "20250301")),
    ("victim while missing counts as in care", [identified("0301", "while_missing", done="0303")],
     (0, None, None, 1, 1, "20250303")),
    ("victim while missing, not reported", [identified("0301", "while_missing")], (0, None, None, 1, 0, None)),
    # An identification is a fact that stays: a later decision describes the present.
    ("a later no concern does not withdraw the identification",
     [identified("0301", "in_care", done="0301"), no_concern("0401")], (0, None, None, 1, 1, "20250301")),
    ("nor does a later at risk", [identified("0301", "before_entry", done="0301"), at_risk("0401")],
     (1, 1, "20250301", 0, None, None)),
    ("identified again after a later decision: both count",
     [identified("0101", "before_entry", done="0101"), no_concern("0201"), identified("0301", "in_care", done="0302")],
     (1, 1, "20250101", 1, 1, "20250302")),
    # Only a correction "recorded in error" withdraws one.
    ("withdrawn as recorded in error does not count",
     [identified("0301", "in_care", done="0301", withdrawn=True), at_risk("0401")], (0, None, None, 0, None, None)),
    ("a withdrawn correction takes its original with it (the service withdraws both)",
     [identified("0301", "before_entry", received=at("0301", 8), done="0301", withdrawn=True),
      identified("0305", "in_care", received=at("0301", 8), report=False, withdrawn=True)],
     (0, None, None, 0, None, None)),
    ("identified again after a withdrawal counts",
     [identified("0101", "before_entry", done="0101", withdrawn=True), identified("0301", "in_care", done="0302")],
     (0, None, None, 1, 1, "20250302")),
    ("two separate identifications both count",
     [identified("0301", "before_entry", done="0301"), identified("0401", "in_care", done="0402")],
     (1, 1, "20250301", 1, 1, "20250402")),
    ("the most recent report date of the same element",
     [identified("0301", "in_care", done="0301"), identified("0501", "while_missing", done="0502")],
     (0, None, None, 1, 1, "20250502")),
    ("a correction (same information time) replaces the timing and keeps the report",
     [identified("0301", "before_entry", received=at("0301", 8), done="0301"),
      identified("0305", "in_care", received=at("0301", 8), report=False)],
     (0, None, None, 1, 1, "20250301")),
]


@pytest.mark.parametrize(("name", "decisions", "expected"), CASES, ids=[c[0] for c in CASES])
def test_elements(name, decisions, expected):
    result = elements(decisions)
    assert values(result) == expected
    assert result.errors == []


def test_order_of_the_input_does_not_matter():
    history = [identified("0101", "in_care", done="0102"), no_concern("0201"), identified("0301", "before_entry")]
    assert values(elements(history)) == values(elements(list(reversed(history))))


def test_a_correction_counts_once():
    original = identified("0301", "before_entry", received=at("0301", 8), done="0301")
    correction = identified("0302", "before_entry", received=at("0301", 8), report=False)
    counted = counting_identifications([original, correction])
    assert [i.decision_id for i in counted] == [correction.id]
    assert counted[0].reported_at == at("0301", 9)


def test_an_identification_keeps_all_its_decisions_for_a_withdrawal():
    original = identified("0301", "before_entry", received=at("0301", 8), done="0301")
    correction = identified("0302", "in_care", received=at("0301", 8), report=False)
    later = at_risk("0401")
    (counted,) = counting_identifications([later, correction, original])
    assert counted.decision_ids == (original.id, correction.id)


def test_a_correction_after_a_withdrawal_is_a_new_identification():
    withdrawn = identified("0301", "in_care", received=at("0301", 8), done="0301", withdrawn=True)
    again = identified("0302", "in_care", received=at("0301", 8), report=True)
    (counted,) = counting_identifications([withdrawn, again])
    assert counted.decision_ids == (again.id,) and counted.reported_at is None


def test_the_report_date_is_the_agencys_date():
    # 23:30 in Chicago on 1 March is 05:30 UTC on 2 March; AFCARS gets the agency's date.
    late_evening = DecisionFacts(
        id=1, outcome="identified", decided_at=at("0301"), timing="in_care", information_received_at=at("0301", 8),
        has_report=True, report_done_at=datetime.datetime(2025, 3, 1, 23, 30, tzinfo=CHICAGO),
    )
    assert elements([late_evening]).e111 == "20250301"


ERROR_CASES = [
    # (name, decisions, removal date, today, a words each error must contain)
    ("E111 before the latest removal date", [identified("0301", "in_care", done="0302")],
     datetime.date(2025, 4, 1), TODAY, ["E111 (20250302) is before the latest removal date (E69, 20250401)"]),
    ("E111 on the removal date is fine", [identified("0301", "in_care", done="0302")],
     datetime.date(2025, 3, 2), TODAY, []),
    ("no removal date to check E111 against", [identified("0301", "in_care", done="0302")], None, TODAY,
     ["E111 must be on or after the latest removal date (E69)"]),
    ("a report date in the future (E111)", [identified("0301", "in_care", done="0302")], REMOVAL,
     datetime.date(2025, 3, 1), ["E111 (20250302) cannot be in the future"]),
    ("a report date in the future (E108)", [identified("0301", "before_entry", done="0302")], REMOVAL,
     datetime.date(2025, 3, 1), ["E108 (20250302) cannot be in the future"]),
    ("E108 is not checked against the removal date (a prior victim may be reported before removal)",
     [identified("0301", "before_entry", done="0302")], datetime.date(2025, 4, 1), TODAY, []),
    ("nothing reported, nothing to check", [identified("0301", "in_care")], None, TODAY, []),
]


@pytest.mark.parametrize(("name", "decisions", "removal", "today", "expected"), ERROR_CASES,
                         ids=[c[0] for c in ERROR_CASES])
def test_validation(name, decisions, removal, today, expected):
    errors = elements(decisions, removal=removal, today=today).errors
    assert len(errors) == len(expected), errors
    for words, error in zip(expected, errors, strict=True):
        assert words in error


def test_the_rows_show_blank_elements_as_blank():
    rows = elements([identified("0301", "in_care")]).rows()
    assert rows[0] == ("E106", "Victim of sex trafficking before entering foster care", "0")
    assert rows[1][2] == "(blank)"
    assert rows[4] == ("E110", "Reported to law enforcement", "0")


def test_a_labor_trafficking_identification_is_not_a_sex_trafficking_element():
    labor = identified("0301", "in_care", done="0301", kind="labor")
    elements = afcars_elements([labor], removal_date=REMOVAL, today=TODAY, zone=CHICAGO)
    assert (elements.e106, elements.e109, elements.e110, elements.e111) == (0, 0, None, None)


def test_a_correction_from_sex_to_labor_trafficking_leaves_the_elements():
    first = identified("0301", "in_care", done="0301")
    corrected = identified("0302", "in_care", received=first.information_received_at, report=False, kind="labor")
    elements = afcars_elements([first, corrected], removal_date=REMOVAL, today=TODAY, zone=CHICAGO)
    assert elements.e109 == 0
