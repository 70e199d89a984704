"""Writers: rows in, a file out, one row at a time (memory does not grow with the row count).

Every text cell goes through `guard` first. A spreadsheet treats a cell that starts with =, +, -, @
(or a tab or carriage return, which some programs skip before reading on) as a formula: a caseworker's
note like "=HYPERLINK(...)" would run when an agency analyst opens the file. Following the OWASP CSV
injection guidance, such a text is neutralised by prefixing a single quote, which makes it plain text
in Excel, LibreOffice and Google Sheets. Numbers stay numbers (a duration of -0.5 hours cannot occur;
a negative number is a number, not a formula), and the CSV quotes every text cell.

Times are shown in the agency's zone: in CSV as ISO 8601 with the UTC offset (unambiguous across the
daylight-saving change), in XLSX as real Excel date-times in local time.
"""

import csv
import datetime
import decimal

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


def guard(text: str) -> str:
    """`text`, made inert in a spreadsheet when it would start a formula (prefix: a single quote)."""
    if text and text[0] in FORMULA_TRIGGERS:
        return "'" + text
    return text


class CsvWriter:
    """UTF-8 with a byte-order mark (so Excel reads accents right), text cells quoted, numbers bare."""

    extension = "csv"
    content_type = "text/csv; charset=utf-8"

    def __init__(self, path, columns, tz, *, title="", about=()):
        self.tz = tz
        self._file = open(path, "w", newline="", encoding="utf-8-sig")  # noqa: SIM115 (closed in close())
        self._writer = csv.writer(self._file, quoting=csv.QUOTE_NONNUMERIC)
        self._writer.writerow([guard(column.header) for column in columns])

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
