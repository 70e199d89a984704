"""Placement environment: which placements missing episodes start from, per 1,000 placement-days.

"Fix the environment, not the flower": the rate of episodes per 1,000 days youth spent in a kind of placement,
with a provider, or on a team shows which environments precede runs, not only which youth left. The figures
here are the one place they are computed: the export's rows and the dashboard (exports/dashboard.py) both come
from `figures(query)`, and the dashboard's episodes-per-month chart from `episodes_per_month(query)`.

Definitions (the period is [start, end) in the agency's zone: midnight of its first day to midnight after its
last; ReportQuery.period_bounds):

- Placement-days. A placement covers the days from its start_date up to, not including, its end_date (the day
  a youth moves counts for the new placement only: caseapp Placement). Its placement-days in the period are the
  days it covers from max(start_date, the period's first day) up to, not including, min(end_date, the day after
  the period's last day, the day after today). So an open placement counts up to and including today (the
  export's day, in the agency's zone) or the period's last day, whichever is earlier, and no day after today
  ever counts. Missing spells (MISSING_PLACEMENT_TYPES) are not placements a youth lives in and count nothing.
- Episodes. A missing episode that started (last_seen_at) in the period, attributed to its placement at the
  time (MissingEpisode.placement). An episode with no placement recorded at the time, or whose placement was a
  missing spell, is counted in one row of its own ("no placement recorded") and in no rate.
- Rate. Episodes x 1,000 / placement-days, rounded to 2 decimals; none when there are no placement-days.
- Primary factors. From the return interviews (Debrief.primary_factors) of the group's episodes: the three
  most common, with how many interviews named each (ties in the order of PrimaryFactor).
- Within 72 hours of a placement change. The share of the group's episodes that started at or after the start
  of one of the youth's placements (any placement that is not a missing spell, at local midnight of its
  start_date) and less than 72 hours after it: the definition of risk rule R10 (risk/history_rules.py), so this
  report and the youth's risk page agree. As local midnight of day S is after a moment X exactly when S is
  after X's local date, "started less than 72 h after midnight of S, and not before it" is
  local_date(last_seen_at - 72 h) < S ≤ local_date(last_seen_at), computed in the database with the agency's
  zone (real hours, also across a daylight-saving change).
- Groups: every placement type, every provider and every team with placement-days or episodes in the scope,
  each kind sorted by rate (highest first), plus one row for all placements. A provider is the provider name
  with spacing and capitals ignored. A team is the youth's team.

Scope: the requester's youth (caseapp.access) in this agency, and the team and placement-type filters.

Two aggregate queries whatever the data size: placement-days summed per (placement type, provider, team), and
episodes counted per (placement type, provider, team, primary factors, within 72 h). The groups of each kind
are rolled up from those in Python; no query per placement, episode or group. The dashboard draws the totals
and the placement types only: `figures(query, detail=False)` groups by placement type alone in the same two
queries (a statewide agency has tens of thousands of type x provider x team combinations, but a dozen types).

Minimum necessary: no youth is named or numbered; only placement types, provider names and team names.
"""

import dataclasses
import datetime
from collections import Counter

from django.db.models import (
    Count,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    JSONField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, Least, TruncDate, TruncMonth

from caseapp import access
from caseapp.models import MISSING_PLACEMENT_TYPES, Placement, PlacementType
from missing_reports.models import Debrief, MissingEpisode, PrimaryFactor

from .base import Column, Report, register

ALL = "All placements"
BY_TYPE = "Placement type"
BY_PROVIDER = "Provider"
BY_TEAM = "Team"
NOT_ATTRIBUTED = "No placement recorded"
KINDS = (ALL, BY_TYPE, BY_PROVIDER, BY_TEAM, NOT_ATTRIBUTED)

ALL_LABEL = "All placements in scope"
NOT_ATTRIBUTED_LABEL = "Episodes with no placement recorded at the time"

WINDOW = datetime.timedelta(hours=72)
TOP_FACTORS = 3
PER = 1000

FACTOR_LABELS = {value: str(label) for value, label in PrimaryFactor.choices}
FACTOR_ORDER = {value: index for index, value in enumerate(PrimaryFactor.values)}
TYPE_LABELS = {value: str(label) for value, label in PlacementType.choices}


@dataclasses.dataclass
class Group:
    """One row: a group of placements, its placement-days and the episodes that started from them."""

    kind: str
    label: str
    placement_days: int = 0
    episodes: int = 0
    interviews: int = 0
    within_72h: int = 0
    factors: Counter = dataclasses.field(default_factory=Counter)

    @property
    def rate(self) -> float | None:
        """Episodes per 1,000 placement-days, or None without placement-days."""
        if not self.placement_days:
            return None
        return round(self.episodes * PER / self.placement_days, 2)

    @property
    def share_72h(self) -> float | None:
        """Percentage of the episodes that started within 72 hours of a placement change; None without any."""
        if not self.episodes:
            return None
        return round(100 * self.within_72h / self.episodes, 1)

    def top_factors(self, n=TOP_FACTORS) -> list[tuple[str, int]]:
        """The n most common primary factors as (label, interviews naming it); ties in PrimaryFactor's order."""
        ranked = sorted(self.factors.items(), key=lambda item: (-item[1], FACTOR_ORDER.get(item[0], len(FACTOR_ORDER))))
        return [(FACTOR_LABELS.get(value, str(value)), count) for value, count in ranked[:n]]

    def add(self, days=0, *, episodes=0, interviews=0, within_72h=0, factors=None):
        self.placement_days += days
        self.episodes += episodes
        self.interviews += interviews
        self.within_72h += within_72h
        if factors:
            self.factors.update(factors)


@dataclasses.dataclass
class Figures:
    """Everything the report and the dashboard show about placement environments for one query."""

    period_start: datetime.date
    period_end: datetime.date
    counted_through: datetime.date | None  # the last day with placement-days (today when the period runs on)
    total: Group
    by_type: list[Group]
    by_provider: list[Group]
    by_team: list[Group]
    not_attributed: Group

    def groups(self) -> list[Group]:
        """The rows, in the export's order."""
        rows = [self.total, *self.by_type, *self.by_provider, *self.by_team]
        if self.not_attributed.episodes:
            rows.append(self.not_attributed)
        return rows

    @property
    def episodes(self) -> int:
        """Every episode that started in the period in scope, attributed to a placement or not."""
        return self.total.episodes + self.not_attributed.episodes

    def factor_counts(self) -> list[tuple[str, int]]:
        """All primary factors named in the period's return interviews, most common first."""
        return self.total.top_factors(n=len(FACTOR_LABELS) + 1)


def _scoped_youth(query):
    return access.youth_visible_to(query.user).filter(agency_id=query.agency.pk)


def placements(query):
    """The placements (not missing spells) of the requester's scope in this agency, filtered."""
    rows = Placement.objects.filter(youth__in=_scoped_youth(query)).exclude(placement_type__in=MISSING_PLACEMENT_TYPES)
    return rows.filter(query.filters.q(placement_type="placement_type"))


def episodes_started(query):
    """The episodes of the requester's scope in this agency that started in the period, filtered."""
    start, end = query.period_bounds()
    rows = MissingEpisode.objects.filter(youth__in=_scoped_youth(query), last_seen_at__gte=start, last_seen_at__lt=end)
    return rows.filter(query.filters.q())


def day_after_last_counted(query) -> datetime.date:
    """The exclusive end of the counted days: the day after the period's last day or after today, if earlier."""
    today = query.as_of.astimezone(query.tz).date()
    return min(query.filters.period_end, today) + datetime.timedelta(days=1)


# The columns the rows are grouped by: every kind of group (the export), or placement types only (the dashboard).
DETAIL = ("placement_type", "provider_name", "youth__team_id", "youth__team__name")
TYPES_ONLY = ("placement_type",)


def _padded(row, width):
    """A row grouped by fewer columns than DETAIL, with None for the columns it was not grouped by."""
    return (*row[:width], *(None,) * (len(DETAIL) - width), *row[width:])


def _placement_days(query, columns=DETAIL):
    """(placement_type, provider_name, team_id, team_name, days) per combination of `columns` (the others
    None): one GROUP BY query."""
    first = query.filters.period_start
    stop = day_after_last_counted(query)
    if stop <= first:
        return []
    clipped_start = Greatest(F("start_date"), Value(first))
    clipped_end = Least(Coalesce(F("end_date"), Value(stop)), Value(stop))
    days = ExpressionWrapper(clipped_end - clipped_start, output_field=DurationField())
    rows = (
        placements(query)
        .filter(start_date__lt=stop)
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=first))
        .values_list(*columns)
        .annotate(days=Sum(days))
        .order_by()
    )
    width = len(columns)
    return [_padded((*row[:width], row[width].days if row[width] else 0), width) for row in rows]


def _episode_counts(query, columns=DETAIL):
    """(placement_type, provider_name, team_id, team_name, primary_factors, within_72h, episodes, interviews)
    per combination of `columns` (the others None): one GROUP BY query (placement_type None: no placement at
    the time)."""
    tz = query.tz
    earliest_start = ExpressionWrapper(F("last_seen_at") - Value(WINDOW), output_field=DateTimeField())
    after_change = Exists(
        Placement.objects.filter(
            youth_id=OuterRef("youth_id"),
            start_date__lte=OuterRef("seen_on"),
            start_date__gt=OuterRef("window_opened_on"),
        ).exclude(placement_type__in=MISSING_PLACEMENT_TYPES)
    )
    # An episode counts once: its first return interview's factors (a follow-up interview is not a second episode).
    first_factors = Subquery(
        Debrief.objects.filter(episode_id=OuterRef("pk")).order_by("interview_at", "id").values("primary_factors")[:1],
        output_field=JSONField(),
    )
    interviewed = Exists(Debrief.objects.filter(episode_id=OuterRef("pk")))
    rows = (
        episodes_started(query)
        .annotate(
            seen_on=TruncDate("last_seen_at", tzinfo=tz),
            window_opened_on=TruncDate(earliest_start, tzinfo=tz),
        )
        .annotate(after_change=after_change, interview_factors=first_factors, interviewed=interviewed)
        .values_list(
            *(column if column.startswith("youth__") else f"placement__{column}" for column in columns),
            "interview_factors",
            "after_change",
        )
        .annotate(episodes=Count("pk"), interviews=Count("pk", filter=Q(interviewed=True)))
        .order_by()
    )
    return [_padded(row, len(columns)) for row in rows]


def provider_key(name):
    """How providers are told apart: the name with spacing and capitals ignored (this report, the punitive-responses
    report and the provider alert group by it)."""
    return " ".join((name or "").split()).casefold()


def _by_rate(groups):
    return sorted(groups, key=lambda g: (g.rate is None, -(g.rate or 0), -g.episodes, g.label.casefold(), g.label))


def figures(query, *, detail=True) -> Figures:
    """The placement-environment figures of one query (the export's rows and the dashboard's charts).

    With detail=False (the dashboard, which draws the totals and the placement types only) the database groups
    by placement type alone and `by_provider` and `by_team` are empty; every other figure is the same.
    """
    columns = DETAIL if detail else TYPES_ONLY
    total = Group(ALL, ALL_LABEL)
    not_attributed = Group(NOT_ATTRIBUTED, NOT_ATTRIBUTED_LABEL)
    by_type: dict[str, Group] = {}
    by_provider: dict[str, Group] = {}
    by_team: dict[int, Group] = {}

    def groups_of(placement_type, provider, team_id, team_name):
        if not detail:
            return (
                total,
                by_type.setdefault(placement_type, Group(BY_TYPE, TYPE_LABELS.get(placement_type, placement_type))),
            )
        key = provider_key(provider)
        if key not in by_provider:
            by_provider[key] = Group(BY_PROVIDER, " ".join((provider or "").split()))
        elif provider and " ".join(provider.split()) < by_provider[key].label:
            by_provider[key].label = " ".join(provider.split())  # one spelling, whatever order rows came in
        return (
            total,
            by_type.setdefault(placement_type, Group(BY_TYPE, TYPE_LABELS.get(placement_type, placement_type))),
            by_provider[key],
            by_team.setdefault(team_id, Group(BY_TEAM, team_name)),
        )

    for placement_type, provider, team_id, team_name, days in _placement_days(query, columns):
        for group in groups_of(placement_type, provider, team_id, team_name):
            group.add(days)

    for placement_type, provider, team_id, team_name, factors, after_change, episodes, interviews in _episode_counts(
        query, columns
    ):
        named = Counter(dict.fromkeys(set(factors or ()), interviews)) if interviews else None
        counts = {
            "episodes": episodes,
            "interviews": interviews,
            "within_72h": episodes if after_change else 0,
            "factors": named,
        }
        if placement_type is None or placement_type in MISSING_PLACEMENT_TYPES:
            not_attributed.add(**counts)
            continue
        for group in groups_of(placement_type, provider, team_id, team_name):
            group.add(**counts)

    stop = day_after_last_counted(query)
    counted_through = stop - datetime.timedelta(days=1) if stop > query.filters.period_start else None
    return Figures(
        period_start=query.filters.period_start,
        period_end=query.filters.period_end,
        counted_through=counted_through,
        total=total,
        by_type=_by_rate(by_type.values()),
        by_provider=_by_rate(by_provider.values()),
        by_team=_by_rate(by_team.values()),
        not_attributed=not_attributed,
    )


def months_of(query) -> list[datetime.date]:
    """The first day of every calendar month the period touches, in order."""
    month = query.filters.period_start.replace(day=1)
    months = []
    while month <= query.filters.period_end:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


def episodes_per_month(query) -> list[tuple[datetime.date, int]]:
    """Episodes that started in the period, per calendar month of the agency's zone (months with none: 0).

    The same episodes as `figures(query)`: the months add up to `Figures.episodes`. One query.
    """
    counts = {
        month.date() if isinstance(month, datetime.datetime) else month: n
        for month, n in episodes_started(query)
        .annotate(month=TruncMonth("last_seen_at", tzinfo=query.tz))
        .values_list("month")
        .annotate(n=Count("pk"))
        .order_by()
    }
    return [(month, counts.get(month, 0)) for month in months_of(query)]


def _factors_cell(group):
    return "; ".join(f"{label} ({count})" for label, count in group.top_factors())


@register
class PlacementEnvironment(Report):
    key = "placement-environment"
    title = "Placement environment"
    description = (
        "Missing episodes per 1,000 placement-days by placement type, by provider and by team, with the most "
        "common primary factors from the return interviews and the share of episodes that started within 72 "
        "hours of a placement change: which environments precede missing episodes."
    )
    columns = (
        Column("Group kind", 16),
        Column("Group", 32),
        Column("Placement-days in the period", 14),
        Column("Episodes started in the period", 14),
        Column("Episodes per 1,000 placement-days", 14),
        Column("Return interviews", 12),
        Column("Most common primary factors (interviews naming each)", 48),
        Column("Share of episodes starting within 72 hours of a placement change (%)", 18),
    )
    source_fields = (
        "placement__placement_type",
        "placement__provider_name",
        "placement__start_date",
        "placement__end_date",
        "youth__team__name",
        "last_seen_at",
        "debriefs__primary_factors",
    )

    def count(self, query) -> int:
        return len(figures(query).groups())

    def rows(self, query):
        for group in figures(query).groups():
            yield (
                group.kind,
                group.label,
                group.placement_days if group.kind != NOT_ATTRIBUTED else None,
                group.episodes,
                group.rate,
                group.interviews,
                _factors_cell(group),
                group.share_72h,
            )
