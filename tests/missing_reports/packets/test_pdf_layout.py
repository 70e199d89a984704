"""The packet PDF's own flowables: label/value grids that split across pages without losing text."""

import io
import re

from pypdf import PdfReader

from missing_reports.packets.pdf import layout


def frame_facts():
    return {
        "youth": {"case_number": "CASE-1"},
        "episode": {"id": 7},
        "generated_for": {"agency": {"name": "Test Agency"}},
        "schema_version": "1.0",
    }


def text_of(pdf_bytes):
    reader = PdfReader(io.BytesIO(pdf_bytes))
    return [re.sub(r"\s+", " ", page.extract_text()) for page in reader.pages]


def test_a_value_longer_than_a_page_is_split_over_pages_and_kept_whole():
    words = [f"word{n:04d}" for n in range(1500)]
    story = layout.section(
        "Missing event", layout.fields([("Circumstances", " ".join(words)), ("Vehicle", "Blue van")])
    )
    pages = text_of(layout.render(frame_facts(), "Test", story))
    assert len(pages) >= 2
    everything = " ".join(pages)
    assert re.findall(r"word\d{4}", everything) == words
    assert "Vehicle Blue van" in everything


def test_a_long_grid_repeats_its_header_on_each_page():
    rows = [[f"Row {n}", "Returned", "Home", "Returned on their own"] for n in range(120)]
    widths = [1.75 * layout.inch, 1.75 * layout.inch, layout.CONTENT_WIDTH - 5.1 * layout.inch, 1.6 * layout.inch]
    story = layout.section(
        "Prior missing episodes", layout.grid(["Last seen", "Returned", "Where found", "How located"], rows, widths)
    )
    pages = text_of(layout.render(frame_facts(), "Test", story))
    assert len(pages) >= 2
    for page in pages:
        assert "Last seen Returned Where found How located" in page
    assert all(f"Row {n} " in " ".join(pages) for n in range(120))


def test_a_word_wider_than_its_cell_is_cut_not_lost():
    lines = layout._wrap("x" * 200, "Helvetica", 9, 100)
    assert len(lines) > 1 and "".join(lines) == "x" * 200
    assert layout._wrap("", "Helvetica", 9, 100) == [""]
    assert layout._wrap("a b\nc", "Helvetica", 9, 100) == ["a b", "c"]


def test_plain_lines_longer_than_a_page_split_between_lines_and_keep_every_word():
    words = [f"note{n:04d}" for n in range(1500)]
    story = [layout.Lines("Title line", "title"), *layout.section("Notes", layout.Lines(" ".join(words), "note"))]
    pages = text_of(layout.render(frame_facts(), "Test", story))
    assert len(pages) >= 2
    assert pages[0].index("Title line") < pages[0].index("NOTES")
    assert re.findall(r"note\d{4}", " ".join(pages)) == words


def test_an_empty_value_prints_not_recorded():
    pages = text_of(layout.render(frame_facts(), "Test", layout.section("Placement at the time", layout.para(""))))
    assert "PLACEMENT AT THE TIME Not recorded" in pages[0]
