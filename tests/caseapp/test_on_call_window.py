"""The on-call window rules (caseapp/on_call.py): a weekly shift covers an agency wall-clock weekday and hour,
runs past midnight when it ends at or before its start, across the week's end too, and keeps to the wall
clock on the days clocks change (docs/design.md#on-call)."""

import datetime
import types
import zoneinfo

import pytest

from caseapp.on_call import covers, ordered, position_label, window_label, wraps

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
UTC = datetime.UTC
MON, TUE, SAT, SUN = 0, 1, 5, 6


def local(text):
    """A wall-clock time in Chicago; 2026-12-07 is a Monday."""
    return datetime.datetime.fromisoformat(text).replace(tzinfo=CHICAGO)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [(8, 17, False), (0, 24, False), (22, 6, True), (23, 1, True), (6, 6 - 1, True), (17, 8, True), (0, 1, False)],
)
def test_wraps_when_the_end_is_at_or_before_the_start(start, end, expected):
    assert wraps(start, end) is expected


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        ("2026-12-07T07:59", False),  # Monday, before the start
        ("2026-12-07T08:00", True),  # the start hour is in
        ("2026-12-07T16:59", True),
        ("2026-12-07T17:00", False),  # the end hour is out
        ("2026-12-08T09:00", False),  # Tuesday
        ("2026-12-14T09:00", True),  # next Monday
    ],
)
def test_a_day_shift_covers_its_hours_of_its_weekday(moment, expected):
    assert covers(MON, 8, 17, local(moment)) is expected


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        ("2026-12-07T21:59", False),
        ("2026-12-07T22:00", True),  # Monday night
        ("2026-12-07T23:59", True),
        ("2026-12-08T00:00", True),  # past midnight, Tuesday morning
        ("2026-12-08T05:59", True),
        ("2026-12-08T06:00", False),
        ("2026-12-08T22:30", False),  # Tuesday night is another shift
        ("2026-12-07T03:00", False),  # Monday early morning belongs to Sunday's shift
    ],
)
def test_a_night_shift_runs_past_midnight_into_the_next_day(moment, expected):
    assert covers(MON, 22, 6, local(moment)) is expected


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        ("2026-12-13T21:00", False),  # Sunday evening
        ("2026-12-13T22:00", True),  # Sunday night
        ("2026-12-14T00:30", True),  # Monday, past the week's end
        ("2026-12-14T05:59", True),
        ("2026-12-14T06:00", False),
        ("2026-12-08T01:00", False),  # a Tuesday
        ("2026-12-12T23:00", False),  # Saturday night
    ],
)
def test_sunday_night_runs_into_monday_across_the_week_end(moment, expected):
    assert covers(SUN, 22, 6, local(moment)) is expected


def test_a_whole_day_shift_ends_at_midnight():
    assert covers(SAT, 0, 24, local("2026-12-12T00:00"))
    assert covers(SAT, 0, 24, local("2026-12-12T23:59"))
    assert not covers(SAT, 0, 24, local("2026-12-13T00:00"))


def hours_covered(weekday, start, end, first_utc, last_utc):
    """Real hours (UTC) between two instants during which the shift covers the agency's clock."""
    hours, moment = 0, first_utc
    while moment < last_utc:
        hours += covers(weekday, start, end, moment.astimezone(CHICAGO))
        moment += datetime.timedelta(minutes=30)
    return hours / 2


def test_on_the_night_clocks_go_back_the_repeated_hour_is_covered_both_times():
    # 2026-11-01 (a Sunday): 1:00-1:59 AM happens in CDT, then again in CST.
    first_pass = datetime.datetime(2026, 11, 1, 6, 30, tzinfo=UTC)  # 1:30 AM CDT
    second_pass = datetime.datetime(2026, 11, 1, 7, 30, tzinfo=UTC)  # 1:30 AM CST
    assert first_pass.astimezone(CHICAGO).hour == second_pass.astimezone(CHICAGO).hour == 1
    assert covers(SUN, 1, 2, first_pass.astimezone(CHICAGO))
    assert covers(SUN, 1, 2, second_pass.astimezone(CHICAGO))
    # Saturday 22 -> 6 lasts nine real hours that night, by the wall clock 22:00 to 06:00.
    assert (
        hours_covered(
            SAT, 22, 6, datetime.datetime(2026, 10, 31, 12, tzinfo=UTC), datetime.datetime(2026, 11, 1, 18, tzinfo=UTC)
        )
        == 9
    )
    assert not covers(SAT, 22, 6, datetime.datetime(2026, 11, 1, 12, tzinfo=UTC).astimezone(CHICAGO))  # 6 AM CST


def test_on_the_night_clocks_go_forward_the_skipped_hour_covers_nobody():
    # 2027-03-14 (a Sunday): 2:00-2:59 AM does not happen.
    jump = datetime.datetime(2027, 3, 14, 8, tzinfo=UTC)  # 3:00 AM CDT, a second after 1:59:59 CST
    assert jump.astimezone(CHICAGO).hour == 3
    assert (
        hours_covered(
            SUN, 2, 3, datetime.datetime(2027, 3, 14, 0, tzinfo=UTC), datetime.datetime(2027, 3, 15, 0, tzinfo=UTC)
        )
        == 0
    )
    # Saturday 22 -> 6 lasts seven real hours that night.
    assert (
        hours_covered(
            SAT, 22, 6, datetime.datetime(2027, 3, 13, 12, tzinfo=UTC), datetime.datetime(2027, 3, 14, 18, tzinfo=UTC)
        )
        == 7
    )
    assert covers(SUN, 3, 4, jump.astimezone(CHICAGO))


def test_every_hour_of_the_week_is_covered_exactly_once_by_a_week_of_night_and_day_shifts():
    """Seven 8 -> 17 shifts and seven 17 -> 8 shifts cover the week once, the Sunday-to-Monday night too."""
    shifts = [(day, 8, 17) for day in range(7)] + [(day, 17, 8) for day in range(7)]
    start = local("2026-12-07T00:00")
    for offset in range(7 * 24):
        moment = start + datetime.timedelta(hours=offset)
        assert sum(covers(*shift, moment) for shift in shifts) == 1, moment


def test_wording():
    assert window_label(8, 17) == "08:00–17:00"
    assert window_label(22, 6) == "22:00–06:00 next day"
    assert window_label(0, 24) == "00:00–24:00"
    assert [position_label(n) for n in (1, 2, 3)] == ["first call", "backup", "backup 2"]


# --- One scope's order, from rows already loaded -------------------------------------------------------


def person(pk):
    return types.SimpleNamespace(pk=pk, name=f"person {pk}")


def shift(pk, user, position, weekday=MON, start=0, end=24):
    return types.SimpleNamespace(
        pk=pk, user=user, user_id=user.pk, position=position, weekday=weekday, start_hour=start, end_hour=end
    )


def swap(pk, user, replaces=None, starts="2026-12-07T00:00", ends="2026-12-08T00:00"):
    return types.SimpleNamespace(
        pk=pk, user=user, replaces_id=replaces.pk if replaces else None, starts_at=local(starts), ends_at=local(ends)
    )


AT = local("2026-12-07T10:00")
ANN, BEN, CAL, DEE = person(1), person(2), person(3), person(4)


def names(entries):
    return [entry.user.name for entry in entries]


def test_weekly_entries_come_by_position():
    assert names(ordered([shift(1, BEN, 2), shift(2, ANN, 1)], [], AT, AT)) == ["person 1", "person 2"]


def test_a_swap_replacing_someone_takes_their_place():
    entries = ordered([shift(1, ANN, 1), shift(2, BEN, 2)], [swap(1, CAL, replaces=ANN)], AT, AT)
    assert names(entries) == ["person 3", "person 2"]
    assert entries[0].swap is not None and entries[1].shift is not None


def test_a_swap_adding_someone_comes_first():
    entries = ordered([shift(1, ANN, 1)], [swap(1, DEE), swap(2, CAL, starts="2026-12-06T00:00")], AT, AT)
    assert names(entries) == ["person 3", "person 4", "person 1"]


def test_a_swap_not_covering_the_moment_changes_nothing():
    later = swap(1, CAL, replaces=ANN, starts="2026-12-07T12:00", ends="2026-12-07T18:00")
    assert names(ordered([shift(1, ANN, 1)], [later], AT, AT)) == ["person 1"]
    assert names(ordered([shift(1, ANN, 1)], [later], local("2026-12-07T12:00"), AT)) == ["person 3"]


def test_a_swap_replacing_someone_who_is_off_adds_its_person():
    assert names(ordered([shift(1, ANN, 1)], [swap(1, CAL, replaces=BEN)], AT, AT)) == ["person 3", "person 1"]
