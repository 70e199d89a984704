"""The lanes chart (exports/charts.py `lanes`) the pattern timeline draws: text from records is escaped, a moment is
still seen, a span still open is hatched and named in words, and nothing to draw is said in words."""

import re

from exports import charts


def chart(spans, **extra):
    return charts.lanes(
        "t", "A title", "A description", ["Placements", "Missing episodes"], spans, end=100.0,
        ticks=[(0.0, "Jan 2026"), (50.0, "Feb 2026")], time_axis="Agency time", columns=("a",), rows=[("x",)],
        **extra,
    )


def test_the_svg_is_named_described_and_escapes_what_records_say():
    svg = chart([charts.Span(0, 0, 60, 'Group home: <script>"x"</script>', text="<b>Oak</b>")]).svg
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="t-title t-desc"')
    assert '<title id="t-title">A title</title>' in svg and '<desc id="t-desc">A description</desc>' in svg
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "&lt;b&gt;Oak" in svg
    assert "Jan 2026" in svg and "Agency time" in svg and "Missing episodes" in svg


def test_a_moment_is_drawn_at_least_a_few_units_wide_and_an_open_span_is_hatched_with_words():
    svg = chart([
        charts.Span(1, 10, 10, "Left and back within the hour"),
        charts.Span(1, 90, 100, "Still missing", text="still missing", emphasis=True),
    ]).svg
    assert f'width="{charts.MARK:.1f}"' in svg
    assert 'fill="url(#t-hatch)"' in svg and ">still missing</text>" in svg


def test_a_level_is_a_step_of_that_height():
    def bar_height(level):
        svg = chart([charts.Span(1, 0, 100, "b", level=level)]).svg
        return float(re.search(rf'height="([\d.]+)" fill="{charts.BAR}"', svg).group(1))

    assert bar_height(0.25) < bar_height(0.5) < bar_height(1.0) < charts.LANE


def test_nothing_to_draw_is_said_in_words():
    empty = chart([], empty_text="No missing episodes recorded.")
    assert empty.svg is None and empty.empty_text == "No missing episodes recorded."
