"""The missing-now board: every open episode in the user's scope, most urgent clock first."""

import datetime
from dataclasses import dataclass

from django.shortcuts import render
from django.utils import timezone

from .. import deadlines, selectors

# Short names for the badges; the full label is the badge's title and screen-reader text.
SHORT_LABELS = {
    deadlines.LAW_ENFORCEMENT: "LE",
    deadlines.NCMEC: "NCMEC",
    deadlines.COURT: "Court",
    deadlines.ATTORNEY_GAL: "Attorney/GAL",
    deadlines.PARENTS: "Parents",
    deadlines.TRIBE: "Tribe",
    deadlines.STATE_CLEARINGHOUSE: "Clearinghouse",
    deadlines.RETURN_INTERVIEW: "Return interview",
}


def duration(delta: datetime.timedelta) -> str:
    """'1 day 3 h', '1 h 20 min', '5 min': the two largest units, for people reading on a phone."""
    minutes = max(int(delta.total_seconds() // 60), 0)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        parts = [f"{days} day{'s' if days != 1 else ''}", f"{hours} h" if hours else ""]
    elif hours:
        parts = [f"{hours} h", f"{minutes} min" if minutes else ""]
    else:
        parts = [f"{minutes} min"]
    return " ".join(p for p in parts if p)


@dataclass
class Clock:
    label: str  # e.g. "LE"
    full_label: str
    state: str  # "done", "overdue", "due"
    text: str  # e.g. "LE due in 1 h 20 min"
    due_at: datetime.datetime


def clock(notification, now) -> Clock:
    short = SHORT_LABELS.get(notification.party, notification.label)
    if notification.is_done:
        state, text = "done", f"{short} done"
    elif notification.is_overdue(now):
        state, text = "overdue", f"{short} overdue by {duration(now - notification.due_at)}"
    else:
        state, text = "due", f"{short} due in {duration(notification.due_at - now)}"
    return Clock(short, notification.label, state, text, notification.due_at)


def missing_now(request):
    now = timezone.now()
    rows = []
    for episode in selectors.missing_now(request.user, now=now):
        clocks = [clock(n, now) for n in episode.notifications.all()]
        rows.append({
            "episode": episode,
            "missing_for": duration(now - episode.last_seen_at),
            "clocks": clocks,
            "overdue": any(c.state == "overdue" for c in clocks),
        })
    return render(request, "missing_reports/missing_now.html", {"rows": rows, "now": now})
