"""One household's numbers without a Polars query per number: the web page's fast path.

Explaining one household with Polars costs several milliseconds, almost all of it in
planning and running queries for a single row (the derived features, then the terms, the
margin, the score...): far too slow for a web page that must answer hundreds of times a
second. For one row, a plan per model kind computes the same numbers in plain Python —
the derived features with the one-row back end of the expression language
(:mod:`lanterne.spec.expr.evaluate_row`), the terms and the margin following the
runtime's own operations — and leaves to Polars what only Polars can promise (the order
in which it adds the terms).

Whenever Python and Polars could part ways — a missing value, NaN, an overflow, a tie
between zeros of opposite signs, a model kind without a plan — :func:`one_row` returns
``None`` and the caller uses the Polars path. Plans: logistic models
(:mod:`~lanterne.model.onerow.logistic`) and additive models
(:mod:`~lanterne.model.onerow.additive`). ``tests/model/test_fast_paths.py`` checks that both
paths agree bit for bit on every household of the sample and every archetype, for every
catalog model the web app serves.

Example:
    >>> from lanterne.model import load_model
    >>> from lanterne.explain.household import build_household
    >>> model = load_model("fr-cnaf-2014")
    >>> house = build_household(model, archetype="single-mother-rsa")
    >>> numbers = one_row(model, house.frame)
    >>> numbers.score == float(model.scores(house.frame, prepared=True)[0])
    True
"""

from __future__ import annotations

import weakref
from typing import Any

import polars as pl

from lanterne.model.base import Model
from lanterne.model.logistic import Logistic
from lanterne.model.onerow.additive import AdditivePlan
from lanterne.model.onerow.logistic import LogisticPlan
from lanterne.model.onerow.numbers import RowNumbers, scores_of_margins
from lanterne.spec.expr.evaluate_row import GiveUp


def one_row(model: Model, frame: pl.DataFrame) -> RowNumbers | None:
    """The numbers of the single row of ``frame`` (prepared), or ``None`` to use Polars."""
    if frame.height != 1:
        return None
    plan = _plan(model)
    if plan is None:
        return None
    try:
        return plan.run(frame.row(0, named=True))
    except (GiveUp, ArithmeticError, KeyError, TypeError):
        return None


_PLANS: weakref.WeakKeyDictionary[Model, Any] = weakref.WeakKeyDictionary()


def _plan(model: Model) -> LogisticPlan | AdditivePlan | None:
    """The compiled evaluation of ``model`` (made once per model), if its kind has a plan."""
    if model not in _PLANS:
        # only the logistic and additive runtimes exactly as written in lanterne.model
        if type(model) is Logistic:
            _PLANS[model] = LogisticPlan(model)
        elif AdditivePlan.supports(model):
            _PLANS[model] = AdditivePlan(model)
        else:
            _PLANS[model] = None
    return _PLANS[model]


__all__ = ["RowNumbers", "one_row", "scores_of_margins"]
