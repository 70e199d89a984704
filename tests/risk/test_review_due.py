"""When a supervisor review is due (docs/risk-catalogue.md#bands), in the agency's calendar, across DST changes."""

import datetime
import zoneinfo

import pytest

from risk.review_due import URGENCY_ORDER, review_due_at, urgency_rank

UTC = datetime.UTC
CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
CAIRO = zoneinfo.ZoneInfo("Africa/Cairo")


def local(*args, tz=CHICAGO, fold=0):
    return datetime.datetime(*args, tzinfo=tz, fold=fold)


def utc(*args):
    return datetime.datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raised", "due"),
    [
        (utc(2026, 5, 4, 10), utc(2026, 5, 4, 14)),
        # 4 hours of elapsed time, even across the spring-forward hour (01:00 CST + 4 h = 06:00 CDT).
        (local(2026, 3, 8, 1), local(2026, 3, 8, 6)),
        (local(2026, 11, 1, 0, 30), utc(2026, 11, 1, 9, 30)),
    ],
)
def test_identification_is_due_4_hours_after_it_is_raised(raised, due):
    assert review_due_at("identification", raised, CHICAGO) == due


@pytest.mark.parametrize(
    ("raised", "due"),
    [
        # Wednesday 10:00 CDT -> 23:59:59 CDT the same day.
        (local(2026, 5, 6, 10), local(2026, 5, 6, 23, 59, 59)),
        (local(2026, 5, 6, 21, 59, 59), local(2026, 5, 6, 23, 59, 59)),  # exactly 2 hours left
        (local(2026, 5, 6, 22), local(2026, 5, 7, 0)),  # less than 2 hours left: 2 hours
        (local(2026, 5, 6, 23, 30), local(2026, 5, 7, 1, 30)),
        # The local day decides: 01:00 UTC on Thursday is still Wednesday evening (20:00) in Chicago.
        (utc(2026, 5, 7, 1), local(2026, 5, 6, 23, 59, 59)),
        # Spring forward (Sunday 8 March 2026): the day has 23 hours; end of day is 23:59:59 CDT.
        (local(2026, 3, 8, 0, 30), utc(2026, 3, 9, 4, 59, 59)),
        (local(2026, 3, 8, 22, 30), utc(2026, 3, 9, 5, 30)),
        # Fall back (Sunday 1 November 2026): the day has 25 hours; end of day is 23:59:59 CST.
        (local(2026, 11, 1, 0, 30), utc(2026, 11, 2, 5, 59, 59)),
        (local(2026, 11, 1, 1, 30, fold=1), utc(2026, 11, 2, 5, 59, 59)),
    ],
)
def test_urgent_is_due_by_the_end_of_the_local_day_and_never_under_2_hours(raised, due):
    result = review_due_at("urgent", raised, CHICAGO)
    assert result == due
    assert result - raised >= datetime.timedelta(hours=2)


@pytest.mark.parametrize(
    ("raised", "due"),
    [
        (local(2026, 5, 4, 10), local(2026, 5, 5, 10)),  # Monday -> Tuesday
        (local(2026, 5, 7, 16, 45), local(2026, 5, 8, 16, 45)),  # Thursday -> Friday
        (local(2026, 5, 8, 15), local(2026, 5, 11, 15)),  # Friday -> Monday
        (local(2026, 5, 8, 23, 59), local(2026, 5, 11, 23, 59)),
        (local(2026, 5, 9, 11), local(2026, 5, 12, 9)),  # Saturday: counts from Monday 09:00 -> Tuesday 09:00
        (local(2026, 5, 10, 0, 5), local(2026, 5, 12, 9)),  # Sunday
        (local(2026, 5, 10, 23, 59), local(2026, 5, 12, 9)),
        # Friday evening in Chicago is already Saturday in UTC: the local day decides.
        (utc(2026, 5, 9, 2), local(2026, 5, 11, 21)),
        # Across spring forward: Friday 10:00 CST (16:00 UTC) -> Monday 10:00 CDT (15:00 UTC), 71 hours.
        (local(2026, 3, 6, 10), utc(2026, 3, 9, 15)),
        (local(2026, 3, 7, 12), utc(2026, 3, 10, 14)),  # Saturday -> Tuesday 09:00 CDT
        # Across fall back: Friday 10:00 CDT (15:00 UTC) -> Monday 10:00 CST (16:00 UTC), 73 hours.
        (local(2026, 10, 30, 10), utc(2026, 11, 2, 16)),
        (local(2026, 11, 1, 1, 30, fold=1), utc(2026, 11, 3, 15)),  # Sunday -> Tuesday 09:00 CST
    ],
)
def test_high_is_due_one_business_day_later_at_the_same_local_time(raised, due):
    assert review_due_at("high", raised, CHICAGO) == due


@pytest.mark.parametrize(
    ("raised", "due"),
    [
        (local(2026, 5, 4, 10), local(2026, 5, 11, 10)),
        # Across spring forward: the same wall-clock time, so 6 days 23 hours of elapsed time.
        (local(2026, 3, 5, 10), utc(2026, 3, 12, 15)),
        # Across fall back: 7 days 1 hour.
        (local(2026, 10, 29, 10), utc(2026, 11, 5, 16)),
    ],
)
def test_elevated_is_due_7_days_later_at_the_same_local_time(raised, due):
    assert review_due_at("elevated", raised, CHICAGO) == due


def test_a_due_time_in_a_spring_forward_gap_moves_an_hour_later_on_the_clock():
    # Cairo springs forward at 00:00 on Friday 24 April 2026; 00:30 that night does not exist.
    raised = local(2026, 4, 17, 0, 30, tz=CAIRO)  # EET, UTC+2
    due = review_due_at("elevated", raised, CAIRO)
    assert due == utc(2026, 4, 23, 22, 30)
    assert due.astimezone(CAIRO).replace(tzinfo=None) == datetime.datetime(2026, 4, 24, 1, 30)
    thursday = local(2026, 4, 23, 0, 30, tz=CAIRO)
    assert review_due_at("high", thursday, CAIRO) == utc(2026, 4, 23, 22, 30)


@pytest.mark.parametrize("urgency", URGENCY_ORDER)
def test_due_times_are_utc_and_after_the_raise(urgency):
    raised = local(2026, 7, 1, 9)
    due = review_due_at(urgency, raised, CHICAGO)
    assert due.tzinfo is UTC
    assert due > raised


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        review_due_at("high", datetime.datetime(2026, 5, 4, 10), CHICAGO)


@pytest.mark.parametrize("urgency", ["", "monitor", "URGENT", "low"])
def test_unknown_urgencies_are_refused(urgency):
    with pytest.raises(ValueError, match="unknown urgency"):
        review_due_at(urgency, utc(2026, 5, 4, 10), CHICAGO)


def test_queue_order_puts_identification_first():
    assert URGENCY_ORDER == ("identification", "urgent", "high", "elevated")
    queue = ["elevated", "high", "identification", "urgent", "high"]
    assert sorted(queue, key=urgency_rank) == ["identification", "urgent", "high", "high", "elevated"]

