"""Charts drawn on the server as inline SVG: no script, no remote resources, and no inline style
(the console's CSP forbids it; SVG geometry is attributes). Every text passes through escape()."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from markupsafe import Markup, escape

# Outcome colours: healthy answers green/grey, refusals red/orange, parse trouble purple.
COLOURS = {"ok": "#2e7d32", "empty": "#9aa5b1", "end": "#c5ccd3", "login_required": "#e08a00",
           "rate_limited": "#f0a500", "blocked": "#c62828", "captcha": "#ad1457", "signature_rejected": "#d84315",
           "not_found": "#6d4c41", "malformed": "#6a1b9a", "slow": "#0277bd", "unreachable": "#000000"}
OTHER = "#607080"


def stacked_bars(columns: Sequence[tuple[str, Mapping[str, int]]], names: Mapping[str, str], *,
                 width: int = 320, height: int = 90) -> Markup:
    """One stacked column per (label, counts); the tallest column fills the height."""
    if not columns:
        return Markup("")
    peak = max(sum(c.values()) for _, c in columns) or 1
    step = width / len(columns)
    bar = max(step - 2, 1)
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height + 14}" width="{width}" height="{height + 14}" '
             f'role="img" aria-label="{escape("每小时响应结果")}">']
    for i, (label, counts) in enumerate(columns):
        x = i * step
        y = float(height)
        title = "；".join(f"{names.get(o, o)} {n}" for o, n in sorted(counts.items()))
        parts.append(f"<g><title>{escape(label)}：{escape(title)}</title>")
        for outcome, n in sorted(counts.items()):
            h = height * n / peak
            y -= h
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                         f'fill="{COLOURS.get(outcome, OTHER)}"></rect>')
        parts.append("</g>")
        if i % 3 == 0:
            parts.append(f'<text x="{x:.1f}" y="{height + 12}" font-size="10" fill="#607080">{escape(label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def legend(outcomes: Sequence[str], names: Mapping[str, str]) -> Markup:
    items = []
    for o in outcomes:
        swatch = (f'<svg width="10" height="10" aria-hidden="true"><rect width="10" height="10" '
                  f'fill="{COLOURS.get(o, OTHER)}"></rect></svg>')
        items.append(f'<span class="key">{swatch} {escape(names.get(o, o))}</span>')
    return Markup(" ".join(items))
