"""The PDF writer of summaries: the heading says what the figures are, every table's text is real text
(read back with pypdf), long tables continue on the next page with their header, and it fits the page."""

import zoneinfo

import pytest
from pypdf import PdfReader

from exports.models import ExportFormat
from exports.pdf import CONTENT_WIDTH, PdfWriter, _styles, column_widths
from exports.reports.base import Report, SummaryTable
from exports.writers import writer_for

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
ABOUT = [
    ("Report", "Annual count"),
    ("Agency", "Agency A"),
    ("Period", "10/01/2024 to 09/30/2025"),
    ("Teams", "North, South"),
    ("Made at", "04/10/2025 12:00 CDT"),
]


def pdf_text(path) -> str:
    reader = PdfReader(str(path))
    return "\n".join(page.extract_text() for page in reader.pages)


def one_line(text) -> str:
    return " ".join(text.split())


def render(tmp_path, tables, about=ABOUT):
    path = tmp_path / "summary.pdf"
    writer = PdfWriter(path, (), CHICAGO, title="Annual count", about=about)
    writer.write_tables(tables)
    writer.close()
    return path


def test_the_pdf_format_has_a_summary_writer():
    writer = writer_for(ExportFormat.PDF)
    assert writer is PdfWriter
    assert (writer.extension, writer.content_type, writer.summary) == ("pdf", "application/pdf", True)


def test_the_heading_and_the_tables_are_real_text(tmp_path):
    tables = [
        SummaryTable(
            "By timing",
            ("Timing", "Youth", "Share"),
            [("Before entering care", "3", "37.5% (3 of 8)"), ("While missing from care", "0", "n/a (0 of 0)")],
            "Denominator: youth identified in the period.",
        ),
        SummaryTable("Empty one", ("A", "B"), [], ""),
    ]
    path = render(tmp_path, tables)

    assert path.read_bytes().startswith(b"%PDF-")
    text = one_line(pdf_text(path))
    assert "Annual count: summary" in text
    for label, value in ABOUT:
        assert f"{label}: {value}" in text
    for expected in ("By timing", "Before entering care", "37.5% (3 of 8)", "n/a (0 of 0)",
                     "Denominator: youth identified in the period.", "Nothing to show for this period"):  # fmt: skip
        assert expected in text, expected


def test_markup_in_a_cell_is_printed_not_interpreted(tmp_path):
    path = render(tmp_path, [SummaryTable("T <b>", ("Team",), [("<i>North & South</i>",)], "a < b")])

    text = one_line(pdf_text(path))
    assert "<i>North & South</i>" in text and "T <b>" in text and "a < b" in text


def test_a_long_table_continues_on_the_next_page_with_its_header(tmp_path):
    rows = [(f"Team {n:03}", f"{n}") for n in range(120)]
    path = render(tmp_path, [SummaryTable("Many teams", ("Team name", "Episodes"), rows, "")])

    pages = [page.extract_text() for page in PdfReader(str(path)).pages]
    assert len(pages) >= 3
    assert all("Team name" in page for page in pages)
    assert "Team 000" in pages[0] and "Team 119" in pages[-1]
    assert "Page 2" in pages[1]


def test_wide_tables_fit_the_page_and_narrow_ones_keep_their_natural_width():
    styles = _styles()
    header = tuple(f"A long column heading number {n}" for n in range(10))
    rows = [tuple("100.0% (1234 of 1234)" for _ in range(10))]
    widths = column_widths(header, rows, styles)
    assert sum(widths) == pytest.approx(CONTENT_WIDTH)
    assert min(widths) > 0

    narrow = column_widths(("Team", "Episodes"), [("North", "3")], styles)
    assert sum(narrow) < CONTENT_WIDTH / 2


def test_the_writer_takes_tables_not_rows(tmp_path):
    writer = PdfWriter(tmp_path / "x.pdf", (), CHICAGO, title="T", about=())
    with pytest.raises(TypeError, match="summary tables"):
        writer.write(("a row",))


def test_a_report_without_a_summary_says_so():
    class NoSummary(Report):
        title = "Some register"

    with pytest.raises(NotImplementedError, match="some register has no PDF summary"):
        NoSummary().summary_tables(None)
