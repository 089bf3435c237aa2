"""`make demo` at national scale: generate 13.8 M households, audit two models, write the report.

Runs ``lanterne demo`` end to end in a fresh temporary folder (the population is generated,
not reused) and prints the wall time of each stage as JSON, with the peak memory. Target
(issue "audit report"): the whole demo in ≤ 3 minutes on 2 cores. The peer is the
simplest equivalent pipeline — generating the same population, then scoring both models
and counting selections per group with NumPy ``bincount`` (no report) — measured in the
same run, so the ratio shows what the audit and the report add.

    .venv/bin/python benchmarks/bench_demo.py          # LANTERNE_BENCH_ROWS=1000000 for a quick run
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

from common import NATIONAL_HOUSEHOLDS, households, peak_rss_gb
from lanterne.cli.app import run
from lanterne.model import load_model
from lanterne.population.generate import generate_population

MODELS = ("fr-cnaf-2014", "fr-cnaf-dmde-2026")
GROUPS = ("family_type", "sex", "age_band", "nationality", "disability", "qpv")


def baseline(path: Path) -> float:
    """Score both models and count selected households per group with bincount."""
    started = time.perf_counter()
    frame = pl.read_parquet(path)
    for model_id in MODELS:
        model = load_model(model_id)
        scores = model.scores(model.prepare(frame), prepared=True).to_numpy()
        k = model.targeting.wanted(scores.size)
        threshold = np.partition(scores, scores.size - k)[scores.size - k]
        selected = scores >= threshold
        for column in GROUPS:
            codes = frame[column].to_physical().to_numpy().astype(np.int64)
            np.bincount(codes, weights=selected) / np.bincount(codes)
    return time.perf_counter() - started


def main() -> None:
    n = households(NATIONAL_HOUSEHOLDS)
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "out"
        started = time.perf_counter()
        code = run(["demo", "--out", str(out), "--households", str(n)])
        demo_seconds = time.perf_counter() - started
        assert code == 0, f"lanterne demo failed with exit code {code}"
        assert (out / "report.html").stat().st_size > 0
        generated = Path(folder) / "again.parquet"
        started = time.perf_counter()
        generate_population(generated, n)
        generate_seconds = time.perf_counter() - started
        peer = generate_seconds + baseline(generated)
    print(
        json.dumps(
            {
                "benchmark": "demo",
                "households": n,
                "demo_seconds": round(demo_seconds, 1),
                "target_seconds": 180,
                "peer": "generate + score both models + bincount selection rates per group",
                "peer_seconds": round(peer, 1),
                "ratio_to_peer": round(demo_seconds / peer, 2),
                "peak_rss_gb": round(peak_rss_gb(), 2),
            }
        )
    )


if __name__ == "__main__":
    main()
