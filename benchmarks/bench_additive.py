"""Benchmark: score 1 million applicants with an additive model (issue: target ≤ 1 s).

The model is the catalog's ``nl-amsterdam-slimme-check-2022-prepilot`` (an Explainable
Boosting Machine: 15 shapes, up to 1,015 bins each, one mean imputation). The applicants
are random: each number drawn uniformly over its shape's edges (±10 %), flags at random,
5 % of every column missing — inputs of the right shape and size, not a population.

Figures: Lanterne's ``model.score(table)`` end to end (type checks, imputation, bins,
lookups, link, targeting) and its scoring alone on the prepared table; the peer, measured
in the same run, is a plain NumPy pass over the same rows already as float64 arrays:
``np.digitize`` on each shape's edges then a table lookup (missing values and unknown
categories handled with ``np.where``). Both give the same scores (checked).

    python benchmarks/bench_additive.py
    LANTERNE_BENCH_ROWS=100000 python benchmarks/bench_additive.py
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import households, peak_rss_gb
from lanterne.model import load_model

MODEL = "nl-amsterdam-slimme-check-2022-prepilot"


def applicants(model, n: int, seed: int = 0) -> pl.DataFrame:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    columns = {}
    for var in model.spec.variables:
        missing = rng.random(n) < 0.05
        if var.type == "bool":
            values = pl.Series(var.name, rng.random(n) < 0.5)
        else:
            shape = next(
                (s for s in model.shapes if s.name in (var.name, f"{var.name}_value")), None
            )
            edges = shape.edges if shape is not None and shape.edges.size else np.array([0, 3])
            low, high = float(edges.min()), float(edges.max())
            pad = (high - low) * 0.1 + 1
            values = pl.Series(var.name, np.round(rng.uniform(low - pad, high + pad, n), 1))
        columns[var.name] = values.scatter(np.flatnonzero(missing), None)
    return pl.DataFrame(columns)


def numpy_peer(model, arrays: dict[str, np.ndarray]) -> np.ndarray:  # type: ignore[no-untyped-def]
    """np.digitize + table lookup for each shape, on ready float64 arrays."""
    step = model.spec.model.preprocess[0]
    raw = arrays[step.impute]
    absent = np.isnan(raw)
    inputs = dict(arrays)
    inputs[step.output] = np.where(absent, step.value.value, raw)
    inputs[step.indicator] = absent.astype(np.float64)
    margin = np.full(raw.shape, model.base)
    for shape in model.shapes:
        x = inputs[shape.name]
        if shape.kind == "continuous":
            scores = shape.scores[np.digitize(x, shape.edges, right=False)]
        else:
            scores = np.full(x.shape, shape.unknown)
            for category, score in zip(shape.categories, shape.scores, strict=True):
                # InterpretML 0.2 keys categories by their text: -0.0 is not the category 0
                same = (x == category) & (np.signbit(x) == np.signbit(category))
                scores[same] = score
        margin += np.where(np.isnan(x), shape.missing, scores)
    return 1.0 / (1.0 + np.exp(-margin))


def main() -> None:
    n = households(1_000_000)
    model = load_model(MODEL)
    data = applicants(model, n)
    model.score(data.head(1000))  # warm-up (imports, first Polars plans)

    start = time.perf_counter()
    scored = model.score(data)
    end_to_end = time.perf_counter() - start

    prepared = model.prepare(data)
    start = time.perf_counter()
    model.scores(prepared, prepared=True)
    scoring = time.perf_counter() - start

    arrays = {c: data[c].cast(pl.Float64).to_numpy() for c in data.columns}
    start = time.perf_counter()
    peer = numpy_peer(model, arrays)
    peer_seconds = time.perf_counter() - start

    assert np.abs(peer - scored["score"].to_numpy()).max() < 1e-12
    print(
        json.dumps(
            {
                "benchmark": "additive",
                "model": MODEL,
                "rows": n,
                "score_end_to_end_seconds": round(end_to_end, 3),
                "scoring_only_seconds": round(scoring, 3),
                "numpy_digitize_lookup_seconds": round(peer_seconds, 3),
                "ratio_end_to_end_vs_numpy": round(end_to_end / peer_seconds, 2),
                "ratio_scoring_vs_numpy": round(scoring / peer_seconds, 2),
                "target_seconds": 1.0,
                "peak_rss_gb": peak_rss_gb(),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
