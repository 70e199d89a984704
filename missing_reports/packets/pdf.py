"""The shared ReportLab layout of the packets: page frame, styles and one builder per section.

Every section builder takes the assembled facts (facts.py) and returns flowables; it prints only
strings found in the facts (or fixed labels), so the PDF can never say something the JSON does not.
The kind modules (ncmec.py, law_enforcement.py, recovery.py) choose and order the sections.
Text is real text (extractable); the only image is the youth's photo, loaded by id from storage.
"""

import functools
import io
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    CondPageBreak,
    Image,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
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


@functools.cache
def fonts() -> tuple[str, str, str]:
    """(regular, bold, italic) font names, registered once per process."""
    from reportlab.pdfbase.pdfmetrics import registerFontFamily

    for paths in _FONT_CANDIDATES:
        if all(Path(p).is_file() for p in paths):
            names = ("PacketSans", "PacketSans-Bold", "PacketSans-Italic", "PacketSans-BoldItalic")
            try:
                for name, path in zip(names, paths, strict=True):
                    pdfmetrics.registerFont(TTFont(name, path))
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
            "section", base, fontName=bold, fontSize=10, leading=13, textColor=colors.white,
        ),
        "label": ParagraphStyle("label", base, fontName=bold, fontSize=7.5, leading=9.5, textColor=MUTED),
        "value": base,
        "empty": ParagraphStyle("empty", base, fontName=italic, textColor=MUTED),
        "alert_head": ParagraphStyle("alert_head", base, fontName=bold, fontSize=10, leading=13, textColor=ALERT),
        "alert": ParagraphStyle("alert", base, fontName=bold, fontSize=9, leading=12, textColor=INK),
        "note": ParagraphStyle("note", base, fontName=italic, fontSize=8.5, leading=11, textColor=MUTED),
        "cell": ParagraphStyle("cell", base, fontSize=8.5, leading=10.5),
        "cell_head": ParagraphStyle("cell_head", base, fontName=bold, fontSize=8, leading=10, textColor=MUTED),
        "photo_missing": ParagraphStyle(
            "photo_missing", base, fontName=italic, alignment=TA_CENTER, textColor=MUTED
        ),
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


def section(title, *flowables, keep=1.1 * inch):
    """A heading band followed by its content; the band never ends a page alone.

    `keep`: the room the band needs below it on a page, or it starts a new one (the height of the
    first flowable when that cannot split, like the photo and identity table).
    """
    band = Table([[Paragraph(text(title.upper()), styles()["section"])]], colWidths=[CONTENT_WIDTH])
    band.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), BAND),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return [CondPageBreak(keep), Spacer(1, 9), band, Spacer(1, 3), *flowables]


def fields(pairs, columns=2, width=CONTENT_WIDTH):
    """Label/value pairs in a grid of `columns` pairs per row (a long text value gets a whole row)."""
    label_w = 1.25 * inch if columns == 2 else 1.45 * inch
    value_w = width / columns - label_w
    rows, row, spans = [], [], []
    for label, value in pairs:
        long_text = isinstance(value, str) and (len(value) > 60 or "\n" in value)
        if long_text and columns > 1:
            if row:
                rows.append(row + [""] * (2 * columns - len(row)))
                row = []
            spans.append(len(rows))
            rows.append([para(label, "label"), para(value)] + [""] * (2 * columns - 2))
            continue
        row += [para(label, "label"), para(value)]
        if len(row) == 2 * columns:
            rows.append(row)
            row = []
    if row:
        rows.append(row + [""] * (2 * columns - len(row)))
    if not rows:
        return Spacer(1, 0)
    table = Table(rows, colWidths=[label_w, value_w] * columns)
    commands = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LEFTPADDING", (0, 0), (-1, -1), 5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 5),
    ]
    for r, cells in enumerate(rows):
        if r in spans:
            commands += [("SPAN", (1, r), (-1, r)), ("BACKGROUND", (0, r), (0, r), LABEL_BG)]
            continue
        for c in range(columns):
            if cells[2 * c] != "":
                commands.append(("BACKGROUND", (2 * c, r), (2 * c, r), LABEL_BG))
    table.setStyle(TableStyle(commands))
    return table


def grid(header, rows, widths):
    """A plain table with a header row (prior episodes, caseworkers)."""
    data = [[Paragraph(text(h), styles()["cell_head"]) for h in header]]
    data += [[para(v, "cell") for v in row] for row in rows]
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), LABEL_BG),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def boxed(flowables, border, background, width=CONTENT_WIDTH):
    table = Table([[f] for f in flowables], colWidths=[width])
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 1.2, border),
                ("BACKGROUND", (0, 0), (-1, -1), background),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("TOPPADDING", (0, 0), (-1, 0), 6),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 6),
            ]
        )
    )
    return table


PHOTO_BOX = (1.75 * inch, 2.2 * inch)


def _photo_placeholder():
    cell = Table([[Paragraph("Photo not available", styles()["photo_missing"])]],
                 colWidths=[PHOTO_BOX[0]], rowHeights=[PHOTO_BOX[1]])
    cell.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.8, RULE),
                ("BACKGROUND", (0, 0), (-1, -1), LABEL_BG),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return cell


def photo_flowable(photo_id):
    """The photo `photo_id` scaled into PHOTO_BOX, or a box saying "Photo not available"."""
    missing = _photo_placeholder()
    if photo_id is None:
        return missing
    from caseapp.models import YouthPhoto

    photo = YouthPhoto.objects.filter(pk=photo_id).first()
    if photo is None or not photo.image:
        return missing
    try:
        with photo.image.storage.open(photo.image.name, "rb") as handle:
            data = handle.read()
        width, height = ImageReader(io.BytesIO(data)).getSize()
    except Exception:  # missing or unreadable file: the packet is still needed
        return missing
    scale = min(PHOTO_BOX[0] / width, PHOTO_BOX[1] / height)
    return Image(io.BytesIO(data), width=width * scale, height=height * scale)


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
    table = Table(
        [[photo_cell, fields(pairs, columns=1, width=right_w)]],
        colWidths=[PHOTO_BOX[0] + 0.2 * inch, right_w],
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (0, 0), 10),
                ("RIGHTPADDING", (1, 0), (1, 0), 0),
            ]
        )
    )
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
        away = [label for flag, label in ((p["found_out_of_county"], "out of county"),
                                          (p["found_out_of_state"], "out of state")) if flag]
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
