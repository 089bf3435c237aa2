"""The scoring runtime shared by every kind of model.

A :class:`Model` turns a table of households into scores, column-wise with Polars. A table
may be a Polars, pandas or Arrow one (:mod:`lanterne.io.frames`); what comes back is of the
same kind: :meth:`Model.score` gives the table plus its ``score`` and ``selected`` columns,
:meth:`Model.scores` the column of scores alone. Each
kind (logistic regression, scorecard, and later tree ensembles) says what its *terms*
are — the additive pieces of its raw margin — and how the margin becomes a score.

Example:
    >>> import polars as pl
    >>> from lanterne.catalog import sample_path
    >>> from lanterne.io.tables import read_table
    >>> model = load_model("fr-cnaf-2014")
    >>> scored = model.score(read_table(sample_path()))
    >>> bool(scored["score"].is_between(0, 1).all())
    True
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, overload

import numpy as np
import polars as pl

from lanterne.catalog import model_path
from lanterne.errors import DataError, Problem
from lanterne.i18n import Msg
from lanterne.io.frames import TableLike, as_polars, like_input
from lanterne.model.data import prepare_table
from lanterne.model.targeting import TargetingRule
from lanterne.provenance import Source, Status, Text
from lanterne.spec.expr import Node, names_in
from lanterne.spec.expr.compile_polars import to_polars
from lanterne.spec.load import CheckedSpec, check_spec_file
from lanterne.spec.schema import ModelSpec

OUTPUT_COLUMNS = ("score", "selected", "profile")


@dataclass(frozen=True)
class Term:
    """One additive piece of a model's margin: a coefficient times a feature, or points.

    For a tree ensemble a term is one input the trees split on: its contribution is the
    input's exact TreeSHAP value, and ``weight`` is the number of splits that read it
    (trees have no single coefficient).
    """

    name: str  # column name in contribution tables
    label: Text | None
    expression: str  # the feature, variable or condition it applies to
    variables: tuple[str, ...]  # input variables it reads, directly or through features
    weight: float  # the coefficient, the points, or (trees) the number of splits
    status: Status
    source: Source | None
    dimension: str | None = None  # a scorecard item's dimension (sub-total), if any


class Model(ABC):
    """A loaded, validated model ready to score tables."""

    kind: ClassVar[str]
    #: "logit" (score = sigmoid(margin)) or "scale" (score = clipped linear map of points)
    link: str

    def __init__(self, checked: CheckedSpec) -> None:
        self.checked = checked
        self.spec: ModelSpec = checked.spec
        self._feature_exprs = {
            name: to_polars(tree, checked.env) for name, tree in checked.feature_trees.items()
        }
        self._feature_vars = self._trace_variables(checked.feature_trees)
        t = self.spec.targeting
        self.targeting = TargetingRule(top_share=t.top_share, threshold=t.threshold)

    # ---------------------------------------------------------------- description

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    @abstractmethod
    def terms(self) -> list[Term]:
        """The additive terms of the margin, in the spec's order."""

    @property
    @abstractmethod
    def base(self) -> float:
        """The margin before any term (the intercept; 0 for a scorecard)."""

    def variables_of(self, expression_names: set[str]) -> tuple[str, ...]:
        """Input variables read by a set of variable or feature names."""
        out: set[str] = set()
        for name in expression_names:
            out |= self._feature_vars.get(name, {name})
        return tuple(v.name for v in self.spec.variables if v.name in out)

    def _trace_variables(self, trees: dict[str, Node]) -> dict[str, set[str]]:
        traced: dict[str, set[str]] = {}
        for name, tree in trees.items():  # features only read earlier ones
            deps: set[str] = set()
            for used in names_in(tree):
                deps |= traced.get(used, {used})
            traced[name] = deps
        return traced

    # ---------------------------------------------------------------- scoring

    @property
    def used_variables(self) -> tuple[str, ...]:
        """Input variables the model reads: the columns scoring requires."""
        used: set[str] = set()
        for term in self.terms:
            used |= set(term.variables)
        return tuple(v.name for v in self.spec.variables if v.name in used)

    def prepare(self, data: TableLike, *, file: str | None = None) -> pl.DataFrame:
        """Check ``data`` against the model's variables and convert it to their types.

        Only the variables the model reads are required; other declared variables
        (sensitive attributes for audits) are checked when present. ``data`` may be a
        Polars, pandas or Arrow table; the result is a Polars DataFrame.
        """
        return prepare_table(self.spec, as_polars(data), file=file, required=self.used_variables)

    def with_features(self, data: pl.DataFrame | pl.LazyFrame) -> pl.LazyFrame:
        """``data`` plus one column per derived feature (computed in the spec's order)."""
        frame = data.lazy()
        for name, expr in self._feature_exprs.items():
            frame = frame.with_columns(expr.alias(name))
        return frame

    @abstractmethod
    def term_exprs(self) -> list[pl.Expr]:
        """One Float64 expression per term, aliased with the term's name."""

    def margin_expr(self) -> pl.Expr:
        """The raw margin: base + sum of the terms (log-odds, or points)."""
        return pl.sum_horizontal(pl.lit(self.base, dtype=pl.Float64), *self.term_exprs())

    @abstractmethod
    def score_from_margin(self, margin: pl.Expr) -> pl.Expr:
        """The score in [0, 1] from the margin."""

    @overload
    def contributions(
        self, data: pl.DataFrame | pl.LazyFrame, *, prepared: bool = False
    ) -> pl.DataFrame: ...
    @overload
    def contributions(self, data: TableLike, *, prepared: bool = False) -> Any: ...
    def contributions(self, data: TableLike, *, prepared: bool = False) -> Any:
        """Each term's contribution to the margin, one column per term, one row per household,
        as a table of the kind of ``data`` (Polars, pandas or Arrow).

        For a logistic model, ``base + row sum == log-odds``.
        """
        frame = as_polars(data) if prepared else self.prepare(data)
        return like_input(self.with_features(frame).select(self.term_exprs()).collect(), data)

    @overload
    def margins(
        self, data: pl.DataFrame | pl.LazyFrame, *, prepared: bool = False
    ) -> pl.Series: ...
    @overload
    def margins(self, data: TableLike, *, prepared: bool = False) -> Any: ...
    def margins(self, data: TableLike, *, prepared: bool = False) -> Any:
        """The raw margin of each household (log-odds, or total points): a column named
        ``margin`` of the kind of ``data`` (Polars/pandas Series, Arrow Array)."""
        frame = as_polars(data) if prepared else self.prepare(data)
        margins = self.with_features(frame).select(self.margin_expr().alias("margin")).collect()
        return like_input(margins["margin"], data)

    @overload
    def scores(self, data: pl.DataFrame | pl.LazyFrame, *, prepared: bool = False) -> pl.Series: ...
    @overload
    def scores(self, data: TableLike, *, prepared: bool = False) -> Any: ...
    def scores(self, data: TableLike, *, prepared: bool = False) -> Any:
        """The score of each household, in [0, 1]: a column named ``score`` of the kind of
        ``data`` (Polars/pandas Series, Arrow Array), without applying the targeting rule.

        :meth:`score` gives the whole table with ``score`` and ``selected`` instead.
        """
        frame = as_polars(data) if prepared else self.prepare(data)
        expr = self.score_from_margin(self.margin_expr()).alias("score")
        return like_input(self.with_features(frame).select(expr).collect()["score"], data)

    def extra_outputs(self, scores: pl.Expr) -> list[pl.Expr]:
        """Additional output columns (a scorecard's profile)."""
        return []

    def outputs(self, frame: pl.DataFrame) -> pl.DataFrame:
        """``score`` and any extra output columns of a prepared table (no selection).

        Kinds that do not compute with Polars expressions (tree ensembles) override it.
        """
        margin = self.margin_expr()
        return (
            self.with_features(frame)
            .select(self.score_from_margin(margin).alias("score"), *self.extra_outputs(margin))
            .collect()
        )

    @overload
    def score(
        self,
        data: pl.DataFrame | pl.LazyFrame,
        *,
        targeting: TargetingRule | None = None,
        prepared: bool = False,
        file: str | None = None,
    ) -> pl.DataFrame: ...
    @overload
    def score(
        self,
        data: TableLike,
        *,
        targeting: TargetingRule | None = None,
        prepared: bool = False,
        file: str | None = None,
    ) -> Any: ...
    def score(
        self,
        data: TableLike,
        *,
        targeting: TargetingRule | None = None,
        prepared: bool = False,
        file: str | None = None,
    ) -> Any:
        """``data`` plus ``score`` and ``selected`` (and ``profile`` for a banded scorecard).

        The result is a table of the kind of ``data``: a Polars DataFrame (also for a
        LazyFrame), a pandas DataFrame with the same index, or an Arrow Table. The input
        columns come back converted to the spec's types. ``targeting`` overrides the model's
        own rule. :meth:`scores` gives the column of scores alone.
        """
        frame = as_polars(data) if prepared else self.prepare(data, file=file)
        scored = self.outputs(frame)
        check_scores(scored["score"], file)
        rule = targeting or self.targeting
        _, selected = rule.select(scored["score"])
        outputs = scored.with_columns(pl.Series("selected", selected))
        kept = frame.drop([c for c in outputs.columns if c in frame.columns])
        return like_input(pl.concat([kept, outputs], how="horizontal"), data)


class ArrayModel(Model):
    """A kind that computes margins and contributions as NumPy arrays, not Polars
    expressions (tree ensembles, shape tables): the table methods wrap the arrays."""

    inputs: tuple[str, ...]

    @abstractmethod
    def contribution_values(self, data: pl.DataFrame, *, prepared: bool = False) -> np.ndarray:
        """Each input's contribution, rows × :attr:`inputs`; rows sum to margin − base."""

    @abstractmethod
    def margin_values(self, data: pl.DataFrame, *, prepared: bool = False) -> np.ndarray:
        """The margin of each household as a NumPy array."""

    @abstractmethod
    def score_values(self, margins: np.ndarray) -> np.ndarray:
        """Scores in [0, 1] from margins."""

    def contributions(self, data: TableLike, *, prepared: bool = False) -> Any:
        """Each input's contribution, one column per input: ``base + row sum == margin``."""
        values = self.contribution_values(as_polars(data), prepared=prepared)
        table = pl.DataFrame(
            {name: values[:, i] for i, name in enumerate(self.inputs)},
            schema={name: pl.Float64 for name in self.inputs},
        )
        return like_input(table, data)

    def margins(self, data: TableLike, *, prepared: bool = False) -> Any:
        """The margin (log-odds for ``logit``) of each household."""
        margins = self.margin_values(as_polars(data), prepared=prepared)
        return like_input(pl.Series("margin", margins), data)

    def scores(self, data: TableLike, *, prepared: bool = False) -> Any:
        """The score of each household, in [0, 1] (see :meth:`Model.scores`)."""
        margins = self.margin_values(as_polars(data), prepared=prepared)
        return like_input(pl.Series("score", self.score_values(margins)), data)


def check_scores(scores: pl.Series | np.ndarray, file: str | None = None, start: int = 0) -> None:
    """Refuse scores that are not numbers (NaN): never write or audit them silently.

    Checked data and specs hold finite numbers only, but a model's arithmetic can still
    overflow (two huge terms of opposite signs give ∞ − ∞). ``start`` is the index of the
    first row (for chunks).

    >>> check_scores(np.array([0.1, np.nan]), "d.csv")
    Traceback (most recent call last):
      ...
    lanterne.errors.DataError: d.csv: the model gives no score (NaN) for 1 household(s) ...
    """
    values = scores.to_numpy() if isinstance(scores, pl.Series) else np.asarray(scores)
    bad = ~np.isfinite(values.astype(np.float64, copy=False))
    if not bad.any():
        return
    rows = np.flatnonzero(bad)
    raise DataError(
        Problem(
            Msg(
                "le modèle ne donne aucun score (NaN) pour {n} foyer(s) (lignes {rows}) : ses "
                "calculs débordent pour ces valeurs (nombres trop grands ?)",
                "the model gives no score (NaN) for {n} household(s) (rows {rows}): its "
                "arithmetic overflows for these values (numbers too large?)",
                n=int(rows.size),
                rows=", ".join(str(start + int(r) + 1) for r in rows[:5])
                + (" …" if rows.size > 5 else ""),
            ),
            file=file,
        )
    )


# -------------------------------------------------------------------- loading

_KINDS: dict[str, Callable[[CheckedSpec], Model]] = {}


def register_kinds() -> None:
    """Import every model kind (each registers itself with :func:`register_kind`)."""
    from lanterne.model import additive, logistic, scorecard, trees  # noqa: F401


def register_kind(kind: str) -> Callable[[type[Model]], type[Model]]:
    """Class decorator: make a model kind loadable by :func:`load_model`."""

    def decorate(cls: type[Model]) -> type[Model]:
        _KINDS[kind] = cls
        return cls

    return decorate


def load_model(ref: str | os.PathLike[str]) -> Model:
    """Load a model from a spec file or a catalog id, validating everything.

    >>> load_model("fr-cnaf-2014").kind
    'logistic'
    """
    checked = check_spec_file(model_path(ref))
    return model_from_checked(checked)


def model_from_checked(checked: CheckedSpec) -> Model:
    kind = checked.spec.model.kind
    register_kinds()
    try:
        return _KINDS[kind](checked)
    except KeyError:  # pragma: no cover - the schema only admits registered kinds
        raise DataError(
            Problem(Msg("type de modèle inconnu {k}", "unknown model kind {k}", k=kind))
        ) from None
