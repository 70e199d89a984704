"""What every report is: its key, title, formats, the filters it reads, its columns, and two reads.

A report module (exports/reports/<key>.py) defines one subclass of `Report` and registers it with
`@register` (below; exports/apps.py imports the report modules). The framework does everything else: the form offers it,
the task counts its rows for the progress bar, streams `rows()` into the writer of the chosen format
(formula-guarded CSV or XLSX), audits the export and serves the file to its requester.

Rules for a report:
- `rows(query)` yields one tuple per row, in the order of `columns`, from a chunked queryset
  (`values_list(...).iterator(chunk_size=CHUNK_SIZE)`, or `stream(values_list(...))`, which reads the
  same rows sooner on PostgreSQL; joins through values_list or select_related, per-row figures as
  subquery annotations): memory stays flat whatever the row count, and the query count does not grow
  with it. Values are plain Python: str, int, float, Decimal, bool, date,
  aware datetime or None; the writer formats them (times in the agency's zone).
- `count(query)` is the number of rows `rows(query)` will yield (the progress bar's total).
- Both start from the requester's scope: `query.user` is the person who asked, and every queryset is
  filtered through caseapp.access (a supervisor's export holds their teams only), and by
  `query.agency`.
- Minimum necessary: `source_fields` lists every model field path the report reads. Restricted
  fields (caseapp Youth.RESTRICTED_FIELDS) are refused at registration unless `restricted_reason`
  says why the report's purpose needs them. Never a youth's name where a case number will do.

Summaries (the PDF format): a report that lists `ExportFormat.PDF` in `formats` implements
`summary_tables(query) -> list[SummaryTable]`, its figures as small tables of text (title, header,
rows, a note that states the denominators). The framework hands them to the PDF writer
(exports/pdf.py), which draws them under the report's title, agency, period, filters and the time
it was made; the job's row count is then `count(query)`, the rows the figures sum up. Compute the
figures with aggregate queries in the report's module, the one place the dashboard reads them too.
"""

import dataclasses
import datetime
import queue
import re
import threading
from collections.abc import Iterator
from itertools import islice
from typing import NamedTuple

from django.db import connections, transaction
from django.db.models import Q

from caseapp.local_time import agency_zone
from caseapp.models import Youth

from ..models import ExportFormat

# Rows fetched from the database at a time: large enough that the per-fetch cost vanishes, small enough
# that a chunk of a wide row stays a few megabytes.
CHUNK_SIZE = 2000

# Chunks `stream` reads ahead of the rows being written: with the chunk being read and the one being
# written, at most READ_AHEAD + 2 chunks are in memory.
READ_AHEAD = 2

# The filters a report may read; the form shows them and validates them against the user's scope.
PERIOD = "period"
TEAMS = "teams"
PLACEMENT_TYPES = "placement_types"
FILTERS = (PERIOD, TEAMS, PLACEMENT_TYPES)


# --- Federal fiscal years (October 1 to September 30, named by the calendar year they end in) ---------------


def fiscal_year(first: datetime.date | None, last: datetime.date | None) -> int | None:
    """The federal fiscal year that the period [first, last] is exactly, else None."""
    if first and last and (first.month, first.day, last.month, last.day, last.year - first.year) == (10, 1, 9, 30, 1):
        return last.year
    return None


def fiscal_year_of(day: datetime.date) -> int:
    return day.year + 1 if day.month >= 10 else day.year


def fiscal_year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    """The first and last day of federal fiscal year `year`."""
    return datetime.date(year - 1, 10, 1), datetime.date(year, 9, 30)


def fiscal_year_label(year: int) -> str:
    first, last = fiscal_year_bounds(year)
    return f"FY {year} ({first:%b} {first.day}, {first.year} – {last:%b} {last.day}, {last.year})"


# The fiscal years a form offers: the current one and this many before it.
FISCAL_YEARS_BACK = 6


def fiscal_year_choices(today: datetime.date) -> list[tuple[int, str]]:
    """The current federal fiscal year and the FISCAL_YEARS_BACK before it, newest first."""
    current = fiscal_year_of(today)
    return [(year, fiscal_year_label(year)) for year in range(current, current - FISCAL_YEARS_BACK - 1, -1)]


class Column(NamedTuple):
    header: str
    width: int = 14  # characters, for the XLSX sheet


# How every per-youth row names its youth: the agency's case number (never the name) and the team.
YOUTH_COLUMNS = (Column("Agency case number", 18), Column("Team", 16))


@dataclasses.dataclass(frozen=True)
class ExportFilters:
    """The period (dates in the agency's zone, both included) and the optional team / placement filters.

    Stored on the job as JSON (`to_json`), so a job runs, and runs again, with exactly what was asked.
    Empty `team_ids` or `placement_types` mean "all" (within the requester's scope).
    """

    period_start: datetime.date | None = None
    period_end: datetime.date | None = None
    team_ids: tuple[int, ...] = ()
    placement_types: tuple[str, ...] = ()

    def q(self, *, team: str = "youth__team_id", placement_type: str = "placement__placement_type") -> Q:
        """The team and placement-type filters as one Q over a report's rows (empty: every row), given the paths
        from those rows to the youth's team id and to the placement's type: the one home of what they mean."""
        condition = Q()
        if self.team_ids:
            condition &= Q(**{f"{team}__in": self.team_ids})
        if self.placement_types:
            condition &= Q(**{f"{placement_type}__in": self.placement_types})
        return condition

    def to_json(self) -> dict:
        return {
            "period_start": self.period_start.isoformat() if self.period_start else None,
            "period_end": self.period_end.isoformat() if self.period_end else None,
            "team_ids": sorted(self.team_ids),
            "placement_types": sorted(self.placement_types),
        }

    @classmethod
    def from_json(cls, data: dict) -> "ExportFilters":
        data = data or {}

        def day(value):
            return datetime.date.fromisoformat(value) if value else None

        return cls(
            period_start=day(data.get("period_start")),
            period_end=day(data.get("period_end")),
            team_ids=tuple(int(pk) for pk in data.get("team_ids") or ()),
            placement_types=tuple(str(value) for value in data.get("placement_types") or ()),
        )

    def period_bounds(self, tz) -> tuple[datetime.datetime, datetime.datetime]:
        """[start, end) as aware datetimes: local midnight of the first day to local midnight after the last."""
        start = datetime.datetime.combine(self.period_start, datetime.time.min, tzinfo=tz)
        end = datetime.datetime.combine(self.period_end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
        return start, end


@dataclasses.dataclass(frozen=True)
class ReportQuery:
    """What a report is run on and for whom: the agency, the requester (whose scope applies), the
    filters, and `as_of`, the moment the run started (the "now" of open episodes)."""

    agency: object
    user: object
    filters: ExportFilters
    as_of: datetime.datetime

    @property
    def tz(self):
        return agency_zone(self.agency)

    def period_bounds(self):
        return self.filters.period_bounds(self.tz)


class SummaryTable(NamedTuple):
    """One table of a summary (PDF): cells are text, already formatted ("75.0% (3 of 4)", "n/a")."""

    title: str
    header: tuple[str, ...]
    rows: list[tuple[str, ...]]
    note: str = ""


class Report:
    """Subclass, set the attributes, implement `count` and `rows`, and decorate with `@register`."""

    key: str = ""
    title: str = ""
    description: str = ""
    formats: tuple[str, ...] = (ExportFormat.CSV, ExportFormat.XLSX)
    filters: tuple[str, ...] = FILTERS
    columns: tuple[Column, ...] = ()
    source_fields: tuple[str, ...] = ()
    restricted_reason: str = ""
    # Made for one whole federal fiscal year only: the form offers the years instead of free days, and
    # `check_filters` should refuse any other period (see AnnualVictimCount).
    fiscal_year_only: bool = False

    def count(self, query: ReportQuery) -> int:
        raise NotImplementedError

    def rows(self, query: ReportQuery) -> Iterator[tuple]:
        raise NotImplementedError

    def check_filters(self, filters: ExportFilters) -> dict[str, str]:
        """A report's own rules on its filters, as {form field: message} (e.g. the AFCARS period);
        exports.services.jobs.check_request shows them on the form once the period itself is valid."""
        return {}

    def summary_tables(self, query: ReportQuery) -> list[SummaryTable]:
        """The summary a PDF shows; required when `formats` has PDF."""
        raise NotImplementedError(f"The {self.title.lower()} has no PDF summary.")

    @property
    def headers(self) -> list[str]:
        return [column.header for column in self.columns]

    def format_choices(self):
        return [(value, ExportFormat(value).label) for value in self.formats]

    def __str__(self):
        return self.title


# --- The registry: every report, by key, in the order the Reports page lists them ----------------------

REPORTS: dict[str, Report] = {}

_KEY = re.compile(r"^[a-z][a-z0-9-]{1,39}$")


def register(report_class: type[Report]) -> type[Report]:
    """Check a report's declaration and add it to the registry. Raises at import on a bad declaration,
    so a report that reads a restricted field without saying why never reaches a user."""
    report = report_class()
    problems = []
    if not _KEY.match(report.key or ""):
        problems.append(f"key {report.key!r} must be lowercase letters, digits and dashes (2–40)")
    if report.key in REPORTS:
        problems.append(f"key {report.key!r} is taken")
    if not report.title or not report.columns:
        problems.append("a title and columns are required")
    if not report.formats or set(report.formats) - set(ExportFormat.values):
        problems.append(f"formats {report.formats!r} must be among {ExportFormat.values}")
    if set(report.filters) - set(FILTERS):
        problems.append(f"filters {report.filters!r} must be among {FILTERS}")
    restricted = sorted(path for path in report.source_fields if path.rsplit("__", 1)[-1] in Youth.RESTRICTED_FIELDS)
    if restricted and not report.restricted_reason:
        problems.append(f"reads restricted fields {restricted} without a restricted_reason")
    if problems:
        raise ValueError(f"Report {report_class.__name__}: " + "; ".join(problems))
    REPORTS[report.key] = report
    return report_class


def get(key: str) -> Report | None:
    return REPORTS.get(key)


def all_reports() -> list[Report]:
    return list(REPORTS.values())


def choices() -> list[tuple[str, str]]:
    return [(report.key, report.title) for report in REPORTS.values()]


def stream(queryset, chunk_size: int = CHUNK_SIZE) -> Iterator:
    """The rows of `queryset` (e.g. a values_list), as `queryset.iterator(chunk_size)` yields them.

    On PostgreSQL, outside a transaction, Django's iterator declares its server-side cursor WITH HOLD,
    and PostgreSQL then runs the whole query and keeps its result before the first row comes back (7 s
    of a 1,000,000-row register, with no progress shown meanwhile). Here the rows are read instead by a
    thread of their own, with its own connection, inside a read-only transaction (so the cursor streams
    as the rows are fetched), up to READ_AHEAD chunks ahead: the database works on the next chunk while
    this thread writes the last one, and memory stays flat. The export's progress updates stay on the
    caller's connection, committed as they are written. One query, the same rows, in the same order,
    the same snapshot for all of them.

    Elsewhere (SQLite; or inside a transaction, where the caller's own data may not be committed yet,
    as in tests) it is `queryset.iterator(chunk_size)` itself.
    """
    connection = connections[queryset.db]
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield from queryset.iterator(chunk_size=chunk_size)
        return
    chunks = queue.Queue(maxsize=READ_AHEAD)
    stop = threading.Event()
    reader = threading.Thread(
        target=_read_ahead, args=(queryset, chunk_size, chunks, stop), name="exports-stream", daemon=True
    )
    reader.start()
    try:
        while True:
            chunk = chunks.get()
            if chunk is None:
                return
            if isinstance(chunk, BaseException):
                raise chunk
            yield from chunk
    finally:
        stop.set()  # the reader sees it before its next chunk and ends (its transaction and connection too)
        reader.join()


def _read_ahead(queryset, chunk_size, chunks, stop):
    """`stream`'s reader thread: the rows in chunks into `chunks`, then None (or the error it hit).
    It stops when `stop` is set (the rows are no longer wanted), at the latest after the fetch under way."""

    def put(item):
        while not stop.is_set():
            try:
                chunks.put(item, timeout=0.1)
                return True
            except queue.Full:
                pass
        return False

    try:
        try:
            with transaction.atomic(using=queryset.db):
                connections[queryset.db].cursor().execute("SET TRANSACTION READ ONLY")
                rows = queryset.iterator(chunk_size=chunk_size)
                while chunk := list(islice(rows, chunk_size)):
                    if not put(chunk):
                        return
        finally:
            connections[queryset.db].close()  # this thread's connection, not the caller's
    except BaseException as exc:  # handed to the caller, which raises it
        put(exc)
        return
    put(None)
