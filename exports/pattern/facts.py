"""The facts of a youth's pattern timeline, read in a fixed number of queries and worded once for the chart and
its tables (exports/pattern/chart.py draws the same rows).

Reads go through each app's selectors, scoped by caseapp.access (docs/design.md#dependencies): the episodes with
their return interviews' factors (missing_reports.selectors.youth_pattern_episodes, two queries), the
placements (one), and the risk bands (risk.selectors.band_changes, one). Five queries with the youth's own,
whether the youth has 1 episode or 50.

- Times are the agency's (caseapp.local_time): "Left" is when the youth was last seen, on the agency's clock
  with its abbreviation, so both 1:30 AMs of the night the clocks go back read apart.
- Placements: the rows of the placement history, less the "missing from care" spells the episodes write
  (caseapp MISSING_PLACEMENT_TYPES: they are the episodes themselves), with the rows of one placement that a
  return continued joined into one stay (same kind and provider, one after the other). A change of placement is
  the start of every stay after the first.
- Risk bands: whoever may see the youth sees their bands, as on the risk page (risk/views/youth.py asks only
  caseapp.access.get_youth_or_404). Only the band is shown here, never the score, its reasons or the observations
  behind them: those stay on the risk page.
- Nothing restricted is read: no health field, nothing a youth disclosed, no words of the interview but the
  factors named (caseapp Youth.RESTRICTED_FIELDS, missing_reports Disclosure.RESTRICTED_FIELDS).
"""

import bisect
import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from caseapp.local_time import agency_zone, clock_time, display_date, duration, short_time
from caseapp.models import MISSING_PLACEMENT_TYPES, Placement
from missing_reports import selectors as episode_selectors
from missing_reports.models import FoundLocationType, HowLocated, PrimaryFactor, ReturnedWith
from risk import selectors as risk_selectors
from risk.models import Band

from . import words

NOT_ASSESSED = "Not assessed yet"


@dataclass(frozen=True)
class EpisodeRow:
    episode_id: int
    left_at: datetime.datetime
    ended_at: datetime.datetime  # the return, or now while still missing
    still_missing: bool
    left: str  # "03/06/2026 21:15 CST"
    weekday_and_hour: str  # "Friday, 9:15 PM (9 PM to midnight)"
    away: str  # "2 days 3 h", or "Still missing (3 h so far)"
    found: str
    how_located: str
    returned_with: str
    factors: str
    placement: str
    band: str


@dataclass(frozen=True)
class Stay:
    start: datetime.date
    end: datetime.date | None
    name: str  # "Group home: Oak House"
    dates: str  # "Mar 2, 2025 to Jun 30, 2025", or "Since Mar 2, 2025"
    change: bool  # it began with a move from another placement


@dataclass(frozen=True)
class BandPeriod:
    start: datetime.datetime
    end: datetime.datetime  # the next change, or now
    band: str  # code
    label: str
    dates: str
    current: bool


@dataclass
class YouthPattern:
    zone: object
    now: datetime.datetime
    episodes: list[EpisodeRow]
    stays: list[Stay]
    bands: list[BandPeriod]
    pattern: words.Pattern
    changes: int = field(default=0)  # placement changes


def _labels(codes, choices) -> list[str]:
    return [choices(code).label for code in codes if code in choices.values]


def _found(episode) -> str:
    if episode.is_open:
        return ""
    parts = _labels([episode.found_location_type], FoundLocationType)
    if episode.found_address.strip():
        parts.append(episode.found_address.strip())
    if episode.found_out_of_state:
        parts.append("outside the state")
    elif episode.found_out_of_county:
        parts.append("outside the home county")
    return ", ".join(parts) or "Not recorded"


def _factors(episode) -> str:
    interviews = list(episode.debriefs.all())
    if not interviews:
        return "" if episode.is_open else "No return interview yet"
    named = []
    for interview in interviews:
        for label in _labels(interview.primary_factors or [], PrimaryFactor):
            if label not in named:
                named.append(label)
    return "; ".join(named) or "None named"


def _band_at(changes, moment) -> str:
    """The band of the assessment in effect at `moment`: the last change at or before it."""
    index = bisect.bisect_right([at for at, _ in changes], moment) - 1
    return Band(changes[index][1]).label if index >= 0 and changes[index][1] in Band.values else NOT_ASSESSED


def episode_rows(episodes, changes, zone, now) -> list[EpisodeRow]:
    rows = []
    for episode in episodes:
        left = words.local(episode.last_seen_at, zone)
        ended = episode.returned_at or now
        if episode.is_open:
            away = f"Still missing ({duration(now - episode.last_seen_at)} so far)"
        else:
            away = duration(episode.returned_at - episode.last_seen_at)
        rows.append(
            EpisodeRow(
                episode_id=episode.pk,
                left_at=episode.last_seen_at,
                ended_at=ended,
                still_missing=episode.is_open,
                left=short_time(episode.last_seen_at, zone),
                weekday_and_hour=(
                    f"{words.WEEKDAYS[left.weekday()]}, {clock_time(left)} "
                    f"({words.band_label(words.hour_band(left.hour))})"
                ),
                away=away,
                found=_found(episode),
                how_located=", ".join(_labels([episode.how_located], HowLocated)),
                returned_with=", ".join(_labels(episode.returned_with or [], ReturnedWith)),
                factors=_factors(episode),
                placement=str(episode.placement) if episode.placement_id else "Not recorded",
                band=_band_at(changes, episode.last_seen_at),
            )
        )
    return rows


def stays(placements) -> list[Stay]:
    """The youth's placements as stays, oldest first: the rows of one placement continued after a return are one."""
    joined = []
    for placement in placements:
        key = (placement.placement_type, placement.provider_name.strip().casefold())
        if joined and joined[-1][0] == key:
            joined[-1][2] = placement.end_date
            continue
        joined.append([key, placement, placement.end_date])
    result = []
    for index, (_key, first, end) in enumerate(joined):
        since = display_date(first.start_date)
        result.append(
            Stay(
                start=first.start_date, end=end, name=str(first),
                dates=f"{since} to {display_date(end)}" if end else f"Since {since}", change=index > 0,
            )
        )
    return result


def band_periods(changes, zone, now) -> list[BandPeriod]:
    periods = []
    for index, (at, band) in enumerate(changes):
        end = changes[index + 1][0] if index + 1 < len(changes) else now
        current = index + 1 == len(changes)
        label = Band(band).label if band in Band.values else band
        since = short_time(at, zone)
        periods.append(
            BandPeriod(
                start=at, end=end, band=band, label=label, current=current,
                dates=f"Since {since}" if current else f"{since} to {short_time(end, zone)}",
            )
        )
    return periods


def youth_pattern(user, youth, now=None) -> YouthPattern:
    """The youth's pattern page (exports/views/pattern.py). `youth` has passed the gate, its agency loaded."""
    now = now or timezone.now()
    zone = agency_zone(youth.agency)
    episodes = episode_selectors.youth_pattern_episodes(user, youth)
    changes = risk_selectors.band_changes(youth, now)
    placements = (
        Placement.objects.filter(youth=youth).exclude(placement_type__in=MISSING_PLACEMENT_TYPES)
        .order_by("start_date", "id")
    )
    youth_stays = stays(placements)
    pattern = words.summarise(
        [
            words.Leaving(e.last_seen_at, e.returned_at, e.found_location_type, e.found_address)
            for e in episodes
        ],
        zone,
    )
    return YouthPattern(
        zone=zone, now=now, episodes=episode_rows(episodes, changes, zone, now), stays=youth_stays,
        bands=band_periods(changes, zone, now), pattern=pattern, changes=sum(1 for s in youth_stays if s.change),
    )


def youth_summary(user, youth) -> words.Pattern:
    """The youth page's few sentences of the pattern (one query: the episodes' times and where found)."""
    return words.summarise(
        [words.Leaving(*row) for row in episode_selectors.youth_leaving_times(user, youth)], agency_zone(youth.agency)
    )
