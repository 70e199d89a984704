"""Whether the youth's newest photo is still "a recent photo". Pure, no database.

NCMEC and law enforcement ask for a recent photo of a missing youth (docs/duties.md#ncmec-packet). The app
reads "recent" as taken within the last RECENT_PHOTO_MONTHS calendar months, and asks the same question in
two places, which must agree to the day: the packets' completeness check
(`missing_reports/packets/completeness.py`, once a youth is missing) and the "My work" item that asks for a
new photo *before* a youth goes missing (`risk/work.py`).

The boundary: a photo taken on 3 January is recent through 3 July and out of date from 4 July. Months are
calendar months (python-dateutil's relativedelta), so a photo taken on 31 August is recent through the last
day of February.
"""

import datetime

from dateutil.relativedelta import relativedelta

# docs/duties.md#ncmec-packet asks for "a recent photo"; six months is the app's reading of "recent"
# (docs/duties.md#recent-photo).
RECENT_PHOTO_MONTHS = 6


def recent_through(taken_on: datetime.date) -> datetime.date:
    """The last day a photo taken on `taken_on` counts as recent."""
    return taken_on + relativedelta(months=RECENT_PHOTO_MONTHS)


def out_of_date_from(taken_on: datetime.date) -> datetime.date:
    """The first day a photo taken on `taken_on` is out of date."""
    return recent_through(taken_on) + datetime.timedelta(days=1)


def is_out_of_date(taken_on: datetime.date, day: datetime.date) -> bool:
    """Whether a photo taken on `taken_on` is out of date on `day` (older than RECENT_PHOTO_MONTHS)."""
    return day >= out_of_date_from(taken_on)
