"""Evaluate a tree ensemble fast, and its exact TreeSHAP contributions.

Lanterne keeps the trees as plain data (:class:`~lanterne.spec.trees.EnsembleData`). To
score millions of rows it uses QuickScorer (:mod:`lanterne.model.quickscorer`, compiled by
Numba), several times faster than a traversal; trees of more than 64 leaves go to
LightGBM's own predictor instead. Exact TreeSHAP contributions come from LightGBM
(``pred_contrib``), built in memory from the node arrays when first needed: LightGBM reads
its documented text model format and computes in double precision. A plain NumPy
traversal, :func:`numpy_raw`, computes the same sums independently; the tests compare the
three.

How the rules of other libraries map onto LightGBM's (``value <= threshold`` in doubles):

* inputs are first rounded to float32 when the model says ``precision: float32`` (XGBoost
  and scikit-learn compare float32 values), which is exact: LightGBM widens them back;
* ``value < t`` becomes ``value <= t'`` with ``t'`` the largest number below ``t`` in the
  input precision — the same decisions for every possible input;
* TreeSHAP weighs each branch by its ``cover``; LightGBM stores whole counts, so covers are
  scaled to about 2³⁰ per tree (relative precision 10⁻⁹) and every internal node gets the
  sum of its leaves, which keeps contributions exactly additive.

Example:
    >>> import numpy as np
    >>> from lanterne.spec.trees import pack_trees
    >>> raw = [{"feature": ["x", None, None], "threshold": [2, None, None],
    ...         "left": [1, -1, -1], "right": [2, -1, -1],
    ...         "value": [None, -1.0, 1.0], "cover": [4, 1, 3]}]
    >>> ensemble, _ = pack_trees(raw, order=["x"])
    >>> engine = TreeEngine(ensemble, split_rule="<", precision="float64")
    >>> engine.raw(np.array([[1.0], [2.0]])).tolist()
    [-1.0, 1.0]
    >>> numpy_raw(ensemble, np.array([[1.0], [2.0]]), "<", "float64").tolist()
    [-1.0, 1.0]
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any

import numpy as np

from lanterne.spec.trees import EnsembleData

#: Rows handed to the predictor at once: bounds memory and lets a progress bar move.
CHUNK_ROWS = 1_000_000
_COUNT_SCALE = float(2**30)


def le_thresholds(threshold: np.ndarray, split_rule: str, precision: str) -> np.ndarray:
    """Thresholds ``t'`` such that ``x <= t'`` decides like the model's own rule.

    For ``split_rule == "<"`` that is the largest value below ``t`` that an input of the
    model's precision can take.

    >>> float(le_thresholds(np.array([2.0]), "<", "float32")[0])
    1.9999998807907104
    """
    t = np.asarray(threshold, dtype=np.float64)
    if split_rule == "<=":
        return t.copy()
    if precision == "float64":
        return np.nextafter(t, -np.inf)
    below = t.astype(np.float32)  # nearest float32, possibly above t
    too_high = below.astype(np.float64) >= t
    below[too_high] = np.nextafter(below[too_high], np.float32(-np.inf))
    return below.astype(np.float64)


def round_inputs(matrix: np.ndarray, precision: str) -> np.ndarray:
    """Inputs in the model's precision (float32 rounds, as XGBoost and scikit-learn do)."""
    return matrix.astype(np.float32 if precision == "float32" else np.float64, copy=False)


# --------------------------------------------------------------------------- NumPy


def numpy_raw(
    ensemble: EnsembleData, matrix: np.ndarray, split_rule: str, precision: str
) -> np.ndarray:
    """Σ over trees of the leaf each row reaches, by plain NumPy traversal.

    Independent of LightGBM: it applies the model's own rule (``<`` or ``<=``) to inputs
    rounded to the model's precision, level by level, and adds leaf values in tree order.
    """
    x = round_inputs(np.asarray(matrix), precision).astype(np.float64)
    rows = np.arange(x.shape[0])
    total = np.zeros(x.shape[0])
    for t in range(ensemble.n_trees):
        nodes = ensemble.tree(t)
        node = np.zeros(x.shape[0], dtype=np.int64)
        while True:
            feat = nodes["feature"][node]
            inner = feat >= 0
            if not inner.any():
                break
            values = x[rows, np.where(inner, feat, 0)]
            thresholds = nodes["threshold"][node]
            below = values < thresholds if split_rule == "<" else values <= thresholds
            go_left = np.where(np.isnan(values), nodes["missing_left"][node], below)
            nxt = np.where(go_left, nodes["left"][node], nodes["right"][node])
            node = np.where(inner, nxt, node)
        total += nodes["value"][node]
    return total


# --------------------------------------------------------------------------- LightGBM


def _fmt(values: np.ndarray) -> str:
    return " ".join(repr(float(v)) for v in values)


def _ints(values: np.ndarray) -> str:
    return " ".join(str(int(v)) for v in values)


def _lightgbm_tree(index: int, nodes: dict[str, np.ndarray], thresholds: np.ndarray) -> str:
    """One tree in LightGBM's text format: internal nodes and leaves numbered apart."""
    left, right = nodes["left"], nodes["right"]
    leaf = left < 0
    internal_ids = np.flatnonzero(~leaf)
    leaf_ids = np.flatnonzero(leaf)
    number = np.empty(left.size, dtype=np.int64)
    number[internal_ids] = np.arange(internal_ids.size)
    number[leaf_ids] = ~np.arange(leaf_ids.size)  # LightGBM writes leaf k as ~k
    # counts: leaves scaled to ~2**30 per tree, internal nodes the sum of their leaves
    cover = nodes["cover"]
    leaf_mass = cover[leaf_ids].sum()
    scale = _COUNT_SCALE / leaf_mass if leaf_mass > 0 else 1.0
    counts = np.zeros(left.size, dtype=np.int64)
    counts[leaf_ids] = np.maximum(1, np.rint(cover[leaf_ids] * scale)).astype(np.int64)
    for i in internal_ids[::-1]:  # children come after their parent
        counts[i] = counts[left[i]] + counts[right[i]]
    decision = 8 | np.where(nodes["missing_left"][internal_ids], 2, 0)  # NaN-missing, default
    zeros = " ".join("0" for _ in internal_ids)
    return "\n".join(
        [
            f"Tree={index}",
            f"num_leaves={leaf_ids.size}",
            "num_cat=0",
            "split_feature=" + _ints(nodes["feature"][internal_ids]),
            "split_gain=" + zeros,
            "threshold=" + _fmt(thresholds[internal_ids]),
            "decision_type=" + _ints(decision),
            "left_child=" + _ints(number[left[internal_ids]]),
            "right_child=" + _ints(number[right[internal_ids]]),
            "leaf_value=" + _fmt(nodes["value"][leaf_ids]),
            "leaf_weight=" + _fmt(counts[leaf_ids].astype(np.float64)),
            "leaf_count=" + _ints(counts[leaf_ids]),
            "internal_value=" + zeros,
            "internal_weight=" + _fmt(counts[internal_ids].astype(np.float64)),
            "internal_count=" + _ints(counts[internal_ids]),
            "is_linear=0",
            "shrinkage=1",
            "",
            "",
        ]
    )


def lightgbm_model_text(ensemble: EnsembleData, split_rule: str, precision: str) -> str:
    """The ensemble as a LightGBM text model (trees with a single leaf left out)."""
    k = max(1, len(ensemble.names))
    thresholds = le_thresholds(ensemble.threshold, split_rule, precision)
    parts = [
        "tree",
        "version=v4",
        "num_class=1",
        "num_tree_per_iteration=1",
        "label_index=0",
        f"max_feature_idx={k - 1}",
        "objective=regression",
        "feature_names=" + " ".join(f"x{i}" for i in range(k)),
        "feature_infos=" + " ".join("none" for _ in range(k)),
        "",
        "",
    ]
    text = "\n".join(parts)
    written = 0
    for t in range(ensemble.n_trees):
        a, b = int(ensemble.offsets[t]), int(ensemble.offsets[t + 1])
        if b - a == 1:
            continue
        text += _lightgbm_tree(written, ensemble.tree(t), thresholds[a:b])
        written += 1
    return text + "end of trees\n\npandas_categorical:null\n"


class TreeEngine:
    """Sums and TreeSHAP contributions of an ensemble.

    ``raw`` is Σ leaf values (without the model's base score), by QuickScorer when every
    tree fits (up to 64 leaves), else by LightGBM; ``contributions`` are one column per
    input and sum, with :attr:`expected_value`, to ``raw`` exactly.
    """

    def __init__(self, ensemble: EnsembleData, *, split_rule: str, precision: str) -> None:
        from lanterne.extras import require

        require("trees")  # LightGBM and Numba: a clear message when not installed
        from lanterne.model.quickscorer import QuickScorer  # imports Numba: only when used

        self.ensemble = ensemble
        self.split_rule = split_rule
        self.precision = precision
        sizes = np.diff(ensemble.offsets)
        constant = sizes == 1
        self.constant = float(ensemble.value[ensemble.offsets[:-1][constant]].sum())
        self._all_constant = bool(constant.all())
        self.n_inputs = len(ensemble.names)
        self.quickscorer = QuickScorer.from_ensemble(
            ensemble, split_rule=split_rule, precision=precision
        )
        self._expected: float | None = None

    @cached_property
    def _booster(self) -> Any:  # a lightgbm.Booster (LightGBM is imported on first use)
        """LightGBM's predictor for these trees (``None`` when every tree is one leaf)."""
        if self._all_constant:
            return None
        import lightgbm

        return lightgbm.Booster(
            model_str=lightgbm_model_text(self.ensemble, self.split_rule, self.precision)
        )

    def _matrix(self, matrix: np.ndarray) -> np.ndarray:
        x = round_inputs(np.asarray(matrix), self.precision)
        if self.n_inputs == 0:  # LightGBM needs a column even when no tree reads one
            return np.zeros((x.shape[0], 1), dtype=x.dtype)
        return np.ascontiguousarray(x)

    def raw(self, matrix: np.ndarray, progress: Callable[[int], None] | None = None) -> np.ndarray:
        """Σ over trees of each row's leaf value (rows × inputs in, one float64 per row)."""
        n = matrix.shape[0]
        out = np.empty(n)
        for start in range(0, n, CHUNK_ROWS):
            chunk = matrix[start : start + CHUNK_ROWS]
            out[start : start + chunk.shape[0]] = self._raw_chunk(chunk)
            if progress:
                progress(chunk.shape[0])
        return out

    def _raw_chunk(self, chunk: np.ndarray) -> np.ndarray:
        if self.quickscorer is not None:
            return self.quickscorer.raw(chunk)
        if self._booster is None:  # every tree is a single leaf
            return np.full(chunk.shape[0], self.constant)
        return self.constant + self._booster.predict(self._matrix(chunk), raw_score=True)

    def contributions(
        self, matrix: np.ndarray, progress: Callable[[int], None] | None = None
    ) -> np.ndarray:
        """Exact TreeSHAP: one column per input; rows sum to ``raw - expected_value``."""
        n = matrix.shape[0]
        out = np.zeros((n, self.n_inputs))
        if self._booster is None or self.n_inputs == 0:
            if progress:
                progress(n)
            return out
        step = max(1, CHUNK_ROWS // 10)
        for start in range(0, n, step):
            chunk = self._matrix(matrix[start : start + step])
            shap = self._booster.predict(chunk, pred_contrib=True)
            out[start : start + chunk.shape[0]] = shap[:, : self.n_inputs]
            if progress:
                progress(chunk.shape[0])
        return out

    @property
    def expected_value(self) -> float:
        """TreeSHAP's base value: what contributions are measured from (Σ leaf values)."""
        if self._expected is None:
            expected = self.constant
            if self._booster is not None:
                probe = np.zeros((1, max(1, self.n_inputs)))
                expected += float(self._booster.predict(probe, pred_contrib=True)[0, -1])
            self._expected = expected
        return self._expected
