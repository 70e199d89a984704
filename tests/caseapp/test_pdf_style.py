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
