"""Server-side bar charts as inline SVG, each with the same numbers as a table for screen readers.

No JavaScript library and no CDN (the app must work on a closed network): a chart is SVG text made here and
put in the page as is. Every chart is a `Chart`: the SVG (role="img", named by its <title> and described by its
<desc> through aria-labelledby) and the table alternative (`columns`, `rows`) that the template shows in a
<details> under it, with exactly the numbers the bars were drawn from.

Colours keep contrast and never carry meaning alone: bars are dark blue (#1d4f91, 8.6:1 on white); a bar that
stands out (past a deadline, say) is dark red (#a4262c, 6.6:1) AND hatched AND named in its label and in the
table; a reference line (a deadline) is dashed and labelled in words. Every bar has its value written at its
end, so no one has to read a value off the axis.

The text is escaped here (labels come from records: provider and team names), so the SVG is safe to mark safe.
"""

import dataclasses
import math

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

BAR = "#1d4f91"
EMPHASIS = "#a4262c"
INK = "#212529"
MUTED = "#495057"
GRID = "#d3d6da"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"

WIDTH = 640  # viewBox units; the SVG scales to its container
CHAR = 6.6  # average width of a 12-unit character, to size the label column
LABEL_MAX = 46  # characters of a category label before it is cut with "…" (the table has it in full)
ROW = 26
BAR_THICKNESS = 18
TICKS = 5


@dataclasses.dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str = ""  # the value as written at the bar's end; the value itself when empty
    emphasis: bool = False  # drawn red and hatched; the label already says why
    tick: str = ""  # a vertical chart's axis text under the column, lines split by "\n"; the label when empty


@dataclasses.dataclass(frozen=True)
class Marker:
    """A reference line at `value` on the value axis (horizontal charts) or before bar `index` (vertical)."""

    label: str
    value: float | None = None
    index: int | None = None


@dataclasses.dataclass(frozen=True)
class Chart:
    id: str
    title: str
    description: str
    svg: SafeString | None  # None when there is nothing to draw (the template says so in words)
    columns: tuple[str, ...]
    rows: list[tuple]
    empty_text: str = ""


def number(value) -> str:
    """A value as the chart and the table write it: whole numbers bare, others with up to 2 decimals."""
    if value is None:
        return "n/a"
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def nice_scale(maximum: float) -> tuple[float, list[float]]:
    """An axis end and its ticks: steps of 1, 2 or 5 times a power of ten, about TICKS of them, from 0."""
    if maximum <= 0:
        return 1.0, [0.0, 1.0]
    raw = maximum / TICKS
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    if maximum >= 1 and step < 1:
        step = 1.0
    end = math.ceil(maximum / step - 1e-9) * step
    count = round(end / step)
    return end, [round(i * step, 10) for i in range(count + 1)]


def _cut(label: str, limit: int = LABEL_MAX) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _text(x, y, content, *, anchor="start", size=12, fill=INK, weight=None, extra=""):
    bold = f' font-weight="{weight}"' if weight else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" fill="{fill}"{bold}{extra}>'
        f"{escape(content)}</text>"
    )


def _open(chart_id, title, description, height):
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'viewBox="0 0 {WIDTH} {height:.0f}" width="100%" '
        f'font-family="{escape(FONT)}" class="dashboard-chart">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
        f'<defs><pattern id="{chart_id}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="{EMPHASIS}"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="#ffffff" stroke-width="2"/></pattern></defs>',
        f'<rect width="{WIDTH}" height="{height:.0f}" fill="#ffffff"/>',
    ]


def _fill(chart_id, bar):
    return f"url(#{chart_id}-hatch)" if bar.emphasis else BAR


def _stroke(bar):
    return f' stroke="{EMPHASIS}" stroke-width="1"' if bar.emphasis else ""


def _axes(left, right, top, plot_height):
    """The two axis lines of a bar chart: up the left and along the bottom of the plot."""
    return [
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_height}" stroke="{INK}"/>',
        f'<line x1="{left}" y1="{top + plot_height}" x2="{right}" y2="{top + plot_height}" stroke="{INK}"/>',
    ]


def _side_label(text, top, plot_height):
    """The axis name written up the left edge, beside the middle of the plot."""
    middle = top + plot_height / 2
    return _text(14, middle, text, anchor="middle", fill=MUTED, extra=f' transform="rotate(-90 14 {middle:.1f})"')


def _marker_line(x, y1, y2):
    """A marker (a target, the start of a period) as a dashed line, in the emphasis colour."""
    return (
        f'<line x1="{x:.1f}" y1="{y1}" x2="{x:.1f}" y2="{y2}" stroke="{EMPHASIS}" '
        f'stroke-width="2" stroke-dasharray="6 4"/>'
    )


def _chart(parts, chart_id, title, description, columns, rows, empty_text) -> Chart:
    """Close the SVG begun by _open: the chart, with its table of the same figures."""
    parts.append("</svg>")
    return Chart(chart_id, title, description, mark_safe("".join(parts)), columns, rows, empty_text)  # noqa: S308


def horizontal_bars(
    chart_id: str,
    title: str,
    description: str,
    bars: list[Bar],
    *,
    value_axis: str,
    category_axis: str,
    columns: tuple[str, ...],
    rows: list[tuple],
    marker: Marker | None = None,
    scale_max: float | None = None,
    empty_text: str = "Nothing to show for this period.",
) -> Chart:
    """Categories down the left, one bar each, values along the bottom (0 at the left; to `scale_max` when
    given, e.g. 100 for percentages)."""
    if not bars:
        return Chart(chart_id, title, description, None, columns, rows, empty_text)
    label_width = min(LABEL_MAX, max(len(b.label) for b in bars)) * CHAR + 16
    left = max(90.0, label_width)
    right = WIDTH - max(40.0, max(len(b.text or number(b.value)) for b in bars) * CHAR + 12)  # room for the values
    top = 30 if marker else 12
    plot_height = ROW * len(bars)
    height = top + plot_height + 52
    maximum = max([b.value for b in bars] + ([marker.value] if marker and marker.value is not None else []))
    end, ticks = nice_scale(max(maximum, scale_max or 0))

    def x(value):
        return left + (right - left) * (value / end)

    parts = _open(chart_id, title, description, height)
    for tick in ticks:
        parts.append(
            f'<line x1="{x(tick):.1f}" y1="{top}" x2="{x(tick):.1f}" y2="{top + plot_height}" stroke="{GRID}"/>'
        )
        parts.append(_text(x(tick), top + plot_height + 16, number(tick), anchor="middle", size=11, fill=MUTED))
    for i, bar in enumerate(bars):
        y = top + i * ROW + (ROW - BAR_THICKNESS) / 2
        width = max(0.0, x(bar.value) - left)
        shown = bar.text or number(bar.value)
        parts.append(f"<g><title>{escape(bar.label)}: {escape(shown)}</title>")
        parts.append(
            f'<rect x="{left:.1f}" y="{y:.1f}" width="{width:.1f}" height="{BAR_THICKNESS}" '
            f'fill="{_fill(chart_id, bar)}"{_stroke(bar)}/>'
        )
        parts.append(_text(left - 8, y + BAR_THICKNESS / 2 + 4, _cut(bar.label), anchor="end"))
        parts.append(_text(left + width + 5, y + BAR_THICKNESS / 2 + 4, shown, weight="600"))
        parts.append("</g>")
    parts += _axes(left, right, top, plot_height)
    if marker and marker.value is not None:
        mx = x(marker.value)
        parts.append(_marker_line(mx, top - 6, top + plot_height))
        parts.append(_text(mx, top - 10, marker.label, anchor="middle", size=11, fill=EMPHASIS, weight="600"))
    parts.append(_text((left + right) / 2, height - 14, value_axis, anchor="middle", fill=MUTED))
    parts.append(_side_label(category_axis, top, plot_height))
    return _chart(parts, chart_id, title, description, columns, rows, empty_text)


def vertical_bars(
    chart_id: str,
    title: str,
    description: str,
    bars: list[Bar],
    *,
    value_axis: str,
    category_axis: str,
    columns: tuple[str, ...],
    rows: list[tuple],
    marker: Marker | None = None,
    empty_text: str = "Nothing to show for this period.",
) -> Chart:
    """One column per category along the bottom (its `tick`, up to two short lines, or its label), values up the
    left from 0. A marker with an `index` is a dashed line before that column."""
    if not bars:
        return Chart(chart_id, title, description, None, columns, rows, empty_text)
    left, right = 56.0, WIDTH - 12.0
    top = 46.0 if marker else 30.0  # room above the tallest value for the marker's words
    plot_height = 200.0
    height = top + plot_height + 76
    end, ticks = nice_scale(max(b.value for b in bars))
    slot = (right - left) / len(bars)
    thickness = min(44.0, slot * 0.7)

    def y(value):
        return top + plot_height - plot_height * (value / end)

    parts = _open(chart_id, title, description, height)
    for tick in ticks:
        parts.append(f'<line x1="{left}" y1="{y(tick):.1f}" x2="{right}" y2="{y(tick):.1f}" stroke="{GRID}"/>')
        parts.append(_text(left - 6, y(tick) + 4, number(tick), anchor="end", size=11, fill=MUTED))
    small = 10 if slot < 44 else 11
    for i, bar in enumerate(bars):
        cx = left + slot * (i + 0.5)
        top_of_bar = y(bar.value)
        shown = bar.text or number(bar.value)
        parts.append(f"<g><title>{escape(bar.label)}: {escape(shown)}</title>")
        parts.append(
            f'<rect x="{cx - thickness / 2:.1f}" y="{top_of_bar:.1f}" width="{thickness:.1f}" '
            f'height="{top + plot_height - top_of_bar:.1f}" fill="{_fill(chart_id, bar)}"{_stroke(bar)}/>'
        )
        parts.append(_text(cx, top_of_bar - 5, shown, anchor="middle", size=small, weight="600"))
        for line, tick in enumerate((bar.tick or bar.label).split("\n")[:2]):
            parts.append(_text(cx, top + plot_height + 15 + 13 * line, _cut(tick, 10), anchor="middle", size=small))
        parts.append("</g>")
    parts += _axes(left, right, top, plot_height)
    if marker and marker.index is not None:
        mx = left + slot * marker.index
        parts.append(_marker_line(mx, top - 30, top + plot_height))
        parts.append(_text(mx + 4, top - 24, marker.label, size=11, fill=EMPHASIS, weight="600"))
    parts.append(_text((left + right) / 2, height - 12, category_axis, anchor="middle", fill=MUTED))
    parts.append(_side_label(value_axis, top, plot_height))
    return _chart(parts, chart_id, title, description, columns, rows, empty_text)


@dataclasses.dataclass(frozen=True)
class Span:
    """A stretch of time on one lane of a `lanes` chart, from `start` to `end` on the time axis (the caller's
    units: seconds since the axis starts, say). `start == end` is a moment, drawn as a thin mark."""

    lane: int
    start: float
    end: float
    label: str  # the full words, shown when pointed at (and in the table)
    text: str = ""  # short words written on the span when it is wide enough
    emphasis: bool = False  # drawn red and hatched; `label` already says why
    level: float | None = None  # 0-1: a step of that height in the lane (a level, e.g. a risk band); None fills it


LANE = 40
LANE_BAR = 22
MARK = 3.0  # the narrowest span drawn, so a few hours on an axis of years is still seen


def lanes(
    chart_id: str,
    title: str,
    description: str,
    lane_names: list[str],
    spans: list[Span],
    *,
    end: float,
    ticks: list[tuple[float, str]],
    time_axis: str,
    columns: tuple[str, ...],
    rows: list[tuple],
    empty_text: str = "Nothing to show for this period.",
) -> Chart:
    """Time along the bottom from 0 to `end`, a lane per name down the left, each span a bar on its lane (or a step
    of its `level`), its `text` written on it when it fits and its `label` as its tooltip. `ticks` are (position,
    words) on the time axis, e.g. the first of each month."""
    if not spans or end <= 0:
        return Chart(chart_id, title, description, None, columns, rows, empty_text)
    left = max(90.0, min(LABEL_MAX, max(len(name) for name in lane_names)) * CHAR + 16)
    right = WIDTH - 16.0
    top = 12.0
    plot_height = LANE * len(lane_names)
    height = top + plot_height + 52

    def x(value):
        return left + (right - left) * (min(max(value, 0.0), end) / end)

    parts = _open(chart_id, title, description, height)
    for position, words in ticks:
        parts.append(
            f'<line x1="{x(position):.1f}" y1="{top}" x2="{x(position):.1f}" y2="{top + plot_height}" '
            f'stroke="{GRID}"/>'
        )
        parts.append(_text(x(position), top + plot_height + 16, words, anchor="middle", size=11, fill=MUTED))
    for index, name in enumerate(lane_names):
        middle = top + index * LANE + LANE / 2
        parts.append(_text(left - 8, middle + 4, _cut(name), anchor="end"))
        if index:
            parts.append(f'<line x1="{left}" y1="{top + index * LANE}" x2="{right}" y2="{top + index * LANE}" '
                         f'stroke="{GRID}"/>')
    for span in spans:
        x1 = x(span.start)
        width = max(MARK, x(span.end) - x1)
        bottom = top + span.lane * LANE + (LANE + LANE_BAR) / 2
        bar = LANE_BAR if span.level is None else max(3.0, (LANE - 12) * span.level)
        stroke = _stroke(span) or ' stroke="#ffffff" stroke-width="1"'  # white parts neighbouring spans
        parts.append(f"<g><title>{escape(span.label)}</title>")
        parts.append(
            f'<rect x="{x1:.1f}" y="{bottom - bar:.1f}" width="{width:.1f}" height="{bar:.1f}" '
            f'fill="{_fill(chart_id, span)}"{stroke}/>'
        )
        room = int((width - 6) / CHAR)
        if span.text and span.emphasis:
            # Hatched: the words go before it, in the emphasis colour (6.6:1 on white), where there is room.
            room = int((x1 - left - 6) / CHAR)
            if room >= 4:
                words = _cut(span.text, room)
                # On white, over the spans before it, so they do not cross the words.
                parts.append(f'<rect x="{x1 - 6 - len(words) * CHAR:.1f}" y="{bottom - bar / 2 - 8:.1f}" '
                             f'width="{len(words) * CHAR + 4:.1f}" height="16" fill="#ffffff"/>')
                parts.append(_text(x1 - 4, bottom - bar / 2 + 4, words, anchor="end", size=11, fill=EMPHASIS,
                                   weight="600"))
        elif span.text and room >= min(len(span.text), 4):
            # White on the dark blue bar (8.6:1); on a low step the words sit above it, in ink.
            inside = bar >= 14
            baseline = bottom - bar / 2 + 4 if inside else bottom - bar - 3
            parts.append(_text(x1 + 3, baseline, _cut(span.text, room), size=11,
                               fill="#ffffff" if inside else INK, weight="600"))
        parts.append("</g>")
    parts += _axes(left, right, top, plot_height)
    parts.append(_text((left + right) / 2, height - 14, time_axis, anchor="middle", fill=MUTED))
    return _chart(parts, chart_id, title, description, columns, rows, empty_text)
