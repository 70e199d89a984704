"""The agency's local time: which instant a typed wall-clock time means, and how times are worded.

People type times as the agency's clocks showed them (caseapp.middleware activates the agency's zone for
each request). Twice a year a wall-clock time is not exactly one instant:

- When clocks go back (America/Chicago, 2026-11-01) 1:00-1:59 AM happens twice, first in daylight time
  (CDT), then in standard time (CST). A time in that hour means its most recent occurrence that is not in
  the future; if both are still to come, the earlier one. So "1:30 AM" typed at 1:40 AM CST (the second
  pass) is 1:30 AM CST, ten minutes ago; typed at 1:10 AM CST it is 1:30 AM CDT, because 1:30 AM CST has
  not happened yet. A time that is now on the clock is never read as an hour ago or an hour ahead.
- When clocks go forward (America/Chicago, 2027-03-14) 2:00-2:59 AM never happens. Such a time is refused
  with the nearest times that do exist, rather than guessed.

Zones without daylight saving time (Pacific/Honolulu, UTC) have neither case. The functions here are pure:
they take the zone and "now", so the rule is tested without a clock or a database.
"""

import datetime
import logging
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.text import format_lazy

UTC = datetime.UTC

log = logging.getLogger(__name__)


class NonexistentLocalTime(ValueError):
    """A wall-clock time the zone skips when its clocks go forward. The message names the nearest valid times."""


def occurrences(wall, zone):
    """The instants (aware, in `zone`, earliest first) at which `zone`'s clocks showed the naive `wall` time.

    One for an ordinary time, two in the hour repeated when clocks go back, none in the spring gap.
    """
    wall = wall.replace(tzinfo=None, fold=0)
    instants = []
    # PEP 495: fold=0 and fold=1 are the two readings of a repeated time; for a skipped time neither
    # reading shows the same wall time again, which is how a gap is recognised.
    for fold in (0, 1):
        instant = wall.replace(tzinfo=zone, fold=fold).astimezone(UTC)
        if instant.astimezone(zone).replace(tzinfo=None) == wall and instant not in instants:
            instants.append(instant)
    return [instant.astimezone(zone) for instant in sorted(instants)]


def resolve(wall, zone, now):
    """The instant (in UTC) a naive wall-clock time typed in `zone` means; the rule is the module docstring's.

    Raises NonexistentLocalTime for a time in the spring gap. The answer is in UTC because Python compares
    datetimes of one zone by wall time, ignoring fold, and never finds a time of the repeated hour equal to
    the same instant in another zone (PEP 495): in UTC, "unchanged" compares equal to what is stored.
    """
    found = [instant.astimezone(UTC) for instant in occurrences(wall, zone)]
    if not found:
        raise NonexistentLocalTime(gap_message(wall, zone))
    now = now.astimezone(UTC)
    past = [instant for instant in found if instant <= now]
    return past[-1] if past else found[0]


def gap_edges(wall, zone):
    """(last minute before, first instant after) the forward jump that skips the naive `wall` time."""
    wall = wall.replace(tzinfo=None, fold=0)
    # Read with the offset after the jump the time falls before it, with the offset before it falls after
    # it; the jump is the first instant with the later offset, found by halving (to the second).
    low, high = sorted(wall.replace(tzinfo=zone, fold=fold).astimezone(UTC) for fold in (0, 1))
    after_offset = high.astimezone(zone).utcoffset()
    while high - low > datetime.timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).utcoffset() == after_offset:
            high = middle
        else:
            low = middle
    jump = high.replace(microsecond=0)
    return (jump - datetime.timedelta(minutes=1)).astimezone(zone), jump.astimezone(zone)


def gap_message(wall, zone):
    """'2:30 AM on Mar 14, 2027 does not exist in America/Chicago: clocks went from 1:59 AM CST to 3:00 AM CDT.
    Enter 1:59 AM or 3:00 AM.' The dates of the offered times are named only when they are another day."""
    before, after = gap_edges(wall, zone)

    def offer(moment):
        same_day = moment.date() == wall.date()
        return clock_time(moment) if same_day else f"{clock_time(moment)} on {display_date(moment.date())}"

    return (
        f"{clock_time(wall)} on {display_date(wall.date())} does not exist in {zone_name(zone)}: clocks went from "
        f"{clock_time(before)} {before.tzname()} to {clock_time(after)} {after.tzname()}. "
        f"Enter {offer(before)} or {offer(after)}."
    )



# --- Days on the agency's calendar (docs/duties.md#rule-units) ------------------------------------------


def first_at_or_after(wall, zone):
    """The first instant (UTC) at which `zone`'s clocks show the naive `wall` time or a later one.

    A due time in days is a wall-clock time, and this is the one reading of it: in the hour repeated when clocks
    go back, its first occurrence (the earlier, so never a deadline an hour longer than it reads); in the hour
    skipped when they go forward, the moment the clocks jump past it (every earlier moment still shows an
    earlier time).
    """
    found = occurrences(wall, zone)
    if found:
        return found[0].astimezone(UTC)
    return gap_edges(wall, zone)[1].astimezone(UTC)


def same_wall_time_days_later(instant, days, zone):
    """`days` calendar days after `instant`, at the same wall-clock time in `zone` (first_at_or_after): across a
    DST change that is 23 or 25 elapsed hours for a day, never an hour earlier or later on the clock."""
    wall = instant.astimezone(zone).replace(tzinfo=None, fold=0) + datetime.timedelta(days=days)
    return first_at_or_after(wall, zone)


def is_working_day(day, holidays=()):
    """Monday to Friday and not one of the agency's `holidays` (dates)."""
    return day.weekday() < 5 and day not in holidays


def working_days_after(day, count, holidays=()):
    """The `count`th working day after the date `day` (`day` itself never counts, working or not)."""
    if count < 1:
        raise ValueError("count at least one working day")
    while count:
        day += datetime.timedelta(days=1)
        if is_working_day(day, holidays):
            count -= 1
    return day


def end_of_day(day, zone):
    """The last instant (UTC, to the microsecond) of the date `day` on `zone`'s clocks: a moment before the
    next day's midnight, so a deadline "by the end of Monday" shows as Monday 23:59, not Tuesday 00:00."""
    next_midnight = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time())
    return first_at_or_after(next_midnight, zone) - datetime.timedelta(microseconds=1)


# --- The agency's zone -------------------------------------------------------------------------

# Offered first in the zone list: the zones of US states and territories, where the agencies are.
US_ZONES = (
    "America/New_York", "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles",
    "America/Anchorage", "Pacific/Honolulu", "America/Puerto_Rico", "America/St_Thomas", "Pacific/Guam",
    "Pacific/Saipan", "Pacific/Pago_Pago", "America/Boise", "America/Detroit", "America/Indiana/Indianapolis",
    "America/Kentucky/Louisville", "America/North_Dakota/Center", "America/Adak",
)


def is_known_zone(name) -> bool:
    """Whether `name` is an IANA zone this server's time-zone database knows."""
    return isinstance(name, str) and name in zoneinfo.available_timezones()


def validate_time_zone(name):
    """The validator of Agency.time_zone: an unknown zone would show every time of the agency wrongly."""
    if not is_known_zone(name):
        raise ValidationError(
            "“%(name)s” is not a time zone this server knows. Choose the agency's zone from the list, "
            "e.g. America/Chicago.",
            code="unknown_time_zone",
            params={"name": name},
        )


def time_zone_choices():
    """(name, name) pairs for a zone picker: the US zones first, then every other known zone by name."""
    known = zoneinfo.available_timezones()
    first = [name for name in US_ZONES if name in known]
    rest = sorted(known - set(first))
    return [(name, name) for name in first + rest]


def agency_zone(agency):
    """The agency's zone (a ZoneInfo): the one way pages, sweeps, packets and reports read it.

    Agency.time_zone is validated, so the fallback (the server's zone, settings.TIME_ZONE) is only for a
    row saved before the validator existed or written around it; it is logged so someone fixes the row.
    """
    try:
        return zoneinfo.ZoneInfo(agency.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        log.warning("Agency %s has an unknown time zone %r; using %s.", agency.pk, agency.time_zone,
                    settings.TIME_ZONE)
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


# --- Wording ----------------------------------------------------------------------------------------


def zone_name(zone):
    """The zone's IANA name ('America/Chicago'), which, unlike 'CST', is the same all year."""
    return getattr(zone, "key", None) or str(zone)


def clock_time(moment):
    """'2:30 AM' (the wall-clock time, without the zone)."""
    hour = moment.hour % 12 or 12
    return f"{hour}:{moment:%M} {'AM' if moment.hour < 12 else 'PM'}"


def display_date(day):
    """'Mar 14, 2027'; '' for None."""
    if day is None:
        return ""
    return f"{day:%b} {day.day}, {day.year}"


def display_time(moment, zone):
    """'Mar 3, 2025, 8:15 PM CST' in `zone` (a ZoneInfo); '' for None. The abbreviation shows which
    occurrence of a repeated hour is meant."""
    if moment is None:
        return ""
    local = moment.astimezone(zone)
    return f"{display_date(local.date())}, {clock_time(local)} {local.tzname()}"


def short_time(moment, zone=None):
    """'11/01/2026 01:30 CST': how pages show a moment, in `zone` (default: the agency's, active). ''
    for None.

    Django's own "T" format leaves the abbreviation out in the repeated hour, exactly when it tells the
    two 1:30 AMs apart, so pages use this instead.
    """
    if moment is None or moment == "":
        return ""
    local = timezone.localtime(moment, zone)
    return f"{local:%m/%d/%Y %H:%M} {local.tzname()}"


def duration(delta):
    """'1 day 3 h', '2 h 5 min', '5 min': how long, in its two largest units, for people reading on a
    phone. Whole minutes, rounded down; a negative span is '0 min'. Every page, export and email words a
    span of time ("missing for …", "due in …", "overdue by …", "late by …") with this."""
    minutes = max(int(delta.total_seconds() // 60), 0)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        parts = [f"{days} day{'s' if days != 1 else ''}", f"{hours} h" if hours else ""]
    elif hours:
        parts = [f"{hours} h", f"{minutes} min" if minutes else ""]
    else:
        parts = [f"{minutes} min"]
    return " ".join(part for part in parts if part)


def _zone_note():
    return f"Agency time ({zone_name(timezone.get_current_timezone())})."


# Evaluated when the page is rendered, so it names the zone of the agency whose request it is.
zone_note = lazy(_zone_note, str)


def with_zone_note(help_text):
    """A field's help text followed by the agency's zone, e.g. 'This starts the clocks. Agency time
    (America/Chicago).': the other common mistake is typing UTC or the time of one's own laptop."""
    if not help_text:
        return zone_note()
    return format_lazy("{} {}", help_text, zone_note())


def now_to_the_minute():
    """Now on the agency's clock, as a form pre-fills it (an input shows minutes)."""
    return timezone.localtime().replace(second=0, microsecond=0)
