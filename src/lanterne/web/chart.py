"""A light inline SVG chart of a score's contributions: bars to the right raise it.

Drawn directly (no Matplotlib) because it is on the "My score" page, which must answer
in a few milliseconds. The SVG carries a title and a description; the page shows the same
figures as a table, which is the text alternative.

Example:
    >>> svg = contribution_svg(["RSA", "Income"], [0.6, -0.25], title="Contributions")
    >>> svg.startswith("<svg") and "RSA" in svg
    True
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

UP = "#9c2b1b"  # raises the score (contrast ≥ 4.5:1 on white)
DOWN = "#1d6b3a"  # lowers it
TEXT = "#1a1a1a"


def contribution_svg(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    title: str,
    description: str = "",
    decimals: int = 2,
    decimal_comma: bool = False,
) -> str:
    """Horizontal diverging bars, one per contribution, with the value written beside it."""
    n = len(labels)
    row, label_w, bar_w, pad = 26, 250, 300, 60
    width = label_w + bar_w + 2 * pad
    height = row * n + 30
    extent = max((abs(v) for v in values), default=1.0) or 1.0
    zero = label_w + pad + (bar_w / 2 if any(v < 0 for v in values) else 0)
    scale = (bar_w / 2 if any(v < 0 for v in values) else bar_w) / extent
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" aria-labelledby="contrib-title contrib-desc">',
        f'<title id="contrib-title">{escape(title)}</title>',
        f'<desc id="contrib-desc">{escape(description)}</desc>',
        f'<line x1="{zero:.1f}" y1="5" x2="{zero:.1f}" y2="{height - 20}" stroke="{TEXT}" '
        'stroke-width="1"/>',
    ]
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = 10 + i * row
        w = abs(value) * scale
        x = zero if value >= 0 else zero - w
        colour = UP if value > 0 else DOWN
        text = f"{value:+.{decimals}f}".replace("-", "−")
        if decimal_comma:
            text = text.replace(".", ",")
        short = label if len(label) <= 38 else label[:36] + "…"
        parts.append(
            f'<text x="{label_w - 5}" y="{y + 14}" text-anchor="end" font-size="12" '
            f'fill="{TEXT}">{escape(short)}</text>'
        )
        parts.append(
            f'<rect x="{x:.1f}" y="{y + 3}" width="{max(w, 0.5):.1f}" height="{row - 8}" '
            f'fill="{colour}"/>'
        )
        tx = x + w + 4 if value >= 0 else x - 4
        anchor = "start" if value >= 0 else "end"
        parts.append(
            f'<text x="{tx:.1f}" y="{y + 14}" text-anchor="{anchor}" font-size="12" '
            f'fill="{TEXT}">{escape(text)}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts)
