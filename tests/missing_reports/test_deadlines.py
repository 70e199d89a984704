"""The reporting clock, as a pure function: who must be told, by when (docs/design.md#rule-clock-data).

No database: `deadlines.deadlines()` takes an aware datetime and rule-like objects.
"""

import datetime
import zoneinfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from missing_reports import deadlines
from missing_reports.deadlines import (
    ATTORNEY_GAL,
    COURT,
    LAW_ENFORCEMENT,
    MISSING,
    NCMEC,
    PARENTS,
    RETURN_INTERVIEW,
    RETURNED,
    Rule,
)

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
LEARNED = datetime.datetime(2026, 6, 1, 12, 0, tzinfo=datetime.UTC)


def hours_by_party(event, rules=(), learned_at=LEARNED):
    return {d.party: (d.due_at - learned_at) / datetime.timedelta(hours=1) for d in
            deadlines.deadlines(event, learned_at, rules)}


# --- The federal rule -------------------------------------------------------------------------------


def test_federal_default_is_24_hours_to_law_enforcement_and_ncmec():
    assert hours_by_party(MISSING) == {LAW_ENFORCEMENT: 24, NCMEC: 24}


def test_every_deadline_names_its_source():
    for d in deadlines.deadlines(MISSING, LEARNED, []):
        assert "471(a)(35)(B)" in d.source
        assert d.hours == 24


def test_a_state_rule_shortens_the_federal_deadline():
    result = hours_by_party(MISSING, deadlines.STATE_RULES["KS"])
    assert result == {LAW_ENFORCEMENT: 2, NCMEC: 24}
    by_party = {d.party: d for d in deadlines.deadlines(MISSING, LEARNED, deadlines.STATE_RULES["KS"])}
    assert by_party[LAW_ENFORCEMENT].source.startswith("KS")


def test_an_agency_rule_never_lengthens_a_federal_deadline():
    rules = [Rule(MISSING, NCMEC, 48, "A lax policy"), Rule(MISSING, LAW_ENFORCEMENT, 24, "Same as federal")]
    result = deadlines.deadlines(MISSING, LEARNED, rules)
    assert {d.party: d.hours for d in result} == {LAW_ENFORCEMENT: 24, NCMEC: 24}
    assert all("Federal" in d.source for d in result)


def test_a_zero_hour_rule_means_due_at_once():
    assert hours_by_party(MISSING, [Rule(MISSING, LAW_ENFORCEMENT, 0)])[LAW_ENFORCEMENT] == 0


def test_a_negative_rule_is_refused():
    with pytest.raises(ValueError, match="negative"):
        deadlines.deadlines(MISSING, LEARNED, [Rule(MISSING, NCMEC, -1)])


def test_rules_of_the_other_event_are_ignored():
    assert hours_by_party(MISSING, [Rule(RETURNED, NCMEC, 2)]) == {LAW_ENFORCEMENT: 24, NCMEC: 24}


# --- Added parties and the return -------------------------------------------------------------------


@pytest.mark.parametrize("event", [MISSING, RETURNED])
def test_texas_adds_court_attorney_and_parents_within_24_hours(event):
    result = hours_by_party(event, deadlines.STATE_RULES["TX"])
    assert {COURT, ATTORNEY_GAL, PARENTS} <= set(result)
    assert result[COURT] == result[ATTORNEY_GAL] == result[PARENTS] == 24
    assert result[LAW_ENFORCEMENT] == result[NCMEC] == 24


def test_a_return_starts_the_recovery_notices_and_the_return_interview():
    result = deadlines.deadlines(RETURNED, LEARNED, [])
    assert {d.party: d.hours for d in result} == {LAW_ENFORCEMENT: 24, NCMEC: 24, RETURN_INTERVIEW: 72}
    assert deadlines.party_label(RETURNED, LAW_ENFORCEMENT) == "Law enforcement (clear NCIC entry)"
    assert deadlines.party_label(RETURNED, NCMEC) == "NCMEC (recovery)"


def test_the_missing_event_has_no_return_interview():
    assert RETURN_INTERVIEW not in hours_by_party(MISSING)


def test_florida_wants_the_return_interview_within_24_hours():
    assert hours_by_party(RETURNED, deadlines.STATE_RULES["FL"])[RETURN_INTERVIEW] == 24


def test_an_agency_may_set_a_longer_return_interview_since_there_is_no_federal_deadline():
    assert hours_by_party(RETURNED, [Rule(RETURNED, RETURN_INTERVIEW, 120)])[RETURN_INTERVIEW] == 120


def test_north_dakota_repeats_the_notices_on_return_within_12_hours():
    result = hours_by_party(RETURNED, deadlines.STATE_RULES["ND"])
    assert result[LAW_ENFORCEMENT] == result[NCMEC] == 12


def test_results_are_sorted_by_due_time():
    rules = [*deadlines.STATE_RULES["TX"], Rule(RETURNED, RETURN_INTERVIEW, 4), Rule(RETURNED, NCMEC, 12)]
    result = deadlines.deadlines(RETURNED, LEARNED, rules)
    dues = [d.due_at for d in result]
    assert dues == sorted(dues)
    assert result[0].party == RETURN_INTERVIEW
    assert result[1].party == NCMEC


# --- Bad input ------------------------------------------------------------------------------------


def test_a_naive_datetime_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        deadlines.deadlines(MISSING, datetime.datetime(2026, 6, 1, 12, 0), [])


def test_an_unknown_event_is_refused():
    with pytest.raises(ValueError, match="unknown event"):
        deadlines.deadlines("vanished", LEARNED, [])


# --- Time zones and daylight saving -----------------------------------------------------------------


def _due(party, learned_at, rules=()):
    return next(d.due_at for d in deadlines.deadlines(MISSING, learned_at, rules) if d.party == party)


def test_spring_forward_keeps_24_hours_and_moves_the_wall_clock():
    # 2026-03-08 02:00 CST becomes 03:00 CDT in Chicago.
    learned = datetime.datetime(2026, 3, 7, 20, 0, tzinfo=CHICAGO)
    assert learned.tzname() == "CST"
    due = _due(NCMEC, learned)
    assert due - learned == datetime.timedelta(hours=24)
    local = due.astimezone(CHICAGO)
    assert (local.date(), local.hour, local.minute, local.tzname()) == (datetime.date(2026, 3, 8), 21, 0, "CDT")
    assert due.tzinfo == datetime.UTC


def test_fall_back_keeps_24_hours_and_moves_the_wall_clock():
    # 2026-11-01 02:00 CDT becomes 01:00 CST in Chicago.
    learned = datetime.datetime(2026, 10, 31, 20, 0, tzinfo=CHICAGO)
    assert learned.tzname() == "CDT"
    due = _due(LAW_ENFORCEMENT, learned)
    assert due - learned == datetime.timedelta(hours=24)
    local = due.astimezone(CHICAGO)
    assert (local.date(), local.hour, local.minute, local.tzname()) == (datetime.date(2026, 11, 1), 19, 0, "CST")


def test_a_short_clock_across_the_repeated_hour_is_still_two_hours():
    # 01:30 CDT on the night the clocks go back: two hours later is 02:30 CST, not 03:30.
    learned = datetime.datetime(2026, 11, 1, 1, 30, tzinfo=CHICAGO, fold=0)
    due = _due(LAW_ENFORCEMENT, learned, deadlines.STATE_RULES["KS"])
    assert due - learned == datetime.timedelta(hours=2)
    assert due.astimezone(CHICAGO).strftime("%H:%M %Z") == "02:30 CST"


def test_agencies_in_different_time_zones_get_the_same_instant():
    instant = datetime.datetime(2026, 7, 4, 3, 15, tzinfo=datetime.UTC)
    zones = ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "Pacific/Honolulu"]
    dues = {_due(NCMEC, instant.astimezone(zoneinfo.ZoneInfo(zone))) for zone in zones}
    assert dues == {instant + datetime.timedelta(hours=24)}


# --- Property: whatever the instant and the rule, the deadline is min(rule, federal) hours later -----


@given(
    learned_at=st.datetimes(
        min_value=datetime.datetime(1990, 1, 1), max_value=datetime.datetime(2100, 1, 1),
        timezones=st.timezones(),
    ),
    hours=st.integers(min_value=0, max_value=72),
    party=st.sampled_from([LAW_ENFORCEMENT, NCMEC]),
)
def test_due_is_the_stricter_of_rule_and_federal_hours_after_learning(learned_at, hours, party):
    result = {d.party: d for d in deadlines.deadlines(MISSING, learned_at, [Rule(MISSING, party, hours)])}
    assert result[party].due_at - learned_at == datetime.timedelta(hours=min(hours, deadlines.FEDERAL_HOURS))
    assert result[party].hours == min(hours, deadlines.FEDERAL_HOURS)
    other = NCMEC if party == LAW_ENFORCEMENT else LAW_ENFORCEMENT
    assert result[other].due_at - learned_at == datetime.timedelta(hours=deadlines.FEDERAL_HOURS)


def test_an_identified_victim_must_be_reported_to_law_enforcement_within_24_hours():
    (clock,) = deadlines.deadlines(deadlines.IDENTIFIED, LEARNED, [])
    assert (clock.party, clock.hours, clock.due_at) == (LAW_ENFORCEMENT, 24, LEARNED + datetime.timedelta(hours=24))
    assert "471(a)(34)(A)" in clock.source


def test_texas_wants_an_identified_victim_reported_within_8_hours():
    assert hours_by_party(deadlines.IDENTIFIED, deadlines.STATE_RULES["TX"]) == {LAW_ENFORCEMENT: 8}
    # The 8 h rule belongs to identification only: the missing-episode clocks keep their hours.
    assert hours_by_party(MISSING, deadlines.STATE_RULES["TX"])[LAW_ENFORCEMENT] == 24


def test_identification_rules_never_start_episode_clocks():
    rules = [Rule(deadlines.IDENTIFIED, NCMEC, 1)]
    assert hours_by_party(RETURNED, rules)[NCMEC] == 24
    assert hours_by_party(deadlines.IDENTIFIED, rules) == {LAW_ENFORCEMENT: 24, NCMEC: 1}


# --- The rules in effect: federal, state and agency merged party by party ---------------------------


def in_effect(state, agency_rows):
    """{(event, party): (hours, origin)} of deadlines.effective_rules."""
    return {
        (rule.event, rule.party): (rule.hours, rule.origin)
        for rule in deadlines.effective_rules(deadlines.STATE_RULES.get(state, ()), agency_rows)
    }


def test_a_kansas_agency_adding_a_tribe_notice_keeps_the_2_hour_law_enforcement_deadline():
    result = in_effect("KS", [Rule(MISSING, deadlines.TRIBE, 24, "Tribal notice policy")])
    assert result[MISSING, LAW_ENFORCEMENT] == (2, deadlines.STATE)
    assert result[MISSING, deadlines.TRIBE] == (24, deadlines.AGENCY)
    assert result[MISSING, NCMEC] == (24, deadlines.FEDERAL)


def test_an_agency_row_longer_than_the_state_deadline_has_no_effect_and_is_listed_as_not_applied():
    lax = Rule(MISSING, LAW_ENFORCEMENT, 6, "Agency policy")
    (rule,) = [r for r in deadlines.effective_rules(deadlines.STATE_RULES["KS"], [lax]) if r.party == LAW_ENFORCEMENT
               and r.event == MISSING]
    assert (rule.hours, rule.origin) == (2, deadlines.STATE)
    assert rule.source.startswith("KS PPS 5245")
    assert [(r.hours, r.origin, r.source) for r in rule.not_applied] == [
        (24, deadlines.FEDERAL, deadlines.FEDERAL_SOURCES[MISSING]),
        (6, deadlines.AGENCY, "Agency policy"),
    ]


def test_an_agency_row_shorter_than_the_state_deadline_wins():
    result = in_effect("KS", [Rule(MISSING, LAW_ENFORCEMENT, 1, "Agency policy")])
    assert result[MISSING, LAW_ENFORCEMENT] == (1, deadlines.AGENCY)


def test_an_agency_row_as_long_as_the_state_deadline_leaves_the_law_as_the_source():
    (rule,) = [r for r in deadlines.effective_rules(deadlines.STATE_RULES["KS"], [Rule(MISSING, LAW_ENFORCEMENT, 2)])
               if (r.event, r.party) == (MISSING, LAW_ENFORCEMENT)]
    assert (rule.hours, rule.origin) == (2, deadlines.STATE)


def test_texas_parties_stay_when_the_agency_adds_one():
    result = in_effect("TX", [Rule(MISSING, deadlines.TRIBE, 12)])
    for event in (MISSING, RETURNED):
        for party in (COURT, ATTORNEY_GAL, PARENTS):
            assert result[event, party] == (24, deadlines.STATE)
    assert result[deadlines.IDENTIFIED, LAW_ENFORCEMENT] == (8, deadlines.STATE)
    assert result[MISSING, deadlines.TRIBE] == (12, deadlines.AGENCY)


def test_an_agency_cannot_lengthen_a_texas_party_it_did_not_create():
    result = in_effect("TX", [Rule(MISSING, COURT, 72, "Agency policy")])
    assert result[MISSING, COURT] == (24, deadlines.STATE)


def test_the_florida_return_interview_stays_24_hours_when_the_agency_writes_48():
    result = in_effect("FL", [Rule(RETURNED, RETURN_INTERVIEW, 48, "Agency policy")])
    assert result[RETURNED, RETURN_INTERVIEW] == (24, deadlines.STATE)


def test_without_a_state_rule_an_agency_may_change_the_default_return_interview_either_way():
    assert in_effect("MO", [Rule(RETURNED, RETURN_INTERVIEW, 96)])[RETURNED, RETURN_INTERVIEW] == (96, deadlines.AGENCY)
    assert in_effect("MO", [Rule(RETURNED, RETURN_INTERVIEW, 12)])[RETURNED, RETURN_INTERVIEW] == (12, deadlines.AGENCY)
    assert in_effect("MO", [])[RETURNED, RETURN_INTERVIEW] == (
        deadlines.DEFAULT_RETURN_INTERVIEW_HOURS, deadlines.DEFAULT
    )


def test_an_agency_in_a_state_without_known_rules_gets_the_federal_deadlines_and_its_own_rows():
    result = in_effect("MO", [Rule(MISSING, NCMEC, 6), Rule(MISSING, LAW_ENFORCEMENT, 48)])
    assert result[MISSING, NCMEC] == (6, deadlines.AGENCY)
    assert result[MISSING, LAW_ENFORCEMENT] == (24, deadlines.FEDERAL)
    assert result[deadlines.IDENTIFIED, LAW_ENFORCEMENT] == (24, deadlines.FEDERAL)


def test_no_rule_ever_makes_a_deadline_longer_than_the_law():
    """Whatever rows an agency writes, in any unit, every federal and state deadline is kept or made shorter: for
    any start, each clock is due no later than the law alone makes it (docs/duties.md#rule-units)."""
    rows = [
        Rule(event, party, count, unit=unit)
        for event in deadlines.EVENTS for party in deadlines.PARTY_LABELS
        for count, unit in ((1000, deadlines.HOURS), (deadlines.MAX_DAYS, deadlines.DAYS),
                            (deadlines.MAX_DAYS, deadlines.BUSINESS_DAYS))
    ]
    calendar = deadlines.Calendar(CHICAGO, frozenset({datetime.date(2026, 12, 25), datetime.date(2027, 1, 1)}))
    starts = [
        datetime.datetime(2026, 12, 24, 17, 0, tzinfo=CHICAGO), datetime.datetime(2026, 11, 1, 1, 30, tzinfo=CHICAGO)
    ]
    for state, state_rules in deadlines.STATE_RULES.items():
        lawful = deadlines.effective_rules(state_rules)
        merged = deadlines.effective_rules(state_rules, rows)
        for start in starts:
            for event in deadlines.EVENTS:
                law = {d.party: d.due_at for d in deadlines.deadlines(event, start, lawful, calendar)}
                with_rows = {d.party: d.due_at for d in deadlines.deadlines(event, start, merged, calendar)}
                for rule in lawful:
                    if rule.event == event and rule.origin != deadlines.DEFAULT:
                        assert with_rows[rule.party] <= law[rule.party], (state, event, rule.party, start)
        assert all(in_effect(state, rows)[rule.event, rule.party][0] <= rule.hours for rule in state_rules
                   if rule.unit == deadlines.HOURS)


def test_the_clocks_of_merged_rules_are_the_clocks_of_the_rules_in_effect():
    rules = deadlines.effective_rules(deadlines.STATE_RULES["KS"], [Rule(MISSING, deadlines.TRIBE, 24)])
    assert hours_by_party(MISSING, rules) == {LAW_ENFORCEMENT: 2, NCMEC: 24, deadlines.TRIBE: 24}
