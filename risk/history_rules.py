"""Missing-episode history rules (docs/risk-catalogue.md#history-rules, R2 to R11 and R13), over plain episode data.

Why a pure function: the rules run nightly and on every episode save from a Celery task, and the episode
history is the strongest signal we have (C4 holds four weight-5 patterns), so every boundary is tested here
without a database. The caller turns `MissingEpisode` rows into `EpisodeFact`s and passes the hits to
`risk.scoring.assess`, which applies the 90-day/12-month ageing and turns hits into reasons and flags.

What `evaluate` returns: every occurrence of every pattern across the whole history, not only the latest, so a
supervisor can see when a pattern first appeared and so R12 (scored in risk.scoring, because it needs the
recorded observations too) can match an older C4 pattern with an observation from the same weeks. One
occurrence is one episode that completes the pattern, and `at` is when the pattern became true:

  C4.1  every episode (rule name "C4.1": no numbered history rule derives it; R0/R1 are the statutory report and
        the return tasks, owned by missing_reports). at = started_at.
  R2    C4.2 for each episode with at least 1 other episode started in the 30 days up to its own start
        (a closed window: exactly 30 days apart counts). at = started_at of the completing episode.
  R3    C4.3 likewise, 3 or more episodes started within 90 days (closed window).
  R4    per episode, the strongest duration only (end = returned_at, or `now` while still missing):
        more than 72 h -> C4.4 at start + 72 h; more than 7 days -> C4.5 (instead of C4.4) at start + 7 days;
        more than 20 days -> also a hit with no indicator (scored as the PROLONGED flag) at start + 20 days.
        Exactly 72 h, 7 days or 20 days is not "more than".
  R5    found outside the home county or state -> C4.6 at the return (returned_at, else started_at).
  R6    found at a motel, an unknown adult's residence or in a vehicle -> C4.7 at the return.
  R7    returned with any item (cash, prepaid card, hotel key, new phone, new clothes) -> C4.8 at the return.
  R8    C4.10 when (a) 3 or more closed episodes shorter than 24 h started within 30 days (closed window;
        exactly 24 h is not shorter), at the start of the third; or (b) an episode starts less than 72 h after
        the return of the episode before it, at its start.
  R9    acceleration, one hit at most, for the latest episode: with episodes sorted by start, a gap is the time
        from one start to the next; the recent gap is the median of the last 2 gaps (the last 3 episodes), the
        prior gap is the median of all earlier gaps, of which there must be at least 3 (so 6 episodes or more);
        hit when recent < prior / 2 (strictly). at = start of the latest episode.
  R10   an episode starting at or after a placement change and less than 72 h after it. at = started_at.
  R11   the same found_address (compared case-, whitespace- and punctuation-insensitively; empty ignored) in
        2 or more episodes: one hit per episode from the second on, at its return. The design also says "or person";
        episodes record no person, so only the address is matched.
  R13   an episode whose NCMEC report was due before `now` and is not done, or was done after its due time.
        at = the due time.

Episodes starting after `now`, and placement changes after `now`, are ignored (they cannot have happened yet).
An episode whose returned_at is before its started_at has no duration, so it is left out of R4 and R8.

Notes are plain words a supervisor reads and describe behaviour, never a label for the youth
(docs/risk-catalogue.md#ui-copy).
Dates in notes use the agency's time zone when `tz` is given, UTC otherwise.
"""

import datetime
import itertools
import re
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from caseapp import local_time
from missing_reports import clock_state

UTC = datetime.UTC

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)

CONCERNING_LOCATIONS = {
    "motel": "a motel or hotel",
    "unknown_adult_residence": "the home of an adult not known to the agency",
    "vehicle": "a vehicle",
}
RETURNED_WITH_WORDS = {
    "cash": "cash",
    "prepaid_card": "a prepaid card",
    "hotel_key": "a hotel key",
    "new_phone": "a new phone",
    "new_clothes": "new clothes",
}

PROLONGED_NOTE = "more than 20 days"


@dataclass(frozen=True)
class EpisodeFact:
    id: int
    started_at: datetime.datetime  # when the youth was last seen
    learned_at: datetime.datetime
    returned_at: datetime.datetime | None = None
    found_location_type: str = ""
    found_out_of_county: bool = False
    found_out_of_state: bool = False
    found_address: str = ""
    returned_with: tuple[str, ...] = ()
    ncmec_due_at: datetime.datetime | None = None
    ncmec_done_at: datetime.datetime | None = None


@dataclass(frozen=True)
class RuleHit:
    rule: str  # "C4.1", "R2".."R11", "R13"
    indicator: str  # derived indicator code, or "" for a hit that only sets a flag
    at: datetime.datetime  # when the pattern became true
    episode_ids: tuple[int, ...]
    note: str


def evaluate(
    episodes: Sequence[EpisodeFact],
    placement_changes: Sequence[datetime.datetime],
    now: datetime.datetime,
    tz: datetime.tzinfo | None = None,
) -> list[RuleHit]:
    """Every occurrence of the history patterns, sorted by time (see the module docstring)."""
    _require_aware(now, "now")
    for episode in episodes:
        _check_episode(episode)
    for change in placement_changes:
        _require_aware(change, "placement change")
    words = _Words(tz or UTC, now)
    history = sorted((e for e in episodes if e.started_at <= now), key=lambda e: (e.started_at, e.id))
    changes = sorted(c for c in placement_changes if c <= now)

    hits = []
    hits += _any_episode(history, words)
    hits += _count_window(history, "R2", "C4.2", 2, 30, words)
    hits += _count_window(history, "R3", "C4.3", 3, 90, words)
    hits += _durations(history, now, words)
    hits += _recovery(history, words)
    hits += _short_absences(history, words)
    hits += _acceleration(history, words)
    hits += _after_placement_change(history, changes, words)
    hits += _same_address(history, words)
    hits += _ncmec_overdue(history, now, words)
    return sorted(hits, key=lambda h: (h.at, h.rule, h.indicator, h.episode_ids))


def normalise_address(address: str) -> str:
    """'12 Oak St.,  Apt 3' and '12 oak st apt 3' are the same place."""
    words = re.sub(r"[^\w\s]", " ", address.casefold()).split()
    return " ".join(words)


def _any_episode(history, words):
    return [
        RuleHit("C4.1", "C4.1", e.started_at, (e.id,), f"Missing episode from {words.date(e.started_at)}")
        for e in history
    ]


def _count_window(history, rule, indicator, minimum, days, words, what="missing episodes"):
    """One hit per episode that has `minimum` episodes (itself included) started in the `days` up to its start."""
    span = days * DAY
    hits = []
    first = 0
    for last, episode in enumerate(history):
        while episode.started_at - history[first].started_at > span:
            first += 1
        window = history[first : last + 1]
        if len(window) >= minimum:
            hits.append(
                RuleHit(
                    rule,
                    indicator,
                    episode.started_at,
                    tuple(e.id for e in window),
                    f"{len(window)} {what} in {days} days ({words.dates(e.started_at for e in window)})",
                )
            )
    return hits


def _durations(history, now, words):
    hits = []
    for episode in history:
        end = episode.returned_at or now
        duration = end - episode.started_at
        if duration < datetime.timedelta(0):
            continue
        still = " and still missing" if episode.returned_at is None else ""
        said = f"Missing for {local_time.duration(duration)}{still} (from {words.date(episode.started_at)})"
        if duration > 20 * DAY:
            hits.append(
                RuleHit(
                    "R4",
                    "",
                    episode.started_at + 20 * DAY,
                    (episode.id,),
                    f"Missing for {PROLONGED_NOTE}: {local_time.duration(duration)}{still} "
                    f"(from {words.date(episode.started_at)})",
                )
            )
        if duration > 7 * DAY:
            hits.append(RuleHit("R4", "C4.5", episode.started_at + 7 * DAY, (episode.id,), said))
        elif duration > 72 * HOUR:
            hits.append(RuleHit("R4", "C4.4", episode.started_at + 72 * HOUR, (episode.id,), said))
    return hits


def _recovery(history, words):
    hits = []
    for episode in history:
        at = episode.returned_at or episode.started_at
        when = words.date(at)
        if episode.found_out_of_county or episode.found_out_of_state:
            where = "the state" if episode.found_out_of_state else "the home county"
            hits.append(RuleHit("R5", "C4.6", at, (episode.id,), f"Found outside {where} ({when})"))
        if episode.found_location_type in CONCERNING_LOCATIONS:
            place = CONCERNING_LOCATIONS[episode.found_location_type]
            hits.append(RuleHit("R6", "C4.7", at, (episode.id,), f"Found in {place} ({when})"))
        if episode.returned_with:
            items = ", ".join(RETURNED_WITH_WORDS.get(item, item.replace("_", " ")) for item in episode.returned_with)
            hits.append(RuleHit("R7", "C4.8", at, (episode.id,), f"Came back with {items} ({when})"))
    return hits


def _short_absences(history, words):
    short = [e for e in history if _duration(e) is not None and _duration(e) < 24 * HOUR]
    hits = _count_window(short, "R8", "C4.10", 3, 30, words, what="absences shorter than 24 hours")
    for previous, episode in itertools.pairwise(history):
        if previous.returned_at is None:
            continue
        gap = episode.started_at - previous.returned_at
        if datetime.timedelta(0) <= gap < 72 * HOUR:
            hits.append(
                RuleHit(
                    "R8",
                    "C4.10",
                    episode.started_at,
                    (previous.id, episode.id),
                    f"Missing again {local_time.duration(gap)} after coming back on {words.date(previous.returned_at)}",
                )
            )
    return hits


def _acceleration(history, words):
    if len(history) < 6:
        return []
    gaps = [(b.started_at - a.started_at).total_seconds() for a, b in itertools.pairwise(history)]
    recent = statistics.median(gaps[-2:])
    prior = statistics.median(gaps[:-2])
    if not recent < prior / 2:
        return []
    last_three = history[-3:]
    return [
        RuleHit(
            "R9",
            "",
            history[-1].started_at,
            tuple(e.id for e in last_three),
            "Missing episodes are coming closer together: about "
            f"{local_time.duration(datetime.timedelta(seconds=recent))} apart recently "
            f"({words.dates(e.started_at for e in last_three)}), against about "
            f"{local_time.duration(datetime.timedelta(seconds=prior))} before",
        )
    ]


def _after_placement_change(history, changes, words):
    hits = []
    for episode in history:
        before = [c for c in changes if datetime.timedelta(0) <= episode.started_at - c < 72 * HOUR]
        if before:
            change = before[-1]
            hits.append(
                RuleHit(
                    "R10",
                    "",
                    episode.started_at,
                    (episode.id,),
                    f"Went missing {local_time.duration(episode.started_at - change)} after a placement change on "
                    f"{words.date(change)}: review how the placement fits",
                )
            )
    return hits


def _same_address(history, words):
    seen = defaultdict(list)
    hits = []
    for episode in history:
        key = normalise_address(episode.found_address)
        if not key:
            continue
        seen[key].append(episode)
        if len(seen[key]) >= 2:
            same = seen[key]
            hits.append(
                RuleHit(
                    "R11",
                    "",
                    episode.returned_at or episode.started_at,
                    tuple(e.id for e in same),
                    f"Found at the same address ({episode.found_address.strip()}) in {len(same)} episodes "
                    f"({words.dates(e.started_at for e in same)})",
                )
            )
    return hits


def _ncmec_overdue(history, now, words):
    hits = []
    for episode in history:
        due, done = episode.ncmec_due_at, episode.ncmec_done_at
        # Only once the due time has passed (a report can still be made on time at the due moment).
        if due is None or not clock_state.is_past_due(due, now):
            continue
        state = clock_state.state(due, done, now)
        if state is clock_state.OVERDUE:
            note = f"NCMEC report not made by its due time ({words.moment(due)})"
        elif state is clock_state.DONE_LATE:
            note = f"NCMEC report made {local_time.duration(done - due)} after its due time ({words.moment(due)})"
        else:
            continue
        hits.append(RuleHit("R13", "", due, (episode.id,), note))
    return hits


def _duration(episode):
    """How long a closed episode lasted; None while still missing or when the return is before the start."""
    if episode.returned_at is None or episode.returned_at < episode.started_at:
        return None
    return episode.returned_at - episode.started_at


def _require_aware(moment, what):
    if not isinstance(moment, datetime.datetime):
        raise ValueError(f"{what} must be a datetime, not {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware (got a naive datetime)")
    return moment


def _check_episode(episode):
    _require_aware(episode.started_at, f"episode {episode.id} started_at")
    for name in ("learned_at", "returned_at", "ncmec_due_at", "ncmec_done_at"):
        value = getattr(episode, name)
        if value is not None:
            _require_aware(value, f"episode {episode.id} {name}")


class _Words:
    """Dates in plain words, in the agency's time zone (durations: caseapp.local_time.duration)."""

    def __init__(self, tz, now):
        self.tz = tz
        self.year = now.astimezone(tz).year

    def date(self, moment):
        local = moment.astimezone(self.tz)
        text = f"{local.day} {local:%b}"
        return text if local.year == self.year else f"{text} {local.year}"

    def dates(self, moments):
        return ", ".join(self.date(m) for m in moments)

    def moment(self, moment):
        return f"due {local_time.short_time(moment, self.tz)}"
