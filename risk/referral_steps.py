"""The steps of a service referral, with no database (docs/risk-catalogue.md#referrals).

A referral is sent, then accepted by the provider, then started; from sent or accepted it can instead be
declined or found not available. Started, declined and not available are ends: nothing goes back (a new
try is a new referral, from a later decision). Each open step has a day by which the next one is expected;
a referral whose day has passed is stalled and shows as overdue work (risk/work.py).
"""

import datetime

# The app's defaults, agency practice and not law: §471(a)(9)(C) asks the agency to determine the services
# (docs/duties.md#identify-document) and sets no deadline for them. A provider's answer is expected within a
# week of sending; a service it accepted is expected to start within two weeks.
ANSWER_DAYS = 7
START_DAYS = 14

SENT = "sent"
ACCEPTED = "accepted"
STARTED = "started"
DECLINED = "declined"
NOT_AVAILABLE = "not_available"

# Where each status may go next; an end has nowhere to go.
NEXT = {
    SENT: (ACCEPTED, DECLINED, NOT_AVAILABLE),
    ACCEPTED: (STARTED, DECLINED, NOT_AVAILABLE),
    STARTED: (),
    DECLINED: (),
    NOT_AVAILABLE: (),
}
NEEDS_REASON = (DECLINED, NOT_AVAILABLE)


def allowed_next(status) -> tuple[str, ...]:
    return NEXT.get(status, ())


def can_move(from_status, to_status) -> bool:
    return to_status in allowed_next(from_status)


def next_step_due(status, on: datetime.date) -> datetime.date | None:
    """The day the next step is expected after reaching `status` on `on`; None at an end."""
    if status == SENT:
        return on + datetime.timedelta(days=ANSWER_DAYS)
    if status == ACCEPTED:
        return on + datetime.timedelta(days=START_DAYS)
    return None


def due_at(day: datetime.date | None, zone) -> datetime.datetime | None:
    """The moment a next step due on `day` becomes overdue: the end of that day in the agency's zone (the
    start of the next), so a referral due today is not overdue until the agency's day is over."""
    if day is None:
        return None
    return datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
