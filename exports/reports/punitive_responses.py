"""Punitive responses to a return, by provider and team, beside the episodes that followed them.

"Fix the environment, not the flower": a response that puts the blame on the youth (a restriction, detention,
charges, contact with family limited, a move as a consequence: missing_reports/responses.py, the one home of
"punitive") may precede the next run. This report sets the punitive responses recorded in a period beside what
followed them, and beside the agency's other responses, so an agency can see whether punishment precedes the
next time a youth leaves (docs/duties.md#return-responses). The export's rows and the page
(/reports/punitive-responses/) both come from `figures(query)`.

Definitions (the period is [start, end) in the agency's zone: ReportQuery.period_bounds):

- A response counts in the period when it was decided in it (ReturnResponse.decided_at).
- Its provider is the provider of the youth's placement at the time of the run the response followed
  (MissingEpisode.placement, as the placement-environment report attributes episodes), told apart by
  placement_environment.provider_key; its team is the youth's team. A run with no placement recorded is in a row
  of its own.
- The next episode is the youth's first episode that started (last_seen_at) after the response was decided, up
  to the moment the report runs (`as_of`), inside or after the period; the time to it is from the decision to
  that start. "Followed by another episode" counts the responses that have one.

Scope: the requester's youth (caseapp.access) in this agency, and the team and placement-type filters.
One aggregate query whatever the data size: the responses grouped by provider, team and punitive or not, with
the next episode found by a correlated subquery; the rows are rolled up from those in Python.

Minimum necessary: no youth is named or numbered; only provider names and team names.
"""

import dataclasses
import datetime

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)

from caseapp import access
from missing_reports.models import MissingEpisode, ReturnResponse
from missing_reports.responses import punitive_q

from .base import Column, Report, register
from .placement_environment import provider_key

NO_PLACEMENT = "No placement recorded at the time"
DAY = datetime.timedelta(days=1)


@dataclasses.dataclass
class Side:
    """Punitive responses, or the other responses, of one row."""

    responses: int = 0
    followed: int = 0  # of them, followed by another episode of the same youth
    waited: datetime.timedelta = datetime.timedelta(0)  # summed time from each decision to that next episode

    @property
    def mean_days_to_next(self) -> float | None:
        """Average days from a response to the next episode, over the responses followed by one."""
        if not self.followed:
            return None
        return round(self.waited / self.followed / DAY, 1)

    @property
    def followed_share(self) -> float | None:
        if not self.responses:
            return None
        return round(100 * self.followed / self.responses, 1)

    def add(self, responses, followed, waited):
        self.responses += responses
        self.followed += followed
        self.waited += waited or datetime.timedelta(0)


@dataclasses.dataclass
class Row:
    provider: str
    team: str
    punitive: Side = dataclasses.field(default_factory=Side)
    other: Side = dataclasses.field(default_factory=Side)


def responses_decided(query):
    """The responses of the requester's scope in this agency decided in the period, filtered."""
    start, end = query.period_bounds()
    youth = access.youth_visible_to(query.user).filter(agency_id=query.agency.pk)
    rows = ReturnResponse.objects.filter(episode__youth__in=youth, decided_at__gte=start, decided_at__lt=end)
    return rows.filter(
        query.filters.q(team="episode__youth__team_id", placement_type="episode__placement__placement_type")
    )


def _grouped(query):
    """(provider_name, team_id, team_name, punitive, responses, followed, waited) per group: one query."""
    next_start = Subquery(
        MissingEpisode.objects.filter(
            youth_id=OuterRef("episode__youth_id"), last_seen_at__gt=OuterRef("decided_at"),
            last_seen_at__lte=Value(query.as_of),
        )
        .order_by("last_seen_at")
        .values("last_seen_at")[:1]
    )
    return (
        responses_decided(query)
        .annotate(
            next_start=next_start,
            punitive=Case(When(punitive_q(), then=Value(True)), default=Value(False), output_field=BooleanField()),
        )
        .values_list("episode__placement__provider_name", "episode__youth__team_id", "episode__youth__team__name",
                     "punitive")
        .annotate(
            responses=Count("pk"),
            followed=Count("pk", filter=Q(next_start__isnull=False)),
            waited=Sum(ExpressionWrapper(F("next_start") - F("decided_at"), output_field=DurationField())),
        )
        .order_by()
    )


def figures(query) -> list[Row]:
    """One row per provider and team, most punitive responses first; then by provider and team name."""
    rows: dict[tuple, Row] = {}
    labels: dict[str | None, str] = {}  # one spelling per provider, whatever order the rows came in
    for provider, team_id, team_name, punitive, responses, followed, waited in _grouped(query):
        name = provider_key(provider) if provider else None
        label = " ".join((provider or "").split()) or NO_PLACEMENT
        labels[name] = min(labels.get(name, label), label)
        row = rows.setdefault((name, team_id), Row(name, team_name))
        (row.punitive if punitive else row.other).add(responses, followed, waited)
    for row in rows.values():
        row.provider = labels[row.provider]
    return sorted(rows.values(), key=lambda r: (-r.punitive.responses, r.provider.casefold(), r.team or ""))


@register
class PunitiveResponses(Report):
    key = "punitive-responses"
    title = "Punitive responses after a return"
    description = (
        "Responses to a return that put a consequence on the youth (a restriction, detention, charges, contact with "
        "family limited, a move as a consequence) by provider and team, beside the agency's other responses and "
        "the episodes that followed each: whether punishment precedes the next time a youth leaves."
    )
    columns = (
        Column("Provider at the time of the run", 32),
        Column("Team", 16),
        Column("Punitive responses", 12),
        Column("Punitive responses followed by another episode", 14),
        Column("Share followed by another episode (%)", 12),
        Column("Average days to the next episode", 12),
        Column("Other responses", 12),
        Column("Other responses followed by another episode", 14),
        Column("Share of other responses followed by another episode (%)", 12),
        Column("Average days to the next episode after another response", 12),
    )
    source_fields = (
        "episode__placement__provider_name",
        "episode__placement__placement_type",
        "episode__youth__team__name",
        "kind",
        "decided_at",
        "episode__youth__missing_episodes__last_seen_at",
    )

    def count(self, query) -> int:
        return len(figures(query))

    def rows(self, query):
        for row in figures(query):
            yield (
                row.provider,
                row.team,
                row.punitive.responses,
                row.punitive.followed,
                row.punitive.followed_share,
                row.punitive.mean_days_to_next,
                row.other.responses,
                row.other.followed,
                row.other.followed_share,
                row.other.mean_days_to_next,
            )
