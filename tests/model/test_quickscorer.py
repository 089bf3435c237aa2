"""QuickScorer against the plain NumPy traversal (bit for bit) and LightGBM's predictor.

The trees are grown at random to an exact number of leaves, so that every bit-vector width
(16, 32, 64 bits) and the fallback beyond 64 leaves are exercised; inputs hit thresholds
exactly, fall a hair beside them, or are missing.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest

from lanterne.model.quickscorer import PARALLEL_FROM_ROWS, QuickScorer
from lanterne.model.tree_engine import TreeEngine, numpy_raw
from lanterne.spec.trees import pack_trees


def grown_tree(rng: np.random.Generator, leaves: int, n_features: int) -> dict:
    """A random binary tree with exactly ``leaves`` leaves (split a random leaf each time)."""
    feature: list = [None]
    threshold: list = [None]
    left, right = [-1], [-1]
    while sum(1 for x in left if x < 0) < leaves:
        open_leaves = [i for i, x in enumerate(left) if x < 0]
        i = int(rng.choice(open_leaves))
        feature[i] = f"x{int(rng.integers(n_features))}"
        threshold[i] = float(rng.integers(0, 6)) + float(rng.choice([0.0, 0.5]))
        left[i], right[i] = len(left), len(left) + 1
        for _ in range(2):
            feature.append(None)
            threshold.append(None)
            left.append(-1)
            right.append(-1)
    n = len(left)
    value = [None if left[i] >= 0 else float(rng.normal()) for i in range(n)]
    cover = [0.0] * n
    for j in range(n - 1, -1, -1):
        cover[j] = float(rng.integers(1, 50)) if left[j] < 0 else cover[left[j]] + cover[right[j]]
    return {
        "feature": feature,
        "threshold": threshold,
        "left": left,
        "right": right,
        "value": value,
        "cover": cover,
        "missing_left": [bool(rng.random() < 0.5) for _ in range(n)],
    }


def ensemble_of(leaf_counts: list[int], n_features: int = 6, seed: int = 3):
    rng = np.random.default_rng(seed)
    raw = [grown_tree(rng, k, n_features) for k in leaf_counts]
    ensemble, problems = pack_trees(raw, order=[f"x{i}" for i in range(n_features)])
    assert not problems and ensemble is not None
    return ensemble


def rows(n: int, n_features: int = 6, seed: int = 5) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.integers(-1, 7, size=(n, n_features)).astype(np.float64)
    x[::3] += 0.5  # on the half-integer thresholds
    x[::7] += rng.normal(scale=1e-7, size=x[::7].shape)  # a hair beside them
    x[rng.random(x.shape) < 0.05] = np.nan  # missing values follow missing_left
    return x


@pytest.mark.parametrize(
    ("leaf_counts", "bits"),
    [([1, 2, 9, 16], 16), ([3, 17, 32], 32), ([5, 33, 64, 1], 64)],
)
@pytest.mark.parametrize("split_rule", ["<", "<="])
@pytest.mark.parametrize("precision", ["float32", "float64"])
def test_same_sums_as_the_numpy_traversal(leaf_counts, bits, split_rule, precision) -> None:
    ensemble = ensemble_of(leaf_counts * 5)
    scorer = QuickScorer.from_ensemble(ensemble, split_rule=split_rule, precision=precision)
    assert scorer is not None and scorer.masks.dtype.itemsize * 8 == bits
    x = rows(2_000)
    # same leaves, added in the same order from zero: identical doubles
    assert np.array_equal(scorer.raw(x), numpy_raw(ensemble, x, split_rule, precision))


def test_parallel_kernel_equals_serial_kernel_and_traversal() -> None:
    ensemble = ensemble_of([7, 12, 30, 2, 50] * 8)
    scorer = QuickScorer.from_ensemble(ensemble, split_rule="<", precision="float64")
    assert scorer is not None
    x = rows(PARALLEL_FROM_ROWS + 4_321)  # not a multiple of any block size
    together = scorer.raw(x)
    one_by_one = np.concatenate([scorer.raw(x[i : i + 997]) for i in range(0, len(x), 997)])
    assert np.array_equal(together, one_by_one)
    assert np.array_equal(together, numpy_raw(ensemble, x, "<", "float64"))


def test_threads_may_score_at_once() -> None:
    ensemble = ensemble_of([10, 20] * 10)
    scorer = QuickScorer.from_ensemble(ensemble, split_rule="<=", precision="float64")
    assert scorer is not None
    x = rows(PARALLEL_FROM_ROWS + 10)
    expected = numpy_raw(ensemble, x, "<=", "float64")
    results: list[np.ndarray] = []
    threads = [threading.Thread(target=lambda: results.append(scorer.raw(x))) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 3 and all(np.array_equal(r, expected) for r in results)


def test_trees_over_64_leaves_go_to_lightgbm() -> None:
    ensemble = ensemble_of([65, 4, 10])
    assert QuickScorer.from_ensemble(ensemble, split_rule="<", precision="float64") is None
    engine = TreeEngine(ensemble, split_rule="<", precision="float64")
    assert engine.quickscorer is None
    x = rows(3_000)
    assert np.abs(engine.raw(x) - numpy_raw(ensemble, x, "<", "float64")).max() < 1e-12


def test_engine_uses_quickscorer_and_agrees_with_lightgbm() -> None:
    ensemble = ensemble_of([8, 31, 64, 1] * 6)
    engine = TreeEngine(ensemble, split_rule="<", precision="float32")
    assert engine.quickscorer is not None
    x = rows(5_000)
    booster = engine._booster.predict(x.astype(np.float32), raw_score=True) + engine.constant
    assert np.abs(engine.raw(x) - booster).max() < 1e-12


def test_single_leaf_trees_and_unread_inputs() -> None:
    ensemble = ensemble_of([1, 1, 3], n_features=4)
    scorer = QuickScorer.from_ensemble(ensemble, split_rule="<", precision="float64")
    assert scorer is not None
    x = rows(500, n_features=4)
    assert np.array_equal(scorer.raw(x), numpy_raw(ensemble, x, "<", "float64"))


def test_wrong_matrix_shape_is_refused() -> None:
    scorer = QuickScorer.from_ensemble(ensemble_of([4]), split_rule="<", precision="float64")
    assert scorer is not None
    with pytest.raises(ValueError, match="inputs"):
        scorer.raw(np.zeros((3, 2)))
