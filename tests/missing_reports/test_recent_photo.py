"""The one "recent photo" rule (missing_reports/recent_photo.py), at and around its boundary, and the packets'
completeness check and the "My work" photo item agreeing on it to the day."""

import datetime

import pytest

from missing_reports import recent_photo
from missing_reports.packets import completeness

D = datetime.date


@pytest.mark.parametrize(
    ("taken_on", "recent_through"),
    [
        (D(2026, 1, 3), D(2026, 7, 3)),
        (D(2026, 8, 31), D(2027, 2, 28)),  # no 31 February: the month's last day
        (D(2027, 8, 31), D(2028, 2, 29)),  # a leap year
        (D(2026, 12, 31), D(2027, 6, 30)),
        (D(2026, 2, 28), D(2026, 8, 28)),
    ],
)
def test_a_photo_is_recent_for_six_calendar_months(taken_on, recent_through):
    assert recent_photo.RECENT_PHOTO_MONTHS == 6
    assert recent_photo.recent_through(taken_on) == recent_through
    assert not recent_photo.is_out_of_date(taken_on, recent_through)
    assert not recent_photo.is_out_of_date(taken_on, taken_on)
    assert recent_photo.is_out_of_date(taken_on, recent_through + datetime.timedelta(days=1))
    assert recent_photo.out_of_date_from(taken_on) == recent_through + datetime.timedelta(days=1)


def photo_facts(taken_on, day):
    return {"taken_on": taken_on.isoformat(), "age_in_days": (day - taken_on).days}


@pytest.mark.parametrize("taken_on", [D(2026, 1, 3), D(2026, 8, 31), D(2026, 3, 31)])
def test_the_packet_check_uses_the_same_boundary(taken_on):
    last = recent_photo.recent_through(taken_on)
    assert not completeness._out_of_date(photo_facts(taken_on, last))
    assert completeness._out_of_date(photo_facts(taken_on, last + datetime.timedelta(days=1)))
