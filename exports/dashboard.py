"""The reports dashboard's figures: assembled here from the report modules and the apps' selectors, never computed.

Figures are computed in one place: every number on the dashboard comes from the function the export
or the app's own page uses, for the same ReportQuery, so the dashboard and the export never disagree:

    youth missing now                 missing_reports.selectors.missing_now_per_team (the board's rows, counted)
    episodes per month                exports.reports.placement_environment.episodes_per_month
    time from learning to notice      exports.reports.timeliness.figures.notification_delays
    primary factors                   exports.reports.placement_environment.figures (the export's "All" row)
    episodes per 1,000 placement-days exports.reports.placement_environment.figures (its placement-type rows)
    screening coverage                exports.reports.timeliness.figures.screening_by_sex (summary's "all" group)
    open review items by urgency      risk.selectors.review_queue (the supervisor's queue)

Each becomes a chart (exports/charts.py) with the same numbers as a table. A fixed number of queries whatever
the data size: each source reads with a fixed number of aggregate queries. `count` makes them all (seconds for a
statewide agency's year); the page draws them as a Celery task counted them, kept per scope and filters
(exports/services/dashboard.py, docs/design.md#speed).

Scope: the viewer's (caseapp.access, through each source) in their agency; a supervisor sees their teams.
"""

import dataclasses
import datetime

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from caseapp import access
from missing_reports import deadlines
from missing_reports import selectors as episode_selectors
from risk import screened as screened_rule
from risk import selectors as risk_selectors
from risk.models import Urgency

from . import charts
from .reports import placement_environment
from .reports.base import ExportFilters, ReportQuery
from .reports.timeliness import figures as timeliness_figures

# At most this many months on one dashboard (a bar each in the monthly chart).
MAX_MONTHS = 60
# Bars in the placement-type and factor charts (the export has every group).
MAX_BARS = 12


@dataclasses.dataclass
class Section:
    """One block of the dashboard: a heading, a lead sentence, its charts, and where to read more."""

    key: str
    heading: str
    lead: str = ""
    charts: list = dataclasses.field(default_factory=list)
    link: tuple[str, str] | None = None  # (url name, text)


@dataclasses.dataclass
class Dashboard:
    query: ReportQuery
    missing_now: int
    sections: list[Section]


def default_period(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The last 12 months: from the first day of the month 11 months back to today (12 monthly bars)."""
    month, year = today.month - 11, today.year
    if month < 1:
        month, year = month + 12, year - 1
    return datetime.date(year, month, 1), today


def query_for(user, filters: ExportFilters, now=None) -> ReportQuery:
    return ReportQuery(agency=user.agency, user=user, filters=filters, as_of=now or timezone.now())


def _plural(count, one, many=None):
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


# --- The sections ------------------------------------------------------------------------------------------------


def _missing_now(query) -> tuple[int, Section]:
    ordered = episode_selectors.missing_now_per_team(
        query.user, agency_id=query.agency.pk, team_ids=query.filters.team_ids
    )
    total = sum(count for _, count in ordered)
    chart = charts.horizontal_bars(
        "chart-missing-now",
        "Youth missing now, by team",
        f"Bar chart: {_plural(total, 'youth')} missing from care now"
        + (", " + "; ".join(f"{name} {count}" for name, count in ordered) if ordered else "")
        + ".",
        [charts.Bar(name, count) for name, count in ordered],
        value_axis="Youth missing now",
        category_axis="Team",
        columns=("Team", "Youth missing now"),
        rows=[(name, count) for name, count in ordered],
        empty_text="No youth in your scope is missing from care now.",
    )
    section = Section(
        "missing-now",
        "Youth missing now",
        "Open missing episodes when the figures were counted, whatever the period chosen. The Missing now board is "
        "always up to the moment.",
        [chart],
        link=("missing_now", "Open the Missing now board"),
    )
    return total, section


def _episodes_per_month(query) -> Section:
    months = placement_environment.episodes_per_month(query)
    total = sum(count for _, count in months)
    busiest = max(months, key=lambda item: item[1]) if total else None
    description = f"Bar chart: {_plural(total, 'missing episode')} started in the period"
    if busiest:
        description += f"; the most in {busiest[0]:%B %Y} ({busiest[1]})"
    chart = charts.vertical_bars(
        "chart-episodes-per-month",
        "Missing episodes started per month",
        description + ".",
        [charts.Bar(f"{month:%B %Y}", count, tick=f"{month:%b}\n{month:%Y}") for month, count in months],
        value_axis="Episodes started",
        category_axis="Month the youth was last seen (agency's time zone)",
        columns=("Month", "Episodes started"),
        rows=[(f"{month:%B %Y}", count) for month, count in months],
    )
    return Section(
        "episodes-per-month",
        "Missing episodes per month",
        "Episodes counted in the month the youth was last seen; the same episodes as the placement environment report.",
        [chart],
    )


def _placement_environment(figures) -> list[Section]:
    interviews = figures.total.interviews
    factors = figures.factor_counts()
    factor_chart = charts.horizontal_bars(
        "chart-primary-factors",
        "Primary factors named at return interviews",
        f"Bar chart: {_plural(interviews, 'return interview')} of episodes started in the period"
        + (", most often naming " + "; ".join(f"{label} {count}" for label, count in factors[:3]) if factors else "")
        + ".",
        [charts.Bar(label, count) for label, count in factors[:MAX_BARS]],
        value_axis="Return interviews naming the factor",
        category_axis="Primary factor",
        columns=("Primary factor", "Return interviews naming it"),
        rows=list(factors),
        empty_text="No return interview names a primary factor for the episodes of this period.",
    )
    rated = [group for group in figures.by_type if group.rate is not None]
    rate_chart = charts.horizontal_bars(
        "chart-placement-rates",
        "Missing episodes per 1,000 placement-days, by placement type",
        f"Bar chart: {_plural(figures.total.episodes, 'episode')} over {figures.total.placement_days:,} "
        "placement-days"
        + (f", {charts.number(figures.total.rate)} per 1,000 in all" if figures.total.rate is not None else "")
        + (f"; highest: {rated[0].label} {charts.number(rated[0].rate)}" if rated else "")
        + ".",
        [charts.Bar(group.label, group.rate) for group in rated[:MAX_BARS]],
        value_axis="Episodes per 1,000 placement-days",
        category_axis="Placement type",
        columns=(
            "Placement type",
            "Placement-days",
            "Episodes",
            "Episodes per 1,000 placement-days",
            "Share within 72 h of a placement change (%)",
        ),
        rows=[(g.label, g.placement_days, g.episodes, g.rate, g.share_72h) for g in [figures.total, *figures.by_type]],
        empty_text="No placement-days in this period.",
    )
    return [
        Section(
            "primary-factors",
            "Primary factors",
            f"Why youth left, in their return interviews ({_plural(interviews, 'interview')}; an interview can name "
            "several factors).",
            [factor_chart],
        ),
        Section(
            "placement-environment",
            "Placement environment",
            "Where episodes start from: the rate evens out how many youth live in each kind of placement. The "
            "placement environment report has every provider and team.",
            [rate_chart],
            link=("reports", "Export the placement environment report"),
        ),
    ]


def _short(bucket_label: str) -> str:
    """A bucket's label under its column: "Up to 1 h" as "<=1 h" (drawn with the sign), "12 to 24 h" as
    "12-24 h" (an en dash), "Over 72 h" as ">72 h"."""
    if bucket_label.startswith("Up to "):
        return "≤" + bucket_label.removeprefix("Up to ")
    if bucket_label.startswith("Over "):
        return ">" + bucket_label.removeprefix("Over ")
    return bucket_label.replace(" to ", "–")


def _delay_chart(delays) -> charts.Chart:
    """One party's reports: how many were made in each span of hours after the agency learned, against the
    deadline (a dashed line; the spans after it hatched and marked), then those not done and past due."""
    deadline = delays.deadline_hours
    buckets = delays.buckets
    late = [deadline is not None and bucket.above is not None and bucket.above >= deadline for bucket in buckets]
    bars = [
        charts.Bar(
            bucket.label + (" (after the deadline)" if is_late else ""),
            bucket.count,
            emphasis=is_late,
            tick=_short(bucket.label),
        )
        for bucket, is_late in zip(buckets, late, strict=True)
    ]
    bars.append(charts.Bar("Not done, past due", delays.not_done_past_due, emphasis=True, tick="Not done\npast due"))
    made = len(delays.hours)
    on_time = sum(bucket.count for bucket, is_late in zip(buckets, late, strict=True) if not is_late)
    rows = [(bar.label, int(bar.value), "Yes" if bar.emphasis else "No") for bar in bars]
    rows.append(("Not yet due", delays.not_yet_due, "No"))
    marker = None
    if deadline is not None:
        marker = charts.Marker(f"Deadline: {deadline:g} h", index=next((i for i, x in enumerate(late) if x), len(late)))
    description = (
        f"Bar chart: {_plural(made, 'report')} to {delays.label} made, {on_time:,} within the "
        f"{deadline:g}-hour deadline; {delays.not_done_past_due:,} not done and past due; "
        f"{delays.not_yet_due:,} not yet due."
        if deadline is not None
        else f"Bar chart: no report to {delays.label} was due or made for the episodes of this period."
    )
    party_id = delays.party.replace("_", "-")
    total = made + delays.not_done_past_due + delays.not_yet_due
    return charts.vertical_bars(
        f"chart-delay-{party_id}",
        f"Hours from learning of the episode to the report to {delays.label}",
        description,
        bars if total else [],
        value_axis="Reports",
        category_axis="Hours after the agency learned (a span includes its upper end)",
        columns=("Hours after the agency learned", "Reports", "After the deadline"),
        rows=rows if total else [],
        marker=marker,
        empty_text=f"No report to {delays.label} was due or made for the episodes of this period.",
    )


def _notification_timing(query) -> Section:
    delays = timeliness_figures.notification_delays(query)
    parties = (delays[deadlines.LAW_ENFORCEMENT], delays[deadlines.NCMEC])
    changed = [d for d in parties if len(d.deadlines) > 1]
    lead = (
        "For the episodes the agency learned of in the period (as the timeliness compliance report counts them): "
        "how many hours after it learned each report was made. The dashed line is the deadline; spans after it "
        'are hatched and marked "after the deadline" in the table.'
    )
    if changed:
        lead += (
            " The deadline changed during the period ("
            + "; ".join(f"{d.label}: {', '.join(f'{h:g}' for h in d.deadlines)} h" for d in changed)
            + "); the line shows the one most reports had."
        )
    return Section(
        "notification-timing",
        "Time from learning to each notification",
        lead,
        [_delay_chart(d) for d in parties],
        link=("reports", "Export the timeliness compliance report"),
    )


def _screening_coverage(query) -> Section:
    # The report's "all" group's screening rates, in one query grouped by sex (summary folds every team and month).
    screening = timeliness_figures.screening_by_sex(query)
    rates = [("All returns", screening[None])] + [
        (f"{timeliness_figures.SEX_LABELS[sex]}", screening.get(sex, timeliness_figures.Rate(0, 0)))
        for sex in timeliness_figures.SEXES
    ]
    shown = [(label, rate) for label, rate in rates if rate.denominator]
    overall = rates[0][1]
    chart = charts.horizontal_bars(
        "chart-screening",
        "Returns with a trafficking screening, by sex",
        f"Bar chart: {overall} of returns had a trafficking screening"
        + ("; " + "; ".join(f"{label} {rate}" for label, rate in shown[1:]) if len(shown) > 1 else "")
        + ".",
        [
            charts.Bar(label, rate.percent, text=f"{rate.percent_text} ({rate.numerator} of {rate.denominator})")
            for label, rate in shown
        ],
        value_axis="Returns with a trafficking screening (%)",
        category_axis="Youth",
        columns=("Youth", "Returns", "Screened", "Share screened (%)"),
        rows=[(label, rate.denominator, rate.numerator, rate.percent) for label, rate in rates],
        scale_max=100,
        empty_text="No episode the agency learned of in this period has ended in a return yet.",
    )
    return Section(
        "screening-coverage",
        "Screening coverage",
        "Of the returns from the episodes the agency learned of in the period: those screened for trafficking (the "
        "timeliness compliance report's measure). " + screened_rule.DEFINITION,
        [chart],
    )


def _review_items(query) -> Section:
    if not access.can_review_youth(query.user):
        return Section(
            "review-items",
            "Open review items",
            "Supervisors and agency admins decide review items; they are not shown to agency staff.",
        )
    items = risk_selectors.review_queue(query.user).filter(youth__agency_id=query.agency.pk)
    if query.filters.team_ids:
        items = items.filter(youth__team_id__in=query.filters.team_ids)
    counts = dict(items.prefetch_related(None).order_by().values_list("urgency").annotate(n=Count("pk")))
    total = sum(counts.values())
    bars = [
        charts.Bar(str(label), counts.get(value, 0), emphasis=value == Urgency.IDENTIFICATION)
        for value, label in Urgency.choices
    ]
    chart = charts.horizontal_bars(
        "chart-review-items",
        "Open review items by urgency",
        f"Bar chart: {_plural(total, 'open review item')}: "
        + "; ".join(f"{bar.label} {charts.number(bar.value)}" for bar in bars)
        + ".",
        bars,
        value_axis="Open review items",
        category_axis="Urgency",
        columns=("Urgency", "Open review items"),
        rows=[(bar.label, int(bar.value)) for bar in bars],
    )
    return Section(
        "review-items",
        "Open review items",
        "Youth waiting for a supervisor's decision now, most urgent first (identification is hatched).",
        [chart],
        link=("risk_review_queue", "Open the review queue"),
    )


# The parts of the figures, counted in this order by `count` (its `progress` hears each one done).
COUNTED_PARTS = (
    "youth missing now and open review items",
    "missing episodes per month",
    "time to each notification",
    "placement environment and primary factors",
    "screening coverage",
)


@dataclasses.dataclass
class Counted:
    """Every figure of the dashboard as counted at `as_of`: what exports.services.dashboard keeps per scope and
    filters. Plain data (headings, charts already drawn), so it is kept in the cache and drawn without a query."""

    as_of: datetime.datetime
    filters: ExportFilters
    missing_now: int
    sections: list[Section]


def count(query, progress=None) -> Counted:
    """Every figure of the dashboard of `query`, in the order the page draws them. The costly part: a year of a
    statewide agency's episodes, placements and notices, and the scope's open episodes. `progress(done, total)`
    is called after each of COUNTED_PARTS. One transaction, so the parts agree (PostgreSQL's JIT is off for the app's
    connections: caseapp/settings.py DATABASE_JIT)."""
    with transaction.atomic():
        return _count(query, progress)


def _count(query, progress) -> Counted:
    total = len(COUNTED_PARTS)

    def step(done):
        if progress:
            progress(done, total)

    missing_count, missing_section = _missing_now(query)
    review = _review_items(query)
    step(1)
    per_month = _episodes_per_month(query)
    step(2)
    timing = _notification_timing(query)
    step(3)
    figures = placement_environment.figures(query, detail=False)  # the totals and types it draws
    factors, environment = _placement_environment(figures)
    step(4)
    screening = _screening_coverage(query)
    step(5)
    return Counted(
        as_of=query.as_of,
        filters=query.filters,
        missing_now=missing_count,
        sections=[missing_section, per_month, timing, factors, screening, environment, review],
    )


def drawn(query, counted: Counted) -> Dashboard:
    return Dashboard(query=query, missing_now=counted.missing_now, sections=counted.sections)


def build(user, filters: ExportFilters, now=None) -> Dashboard:
    """The dashboard of `user` (who may export: exports.selectors.can_export) for the period and teams, all
    counted now (the page draws the figures counted by exports.services.dashboard instead)."""
    query = query_for(user, filters, now)
    return drawn(query, count(query))
