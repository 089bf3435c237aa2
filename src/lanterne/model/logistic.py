"""Logistic-regression models: score = sigmoid(intercept + Σ coefficient × feature).

Example:
    >>> from lanterne.model import load_model
    >>> model = load_model("fr-cnaf-2014")
    >>> model.link
    'logit'
"""

from __future__ import annotations

from functools import cached_property

import polars as pl

from lanterne.model.base import Model, Term, register_kind
from lanterne.spec.schema import LogisticModel


@register_kind("logistic")
class Logistic(Model):
    kind = "logistic"
    link = "logit"

    @property
    def _model(self) -> LogisticModel:
        assert isinstance(self.spec.model, LogisticModel)
        return self.spec.model

    @property
    def base(self) -> float:
        return self._model.intercept.value

    @cached_property
    def terms(self) -> list[Term]:
        out = []
        for coef in self._model.coefficients:
            feature = self.spec.feature(coef.feature)
            variable = self.spec.variable(coef.feature)
            label = (feature.label if feature else None) or (variable.label if variable else None)
            out.append(
                Term(
                    name=coef.feature,
                    label=label,
                    expression=feature.expr if feature else coef.feature,
                    variables=self.variables_of({coef.feature}),
                    weight=coef.value,
                    status=self.spec.status_of(coef),
                    source=self.spec.source_of(coef),
                )
            )
        return out

    def term_exprs(self) -> list[pl.Expr]:
        return [
            (pl.col(t.name).cast(pl.Float64) * pl.lit(t.weight, dtype=pl.Float64)).alias(t.name)
            for t in self.terms
        ]

    def score_from_margin(self, margin: pl.Expr) -> pl.Expr:
        return 1.0 / (1.0 + (-margin).exp())
