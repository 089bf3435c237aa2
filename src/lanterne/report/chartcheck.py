"""Check a chart before it is saved: no overlapping text, true tick labels, readable sizes.

Matplotlib knows where it puts every text (its extent, in display units, once the figure
is drawn): :func:`check_figure` compares them pairwise, parses each numeric tick label
back (``25,6 %``, ``0,5×``, ``2 474``) and compares it with the tick's position, and
checks that every text lies inside the figure (nothing cut at its edge), and
works out the smallest text size once the chart is shrunk to a phone's width (the report
shows a chart at most at its drawn size, 1 pt = 4/3 px; see :mod:`lanterne.report.charts`).
Tests hook it into every chart a report draws (``charts.on_figure``).

Example:
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(figsize=(4, 3))
    >>> _ = ax.text(0.5, 0.5, "A"), ax.text(0.5, 0.5, "B")
    >>> [p.split(":")[0] for p in check_figure(fig)]
    ['overlapping text']
    >>> plt.close(fig)
    >>> parse_label("25,6\\u00a0%"), parse_label("0,5×"), parse_label("2\\u202f474")
    (0.256, 0.5, 2474.0)
    >>> parse_label("Femme") is None
    True
"""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
from matplotlib.text import Text

#: A 390 px phone screen less the report's side margins (0.6 rem each).
PHONE_PX = 390 - 2 * 9.6
#: The smallest text size allowed on that screen, in CSS pixels.
MIN_PX = 11.0
_NUMBER = re.compile(r"^\s*(-?[0-9][0-9\u202f\u00a0 ,.]*)\s*(%|×)?\s*$")


def parse_label(label: str, thousands: bool = True) -> float | None:
    """The value a tick label states (a share for a percentage), or ``None`` if not a number.

    ``1,234`` is read as English thousands unless ``thousands`` is false.
    """
    match = _NUMBER.match(label.replace("\u2212", "-"))
    if not match:
        return None
    digits = re.sub(r"[\u202f\u00a0 ]", "", match[1])
    grouped = "." not in digits and re.fullmatch(r"-?[1-9]\d{0,2}(,\d{3})+", digits)
    if (grouped and thousands) or "." in digits:
        digits = digits.replace(",", "")  # English thousands
    else:
        digits = digits.replace(",", ".")  # a French decimal comma
    try:
        value = float(digits)
    except ValueError:
        return None
    return value / 100 if match[2] == "%" else value


def _texts(fig: plt.Figure) -> list[Text]:
    """The texts drawn: visible, not empty, and for tick labels, inside the axis' view."""
    hidden = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            slack = 1e-9 * max(abs(high - low), abs(high))
            for tick in [*axis.get_major_ticks(), *axis.get_minor_ticks()]:
                if not low - slack <= tick.get_loc() <= high + slack:
                    hidden.update({id(tick.label1), id(tick.label2)})
    return [
        t
        for t in fig.findobj(Text)
        if t.get_visible() and t.get_text().strip() and t.figure is fig and id(t) not in hidden
    ]


def check_figure(
    fig: plt.Figure, *, phone_px: float = PHONE_PX, min_px: float = MIN_PX
) -> list[str]:
    """Every problem found in ``fig`` (an empty list when it is fine)."""
    fig.draw_without_rendering()  # lay out; extents below use the figure's own renderer
    problems: list[str] = []
    texts = _texts(fig)
    boxes = [t.get_window_extent().expanded(1, 1).padded(-0.5) for t in texts]
    for i in range(len(texts)):
        for j in range(i + 1, len(texts)):
            if boxes[i].overlaps(boxes[j]):
                problems.append(
                    f"overlapping text: {texts[i].get_text()!r} and {texts[j].get_text()!r}"
                )
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            span = max(high - low, 1e-12)
            for tick in axis.get_major_ticks():
                loc = tick.get_loc()
                label = tick.label1.get_text()
                value = parse_label(label)
                if not tick.label1.get_visible() or value is None or not low <= loc <= high:
                    continue
                # "1,234" reads as 1234 in English and 1.234 in French: either may be meant
                readings = {value, parse_label(label.replace(",", "."), thousands=False) or value}
                if all(abs(v - loc) > 1e-6 * max(span, abs(loc)) for v in readings):
                    problems.append(f"tick label {label!r} at {loc:g}")
    frame = fig.bbox.padded(1)
    for text, box in zip(texts, boxes, strict=True):
        if not (frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1)):
            problems.append(f"text {text.get_text()!r} is cut at the edge of the chart")
    width_px = fig.get_figwidth() * 72 * 4 / 3  # the SVG is the figure: inches → pt → px
    scale = min(1.0, phone_px / width_px)
    for text in texts:
        size = text.get_fontproperties().get_size_in_points() * 4 / 3 * scale
        if size < min_px - 1e-6:
            problems.append(f"text {text.get_text()!r} is {size:.1f} px on a phone")
    return problems
