"""The report's detail rows: one per required notice of the period's episodes and one per
identified-victim report, each with its clock's status as missing_reports.clock_state decides it; and
the report's registration (`@register`).
"""

import datetime
import math

from django.db.models import BooleanField, ExpressionWrapper, Q

from missing_reports import clock_state, deadlines
from missing_reports.models import NotificationMethod
from risk import screened as screened_rule

from ...models import ExportFormat
from ..base import CHUNK_SIZE, Column, Report, SummaryTable, register
from .period import (
    _labels,
    disclosure_reports_in_period,
    identification_reports_in_period,
    notifications_in_period,
)
from .tables import summary_tables

ON_TIME = "On time"
LATE = "Late"
NOT_DONE = "Not done, past due"
NOT_YET_DUE = "Not yet due"


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


def _flag(condition: Q):
    return ExpressionWrapper(condition, output_field=BooleanField())


def started_and_deadline(due_at, count, unit):
    """The "Clock started at" and "Deadline (hours)" cells of a clock: a rule in hours gives both as numbers; a rule
    in days (docs/duties.md#rule-units) has no fixed span, so its start is left blank and its deadline is worded
    ("2 business days")."""
    if unit == deadlines.HOURS:
        return due_at - datetime.timedelta(hours=count), count
    return None, deadlines.span_text(count, unit)


@register
class TimelinessCompliance(Report):
    key = "timeliness"
    title = "Timeliness compliance"
    description = (
        "Every required notice of the episodes the agency learned of in the period (law enforcement and NCIC, "
        "the NCIC entry confirmed, NCMEC, recovery notices, state notices such as the court and parents, the "
        "steps after law enforcement said no, the return interview) and every "
        "identified-victim report to law enforcement: due time, when done, late by how much or not done. The PDF "
        "summary gives the rates by team and month, split by sex (to law enforcement and to NCMEC by the "
        "deadline, NCIC confirmed, returns with a return interview and a trafficking screening, median time to "
        "the interview). " + screened_rule.DEFINITION
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
        "episode__debriefs__interview_at",
        "episode__risk_screenings__youth_declined",
        "event",
        "party",
        "rule_hours",
        "rule_unit",
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
        "disclosure__disclosed_at",
    )

    def count(self, query) -> int:
        return (
            notifications_in_period(query).count()
            + identification_reports_in_period(query).count()
            + disclosure_reports_in_period(query).count()
        )

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
                "rule_unit",
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
            unit,
            due_at,
            done_at,
            ncic,
            method,
            has_ref,
        ) in notices.iterator(chunk_size=CHUNK_SIZE):
            status, late_by = clock_status(due_at, done_at, as_of)
            # NCIC entry is confirmed on the report of the missing youth to law enforcement, and by its own clock
            # being done.
            ncic_cell = None
            if (event, party) == (deadlines.MISSING, deadlines.LAW_ENFORCEMENT):
                ncic_cell = bool(ncic)
            elif (event, party) == (deadlines.NCIC_CONFIRMATION, deadlines.LAW_ENFORCEMENT):
                ncic_cell = done_at is not None
            yield (
                episode_id,
                None,
                case_number,
                team,
                deadlines.party_label(event, party),
                *started_and_deadline(due_at, hours, unit),
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
                "rule_unit",
                "due_at",
                "done_at",
                "method",
                "has_reference",
            )
        )
        for row in reports.iterator(chunk_size=CHUNK_SIZE):
            decision_id, case_number, team, received_at, hours, unit, due_at, done_at, method, has_ref = row
            status, late_by = clock_status(due_at, done_at, as_of)
            yield (
                None,
                decision_id,
                case_number,
                team,
                victim_label,
                received_at,
                started_and_deadline(due_at, hours, unit)[1],
                due_at,
                done_at,
                late_by,
                status,
                None,
                methods.get(method, method or ""),
                bool(has_ref),
            )

        # The reports of disclosures without an episode: no episode and no decision, the youth's case number.
        disclosed = (
            disclosure_reports_in_period(query)
            .annotate(has_reference=_flag(~Q(reference="")))
            .order_by("disclosure__disclosed_at", "pk")
            .values_list(
                "youth__case_number", "youth__team__name", "party", "rule_hours", "rule_unit", "due_at", "done_at",
                "method", "has_reference",
            )
        )
        for case_number, team, party, hours, unit, due_at, done_at, method, has_ref in disclosed.iterator(
            chunk_size=CHUNK_SIZE
        ):
            status, late_by = clock_status(due_at, done_at, as_of)
            yield (
                None,
                None,
                case_number,
                team,
                deadlines.party_label(deadlines.DISCLOSED, party),
                *started_and_deadline(due_at, hours, unit),
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
