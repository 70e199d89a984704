"""The report's figures, computed in a fixed number of aggregate queries whatever the number of
episodes: the rates of `summary` (overall, by team, by month, each split by sex) and the hours to
notify of `notification_delays`. This is the one place they are computed: the dashboard and the PDF's
tables read them here.
"""

import dataclasses
import datetime
import statistics
from collections import Counter, defaultdict

from django.db.models import Count, DateField, Exists, OuterRef, Q, Subquery
from django.db.models.functions import TruncMonth

from caseapp import access
from caseapp.models import Sex
from missing_reports import clock_state, deadlines
from missing_reports.models import Debrief
from risk import screened as screened_rule

from ..base import CHUNK_SIZE, ReportQuery
from .period import _labels, episodes_in_period, identification_reports_in_period, notifications_in_period

NOT_APPLICABLE = "n/a"


@dataclasses.dataclass(frozen=True)
class Rate:
    """numerator of denominator; `percent` is None (shown "n/a") when the denominator is 0."""

    numerator: int
    denominator: int

    @property
    def percent(self) -> float | None:
        if not self.denominator:
            return None
        return round(100 * self.numerator / self.denominator, 1)

    @property
    def percent_text(self) -> str:
        return NOT_APPLICABLE if self.percent is None else f"{self.percent:.1f}%"

    def __str__(self):
        return f"{self.percent_text} ({self.numerator} of {self.denominator})"


@dataclasses.dataclass(frozen=True)
class Measure:
    key: str
    label: str
    denominator: str  # what is counted below the line, in words


LE_ON_TIME = "le_on_time"
NCMEC_ON_TIME = "ncmec_on_time"
NCIC_CONFIRMED = "ncic_confirmed"
RETURN_INTERVIEW = "return_interview"
TRAFFICKING_SCREEN = "trafficking_screen"
VICTIM_REPORT_ON_TIME = "victim_report_on_time"

MEASURES = (
    Measure(
        LE_ON_TIME,
        "Reported to law enforcement by the deadline",
        "reports to law enforcement of a missing youth that were made or are past due",
    ),
    Measure(NCMEC_ON_TIME, "Reported to NCMEC by the deadline", "reports to NCMEC that were made or are past due"),
    Measure(NCIC_CONFIRMED, "NCIC entry confirmed", "reports to law enforcement that were made"),
    Measure(RETURN_INTERVIEW, "Returns with a return interview", "episodes that ended in a return"),
    Measure(
        TRAFFICKING_SCREEN,
        "Returns with a trafficking screening",
        "episodes that ended in a return (" + screened_rule.DEFINITION.rstrip(".") + ")",
    ),
    Measure(
        VICTIM_REPORT_ON_TIME,
        "Identified victims reported to law enforcement by the deadline",
        "identified-victim reports that were made or are past due",
    ),
)
SEXES = tuple(Sex.values)
SEX_LABELS = _labels(Sex)


@dataclasses.dataclass(frozen=True)
class Figures:
    """Every measure for one group (all, a team, a month, and any of those for one sex)."""

    episodes: int
    returns: int
    rates: dict  # Measure.key → Rate
    median_hours_to_interview: float | None  # None: no return interview to time
    interviews_timed: int
    clocks_not_yet_due: int  # law-enforcement and NCMEC missing reports still inside their deadline

    @property
    def median_text(self) -> str:
        if self.median_hours_to_interview is None:
            return NOT_APPLICABLE
        interviews = "interview" if self.interviews_timed == 1 else "interviews"
        return f"{self.median_hours_to_interview:.1f} h ({self.interviews_timed} {interviews})"

    @property
    def is_empty(self) -> bool:
        return not self.episodes and not self.rates[VICTIM_REPORT_ON_TIME].denominator


@dataclasses.dataclass(frozen=True)
class Group:
    """One row of the summary: its figures, and the same figures for each sex (Sex values as keys)."""

    key: object  # None (all), a team id, or the first day of a month
    label: str
    figures: Figures
    by_sex: dict


def _figures(counts: Counter, hours: list) -> Figures:
    def clock(prefix):
        return counts[f"{prefix}_on_time"], counts[f"{prefix}_on_time"] + counts[f"{prefix}_late"] + counts[
            f"{prefix}_not_done"
        ]

    le_on_time, le_due = clock("le")
    ncmec_on_time, ncmec_due = clock("ncmec")
    victim_on_time, victim_due = clock("victim")
    le_made = counts["le_on_time"] + counts["le_late"]
    return Figures(
        episodes=counts["episodes"],
        returns=counts["returns"],
        rates={
            LE_ON_TIME: Rate(le_on_time, le_due),
            NCMEC_ON_TIME: Rate(ncmec_on_time, ncmec_due),
            NCIC_CONFIRMED: Rate(counts["le_ncic"], le_made),
            RETURN_INTERVIEW: Rate(counts["interviewed"], counts["returns"]),
            TRAFFICKING_SCREEN: Rate(counts["screened"], counts["returns"]),
            VICTIM_REPORT_ON_TIME: Rate(victim_on_time, victim_due),
        },
        median_hours_to_interview=round(statistics.median(hours), 1) if hours else None,
        interviews_timed=len(hours),
        clocks_not_yet_due=counts["le_open"] + counts["ncmec_open"],
    )


def _month(value, tz) -> datetime.date:
    """The first day of a TruncMonth value (a date, or a datetime in the agency's zone)."""
    if isinstance(value, datetime.datetime):
        value = value.astimezone(tz).date() if value.tzinfo else value.date()
    return value.replace(day=1)


def _months(query) -> list[datetime.date]:
    filters = query.filters
    month, last = filters.period_start.replace(day=1), filters.period_end.replace(day=1)
    months = []
    while month <= last:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


def _clock_counts(prefix, as_of):
    """The clocks in each state as of `as_of`, in SQL (clock_state.state_q: the same rule as `clock_status`)."""
    return {
        f"{prefix}_on_time": Count("pk", filter=clock_state.state_q(clock_state.DONE_ON_TIME)),
        f"{prefix}_late": Count("pk", filter=clock_state.state_q(clock_state.DONE_LATE)),
        f"{prefix}_not_done": Count("pk", filter=clock_state.state_q(clock_state.OVERDUE, as_of)),
        f"{prefix}_open": Count("pk", filter=clock_state.state_q(clock_state.DUE, as_of)),
    }


def _episode_counts(episodes, *columns):
    """The episodes, returns, interviewed and screened returns per combination of `columns`: one query."""
    # risk/screened.py is the one definition of a screened return; an episode's interviews are an Exists, so an
    # episode with a follow-up interview is counted once.
    interviewed_q = Exists(Debrief.objects.filter(episode_id=OuterRef("pk")))
    return (
        episodes.annotate(interviewed_q=interviewed_q, screened_q=screened_rule.screened())
        .values(*columns)
        .annotate(
            episodes=Count("pk"),
            returns=Count("pk", filter=Q(returned_at__isnull=False)),
            interviewed=Count("pk", filter=Q(returned_at__isnull=False, interviewed_q=True)),
            screened=Count("pk", filter=Q(returned_at__isnull=False, screened_q=True)),
        )
        .order_by()
    )


def screening_by_sex(query: ReportQuery) -> dict:
    """The trafficking-screening rate of the returns, as `summary(query)["all"]` has it: {None (all): Rate,
    Sex value: Rate for each sex with episodes}. One query grouped by sex, for the dashboard, which draws
    only this (summary also folds every team and month and times every return interview)."""
    counts = {None: Counter()}
    for row in _episode_counts(episodes_in_period(query), "youth__sex"):
        for name in ("returns", "screened"):
            counts[None][name] += row[name]
            counts.setdefault(row["youth__sex"], Counter())[name] += row[name]
    return {key: Rate(c["screened"], c["returns"]) for key, c in counts.items()}


def _cells(query) -> tuple[dict, dict]:
    """The counts and the interview delays of every (team id, month, sex) cell: four aggregate queries."""
    tz, as_of = query.tz, query.as_of
    counts: dict = defaultdict(Counter)
    hours: dict = defaultdict(list)

    def month_of(field):
        return TruncMonth(field, tzinfo=tz, output_field=DateField())

    missing_reports = (
        notifications_in_period(query)
        .filter(event=deadlines.MISSING, party__in=(deadlines.LAW_ENFORCEMENT, deadlines.NCMEC))
        .annotate(month=month_of("episode__agency_learned_at"))
        .values("party", "episode__youth__team_id", "month", "episode__youth__sex")
        .annotate(
            **_clock_counts("clock", as_of),
            ncic=Count("pk", filter=Q(done_at__isnull=False, ncic_confirmed_at__isnull=False)),
        )
        .order_by()
    )
    for row in missing_reports:
        cell = counts[(row["episode__youth__team_id"], _month(row["month"], tz), row["episode__youth__sex"])]
        prefix = "le" if row["party"] == deadlines.LAW_ENFORCEMENT else "ncmec"
        for outcome in ("on_time", "late", "not_done", "open"):
            cell[f"{prefix}_{outcome}"] += row[f"clock_{outcome}"]
        if prefix == "le":
            cell["le_ncic"] += row["ncic"]

    episodes = _episode_counts(
        episodes_in_period(query).annotate(month=month_of("agency_learned_at")), "youth__team_id", "month", "youth__sex"
    )
    for row in episodes:
        cell = counts[(row["youth__team_id"], _month(row["month"], tz), row["youth__sex"])]
        for name in ("episodes", "returns", "interviewed", "screened"):
            cell[name] += row[name]

    # The time to the first return interview (the one that completes the clock), once per episode.
    first_interview = Debrief.objects.filter(episode_id=OuterRef("pk")).order_by("interview_at", "id")
    interviews = (
        episodes_in_period(query)
        .filter(returned_at__isnull=False)
        .annotate(
            month=month_of("agency_learned_at"),
            first_interview_at=Subquery(first_interview.values("interview_at")[:1]),
        )
        .filter(first_interview_at__isnull=False)
        .order_by()
        .values_list("youth__team_id", "month", "youth__sex", "returned_at", "first_interview_at")
    )
    for team_id, month, sex, returned_at, interview_at in interviews.iterator(chunk_size=CHUNK_SIZE):
        hours[(team_id, _month(month, tz), sex)].append((interview_at - returned_at).total_seconds() / 3600)

    victims = (
        identification_reports_in_period(query)
        .annotate(month=month_of("decision__information_received_at"))
        .values("youth__team_id", "month", "youth__sex")
        .annotate(**_clock_counts("clock", as_of))
        .order_by()
    )
    for row in victims:
        cell = counts[(row["youth__team_id"], _month(row["month"], tz), row["youth__sex"])]
        for outcome in ("on_time", "late", "not_done", "open"):
            cell[f"victim_{outcome}"] += row[f"clock_{outcome}"]
    return counts, hours


def _group(key, label, cells, counts, hours) -> Group:
    """Fold the (team, month, sex) cells selected by `cells(team, month)` into one group and its sexes."""
    total, total_hours = Counter(), []
    by_sex = {sex: (Counter(), []) for sex in SEXES}
    for cell_key in set(counts) | set(hours):
        team_id, month, sex = cell_key
        if not cells(team_id, month):
            continue
        parts = [(total, total_hours)]
        if sex in by_sex:
            parts.append(by_sex[sex])
        for counter, delays in parts:
            counter.update(counts.get(cell_key, Counter()))
            delays.extend(hours.get(cell_key, ()))
    return Group(
        key=key,
        label=label,
        figures=_figures(total, total_hours),
        by_sex={sex: _figures(counter, delays) for sex, (counter, delays) in by_sex.items()},
    )


def _teams(query) -> list[tuple[int, str]]:
    teams = access.teams_visible_to(query.user).filter(agency_id=query.agency.pk)
    if query.filters.team_ids:
        teams = teams.filter(pk__in=query.filters.team_ids)
    return list(teams.order_by("name", "pk").values_list("pk", "name"))


def summary(query: ReportQuery) -> dict:
    """The timeliness figures of the period: five queries, whatever the number of episodes.

    Returns {"as_of", "period_start", "period_end", "measures" (MEASURES), "all": Group, "by_team":
    [Group per team in scope, by name], "by_month": [Group per month the period touches]}. A Group has
    `figures` (Figures: `rates[measure key]` → Rate(numerator, denominator) with `percent` None when the
    denominator is 0, `median_hours_to_interview`, `episodes`, `returns`) and `by_sex` (Sex value →
    Figures). Denominators are in MEASURES and the module docstring.
    """
    counts, hours = _cells(query)
    months = _months(query)
    return {
        "as_of": query.as_of,
        "period_start": query.filters.period_start,
        "period_end": query.filters.period_end,
        "measures": MEASURES,
        "all": _group(None, "All", lambda team, month: True, counts, hours),
        "by_team": [
            _group(team_id, name, lambda team, month, team_id=team_id: team == team_id, counts, hours)
            for team_id, name in _teams(query)
        ],
        "by_month": [
            _group(first, f"{first:%B %Y}", lambda team, month, first=first: month == first, counts, hours)
            for first in months
        ],
    }


# --- Time to notify, for the distribution chart --------------------------------------------------------------

# Bucket upper bounds in hours; a bucket includes its upper bound, so a notice made exactly at a 24-hour
# deadline falls in "12 to 24 h", on the right side of the line.
BUCKET_BOUNDS = (1, 2, 4, 8, 12, 24, 48, 72)


@dataclasses.dataclass(frozen=True)
class Bucket:
    label: str
    above: float | None  # hours, excluded (None: from the start)
    up_to: float | None  # hours, included (None: no upper bound)
    count: int


@dataclasses.dataclass(frozen=True)
class Delays:
    """Hours from when the agency learned of each episode to its report to one party."""

    party: str
    label: str
    hours: list  # one per report made, sorted
    deadline_hours: int | None  # the deadline most of these reports had (the agency's rule)
    deadlines: tuple  # every deadline in force over the period, if the rules changed
    not_done_past_due: int
    not_yet_due: int

    @property
    def buckets(self) -> list[Bucket]:
        bounds = sorted(set(BUCKET_BOUNDS) | set(self.deadlines))
        counts = Counter()
        for value in self.hours:
            counts[next((bound for bound in bounds if value <= bound), None)] += 1
        buckets, above = [], None
        for bound in bounds:
            label = f"Up to {hours_text(bound)} h" if above is None else f"{hours_text(above)} to {hours_text(bound)} h"
            buckets.append(Bucket(label, above, bound, counts[bound]))
            above = bound
        buckets.append(Bucket(f"Over {hours_text(above)} h", above, None, counts[None]))
        return buckets


def hours_text(value) -> str:
    return f"{value:g}"


def notification_delays(query: ReportQuery) -> dict:
    """{"law_enforcement": Delays, "ncmec": Delays} for the reports of the period's missing youth: one query."""
    parties = (deadlines.LAW_ENFORCEMENT, deadlines.NCMEC)
    hours = {party: [] for party in parties}
    rules = {party: Counter() for party in parties}
    not_done = {party: Counter() for party in parties}
    notices = (
        notifications_in_period(query)
        .filter(event=deadlines.MISSING, party__in=parties)
        .order_by()
        .values_list("party", "episode__agency_learned_at", "due_at", "done_at", "rule_hours", "rule_unit")
    )
    for party, learned_at, due_at, done_at, rule_hours, rule_unit in notices.iterator(chunk_size=CHUNK_SIZE):
        if rule_unit == deadlines.HOURS:  # the chart's buckets are hours; a rule in days has no fixed bound
            rules[party][rule_hours] += 1
        if done_at is not None:
            hours[party].append((done_at - learned_at).total_seconds() / 3600)
        else:
            not_done[party][clock_state.state(due_at, None, query.as_of) is clock_state.OVERDUE] += 1
    return {
        party: Delays(
            party=party,
            label=deadlines.party_label(deadlines.MISSING, party),
            hours=sorted(hours[party]),
            deadline_hours=rules[party].most_common(1)[0][0] if rules[party] else None,
            deadlines=tuple(sorted(rules[party])),
            not_done_past_due=not_done[party][True],
            not_yet_due=not_done[party][False],
        )
        for party in parties
    }
