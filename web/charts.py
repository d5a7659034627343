"""Charts as inline SVG built on the server: no script, no external service, readable by screen readers.

Each chart carries a <title> and <desc> and the pages print the same figures in a table or
list next to it, so the picture is for looking and the numbers stay accessible.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape

from markupsafe import Markup

from domain.calendar import SHANGHAI

# Charts are drawn about a phone's width, and an SVG is shown at its own width, shrunk only to
# fit (app.css): text of FONT_UNITS (app.css sets the same) stays at least 11 px on a 390 px
# phone, inside a card's padding too, where a wider drawing would shrink it below legibility.
CHART_WIDTH = 400
FONT_UNITS = 14
# A label's characters' estimated widths, in ems: CJK ideographs are square, Latin narrower.
WIDE_CHAR, NARROW_CHAR = 1.0, 0.6
PALETTE = ("#2b6cb0", "#2f855a", "#c05621", "#6b46c1", "#b83280", "#4a5568")


@dataclass(frozen=True)
class Series:
    """One line of a step chart: the value holds from each point until the next."""

    name: str
    points: Sequence[tuple[datetime, int]]


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    note: str = ""


def _plain(value: int) -> str:
    return f"{value:,}"


def text_width(text: str) -> float:
    """About how wide the text draws at the charts' font size, in drawing units."""
    return FONT_UNITS * sum(WIDE_CHAR if ord(char) >= 0x2E80 else NARROW_CHAR for char in text)


def _fitted(label: str, room: float) -> str:
    """The label, cut with an ellipsis where it would run past `room` units."""
    if text_width(label) <= room:
        return label
    while label and text_width(label + "…") > room:
        label = label[:-1]
    return label + "…"


def _open_svg(width: int, height: int, title: str) -> list[str]:
    return [
        f'<svg class="chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]


def _nice_ceiling(value: int) -> int:
    """The smallest 1, 2 or 5 × 10^k at or above the value, so axis ticks are round numbers."""
    if value <= 0:
        return 1
    magnitude = 1
    while magnitude * 10 <= value:
        magnitude *= 10
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def step_chart(
    series: Sequence[Series],
    *,
    title: str,
    empty_text: str,
    value_format: Callable[[int], str] = _plain,
    time_format: Callable[[datetime], str] = lambda moment: moment.astimezone(SHANGHAI).strftime("%m-%d"),
    width: int = CHART_WIDTH,
    height: int = 260,
) -> Markup:
    """Values over time as step lines (money moves in jumps, never along a slope).

    The value axis is as wide as its longest label, and each line's legend has a row of its
    own below the plot (`height` is the drawing's height with one row; each more adds one). Its
    dates are Beijing's, as every time on the pages (a movement at 07:54 on the 7th in Beijing
    is not on the 6th)."""
    moments = sorted({moment for line in series for moment, _ in line.points})
    if not moments:
        return Markup(f'<p class="chart-empty">{escape(empty_text)}</p>')
    ceiling = _nice_ceiling(max((value for line in series for _, value in line.points), default=0))
    ticks = [ceiling * tick // 4 for tick in range(5)]
    legend_row = 18
    height += legend_row * max(len(series) - 1, 0)
    left = max(88, round(max(text_width(value_format(value)) for value in ticks)) + 12)
    right, top, bottom = 12, 12, 38 + legend_row * max(len(series), 1)
    plot_w, plot_h = width - left - right, height - top - bottom
    start, end = moments[0], moments[-1]
    span = max((end - start).total_seconds(), 1.0)

    def x(moment: datetime) -> float:
        return left + plot_w * (moment - start).total_seconds() / span

    def y(value: int) -> float:
        return top + plot_h * (1 - value / ceiling)

    parts = _open_svg(width, height, title)
    for value in ticks:
        parts.append(
            f'<line class="grid" x1="{left}" x2="{width - right}" y1="{y(value):.1f}" y2="{y(value):.1f}"/>'
            f'<text class="tick" x="{left - 6}" y="{y(value) + 4:.1f}" text-anchor="end">'
            f"{escape(value_format(value))}</text>"
        )
    for moment in (start, end) if end != start else (start,):
        anchor = "start" if moment == start else "end"
        parts.append(
            f'<text class="tick" x="{x(moment):.1f}" y="{height - bottom + 18}" text-anchor="{anchor}">'
            f"{escape(time_format(moment))}</text>"
        )
    for index, line in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        points = sorted(line.points)
        if not points:
            continue
        first_moment, first_value = points[0]
        path = [f"M{x(first_moment):.1f},{y(first_value):.1f}"]
        path += [f"H{x(moment):.1f} V{y(value):.1f}" for moment, value in points[1:]]
        path.append(f"H{left + plot_w:.1f}")  # the last value holds to the edge, a lone point too
        parts.append(
            f'<path class="series" stroke="{colour}" d="{" ".join(path)}">'
            f"<title>{escape(line.name)}</title></path>"
        )
        legend_y = height - bottom + 40 + index * legend_row
        parts.append(
            f'<rect x="{left}" y="{legend_y - 10}" width="10" height="10" fill="{colour}"/>'
            f'<text class="legend" x="{left + 14}" y="{legend_y}">'
            f"{escape(_fitted(line.name, plot_w - 14))}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def bar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    empty_text: str,
    value_format: Callable[[int], str] = _plain,
    width: int = CHART_WIDTH,
    row_height: int = 28,
) -> Markup:
    """Horizontal bars: long labels (business names) stay readable on a narrow phone screen."""
    if not bars:
        return Markup(f'<p class="chart-empty">{escape(empty_text)}</p>')
    value_w = round(max(text_width(value_format(bar.value)) for bar in bars)) + 12
    label_w = min(170, round(max(text_width(bar.label) for bar in bars)) + 12)
    plot_w = width - label_w - value_w
    ceiling = max(max(bar.value for bar in bars), 1)
    height = row_height * len(bars) + 8
    parts = _open_svg(width, height, title)
    for index, bar in enumerate(bars):
        top = 4 + index * row_height
        length = plot_w * bar.value / ceiling
        label = _fitted(bar.label, label_w - 6)
        parts.append(
            f'<text class="legend" x="{label_w - 6}" y="{top + row_height * 0.65:.1f}" text-anchor="end">'
            f"{escape(label)}<title>{escape(bar.label)}</title></text>"
            f'<rect x="{label_w}" y="{top + 3}" width="{length:.1f}" height="{row_height - 8}" '
            f'fill="{PALETTE[0]}"><title>{escape(bar.label)}: {escape(value_format(bar.value))} '
            f"{escape(bar.note)}</title></rect>"
            f'<text class="tick" x="{label_w + length + 6:.1f}" y="{top + row_height * 0.65:.1f}">'
            f"{escape(value_format(bar.value))}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
