"""Benchmark: two versions of a model on a grid of about a million profiles.

``lanterne models compare`` on Amsterdam's pair with a wider grid than the default (four
values for seven variables, two for the others: 1,048,576 profiles): building the grid,
checking it, scoring it with both models, counting the flips and the flips per value. The
peer, measured in the same run, is plain NumPy on the same rows already as float64 arrays:
``np.digitize`` + table lookup for each shape of each model, then ``np.bincount`` of the
flips per value. Both give the same counts (checked).

    python benchmarks/bench_compare_grid.py
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_additive import numpy_peer
from common import peak_rss_gb
from lanterne.compare import compare_on_grid, default_grid
from lanterne.model import load_model

FIRST = "nl-amsterdam-slimme-check-2022-prepilot"
SECOND = "nl-amsterdam-slimme-check-2022-reweighed"
WIDER = {
    "deelnames_started_percentage_last_year": [0, 0.3, 0.6, 1],
    "active_address_count": [0, 1, 2, 3],
    "days_since_last_relocation": [30, 90, 700, 2000],
    "days_since_last_dienst_end": [0, 30, 300, 1000],
    "total_vermogen": [-10000, 0, 3000, 20000],
    "afspraken_no_show_count_last_year": [0, 1, 2, 3],
    "sum_inkomen_bruto": [None, 0, 1000, 2000],
}


def main() -> None:
    first, second = load_model(FIRST), load_model(SECOND)
    grid = default_grid([first, second], WIDER)
    compare_on_grid(first, second, default_grid([first, second]), 0.5)  # warm-up

    start = time.perf_counter()
    result = compare_on_grid(first, second, grid, 0.5)
    lanterne_seconds = time.perf_counter() - start

    frame = grid.frame()
    arrays = {c: frame[c].cast(float).to_numpy() for c in frame.columns}
    start = time.perf_counter()
    a = numpy_peer(first, arrays) >= 0.5
    b = numpy_peer(second, arrays) >= 0.5
    up, down = b & ~a, a & ~b
    per_value = {}
    for name, x in arrays.items():
        _, codes = np.unique(np.nan_to_num(x, nan=-1e300), return_inverse=True)
        per_value[name] = (np.bincount(codes, weights=up), np.bincount(codes, weights=down))
    peer_seconds = time.perf_counter() - start

    counts = result.counts()
    assert (counts["flip_up"], counts["flip_down"]) == (int(up.sum()), int(down.sum()))
    print(
        json.dumps(
            {
                "benchmark": "compare_grid",
                "models": [FIRST, SECOND],
                "profiles": grid.size,
                "flips": counts["flip_total"],
                "lanterne_compare_seconds": round(lanterne_seconds, 3),
                "numpy_digitize_bincount_seconds": round(peer_seconds, 3),
                "ratio_vs_numpy": round(lanterne_seconds / peer_seconds, 2),
                "peak_rss_gb": peak_rss_gb(),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
