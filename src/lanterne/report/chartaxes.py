"""Axes of report charts: tick labels true to their value, in the reader's number format.

Percent axes are ticked at round steps (1, 2, 5 × a power of ten) and labelled with as
many decimals as the step needs, so that evenly spaced ticks never read "0 %, 2 %, 5 %,
8 %". Ratio axes are logarithmic, ticked at 1× and round multiples on each side, so that
0.5× and 2× sit at the same distance from 1×.

Example:
    >>> percent_decimals(0.02), percent_decimals(0.005), percent_decimals(0.1)
    (0, 1, 0)
    >>> ratio_ticks(0.5, 1.8)
    [0.5, 1.0, 2.0]
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from matplotlib.axis import Axis
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator, NullFormatter

from lanterne.i18n import format_percent, format_ratio, format_sig

#: Ticks of ratio axes: 1× and round values on both sides of it.
RATIO_TICKS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0)


def percent_decimals(step: float) -> int:
    """Decimals a percent label needs for ticks ``step`` apart (a share: 0.02 = 2 %)."""
    if step <= 0:
        return 0
    return max(0, math.ceil(-math.log10(step * 100) - 1e-9))


def percent_axis(axis: Axis, lang: str, top: float = 1.0) -> None:
    """Round percent ticks ("0 %, 5 %, 10 %"), each labelled with its own value."""
    axis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 5, 10]))
    locs = [t for t in axis.get_major_locator().tick_values(0, max(top, 1e-6)) if t >= 0]
    step = locs[1] - locs[0] if len(locs) > 1 else max(top, 1e-6)
    decimals = percent_decimals(step)
    axis.set_major_formatter(FuncFormatter(lambda x, _: format_percent(x, lang, decimals)))


def ratio_ticks(low: float, high: float) -> list[float]:
    """The ratio ticks covering ``[low, high]`` and 1×."""
    low, high = min(low, 1.0), max(high, 1.0)
    ticks = [t for t in RATIO_TICKS if low / 2.5 < t < high * 2.5]
    return ticks or [1.0]


def ratio_axis(axis: Axis, values: Sequence[float], lang: str) -> tuple[float, float]:
    """A log axis for ratios, with 1× and room on both sides; returns its limits."""
    low, high = min([*values, 1.0]), max([*values, 1.0])
    left, right = min(math.log(low), -math.log(1.6)), max(math.log(high), math.log(1.6))
    pad = 0.35 * (right - left) + 0.2  # room for the bars' value labels
    limits = (math.exp(left - pad), math.exp(right + pad))
    inside = [t for t in ratio_ticks(low, high) if limits[0] <= t <= limits[1]]
    axis.set_major_locator(FixedLocator(spaced(inside, (right - left + 2 * pad) / 6)))
    axis.set_major_formatter(FuncFormatter(lambda x, _: format_ratio_tick(x, lang)))
    axis.set_minor_formatter(NullFormatter())
    return limits


def spaced(ticks: Sequence[float], gap: float) -> list[float]:
    """Ticks at least ``gap`` apart on a log scale, going outwards from 1× (labels never touch).

    >>> spaced([0.2, 0.5, 1.0, 2.0, 5.0, 10.0], 1.0)
    [0.2, 1.0, 5.0]
    """
    kept = [1.0]
    above = sorted(t for t in ticks if t > 1)
    below = sorted((t for t in ticks if t < 1), reverse=True)
    for side in (above, below):
        last = 1.0
        for t in side:
            if abs(math.log(t / last)) >= gap:
                kept.append(t)
                last = t
    return sorted(kept)


def format_ratio_tick(value: float, lang: str) -> str:
    """A ratio tick: ``0,5×``, ``1×``, ``2×``.

    >>> format_ratio_tick(0.5, "fr"), format_ratio_tick(2.0, "en")
    ('0,5×', '2×')
    """
    return f"{format_sig(value, lang, 2)}×"


def ratio_label(value: float, lang: str) -> str:
    """A bar's own label: two decimals from 0.1× to 10×, two significant digits below.

    >>> ratio_label(0.0064, "fr"), ratio_label(1.7, "en"), ratio_label(12.3, "en")
    ('0,0064×', '1.70×', '12×')
    """
    if value < 0.1:
        return f"{format_sig(value, lang, 2)}×"
    return format_ratio(value, lang, 2 if value < 10 else 0)
