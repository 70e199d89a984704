"""When an open episode's recurring work is due: the next search effort by the agency's cadence, and the
supervisor's review of a long absence. Pure functions, no database (docs/design.md#where-code-goes).

The cadence is agency practice, not federal law (docs/duties.md#missing-protocols): the law says to locate
the youth and sets no interval. An agency sets it on its record (caseapp.models.Agency): daily for the first
`search_daily_days` days after it learned of the run, then every `search_interval_days` days, and nothing
after `search_until_days` (blank: until the youth is found). Florida's practice, weekly for 30 days, is
`search_daily_days=0, search_interval_days=7, search_until_days=30`.

Days here are elapsed time (24 h each), counted in UTC, so a daylight-saving change never gives a day of 23
or 25 hours: Python's arithmetic on two datetimes of the same zone is wall-clock arithmetic, which is why
every input is turned to UTC first.
"""

import datetime

UTC = datetime.UTC
DAY = datetime.timedelta(days=1)


def next_search_due(
    learned_at: datetime.datetime,
    last_effort_at: datetime.datetime | None,
    *,
    daily_days: int,
    interval_days: int,
    until_days: int | None,
) -> datetime.datetime | None:
    """When the next search effort is due (UTC), or None when the agency's cadence asks for no more.

    From the last effort (or when the agency learned, if none is recorded since): one day later while that
    moment is within the daily period (`learned_at + daily_days`, exclusive), `interval_days` later after it.
    A due time after `learned_at + until_days` is not asked for (a due time exactly at it is).
    """
    learned_at = learned_at.astimezone(UTC)
    base = learned_at
    if last_effort_at is not None:
        base = max(base, last_effort_at.astimezone(UTC))
    in_daily_period = base < learned_at + daily_days * DAY
    due = base + (DAY if in_daily_period else interval_days * DAY)
    if until_days is not None and due > learned_at + until_days * DAY:
        return None
    return due


def end_of_day(day: datetime.date, zone) -> datetime.datetime:
    """The last second of `day` on the agency's clocks (UTC): a review due "on" a date is overdue from the
    next midnight. 23:59:59 exists on every day of the zones agencies use (US clocks change at 2 AM)."""
    return datetime.datetime.combine(day, datetime.time(23, 59, 59), tzinfo=zone).astimezone(UTC)


def review_due(
    learned_at: datetime.datetime,
    latest_review_at: datetime.datetime | None,
    next_review_due: datetime.date | None,
    *,
    first_after_days: int,
    zone,
) -> datetime.datetime:
    """When the supervisor's next review of an open episode is due (UTC).

    The latest review's `next_review_due` date (end of that day in agency time); a latest review that set no
    date: `first_after_days` after it; no review yet: `first_after_days` after the agency learned.
    """
    if latest_review_at is None:
        return learned_at.astimezone(UTC) + first_after_days * DAY
    if next_review_due is not None:
        return end_of_day(next_review_due, zone)
    return latest_review_at.astimezone(UTC) + first_after_days * DAY
