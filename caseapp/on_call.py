"""Who is on call, and who is alerted about a youth, in order (docs/design.md#on-call).

The roster is a weekly pattern of shifts (caseapp.models.OnCallShift) and one-off swaps (OnCallSwap), per
team or agency-wide. Shifts are whole hours of the agency's wall clock (caseapp.local_time.agency_zone):

- a shift covers a moment when the agency's clock then shows its weekday and an hour in [start, end); when
  end <= start it runs past midnight into the next day (Sunday 22 -> 6 ends Monday 06:00);
- on the night clocks go back, the repeated hour (1:00-1:59 in America/Chicago) is covered by a shift that
  covers 1 AM both times it happens; on the night clocks go forward, the skipped hour covers nobody, so a
  shift 0 -> 6 lasts five real hours that night and seven on the night clocks go back.

The window rules are plain functions (`covers`, `wraps`, `window_label`); the ordering of one scope's people
(`ordered`) takes rows already loaded, so a page and an escalation read the roster in a fixed number of
queries.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from . import access
from .local_time import agency_zone
from .models import Agency, OnCallShift, OnCallSwap, Role, Team, User, Weekday

log = logging.getLogger(__name__)

DAYS_PER_WEEK = 7


# --- The window rules (pure) --------------------------------------------------------------------------------


def wraps(start_hour: int, end_hour: int) -> bool:
    """Whether a shift runs past midnight into the next day (22 -> 6; 0 -> 24 does not)."""
    return end_hour <= start_hour


def covers(weekday: int, start_hour: int, end_hour: int, local) -> bool:
    """Whether the weekly window (`weekday` from `start_hour` to `end_hour`) covers `local`, a datetime
    read on the agency's clock. Only its weekday and hour count: shifts change on the hour."""
    day, hour = local.weekday(), local.hour
    if not wraps(start_hour, end_hour):
        return day == weekday and start_hour <= hour < end_hour
    next_day = (weekday + 1) % DAYS_PER_WEEK
    return (day == weekday and hour >= start_hour) or (day == next_day and hour < end_hour)


def hour_label(hour: int) -> str:
    """'06:00'; the end of a day is '24:00', which people read as midnight at the end of that day."""
    return f"{hour:02d}:00"


def window_label(start_hour: int, end_hour: int) -> str:
    """'08:00-17:00' (with an en dash), or '22:00-06:00 next day' for a shift past midnight."""
    text = f"{hour_label(start_hour)}–{hour_label(end_hour)}"
    return f"{text} next day" if wraps(start_hour, end_hour) else text


def position_label(position: int) -> str:
    """'first call', 'backup', 'backup 2', ... for positions 1, 2, 3, ..."""
    if position <= 1:
        return "first call"
    return "backup" if position == 2 else f"backup {position - 1}"


# --- One scope's people, in order (pure over loaded rows) ---------------------------------------------------


@dataclass(frozen=True)
class OnCallEntry:
    """One person on call, and why: their weekly shift, or the swap that put them there."""

    user: User
    shift: OnCallShift | None = None
    swap: OnCallSwap | None = None


def ordered(shifts: Iterable, swaps: Iterable, at, local) -> list[OnCallEntry]:
    """The people on call at instant `at` (`local` is the same moment on the agency's clock) from one scope's
    rows: first the swaps that add someone on top (earliest start first), then the weekly shifts covering
    `local` by position, a swap that `replaces` someone taking that person's place. A swap replacing a
    person who is not on call then adds its person on top instead. Duplicates are left to the caller."""
    weekly = sorted(
        (s for s in shifts if covers(s.weekday, s.start_hour, s.end_hour, local)),
        key=lambda s: (s.position, s.start_hour, s.pk),
    )
    on_weekly = {s.user_id for s in weekly}
    replacements, added = {}, []
    for swap in sorted((w for w in swaps if w.starts_at <= at < w.ends_at), key=lambda w: (w.starts_at, w.pk)):
        if swap.replaces_id in on_weekly and swap.replaces_id not in replacements:
            replacements[swap.replaces_id] = OnCallEntry(swap.user, swap=swap)
        else:
            added.append(OnCallEntry(swap.user, swap=swap))
    return added + [replacements.get(s.user_id) or OnCallEntry(s.user, shift=s) for s in weekly]


def _unique_active(entries: Iterable[OnCallEntry], agency_id) -> list[OnCallEntry]:
    seen, kept = set(), []
    for entry in entries:
        user = entry.user
        if user.pk in seen or not user.is_active or user.agency_id != agency_id:
            continue
        seen.add(user.pk)
        kept.append(entry)
    return kept


def _in_scope(rows, team_id):
    return [row for row in rows if row.team_id == team_id]


# --- Reads -----------------------------------------------------------------------------------------------


def _rows(agency, at, team_ids=None):
    """The current shifts and the swaps covering `at` of `agency` (of `team_ids` and agency-wide, or all):
    two queries."""
    shifts = OnCallShift.objects.current().filter(agency=agency).select_related("user")
    swaps = OnCallSwap.objects.current().filter(agency=agency, starts_at__lte=at, ends_at__gt=at).select_related("user")
    if team_ids is not None:
        scope = Q(team__isnull=True) | Q(team_id__in=team_ids)
        shifts, swaps = shifts.filter(scope), swaps.filter(scope)
    return list(shifts), list(swaps)


def _team_id(team):
    return team.pk if isinstance(team, Team) else team


def _entries_at(agency, at, team_id, shifts, swaps) -> list[OnCallEntry]:
    local = at.astimezone(agency_zone(agency))
    entries = []
    if team_id is not None:
        entries += ordered(_in_scope(shifts, team_id), _in_scope(swaps, team_id), at, local)
    entries += ordered(_in_scope(shifts, None), _in_scope(swaps, None), at, local)
    return _unique_active(entries, agency.pk)


def on_call_at(agency: Agency, at, team=None) -> list[User]:
    """The people on call at instant `at`: for `team` first (its swaps, then its weekly shifts by position),
    then the agency-wide ones the same way; active users of the agency only, each once. Two queries."""
    team_id = _team_id(team)
    shifts, swaps = _rows(agency, at, [team_id] if team_id is not None else [])
    return [entry.user for entry in _entries_at(agency, at, team_id, shifts, swaps)]


def escalation_chain(youth, at) -> list[User]:
    """Who to alert about `youth` at `at`, in order: on_call_at for the youth's team, then the team's active
    supervisors, then the agency's active admins; each once, and only people who may open the youth's
    record (caseapp.access.users_who_see_youth). Someone on call who may not (a caseworker of another team
    on the agency-wide roster) is skipped and logged. A fixed number of queries (six at most)."""
    agency = youth.agency
    people = on_call_at(agency, at, youth.team_id)
    supervisors = User.objects.filter(
        agency_id=youth.agency_id, role=Role.SUPERVISOR, is_active=True, supervised_teams=youth.team_id
    ).order_by("last_name", "first_name", "pk")
    admins = User.objects.filter(agency_id=youth.agency_id, role=Role.AGENCY_ADMIN, is_active=True).order_by(
        "last_name", "first_name", "pk"
    )
    chain, seen = [], set()
    for user in [*people, *supervisors, *admins]:
        if user.pk not in seen:
            seen.add(user.pk)
            chain.append(user)
    allowed = set(access.users_who_see_youth(youth).filter(pk__in=seen).values_list("pk", flat=True))
    for user in chain:
        if user.pk not in allowed:
            log.info("Escalation for youth %s skips user %s: they may not open the youth's record.", youth.pk, user.pk)
    return [user for user in chain if user.pk in allowed]


def on_call_supervisor(youth, at) -> User | None:
    """The first person to alert about `youth` at `at`, or None when nobody may be alerted."""
    chain = escalation_chain(youth, at)
    return chain[0] if chain else None


# --- The roster page -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NowRow:
    """One line of "On call now": the person, their place in the order, and the swap if one put them there."""

    entry: OnCallEntry
    label: str


@dataclass(frozen=True)
class ScopeNow:
    """Who is on call now for one team (team None: agency-wide), in order."""

    team: Team | None
    rows: list[NowRow]


@dataclass(frozen=True)
class ShiftRow:
    """One shift of the week's pattern, worded: '22:00-06:00 next day', 'first call'."""

    shift: OnCallShift
    window: str
    position: str


def on_call_now(agency: Agency, at) -> list[ScopeNow]:
    """Each team of the agency, then agency-wide, with the people on call at `at` in that scope alone (the
    page shows the agency-wide roster once, below the teams). Three queries whatever the roster's size."""
    shifts, swaps = _rows(agency, at)
    local = at.astimezone(agency_zone(agency))
    scopes = [*Team.objects.filter(agency=agency).order_by("name"), None]
    return [
        ScopeNow(
            team,
            [
                NowRow(entry, position_label(number))
                for number, entry in enumerate(
                    _unique_active(
                        ordered(_in_scope(shifts, _team_id(team)), _in_scope(swaps, _team_id(team)), at, local),
                        agency.pk,
                    ),
                    1,
                )
            ],
        )
        for team in scopes
    ]


def week_pattern(agency: Agency) -> list[tuple[str, list[ShiftRow]]]:
    """(day name, that day's shifts by start, team and position) for Monday to Sunday. One query."""
    shifts = OnCallShift.objects.current().filter(agency=agency).select_related("user", "team")
    by_day = {day: [] for day in Weekday.values}
    for shift in sorted(shifts, key=lambda s: (s.start_hour, s.team.name if s.team else "", s.position, s.pk)):
        by_day[shift.weekday].append(
            ShiftRow(shift, window_label(shift.start_hour, shift.end_hour), position_label(shift.position))
        )
    return [(Weekday(day).label, by_day[day]) for day in Weekday.values]


def upcoming_swaps(agency: Agency, now) -> list[OnCallSwap]:
    """Swaps not over yet, soonest first. One query."""
    return list(
        OnCallSwap.objects.current()
        .filter(agency=agency, ends_at__gt=now)
        .select_related("user", "replaces", "team")
        .order_by("starts_at", "pk")
    )
