"""Benchmark: 1,000 bootstrap resamples of 6,000 inspected cases, hit rates of 5 groups.

Target (issue 4): well under a second. Peer, same run, same random draws: a plain Python
loop over the resamples (one ``np.bincount`` pair per resample); the intervals must be
identical.

    python benchmarks/bench_bootstrap.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import timed
from lanterne.audit.bootstrap import bootstrap_rates

ROWS, GROUPS, RESAMPLES, SEED = 6000, 5, 1000, 0


def loop_bootstrap(codes: np.ndarray, hits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The same percentile bootstrap, one resample at a time."""
    draws = np.random.default_rng(SEED).integers(0, codes.size, size=(RESAMPLES, codes.size))
    rates = np.empty((RESAMPLES, GROUPS))
    for r, picks in enumerate(draws):
        rows = np.bincount(codes[picks], minlength=GROUPS)
        positives = np.bincount(codes[picks], weights=hits[picks], minlength=GROUPS)
        with np.errstate(invalid="ignore"):
            rates[r] = np.where(rows > 0, positives / np.maximum(rows, 1), np.nan)
    quantiles = np.nanquantile(rates, [0.025, 0.975], axis=0)
    return quantiles[0], quantiles[1]


def main() -> None:
    rng = np.random.default_rng(1)
    codes = rng.integers(0, GROUPS, ROWS)
    hits = rng.random(ROWS) < 0.25
    seconds, (low, high) = timed(
        lambda: bootstrap_rates(codes, hits, GROUPS, resamples=RESAMPLES, seed=SEED), repeat=5
    )
    loop_seconds, (loop_low, loop_high) = timed(lambda: loop_bootstrap(codes, hits), repeat=3)
    gap = float(max(np.max(np.abs(low - loop_low)), np.max(np.abs(high - loop_high))))
    assert gap < 1e-12, gap
    result = {
        "benchmark": "bootstrap hit rates (1,000 resamples × 6,000 rows, 5 groups)",
        "seconds": round(seconds, 4),
        "loop_seconds": round(loop_seconds, 4),
        "ratio_vs_loop": round(loop_seconds / seconds, 1),
        "max_abs_difference": gap,
        "target": "well under 1 s",
    }
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
