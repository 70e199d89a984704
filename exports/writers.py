"""Writers: rows in, a file out, one row at a time (memory does not grow with the row count).

Every text cell goes through `guard` first. A spreadsheet treats a cell that starts with =, +, -, @
(or a tab or carriage return, which some programs skip before reading on) as a formula: a caseworker's
note like "=HYPERLINK(...)" would run when an agency analyst opens the file. Following the OWASP CSV
injection guidance, such a text is neutralised by prefixing a single quote, which makes it plain text
in Excel, LibreOffice and Google Sheets. Numbers stay numbers (a duration of -0.5 hours cannot occur;
a negative number is a number, not a formula), and the CSV quotes every text cell.

Times are shown in the agency's zone: in CSV as ISO 8601 with the UTC offset (unambiguous across the
daylight-saving change), in XLSX as real Excel date-times in local time.

Speed (bench/exports_bench.py): `write_rows(rows)` takes a chunk of rows (the export loop hands over
one database chunk at a time) and converts the CSV a column at a time: a column holding only numbers
is written as it is, one holding only text goes through the guard, one holding only times is formatted
with the agency's offset looked up once per hour of the column. Whatever a column holds, each cell
comes out exactly as `cell()` makes it (tests/exports/test_writers.py compares the two).
"""

import csv
import datetime
import decimal
import operator

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .afcars_xml import AfcarsXmlWriter
from .models import ExportFormat
from .pdf import PdfWriter

# OWASP: =, +, -, @, tab (0x09) and carriage return (0x0D); plus their full-width forms, which some
# spreadsheet programs (East Asian input) read as the ASCII ones.
FORMULA_TRIGGERS = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")
# Excel's limits: characters in a cell, rows in a sheet (the header takes one).
XLSX_MAX_CELL = 32767
XLSX_MAX_ROWS = 1_048_576 - 1
YES, NO = "Yes", "No"
_first_character = operator.itemgetter(slice(None, 1))  # "" for ""
_NONE = type(None)
_QUOTED_EMPTY, _QUOTED_YES, _QUOTED_NO = '""', f'"{YES}"', f'"{NO}"'
_TWO_DIGITS = tuple(f"{n:02d}" for n in range(60))
# Local hours remembered by a CSV writer's time formatting: bounded, so memory stays flat however many
# rows (rows come ordered by a time, so the hours of a chunk are few).
_HOURS_KEPT = 4096
_TZINFO = operator.attrgetter("tzinfo")


def guard(text: str) -> str:
    """`text`, made inert in a spreadsheet when it would start a formula (prefix: a single quote)."""
    if text and text[0] in FORMULA_TRIGGERS:
        return "'" + text
    return text


def _guarded(texts):
    """guard() of each text; the common case, no text starting a formula, is one pass in C."""
    if FORMULA_TRIGGERS.isdisjoint(map(_first_character, texts)):
        return texts
    return list(map(guard, texts))


def _quoted(texts):
    """Each text as a quoted CSV field, its quotes doubled (csv.writer's QUOTE_NONNUMERIC, doublequote)."""
    joined = "".join(texts)
    if '"' in joined:
        return ['"' + text.replace('"', '""') + '"' for text in texts]
    if "\0" in joined:
        return ['"' + text + '"' for text in texts]
    # The same, in C: quotes around and between the texts, split again where they were joined.
    return ('"' + '"\0"'.join(texts) + '"').split("\0")


class CsvWriter:
    """UTF-8 with a byte-order mark (so Excel reads accents right), text cells quoted, numbers bare."""

    extension = "csv"
    content_type = "text/csv; charset=utf-8"

    def __init__(self, path, columns, tz, *, title="", about=()):
        self.tz = tz
        self._file = open(path, "w", newline="", encoding="utf-8-sig")  # noqa: SIM115 (closed in close())
        self._writer = csv.writer(self._file, quoting=csv.QUOTE_NONNUMERIC)
        self._writer.writerow([guard(column.header) for column in columns])
        self._hours = {}

    def cell(self, value):
        kind = type(value)
        if kind is str:
            return guard(value)
        if value is None:
            return ""
        if kind is bool:
            return YES if value else NO
        if kind is int or kind is float or kind is decimal.Decimal:
            return value
        if kind is datetime.datetime:
            return value.astimezone(self.tz).isoformat(timespec="minutes")
        if kind is datetime.date:
            return value.isoformat()
        return guard(str(value))

    def write(self, row):
        cell = self.cell
        self._writer.writerow([cell(value) for value in row])

    def write_rows(self, rows):
        """Write many rows: the same bytes as `write` of each in turn, made a column at a time.

        Each column of the chunk is turned into its CSV fields at once (`_fields`), the way csv.writer
        writes `cell()` of each value with QUOTE_NONNUMERIC: text quoted, with its quotes doubled;
        numbers bare, as str() makes them. A column of another kind, or rows of different lengths,
        go through csv.writer as `write` does."""
        if not rows:
            return
        if len(set(map(len, rows))) != 1:
            for row in rows:
                self.write(row)
            return
        columns = []
        for values in zip(*rows, strict=True):
            fields = self._fields(values)
            if fields is None:
                cell = self.cell
                self._writer.writerows([[cell(value) for value in row] for row in rows])
                return
            columns.append(fields)
        self._file.write("\r\n".join(map(",".join, zip(*columns, strict=True))) + "\r\n")

    def _fields(self, values):
        """The CSV fields of a column of values, or None when the column is not of one simple kind."""
        kinds = set(map(type, values))
        if kinds == {str}:
            return _quoted(_guarded(values))
        if kinds <= {datetime.datetime, _NONE}:
            return self._times(values)
        if kinds == {int}:
            return list(map(int.__repr__, values))
        if kinds <= {int, float, _NONE}:
            return [_QUOTED_EMPTY if value is None else repr(value) for value in values]
        if kinds == {bool}:
            return [_QUOTED_YES if value else _QUOTED_NO for value in values]
        if kinds == {str, _NONE}:
            return _quoted(_guarded(["" if value is None else value for value in values]))
        return None

    def _times(self, values):
        """The quoted `cell()` of each time or None: ISO 8601 to the minute in the agency's zone.

        The zone's offset is looked up once per hour of UTC time (`_hour`, keyed by the day's ordinal and the
        hour: two attribute reads, no tuple); a time in another zone than UTC, or in an hour whose offset is not a
        whole number of hours, takes the general way. Whether every time is in UTC is asked once per column."""
        hours = self._hours
        if len(hours) > _HOURS_KEPT:
            hours.clear()
        if set(map(_TZINFO, filter(None, values))) - {datetime.UTC}:  # filter(None): the times, never falsy
            return [_QUOTED_EMPTY if value is None else '"' + self.cell(value) + '"' for value in values]
        fields = []
        append = fields.append
        get = hours.get
        two_digits = _TWO_DIGITS
        for value in values:
            if value is None:
                append(_QUOTED_EMPTY)
                continue
            key = value.toordinal() * 24 + value.hour
            hour = get(key)
            if hour is None:
                hour = hours[key] = self._hour(value)
            if hour:
                append(hour[0] + two_digits[value.minute] + hour[1])
            else:
                append('"' + self.cell(value) + '"')
        return fields

    def _hour(self, value):
        """The quoted field of the UTC hour of `value` in the agency's zone, split where its minutes go, or
        () when they are not the same minutes there (an offset of x:30, or one that changes in the hour)."""
        start = value.replace(minute=0, second=0, microsecond=0)
        first = start.astimezone(self.tz)
        last = (start + datetime.timedelta(minutes=59)).astimezone(self.tz)
        offset = first.utcoffset()
        if offset != last.utcoffset() or offset % datetime.timedelta(hours=1):
            return ()
        text = first.isoformat(timespec="minutes")  # 2025-03-01T02:00-06:00
        return ('"' + text[:14], text[16:] + '"')

    def close(self):
        self._file.close()


class XlsxWriter:
    """openpyxl in write-only mode: rows are streamed to a temporary sheet file, zipped at close().

    A sheet "About this export" says what the data is (report, period, filters, when, by whom).
    """

    extension = "xlsx"
    content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    def __init__(self, path, columns, tz, *, title="Export", about=()):
        self.path = path
        self.tz = tz
        self._workbook = Workbook(write_only=True)
        self._sheet = self._workbook.create_sheet(title=_sheet_title(title))
        for index, column in enumerate(columns, start=1):
            self._sheet.column_dimensions[get_column_letter(index)].width = column.width
        self._sheet.freeze_panes = "A2"
        bold = Font(bold=True)
        header = []
        for column in columns:
            cell = WriteOnlyCell(self._sheet, value=self.cell(column.header))
            cell.font = bold
            header.append(cell)
        self._sheet.append(header)
        self._about = list(about)

    def cell(self, value):
        kind = type(value)
        if kind is str:
            text = ILLEGAL_CHARACTERS_RE.sub("", value)
            if len(text) > XLSX_MAX_CELL:
                text = text[: XLSX_MAX_CELL - 1] + "…"
            return guard(text)
        if value is None:
            return None
        if kind is bool:
            return YES if value else NO
        if kind is int or kind is float or kind is decimal.Decimal:
            return value
        if kind is datetime.datetime:
            # Excel has no time zones: the agency's local time, as the pages show it.
            return value.astimezone(self.tz).replace(tzinfo=None) if value.tzinfo else value
        if kind is datetime.date:
            return value
        return self.cell(str(value))

    def write(self, row):
        cell = self.cell
        self._sheet.append([cell(value) for value in row])

    def write_rows(self, rows):
        for row in rows:
            self.write(row)

    def close(self):
        if self._about:
            about = self._workbook.create_sheet(title="About this export")
            about.column_dimensions["A"].width = 22
            about.column_dimensions["B"].width = 80
            for label, value in self._about:
                about.append([self.cell(label), self.cell(value)])
        self._workbook.save(self.path)


def _sheet_title(title):
    # Excel: at most 31 characters, none of []:*?/\ .
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in title).strip()
    return cleaned[:31] or "Export"


# PDF is a summary format: its writer draws a report's summary tables, not its rows (exports/pdf.py).
WRITERS = {
    ExportFormat.CSV: CsvWriter,
    ExportFormat.XLSX: XlsxWriter,
    ExportFormat.PDF: PdfWriter,
    ExportFormat.XML: AfcarsXmlWriter,  # the AFCARS elements report's fragment (exports/afcars_xml.py)
}


def writer_for(fmt):
    """The writer class of a format, or None."""
    return WRITERS.get(fmt)
