"""``models show`` for additive models: each shape function as a small table and a step chart.

The chart is drawn in the terminal with bars (see :mod:`lanterne.explain.shape_rows`).
"""

from __future__ import annotations

from rich.table import Table

from lanterne.cli.app import console
from lanterne.explain.sentences import signed
from lanterne.explain.shape_rows import MAX_ROWS, shape_rows
from lanterne.explain.shapes import ShapeView
from lanterne.i18n import get_lang, pick, tr
from lanterne.model import Model
from lanterne.provenance import STATUS_STYLES, status_label


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
        rows, bins = shape_rows(view, lang, scale=scale, max_rows=max_rows)
        for row in rows:
            table.add_row(*row)
        console.print(table)
        if len(rows) < bins:
            console.print(
                tr(
                    "{k} classes regroupées en {g} lignes (plus bas et plus haut score de "
                    "chaque groupe ; la barre montre leur moyenne) : --bins 0 les montre "
                    "toutes.",
                    "{k} bins grouped in {g} rows (lowest and highest score of each group; "
                    "the bar shows their mean): --bins 0 shows them all.",
                    k=bins,
                    g=len(rows),
                ),
                soft_wrap=True,
            )
