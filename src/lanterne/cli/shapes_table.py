"""``models show`` for additive models: each shape function as a small table and a step chart.

The chart is drawn in the terminal with bars: one row per bin, a bar to the right when the
bin raises the score, to the left when it lowers it, all on the same scale so that features
can be compared. Adjacent bins with exactly the same score are merged (the numbers shown
are exact).
"""

from __future__ import annotations

import itertools

from rich.table import Table

from lanterne.cli.app import console
from lanterne.explain.sentences import signed
from lanterne.explain.shapes import Bin, ShapeView, interval_label
from lanterne.i18n import get_lang, pick, tr
from lanterne.model import Model
from lanterne.provenance import STATUS_STYLES, status_label

BAR_WIDTH = 12
#: Above this many bins, a shape's table groups consecutive bins (``--bins 0``: all).
MAX_ROWS = 24


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


def _row(group: list[Bin], lang: str, scale: float) -> tuple[str, str, str]:
    first, last = group[0], group[-1]
    if len(group) == 1:
        return first.label(lang), signed(first.score, lang, 4), bar(first.score, scale)
    label = interval_label(first.low, last.high, lang) + tr(
        " ({n} classes)", " ({n} bins)", n=len(group)
    )
    low, high = min(b.score for b in group), max(b.score for b in group)
    mean = sum(b.score for b in group) / len(group)
    return label, f"{signed(low, lang, 4)} … {signed(high, lang, 4)}", bar(mean, scale)


def show_shapes(model: Model, views: list[ShapeView], max_rows: int = MAX_ROWS) -> None:
    """Print the intercept, then one table per shape function (long ones grouped)."""
    lang = get_lang()
    console.print(
        tr(
            "Modèle additif (fonctions de forme) — score = logistique de (constante + somme "
            "des scores des classes) ; constante {b}.",
            "Additive model (shape functions) — score = logistic of (intercept + sum of the "
            "bins' scores); intercept {b}.",
            b=signed(model.base, lang, 4),
        ),
        soft_wrap=True,
    )
    scale = max((abs(b.score) for v in views for b in v.bins()), default=1.0)
    labels = {t.name: t.label for t in model.terms}
    for view in views:
        label = labels.get(view.term)
        title = f"{pick(label)} ({view.term})" if label else view.term
        status = f"[{STATUS_STYLES[view.status]}]{status_label(view.status)}[/]" + (
            f", {view.source.id}" if view.source else ""
        )
        table = Table(title=f"{title} — {status}", title_justify="left")
        table.add_column(tr("Classe", "Bin"))
        table.add_column(tr("Score (log-cote)", "Score (log-odds)"), justify="right")
        table.add_column(tr("Graphique", "Chart"))
        bins = merged_bins(view)
        groups = grouped(bins, max_rows)
        for group in groups:
            table.add_row(*_row(group, lang, scale))
        console.print(table)
        if len(groups) < len(bins):
            console.print(
                tr(
                    "{k} classes regroupées en {g} lignes (plus bas et plus haut score de "
                    "chaque groupe ; la barre montre leur moyenne) : --bins 0 les montre "
                    "toutes.",
                    "{k} bins grouped in {g} rows (lowest and highest score of each group; "
                    "the bar shows their mean): --bins 0 shows them all.",
                    k=len(bins),
                    g=len(groups),
                ),
                soft_wrap=True,
            )
