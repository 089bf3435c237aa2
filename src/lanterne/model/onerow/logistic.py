"""One household's numbers under a logistic model, in plain Python (the web page's path).

The derived features are evaluated by the one-row back end of the expression language
(:mod:`lanterne.spec.expr.evaluate_row`), each term is one IEEE product as
``Logistic.term_exprs`` makes it; the terms, the margin and the score are then added by
the model's own Polars expressions on that one row, in one small query: the order in
which Polars adds the terms is its own.

Example:
    >>> from lanterne.model import load_model
    >>> from lanterne.explain.household import build_household
    >>> model = load_model("fr-cnaf-2014")
    >>> house = build_household(model, archetype="single-mother-rsa")
    >>> numbers = LogisticPlan(model).run(house.frame.row(0, named=True))
    >>> numbers.score == float(model.scores(house.frame, prepared=True)[0])
    True
"""

from __future__ import annotations

import math

import polars as pl

from lanterne.model.base import Model
from lanterne.model.onerow.numbers import RowNumbers, scores_of_margins
from lanterne.spec.expr.evaluate_row import GiveUp, Row, as_float, finite, to_python


class LogisticPlan:
    """Features and terms in Python; the sum of the terms by Polars; the logistic link."""

    def __init__(self, model: Model) -> None:
        env = model.checked.env
        self.model = model
        self.features = [
            (name, to_python(tree, env)) for name, tree in model.checked.feature_trees.items()
        ]
        self.terms = [(t.name, float(t.weight)) for t in model.terms]
        self.base = float(model.base)
        self.columns = [f"t{i}" for i in range(len(self.terms))]
        # Model.margin_expr: pl.sum_horizontal(base, *terms) — the order in which Polars adds
        # is its own business (it may split the terms across threads), so Polars adds
        self.margin = pl.sum_horizontal(
            pl.lit(self.base, dtype=pl.Float64), *(pl.col(c) for c in self.columns)
        ).alias("margin")
        self.python_link = _link_agrees(model)

    def run(self, row: Row) -> RowNumbers:
        for value in row.values():
            if value is None or (isinstance(value, float) and value != value):
                raise GiveUp
        for name, evaluate in self.features:
            row[name] = evaluate(row)
        values = [row[name] for name, _ in self.terms]
        # Logistic.term_exprs: pl.col(term).cast(pl.Float64) * weight — one IEEE product
        contributions = tuple(
            as_float(value) * weight for value, (_, weight) in zip(values, self.terms, strict=True)
        )
        # a lazy query, as Model.margins runs it: eager and lazy Polars may add in different
        # orders (it splits the terms across threads differently), hence other last bits
        frame = pl.DataFrame([contributions], schema=self.columns, orient="row")
        margin = finite(float(frame.lazy().select(self.margin).collect().item()))
        margins = [margin, *(margin - c for c in contributions), self.base]
        if self.python_link:
            scores = [_logistic(m) for m in margins]
        else:  # pragma: no cover - a platform whose exp differs from Python's
            scores = [float(s) for s in scores_of_margins(self.model, margins)]
        return RowNumbers(contributions, margin, scores[0], values, scores[1:])


def _logistic(margin: float) -> float:
    """Logistic.score_from_margin, ``1.0 / (1.0 + (-margin).exp())``, with Python floats."""
    return 1.0 / (1.0 + math.exp(-margin))


#: Margins on which the Python link is compared with Polars' once per model.
_PROBES = [x / 64 for x in range(-40 * 64, 40 * 64 + 1, 7)] + [1e-9, -1e-9, 0.1, -0.1, 0.0]


def _link_agrees(model: Model) -> bool:
    """Whether :func:`_logistic` gives Polars' bits here (both call the C library's exp)."""
    polars = scores_of_margins(model, _PROBES).tolist()
    return all(_logistic(m) == s for m, s in zip(_PROBES, polars, strict=True))
