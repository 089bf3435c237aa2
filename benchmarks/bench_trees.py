"""Benchmark: 13.8 million rows through a 500-tree ensemble (issue: target ≤ 60 s, 2 cores).

The ensemble is the catalog's ``nl-rotterdam-2017`` (500 trees of at most 10 leaves, 36
inputs). Each column is drawn, with replacement and independently of the others, from its
400-person synthetic sample: every value is realistic and almost every row is a new
combination (nothing to gain from repeated rows); columns are Int32, as in a Parquet file.

Figures: Lanterne's ``model.score(table)`` end to end (type checks, inputs to float64 by
chunks, QuickScorer compiled by Numba, link, targeting; the kernels are compiled or loaded
from Numba's cache before the timing), and the peers measured in the same run:
LightGBM's ``Booster.predict(raw_score=True)`` alone on a ready float64 matrix of the same
rows — the floor for any LightGBM-based scorer — and QuickScorer alone on the same matrix,
both timed on the first two million rows and scaled to all rows (the float64 matrix of
every row would need 4 GB); and a plain NumPy
traversal of the same trees (the tests' independent reference), timed on the first 200,000
rows and scaled. Each scaled figure says so in its name.

    python benchmarks/bench_trees.py           # national scale
    LANTERNE_BENCH_ROWS=1000000 python benchmarks/bench_trees.py
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import NATIONAL_HOUSEHOLDS, households, peak_rss_gb
from lanterne.catalog import sample_path
from lanterne.io.tables import read_table
from lanterne.model import load_model
from lanterne.model.quickscorer import PARALLEL_FROM_ROWS
from lanterne.model.tree_engine import numpy_raw

PEER_ROWS = 2_000_000
NUMPY_ROWS = 200_000


def table(model, n: int, seed: int = 0) -> pl.DataFrame:
    """``n`` rows, each column drawn independently from the model's synthetic sample (Int32)."""
    sample = read_table(sample_path("nl-rotterdam-sample.csv")).select(model.inputs)
    rng = np.random.default_rng(seed)
    return pl.DataFrame(
        {
            c: sample[c].to_numpy().astype(np.int32)[rng.integers(0, sample.height, n)]
            for c in model.inputs
        }
    )


def main() -> None:
    n = households(NATIONAL_HOUSEHOLDS)
    model = load_model("nl-rotterdam-2017")
    data = table(model, n)
    model.score(data.head(PARALLEL_FROM_ROWS + 1))  # compile or load the kernels, untimed

    start = time.perf_counter()
    scored = model.score(data)
    lanterne_s = time.perf_counter() - start

    p = min(n, PEER_ROWS)
    matrix = data.head(p).to_numpy().astype(np.float64)
    booster = model.engine._booster
    start = time.perf_counter()
    peer = booster.predict(matrix, raw_score=True) + model.base_score + model.engine.constant
    peer_s = (time.perf_counter() - start) * n / p
    start = time.perf_counter()
    kernel = model.engine.raw(matrix) + model.base_score
    kernel_s = (time.perf_counter() - start) * n / p

    m = min(n, NUMPY_ROWS)
    start = time.perf_counter()
    reference = model.base_score + numpy_raw(model.ensemble, matrix[:m], "<=", "float64")
    numpy_s = (time.perf_counter() - start) * n / m

    score = scored["score"].to_numpy()[:p]
    margins = np.log(score / (1 - score))
    agree = float(np.max(np.abs(margins - peer)))
    agree_kernel = float(np.max(np.abs(kernel - peer)))
    exact_numpy = bool(np.array_equal(kernel[:m], reference))
    print(
        json.dumps(
            {
                "benchmark": "trees_score",
                "rows": n,
                "trees": model.ensemble.n_trees,
                "inputs": len(model.inputs),
                "lanterne_seconds": round(lanterne_s, 2),
                "target_seconds": 60,
                "peer": "lightgbm Booster.predict on a ready float64 matrix",
                "peer_seconds_scaled_from_first_rows": round(peer_s, 2),
                "peer_rows_timed": p,
                "ratio_peer_over_lanterne": round(peer_s / lanterne_s, 2),
                "quickscorer_on_the_same_matrix_seconds_scaled": round(kernel_s, 2),
                "ratio_peer_over_quickscorer": round(peer_s / kernel_s, 2),
                "numpy_traversal_seconds_scaled_from_first_rows": round(numpy_s, 1),
                "numpy_rows_timed": m,
                "max_abs_margin_difference_vs_peer": agree,
                "max_abs_margin_difference_quickscorer_vs_peer": agree_kernel,
                "quickscorer_identical_to_numpy_traversal": exact_numpy,
                "peak_rss_gb": round(peak_rss_gb(), 2),
                "load_average_1min_at_end": round(os.getloadavg()[0], 2),
            }
        )
    )


if __name__ == "__main__":
    main()
