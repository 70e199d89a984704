"""The packets' page and its building blocks: page size and margins, paragraph styles, the page
frame, and the small flowables every section is made of.

The label/value grids, the section bands, the notice boxes, the side-by-side columns and the plain
lines of text (titles, notes, notice items) draw straight on the canvas (wrapped lines of real text, a
few rectangles and rules) instead of platypus Tables and Paragraphs: the same look at a fraction of the
layout cost, since a packet has a few hundred cells and no markup (bench/README.md, packets).
"""

import functools
import io

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import CondPageBreak, Flowable, SimpleDocTemplate, Spacer

from caseapp.pdf_style import BAND, INK, MUTED, RULE, fonts
from caseapp.pdf_style import TINT as LABEL_BG

PAGE_WIDTH, PAGE_HEIGHT = LETTER
MARGIN = 0.6 * inch
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN

ALERT = colors.HexColor("#a4161a")
ALERT_BG = colors.HexColor("#fdf1f1")
CONFIDENTIAL_BG = colors.HexColor("#fff8e6")
CONFIDENTIAL_RULE = colors.HexColor("#c98a00")

NOT_RECORDED = "Not recorded"


@functools.cache
def styles() -> dict[str, ParagraphStyle]:
    regular, bold, italic = fonts()
    base = ParagraphStyle("base", fontName=regular, fontSize=9, leading=11.5, textColor=INK)
    return {
        "body": base,
        "title": ParagraphStyle("title", base, fontName=bold, fontSize=17, leading=21, spaceAfter=2),
        "subtitle": ParagraphStyle("subtitle", base, fontSize=9.5, leading=12, textColor=MUTED),
        "section": ParagraphStyle(
            "section",
            base,
            fontName=bold,
            fontSize=10,
            leading=13,
            textColor=colors.white,
        ),
        "label": ParagraphStyle("label", base, fontName=bold, fontSize=7.5, leading=9.5, textColor=MUTED),
        "value": base,
        "empty": ParagraphStyle("empty", base, fontName=italic, textColor=MUTED),
        "alert_head": ParagraphStyle("alert_head", base, fontName=bold, fontSize=10, leading=13, textColor=ALERT),
        "alert": ParagraphStyle("alert", base, fontName=bold, fontSize=9, leading=12, textColor=INK),
        "note": ParagraphStyle("note", base, fontName=italic, fontSize=8.5, leading=11, textColor=MUTED),
        "cell": ParagraphStyle("cell", base, fontSize=8.5, leading=10.5),
        "cell_head": ParagraphStyle("cell_head", base, fontName=bold, fontSize=8, leading=10, textColor=MUTED),
        "photo_missing": ParagraphStyle("photo_missing", base, fontName=italic, alignment=TA_CENTER, textColor=MUTED),
    }


def para(value, style="value"):
    """`value` as lines of text in `style`, or "Not recorded" when it is empty."""
    if value in ("", None, []):
        return Lines(NOT_RECORDED, "empty")
    return Lines(value, style)


def yes_no(flag) -> str:
    return "Yes" if flag else "No"


def joined(values) -> str:
    return ", ".join(values)


# --- Building blocks -------------------------------------------------------------------------------


def _font(style) -> tuple[str, float, float, colors.Color]:
    return style.fontName, style.fontSize, style.leading, style.textColor


def _wrap(value, font_name, font_size, max_width) -> list[str]:
    """`value` broken into lines no wider than `max_width` (at spaces; a word too long for a line is cut)."""
    width = functools.partial(pdfmetrics.stringWidth, fontName=font_name, fontSize=font_size)
    space = width(" ")
    lines = []
    for raw in str(value).splitlines() or [""]:
        line, line_w = "", 0.0
        for word in raw.split():
            word_w = width(word)
            if line and line_w + space + word_w <= max_width:
                line, line_w = f"{line} {word}", line_w + space + word_w
                continue
            if line:
                lines.append(line)
            while word_w > max_width and len(word) > 1:  # a long address or link: cut it
                cut = len(word) - 1
                while cut > 1 and width(word[:cut]) > max_width:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
                word_w = width(word)
            line, line_w = word, word_w
        lines.append(line)
    return lines


class _Cell:
    """One cell of a _Grid: its box, wrapped lines, font and background."""

    __slots__ = ("background", "font", "lines", "width", "x")

    def __init__(self, x, width, lines, font, background):
        self.x, self.width, self.lines, self.font, self.background = x, width, lines, font, background


class _Grid(Flowable):
    """Rows of wrapped text cells with a rule under each row; splits between rows (and inside a row
    taller than a page), repeating the header row, if any, on the next page."""

    PAD_X, PAD_Y = 5, 3

    def __init__(self, rows, width, header=None):
        super().__init__()
        self.rows, self.grid_width, self.header = rows, width, header

    @classmethod
    def cell(cls, x, width, value, style, background=None):
        if value in ("", None, []):
            value, style = NOT_RECORDED, styles()["empty"]
        font = _font(style)
        return _Cell(x, width, _wrap(value, font[0], font[1], width - 2 * cls.PAD_X), font, background)

    @classmethod
    def row_height(cls, cells):
        return 2 * cls.PAD_Y + max(len(c.lines) * c.font[2] for c in cells)

    def _all_rows(self):
        return ([self.header] if self.header else []) + self.rows

    def wrap(self, avail_width, avail_height):
        self.height = sum(self.row_height(r) for r in self._all_rows())
        return self.grid_width, self.height

    def split(self, avail_width, avail_height):
        used = self.row_height(self.header) if self.header else 0
        fit = 0
        while fit < len(self.rows) and used + self.row_height(self.rows[fit]) <= avail_height:
            used += self.row_height(self.rows[fit])
            fit += 1
        if fit == len(self.rows):
            return [self]
        head, tail = self.rows[:fit], self.rows[fit:]
        if not head:
            # Not even the first row fits: cut that row's lines when most of a frame is left.
            lines = int((avail_height - used - 2 * self.PAD_Y) // max(c.font[2] for c in tail[0]))
            if lines < 3:
                return []
            first = [_Cell(c.x, c.width, c.lines[:lines], c.font, c.background) for c in tail[0]]
            rest = [_Cell(c.x, c.width, c.lines[lines:], c.font, c.background) for c in tail[0]]
            head, tail = [first], [rest, *tail[1:]]
        return [_Grid(head, self.grid_width, self.header), _Grid(tail, self.grid_width, self.header)]

    def draw(self):
        canvas = self.canv
        top = self.height
        canvas.setLineWidth(0.4)
        canvas.setStrokeColor(RULE)
        # Backgrounds and rules first, then all the text in one text object (the font and colour set
        # only when they change): the same page, with far fewer drawing operations.
        text, font, color = canvas.beginText(), None, None
        for cells in self._all_rows():
            h = self.row_height(cells)
            bottom = top - h
            for c in cells:
                if c.background is not None:
                    canvas.setFillColor(c.background)
                    canvas.rect(c.x, bottom, c.width, h, stroke=0, fill=1)
                if not any(c.lines):
                    continue
                name, size, leading, cell_color = c.font
                text.setTextOrigin(c.x + self.PAD_X, top - self.PAD_Y - size)
                if font != (name, size, leading):
                    font = (name, size, leading)
                    text.setFont(name, size, leading)
                if color != cell_color:
                    color = cell_color
                    text.setFillColor(cell_color)
                for line in c.lines:
                    text.textLine(line)
            canvas.line(0, bottom, self.grid_width, bottom)
            top = bottom
        if font is not None:
            canvas.drawText(text)


class Lines(Flowable):
    """Plain text in one paragraph style (a name in `styles()`), wrapped to the width it is given at
    spaces, keeping its line breaks: what a platypus Paragraph of the same text draws, at the same
    baselines, without parsing markup. Splits between lines at the end of a page."""

    def __init__(self, value, style, wrapped=None):
        super().__init__()
        self.value, self.style_name, self.style = str(value), style, styles()[style]
        self.spaceBefore, self.spaceAfter = self.style.spaceBefore, self.style.spaceAfter
        self.wrapped = wrapped  # (width, lines): the lines as wrapped for that width

    def wrap(self, avail_width, avail_height):
        if self.wrapped is None or self.wrapped[0] != avail_width:
            self.wrapped = (avail_width, _wrap(self.value, self.style.fontName, self.style.fontSize, avail_width))
        self.lines = self.wrapped[1]
        self.width, self.height = avail_width, len(self.lines) * self.style.leading
        return self.width, self.height

    def split(self, avail_width, avail_height):
        self.wrap(avail_width, avail_height)
        fit = int(avail_height // self.style.leading)
        if fit < 1 or fit >= len(self.lines):
            return []
        # Each part keeps its own lines (its value is them, joined, should it be wrapped again).
        parts = (self.lines[:fit], self.lines[fit:])
        return [Lines("\n".join(part), self.style_name, (avail_width, part)) for part in parts]

    def draw(self):
        name, size, leading, color = _font(self.style)
        text = self.canv.beginText(0, self.height - size)
        text.setFont(name, size, leading)
        text.setFillColor(color)
        for line in self.lines:
            text.textLine(line)
        self.canv.drawText(text)


class _Band(Flowable):
    """The section heading: white capitals on a dark band, with the space above and below it."""

    ABOVE, HEIGHT, BELOW = 9, 20, 3

    def __init__(self, title):
        super().__init__()
        self.title = title.upper()

    def wrap(self, avail_width, avail_height):
        return CONTENT_WIDTH, self.ABOVE + self.HEIGHT + self.BELOW

    def draw(self):
        style = styles()["section"]
        self.canv.setFillColor(BAND)
        self.canv.rect(0, self.BELOW, CONTENT_WIDTH, self.HEIGHT, stroke=0, fill=1)
        self.canv.setFillColor(style.textColor)
        self.canv.setFont(style.fontName, style.fontSize)
        self.canv.drawString(6, self.BELOW + 6.5, self.title)


def section(title, *flowables, keep=1.1 * inch):
    """A heading band followed by its content; the band never ends a page alone.

    `keep`: the room the band needs below it on a page, or it starts a new one (the height of the
    first flowable when that cannot split, like the photo and identity table).
    """
    return [CondPageBreak(keep), _Band(title), *flowables]


def fields(pairs, columns=2, width=CONTENT_WIDTH):
    """Label/value pairs in a grid of `columns` pairs per row (a long text value gets a whole row)."""
    s = styles()
    label_w = 1.25 * inch if columns == 2 else 1.45 * inch
    value_w = width / columns - label_w
    rows, row = [], []
    for label, value in pairs:
        long_text = isinstance(value, str) and (len(value) > 60 or "\n" in value)
        if long_text and columns > 1:
            if row:
                rows.append(row)
                row = []
            rows.append(
                [
                    _Grid.cell(0, label_w, label, s["label"], LABEL_BG),
                    _Grid.cell(label_w, width - label_w, value, s["value"]),
                ]
            )
            continue
        x = len(row) // 2 * (label_w + value_w)
        row += [
            _Grid.cell(x, label_w, label, s["label"], LABEL_BG),
            _Grid.cell(x + label_w, value_w, value, s["value"]),
        ]
        if len(row) == 2 * columns:
            rows.append(row)
            row = []
    if row:
        rows.append(row)
    if not rows:
        return Spacer(1, 0)
    return _Grid(rows, width)


def grid(header, rows, widths):
    """A plain table with a header row (prior episodes, caseworkers), repeated on a new page."""
    s = styles()
    xs = [sum(widths[:n]) for n in range(len(widths))]
    head = [_Grid.cell(x, w, h, s["cell_head"], LABEL_BG) for x, w, h in zip(xs, widths, header, strict=True)]
    body = [[_Grid.cell(x, w, v, s["cell"]) for x, w, v in zip(xs, widths, row, strict=True)] for row in rows]
    return _Grid(body, sum(widths), header=head)


class _Box(Flowable):
    """Flowables stacked in a bordered, tinted box (the disclosure and confidential notices); splits
    between them when it does not fit."""

    PAD_X, PAD_Y, PAD_END = 8, 2, 6

    def __init__(self, flowables, border, background, width):
        super().__init__()
        self.flowables, self.border, self.background, self.box_width = flowables, border, background, width

    def _heights(self, avail_height):
        inner = self.box_width - 2 * self.PAD_X
        return [f.wrap(inner, avail_height)[1] for f in self.flowables]

    def wrap(self, avail_width, avail_height):
        self.heights = self._heights(avail_height)
        self.height = sum(self.heights) + 2 * self.PAD_Y * len(self.heights) + 2 * (self.PAD_END - self.PAD_Y)
        return self.box_width, self.height

    def split(self, avail_width, avail_height):
        used, fit = 2 * (self.PAD_END - self.PAD_Y), 0
        for h in self._heights(avail_height):
            if used + h + 2 * self.PAD_Y > avail_height:
                break
            used, fit = used + h + 2 * self.PAD_Y, fit + 1
        if fit == 0 or fit == len(self.flowables):
            return []
        return [
            _Box(self.flowables[:fit], self.border, self.background, self.box_width),
            _Box(self.flowables[fit:], self.border, self.background, self.box_width),
        ]

    def draw(self):
        canvas = self.canv
        canvas.setFillColor(self.background)
        canvas.setStrokeColor(self.border)
        canvas.setLineWidth(1.2)
        canvas.rect(0, 0, self.box_width, self.height, stroke=1, fill=1)
        y = self.height - self.PAD_END + self.PAD_Y
        for flowable, h in zip(self.flowables, self.heights, strict=True):
            y -= self.PAD_Y + h
            flowable.drawOn(canvas, self.PAD_X, y)
            y -= self.PAD_Y


def boxed(flowables, border, background, width=CONTENT_WIDTH):
    return _Box(list(flowables), border, background, width)


class Columns(Flowable):
    """Columns of stacked flowables side by side, top-aligned (the photo beside the identity grid)."""

    PAD_Y = 3

    def __init__(self, columns):
        super().__init__()
        self.columns = columns  # [(x, width, [flowables])]

    def wrap(self, avail_width, avail_height):
        self.heights = [[f.wrap(w, avail_height)[1] for f in flowables] for _, w, flowables in self.columns]
        self.width = max(x + w for x, w, _ in self.columns)
        self.height = max(sum(h) for h in self.heights) + 2 * self.PAD_Y
        return self.width, self.height

    def draw(self):
        for (x, _, flowables), heights in zip(self.columns, self.heights, strict=True):
            y = self.height - self.PAD_Y
            for flowable, h in zip(flowables, heights, strict=True):
                y -= h
                flowable.drawOn(self.canv, x, y)


# --- The document --------------------------------------------------------------------------------


def _page_frame(facts, title):
    regular, bold, _ = fonts()
    agency = facts["generated_for"]["agency"]
    footer = (
        f"{title} · Agency case {facts['youth']['case_number']} · Episode {facts['episode']['id']}"
        f" · JSON schema {facts['schema_version']}"
    )

    def draw(canvas, doc):
        canvas.saveState()
        top = PAGE_HEIGHT - 0.38 * inch
        canvas.setFont(bold, 8)
        canvas.setFillColor(BAND)
        canvas.drawString(MARGIN, top, agency["name"])
        canvas.setFillColor(ALERT)
        canvas.drawRightString(PAGE_WIDTH - MARGIN, top, "CONFIDENTIAL: NOT FOR PUBLIC RELEASE")
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.6)
        canvas.line(MARGIN, top - 5, PAGE_WIDTH - MARGIN, top - 5)
        canvas.line(MARGIN, 0.5 * inch, PAGE_WIDTH - MARGIN, 0.5 * inch)
        canvas.setFont(regular, 7.5)
        canvas.setFillColor(MUTED)
        canvas.drawString(MARGIN, 0.36 * inch, footer)
        canvas.drawRightString(PAGE_WIDTH - MARGIN, 0.36 * inch, f"Page {doc.page}")
        canvas.restoreState()

    return draw


def render(facts, title, story) -> bytes:
    """The PDF of `story` (a list of flowables, or lists of them) under the shared page frame."""
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=LETTER,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=0.65 * inch,
        bottomMargin=0.7 * inch,
        title=f"{title}: agency case {facts['youth']['case_number']}, episode {facts['episode']['id']}",
        author=facts["generated_for"]["agency"]["name"],
        subject=title,
        invariant=True,  # same facts, same bytes: no creation time or random id in the file
    )
    flat = []
    for item in story:
        flat.extend(item if isinstance(item, list | tuple) else [item])
    frame = _page_frame(facts, title)
    doc.build(flat, onFirstPage=frame, onLaterPages=frame)
    return buffer.getvalue()
