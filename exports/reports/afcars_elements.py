"""AFCARS elements: per youth in out-of-home care in a semiannual AFCARS period, the
sex-trafficking elements E106-E111 and the runaway / whereabouts-unknown living arrangements (E112,
E120 = 12 / 13, E121 = 4), as CSV, XLSX or an XML fragment (exports/afcars_xml.py), validation errors
listed (docs/duties.md#afcars).

The period must be exactly one AFCARS period: October 1 to March 31, or April 1 to September 30
(`check_filters`, shown on the form).

Which youth: those of the requester's scope (agency, team filter) in out-of-home care during the
period (entered care on or before its last day and not exited before its first day), and any youth
with a runaway / whereabouts-unknown living arrangement in the period even without a date entered care
(listed, with the missing E69 as an error, rather than left out).

E106-E111 come from risk/afcars.py (`counting_identifications`, `afcars_elements` and its validator),
from every decision recorded when the export runs, so a withdrawal or correction made since is applied,
keeping:
- only **sex-trafficking** identifications (the elements are about sex trafficking; a labor
  identification is not reported in them, as risk/afcars.py also rules; the identifications that
  count, corrections merged by this report's own chain reading, are restated to it one by one), and
- only identifications first decided before the end of the period (the file describes the period).
The law-enforcement report dates (E108, E111) are the reports made, as recorded when the export runs.

E112/E120/E121 come from caseapp Placement rows of the missing types (`MISSING_PLACEMENT_TYPES`)
whose spell is in the period: started on or before its last day and not ended before its first (a
spell that ended on the first day, the youth having returned that day, is in it). E112 is the spell's
start date, E120 its AFCARS code (caseapp/afcars.py: 12 runaway, 13 whereabouts unknown), E121 = 4
(runaway or whereabouts unknown), as the AXE validators require exactly when E120 is 12 or 13. All
of them sit in the one removal whose date is E69 (`Youth.entered_care_on`, the latest removal).

Rows: one per youth and living arrangement, the child-level values repeated on each (a youth without a
missing spell in the period has one row, its living-arrangement cells blank). Dates are AFCARS dates
(YYYYMMDD). Validation errors are LISTED, never hidden: the CSV/XLSX has two columns, the child's
errors (E69, E106-E111) and the living arrangement's (E112, E120, E121); the XML writes them as
comments where they belong. The checks (AXE validators, docs/duties.md#afcars): E107 / E110 required when E106 /
E109 = 1, E108 / E111 required when E107 / E110 = 1, E111 on or after E69 (all risk/afcars.py);
E121 = 4 exactly when E120 ∈ {12, 13}; E112 not before E69 and not after the end of the period; no
date (E69, E108, E111, E112) in the future.

Reads: three queries whatever the row count, each streamed in the same order (case number, youth):
the youth, their decisions with the report clocks, their missing spells; merged per youth, so memory
holds one youth at a time.
"""

import datetime

from django.db.models import Q

from caseapp import access
from caseapp import afcars as living
from caseapp.models import MISSING_PLACEMENT_TYPES, Placement
from risk import afcars
from risk.models import ReviewDecision

from ..afcars_xml import ERROR_SEPARATOR, AfcarsRow
from ..models import ExportFormat
from .annual_count import DECISION_FIELDS, IDENTIFIED, SEX, DecisionRow, current_identifications
from .base import CHUNK_SIZE, PERIOD, TEAMS, YOUTH_COLUMNS, Column, Report, register

# E121: location of the living arrangement.
E121_RUNAWAY_OR_UNKNOWN = 4
MISSING_CODES = (living.E120_RUNAWAY, living.E120_WHEREABOUTS_UNKNOWN)

# The two AFCARS report periods: (first month, first day, last month, last day).
PERIODS = ((10, 1, 3, 31), (4, 1, 9, 30))


def semiannual_period_error(start: datetime.date | None, end: datetime.date | None) -> str:
    """'' when [start, end] is exactly one AFCARS period, else what to choose instead."""
    if start is None or end is None:
        return ""
    for first_month, first_day, last_month, last_day in PERIODS:
        if (start.month, start.day) == (first_month, first_day):
            wanted_end = datetime.date(start.year + (1 if first_month == 10 else 0), last_month, last_day)
            if end == wanted_end:
                return ""
            break
    suggested_start, suggested_end = semiannual_period_of(start)
    return (
        "AFCARS periods run from October 1 to March 31 or from April 1 to September 30: choose one of them "
        f"(the one of your first day is {suggested_start:%m/%d/%Y} to {suggested_end:%m/%d/%Y})."
    )


def semiannual_period_of(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The AFCARS period that holds `day`."""
    if 4 <= day.month <= 9:
        return datetime.date(day.year, 4, 1), datetime.date(day.year, 9, 30)
    first_year = day.year if day.month >= 10 else day.year - 1
    return datetime.date(first_year, 10, 1), datetime.date(first_year + 1, 3, 31)


def ymd(day: datetime.date | None) -> str | None:
    return day.strftime("%Y%m%d") if day else None


# --- The pure rules --------------------------------------------------------------------------------


def sex_trafficking_elements(
    decisions: list[DecisionRow], *, period_end_at, removal_date, today, zone
) -> afcars.AfcarsElements:
    """E106-E111 and their errors for one youth (risk/afcars.py), from all their decisions, counting only
    the sex-trafficking identifications first decided before `period_end_at`."""
    kept = [
        identification
        for identification in current_identifications(decisions)
        if identification.latest.trafficking_type == SEX and identification.original.decided_at < period_end_at
    ]
    # Restated to risk/afcars.py as one decision each (the corrections are already merged): each gets a
    # distinct stand-in "information received" time so none is taken for a correction of another.
    restated = [
        afcars.DecisionFacts(
            id=identification.latest.id,
            outcome=IDENTIFIED,
            decided_at=identification.latest.decided_at,
            timing=identification.timing,
            information_received_at=datetime.datetime.min.replace(tzinfo=datetime.UTC)
            + datetime.timedelta(microseconds=index),
            has_report=identification.clock is not None,
            report_done_at=identification.reported_at,
        )
        for index, identification in enumerate(kept)
    ]
    return afcars.afcars_elements(restated, removal_date=removal_date, today=today, zone=zone)


def child_errors(elements: afcars.AfcarsElements, *, removal_date, today) -> list[str]:
    """The child-level errors: risk/afcars.py's over E106-E111, and E69's own."""
    errors = []
    if removal_date is None:
        errors.append("E69 (the latest removal date) is missing: record the date the youth entered care.")
    elif removal_date > today:
        errors.append(f"E69 ({ymd(removal_date)}) cannot be in the future.")
    return errors + list(elements.errors)


def living_arrangement_errors(*, e112, e120, e121, removal_date, period_end, today) -> list[str]:
    """The AXE rules over one living arrangement (dates as datetime.date, codes as ints)."""
    errors = []
    if e112 is None:
        errors.append("E112 (the date of the living arrangement) is required.")
    else:
        if e112 > today:
            errors.append(f"E112 ({ymd(e112)}) cannot be in the future.")
        if e112 > period_end:
            errors.append(f"E112 ({ymd(e112)}) is after the end of the period ({ymd(period_end)}).")
        if removal_date is not None and e112 < removal_date:
            errors.append(
                f"E112 ({ymd(e112)}) is before the latest removal date (E69, {ymd(removal_date)}): check the "
                "date entered care and the date the youth went missing."
            )
    if e120 in MISSING_CODES and e121 != E121_RUNAWAY_OR_UNKNOWN:
        errors.append(f"E121 must be 4 (runaway or whereabouts unknown) when E120 is {e120}; it is {e121 or 'blank'}.")
    if e121 == E121_RUNAWAY_OR_UNKNOWN and e120 not in MISSING_CODES:
        errors.append(
            f"E121 can be 4 (runaway or whereabouts unknown) only when E120 is 12 or 13; E120 is {e120 or 'blank'}."
        )
    return errors


def spell_values(placement_type: str) -> tuple[int | None, int | None]:
    """(E120, E121) of a living arrangement of this placement type."""
    code = living.living_arrangement(placement_type).code
    return code, (E121_RUNAWAY_OR_UNKNOWN if code in MISSING_CODES else None)


# --- The report ------------------------------------------------------------------------------------


def _merge(stream, youth_id, head):
    """The rows of `stream` (ordered like the youth) for `youth_id`; `head` holds the stream's next row."""
    rows = []
    while head[0] is not None and head[0][0] == youth_id:
        rows.append(head[0])
        head[0] = next(stream, None)
    return rows


@register
class AfcarsElements(Report):
    key = "afcars-elements"
    title = "AFCARS elements"
    description = (
        "For one AFCARS period (October 1 to March 31, or April 1 to September 30): each youth in out-of-home care, "
        "the sex-trafficking elements E106-E111 and the runaway / whereabouts-unknown living arrangements (E112, "
        "E120 = 12 or 13, E121 = 4), as CSV, Excel or an XML fragment with the AFCARS element names. Validation "
        "errors are listed: in two columns of the CSV and Excel, as comments in the XML."
    )
    formats = (ExportFormat.CSV, ExportFormat.XLSX, ExportFormat.XML)
    filters = (PERIOD, TEAMS)
    columns = (
        *YOUTH_COLUMNS,
        Column("E69 Latest removal date", 12),
        Column("E106 Prior victim of sex trafficking", 10),
        Column("E107 Prior victim reported to law enforcement", 10),
        Column("E108 Date reported", 12),
        Column("E109 Victim of sex trafficking while in foster care", 10),
        Column("E110 Reported to law enforcement", 10),
        Column("E111 Date reported", 12),
        Column("E112 Date of living arrangement", 12),
        Column("E120 Other living arrangement type", 10),
        Column("E121 Location of living arrangement", 10),
        Column("Living arrangement ended", 12),
        Column("Validation errors (child: E69, E106-E111)", 50),
        Column("Validation errors (living arrangement: E112, E120, E121)", 50),
    )
    source_fields = (
        "id",
        "case_number",
        "team__name",
        "entered_care_on",
        "exited_on",
        *(f"risk_decisions__{path}" for path in DECISION_FIELDS if not path.startswith("youth")),
        "placements__placement_type",
        "placements__start_date",
        "placements__end_date",
    )

    def check_filters(self, filters) -> dict[str, str]:
        """The period must be exactly one AFCARS period (exports.services.jobs.check_request asks)."""
        error = semiannual_period_error(filters.period_start, filters.period_end)
        return {"period_start": error} if error else {}

    def _checked(self, query):
        error = semiannual_period_error(query.filters.period_start, query.filters.period_end)
        if error:
            raise ValueError(error)

    def youth(self, query):
        """The youth of the file: in scope, and in out-of-home care or missing from it in the period."""
        first, last = query.filters.period_start, query.filters.period_end
        youth = access.youth_visible_to(query.user).filter(agency_id=query.agency.pk)
        if query.filters.team_ids:
            youth = youth.filter(team_id__in=query.filters.team_ids)
        in_care = Q(entered_care_on__lte=last) & (Q(exited_on__isnull=True) | Q(exited_on__gte=first))
        return youth.filter(in_care | Q(pk__in=self._spells(query).values("youth_id")))

    def _spells(self, query):
        first, last = query.filters.period_start, query.filters.period_end
        return Placement.objects.filter(placement_type__in=MISSING_PLACEMENT_TYPES, start_date__lte=last).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=first)
        )

    def count(self, query) -> int:
        self._checked(query)
        youth = self.youth(query)
        spells = self._spells(query).filter(youth__in=youth)
        return spells.count() + youth.exclude(pk__in=spells.values("youth_id")).count()

    def rows(self, query):
        self._checked(query)
        period_end_at = query.period_bounds()[1]
        period_end = query.filters.period_end
        zone = query.tz
        today = query.as_of.astimezone(zone).date()
        youth = self.youth(query)
        order = ("youth__case_number", "youth_id")
        people = (
            youth.order_by("case_number", "pk")
            .values_list("pk", "case_number", "team__name", "entered_care_on")
            .iterator(chunk_size=CHUNK_SIZE)
        )
        decisions = (
            ReviewDecision.objects.filter(youth__in=youth)
            .order_by(*order, "decided_at", "id")
            .values_list(*DECISION_FIELDS)
            .iterator(chunk_size=CHUNK_SIZE)
        )
        spells = (
            self._spells(query)
            .filter(youth__in=youth)
            .order_by(*order, "start_date", "id")
            .values_list("youth_id", "placement_type", "start_date", "end_date")
            .iterator(chunk_size=CHUNK_SIZE)
        )
        next_decision, next_spell = [next(decisions, None)], [next(spells, None)]
        for youth_id, case_number, team, entered_care_on in people:
            youth_decisions = [DecisionRow._make(row) for row in _merge(decisions, youth_id, next_decision)]
            elements = sex_trafficking_elements(
                youth_decisions, period_end_at=period_end_at, removal_date=entered_care_on, today=today, zone=zone
            )
            child = (
                case_number,
                team,
                ymd(entered_care_on),
                elements.e106,
                elements.e107,
                elements.e108,
                elements.e109,
                elements.e110,
                elements.e111,
            )
            errors = ERROR_SEPARATOR.join(child_errors(elements, removal_date=entered_care_on, today=today))
            youth_spells = _merge(spells, youth_id, next_spell)
            if not youth_spells:
                yield AfcarsRow(*child, None, None, None, None, errors, "")
            for _youth_id, placement_type, start_date, end_date in youth_spells:
                e120, e121 = spell_values(placement_type)
                arrangement = living_arrangement_errors(
                    e112=start_date,
                    e120=e120,
                    e121=e121,
                    removal_date=entered_care_on,
                    period_end=period_end,
                    today=today,
                )
                yield AfcarsRow(
                    *child, ymd(start_date), e120, e121, ymd(end_date), errors, ERROR_SEPARATOR.join(arrangement)
                )
