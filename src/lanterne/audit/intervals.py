"""Confidence intervals of rates: Wilson's score interval, the one used everywhere.

A single rate ``k / n`` (selection rate, hit rate, share) gets the Wilson score interval:
unlike a bootstrap, it stays honest at the edges (0 hits out of 30 gives [0, 0.114], not
[0, 0]) and for small groups, and it needs no random draws. Ratios of two rates (the lift)
have no such closed form: :func:`lanterne.audit.bootstrap.bootstrap_ratio` gives them a
percentile bootstrap interval.

Example:
    >>> [round(x, 4) for x in wilson(0, 30)]
    [0.0, 0.1135]
    >>> [round(x, 4) for x in wilson(10, 100)]
    [0.0552, 0.1744]
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np


def z_value(level: float = 0.95) -> float:
    """The two-sided normal quantile of ``level`` (1.96 for 95%).

    >>> round(z_value(0.95), 4)
    1.96
    """
    return NormalDist().inv_cdf(0.5 + level / 2)


def wilson_arrays(
    k: np.ndarray, n: np.ndarray, level: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson intervals of many rates at once: ``(low, high)``, NaN where ``n`` is 0.

    >>> low, high = wilson_arrays(np.array([0, 30]), np.array([30, 30]))
    >>> [round(float(x), 4) for x in (*low, *high)]
    [0.0, 0.8865, 0.1135, 1.0]
    """
    k = np.asarray(k, dtype=np.float64)
    n = np.asarray(n, dtype=np.float64)
    z = z_value(level)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        denominator = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denominator
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    low = np.where(n > 0, np.clip(centre - half, 0.0, 1.0), np.nan)
    high = np.where(n > 0, np.clip(centre + half, 0.0, 1.0), np.nan)
    # exact at the edges (the formula gives them up to rounding)
    low = np.where((n > 0) & (k == 0), 0.0, low)
    high = np.where((n > 0) & (k == n), 1.0, high)
    return low, high


def wilson(k: int, n: int, level: float = 0.95) -> tuple[float, float] | None:
    """The Wilson interval of ``k / n`` at ``level``, or ``None`` when ``n`` is 0."""
    if n <= 0:
        return None
    low, high = wilson_arrays(np.array([k]), np.array([n]), level)
    return (float(low[0]), float(high[0]))


def interval_or_none(k: int | None, n: int | None, level: float = 0.95) -> list[float] | None:
    """:func:`wilson` as a JSON list, ``None`` when a count is hidden or ``n`` is 0.

    >>> interval_or_none(None, 10), interval_or_none(0, 0)
    (None, None)
    """
    if k is None or n is None:
        return None
    found = wilson(k, n, level)
    return None if found is None else [found[0], found[1]]
