"""Annual count of youth identified as victims of sex trafficking: the §471(a)(34)(B)
report to HHS of the children and youth who are sex-trafficking victims (docs/duties.md#annual-count),
by when it happened, by kind and by type, with the list underneath.

The period is one federal fiscal year (October 1 to September 30): the form offers the years, and any
other period is refused (`check_filters`).

Which identifications count (one definition with the AFCARS elements)
--------------------------------------------------------------------
A youth's supervisory decisions (risk.models.ReviewDecision) are read as risk/afcars.py
`counting_identifications` reads them (the one home of the rule), with every decision recorded when
the export runs:

- an identification is a fact that stays: a later "No current concern" or "At risk" decision
  describes the present and does not withdraw it; only a correction "recorded in error" by a decider
  (`ReviewDecision.withdrawn_at`, risk/services/corrections.py) does;
- a correction of the facts (a later identification keeping the same "information received" time) is
  the same identification: counted once, with the corrected facts (type, kind, timing), under the law-
  enforcement report clock the original started;
- an identification belongs to the period in which it was first decided (its original decision,
  before any correction), in the agency's time zone.

Each youth is counted once per type in the period: a youth identified twice as a victim of sex
trafficking is one youth of the count, and their latest sex-trafficking identification in the period
decides when it happened and its kind. The HHS count is of victims of **sex** trafficking, so the
headline is type = sex; labor trafficking is counted the same way and shown separately. A youth
identified as a victim of both (two identifications) is in each count once, and the summary says how
many such youth there are: a later labor identification does not withdraw an earlier sex-trafficking
one (neither identification is withdrawn), so the youth stays in the HHS count.

The list (CSV, XLSX) has one row per youth and type that counts, so counting its "Sex trafficking" rows
gives the headline: the agency case number, team, when identified, type, kind, timing, when the
information was received, and the law-enforcement report's due and done times and whether it was
late. No names and no notes (minimum necessary). The PDF is the summary (`summary_tables`): the count
to HHS, then the youth by when it happened, by kind and by the law-enforcement report's state, sex and
labor trafficking side by side, from `annual_count()`, the one place these figures are computed.

Reads: one query of the decisions of the youth in the requester's scope who have an identification
decided in the period (the scope, agency and team filters applied), streamed in youth order and
grouped per youth, so memory holds one youth's decisions at a time.
"""

import datetime
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from caseapp import access
from missing_reports import clock_state
from risk import afcars
from risk.models import Outcome, ReviewDecision, Timing, TraffickingKind, TraffickingType

from ..models import ExportFormat
from .base import (
    CHUNK_SIZE,
    PERIOD,
    TEAMS,
    YOUTH_COLUMNS,
    Column,
    Report,
    SummaryTable,
    fiscal_year,
    register,
)

SEX = TraffickingType.SEX.value
LABOR = TraffickingType.LABOR.value
IDENTIFIED = Outcome.IDENTIFIED.value

# The state of an identification's law-enforcement report.
ON_TIME = "On time"
LATE = "Late"
OVERDUE = "Not made: overdue"
NOT_YET_DUE = "Not made yet: not due"
NO_CLOCK = "No report clock"
REPORT_STATES = (ON_TIME, LATE, OVERDUE, NOT_YET_DUE)
# This report's words for missing_reports.clock_state's states (no "due soon" here).
REPORT_STATE_WORDS = {
    clock_state.DONE_ON_TIME: ON_TIME,
    clock_state.DONE_LATE: LATE,
    clock_state.OVERDUE: OVERDUE,
    clock_state.DUE: NOT_YET_DUE,
}


# What the reports read of a decision and its clock, in the order of DecisionRow.
DECISION_FIELDS = (
    "youth_id",
    "youth__case_number",
    "youth__team__name",
    "id",
    "outcome",
    "decided_at",
    "timing",
    "trafficking_type",
    "trafficking_kind",
    "information_received_at",
    "le_report__due_at",
    "le_report__done_at",
    "withdrawn_at",
)


class DecisionRow(NamedTuple):
    """What the report reads of one decision (and of its report clock, if it started one)."""

    youth_id: int
    case_number: str
    team: str
    id: int
    outcome: str
    decided_at: datetime.datetime
    timing: str
    trafficking_type: str
    trafficking_kind: str
    information_received_at: datetime.datetime | None
    report_due_at: datetime.datetime | None
    report_done_at: datetime.datetime | None
    withdrawn_at: datetime.datetime | None = None


@dataclass(frozen=True)
class Counted:
    """One youth counted for one type in the period: the facts of their latest identification of
    that type in the period (after its corrections), and how many they had of that type."""

    youth_id: int
    case_number: str
    team: str
    trafficking_type: str
    trafficking_kind: str
    timing: str
    identified_at: datetime.datetime  # the original decision, before any correction
    decision_id: int  # the decision whose facts count (the latest correction)
    information_received_at: datetime.datetime | None
    report_due_at: datetime.datetime | None
    report_done_at: datetime.datetime | None
    identifications_in_period: int

    def report_state(self, now) -> str:
        if self.report_due_at is None:
            return NO_CLOCK
        return REPORT_STATE_WORDS[clock_state.state(self.report_due_at, self.report_done_at, now)]

    def late_by_hours(self, now) -> float | None:
        """Hours past the due time: of the report made late, or so far of one still not made."""
        if self.report_due_at is None:
            return None
        late = clock_state.late_by(self.report_due_at, self.report_done_at, now)
        return None if late is None else round(late.total_seconds() / 3600, 1)


class CurrentIdentification(NamedTuple):
    """One identification that counts (risk/afcars.py), with the decisions behind it."""

    original: DecisionRow  # its first decision, before any correction: when it was identified
    latest: DecisionRow  # its latest correction: the facts that count (type, kind, timing)
    clock: DecisionRow | None  # the decision whose law-enforcement report clock it runs under
    timing: str
    reported_at: datetime.datetime | None  # when the law-enforcement report was made


def current_identifications(decisions: list[DecisionRow]) -> list[CurrentIdentification]:
    """Pure: one youth's identifications that count (ever made, not withdrawn), oldest first, from all
    their decisions (any order). risk/afcars.py `counting_identifications` decides which count and merges
    corrections; this adds, for each, its original decision and its report clock."""
    chain = sorted(decisions, key=lambda d: (d.decided_at, d.id))
    position = {d.id: index for index, d in enumerate(chain)}
    facts = [
        afcars.DecisionFacts(
            id=d.id,
            outcome=d.outcome,
            decided_at=d.decided_at,
            timing=d.timing,
            information_received_at=d.information_received_at,
            has_report=d.report_due_at is not None,
            report_done_at=d.report_done_at,
            withdrawn=d.withdrawn_at is not None,
        )
        for d in chain
    ]
    current = []
    for identification in afcars.counting_identifications(facts):
        last = position[identification.decision_id]
        first = position[identification.decision_ids[0]]
        clock = next((d for d in reversed(chain[first : last + 1]) if d.report_due_at is not None), None)
        current.append(
            CurrentIdentification(chain[first], chain[last], clock, identification.timing, identification.reported_at)
        )
    return current


def counted_identifications(decisions: list[DecisionRow], start, end) -> list[Counted]:
    """Pure: one youth's counts in the period [start, end) from all their decisions (any order); sex
    before labor. See the module docstring for the rules."""
    by_type: dict[str, list[CurrentIdentification]] = {}
    for identification in current_identifications(decisions):
        if start <= identification.original.decided_at < end:
            by_type.setdefault(identification.latest.trafficking_type, []).append(identification)
    counted = []
    for trafficking_type in sorted(by_type, key=lambda t: (t != SEX, t)):
        found = by_type[trafficking_type]
        chosen = max(found, key=lambda i: (i.original.decided_at, i.original.id))
        latest = chosen.latest
        counted.append(
            Counted(
                youth_id=latest.youth_id,
                case_number=latest.case_number,
                team=latest.team,
                trafficking_type=trafficking_type,
                trafficking_kind=latest.trafficking_kind,
                timing=chosen.timing,
                identified_at=chosen.original.decided_at,
                decision_id=latest.id,
                information_received_at=latest.information_received_at,
                report_due_at=chosen.clock.report_due_at if chosen.clock else None,
                report_done_at=chosen.reported_at,
                identifications_in_period=len(found),
            )
        )
    return counted


@dataclass
class TypeCount:
    """The figures of one trafficking type: youth counted, by timing, by kind, by report state."""

    youth: int = 0
    by_timing: dict = field(default_factory=lambda: dict.fromkeys(Timing.values, 0))
    by_kind: dict = field(default_factory=lambda: dict.fromkeys(TraffickingKind.values, 0))
    by_report: dict = field(default_factory=lambda: dict.fromkeys((*REPORT_STATES, NO_CLOCK), 0))

    def add(self, counted: Counted, now):
        self.youth += 1
        self.by_timing[counted.timing] = self.by_timing.get(counted.timing, 0) + 1
        self.by_kind[counted.trafficking_kind] = self.by_kind.get(counted.trafficking_kind, 0) + 1
        state = counted.report_state(now)
        self.by_report[state] = self.by_report.get(state, 0) + 1


@dataclass
class AnnualCount:
    """The count's figures for one run (the summary and any dashboard read these, never recompute)."""

    sex: TypeCount = field(default_factory=TypeCount)
    labor: TypeCount = field(default_factory=TypeCount)
    both: int = 0  # youth counted under both types

    @property
    def headline(self) -> int:
        """Youth identified as victims of sex trafficking in the period: the count to HHS."""
        return self.sex.youth


def _labels(choices):
    return {value: str(label) for value, label in choices.choices}


TIMING_LABELS = _labels(Timing)
KIND_LABELS = _labels(TraffickingKind)
TYPE_LABELS = _labels(TraffickingType)


@register
class AnnualVictimCount(Report):
    key = "annual-victim-count"
    title = "Annual count of youth identified as victims of sex trafficking"
    description = (
        "The §471(a)(34)(B) count to HHS: each youth identified as a victim of sex trafficking by a supervisor's "
        "decision in one federal fiscal year (October 1 to September 30: choose it below), once, by when it "
        "happened (before entering care, in care, while missing) and by kind; labor trafficking shown separately. "
        "An identification counts even if a later decision says there is no current concern; only one withdrawn "
        "as recorded in error does not count, and a corrected one counts once. The list has one row per youth and "
        "type, with the law-enforcement report's timeliness; the PDF gives the summary tables."
    )
    formats = (ExportFormat.CSV, ExportFormat.XLSX, ExportFormat.PDF)
    filters = (PERIOD, TEAMS)
    columns = (
        *YOUTH_COLUMNS,
        Column("Identified at", 17),
        Column("Type", 18),
        Column("Kind", 18),
        Column("When it happened", 22),
        Column("Information received at", 17),
        Column("Law-enforcement report due at", 17),
        Column("Law-enforcement report made at", 17),
        Column("Law-enforcement report", 18),
        Column("Late by (hours)", 10),
        Column("Identifications of this type in the period", 12),
    )
    source_fields = DECISION_FIELDS
    fiscal_year_only = True

    def check_filters(self, filters) -> dict[str, str]:
        """The count to HHS is per federal fiscal year (exports.services.jobs.check_request asks)."""
        if fiscal_year(filters.period_start, filters.period_end) is None:
            return {
                "fiscal_year": "The annual count is made for one federal fiscal year, October 1 to September 30: "
                "choose the year in the list."
            }
        return {}

    def decisions(self, query):
        """Every decision of the youth in scope who have an identification decided in the period,
        in youth order (then the order they were made)."""
        start, end = query.period_bounds()
        youth = access.youth_visible_to(query.user).filter(agency_id=query.agency.pk)
        if query.filters.team_ids:
            youth = youth.filter(team_id__in=query.filters.team_ids)
        identified = ReviewDecision.objects.filter(
            youth__in=youth, outcome=IDENTIFIED, decided_at__gte=start, decided_at__lt=end
        ).values("youth_id")
        return (
            ReviewDecision.objects.filter(youth_id__in=identified)
            .order_by("youth__case_number", "youth_id", "decided_at", "id")
            .values_list(*self.source_fields)
        )

    def counted(self, query) -> Iterator[Counted]:
        start, end = query.period_bounds()
        rows = (DecisionRow._make(row) for row in self.decisions(query).iterator(chunk_size=CHUNK_SIZE))
        for _youth_id, decisions in itertools.groupby(rows, key=lambda row: row.youth_id):
            yield from counted_identifications(list(decisions), start, end)

    def annual_count(self, query) -> AnnualCount:
        figures = AnnualCount()
        for _youth_id, counted in itertools.groupby(self.counted(query), key=lambda c: c.youth_id):
            types = set()
            for one in counted:
                (figures.sex if one.trafficking_type == SEX else figures.labor).add(one, query.as_of)
                types.add(one.trafficking_type)
            if types == {SEX, LABOR}:
                figures.both += 1
        return figures

    def count(self, query) -> int:
        return sum(1 for _ in self.counted(query))

    def rows(self, query):
        now = query.as_of
        for one in self.counted(query):
            yield (
                one.case_number,
                one.team,
                one.identified_at,
                TYPE_LABELS.get(one.trafficking_type, one.trafficking_type),
                KIND_LABELS.get(one.trafficking_kind, one.trafficking_kind),
                TIMING_LABELS.get(one.timing, one.timing),
                one.information_received_at,
                one.report_due_at,
                one.report_done_at,
                one.report_state(now),
                one.late_by_hours(now),
                one.identifications_in_period,
            )

    def summary_tables(self, query) -> list[SummaryTable]:
        """The PDF: the count to HHS, then the youth by when it happened, by kind and by the state of the
        law-enforcement report, sex and labor trafficking side by side (the same figures as the list)."""
        figures = self.annual_count(query)
        sex, labor = figures.sex, figures.labor
        year = fiscal_year(query.filters.period_start, query.filters.period_end)
        period = f"federal fiscal year {year}" if year else "the period"
        columns = ("Sex trafficking (the count)", "Labor trafficking")

        def split(title, first_header, labels, field):
            rows = [(label, str(getattr(sex, field)[key]), str(getattr(labor, field)[key])) for key, label in labels]
            rows.append(("All youth counted", str(sex.youth), str(labor.youth)))
            return SummaryTable(title, (first_header, *columns), rows)

        headline = SummaryTable(
            f"Youth identified as victims of sex trafficking in {period}",
            ("", "Youth"),
            [
                ("Identified as victims of sex trafficking: the count to HHS (§471(a)(34)(B))", str(sex.youth)),
                ("Identified as victims of labor trafficking (not in the count)", str(labor.youth)),
                ("Identified as victims of both (in each count once)", str(figures.both)),
            ],
            note=(
                "A youth is counted when a supervisor identified them in the period and the identification was "
                'not withdrawn as recorded in error: a later "No current concern" or "At risk" decision does not '
                "withdraw it, and a correction counts once with the corrected facts. Each youth is counted once "
                "per type; their "
                "latest identification of that type in the period gives when it happened and its kind. The "
                "CSV or Excel export lists these youth by agency case number."
            ),
        )
        timing = split("By when it happened", "When it happened", TIMING_LABELS.items(), "by_timing")
        kind = split("By kind", "Kind", KIND_LABELS.items(), "by_kind")
        report_states = [(state, state) for state in REPORT_STATES]
        if sex.by_report[NO_CLOCK] or labor.by_report[NO_CLOCK]:
            report_states.append((NO_CLOCK, NO_CLOCK))
        reports = split("Report to law enforcement", "The report", report_states, "by_report")
        reports = reports._replace(
            note="Due within the agency's deadline (federal: 24 hours) from when the information was received; "
            'done exactly at the due time is on time. "Not made: overdue" is as of when this was made.'
        )
        return [headline, timing, kind, reports]
