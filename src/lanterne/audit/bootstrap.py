"""Vectorised percentile bootstrap of hit rates by group, and of their ratio (the lift).

Single rates get Wilson's closed-form interval (:mod:`lanterne.audit.intervals`): a
percentile bootstrap collapses to [0, 0] when a group has no hit. The bootstrap is kept
where no closed form exists: :func:`bootstrap_ratio` gives the interval of the lift, the
algorithm's hit rate divided by the random sample's, each sample redrawn on its own.

A sample of ``N`` inspected cases is redrawn ``B`` times *with replacement* (every resample
has ``N`` rows, drawn uniformly with ``rng.integers``: an index matrix of ``B × N``, built in
blocks of at most 2²⁴ indices to bound memory). In each resample, every group's hit rate is
``positives / rows`` of that group — counted for all resamples at once with one
``np.bincount`` over ``resample × group × outcome``. The interval is the 2.5th and 97.5th
percentiles of the resampled rates (linear interpolation between order statistics).
Resampling whole rows, not rows within each group, lets a group's size vary as it would in
another sample; a resample in which a group is absent has no rate for it and is left out
for that group. The same ``seed`` gives the same intervals.

Example:
    >>> import numpy as np
    >>> codes = np.array([0] * 50 + [1] * 50)
    >>> hits = np.array([1, 0] * 25 + [1] * 10 + [0] * 40, dtype=bool)
    >>> low, high = bootstrap_rates(codes, hits, 2, resamples=500, seed=1)
    >>> bool(low[0] < 0.5 < high[0]), bool(low[1] < 0.2 < high[1])
    (True, True)
"""

from __future__ import annotations

import numpy as np

#: Indices drawn at once (B × N); 2²⁴ int64 indices = 128 MB at most.
BLOCK_INDICES = 1 << 24


def resample_counts(
    codes: np.ndarray, hits: np.ndarray, n_groups: int, resamples: int, seed: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """``(rows, positives)``, each ``(resamples, n_groups)``: counts in every resample."""
    n = codes.size
    rng = np.random.default_rng(seed)
    rows = np.zeros((resamples, n_groups), dtype=np.int64)
    positives = np.zeros((resamples, n_groups), dtype=np.int64)
    if n == 0 or resamples == 0:
        return rows, positives
    # one code per row: group × 2 + outcome, so a single bincount counts both
    cell = codes.astype(np.int64) * 2 + hits.astype(np.int64)
    width = 2 * n_groups
    block = max(1, BLOCK_INDICES // n)
    for start in range(0, resamples, block):
        b = min(block, resamples - start)
        picks = rng.integers(0, n, size=(b, n))
        key = cell[picks]
        key += (np.arange(b, dtype=np.int64) * width)[:, None]
        counts = np.bincount(key.ravel(), minlength=b * width).reshape(b, n_groups, 2)
        rows[start : start + b] = counts.sum(axis=2)
        positives[start : start + b] = counts[:, :, 1]
    return rows, positives


def bootstrap_rates(
    codes: np.ndarray,
    hits: np.ndarray,
    n_groups: int,
    *,
    resamples: int = 1000,
    seed: int | None = 0,
    level: float = 0.95,
) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval of each group's hit rate: ``(low, high)``, NaN when undefined."""
    rows, positives = resample_counts(codes, hits, n_groups, resamples, seed)
    with np.errstate(invalid="ignore", divide="ignore"):
        rates = np.where(rows > 0, positives / np.maximum(rows, 1), np.nan)
    alpha = (1 - level) / 2
    low = np.full(n_groups, np.nan)
    high = np.full(n_groups, np.nan)
    defined = (rows > 0).any(axis=0) if resamples else np.zeros(n_groups, dtype=bool)
    if defined.any():
        quantiles = np.nanquantile(rates[:, defined], [alpha, 1 - alpha], axis=0)
        low[defined], high[defined] = quantiles[0], quantiles[1]
    return low, high


def bootstrap_ratio(
    numerator: tuple[np.ndarray, np.ndarray],
    denominator: tuple[np.ndarray, np.ndarray],
    n_groups: int,
    *,
    resamples: int = 1000,
    seed: int | None = 0,
    level: float = 0.95,
) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval of each group's ratio of two hit rates: ``(low, high)``.

    ``numerator`` and ``denominator`` are ``(codes, hits)`` of two independent samples
    (the algorithm's and the random one), each redrawn with replacement on its own. A
    resample where the denominator's rate is 0 (or a group is absent) gives no ratio and is
    left out; NaN when no resample gives one.

    >>> codes = np.zeros(100, dtype=np.int64)
    >>> alg = (codes, np.arange(100) < 40)
    >>> rnd = (codes, np.arange(100) < 20)
    >>> low, high = bootstrap_ratio(alg, rnd, 1, resamples=500, seed=2)
    >>> bool(1.2 < low[0] < 2 < high[0] < 3.5)
    True
    """
    rng = np.random.default_rng(seed)
    seeds = rng.integers(0, 2**63 - 1, size=2)
    top_rows, top_hits = resample_counts(*numerator, n_groups, resamples, int(seeds[0]))
    low_rows, low_hits = resample_counts(*denominator, n_groups, resamples, int(seeds[1]))
    with np.errstate(invalid="ignore", divide="ignore"):
        top = np.where(top_rows > 0, top_hits / np.maximum(top_rows, 1), np.nan)
        bottom = np.where(low_hits > 0, low_hits / np.maximum(low_rows, 1), np.nan)
        ratios = top / bottom
    alpha = (1 - level) / 2
    low = np.full(n_groups, np.nan)
    high = np.full(n_groups, np.nan)
    defined = ~np.isnan(ratios).all(axis=0) if resamples else np.zeros(n_groups, dtype=bool)
    if defined.any():
        quantiles = np.nanquantile(ratios[:, defined], [alpha, 1 - alpha], axis=0)
        low[defined], high[defined] = quantiles[0], quantiles[1]
    return low, high
