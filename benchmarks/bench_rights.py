"""Rights of 1 million households with OpenFisca-France, chunked, on 2 processes.

Target (issue 8): ≤ 5 minutes on 2 cores. The households are the embedded 400-household
sample repeated (new ids), so the mix of situations is realistic. Peer: the naive way, one
OpenFisca simulation per household (timed on a few households and extrapolated).

    .venv/bin/python benchmarks/bench_rights.py
    LANTERNE_BENCH_ROWS=100000 .venv/bin/python benchmarks/bench_rights.py   # quicker
"""

from __future__ import annotations

import json
import os
import resource
import time

import polars as pl

from lanterne.catalog import sample_path
from lanterne.io.tables import read_table
from lanterne.rights.catalog import load_rights_catalog
from lanterne.rights.compute import compute_rights, rights_of_chunk
from lanterne.rights.simulate import REFERENCE_MONTH, tax_benefit_system

MONTH = REFERENCE_MONTH  # comparable from one run to the next


def population(n: int) -> pl.DataFrame:
    sample = read_table(sample_path())
    reps = -(-n // sample.height)
    frame = pl.concat([sample] * reps).head(n)
    return frame.with_columns(pl.int_range(1, n + 1).alias("household_id"))


def main() -> None:
    n = int(os.environ.get("LANTERNE_BENCH_ROWS", 1_000_000))
    workers = int(os.environ.get("LANTERNE_BENCH_WORKERS", 2))
    frame = population(n)
    start = time.perf_counter()
    tax_benefit_system()
    load = time.perf_counter() - start
    start = time.perf_counter()
    out = compute_rights(frame, MONTH, workers=workers, progress=True)
    seconds = time.perf_counter() - start
    # peer: one simulation per household
    cat = load_rights_catalog()
    few = frame.head(10)
    t0 = time.perf_counter()
    for i in range(few.height):
        rights_of_chunk(few.slice(i, 1), MONTH, cat)
    per_household = (time.perf_counter() - t0) / few.height
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    children_gb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1e6
    print(
        json.dumps(
            {
                "benchmark": "rights (OpenFisca-France RSA, PPA, housing, AAH + take-up)",
                "households": n,
                "workers": workers,
                "seconds": round(seconds, 1),
                "households_per_second": round(n / seconds),
                "openfisca_load_seconds": round(load, 1),
                "target_seconds": 300,
                "peer": "one OpenFisca simulation per household (extrapolated from 10)",
                "peer_seconds": round(per_household * n, 1),
                "ratio": round(per_household * n / seconds, 1),
                "peak_rss_gb_main": round(peak_gb, 2),
                "peak_rss_gb_worker": round(children_gb, 2),
                "entitled_rsa_share": round(float(out["rsa_entitled"].mean()), 4),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
