"""The pattern page's charts, drawn by exports/charts.py from the rows of exports/pattern/facts.py, so each chart
and its table hold the same facts (docs/design.md#pattern-timeline).

- The timeline: time from the first of the month of the youth's first episode to now, along the bottom, in the
  agency's zone; three lanes: the placements (a bar per stay, a new bar at each change), the missing episodes
  (a bar from leaving to the return, hatched red while still missing) and the risk band (a step, higher for a
  higher band, its name written on it).
- When the youth left: the episodes per hour band and per weekday, on the agency's clock.
"""

import datetime

from caseapp.local_time import display_date

from .. import charts
from . import words

LANES = ("Placements", "Missing episodes", "Risk band")
PLACEMENTS, EPISODES, BANDS = range(3)
BAND_LEVEL = {"monitor": 0.25, "elevated": 0.5, "high": 0.75, "urgent": 1.0}
EPISODE_COLUMNS = (
    "Left (last seen)", "Weekday and time", "Time away", "Where found", "How located", "Returned with",
    "Primary factors named", "Placement at the time", "Risk band then",
)
MAX_TICKS = 8


def _midnight(day: datetime.date, zone) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=zone)


def _month_ticks(start: datetime.datetime, now: datetime.datetime, zone, origin) -> list[tuple[float, str]]:
    """The first of each month (every 2nd, 3rd, 6th or 12th when there are many) from `start`, worded."""
    local_now = now.astimezone(zone)
    months = (local_now.year - start.year) * 12 + local_now.month - start.month + 1
    step = next((s for s in (1, 2, 3, 6, 12) if months / s <= MAX_TICKS), 12 * (months // (12 * MAX_TICKS) + 1))
    ticks, year, month = [], start.year, start.month
    while (year, month) <= (local_now.year, local_now.month):
        moment = _midnight(datetime.date(year, month, 1), zone)
        ticks.append((origin(moment), f"{moment:%b} {year}" if step < 12 else str(year)))
        month += step
        year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return ticks


def timeline(data) -> charts.Chart:
    """The youth's episodes, placements and risk bands on one time axis; the table is the episodes' rows."""
    rows = [
        (e.left, e.weekday_and_hour, e.away, e.found or "—", e.how_located or "—", e.returned_with or "None recorded",
         e.factors or "—", e.placement, e.band)
        for e in data.episodes
    ]
    title = "Missing episodes, placements and risk bands over time"
    if not data.episodes:
        return charts.lanes("pattern-timeline", title, "", list(LANES), [], end=0, ticks=[], time_axis="",
                            columns=EPISODE_COLUMNS, rows=rows, empty_text="No missing episodes recorded.")
    first = data.episodes[0].left_at.astimezone(data.zone)
    start = _midnight(first.date().replace(day=1), data.zone)

    def at(moment):
        return (moment - start).total_seconds()

    spans = []
    for stay in data.stays:
        stay_end = _midnight(stay.end, data.zone) if stay.end else data.now
        if stay_end < start:
            continue
        spans.append(charts.Span(
            PLACEMENTS, at(max(_midnight(stay.start, data.zone), start)), at(stay_end),
            f"{'Moved to ' if stay.change else ''}{stay.name}, {stay.dates}", text=stay.name.split(": ", 1)[-1],
        ))
    for episode in data.episodes:
        spans.append(charts.Span(
            EPISODES, at(episode.left_at), at(episode.ended_at),
            f"Left {episode.left}, {episode.weekday_and_hour}; {episode.away}"
            + (f"; found: {episode.found}" if episode.found else ""),
            text="still missing" if episode.still_missing else "", emphasis=episode.still_missing,
        ))
    for period in data.bands:
        if period.end < start:
            continue
        spans.append(charts.Span(
            BANDS, at(max(period.start, start)), at(period.end), f"Risk band {period.label}, {period.dates}",
            text=period.label, level=BAND_LEVEL.get(period.band, 0.25),
        ))
    description = (
        f"From {display_date(start.date())} to today, in agency time: each placement, each missing episode from "
        f"when the youth left to their return, and the risk band. {len(data.episodes)} episodes, "
        f"{data.changes} placement changes. The same facts are in the tables below."
    )
    return charts.lanes(
        "pattern-timeline", title, description, list(LANES), spans, end=at(data.now),
        ticks=_month_ticks(start, data.now, data.zone, at), time_axis="Agency time",
        columns=EPISODE_COLUMNS, rows=rows,
    )


def leaving_hours(pattern: words.Pattern) -> charts.Chart:
    bars, rows = [], []
    for band, count in enumerate(pattern.hour_counts):
        start, end = band * words.HOURS_PER_BAND, (band + 1) * words.HOURS_PER_BAND
        label = words.band_label(band)
        bars.append(charts.Bar(label, count, tick=f"{words.hour_words(start)}–\n{words.hour_words(end)}"))
        rows.append((label, count))
    return charts.vertical_bars(
        "pattern-hours", "When the youth left: hour of the day",
        "Missing episodes by the hour the youth was last seen, in three-hour bands of the agency's clock.",
        bars if pattern.episodes else [], value_axis="Episodes", category_axis="Hour the youth left (agency time)",
        columns=("Hours", "Episodes"), rows=rows if pattern.episodes else [],
        empty_text="No missing episodes recorded.",
    )


def leaving_weekdays(pattern: words.Pattern) -> charts.Chart:
    bars = [
        charts.Bar(day, count, tick=day[:3]) for day, count in zip(words.WEEKDAYS, pattern.weekday_counts, strict=True)
    ]
    return charts.vertical_bars(
        "pattern-weekdays", "When the youth left: day of the week",
        "Missing episodes by the weekday the youth was last seen, on the agency's clock.",
        bars if pattern.episodes else [], value_axis="Episodes", category_axis="Weekday the youth left (agency time)",
        columns=("Weekday", "Episodes"),
        rows=list(zip(words.WEEKDAYS, pattern.weekday_counts, strict=True)) if pattern.episodes else [],
        empty_text="No missing episodes recorded.",
    )
