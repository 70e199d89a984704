"""Timeliness compliance: every required notice of the period's episodes and every
identified-victim report to law enforcement, each with its clock; and the summary rates the federal
audits used (docs/duties.md#compliance-audits).

Which records are in the period:
- an episode when the agency *learned* of it in the period (`agency_learned_at` in [start, end), the
  agency's midnights). That is when its 24-hour clocks start, and the OIG audits sampled episodes by
  when they began. All of that episode's clocks belong to it, the return clocks too (recovery notices,
  the return interview, a state's court and parent notices), whenever the return happened: an episode
  is counted once, in the month the agency learned of it.
- an identified-victim report when the agency *received the information* in the period
  (`ReviewDecision.information_received_at`, which starts that clock: §471(a)(34)(A)); its month is
  that one. The placement-type filter reads the youth's placement on that day (agency's zone).
Both are scoped by the requester (caseapp.access) and the agency, and filtered by team and placement
type (the episode's placement at the time).

A clock's status, as of the moment the export started (`query.as_of`), is missing_reports.clock_state's: on
time when done at or before its due time (done_at == due_at is on time), late when done after it, "not
done, past due" when not done and its due time has passed, and "not yet due" otherwise. Late by: whole
minutes, rounded up (one second late shows as 1), 0 when on time; for a notice not done and past due, the
minutes overdue so far.

The rates (`summary`), each with its numerator and denominator, and "n/a" when the denominator is 0:
- to law enforcement / to NCMEC by the deadline: of the episodes' missing-report clocks that are done
  or past due (a clock not yet due is neither on time nor late yet), those done by their due time;
- NCIC entry confirmed: of the reports to law enforcement made, those with an NCIC confirmation;
- returns with a return interview: of the period's episodes that have returned, those with a debrief;
- returns with a trafficking screening: of the same returns, those whose debrief says a screening was
  done or that have a structured risk screening (risk.Screening) linked to the episode;
- identified victims reported to law enforcement by the deadline: of those clocks done or past due,
  those done by their due time;
- median hours from the return to the return interview, over the returns that have one.
Each by team, by month and overall, and each of those split by the youth's sex. `notification_delays`
gives the hours from learning of an episode to the law-enforcement and NCMEC reports, for the
dashboard's distribution against the deadline. Both run a fixed number of aggregate queries, whatever
the number of episodes: this module is the one place these figures are computed (the dashboard and the
PDF read them here).

Minimum necessary: the case number identifies the youth; the reference numbers themselves are not
exported, only whether one was recorded; the summary holds counts only.
"""

import dataclasses
import datetime
import math
import statistics
from collections import Counter, defaultdict

from django.db.models import BooleanField, Count, DateField, Exists, ExpressionWrapper, OuterRef, Q
from django.db.models.functions import TruncDate, TruncMonth

from caseapp import access
from caseapp.models import Placement, Sex
from missing_reports import clock_state, deadlines
from missing_reports.models import MissingEpisode, Notification, NotificationMethod
from risk.models import IdentificationReport, Screening

from ..models import ExportFormat
from .base import CHUNK_SIZE, Column, Report, ReportQuery, SummaryTable, register

ON_TIME = "On time"
LATE = "Late"
NOT_DONE = "Not done, past due"
NOT_YET_DUE = "Not yet due"
NOT_APPLICABLE = "n/a"


# This report's words for missing_reports.clock_state's states (no "due soon" here).
STATUS_WORDS = {
    clock_state.DONE_ON_TIME: ON_TIME,
    clock_state.DONE_LATE: LATE,
    clock_state.OVERDUE: NOT_DONE,
    clock_state.DUE: NOT_YET_DUE,
}


def clock_status(due_at, done_at, as_of) -> tuple[str, int | None]:
    """(status, late by in minutes) of one clock as of `as_of`, as clock_state decides it."""
    state = clock_state.state(due_at, done_at, as_of)
    if state is clock_state.DUE:
        return NOT_YET_DUE, None
    late = clock_state.late_by(due_at, done_at, as_of)
    return STATUS_WORDS[state], _minutes(late) if late else 0


def _minutes(delta: datetime.timedelta) -> int:
    return math.ceil(delta.total_seconds() / 60)


# --- What is in the period -----------------------------------------------------------------------------------


def _episode_scope(query: ReportQuery, prefix: str = "") -> Q:
    """The period's episodes in the requester's scope, as a filter on a model reaching them by `prefix`."""
    start, end = query.period_bounds()
    filters = query.filters
    scope = Q(
        **{
            f"{prefix}youth__agency_id": query.agency.pk,
            f"{prefix}youth__in": access.youth_visible_to(query.user),
            f"{prefix}agency_learned_at__gte": start,
            f"{prefix}agency_learned_at__lt": end,
        }
    )
    if filters.team_ids:
        scope &= Q(**{f"{prefix}youth__team_id__in": filters.team_ids})
    if filters.placement_types:
        scope &= Q(**{f"{prefix}placement__placement_type__in": filters.placement_types})
    return scope


def episodes_in_period(query: ReportQuery):
    """Episodes the agency learned of in the period, in the requester's scope, filtered."""
    return MissingEpisode.objects.filter(_episode_scope(query))


def notifications_in_period(query: ReportQuery):
    """Every required notice (missing_reports Notification) of the period's episodes."""
    return Notification.objects.filter(_episode_scope(query, "episode__"))


def identification_reports_in_period(query: ReportQuery):
    """Identified-victim reports to law enforcement whose information the agency received in the period."""
    start, end = query.period_bounds()
    filters = query.filters
    reports = IdentificationReport.objects.filter(
        youth__agency_id=query.agency.pk,
        youth__in=access.youth_visible_to(query.user),
        decision__information_received_at__gte=start,
        decision__information_received_at__lt=end,
    )
    if filters.team_ids:
        reports = reports.filter(youth__team_id__in=filters.team_ids)
    if filters.placement_types:
        # The placement the youth was in on the day the information was received (end dates exclusive).
        placed = Placement.objects.filter(
            youth_id=OuterRef("youth_id"),
            placement_type__in=filters.placement_types,
            start_date__lte=OuterRef("received_day"),
        ).filter(Q(end_date__isnull=True) | Q(end_date__gt=OuterRef("received_day")))
        reports = reports.annotate(received_day=TruncDate("decision__information_received_at", tzinfo=query.tz)).filter(
            Exists(placed)
        )
    return reports


# --- Detail rows ---------------------------------------------------------------------------------------------


def _labels(choices):
    return {value: str(label) for value, label in choices.choices}


def _flag(condition: Q):
    return ExpressionWrapper(condition, output_field=BooleanField())


@register
class TimelinessCompliance(Report):
    key = "timeliness"
    title = "Timeliness compliance"
    description = (
        "Every required notice of the episodes the agency learned of in the period (law enforcement and NCIC, "
        "NCMEC, recovery notices, state notices such as the court and parents, the return interview) and every "
        "identified-victim report to law enforcement: due time, when done, late by how much or not done. The PDF "
        "summary gives the rates by team and month, split by sex (to law enforcement and to NCMEC by the "
        "deadline, NCIC confirmed, returns with a return interview and a trafficking screening, median time to "
        "the interview)."
    )
    formats = (ExportFormat.CSV, ExportFormat.XLSX, ExportFormat.PDF)
    columns = (
        Column("Episode ID", 10),
        Column("Identification decision ID", 12),
        Column("Agency case number", 18),
        Column("Team", 16),
        Column("Notice", 34),
        Column("Clock started at", 17),
        Column("Deadline (hours)", 9),
        Column("Due at", 17),
        Column("Done at", 17),
        Column("Late by (minutes; if not done, overdue so far)", 12),
        Column("Status", 16),
        Column("NCIC entry confirmed", 10),
        Column("How it was done", 18),
        Column("Reference number recorded", 10),
    )
    source_fields = (
        "episode_id",
        "episode__youth__case_number",
        "episode__youth__team__name",
        "episode__youth__sex",
        "episode__agency_learned_at",
        "episode__returned_at",
        "episode__debrief__interview_at",
        "episode__debrief__trafficking_screening_done",
        "event",
        "party",
        "rule_hours",
        "due_at",
        "done_at",
        "ncic_confirmed_at",
        "method",
        "reference",  # whether one was recorded, never the number
        "decision_id",
        "decision__information_received_at",
        "youth__case_number",
        "youth__team__name",
        "youth__sex",
    )

    def count(self, query) -> int:
        return notifications_in_period(query).count() + identification_reports_in_period(query).count()

    def rows(self, query):
        as_of = query.as_of
        methods = _labels(NotificationMethod)
        notices = (
            notifications_in_period(query)
            .annotate(
                ncic_confirmed=_flag(Q(ncic_confirmed_at__isnull=False)),
                has_reference=_flag(~Q(reference="")),
            )
            .order_by("episode__agency_learned_at", "episode_id", "due_at", "pk")
            .values_list(
                "episode_id",
                "episode__youth__case_number",
                "episode__youth__team__name",
                "event",
                "party",
                "rule_hours",
                "due_at",
                "done_at",
                "ncic_confirmed",
                "method",
                "has_reference",
            )
        )
        for (
            episode_id,
            case_number,
            team,
            event,
            party,
            hours,
            due_at,
            done_at,
            ncic,
            method,
            has_ref,
        ) in notices.iterator(chunk_size=CHUNK_SIZE):
            status, late_by = clock_status(due_at, done_at, as_of)
            # NCIC entry is confirmed on the report of the missing youth to law enforcement.
            ncic_cell = bool(ncic) if (event, party) == (deadlines.MISSING, deadlines.LAW_ENFORCEMENT) else None
            yield (
                episode_id,
                None,
                case_number,
                team,
                deadlines.party_label(event, party),
                due_at - datetime.timedelta(hours=hours),
                hours,
                due_at,
                done_at,
                late_by,
                status,
                ncic_cell,
                methods.get(method, method or ""),
                bool(has_ref),
            )
        victim_label = deadlines.party_label(deadlines.IDENTIFIED, deadlines.LAW_ENFORCEMENT)
        reports = (
            identification_reports_in_period(query)
            .annotate(has_reference=_flag(~Q(reference="")))
            .order_by("decision__information_received_at", "pk")
            .values_list(
                "decision_id",
                "youth__case_number",
                "youth__team__name",
                "decision__information_received_at",
                "rule_hours",
                "due_at",
                "done_at",
                "method",
                "has_reference",
            )
        )
        for decision_id, case_number, team, received_at, hours, due_at, done_at, method, has_ref in reports.iterator(
            chunk_size=CHUNK_SIZE
        ):
            status, late_by = clock_status(due_at, done_at, as_of)
            yield (
                None,
                decision_id,
                case_number,
                team,
                victim_label,
                received_at,
                hours,
                due_at,
                done_at,
                late_by,
                status,
                None,
                methods.get(method, method or ""),
                bool(has_ref),
            )

    def summary_tables(self, query) -> list[SummaryTable]:
        return summary_tables(query)


# --- The figures ---------------------------------------------------------------------------------------------


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
        "episodes that ended in a return (screening: at the return interview or a structured risk screening)",
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

    screened_by_risk = Exists(Screening.objects.filter(episode_id=OuterRef("pk")))
    episodes = (
        episodes_in_period(query)
        .annotate(month=month_of("agency_learned_at"), risk_screened=screened_by_risk)
        .values("youth__team_id", "month", "youth__sex")
        .annotate(
            episodes=Count("pk"),
            returns=Count("pk", filter=Q(returned_at__isnull=False)),
            interviewed=Count("pk", filter=Q(returned_at__isnull=False, debrief__isnull=False)),
            screened=Count(
                "pk",
                filter=Q(returned_at__isnull=False)
                & (Q(debrief__trafficking_screening_done="yes") | Q(risk_screened=True)),
            ),
        )
        .order_by()
    )
    for row in episodes:
        cell = counts[(row["youth__team_id"], _month(row["month"], tz), row["youth__sex"])]
        for name in ("episodes", "returns", "interviewed", "screened"):
            cell[name] += row[name]

    interviews = (
        episodes_in_period(query)
        .filter(returned_at__isnull=False, debrief__isnull=False)
        .annotate(month=month_of("agency_learned_at"))
        .order_by()
        .values_list("youth__team_id", "month", "youth__sex", "returned_at", "debrief__interview_at")
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
            label = f"Up to {_hours(bound)} h" if above is None else f"{_hours(above)} to {_hours(bound)} h"
            buckets.append(Bucket(label, above, bound, counts[bound]))
            above = bound
        buckets.append(Bucket(f"Over {_hours(above)} h", above, None, counts[None]))
        return buckets


def _hours(value) -> str:
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
        .values_list("party", "episode__agency_learned_at", "due_at", "done_at", "rule_hours")
    )
    for party, learned_at, due_at, done_at, rule_hours in notices.iterator(chunk_size=CHUNK_SIZE):
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


# --- The PDF's tables ----------------------------------------------------------------------------------------

SHORT_LABELS = {
    LE_ON_TIME: "To law enforcement by the deadline",
    NCMEC_ON_TIME: "To NCMEC by the deadline",
    NCIC_CONFIRMED: "NCIC entry confirmed",
    RETURN_INTERVIEW: "Returns with a return interview",
    TRAFFICKING_SCREEN: "Returns with a trafficking screening",
    VICTIM_REPORT_ON_TIME: "Identified victims to law enforcement by the deadline",
}
MEDIAN_LABEL = "Median hours from return to interview"


def _group_rows(groups: list[Group]) -> list[tuple[str, ...]]:
    rows = []
    for group in groups:
        rows.append(_figure_row(group.label, "All", group.figures))
        for sex, figures in group.by_sex.items():
            if not figures.is_empty:
                rows.append(_figure_row("", SEX_LABELS[sex], figures))
    return rows


def _figure_row(label, sex, figures: Figures) -> tuple[str, ...]:
    return (
        label,
        sex,
        str(figures.episodes),
        *(str(figures.rates[measure.key]) for measure in MEASURES),
        figures.median_text,
    )


def summary_tables(query: ReportQuery) -> list[SummaryTable]:
    """The summary as the PDF shows it: overall, by team, by month (each split by sex), and the delays."""
    figures = summary(query)
    delays = notification_delays(query)
    header = ("", "Sex", "Episodes", *(SHORT_LABELS[m.key] for m in MEASURES), MEDIAN_LABEL)
    definitions = " ".join(f"{m.label}: of the {m.denominator}." for m in MEASURES)
    note = (
        'Each cell: the rate, then how many of how many (the denominator). "n/a": nothing to count. '
        + definitions
        + " Episodes count in the month the agency learned of them; identified-victim reports in the month the "
        "information was received. A notice done exactly at its due time is on time. Team and sex: the youth's."
    )
    not_yet_due = figures["all"].figures.clocks_not_yet_due
    overall_note = note + (
        f" {not_yet_due} reports to law enforcement or NCMEC were not yet due when this was made and are not counted."
        if not_yet_due
        else ""
    )
    law_enforcement, ncmec = delays[deadlines.LAW_ENFORCEMENT], delays[deadlines.NCMEC]
    delay_rows = [
        (bucket.label, str(le_bucket.count), str(bucket.count))
        for le_bucket, bucket in zip(law_enforcement.buckets, ncmec.buckets, strict=True)
    ]
    delay_rows.append(("Not done, past due", str(law_enforcement.not_done_past_due), str(ncmec.not_done_past_due)))
    delay_rows.append(("Not yet due", str(law_enforcement.not_yet_due), str(ncmec.not_yet_due)))
    deadline_words = "; ".join(
        f"{d.label}: {', '.join(_hours(h) for h in d.deadlines)} h" for d in (law_enforcement, ncmec) if d.deadlines
    )
    return [
        SummaryTable("All episodes in the period", header, _group_rows([figures["all"]]), overall_note),
        SummaryTable("By team", ("Team", *header[1:]), _group_rows(figures["by_team"]), ""),
        SummaryTable("By month", ("Month", *header[1:]), _group_rows(figures["by_month"]), ""),
        SummaryTable(
            "Hours from learning of the episode to the report",
            ("Hours after the agency learned", law_enforcement.label, ncmec.label),
            delay_rows,
            "A bucket includes its upper bound (a report made exactly at 24 h is in 12 to 24 h). Deadlines in "
            f"force: {deadline_words or 'none in the period'}.",
        ),
    ]
