"""A shape function as rows of a small table: bins, scores, and a bar chart made of text.

Shared by ``lanterne models show`` and the web app's model page. One row per bin, a bar to
the right when the bin raises the score, to the left when it lowers it, all on one scale so
that features can be compared. Adjacent bins with exactly the same score are merged (the
numbers stay exact); a long shape is grouped into at most ``max_rows`` rows showing each
group's lowest and highest score.

Example:
    >>> v = ShapeView("x", "x", "continuous", (1.0,), (-0.5, 0.5), {}, None, "published", None)
    >>> rows, bins = shape_rows(v, "en", scale=0.5)
    >>> rows[1][:2], rows[1][2].strip(), bins
    (('[1, +∞)', '+0.5000'), '│████████████', 2)
"""

from __future__ import annotations

import itertools

from lanterne.defaults import MAX_SHAPE_ROWS
from lanterne.explain.sentences import signed
from lanterne.explain.shapes import Bin, ShapeView, interval_label
from lanterne.i18n import Msg

BAR_WIDTH = 12
#: Above this many bins, a shape's table groups consecutive bins (``--bins 0``: all).
MAX_ROWS = MAX_SHAPE_ROWS


def merged_bins(view: ShapeView) -> list[Bin]:
    """The bins, adjacent continuous bins with exactly the same score joined.

    >>> v = ShapeView("x", "x", "continuous", (1.0, 2.0, 3.0), (0.5, 0.5, 0.1, 0.5), {},
    ...               None, "published", None)
    >>> [(b.low, b.high, b.score) for b in merged_bins(v)]
    [(None, 2.0, 0.5), (2.0, 3.0, 0.1), (3.0, None, 0.5)]
    """
    out: list[Bin] = []
    for b in view.bins():
        last = out[-1] if out else None
        if (
            last is not None
            and b.index > 0
            and last.index > 0
            and b.category is None
            and last.category is None
            and b.score == last.score
        ):
            out[-1] = Bin(last.index, last.low, b.high, None, last.score)
        else:
            out.append(b)
    return out


def bar(score: float, scale: float, width: int = BAR_WIDTH) -> str:
    """A bar left (negative) or right (positive) of a centre line, ``scale`` = full width.

    >>> bar(0.5, 1.0, 4), bar(-1.0, 1.0, 4)
    ('    │██  ', '████│    ')
    """
    n = round(abs(score) / scale * width) if scale > 0 else 0
    left = (" " * (width - n) + "█" * n) if score < 0 else " " * width
    right = ("█" * n + " " * (width - n)) if score > 0 else " " * width
    return f"{left}│{right}"


def grouped(bins: list[Bin], rows: int) -> list[list[Bin]]:
    """Consecutive bins in at most ``rows`` groups of near-equal size (missing kept apart).

    >>> [len(g) for g in grouped([Bin(i, None, None, None, 0.0) for i in range(7)], 3)]
    [1, 2, 2, 2]
    """
    head = [[b] for b in bins if b.index <= 0]
    rest = [b for b in bins if b.index > 0]
    if rows <= 0 or len(rest) <= rows:
        return head + [[b] for b in rest]
    cuts = [round(i * len(rest) / rows) for i in range(rows + 1)]
    return head + [rest[a:b] for a, b in itertools.pairwise(cuts) if b > a]


def group_row(group: list[Bin], lang: str, scale: float) -> tuple[str, str, str]:
    """One row of a shape's table: the bin (or the group's interval), its score(s), a bar."""
    first, last = group[0], group[-1]
    if len(group) == 1:
        return first.label(lang), signed(first.score, lang, 4), bar(first.score, scale)
    label = interval_label(first.low, last.high, lang) + Msg(
        " ({n} classes)", " ({n} bins)", n=len(group)
    ).render(lang)
    low, high = min(b.score for b in group), max(b.score for b in group)
    mean = sum(b.score for b in group) / len(group)
    return label, f"{signed(low, lang, 4)} … {signed(high, lang, 4)}", bar(mean, scale)


def shape_rows(
    view: ShapeView, lang: str, *, scale: float, max_rows: int = MAX_ROWS
) -> tuple[list[tuple[str, str, str]], int]:
    """The table rows of one shape and its number of (merged) bins."""
    bins = merged_bins(view)
    return [group_row(g, lang, scale) for g in grouped(bins, max_rows)], len(bins)
