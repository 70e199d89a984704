"""When a supervisor review of a flagged youth is due (docs/risk-catalogue.md#bands), as one pure function.

Why here and like this (docs/design.md#rule-clock-data): a due time is computed once by a pure function, stored
in UTC and shown in the agency's time zone. The review times follow the band table of docs/risk-catalogue.md#bands:

  identification  raised_at + 4 hours of elapsed time. The rule: with no supervisor confirmation within
                  4 hours, escalate to the on-call manager. (The 24-hour law-enforcement deadline itself runs
                  from when the information was received and belongs to missing_reports.deadlines.)
  urgent          same day: 23:59:59 on the agency's local calendar day of raised_at, but never less than 2 hours
                  of elapsed time after raised_at (a flag raised at 23:00 is due at 01:00).
  high            1 business day (Mon-Fri; no holiday calendar yet): the same local wall-clock time on the next
                  business day (Friday 15:00 -> Monday 15:00). Raised on a Saturday or Sunday, the day counts from
                  Monday 09:00 local, so it is due Tuesday 09:00.
  elevated        7 days: the same local wall-clock time 7 calendar days later.

"Local wall-clock time" means the agency's time zone: across a DST change the elapsed time is an hour more or
less, and the due time shows the same hour the review was raised at. A wall time that does not exist (in a
spring-forward gap) is read with the offset before the change, i.e. an hour later on the clock; an ambiguous
one (fall-back) is the first occurrence. Results are timezone-aware UTC datetimes.
"""

import datetime
import zoneinfo

UTC = datetime.UTC

IDENTIFICATION = "identification"
URGENT = "urgent"
HIGH = "high"
ELEVATED = "elevated"
# Queue order: most pressing first.
URGENCY_ORDER = (IDENTIFICATION, URGENT, HIGH, ELEVATED)

IDENTIFICATION_CONFIRM_WITHIN = datetime.timedelta(hours=4)
URGENT_AT_LEAST = datetime.timedelta(hours=2)
END_OF_DAY = datetime.time(23, 59, 59)
WEEKEND_START_OF_DAY = datetime.time(9, 0)
ELEVATED_DAYS = 7
SATURDAY = 5


def review_due_at(urgency: str, raised_at: datetime.datetime, tz: zoneinfo.ZoneInfo) -> datetime.datetime:
    """The moment (UTC) a supervisor review raised at `raised_at` is due; see the module docstring."""
    if urgency not in URGENCY_ORDER:
        raise ValueError(f"unknown urgency {urgency!r}; expected one of {', '.join(URGENCY_ORDER)}")
    if not isinstance(raised_at, datetime.datetime):
        raise ValueError(f"raised_at must be a datetime, not {type(raised_at).__name__}")
    if raised_at.tzinfo is None or raised_at.utcoffset() is None:
        raise ValueError("raised_at must be timezone-aware (got a naive datetime)")
    raised = raised_at.astimezone(UTC)
    local = raised.astimezone(tz)

    if urgency == IDENTIFICATION:
        return raised + IDENTIFICATION_CONFIRM_WITHIN
    if urgency == URGENT:
        end_of_day = _utc(local.date(), END_OF_DAY, tz)
        return max(end_of_day, raised + URGENT_AT_LEAST)
    if urgency == HIGH:
        day, time = local.date(), local.time().replace(tzinfo=None)
        if day.weekday() >= SATURDAY:
            day, time = _next_weekday(day), WEEKEND_START_OF_DAY
        return _utc(_next_weekday(day), time, tz)
    return _utc(local.date() + datetime.timedelta(days=ELEVATED_DAYS), local.time().replace(tzinfo=None), tz)


def urgency_rank(urgency: str) -> int:
    """Sort key for the review queue: identification first, then urgent, high, elevated."""
    return URGENCY_ORDER.index(urgency)


def _next_weekday(day):
    day += datetime.timedelta(days=1)
    while day.weekday() >= SATURDAY:
        day += datetime.timedelta(days=1)
    return day


def _utc(day, time, tz):
    """Local wall-clock `day` `time` in `tz`, as UTC (fold=0: see the module docstring)."""
    return datetime.datetime.combine(day, time, tzinfo=tz).astimezone(UTC)
