"""The app's PDFs (report packets, export summaries) take their typeface and colours from one home,
caseapp/pdf_style.py: a font registered or a house colour defined anywhere else is a second copy."""

import re

import pytest

from caseapp import pdf_style
from tests.test_dependencies import APPS, ROOT, modules

HOME = ROOT / "caseapp" / "pdf_style.py"


def app_modules():
    return [path for app in APPS for path in modules(app) if path != HOME]


def test_only_the_style_module_registers_fonts():
    registers = re.compile(r"registerFont(Family)?\(")
    offenders = [str(p.relative_to(ROOT)) for p in app_modules() if registers.search(p.read_text())]
    assert offenders == []


@pytest.mark.parametrize("name", ["INK", "MUTED", "RULE", "BAND", "TINT"])
def test_each_house_colour_is_defined_once(name):
    hex_value = getattr(pdf_style, name).hexval()[2:].lower()  # "0x1a1a1a" -> "1a1a1a"
    offenders = [str(p.relative_to(ROOT)) for p in app_modules() if f"#{hex_value}" in p.read_text().lower()]
    assert offenders == []


def test_packets_and_export_summaries_draw_in_the_same_typeface():
    from exports import pdf as export_pdf
    from missing_reports.packets.pdf import layout

    assert export_pdf.fonts is layout.fonts is pdf_style.fonts
    regular = pdf_style.fonts()[0]
    assert layout.styles()["body"].fontName == export_pdf._styles()["cell"].fontName == regular


def test_the_cached_font_subsets_write_the_bytes_reportlab_writes(monkeypatch):
    """The per-process subset caches (pdf_style._compressed_subset, _subset_tables) replace ReportLab's
    own TTFontFace.addSubsetObjects and TTFont.addObjects for speed (bench/README.md); the file must not
    change by a byte."""
    from reportlab.pdfbase import pdfmetrics

    from missing_reports.packets.pdf import layout

    names = [name for name in pdf_style.fonts() if name.startswith("PacketSans")]
    if not names:
        pytest.skip("no TrueType family on this system: Helvetica needs no subsets")
    facts = {
        "youth": {"case_number": "CASE-1"},
        "episode": {"id": 7},
        "generated_for": {"agency": {"name": "Agence Test: Zoë Ñúñez"}},
        "schema_version": "1.0",
    }

    def story():
        return layout.section("Missing event", layout.fields([("Circumstances", "Léa & Zoë, 14 — “quoted”")]))

    pdf_style._compressed_subset.cache_clear()
    pdf_style._subset_tables.cache_clear()
    cached = layout.render(facts, "Test", story())
    assert pdf_style._compressed_subset.cache_info().misses > 0  # the cache made the subsets
    assert pdf_style._subset_tables.cache_info().misses > 0  # and their widths and ToUnicode maps
    assert layout.render(facts, "Test", story()) == cached  # from the caches this time
    assert pdf_style._subset_tables.cache_info().hits > 0
    for name in (*names, "PacketSans-BoldItalic"):
        font = pdfmetrics.getFont(name)
        monkeypatch.delattr(font.face, "addSubsetObjects")  # ReportLab's own methods again
        monkeypatch.delattr(font, "addObjects")
    assert layout.render(facts, "Test", story()) == cached
