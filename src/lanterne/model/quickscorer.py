"""Score millions of rows through a tree ensemble with QuickScorer, compiled by Numba.

QuickScorer (Lucchese et al., SIGIR 2015) does not walk the trees. It numbers each tree's
leaves from left to right and keeps, per tree, a bit vector of the leaves a row can still
reach. A split ``x <= t`` that a row fails (``x > t``) rules out every leaf of its left
branch, whatever the other splits say; so, for each input, the row only has to visit the
splits on that input whose threshold lies below its value — they come first once the splits
are sorted by threshold — and clear their left leaves with one AND. When every input is
done, the lowest bit left in each tree's vector is the leaf the row reaches. This replaces
the unpredictable branches of a traversal with short sequential scans, which is what makes
it several times faster than a traversal on large tables.

Exactness: the thresholds are those of :func:`~lanterne.model.tree_engine.le_thresholds`
(``x <= t'`` decides like the model's own rule), inputs are rounded to the model's
precision first, and leaf values are added in tree order from zero, in double precision —
the same sums as the plain NumPy traversal, bit for bit. A missing input (NaN) fails no
threshold scan; the splits that send it right (``missing_left`` false) clear their left
leaves instead.

Trees of up to 64 leaves fit a bit vector (16, 32 or 64 bits, the smallest that fits);
:meth:`QuickScorer.from_ensemble` returns ``None`` for larger trees, and the caller uses
another predictor.

Example:
    >>> import numpy as np
    >>> from lanterne.spec.trees import pack_trees
    >>> raw = [{"feature": ["x", None, None], "threshold": [2, None, None],
    ...         "left": [1, -1, -1], "right": [2, -1, -1], "missing_left": [False, True, True],
    ...         "value": [None, -1.0, 1.0], "cover": [4, 1, 3]}]
    >>> ensemble, _ = pack_trees(raw, order=["x"])
    >>> scorer = QuickScorer.from_ensemble(ensemble, split_rule="<", precision="float64")
    >>> scorer.raw(np.array([[1.0], [2.0], [np.nan]])).tolist()  # missing goes right here
    [-1.0, 1.0, 1.0]
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numba
import numpy as np

from lanterne.model.tree_engine import le_thresholds, round_inputs
from lanterne.spec.trees import EnsembleData

#: Rows a thread scores together: their bit vectors stay in the processor's first cache.
BLOCK_ROWS = 16
#: Rows a parallel task takes at once (a multiple of BLOCK_ROWS).
SPAN_ROWS = 4096
#: Below this many rows the single-threaded kernel is used (no thread start-up cost).
PARALLEL_FROM_ROWS = 20_000
_DEBRUIJN = 0x03F79D71B4CB0A89

# Numba's parallel kernels must not be entered by two threads at once with every threading
# layer (its fallback "workqueue" aborts); the web app scores from a thread pool.
_PARALLEL_LOCK = threading.Lock()


def _debruijn_table() -> np.ndarray:
    """Bit position of ``2**i`` from ``(2**i * _DEBRUIJN mod 2**64) >> 58``."""
    table = np.zeros(64, dtype=np.int64)
    for i in range(64):
        table[((1 << i) * _DEBRUIJN) % (1 << 64) >> 58] = i
    return table


def _mask_dtype(max_leaves: int) -> type[np.unsignedinteger] | None:
    for dtype, bits in ((np.uint16, 16), (np.uint32, 32), (np.uint64, 64)):
        if max_leaves <= bits:
            return dtype
    return None


def _tree_masks(left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Leaves in left-to-right order, and for each internal node its left leaves' range.

    Returns ``(leaves, first, stop)``: ``leaves`` are node indices; internal node ``i``'s
    left branch holds leaf positions ``first[i]`` to ``stop[i] - 1``.
    """
    size = left.size
    first = np.zeros(size, dtype=np.int64)
    stop = np.zeros(size, dtype=np.int64)
    leaves: list[int] = []
    # iterative in-order walk; each node is visited before and after its left branch
    stack: list[tuple[int, bool]] = [(0, False)]
    while stack:
        node, left_done = stack.pop()
        if left[node] < 0:
            leaves.append(node)
            continue
        if not left_done:
            first[node] = len(leaves)
            stack.append((node, True))
            stack.append((int(left[node]), False))
        else:
            stop[node] = len(leaves)
            stack.append((int(right[node]), False))
    return np.array(leaves, dtype=np.int64), first, stop


@dataclass(frozen=True)
class QuickScorer:
    """An ensemble laid out for QuickScorer: splits grouped by input, sorted by threshold.

    Splits on input ``f`` are ``feature_offsets[f]`` to ``feature_offsets[f + 1] - 1`` of
    ``thresholds``/``trees``/``masks`` (a mask keeps every leaf but the split's left
    branch); ``missing_*`` list, per input, the splits that send a missing value right.
    Tree ``t``'s leaf values, left to right, start at ``leaf_offsets[t]``.
    """

    n_inputs: int
    precision: str
    feature_offsets: np.ndarray
    thresholds: np.ndarray
    trees: np.ndarray
    masks: np.ndarray
    missing_offsets: np.ndarray
    missing_trees: np.ndarray
    missing_masks: np.ndarray
    leaf_offsets: np.ndarray
    leaf_values: np.ndarray

    @classmethod
    def from_ensemble(
        cls, ensemble: EnsembleData, *, split_rule: str, precision: str
    ) -> QuickScorer | None:
        """The ensemble's QuickScorer tables, or ``None`` if a tree has over 64 leaves."""
        sizes = np.diff(ensemble.offsets)
        leaves_per_tree = (sizes + 1) // 2  # binary trees: leaves = internal nodes + 1
        dtype = _mask_dtype(int(leaves_per_tree.max(initial=1)))
        if dtype is None:
            return None
        bits = np.iinfo(dtype).bits
        ones = (1 << bits) - 1
        thresholds = le_thresholds(ensemble.threshold, split_rule, precision)
        split_tree: list[int] = []
        split_node: list[int] = []
        split_mask: list[int] = []
        leaf_values: list[np.ndarray] = []
        leaf_offsets = np.zeros(ensemble.n_trees, dtype=np.int64)
        done = 0
        for t in range(ensemble.n_trees):
            a = int(ensemble.offsets[t])
            nodes = ensemble.tree(t)
            leaves, first, stop = _tree_masks(nodes["left"], nodes["right"])
            leaf_offsets[t] = done
            leaf_values.append(nodes["value"][leaves])
            done += leaves.size
            for i in np.flatnonzero(nodes["left"] >= 0):
                left_leaves = ((1 << int(stop[i])) - 1) ^ ((1 << int(first[i])) - 1)
                split_tree.append(t)
                split_node.append(a + int(i))
                split_mask.append(ones & ~left_leaves)
        node = np.array(split_node, dtype=np.int64)
        tree = np.array(split_tree, dtype=np.int32)
        mask = np.array(split_mask, dtype=np.uint64).astype(dtype)
        feature = ensemble.feature[node].astype(np.int64)
        threshold = thresholds[node].astype(np.float64)
        k = max(1, len(ensemble.names))
        order = np.lexsort((threshold, feature))  # by input, then by threshold
        right = np.flatnonzero(~ensemble.missing_left[node].astype(bool))
        right = right[np.argsort(feature[right], kind="stable")]  # by input
        return cls(
            n_inputs=len(ensemble.names),
            precision=precision,
            feature_offsets=np.searchsorted(feature[order], np.arange(k + 1)),
            thresholds=np.ascontiguousarray(threshold[order]),
            trees=np.ascontiguousarray(tree[order]),
            masks=np.ascontiguousarray(mask[order]),
            missing_offsets=np.searchsorted(feature[right], np.arange(k + 1)),
            missing_trees=np.ascontiguousarray(tree[right]),
            missing_masks=np.ascontiguousarray(mask[right]),
            leaf_offsets=leaf_offsets,
            leaf_values=np.concatenate(leaf_values) if leaf_values else np.zeros(0),
        )

    def raw(self, matrix: np.ndarray) -> np.ndarray:
        """Σ over trees of each row's leaf value (rows × inputs in, float64 out)."""
        x = np.ascontiguousarray(round_inputs(np.asarray(matrix), self.precision))
        if x.ndim != 2 or x.shape[1] < self.n_inputs:
            raise ValueError(f"expected rows × {self.n_inputs} inputs, got shape {x.shape}")
        out = np.zeros(x.shape[0])
        if x.shape[0] == 0 or self.leaf_offsets.size == 0:
            return out
        tables = (
            self.feature_offsets,
            self.thresholds,
            self.trees,
            self.masks,
            self.missing_offsets,
            self.missing_trees,
            self.missing_masks,
            self.leaf_offsets,
            self.leaf_values,
        )
        ones = np.iinfo(self.masks.dtype).max
        if x.shape[0] < PARALLEL_FROM_ROWS:
            _score_serial(x, *tables, _DEBRUIJN_TABLE, self.masks.dtype.type(ones), out)
        else:
            with _PARALLEL_LOCK:
                _score_parallel(x, *tables, _DEBRUIJN_TABLE, self.masks.dtype.type(ones), out)
        return out


_DEBRUIJN_TABLE = _debruijn_table()


@numba.njit(cache=True, nogil=True)
def _score_rows(
    x, start, stop, f_off, thr, trees, masks, m_off, m_trees, m_masks, l_off, leaves, db, ones,
    alive, total, out,
):  # fmt: skip
    """Rows ``start`` to ``stop - 1``, BLOCK_ROWS at a time, into ``out`` (scratch given)."""
    n_trees = l_off.shape[0]
    for block in range(start, stop, BLOCK_ROWS):
        rows = min(stop, block + BLOCK_ROWS) - block
        alive[:] = ones
        # input by input, so that its sorted splits stay in cache for the whole block
        for f in range(f_off.shape[0] - 1):
            lo, hi = f_off[f], f_off[f + 1]
            if lo == hi and m_off[f] == m_off[f + 1]:
                continue  # no split reads this input
            for r in range(rows):
                v = x[block + r, f]
                if v != v:  # missing: the splits that send it right
                    for j in range(m_off[f], m_off[f + 1]):
                        alive[r, m_trees[j]] &= m_masks[j]
                    continue
                j = lo
                while j < hi and thr[j] < v:
                    alive[r, trees[j]] &= masks[j]
                    j += 1
        total[:] = 0.0
        for t in range(n_trees):  # in tree order, as every other evaluator adds them
            base = l_off[t]
            for r in range(rows):
                bits = np.uint64(alive[r, t])
                lowest = bits & (~bits + np.uint64(1))
                total[r] += leaves[base + db[(lowest * np.uint64(_DEBRUIJN)) >> np.uint64(58)]]
        for r in range(rows):
            out[block + r] = total[r]


@numba.njit(cache=True, nogil=True)
def _score_serial(
    x, f_off, thr, trees, masks, m_off, m_trees, m_masks, l_off, leaves, db, ones, out
):  # fmt: skip
    alive = np.empty((BLOCK_ROWS, l_off.shape[0]), dtype=masks.dtype)
    total = np.zeros(BLOCK_ROWS)
    _score_rows(
        x, 0, x.shape[0], f_off, thr, trees, masks, m_off, m_trees, m_masks, l_off, leaves, db,
        ones, alive, total, out,
    )  # fmt: skip


@numba.njit(cache=True, nogil=True, parallel=True)
def _score_parallel(
    x, f_off, thr, trees, masks, m_off, m_trees, m_masks, l_off, leaves, db, ones, out
):  # fmt: skip
    n = x.shape[0]
    spans = (n + SPAN_ROWS - 1) // SPAN_ROWS
    for span in numba.prange(spans):
        alive = np.empty((BLOCK_ROWS, l_off.shape[0]), dtype=masks.dtype)
        total = np.zeros(BLOCK_ROWS)
        start = span * SPAN_ROWS
        _score_rows(
            x, start, min(n, start + SPAN_ROWS), f_off, thr, trees, masks, m_off, m_trees,
            m_masks, l_off, leaves, db, ones, alive, total, out,
        )  # fmt: skip
