"""Additive models (GAMs, Explainable Boosting Machines) as a Lanterne model kind.

margin = intercept + Σ shape(input), score = 1 / (1 + exp(-margin)). Each shape is a step
function: a continuous input falls in a bin between ``edges`` (a value equal to an edge
goes to the bin above: bin = number of edges ≤ value, as InterpretML's ``Discretize``);
a categorical input is looked up among ``categories`` (a value not listed adds the
shape's ``unknown`` score); a missing value (empty, or NaN) adds its ``missing`` score.
Pre-processing steps (``impute``) derive inputs from raw variables first.

Each shape is one :class:`~lanterne.model.base.Term`: its contribution is exactly the
score it adds, so ``base + Σ contributions == margin`` with ``base`` = the intercept.

Example:
    >>> import polars as pl
    >>> shape = ShapeTable("age", "continuous", np.array([30.0, 50.0]),
    ...                    np.array([-0.5, 0.0, 0.5]), missing=0.1)
    >>> shape.bins(pl.Series([29.0, 30.0, 50.0, None])).tolist()
    [0, 1, 2, -1]
    >>> shape.lookup(shape.bins(pl.Series([29.0, 30.0, 50.0, None]))).tolist()
    [-0.5, 0.0, 0.5, 0.1]
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import polars as pl

from lanterne.model.base import ArrayModel, Term, register_kind
from lanterne.spec.load import CheckedSpec
from lanterne.spec.schema import AdditiveModel, ImputeStep, Shape

#: Up to this many edges, bins are counted by comparisons (faster than a binary search).
FEW_EDGES = 32
#: Bin index of a missing value and of a category the shape does not list.
MISSING_BIN = -1
UNKNOWN_BIN = -2


@dataclass(frozen=True)
class ShapeTable:
    """One shape as arrays: where a value falls (:meth:`bins`) and what it adds (:meth:`lookup`).

    Continuous bins are ``0 .. len(edges)``; categorical bins index ``categories``.
    """

    name: str
    kind: str  # "continuous" | "categorical"
    edges: np.ndarray  # continuous: sorted edges (empty for categorical)
    scores: np.ndarray  # one per bin or category
    missing: float = 0.0
    unknown: float = 0.0
    categories: tuple[float | str, ...] = ()

    @classmethod
    def from_spec(cls, shape: Shape) -> ShapeTable:
        categories: tuple[float | str, ...] = ()
        if shape.categories is not None:
            categories = tuple(c if isinstance(c, str) else float(c) for c in shape.categories)
        return cls(
            name=shape.input,
            kind=shape.type,
            edges=np.asarray(shape.edges or [], dtype=np.float64),
            scores=np.asarray(shape.scores, dtype=np.float64),
            missing=float(shape.missing),
            unknown=float(shape.unknown),
            categories=categories,
        )

    @cached_property
    def _edges(self) -> pl.Series:
        return pl.Series(self.edges, dtype=pl.Float64)

    @property
    def text_categories(self) -> bool:
        return any(isinstance(c, str) for c in self.categories)

    def bins(self, values: pl.Series) -> np.ndarray:
        """The bin of each value (int64): ``-1`` missing, ``-2`` unknown category."""
        if self.kind == "categorical" and self.text_categories:
            mapping = {c: i for i, c in enumerate(self.categories)}
            text = values.cast(pl.String)
            index = text.replace_strict(mapping, default=UNKNOWN_BIN, return_dtype=pl.Int64)
            out = index.to_numpy().astype(np.int64)
            out[text.is_null().to_numpy()] = MISSING_BIN
            return out
        x = values.cast(pl.Float64).to_numpy()
        absent = np.isnan(x)  # nulls arrive as NaN from to_numpy()
        if self.kind == "continuous" and self.edges.size <= FEW_EDGES:
            out = np.zeros(x.shape, dtype=np.int64)  # number of edges ≤ x, by comparisons
            for edge in self.edges:
                out += x >= edge
        elif self.kind == "continuous":  # binary search (Polars' is faster than NumPy's)
            found = self._edges.search_sorted(pl.Series(x), side="right")
            out = found.to_numpy().astype(np.int64)
        else:
            out = np.full(x.shape, UNKNOWN_BIN, dtype=np.int64)
            for i, category in enumerate(self.categories):
                match = x == category
                if category == 0:  # InterpretML keys categories by text: "-0.0" is not "0.0"
                    match &= ~np.signbit(x)
                out[match] = i
        out[absent] = MISSING_BIN
        return out

    def bin_range(self, index: int) -> tuple[float, float]:
        """The values ``[low, high)`` of a continuous bin (``-inf``/``inf`` at the ends).

        >>> ShapeTable("x", "continuous", np.array([30.0, 50.0]), np.zeros(3)).bin_range(1)
        (30.0, 50.0)
        """
        low = -math.inf if index == 0 else float(self.edges[index - 1])
        high = math.inf if index == len(self.edges) else float(self.edges[index])
        return low, high

    def lookup(self, bins: np.ndarray) -> np.ndarray:
        """The score each bin adds (missing and unknown bins included)."""
        table = np.concatenate([self.scores, [self.unknown, self.missing]])
        return table.take(bins)  # -1 → missing, -2 → unknown (the last two entries)

    def values(self, values: pl.Series) -> np.ndarray:
        """The score each value adds: :meth:`lookup` of :meth:`bins`."""
        return self.lookup(self.bins(values))


@register_kind("additive")
class Additive(ArrayModel):
    kind = "additive"
    link = "logit"

    def __init__(self, checked: CheckedSpec) -> None:
        super().__init__(checked)
        self.shapes: list[ShapeTable] = [ShapeTable.from_spec(s) for s in self._model.shapes]
        #: the name each shape reads, in the spec's order (one term per shape)
        self.inputs: tuple[str, ...] = tuple(s.name for s in self.shapes)
        self._steps: dict[str, ImputeStep] = {}
        for step in self._model.preprocess:
            self._steps[step.output] = step
            if step.indicator:
                self._steps[step.indicator] = step

    @property
    def _model(self) -> AdditiveModel:
        assert isinstance(self.spec.model, AdditiveModel)
        return self.spec.model

    @property
    def base(self) -> float:
        return self._model.intercept.value

    def shape(self, name: str) -> ShapeTable:
        """The shape reading ``name``."""
        return next(s for s in self.shapes if s.name == name)

    def step_of(self, name: str) -> ImputeStep | None:
        """The ``impute`` step that makes a shape input (None for a variable or feature)."""
        return self._steps.get(name)

    @cached_property
    def terms(self) -> list[Term]:
        out = []
        for spec_shape, table in zip(self._model.shapes, self.shapes, strict=True):
            name = table.name
            feature = self.spec.feature(name)
            step = self._steps.get(name)
            variable = self.spec.variable(step.impute if step else name)
            label = spec_shape.label or (feature.label if feature else None)
            if label is None and variable is not None and step is None:
                label = variable.label
            scores = np.concatenate([table.scores, [table.missing]])
            out.append(
                Term(
                    name=name,
                    label=label,
                    expression=feature.expr if feature else name,
                    variables=self.variables_of({step.impute if step else name}),
                    weight=float(scores.max() - scores.min()),
                    status=self.spec.status_of(spec_shape),
                    source=self.spec.source_of(spec_shape),
                )
            )
        return out

    # ---------------------------------------------------------------- inputs

    def _input_expr(self, name: str) -> pl.Expr:
        """The column a shape reads: a variable, a feature (already added) or a step output."""
        step = self._steps.get(name)
        if step is None:
            var = self.spec.variable(name)
            if var is not None and var.type == "category":
                return pl.col(name).cast(pl.String)
            return pl.col(name).cast(pl.Float64)
        raw = pl.col(step.impute).cast(pl.Float64)
        absent = raw.is_null() | raw.is_nan()
        if name == step.indicator:
            return absent.cast(pl.Float64)
        return pl.when(absent).then(pl.lit(step.value.value, dtype=pl.Float64)).otherwise(raw)

    def input_frame(self, frame: pl.DataFrame) -> pl.DataFrame:
        """The inputs of a prepared table, one column per shape, in :attr:`inputs` order."""
        return (
            self.with_features(frame)
            .select([self._input_expr(n).alias(n) for n in self.inputs])
            .collect()
        )

    def bin_values(self, data: pl.DataFrame, *, prepared: bool = False) -> pl.DataFrame:
        """The bin each household's value falls in, one Int64 column per shape.

        ``-1`` is a missing value, ``-2`` a category the shape does not list.
        """
        frame = data if prepared else self.prepare(data)
        inputs = self.input_frame(frame)
        return pl.DataFrame(
            {s.name: s.bins(inputs[s.name]) for s in self.shapes},
            schema={s.name: pl.Int64 for s in self.shapes},
        )

    def contribution_values(self, data: pl.DataFrame, *, prepared: bool = False) -> np.ndarray:
        """Each shape's score, rows × :attr:`inputs`; rows sum to margin − intercept."""
        frame = data if prepared else self.prepare(data)
        inputs = self.input_frame(frame)
        out = np.empty((inputs.height, len(self.shapes)))
        for j, shape in enumerate(self.shapes):
            out[:, j] = shape.values(inputs[shape.name])
        return out

    def margin_values(self, data: pl.DataFrame, *, prepared: bool = False) -> np.ndarray:
        """Intercept + the shapes' scores, added in the spec's order (as InterpretML does)."""
        frame = data if prepared else self.prepare(data)
        inputs = self.input_frame(frame)
        margin = np.full(inputs.height, self.base, dtype=np.float64)
        for shape in self.shapes:
            margin += shape.values(inputs[shape.name])
        return margin

    @staticmethod
    def score_values(margins: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-margins))

    # ---------------------------------------------------------------- Model interface

    def outputs(self, frame: pl.DataFrame) -> pl.DataFrame:
        return pl.DataFrame({"score": self.score_values(self.margin_values(frame, prepared=True))})

    def term_exprs(self) -> list[pl.Expr]:
        """One Polars expression per shape (the lookup runs on each batch)."""

        def lookup(shape: ShapeTable) -> Callable[[pl.Series], pl.Series]:
            return lambda batch: pl.Series(shape.values(batch), dtype=pl.Float64)

        return [
            self._input_expr(s.name).map_batches(lookup(s), return_dtype=pl.Float64).alias(s.name)
            for s in self.shapes
        ]

    def score_from_margin(self, margin: pl.Expr) -> pl.Expr:
        return 1.0 / (1.0 + (-margin).exp())
