"""Rules in calendar days and business days, in the agency's zone and with its holidays (docs/duties.md#rule-units).

Pure: `deadlines.deadlines()` and `deadlines.due_at()` with a Calendar (a zone and a set of holiday dates).
"""

import datetime
import zoneinfo

import pytest

from missing_reports import deadlines
from missing_reports.deadlines import BUSINESS_DAYS, COURT, DAYS, HOURS, LAW_ENFORCEMENT, MISSING, Rule

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
UTC = datetime.UTC
MLK_DAY_2027 = datetime.date(2027, 1, 18)  # a Monday


def local(*args, zone=CHICAGO, fold=0):
    return datetime.datetime(*args, tzinfo=zone, fold=fold)


def court_due(start, calendar, extra=()):
    rules = deadlines.effective_rules(deadlines.STATE_RULES["GA"], extra)
    return {d.party: d for d in deadlines.deadlines(MISSING, start, rules, calendar)}[COURT]


# --- Business days -------------------------------------------------------------------------------------------


def test_a_business_day_rule_across_a_weekend_and_a_holiday_ends_on_the_agencys_clock():
    """GA's runaway report to the juvenile court, "within 2 business days": learned on Friday evening before a
    Monday holiday, Saturday, Sunday and the holiday do not count, nor does Friday itself: due at the end of
    Wednesday, agency time."""
    calendar = deadlines.Calendar(CHICAGO, frozenset({MLK_DAY_2027}))
    clock = court_due(local(2027, 1, 15, 18, 30), calendar)
    assert (clock.hours, clock.unit, clock.span) == (2, BUSINESS_DAYS, "2 business days")
    assert clock.source.startswith("GA DFCS 19.22")
    due = clock.due_at.astimezone(CHICAGO)
    assert (due.date(), due.strftime("%H:%M:%S %Z")) == (datetime.date(2027, 1, 20), "23:59:59 CST")
    assert clock.due_at == datetime.datetime(2027, 1, 21, 5, 59, 59, 999999, tzinfo=UTC)
    # Without the holiday, Monday counts: due at the end of Tuesday.
    plain = court_due(local(2027, 1, 15, 18, 30), deadlines.Calendar(CHICAGO))
    assert plain.due_at.astimezone(CHICAGO).date() == datetime.date(2027, 1, 19)


def test_the_day_ends_in_the_agencys_own_zone():
    start = datetime.datetime(2027, 1, 15, 23, 30, tzinfo=UTC)  # Friday 6:30 PM in New York and 5:30 PM in Chicago
    in_new_york = court_due(start, deadlines.Calendar(NEW_YORK, frozenset({MLK_DAY_2027}))).due_at
    in_chicago = court_due(start, deadlines.Calendar(CHICAGO, frozenset({MLK_DAY_2027}))).due_at
    assert in_new_york.astimezone(NEW_YORK).strftime("%m/%d %H:%M %Z") == "01/20 23:59 EST"
    assert in_chicago - in_new_york == datetime.timedelta(hours=1)


def test_a_business_day_rule_across_the_spring_clock_change():
    """Friday evening before the Sunday clocks go forward and a Monday holiday: the end of Tuesday is in daylight
    time (UTC-5), not an hour off."""
    calendar = deadlines.Calendar(CHICAGO, frozenset({datetime.date(2027, 3, 15)}))
    due = deadlines.due_at(local(2027, 3, 12, 19, 0), 1, BUSINESS_DAYS, calendar)
    assert due.astimezone(CHICAGO).strftime("%Y-%m-%d %H:%M %Z") == "2027-03-16 23:59 CDT"
    assert due == datetime.datetime(2027, 3, 17, 4, 59, 59, 999999, tzinfo=UTC)


def test_a_business_day_rule_across_the_autumn_clock_change():
    due = deadlines.due_at(local(2026, 10, 30, 20, 0), 1, BUSINESS_DAYS, deadlines.Calendar(CHICAGO))
    assert due.astimezone(CHICAGO).strftime("%Y-%m-%d %H:%M %Z") == "2026-11-02 23:59 CST"
    assert due == datetime.datetime(2026, 11, 3, 5, 59, 59, 999999, tzinfo=UTC)


def test_learned_on_a_working_morning_the_day_itself_does_not_count():
    due = deadlines.due_at(local(2027, 1, 19, 0, 5), 1, BUSINESS_DAYS, deadlines.Calendar(CHICAGO))
    assert due.astimezone(CHICAGO).date() == datetime.date(2027, 1, 20)


def test_a_notice_at_the_last_moment_of_the_day_is_on_time_and_a_microsecond_later_is_not():
    from missing_reports import clock_state

    due = deadlines.due_at(local(2027, 1, 19, 9, 0), 1, BUSINESS_DAYS, deadlines.Calendar(CHICAGO))
    assert clock_state.state(due, due, due) is clock_state.DONE_ON_TIME
    midnight = local(2027, 1, 21, 0, 0).astimezone(UTC)
    assert clock_state.state(due, midnight, midnight) is clock_state.DONE_LATE


# --- Calendar days -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "start, expected, elapsed",
    [
        # Clocks go forward on Mar 14, 2027: a day is 23 hours, at the same time of day.
        (local(2027, 3, 13, 10, 0), "2027-03-14 10:00 CDT", 23),
        # Clocks go back on Nov 1, 2026: a day is 25 hours.
        (local(2026, 10, 31, 10, 0), "2026-11-01 10:00 CST", 25),
        # 2:30 AM on Mar 14, 2027 never happens: due when the clocks jump past it.
        (local(2027, 3, 13, 2, 30), "2027-03-14 03:00 CDT", 23.5),
        # 1:30 AM on Nov 1, 2026 happens twice: due at the first.
        (local(2026, 10, 31, 1, 30), "2026-11-01 01:30 CDT", 24),
        # Started in the second 1:30 AM (CST): the next day's 1:30 AM is one instant.
        (local(2026, 11, 1, 1, 30, fold=1), "2026-11-02 01:30 CST", 24),
    ],
)
def test_calendar_days_keep_the_time_of_day_across_a_clock_change(start, expected, elapsed):
    due = deadlines.due_at(start, 1, DAYS, deadlines.Calendar(CHICAGO))
    assert due.astimezone(CHICAGO).strftime("%Y-%m-%d %H:%M %Z") == expected
    assert due - start == datetime.timedelta(hours=elapsed)


def test_a_week_of_calendar_days_ignores_weekends_and_holidays():
    calendar = deadlines.Calendar(CHICAGO, frozenset({datetime.date(2026, 12, 25)}))
    due = deadlines.due_at(local(2026, 12, 21, 9, 15), 7, DAYS, calendar)
    assert due.astimezone(CHICAGO) == local(2026, 12, 28, 9, 15)


# --- Stricter wins across units ----------------------------------------------------------------------------


def test_rules_in_two_units_are_both_in_effect_and_the_earlier_due_time_wins():
    """An agency row "court within 72 h" beside GA's 2 business days: either can come first, so both stay in
    effect, and each clock is due at whichever comes first for its own start."""
    calendar = deadlines.Calendar(CHICAGO, frozenset({MLK_DAY_2027}))
    row = Rule(MISSING, COURT, 72, "Agency policy")
    rules = deadlines.effective_rules(deadlines.STATE_RULES["GA"], [row])
    court = [(r.hours, r.unit, r.origin) for r in rules if (r.event, r.party) == (MISSING, COURT)]
    assert court == [(2, BUSINESS_DAYS, deadlines.STATE), (72, HOURS, deadlines.AGENCY)]

    friday = local(2027, 1, 15, 18, 0)  # 72 h: Monday 6 PM; 2 business days: the end of Wednesday
    assert court_due(friday, calendar, [row]).due_at == friday + datetime.timedelta(hours=72)
    assert court_due(friday, calendar, [row]).span == "72 h"
    tuesday = local(2027, 1, 19, 9, 0)  # 2 business days: the end of Thursday, before Friday 9 AM
    assert court_due(tuesday, calendar, [row]).due_at.astimezone(CHICAGO).date() == datetime.date(2027, 1, 21)
    assert court_due(tuesday, calendar, [row]).span == "2 business days"


def test_a_rule_another_always_beats_is_set_aside_whatever_its_unit():
    # 24 h always comes before the end of the second business day: the state's business days never bind.
    rules = deadlines.effective_rules(deadlines.STATE_RULES["GA"], [Rule(MISSING, COURT, 24, "Agency policy")])
    (court,) = [r for r in rules if (r.event, r.party) == (MISSING, COURT)]
    assert (court.hours, court.unit, court.origin) == (24, HOURS, deadlines.AGENCY)
    assert [(r.hours, r.unit) for r in court.not_applied] == [(2, BUSINESS_DAYS)]
    # An agency row of 3 business days is longer than the state's 2 in the same unit: not applied.
    rules = deadlines.effective_rules(
        deadlines.STATE_RULES["GA"], [Rule(MISSING, COURT, 3, "Lax", BUSINESS_DAYS)]
    )
    (court,) = [r for r in rules if (r.event, r.party) == (MISSING, COURT)]
    assert (court.hours, court.origin) == (2, deadlines.STATE)
    # Law enforcement's federal 24 h always beats 2 calendar days (at least 46 h).
    rules = deadlines.effective_rules((), [Rule(MISSING, LAW_ENFORCEMENT, 2, "Lax", DAYS)])
    (le,) = [r for r in rules if (r.event, r.party) == (MISSING, LAW_ENFORCEMENT)]
    assert (le.hours, le.unit, le.origin) == (24, HOURS, deadlines.FEDERAL)


def test_a_rule_in_days_needs_the_calendar_and_at_least_one_day():
    with pytest.raises(ValueError, match="calendar"):
        deadlines.deadlines(MISSING, local(2027, 1, 15, 18, 0), deadlines.STATE_RULES["GA"])
    with pytest.raises(ValueError, match="1 to 90 days"):
        deadlines.effective_rules((), [Rule(MISSING, COURT, 0, "", BUSINESS_DAYS)])
    with pytest.raises(ValueError, match="unknown unit"):
        deadlines.effective_rules((), [Rule(MISSING, COURT, 1, "", "fortnights")])


def test_spans_are_worded_one_way():
    spans = [(24,), (1, DAYS), (3, DAYS), (1, BUSINESS_DAYS), (2, BUSINESS_DAYS)]
    assert [deadlines.span_text(*args) for args in spans] == [
        "24 h", "1 day", "3 days", "1 business day", "2 business days",
    ]


# --- The states' rules the table now expresses -----------------------------------------------------------------


@pytest.mark.parametrize(
    "state, party, span",
    [
        ("IL", deadlines.PARENTS, "24 h"),
        ("IL", COURT, "24 h"),
        ("IL", deadlines.CHILD_FIND, "24 h"),
        ("AZ", deadlines.CASA, "24 h"),
        ("AZ", deadlines.CAREGIVER, "24 h"),
        ("AZ", deadlines.ATTORNEY_GAL, "24 h"),
        ("VA", deadlines.LAW_ENFORCEMENT_WRITTEN, "48 h"),
        ("ND", deadlines.REGIONAL_SUPERVISOR, "12 h"),
        ("GA", COURT, "2 business days"),
    ],
)
def test_the_states_parties_get_their_clocks(state, party, span):
    start = local(2026, 6, 1, 12, 0)
    due = {d.party: d for d in deadlines.deadlines(MISSING, start, deadlines.STATE_RULES[state],
                                                   deadlines.Calendar(CHICAGO))}
    assert due[party].span == span and due[party].source
    assert deadlines.party_label(MISSING, party) in deadlines.PARTY_LABELS.values()
