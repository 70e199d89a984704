"""The PDF writer: a report's summary tables on a few plain landscape pages.

The hook (exports/reports/base.py): a report that offers `ExportFormat.PDF` implements
`summary_tables(query) -> list[SummaryTable]`; the export run hands those tables to this writer
(`write_tables`) instead of streaming the detail rows, and the writer draws them under a heading
that says what the figures are: the report's title, the agency, the period and filters, who asked
and when it was made (the same "about" lines as the XLSX "About this export" sheet). Cells are text
the report already formatted; each table's note (denominators, definitions) is printed under it.

Text is real text (extractable, searchable, read by screen readers in order): platypus paragraphs
and tables in the house typeface and colours (caseapp/pdf_style.py, shared with the report packets: a
TrueType face with wide Unicode coverage when the system has one, Helvetica otherwise). No images, no
youth names: a summary holds counts and rates.
"""

import os
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import LETTER, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import CondPageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from caseapp.pdf_style import BAND, INK, MUTED, RULE, fonts
from caseapp.pdf_style import TINT as STRIPE

PAGE_WIDTH, PAGE_HEIGHT = landscape(LETTER)
MARGIN = 0.6 * inch
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN

CELL_PAD = 4


def _styles():
    regular, bold, italic = fonts()
    base = ParagraphStyle("summary", fontName=regular, fontSize=8, leading=10, textColor=INK)
    return {
        "title": ParagraphStyle("summary_title", base, fontName=bold, fontSize=16, leading=20, spaceAfter=4),
        "about": ParagraphStyle("summary_about", base, fontSize=8.5, leading=11),
        "section": ParagraphStyle(
            "summary_section", base, fontName=bold, fontSize=11, leading=14, textColor=BAND, spaceBefore=10
        ),
        "head": ParagraphStyle("summary_head", base, fontName=bold, fontSize=7.5, leading=9, textColor=MUTED),
        "cell": base,
        "note": ParagraphStyle("summary_note", base, fontName=italic, fontSize=7.5, leading=9.5, textColor=MUTED),
    }


def _text(value) -> str:
    return "<br/>".join(escape(line) for line in str(value).splitlines() or [""])


def column_widths(header, rows, styles, width=CONTENT_WIDTH) -> list[float]:
    """Widths that fit the page: each column its natural width (its longest cell or header on one line)
    when they all fit; otherwise each gets at least its longest word and the rest of the page is shared
    in proportion to what each column still lacks (its text wraps)."""
    cell, head = styles["cell"], styles["head"]

    def wide(text, style):
        return stringWidth(text, style.fontName, style.fontSize) + 2 * CELL_PAD

    def longest_word(text, style):
        return max((wide(word, style) for word in str(text).split()), default=2 * CELL_PAD)

    natural, least = [], []
    for i, title in enumerate(header):
        cells = [str(row[i]) for row in rows]
        natural.append(max([wide(str(title), head), *(wide(c, cell) for c in cells)]))
        least.append(max([longest_word(title, head), *(longest_word(c, cell) for c in cells)]))
    if sum(natural) <= width:
        return natural
    spare = max(width - sum(least), 0)
    lacking = sum(n - m for n, m in zip(natural, least, strict=True)) or 1
    return [m + spare * (n - m) / lacking for n, m in zip(natural, least, strict=True)]


def table_flowables(table, styles) -> list:
    """One SummaryTable: its title, a table whose header repeats on each page, and its note."""
    header = [Paragraph(_text(cell), styles["head"]) for cell in table.header]
    body = [[Paragraph(_text(cell), styles["cell"]) for cell in row] for row in table.rows]
    flowables = [Paragraph(_text(table.title), styles["section"])]
    if body:
        widths = column_widths(table.header, table.rows, styles)
        grid = Table([header, *body], colWidths=widths, repeatRows=1, hAlign="LEFT")
        commands = [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD),
            ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
            ("LINEBELOW", (0, 0), (-1, 0), 0.8, BAND),
        ]
        commands += [("BACKGROUND", (0, i), (-1, i), STRIPE) for i in range(2, len(body) + 1, 2)]
        grid.setStyle(TableStyle(commands))
        flowables.append(grid)
    else:
        flowables.append(Paragraph("Nothing to show for this period and these filters.", styles["note"]))
    if table.note:
        flowables += [Spacer(1, 3), Paragraph(_text(table.note), styles["note"])]
    # A new page when less than a title, a header and a few rows would fit; then the table flows on.
    return [CondPageBreak(1.5 * inch), *flowables]


def render_summary(target, title, about, tables) -> None:
    """Write the summary PDF of `tables` to `target` (a path or a binary file) under `title` and `about`
    ((label, value) pairs: agency, period, filters, requested by, made at)."""
    styles = _styles()
    regular, _, _ = fonts()
    about = list(about)
    agency = dict(about).get("Agency", "")
    made_at = dict(about).get("Made at", "")
    story = [Paragraph(_text(f"{title}: summary"), styles["title"])]
    story += [Paragraph(f"<b>{_text(label)}:</b> {_text(value)}", styles["about"]) for label, value in about if label]
    story.append(Spacer(1, 4))
    for table in tables:
        story += table_flowables(table, styles)

    def frame(canvas, doc):
        canvas.saveState()
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.6)
        canvas.line(MARGIN, 0.5 * inch, PAGE_WIDTH - MARGIN, 0.5 * inch)
        canvas.setFont(regular, 7.5)
        canvas.setFillColor(MUTED)
        footer = " · ".join(part for part in (title, agency, f"made {made_at}" if made_at else "") if part)
        canvas.drawString(MARGIN, 0.36 * inch, footer)
        canvas.drawRightString(PAGE_WIDTH - MARGIN, 0.36 * inch, f"Page {doc.page}")
        canvas.restoreState()

    doc = SimpleDocTemplate(
        os.fspath(target) if isinstance(target, os.PathLike) else target,
        pagesize=landscape(LETTER),
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=0.5 * inch,
        bottomMargin=0.7 * inch,
        title=f"{title}: summary",
        author=agency,
        subject=title,
    )
    doc.build(story, onFirstPage=frame, onLaterPages=frame)


class PdfWriter:
    """The writer of the PDF format (exports/writers.py WRITERS). A summary writer: it takes a report's
    summary tables (`write_tables`), not its detail rows, and draws the file when closed."""

    extension = "pdf"
    content_type = "application/pdf"
    summary = True

    def __init__(self, path, columns, tz, *, title="Export", about=()):
        self.path = str(path)
        self.tz = tz
        self.title = title
        self.about = list(about)
        self._tables = []

    def write_tables(self, tables):
        self._tables.extend(tables)

    def write(self, row):
        raise TypeError("A PDF export draws a report's summary tables (write_tables), not its detail rows.")

    def close(self):
        render_summary(self.path, self.title, self.about, self._tables)
