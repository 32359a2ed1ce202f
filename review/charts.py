"""Server-side SVG charts for the 类案分析 page and the weekly report: no script, no remote resource.

Readable printed in black and white: every series has its own fill pattern (hatching, dots,
cross-hatching, …) over a light colour, values are written on the chart, and legends show the
patterns. Only presentation attributes are used (the console's CSP forbids inline styles). Text
is escaped here; the result is Markup for the templates.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

FONT = "PingFang SC, Noto Sans CJK SC, Microsoft YaHei, WenQuanYi Micro Hei, sans-serif"
INK = "#1d2630"
MUTED = "#607080"
# (background colour, pattern body) per series; the pattern lines are black, so grey print keeps them apart.
_PATTERNS: tuple[tuple[str, str], ...] = (
    ("#9dc3e6", '<path d="M0,8 L8,0" stroke="#000" stroke-width="1.2"/>'),  # diagonal
    ("#f4b183", '<circle cx="4" cy="4" r="1.6" fill="#000"/>'),  # dots
    ("#a9d18e", '<path d="M0,4 L8,4 M4,0 L4,8" stroke="#000" stroke-width="1"/>'),  # grid
    ("#ffd966", '<path d="M0,0 L8,8" stroke="#000" stroke-width="1.2"/>'),  # back diagonal
    ("#c9a0dc", '<path d="M0,2 L8,2 M0,6 L8,6" stroke="#000" stroke-width="1"/>'),  # horizontal
    ("#d9d9d9", ""),  # plain (其他)
    ("#8faadc", '<path d="M2,0 L2,8 M6,0 L6,8" stroke="#000" stroke-width="1"/>'),  # vertical
    ("#e2a6a6", '<path d="M0,8 L8,0 M0,0 L8,8" stroke="#000" stroke-width="0.8"/>'),  # cross
)


def _defs(prefix: str, count: int) -> str:
    out = []
    for i in range(count):
        colour, body = _PATTERNS[i % len(_PATTERNS)]
        out.append(
            f'<pattern id="{prefix}-p{i}" width="8" height="8" patternUnits="userSpaceOnUse">'
            f'<rect width="8" height="8" fill="{colour}"/>{body}</pattern>'
        )
    return f"<defs>{''.join(out)}</defs>"


def fill(prefix: str, i: int) -> str:
    return f"url(#{prefix}-p{i % len(_PATTERNS)})"


def _svg(width: int, height: int, body: str, label: str, css_class: str) -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {css_class}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(label)}" '
        f'font-family="{FONT}" font-size="11" fill="{INK}">{body}</svg>'
    )


def _text(
    x: float,
    y: float,
    text: object,
    *,
    anchor: str = "start",
    size: int = 11,
    colour: str = INK,
    weight: str = "normal",
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" fill="{colour}" '
        f'font-weight="{weight}">{escape(str(text))}</text>'
    )


def _link(href: str | None, inner: str, title: str) -> str:
    tip = f"<title>{escape(title)}</title>"
    if not href:
        return f"<g>{tip}{inner}</g>"
    return f'<a href="{escape(href)}">{tip}{inner}</a>'


def _nice_max(value: float) -> int:
    """A round axis maximum at or above `value` (1, 2, 5 × 10ⁿ)."""
    if value <= 0:
        return 1
    step = 1
    while True:
        for m in (1, 2, 5):
            if m * step >= value:
                return m * step
        step *= 10


@dataclass(frozen=True, slots=True)
class Series:
    label: str
    values: Sequence[int]
    pattern: int | None = None  # default: the series' position; PLAIN for a rest such as 其他


PLAIN = 5  # the pattern without lines


def stacked_weeks(
    weeks: Sequence[str],
    series: Sequence[Series],
    *,
    prefix: str = "cw",
    href: Callable[[int, int], str | None] | None = None,
    width: int = 640,
    height: int = 250,
    title: str = "每周线索（按类别）",
) -> Markup:
    """Stacked columns, one per week, one patterned segment per series; totals on top.

    `href(series_index, week_index)` gives each segment's drill-down link.
    """
    left, right, top, bottom = 30, 118, 16, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(s.values[w] for s in series) for w in range(len(weeks))]
    ymax = _nice_max(max(totals, default=0))
    slot = plot_w / max(len(weeks), 1)
    bar = slot * 0.68
    parts = [_defs(prefix, len(_PATTERNS))]
    pattern = [
        s.pattern if s.pattern is not None else (i if i < PLAIN else i + 1) for i, s in enumerate(series)
    ]
    for tick in range(0, 5):  # light grid and axis labels
        v = ymax * tick / 4
        y = top + plot_h - plot_h * tick / 4
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#d0d7de" '
            f'stroke-width="0.6"/>'
        )
        parts.append(_text(left - 4, y + 4, f"{v:g}", anchor="end", size=10, colour=MUTED))
    for w, week in enumerate(weeks):
        x = left + slot * w + (slot - bar) / 2
        y = top + plot_h
        for i, s in enumerate(series):
            v = s.values[w]
            if not v:
                continue
            h = plot_h * v / ymax
            y -= h
            rect = (
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{fill(prefix, pattern[i])}" '
                f'stroke="#000" stroke-width="0.6"/>'
            )
            parts.append(_link(href(i, w) if href else None, rect, f"{week} {s.label}：{v} 条"))
        parts.append(_text(x + bar / 2, y - 3, totals[w], anchor="middle", size=10, weight="bold"))
        parts.append(_text(x + bar / 2, top + plot_h + 14, week[-3:], anchor="middle", size=10, colour=MUTED))
    parts.append(
        _text(left, height - 4, f"{weeks[0]} 至 {weeks[-1]}" if weeks else "", size=10, colour=MUTED)
    )
    for i, s in enumerate(series):  # legend: pattern swatch, name, period total
        y = top + 4 + i * 19
        parts.append(
            f'<rect x="{width - right + 8}" y="{y}" width="14" height="14" fill="{fill(prefix, pattern[i])}" '
            f'stroke="#000" stroke-width="0.6"/>'
        )
        parts.append(_text(width - right + 26, y + 11, f"{s.label} {sum(s.values)}", size=11))
    return _svg(width, height, "".join(parts), title, "stacked")


def sparkline(
    values: Sequence[int],
    *,
    width: int = 120,
    height: int = 30,
    marker_at: int | None = None,
    label: str = "每周线索",
) -> Markup:
    """A small line of weekly counts; the last week's value written at its end."""
    if not values:
        return Markup("")
    ymax = max(max(values), 1)
    step = (width - 26) / max(len(values) - 1, 1)

    def xy(i: int, v: int) -> tuple[float, float]:
        return 2 + i * step, height - 4 - (height - 8) * v / ymax

    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(i, v) for i, v in enumerate(values)))
    x, y = xy(len(values) - 1, values[-1])
    body = [
        f'<polyline points="{points}" fill="none" stroke="{INK}" stroke-width="1.5"/>',
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{INK}"/>',
        _text(x + 5, min(max(y + 4, 10), height - 2), values[-1], size=10, weight="bold"),
    ]
    if marker_at is not None and 0 <= marker_at < len(values):
        mx = xy(marker_at, 0)[0]
        body.append(
            f'<line x1="{mx:.1f}" y1="0" x2="{mx:.1f}" y2="{height}" stroke="{INK}" '
            f'stroke-dasharray="3,2" stroke-width="1"/>'
        )
    return _svg(width, height, "".join(body), label, "spark")


@dataclass(frozen=True, slots=True)
class RateRow:
    label: str
    sla: float | None  # share 0..1
    returned: float | None  # share 0..1
    sla_href: str | None = None
    returned_href: str | None = None
    note: str = ""


def department_rates(rows: Sequence[RateRow], *, prefix: str = "dept", width: int = 640) -> Markup:
    """Two bars per department: 按时签收率 (hatched) and 退单率 (dotted), each with its percentage."""
    left, right, row_h, top = 150, 70, 30, 24
    plot_w = width - left - right
    height = top + row_h * len(rows) + 8
    parts = [
        _defs(prefix, 2),
        f'<rect x="{left}" y="4" width="12" height="12" fill="{fill(prefix, 0)}" stroke="#000" stroke-width="0.6"/>',
        _text(left + 16, 14, "按时签收率"),
        f'<rect x="{left + 100}" y="4" width="12" height="12" fill="{fill(prefix, 1)}" stroke="#000" '
        f'stroke-width="0.6"/>',
        _text(left + 116, 14, "退单率"),
    ]
    for r, row in enumerate(rows):
        y = top + r * row_h
        parts.append(_text(left - 6, y + 17, row.label, anchor="end"))
        for k, (value, href, name) in enumerate(
            ((row.sla, row.sla_href, "按时签收率"), (row.returned, row.returned_href, "退单率"))
        ):
            by = y + 3 + k * 12
            if value is None:
                parts.append(_text(left + 2, by + 9, "—", size=10, colour=MUTED))
                continue
            w = max(plot_w * value, 1)
            rect = (
                f'<rect x="{left}" y="{by}" width="{w:.1f}" height="10" fill="{fill(prefix, k)}" '
                f'stroke="#000" stroke-width="0.6"/>'
            )
            parts.append(_link(href, rect, f"{row.label} {name} {value:.0%}"))
            parts.append(_text(left + w + 4, by + 9, f"{value:.0%}", size=10))
        if row.note:
            parts.append(_text(width - 4, y + 17, row.note, anchor="end", size=10, colour=MUTED))
    return _svg(width, height, "".join(parts), "各部门按时签收率与退单率", "rates")


def weekly_line(
    weeks: Sequence[str],
    values: Sequence[int],
    *,
    marks: Sequence[tuple[int, str]] = (),
    width: int = 640,
    height: int = 200,
    href: Callable[[int], str | None] | None = None,
) -> Markup:
    """Weekly counts of one case as a line with its values; `marks` are (week index, label) rules,
    e.g. when a suggestion was raised or the department rectified."""
    left, right, top, bottom = 34, 16, 20, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    ymax = _nice_max(max(values, default=0))
    step = plot_w / max(len(values) - 1, 1)

    def xy(i: int, v: int) -> tuple[float, float]:
        return left + i * step, top + plot_h - plot_h * v / ymax

    parts = []
    for tick in range(0, 5):
        y = top + plot_h - plot_h * tick / 4
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#d0d7de" '
            f'stroke-width="0.6"/>'
        )
        parts.append(_text(left - 4, y + 4, f"{ymax * tick / 4:g}", anchor="end", size=10, colour=MUTED))
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(i, v) for i, v in enumerate(values)))
    parts.append(f'<polyline points="{points}" fill="none" stroke="{INK}" stroke-width="2"/>')
    for i, v in enumerate(values):
        x, y = xy(i, v)
        dot = f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="#fff" stroke="{INK}" stroke-width="1.5"/>'
        parts.append(_link(href(i) if href else None, dot, f"{weeks[i]}：{v} 条"))
        parts.append(_text(x, y - 7, v, anchor="middle", size=10))
        if len(weeks) <= 16 or i % 2 == 0:
            parts.append(_text(x, top + plot_h + 14, weeks[i][-3:], anchor="middle", size=10, colour=MUTED))
    for i, label in marks:
        x = xy(i, 0)[0]
        parts.append(
            f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{top + plot_h}" stroke="{INK}" '
            f'stroke-dasharray="5,3" stroke-width="1.2"/>'
        )
        parts.append(_text(x + 3, top + 4, label, size=10, weight="bold"))
    return _svg(width, height, "".join(parts), "每周线索", "line")
