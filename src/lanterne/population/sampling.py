"""Sampling tools that hit calibration targets exactly, vectorised with NumPy.

The generator draws each attribute so that, within each chunk of households, the counts
asked for by the targets come out exactly (up to one household of rounding): categories
are dealt out by quota in random order, flags are given to exactly ``k`` households chosen
with probabilities that rise with a weight (zero weight = not eligible), and attributes
that must match several targets at once get logistic inclusion probabilities fitted to
those targets, then an exact-size systematic sample.

Example:
    >>> rng = np.random.default_rng(0)
    >>> codes = deal(rng, 1000, [0.47, 0.04, 0.16, 0.33])
    >>> np.bincount(codes).tolist()
    [470, 40, 160, 330]
    >>> chosen = choose(rng, np.array([0.0, 1.0, 5.0, 0.0, 2.0]), 2)
    >>> int(chosen.sum()), bool(chosen[0] or chosen[3])
    (2, False)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

Bools = NDArray[np.bool_]
Floats = NDArray[np.float64]


def round_stochastic(rng: np.random.Generator, x: float) -> int:
    """``x`` rounded down or up at random so that the expected value is ``x``.

    >>> rng = np.random.default_rng(1)
    >>> mean = sum(round_stochastic(rng, 2.25) for _ in range(4000)) / 4000
    >>> abs(mean - 2.25) < 0.05
    True
    """
    base = int(np.floor(x))
    return base + int(rng.random() < x - base)


def quota(rng: np.random.Generator, n: int, probs: ArrayLike) -> NDArray[np.int64]:
    """Counts per category summing to ``n``, each within one of ``n × p`` (unbiased).

    >>> quota(np.random.default_rng(0), 10, [0.5, 0.25, 0.25]).sum()
    np.int64(10)
    """
    p = np.clip(np.asarray(probs, dtype=np.float64), 0, None)
    total = p.sum()
    if n == 0 or total <= 0:
        return np.zeros(p.size, dtype=np.int64)
    expected = n * p / total
    counts = np.floor(expected).astype(np.int64)
    remainder = int(n - counts.sum())
    if remainder:
        frac = expected - counts
        extra = rng.choice(p.size, size=remainder, replace=False, p=frac / frac.sum())
        counts[extra] += 1
    return counts


def deal(
    rng: np.random.Generator, n: int, probs: ArrayLike, dtype: DTypeLike = np.uint8
) -> NDArray:
    """``n`` category codes in random order, in the proportions ``probs`` (by quota)."""
    counts = quota(rng, n, probs)
    codes = np.repeat(np.arange(counts.size, dtype=dtype), counts)
    return rng.permutation(codes)


def deal_within(
    rng: np.random.Generator,
    strata: NDArray,
    probs_by_stratum: Mapping[int, ArrayLike],
    out: NDArray,
) -> None:
    """Fill ``out`` stratum by stratum: rows of stratum ``s`` get codes dealt by ``probs[s]``."""
    order = np.argsort(strata, kind="stable")
    ordered = strata[order]
    sorted_keys = sorted(probs_by_stratum)
    starts = np.searchsorted(ordered, sorted_keys, side="left")
    ends = np.searchsorted(ordered, sorted_keys, side="right")
    for key, start, end in zip(sorted_keys, starts, ends, strict=True):
        rows = order[start:end]
        if rows.size:
            out[rows] = deal(rng, rows.size, probs_by_stratum[key], dtype=out.dtype)


def choose(rng: np.random.Generator, weights: NDArray, k: int) -> Bools:
    """Exactly ``min(k, eligible)`` rows, drawn without replacement with weights.

    Rows with weight 0 are never chosen. The draw is the exponential-keys method of
    Efraimidis and Spirakis: each row gets ``E / w`` with ``E`` exponential and the ``k``
    smallest keys win, so heavier rows are chosen more often.
    """
    weights = np.asarray(weights, dtype=np.float64)
    chosen = np.zeros(weights.size, dtype=bool)
    eligible = np.flatnonzero(weights > 0)
    k = min(max(k, 0), eligible.size)
    if k == 0:
        return chosen
    if k == eligible.size:
        chosen[eligible] = True
        return chosen
    keys = rng.standard_exponential(eligible.size) / weights[eligible]
    chosen[eligible[np.argpartition(keys, k - 1)[:k]]] = True
    return chosen


def choose_share(rng: np.random.Generator, weights: NDArray, share: float, among: Bools) -> Bools:
    """Rows among ``among``, ``share`` of them (rounded at random), chosen by weight."""
    k = round_stochastic(rng, share * int(among.sum()))
    return choose(rng, np.where(among, weights, 0.0), k)


def systematic(rng: np.random.Generator, probs: Floats, order: NDArray | None = None) -> Bools:
    """A systematic sample: row ``i`` is in it with probability ``probs[i]`` (each ≤ 1).

    The sample size is ``floor`` or ``ceil`` of ``probs.sum()``. Rows are taken in
    ``order`` (default: as they come): the count within any run of consecutive rows of
    that order is within one of its expected value, so sorting rows by group first makes
    every group's count nearly exact.

    >>> probs = np.full(10, 0.3)
    >>> int(systematic(np.random.default_rng(0), probs).sum())
    3
    """
    p = np.clip(np.asarray(probs, dtype=np.float64), 0.0, 1.0)
    if order is not None:
        p = p[order]
    cumulative = np.cumsum(p)
    start = rng.random()
    upper = np.floor(cumulative + start)
    lower = np.empty_like(upper)
    lower[0] = np.floor(start)
    lower[1:] = upper[:-1]
    taken = upper > lower
    if order is None:
        return taken
    chosen = np.zeros(p.size, dtype=bool)
    chosen[order] = taken
    return chosen


def pattern_codes(indicators: Sequence[NDArray], offset_codes: NDArray) -> NDArray[np.int64]:
    """One integer per row for its pattern: offset code, then the boolean indicators as bits.

    >>> pattern_codes([np.array([True, False]), np.array([True, True])], np.array([0, 1])).tolist()
    [3, 5]
    """
    code = np.asarray(offset_codes, dtype=np.int64)
    for column in indicators:
        code = code * 2 + np.asarray(column, dtype=np.int64)
    return code


def fit_logistic(
    design: NDArray,
    targets: Floats,
    offset: Floats | None = None,
    weights: Floats | None = None,
    iterations: int = 60,
    tol: float = 1e-10,
) -> tuple[Floats, Floats]:
    """Inclusion probabilities whose weighted column sums equal ``targets``.

    Finds ``beta`` such that ``p = expit(offset + design @ beta)`` satisfies
    ``design.T @ (weights * p) == targets`` (a calibration of the logistic family, as in
    raking with a logit distance). ``weights`` count identical rows (see
    :func:`fit_logistic_grouped`). Returns ``(p, beta)``. Newton's method with step halving.

    >>> x = np.ones((4, 1))
    >>> p, _ = fit_logistic(x, np.array([1.0]))
    >>> np.round(p, 6).tolist()
    [0.25, 0.25, 0.25, 0.25]
    """
    x = np.asarray(design, dtype=np.float64)
    n, m = x.shape
    base = np.zeros(n) if offset is None else np.asarray(offset, dtype=np.float64)
    count = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
    beta = np.zeros(m)
    scale = np.maximum(np.abs(targets), 1.0)

    def state(b: Floats) -> tuple[Floats, Floats, float]:
        p = 1.0 / (1.0 + np.exp(-(base + x @ b)))
        gap = x.T @ (count * p) - targets
        return p, gap, float(np.sum((gap / scale) ** 2))

    p, gap, loss = state(beta)
    for _ in range(iterations):
        if np.max(np.abs(gap) / scale) < tol:
            break
        hessian = x.T @ (x * (count * p * (1.0 - p))[:, None])
        step = np.linalg.lstsq(hessian, gap, rcond=None)[0]
        size = 1.0
        while size > 1e-6:
            candidate = beta - size * step
            p_new, gap_new, loss_new = state(candidate)
            if loss_new < loss:
                beta, p, gap, loss = candidate, p_new, gap_new, loss_new
                break
            size /= 2
        else:
            break
    return p, beta


def fit_logistic_grouped(
    indicators: Sequence[NDArray], offset_codes: NDArray, offsets: Floats, targets: Floats
) -> Floats:
    """:func:`fit_logistic` on boolean covariates, fitted once per distinct row pattern.

    ``indicators`` are boolean columns (an intercept is added first); ``offset_codes``
    index ``offsets``. Rows sharing the same pattern get the same probability, so the fit
    runs on a few hundred patterns instead of every row. Returns one probability per row.

    >>> a = np.array([True, False, True, False])
    >>> p = fit_logistic_grouped([a], np.zeros(4, dtype=int), np.zeros(1), np.array([2.0, 1.5]))
    >>> np.round(p, 6).tolist()
    [0.75, 0.25, 0.75, 0.25]
    """
    code = pattern_codes(indicators, offset_codes)
    levels = len(offsets)
    counts = np.bincount(code)
    present = np.flatnonzero(counts)
    bits = [(present >> shift) & 1 for shift in range(len(indicators) - 1, -1, -1)]
    pattern_offset = np.asarray(offsets, dtype=np.float64)[(present >> len(indicators)) % levels]
    design = np.column_stack([np.ones(present.size), *bits]).astype(np.float64)
    p, _ = fit_logistic(
        design, targets, offset=pattern_offset, weights=counts[present].astype(np.float64)
    )
    lookup = np.zeros(counts.size)
    lookup[present] = p
    return lookup[code]


def ipf(
    seed: Floats, row_totals: Sequence[float] | Floats, col_totals: Sequence[float] | Floats
) -> Floats:
    """Iterative proportional fitting of a two-way table to its margins.

    >>> table = ipf(np.ones((2, 2)), [0.3, 0.7], [0.5, 0.5])
    >>> np.round(table, 3).tolist()
    [[0.15, 0.15], [0.35, 0.35]]
    """
    table = np.asarray(seed, dtype=np.float64).copy()
    rows = np.asarray(row_totals, dtype=np.float64)
    cols = np.asarray(col_totals, dtype=np.float64)
    for _ in range(500):
        table *= (rows / np.maximum(table.sum(axis=1), 1e-300))[:, None]
        table *= (cols / np.maximum(table.sum(axis=0), 1e-300))[None, :]
        if np.max(np.abs(table.sum(axis=1) - rows)) < 1e-12:
            break
    return table
