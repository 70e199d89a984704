"""The state of a reporting clock: done on time, done late, due, due soon or overdue. Pure, no database.

Every page, sweep, export and email that says where a clock stands asks `state` here (the episode notices,
the identified-victim report, a supervisor's review item), so they all use the same names and the same
boundary second. `deadlines` computes when a clock is due; this module says what that means at a moment.

The boundary. The law says "immediately, and in no case later than 24 hours": a notice given at its due
time is on time. So a clock is still due up to and including its due time, and overdue from the first
instant after it (`now > due_at`): overdue means exactly that doing it now would be late. At `due_at - 1 s`
and at `due_at` a clock not done is due, at `due_at + 1 s` it is overdue; a clock done at `due_at` is done on
time, one done at `due_at + 1 s` is done late. "Due soon" is a window before the due time (the reminder
leads of the escalation sweep): `due_at - soon <= now <= due_at`.

The same rule for querysets (`state_q`, `past_due_q`, `due_within_q`), so that the SQL of the sweep and the
reports and the Python of the pages agree on every second.
"""

import datetime
import enum

from django.db.models import F, Q

from caseapp.local_time import duration


class ClockState(enum.StrEnum):
    """Where a clock stands. The values are what templates compare (`row.state == "overdue"`)."""

    DONE_ON_TIME = "done_on_time"
    DONE_LATE = "done_late"
    DUE = "due"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"

    @property
    def label(self) -> str:
        return LABELS[self]

    @property
    def is_done(self) -> bool:
        return self in (ClockState.DONE_ON_TIME, ClockState.DONE_LATE)

    @property
    def is_late(self) -> bool:
        """Done late, or not done and past due: what the law counts against the agency."""
        return self in (ClockState.DONE_LATE, ClockState.OVERDUE)


DONE_ON_TIME = ClockState.DONE_ON_TIME
DONE_LATE = ClockState.DONE_LATE
DUE = ClockState.DUE
DUE_SOON = ClockState.DUE_SOON
OVERDUE = ClockState.OVERDUE

LABELS = {
    DONE_ON_TIME: "Done, on time",
    DONE_LATE: "Done late",
    DUE: "Due",
    DUE_SOON: "Due soon",
    OVERDUE: "Overdue",
}


def is_past_due(due_at: datetime.datetime, moment: datetime.datetime) -> bool:
    """Whether `moment` is after the due time: the one boundary (a moment equal to `due_at` is not)."""
    return moment > due_at


def state(due_at, done_at, now, *, soon: datetime.timedelta | None = None) -> ClockState:
    """Where a clock due at `due_at` and done at `done_at` (None: not done) stands at `now`.

    `soon`: how long before the due time a clock not done is DUE_SOON rather than DUE (None: never).
    A done clock is DONE_ON_TIME or DONE_LATE whatever `now` is.
    """
    if done_at is not None:
        return DONE_LATE if is_past_due(due_at, done_at) else DONE_ON_TIME
    if is_past_due(due_at, now):
        return OVERDUE
    if soon is not None and now >= due_at - soon:
        return DUE_SOON
    return DUE


def late_by(due_at, done_at, now) -> datetime.timedelta | None:
    """How far past its due time a clock is: done late by, or overdue by so far. None when it is not late."""
    end = now if done_at is None else done_at
    return end - due_at if is_past_due(due_at, end) else None


def timing(due_at, done_at, now) -> str:
    """The clock in words: 'due in 3 h 20 min', 'overdue by 6 h', 'on time' or 'late by 2 h'."""
    current = state(due_at, done_at, now)
    if current is DONE_ON_TIME:
        return "on time"
    if current is DONE_LATE:
        return f"late by {duration(done_at - due_at)}"
    if current is OVERDUE:
        return f"overdue by {duration(now - due_at)}"
    return f"due in {duration(due_at - now)}"


# --- The same rule in SQL -------------------------------------------------------------------------------------


def past_due_filter(field: str, moment: datetime.datetime) -> Q:
    """`is_past_due` as a filter on the due-time column `field`: rows whose due time is before `moment`
    (caseapp/work.py counts a person's overdue work in SQL with it)."""
    return Q(**{f"{field}__lt": moment})


def past_due_q(now) -> Q:
    """The due time is before `now` (`is_past_due`); says nothing about whether the clock is done."""
    return past_due_filter("due_at", now)


def due_within_q(now, soon: datetime.timedelta) -> Q:
    """The due time is at most `soon` after `now`, or past: a clock not done is then DUE_SOON (with this
    `soon`) or OVERDUE. The escalation sweep's candidates; it says nothing about whether the clock is done."""
    return Q(due_at__lte=now + soon)


def not_past_due_q(now, *, via: str = "") -> Q:
    """The due time is at or after `now` (not `is_past_due`). `via`: the path to the clock from the model queried
    (e.g. "notification__" from its escalation rows)."""
    return Q(**{f"{via}due_at__gte": now})


def due_after_q(moment, *, via: str = "") -> Q:
    """The due time is after `moment`: `moment` is not yet past due for these clocks. `via` as above."""
    return Q(**{f"{via}due_at__gt": moment})


def after_in_due_order_q(due_at, pk) -> Q:
    """The clocks after the clock (`due_at`, `pk`) in due order (by due time, then id): the sweep's keyset
    (missing_reports.escalation.candidate_page). Says nothing about where a clock stands."""
    return Q(due_at__gte=due_at) & (Q(due_at__gt=due_at) | Q(due_at=due_at, pk__gt=pk))


def state_q(wanted: ClockState, now=None, *, soon: datetime.timedelta | None = None) -> Q:
    """The clocks (models with `due_at` and `done_at`) that `state(due_at, done_at, now, soon=soon)` puts in
    `wanted`. `now` is needed for the states of clocks not done."""
    if wanted is DONE_ON_TIME:
        return Q(done_at__lte=F("due_at"))
    if wanted is DONE_LATE:
        return Q(done_at__gt=F("due_at"))
    if now is None:
        raise ValueError(f"the {wanted} state depends on the time: pass now")
    not_done = Q(done_at__isnull=True)
    if wanted is OVERDUE:
        return not_done & past_due_q(now)
    not_past_due = ~past_due_q(now)
    if soon is None:
        return not_done & not_past_due if wanted is DUE else Q(pk__in=[])
    in_window = due_within_q(now, soon)
    if wanted is DUE_SOON:
        return not_done & not_past_due & in_window
    return not_done & not_past_due & ~in_window
