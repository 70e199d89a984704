"""The shared ReportLab layout of the packets: page frame, styles and one builder per section.

Every section builder takes the assembled facts (facts.py) and returns flowables; it prints only
strings found in the facts (or fixed labels), so the PDF can never say something the JSON does not.
The kind modules (ncmec.py, law_enforcement.py, recovery.py) choose and order the sections.
Text is real text (extractable); the only image is the youth's photo, loaded by id from storage.
"""

import functools
import hashlib
import io
import zlib
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfbase import pdfdoc, pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
)

from .facts import CONFIDENTIAL_NOTICE, NCMEC_CALL_CENTRE_NAME

PAGE_WIDTH, PAGE_HEIGHT = LETTER
MARGIN = 0.6 * inch
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN

INK = colors.HexColor("#1a1a1a")
MUTED = colors.HexColor("#5b6470")
RULE = colors.HexColor("#c9ced6")
BAND = colors.HexColor("#1f3a5f")
LABEL_BG = colors.HexColor("#f1f3f6")
ALERT = colors.HexColor("#a4161a")
ALERT_BG = colors.HexColor("#fdf1f1")
CONFIDENTIAL_BG = colors.HexColor("#fff8e6")
CONFIDENTIAL_RULE = colors.HexColor("#c98a00")

NOT_RECORDED = "Not recorded"

# A TrueType family with wide Unicode coverage when the system has one (names are not all Latin-1);
# ReportLab's built-in Helvetica otherwise.
_FONT_CANDIDATES = (
    (
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Italic.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-BoldItalic.ttf",
    ),
    (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Oblique.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-BoldOblique.ttf",
    ),
)


@functools.lru_cache(maxsize=128)
def _compressed_subset(face, subset: tuple[int, ...]) -> tuple[bytes, int]:
    """(zlib-compressed font file, its uncompressed length) of the subset `subset` of `face`.

    A packet embeds a subset of each of its four faces; the subset is the printable ASCII range plus
    the few other characters the packet uses, so nearly every packet embeds the same subsets. Making
    and compressing one costs about 1 ms a face, so it is done once per process and subset (at most
    128 kept, a few MB). Same bytes as ReportLab writes itself (zlib's default level).
    """
    data = face.makeSubset(list(subset))
    return zlib.compress(data), len(data)


def _add_cached_subset_objects(face, doc, fontname, subset):
    """ReportLab's TTFontFace.addSubsetObjects (5.1), with the font file from `_compressed_subset`."""
    if not doc.compression:
        return type(face).addSubsetObjects(face, doc, fontname, subset)
    compressed, length = _compressed_subset(face, tuple(subset))
    font_file = pdfdoc.PDFStream(content=compressed)
    font_file.dictionary["Length1"] = length
    # A stream whose dictionary names its filter is written as it is (already compressed).
    font_file.dictionary["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName(pdfdoc.PDFZCompress.pdfname)])
    font_file_ref = doc.Reference(font_file, f"fontFile:{face.filename}({fontname})")
    flags = (face.flags & ~ttfonts.FF_NONSYMBOLIC) | ttfonts.FF_SYMBOLIC
    descriptor = pdfdoc.PDFDictionary(
        {
            "Type": "/FontDescriptor",
            "Ascent": face.ascent,
            "CapHeight": face.capHeight,
            "Descent": face.descent,
            "Flags": flags,
            "FontBBox": pdfdoc.PDFArray(face.bbox),
            "FontName": pdfdoc.PDFName(fontname),
            "ItalicAngle": face.italicAngle,
            "StemV": face.stemV,
            "FontFile2": font_file_ref,
            "MissingWidth": face.defaultWidth,
        }
    )
    return doc.Reference(descriptor, "fontDescriptor:" + fontname)


def _packet_font(name, path) -> TTFont:
    """A TrueType font whose embedded subsets are made once per process (`_compressed_subset`)."""
    font = TTFont(name, path)
    font.face.addSubsetObjects = functools.partial(_add_cached_subset_objects, font.face)
    return font


@functools.cache
def fonts() -> tuple[str, str, str]:
    """(regular, bold, italic) font names, registered once per process."""
    from reportlab.pdfbase.pdfmetrics import registerFontFamily

    for paths in _FONT_CANDIDATES:
        if all(Path(p).is_file() for p in paths):
            names = ("PacketSans", "PacketSans-Bold", "PacketSans-Italic", "PacketSans-BoldItalic")
            try:
                for name, path in zip(names, paths, strict=True):
                    pdfmetrics.registerFont(_packet_font(name, path))
            except Exception:  # noqa: S112 - an unreadable font file: try the next family
                continue
            registerFontFamily(names[0], normal=names[0], bold=names[1], italic=names[2], boldItalic=names[3])
            return names[0], names[1], names[2]
    return "Helvetica", "Helvetica-Bold", "Helvetica-Oblique"


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


def text(value) -> str:
    """Markup-safe paragraph text of a fact: escaped, with line breaks kept."""
    return "<br/>".join(escape(line) for line in str(value).splitlines() or [""])


def para(value, style="value"):
    if value in ("", None, []):
        return Paragraph(NOT_RECORDED, styles()["empty"])
    return Paragraph(text(value), styles()[style])


def yes_no(flag) -> str:
    return "Yes" if flag else "No"


def joined(values) -> str:
    return ", ".join(values)


# --- Building blocks -------------------------------------------------------------------------------
#
# The label/value grids, the section bands and the photo are small custom flowables that draw straight
# on the canvas (wrapped lines of real text, a few rectangles and rules) instead of platypus Tables of
# Paragraphs: the same look at a fraction of the layout cost, since a packet has a few hundred cells.


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


class _Band(Flowable):
    """The section heading: white capitals on a dark band."""

    HEIGHT = 20

    def __init__(self, title):
        super().__init__()
        self.title = title.upper()

    def wrap(self, avail_width, avail_height):
        return CONTENT_WIDTH, self.HEIGHT

    def draw(self):
        style = styles()["section"]
        self.canv.setFillColor(BAND)
        self.canv.rect(0, 0, CONTENT_WIDTH, self.HEIGHT, stroke=0, fill=1)
        self.canv.setFillColor(style.textColor)
        self.canv.setFont(style.fontName, style.fontSize)
        self.canv.drawString(6, 6.5, self.title)


def section(title, *flowables, keep=1.1 * inch):
    """A heading band followed by its content; the band never ends a page alone.

    `keep`: the room the band needs below it on a page, or it starts a new one (the height of the
    first flowable when that cannot split, like the photo and identity table).
    """
    return [CondPageBreak(keep), Spacer(1, 9), _Band(title), Spacer(1, 3), *flowables]


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


class _Columns(Flowable):
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


PHOTO_BOX = (1.75 * inch, 2.2 * inch)
PHOTO_DPI = 220  # the photo is embedded downscaled to this resolution in PHOTO_BOX: sharp in print


class _PhotoPlaceholder(Flowable):
    def wrap(self, avail_width, avail_height):
        return PHOTO_BOX

    def draw(self):
        style = styles()["photo_missing"]
        canvas = self.canv
        canvas.setFillColor(LABEL_BG)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.8)
        canvas.rect(0, 0, PHOTO_BOX[0], PHOTO_BOX[1], stroke=1, fill=1)
        canvas.setFillColor(style.textColor)
        canvas.setFont(style.fontName, style.fontSize)
        canvas.drawCentredString(PHOTO_BOX[0] / 2, PHOTO_BOX[1] / 2 - style.fontSize / 3, "Photo not available")


class _JpegSource:
    """A JPEG for canvas.drawImage, embedded as is (no decoding); `str()` is its identity in the PDF."""

    def __init__(self, data, key):
        self.data, self.key = data, key

    def jpeg_fh(self):
        return io.BytesIO(self.data)

    def __str__(self):
        return self.key


class _Photo(Flowable):
    def __init__(self, data, key, width, height):
        super().__init__()
        self.source, self.width, self.height = _JpegSource(data, key), width, height

    def wrap(self, avail_width, avail_height):
        return self.width, self.height

    def draw(self):
        self.canv.drawImage(self.source, 0, 0, self.width, self.height)


@functools.lru_cache(maxsize=256)
def _photo_jpeg(photo_id, name, modified) -> tuple[bytes, int, int]:
    """(JPEG bytes, width, height) of the stored photo `name`, ready to embed in PHOTO_BOX.

    An upright RGB or greyscale JPEG of at most twice PHOTO_DPI in the box (what the photo upload
    stores) is embedded as it is, without decoding it; anything else is decoded once, downscaled to
    PHOTO_DPI and re-encoded. Cached by photo id, file name and modification time, so a photo is read
    once per process however many packets print it. Raises when the file is missing or unreadable.
    """
    from PIL import Image as PILImage
    from PIL import ImageOps

    from caseapp.models import YouthPhoto

    storage = YouthPhoto._meta.get_field("image").storage
    with storage.open(name, "rb") as handle:
        data = handle.read()
    box = (round(PHOTO_BOX[0] / inch * PHOTO_DPI), round(PHOTO_BOX[1] / inch * PHOTO_DPI))
    image = PILImage.open(io.BytesIO(data))  # reads the header only
    upright = image.getexif().get(0x0112, 1) == 1
    if (
        image.format == "JPEG"
        and image.mode in ("RGB", "L")
        and upright
        and (image.width <= 2 * box[0] and image.height <= 2 * box[1])
    ):
        return data, image.width, image.height
    if image.format == "JPEG":
        image.draft("RGB", box)  # decode at a reduced scale: much faster for a large photo
    image = ImageOps.exif_transpose(image).convert("RGB")
    image.thumbnail(box, PILImage.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=88)
    return out.getvalue(), image.width, image.height


# Photo rows the caller has just read (`known_photos`), by id: `photo_flowable` uses them instead of
# reading the row again.
_known_photos: ContextVar[dict | None] = ContextVar("packet_known_photos", default=None)


@contextmanager
def known_photos(photos):
    """While rendering inside this block, `photo_flowable` takes these YouthPhoto rows (None is
    skipped) as they are; any other photo id is read from the database as usual."""
    token = _known_photos.set({photo.pk: photo for photo in photos if photo is not None})
    try:
        yield
    finally:
        _known_photos.reset(token)


def photo_flowable(photo_id):
    """The photo `photo_id` scaled into PHOTO_BOX, or a box saying "Photo not available"."""
    if photo_id is None:
        return _PhotoPlaceholder()
    from caseapp.models import YouthPhoto

    photo = (_known_photos.get() or {}).get(photo_id)
    if photo is None:
        photo = YouthPhoto.objects.filter(pk=photo_id).first()
    if photo is None or not photo.image:
        return _PhotoPlaceholder()
    try:
        storage, name = photo.image.storage, photo.image.name
        try:
            modified = storage.get_modified_time(name).timestamp()
        except NotImplementedError:  # a storage without modification times: the (unique) name alone
            modified = None
        data, width, height = _photo_jpeg(photo.pk, name, modified)
    except Exception:  # missing or unreadable file: the packet is still needed
        return _PhotoPlaceholder()
    scale = min(PHOTO_BOX[0] / width, PHOTO_BOX[1] / height)
    key = f"packet-photo-{photo.pk}-{hashlib.sha1(data).hexdigest()}"  # noqa: S324 - a name, not security
    return _Photo(data, key, width * scale, height * scale)


# --- Sections ------------------------------------------------------------------------------------


def title_block(facts, title, lead):
    youth, episode, agency = facts["youth"], facts["episode"], facts["generated_for"]["agency"]
    s = styles()
    meta = (
        f"{agency['name']} ({agency['code']}, {agency['state']}) · Agency case number {youth['case_number']}"
        f" · Episode {episode['id']} · Status: {episode['status']}"
    )
    return [
        Paragraph(text(title), s["title"]),
        Paragraph(text(meta), s["subtitle"]),
        Spacer(1, 3),
        Paragraph(text(lead), s["subtitle"]),
        Spacer(1, 8),
    ]


def disclosure_block(facts):
    s = styles()
    items = [Paragraph("DISCLOSURE INSTRUCTIONS: READ BEFORE ANY RELEASE", s["alert_head"])]
    items += [Paragraph("■ " + text(line), s["alert"]) for line in facts["disclosure"]]
    return [boxed(items, ALERT, ALERT_BG)]


def identity_block(facts, photo_id=None, photo_caption=None):
    """The photo beside who the youth is."""
    youth = facts["youth"]
    photo = youth["current_photo"]
    if photo_id is None and photo is not None:
        photo_id = photo["id"]
        photo_caption = f"Photo taken {photo['taken_on_display']} ({photo['age_in_days']} days before the report)"
    pairs = [
        ("Legal name", youth["legal_name"]),
        ("Preferred name", youth["preferred_name"]),
        ("Aliases / nicknames", joined(youth["aliases"])),
        ("Date of birth", youth["date_of_birth_display"]),
        ("Age when reported", str(youth["age"])),
        ("Sex", youth["sex"]),
        ("Gender identity", youth["gender_identity"]),
        ("Race", joined(youth["race"])),
        ("Hispanic or Latino", youth["hispanic"]),
        ("Primary language", youth["primary_language"]),
        ("Agency case number", youth["case_number"]),
    ]
    right_w = CONTENT_WIDTH - PHOTO_BOX[0] - 0.2 * inch
    photo_cell = [photo_flowable(photo_id)]
    if photo_caption and photo_id is not None:
        photo_cell += [Spacer(1, 2), Paragraph(text(photo_caption), styles()["note"])]
    left_w = PHOTO_BOX[0] + 0.2 * inch
    table = _Columns([(0, left_w - 10, photo_cell), (left_w, right_w, [fields(pairs, columns=1, width=right_w)])])
    return section("Child", table, keep=PHOTO_BOX[1] + 0.9 * inch)


def description_block(facts):
    y = facts["youth"]
    pairs = [
        ("Height", y["height_display"]),
        ("Weight", y["weight_display"]),
        ("Eye colour", y["eye_color"]),
        ("Hair colour", y["hair_color"]),
        ("Complexion", y["complexion"]),
        ("Glasses / contacts", y["eyewear"]),
        ("Braces", yes_no(y["braces"])),
        ("Piercings", y["piercings"]),
        ("Scars, marks, tattoos", y["scars_marks_tattoos"]),
    ]
    return section("Physical description", fields(pairs))


def missing_event_block(facts):
    e = facts["episode"]
    pairs = [
        ("Last seen", e["last_seen_at_display"]),
        ("Agency learned", e["agency_learned_at_display"]),
        ("Where last seen", e["last_seen_location"]),
        ("Category", e["category"]),
        ("Reported by", e["reported_by"]),
        ("Clothing last seen in", e["clothing"]),
        ("Circumstances", e["circumstances"]),
        ("Companions", e["companions"]),
        ("Vehicle", e["vehicle"]),
        ("Belongings taken", e["belongings_taken"]),
    ]
    return section("Missing event", fields(pairs))


def endangerment_block(facts):
    e = facts["episode"]
    pairs = [
        ("Endangerment", "\n".join(e["endangerment"]) or "None recorded"),
        ("Notes", e["endangerment_notes"]),
    ]
    return section("Endangerment and risk", fields(pairs, columns=1))


def contacts_block(facts):
    e = facts["episode"]
    pairs = [
        ("Phones, email, social media", e["phones_and_accounts"]),
        ("Possible locations and people", e["possible_locations"]),
    ]
    return section("Contact data and possible locations", fields(pairs, columns=1))


def medical_block(facts):
    y = facts["youth"]
    s = styles()
    pairs = [
        ("Medical needs", y["medical_needs"]),
        ("Mental-health needs", y["mental_health_needs"]),
        ("Medications", y["medications"]),
    ]
    inner = [
        Paragraph(text(CONFIDENTIAL_NOTICE), s["alert_head"]),
        fields(pairs, columns=1, width=CONTENT_WIDTH - 16),
    ]
    return section("Medical and mental health (confidential)", boxed(inner, CONFIDENTIAL_RULE, CONFIDENTIAL_BG))


def placement_block(facts):
    p = facts["episode"]["placement"]
    if p is None:
        return section("Placement at the time", para(""))
    address = ", ".join(part for part in (p["address"], p["city"], p["state"], p["postal_code"]) if part)
    pairs = [
        ("Placement type", p["type"]),
        ("Provider", p["provider"]),
        ("Provider phone", p["provider_phone"]),
        ("AFCARS setting", p["afcars"]),
        ("Address", address),
    ]
    return section("Placement at the time", fields(pairs))


def law_enforcement_block(facts):
    le = facts["law_enforcement"]
    pairs = [
        ("Law-enforcement agency", le["agency"]),
        ("LE case number", le["case_number"]),
        ("Officer", le["officer"]),
        ("Badge number", le["badge"]),
        ("NCIC number", le["ncic_number"]),
        ("NCIC entry confirmed", le["ncic_confirmed_at_display"]),
    ]
    return section("Law enforcement", fields(pairs))


def ncmec_block(facts):
    pairs = [
        ("NCMEC case number", facts["ncmec"]["case_number"]),
        ("NCMEC call centre", NCMEC_CALL_CENTRE_NAME),
    ]
    return section("NCMEC", fields(pairs, columns=1))


def prior_block(facts):
    rows = []
    for p in facts["prior_episodes"]:
        where = p["found_location_type"]
        away = [
            label
            for flag, label in ((p["found_out_of_county"], "out of county"), (p["found_out_of_state"], "out of state"))
            if flag
        ]
        if away:
            where = f"{where} ({', '.join(away)})" if where else ", ".join(away)
        rows.append([p["last_seen_at_display"], p["returned_at_display"], where, p["how_located"]])
    if not rows:
        return section("Prior missing episodes", Paragraph("No prior missing episodes recorded.", styles()["note"]))
    widths = [1.75 * inch, 1.75 * inch, CONTENT_WIDTH - 5.1 * inch, 1.6 * inch]
    return section(
        "Prior missing episodes",
        grid(["Last seen", "Returned", "Where found", "How located"], rows, widths),
    )


def contact_block(facts):
    gf = facts["generated_for"]
    agency = gf["agency"]
    pairs = [
        ("Agency", f"{agency['name']} ({agency['code']})"),
        ("State", agency["state"]),
        ("Agency phone", agency["phone"]),
        ("Agency email", agency["email"]),
        ("Agency address", agency["address"]),
    ]
    flowables = [fields(pairs)]
    if gf["caseworkers"]:
        widths = [CONTENT_WIDTH * 0.34, CONTENT_WIDTH * 0.26, CONTENT_WIDTH * 0.40]
        rows = [[c["name"], c["phone"], c["email"]] for c in gf["caseworkers"]]
        flowables += [Spacer(1, 5), grid(["Caseworker", "Phone", "Email"], rows, widths)]
    else:
        flowables.append(Paragraph("No caseworker assigned.", styles()["note"]))
    return section("Agency (legal guardian) and caseworker contact", *flowables)


def recovery_block(facts):
    r = facts["recovery"]
    pairs = [
        ("Located", r["located_at_display"]),
        ("Returned", r["returned_at_display"]),
        ("Where found", r["found_address"]),
        ("Kind of place", r["found_location_type"]),
        ("Found out of county", yes_no(r["out_of_county"])),
        ("Found out of state", yes_no(r["out_of_state"])),
        ("How located", r["how_located"]),
        ("Condition on return", r["condition_on_return"]),
        ("New marks or tattoos", r["new_marks_tattoos"] or "None recorded"),
    ]
    return section("Recovery", fields(pairs))


def requested_actions_block(facts):
    s = styles()
    items = [Paragraph("ACTION REQUESTED", s["alert_head"])]
    items += [Paragraph("■ " + text(line), s["alert"]) for line in facts["recovery"]["requested_actions"]]
    return [Spacer(1, 6), boxed(items, BAND, LABEL_BG)]


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
