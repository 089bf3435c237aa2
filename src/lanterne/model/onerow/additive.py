"""One household's numbers under an additive model, in plain Python (the web page's path).

:mod:`lanterne.model.onerow.logistic` does this for logistic models; here the same for the
additive kind (:mod:`lanterne.model.additive`), mirroring its runtime step by step so that
the bits are the runtime's own on a one-row table:

* inputs as ``Additive._input_expr`` makes them: numbers and yes/no cast to floats, an
  ``impute`` step's output (the value, or the imputed one when missing) and indicator;
* each shape's score is a table entry: ``bisect_right`` on the edges is NumPy's
  ``searchsorted(side="right")``, a category is looked up, a missing value takes the
  missing score — the same entries the runtime picks, hence the same floats;
* the margin adds them to the intercept in the spec's order, one IEEE addition each, as
  ``Additive.margin_values`` does; the score is ``Additive.score_values`` itself on a
  one-element array, and the scores without each contribution come from the same Polars
  expression as the general path.

A model with derived features gives up (``None``): the general path computes them.

Example:
    >>> from lanterne.model import load_model
    >>> from lanterne.explain.household import build_household
    >>> model = load_model("nl-amsterdam-slimme-check-2022-prepilot")
    >>> house = build_household(model, archetype="part-time-worker")
    >>> numbers = AdditivePlan(model).run(house.frame.row(0, named=True))
    >>> numbers.score == float(model.scores(house.frame, prepared=True)[0])
    True
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable
from typing import Any, TypeGuard

import numpy as np

from lanterne.model.additive import Additive
from lanterne.model.onerow.numbers import RowNumbers, scores_of_margins
from lanterne.spec.expr.evaluate_row import Row


class AdditivePlan:
    """Inputs, bins and the margin in Python; the link by the runtime's own function."""

    def __init__(self, model: Additive) -> None:
        self.model = model
        self.base = float(model.base)
        self.inputs = [self._input(name) for name in model.inputs]
        self.shapes = [self._lookup(shape) for shape in model.shapes]

    @staticmethod
    def supports(model: object) -> TypeGuard[Additive]:
        """Only the additive runtime exactly as written, without derived features."""
        return type(model) is Additive and not model.checked.feature_trees

    def _input(self, name: str) -> Callable[[Row], Any]:
        step = self.model._steps.get(name)
        if step is None:
            var = self.model.spec.variable(name)
            if var is not None and var.type == "category":
                return lambda row: None if row[name] is None else str(row[name])
            return lambda row: _float(row[name])
        raw_name, fill = step.impute, float(step.value.value)
        if name == step.indicator:
            return lambda row: 1.0 if _absent(_float(row[raw_name])) else 0.0
        return lambda row: fill if _absent(x := _float(row[raw_name])) else x

    @staticmethod
    def _lookup(shape: Any) -> Callable[[Any], float]:
        scores = [float(s) for s in shape.scores]
        missing, unknown = float(shape.missing), float(shape.unknown)
        if shape.kind == "continuous":
            edges = [float(e) for e in shape.edges]
            return lambda x: missing if _absent(x) else scores[bisect_right(edges, x)]
        table = {c: i for i, c in enumerate(shape.categories)}

        def category(x: Any) -> float:
            if _absent(x):
                return missing
            i = table.get(x)
            return unknown if i is None else scores[i]

        return category

    def run(self, row: Row) -> RowNumbers:
        values = [evaluate(row) for evaluate in self.inputs]
        contributions = tuple(
            lookup(value) for lookup, value in zip(self.shapes, values, strict=True)
        )
        margin = self.base
        for c in contributions:  # Additive.margin_values: base, then each shape in order
            margin += c
        score = float(self.model.score_values(np.array([margin]))[0])
        without = scores_of_margins(self.model, [margin - c for c in contributions] + [self.base])
        return RowNumbers(contributions, margin, score, values, [float(s) for s in without])


def _float(value: Any) -> float | None:
    """``.cast(pl.Float64)``: booleans as 0/1, missing as ``None``."""
    if value is None:
        return None
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    return float(value)


def _absent(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))
