"""Benchmark: generate 13.8 million households (issue: target ≤ 60 s, ≤ 6 GB on 2 cores).

Runs ``generate_population`` (the code behind ``lanterne population generate``) to a
temporary Parquet file in a fresh process, reporting its wall time and peak memory, then
``check_population`` on the file. Peer: the simplest generator of the same columns and
types — independent uniform draws per column, no coherence, no calibration — written to
Parquet by the same writer, in chunks, in the same run. Prints the figures and the ratio.

    python benchmarks/bench_population.py           # national scale
    LANTERNE_BENCH_ROWS=2000000 python benchmarks/bench_population.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import NATIONAL_HOUSEHOLDS, households

GENERATE = """
import json, os, resource, time
from common import peak_rss_gb
from lanterne.population.generate import generate_population
if __name__ == "__main__":
    load = os.getloadavg()[0]
    start, before = time.perf_counter(), os.times()
    generate_population({path!r}, {n}, seed=2023, workers=2)
    seconds = time.perf_counter() - start
    after = os.times()
    cpu = sum(after[:4]) - sum(before[:4])
    child_gb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024**2
    # Upper bound of the peak of all processes: main + each worker at the largest's peak.
    print(json.dumps({{"seconds": seconds, "cpu_seconds": cpu, "load_before": load,
        "peak_gb": peak_rss_gb() + 2 * child_gb, "main_peak_gb": peak_rss_gb(),
        "worker_peak_gb": child_gb}}))
"""

CHECK = """
import json, time
from common import peak_rss_gb
from lanterne.population.check import check_population
start = time.perf_counter()
report = check_population({path!r}, "fr-caf-2023")
seconds = time.perf_counter() - start
print(json.dumps({{"seconds": seconds, "peak_gb": peak_rss_gb(), "all_ok": report.all_ok,
    "failures": [c.target.id for c in report.failures]}}))
"""

PEER = """
import json, time
import numpy as np, polars as pl, pyarrow.parquet as pq
from common import peak_rss_gb
from lanterne.population.generate import chunk_sizes
from lanterne.population.targets import load_targets
columns = load_targets("fr-caf-2023").columns
start = time.perf_counter()
rng = np.random.default_rng(0)
writer = None
for size in chunk_sizes({n}):
    series = []
    for name, col in columns.items():
        if col.kind == "bool":
            values = pl.Series(name, rng.random(size) < 0.3)
        elif col.kind == "category":
            codes = rng.integers(0, len(col.categories), size, dtype=np.uint8)
            values = pl.Series(name, np.asarray(col.categories)[codes])
        else:
            low, high = col.range or (0, 100)
            values = pl.Series(name, rng.uniform(low, min(high, low + 5000), size))
        series.append(values.cast(col.dtype))
    table = pl.DataFrame(series).to_arrow()
    if writer is None:
        writer = pq.ParquetWriter({path!r}, table.schema, compression="zstd")
    writer.write_table(table)
writer.close()
seconds = time.perf_counter() - start
print(json.dumps({{"seconds": seconds, "peak_gb": peak_rss_gb()}}))
"""


def run(code: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    n = households(NATIONAL_HOUSEHOLDS)
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "population.parquet")
        generated = run(GENERATE.format(path=path, n=n))
        size_mb = Path(path).stat().st_size / 1e6
        checked = run(CHECK.format(path=path))
        Path(path).unlink()
        peer_path = str(Path(tmp) / "peer.parquet")
        peer = run(PEER.format(path=peer_path, n=n))
    print(
        json.dumps(
            {
                "benchmark": "population generate",
                "households": n,
                "seconds": round(generated["seconds"], 2),
                "peak_memory_gb": round(generated["peak_gb"], 2),
                "peak_memory_note": "main process + 2 × the largest worker's peak",
                "main_peak_gb": round(generated["main_peak_gb"], 2),
                "worker_peak_gb": round(generated["worker_peak_gb"], 2),
                "cpu_seconds": round(generated["cpu_seconds"], 1),
                "load_average_before": generated["load_before"],
                "file_mb": round(size_mb, 1),
                "target": {"seconds": 60, "peak_memory_gb": 6},
                "within_target": generated["seconds"] <= 60 and generated["peak_gb"] <= 6,
                "check_seconds": round(checked["seconds"], 2),
                "check_peak_memory_gb": round(checked["peak_gb"], 2),
                "check_all_within_tolerance": checked["all_ok"],
                "check_failures": checked["failures"],
                "peer": "independent uniform columns, same types, same Parquet writer",
                "peer_seconds": round(peer["seconds"], 2),
                "peer_peak_memory_gb": round(peer["peak_gb"], 2),
                "ratio_to_peer": round(generated["seconds"] / peer["seconds"], 2),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
