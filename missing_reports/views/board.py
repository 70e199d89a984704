"""The missing-now board: every open episode in the user's scope, most urgent clock first."""

import datetime
from dataclasses import dataclass

from django.shortcuts import render
from django.utils import timezone

from caseapp.local_time import duration

from .. import deadlines, selectors
from ..clock_state import ClockState

# Short names for the badges; the full label is the badge's title and screen-reader text.
SHORT_LABELS = {
    deadlines.LAW_ENFORCEMENT: "LE",
    deadlines.NCMEC: "NCMEC",
    deadlines.COURT: "Court",
    deadlines.ATTORNEY_GAL: "Attorney/GAL",
    deadlines.PARENTS: "Parents",
    deadlines.TRIBE: "Tribe",
    deadlines.STATE_CLEARINGHOUSE: "Clearinghouse",
    deadlines.CHILD_FIND: "Child Find",
    deadlines.CASA: "CASA",
    deadlines.CAREGIVER: "Caregiver",
    deadlines.TRIBAL_LAW_ENFORCEMENT: "Tribal LE",
    deadlines.REGIONAL_SUPERVISOR: "Regional supervisor",
    deadlines.STATE_MISSING_TEAM: "State team",
    deadlines.LAW_ENFORCEMENT_WRITTEN: "LE (written)",
    deadlines.RETURN_INTERVIEW: "Return interview",
    deadlines.SUPERVISOR: "Supervisor",
    deadlines.SI_DIRECTOR: "SI director",
    deadlines.AFFIDAVIT: "Affidavit",
    deadlines.ABUSE_HOTLINE: "Hotline",
    deadlines.CYBERTIPLINE: "CyberTipline",
}
# A party's clock of another event that needs its own short name beside the party's first clock.
EVENT_SHORT_LABELS = {
    (deadlines.NCIC_CONFIRMATION, deadlines.LAW_ENFORCEMENT): "NCIC",
    (deadlines.DISCLOSED, deadlines.LAW_ENFORCEMENT): "LE (disclosure)",
    (deadlines.LE_REFUSED, deadlines.NCMEC): "NCMEC (follow-up)",
}


@dataclass
class Clock:
    label: str  # e.g. "LE"
    full_label: str
    state: ClockState
    text: str  # e.g. "LE due in 1 h 20 min", "LE overdue by 3 h", "LE done"
    due_at: datetime.datetime


def clock(notification, now) -> Clock:
    short = EVENT_SHORT_LABELS.get(
        (notification.event, notification.party), SHORT_LABELS.get(notification.party, notification.label)
    )
    state = notification.state(now)
    # The board is about who is missing now: a done notice is just done, on time or not.
    text = f"{short} done" if state.is_done else f"{short} {notification.timing(now)}"
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
            "overdue": any(c.state is ClockState.OVERDUE for c in clocks),
        })
    return render(request, "missing_reports/missing_now.html", {"rows": rows, "now": now})
