"""The patterns worth saying in words about a youth's missing episodes, as pure functions (no database).

Times are the agency's (caseapp/local_time.py): the hour and weekday a youth left are read on the agency's clock
at that instant, so a youth who left at 1:30 AM left at 1:30 AM in summer and in winter, and both 1:30 AMs of
the night the clocks go back fall in the same band. Spans of time are worded by `local_time.duration`.

What is said, and only when it has happened more than once (one episode is not a pattern):
- the hour band (HOURS_PER_BAND hours, from midnight) and the weekday the youth most often left on, ties named
  together;
- the median time away over the episodes that ended (an episode still open has no length yet);
- the kinds of place (missing_reports FoundLocationType) and the addresses the youth was found at more than once;
  addresses compare as risk's history rule R11 compares them (risk.history_rules.normalise_address), so the
  words and the rule agree. "Returned to the placement", "Other" and "Not known" name no place to surface.
The words describe what happened, never the youth (docs/risk-catalogue.md#language).
"""

import dataclasses
import datetime
import statistics
from collections import Counter
from dataclasses import dataclass, field

from caseapp.local_time import duration
from missing_reports.models import FoundLocationType
from risk.history_rules import normalise_address

HOURS_PER_BAND = 3
BANDS = 24 // HOURS_PER_BAND
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
NOT_A_PLACE = {"", FoundLocationType.PLACEMENT, FoundLocationType.UNKNOWN, FoundLocationType.OTHER}


@dataclass(frozen=True)
class Leaving:
    """One episode as the pattern reads it. `left_at` and `returned_at` are aware instants (stored in UTC)."""

    left_at: datetime.datetime
    returned_at: datetime.datetime | None = None
    found_kind: str = ""
    found_address: str = ""


@dataclass(frozen=True)
class Pattern:
    episodes: int
    returns: int
    still_missing: bool
    hour_counts: tuple[int, ...]  # per band, from midnight
    weekday_counts: tuple[int, ...]  # Monday first
    median_away: datetime.timedelta | None
    busiest_bands: tuple[int, ...] = ()  # band indexes tied at the top, when the top is 2 or more
    busiest_weekdays: tuple[int, ...] = ()
    repeated_kinds: tuple[tuple[str, int], ...] = ()  # (label, episodes), most first
    repeated_addresses: tuple[tuple[str, int], ...] = ()  # (address as first written, episodes), most first
    sentences: tuple[str, ...] = field(default=())


def hour_band(hour: int) -> int:
    return hour // HOURS_PER_BAND


def hour_words(hour: int) -> str:
    if hour % 24 == 0:
        return "midnight"
    if hour == 12:
        return "noon"
    return f"{hour % 12 or 12} {'AM' if hour < 12 else 'PM'}"


def band_label(band: int) -> str:
    """'9 PM to midnight'."""
    start = band * HOURS_PER_BAND
    return f"{hour_words(start)} to {hour_words(start + HOURS_PER_BAND)}"


def band_between(band: int) -> str:
    """'between 9 PM and midnight'."""
    start = band * HOURS_PER_BAND
    return f"between {hour_words(start)} and {hour_words(start + HOURS_PER_BAND)}"


def local(moment: datetime.datetime, zone) -> datetime.datetime:
    return moment.astimezone(zone)


def _top(counts) -> tuple[int, ...]:
    highest = max(counts, default=0)
    if highest < 2:
        return ()
    return tuple(i for i, n in enumerate(counts) if n == highest)


def _repeated(values) -> tuple[tuple[str, int], ...]:
    counted = Counter(values)
    return tuple(sorted(((v, n) for v, n in counted.items() if n >= 2), key=lambda item: (-item[1], item[0])))


def _times(count: int) -> str:
    return "once" if count == 1 else ("twice" if count == 2 else f"{count} times")


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def summarise(leavings: list[Leaving], zone) -> Pattern:
    """The pattern of `leavings` read on `zone`'s clock, with the sentences that say it."""
    hour_counts, weekday_counts = [0] * BANDS, [0] * 7
    for leaving in leavings:
        at = local(leaving.left_at, zone)
        hour_counts[hour_band(at.hour)] += 1
        weekday_counts[at.weekday()] += 1
    ended = [x.returned_at - x.left_at for x in leavings if x.returned_at is not None]
    median_away = statistics.median(ended) if ended else None
    kinds = _repeated(
        FoundLocationType(x.found_kind).label for x in leavings
        if x.found_kind not in NOT_A_PLACE and x.found_kind in FoundLocationType.values
    )
    written = {}
    for leaving in leavings:
        key = normalise_address(leaving.found_address)
        if key:
            written.setdefault(key, leaving.found_address.strip())
    addresses = _repeated(written[key] for x in leavings if (key := normalise_address(x.found_address)))
    pattern = Pattern(
        episodes=len(leavings),
        returns=len(ended),
        still_missing=any(x.returned_at is None for x in leavings),
        hour_counts=tuple(hour_counts),
        weekday_counts=tuple(weekday_counts),
        median_away=median_away,
        busiest_bands=_top(hour_counts),
        busiest_weekdays=_top(weekday_counts),
        repeated_kinds=kinds,
        repeated_addresses=addresses,
    )
    return dataclasses.replace(pattern, sentences=tuple(sentences(pattern)))


def sentences(pattern: Pattern) -> list[str]:
    """Plain sentences of what repeats; an empty history says so, and one episode is no pattern yet."""
    if not pattern.episodes:
        return ["No missing episodes recorded."]
    if pattern.episodes == 1:
        return ["One missing episode recorded: no pattern to show yet."]
    said = []
    if pattern.busiest_bands:
        count = pattern.hour_counts[pattern.busiest_bands[0]]
        bands = _and([band_between(b) for b in pattern.busiest_bands])
        each = " each" if len(pattern.busiest_bands) > 1 else ""
        said.append(f"Left most often {bands} ({count} of {pattern.episodes} episodes{each}).")
    if pattern.busiest_weekdays:
        count = pattern.weekday_counts[pattern.busiest_weekdays[0]]
        days = _and([f"a {WEEKDAYS[d]}" for d in pattern.busiest_weekdays])
        each = " each" if len(pattern.busiest_weekdays) > 1 else ""
        said.append(f"Left most often on {days} ({count} of {pattern.episodes} episodes{each}).")
    if pattern.median_away is not None:
        over = "1 return" if pattern.returns == 1 else f"{pattern.returns} returns"
        said.append(f"Median time away: {duration(pattern.median_away)} (over {over}).")
    places = [f"{label.lower()} ({_times(n)})" for label, n in pattern.repeated_kinds]
    places += [f"{address} ({_times(n)})" for address, n in pattern.repeated_addresses]
    if places:
        said.append(f"Found more than once at: {'; '.join(places)}.")
    if len(said) == (1 if pattern.median_away is not None else 0):
        said.insert(0, "No hour, weekday or place of leaving repeats yet.")
    return said
