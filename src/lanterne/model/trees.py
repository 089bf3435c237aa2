"""Tree ensembles (gradient boosting, random forests) as a Lanterne model kind.

margin = base_score + Σ over trees of the value of the leaf the household reaches.
The score comes from the margin by the model's ``link``:

* ``logit`` — ``1 / (1 + exp(-margin))``: binary classifiers trained on log-odds
  (XGBoost ``binary:logistic``, LightGBM ``binary``, scikit-learn gradient boosting);
* ``identity`` — the margin itself, clipped to [0, 1]: random forests, whose margin is
  already the average of the trees' probabilities;
* ``scale`` — ``(margin − min) / (max − min)`` clipped to [0, 1]: regressors. Without an
  explicit ``scale`` the lowest and highest margins the leaves allow are used.

Each input the trees split on is one :class:`~lanterne.model.base.Term`; its contribution
for a household is the exact TreeSHAP value, and :attr:`Trees.base` (the base score plus
the trees' cover-weighted mean) plus the contributions equals the margin.

Example:
    >>> from lanterne.model import load_model
    >>> model = load_model("nl-rotterdam-2017")
    >>> model.kind, model.link
    ('trees', 'logit')
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cached_property

import numpy as np
import polars as pl

from lanterne.errors import Problem, SpecError
from lanterne.i18n import Msg
from lanterne.model.base import ArrayModel, Term, register_kind
from lanterne.model.tree_engine import CHUNK_ROWS, TreeEngine
from lanterne.spec.expr import names_in
from lanterne.spec.load import CheckedSpec
from lanterne.spec.schema import Scale, TreesModel
from lanterne.spec.trees import EnsembleData

Progress = Callable[[int], None]


@register_kind("trees")
class Trees(ArrayModel):
    kind = "trees"

    def __init__(self, checked: CheckedSpec) -> None:
        super().__init__(checked)
        if checked.ensemble is None:  # pragma: no cover - the loader always packs the trees
            raise SpecError(Problem(Msg("arbres absents", "no trees"), file=checked.file))
        self.ensemble: EnsembleData = checked.ensemble
        #: the inputs the trees split on, in the spec's order (variables, then features)
        self.inputs: tuple[str, ...] = self.ensemble.names
        self.link = self._model.link  # "logit", "identity" or "scale"
        self.scale: Scale | None = None
        if self._model.link == "scale":
            self.scale = self._model.scale or self._natural_scale()

    @property
    def _model(self) -> TreesModel:
        assert isinstance(self.spec.model, TreesModel)
        return self.spec.model

    @cached_property
    def engine(self) -> TreeEngine:
        """The fast evaluator (QuickScorer, or LightGBM for trees over 64 leaves)."""
        return TreeEngine(
            self.ensemble, split_rule=self._model.split_rule, precision=self._model.precision
        )

    @property
    def base_score(self) -> float:
        """The margin before any tree: the ensemble's own starting value."""
        return self._model.base_score.value

    @property
    def base(self) -> float:
        """What contributions are measured from: base score + the trees' expected value."""
        return self.base_score + self.engine.expected_value

    def _natural_scale(self) -> Scale:
        low, high = self.ensemble.leaf_bounds()
        low += self.base_score
        high += self.base_score
        return Scale(min=low, max=high if high > low else low + 1.0)

    @cached_property
    def terms(self) -> list[Term]:
        counts = self.ensemble.split_counts()
        ensemble = self._model.ensemble
        out = []
        for name in self.inputs:
            feature = self.spec.feature(name)
            variable = self.spec.variable(name)
            label = (feature.label if feature else None) or (variable.label if variable else None)
            out.append(
                Term(
                    name=name,
                    label=label,
                    expression=feature.expr if feature else name,
                    variables=self.variables_of({name}),
                    weight=float(counts[name]),
                    status=self.spec.status_of(ensemble),
                    source=self.spec.source_of(ensemble),
                )
            )
        return out

    # ---------------------------------------------------------------- inputs

    @cached_property
    def _needed_features(self) -> list[str]:
        """The derived features the inputs need, directly or through other features."""
        trees = self.checked.feature_trees
        needed: set[str] = set()
        pending = [n for n in self.inputs if n in trees]
        while pending:
            name = pending.pop()
            if name not in needed:
                needed.add(name)
                pending += [n for n in names_in(trees[name]) if n in trees]
        return [n for n in trees if n in needed]  # in the spec's order

    def input_frame(self, frame: pl.DataFrame) -> pl.DataFrame:
        """The inputs of a prepared table, one column per input in :attr:`inputs` order."""
        if not self.inputs:
            return pl.DataFrame({"_": pl.Series([0.0] * frame.height)})
        lazy = frame.lazy()
        for name in self._needed_features:
            lazy = lazy.with_columns(self._feature_exprs[name].alias(name))
        return lazy.select(list(self.inputs)).collect()

    def _matrices(self, inputs: pl.DataFrame) -> Iterator[np.ndarray]:
        dtype = pl.Float32 if self._model.precision == "float32" else pl.Float64
        for start in range(0, inputs.height, CHUNK_ROWS):
            chunk = inputs.slice(start, CHUNK_ROWS)
            yield chunk.select(pl.all().cast(dtype)).to_numpy()

    def margin_values(
        self, data: pl.DataFrame, *, prepared: bool = False, progress: Progress | None = None
    ) -> np.ndarray:
        """The margin of each household as a NumPy array (base score + Σ leaf values)."""
        frame = data if prepared else self.prepare(data)
        inputs = self.input_frame(frame)
        parts = [self.engine.raw(m, progress) for m in self._matrices(inputs)]
        raw = np.concatenate(parts) if parts else np.zeros(0)
        return raw + self.base_score

    def contribution_values(
        self, data: pl.DataFrame, *, prepared: bool = False, progress: Progress | None = None
    ) -> np.ndarray:
        """Exact TreeSHAP contributions, rows × :attr:`inputs`; rows sum to margin − base."""
        frame = data if prepared else self.prepare(data)
        inputs = self.input_frame(frame)
        parts = [self.engine.contributions(m, progress) for m in self._matrices(inputs)]
        return np.concatenate(parts) if parts else np.zeros((0, len(self.inputs)))

    def score_values(self, margins: np.ndarray) -> np.ndarray:
        """Scores in [0, 1] from margins, by the model's link."""
        if self.link == "logit":
            return 1.0 / (1.0 + np.exp(-margins))
        if self.link == "identity":
            return np.clip(margins, 0.0, 1.0)
        assert self.scale is not None
        return np.clip((margins - self.scale.min) / (self.scale.max - self.scale.min), 0.0, 1.0)

    # ---------------------------------------------------------------- Model interface

    #: Called with the number of rows done as :meth:`outputs` (hence :meth:`score`) goes;
    #: the CLI sets it to move a progress bar on large tables.
    progress: Progress | None = None

    def outputs(self, frame: pl.DataFrame) -> pl.DataFrame:
        margins = self.margin_values(frame, prepared=True, progress=self.progress)
        return pl.DataFrame({"score": self.score_values(margins)})

    def _struct_inputs(self) -> pl.Expr:
        return pl.struct([pl.col(n) for n in self.inputs])

    def _batch_matrix(self, batch: pl.Series) -> np.ndarray:
        frame = batch.struct.unnest()
        dtype = pl.Float32 if self._model.precision == "float32" else pl.Float64
        return frame.select(pl.all().cast(dtype)).to_numpy()

    def term_exprs(self) -> list[pl.Expr]:
        """Polars expressions for the contributions (each runs TreeSHAP on its batch).

        Use :meth:`contributions` for whole tables: it computes every term at once.
        """

        def column(i: int) -> Callable[[pl.Series], pl.Series]:
            return lambda batch: pl.Series(
                self.engine.contributions(self._batch_matrix(batch))[:, i]
            )

        return [
            self._struct_inputs().map_batches(column(i), return_dtype=pl.Float64).alias(name)
            for i, name in enumerate(self.inputs)
        ]

    def margin_expr(self) -> pl.Expr:
        """The margin as a Polars expression (the predictor runs on each batch)."""

        def margin(batch: pl.Series) -> pl.Series:
            return pl.Series(self.engine.raw(self._batch_matrix(batch)) + self.base_score)

        return self._struct_inputs().map_batches(margin, return_dtype=pl.Float64)

    def score_from_margin(self, margin: pl.Expr) -> pl.Expr:
        if self.link == "logit":
            return 1.0 / (1.0 + (-margin).exp())
        if self.link == "identity":
            return margin.clip(0.0, 1.0)
        assert self.scale is not None
        low, high = self.scale.min, self.scale.max
        return ((margin - low) / (high - low)).clip(0.0, 1.0)
