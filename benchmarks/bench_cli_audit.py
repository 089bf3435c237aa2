"""Benchmark: the whole ``lanterne audit population`` process against a plain script.

Builds a Parquet file of N scored households (a score column and five categorical group
columns), then times, each as a fresh process (wall time, and processor time from
``resource.getrusage(RUSAGE_CHILDREN)``):

* ``lanterne audit population - pop.parquet --score-col score -g c1 ... -g c5 --json -``
  (scores read from the file, the top 5 % selected, JSON on standard output);
* the peer: a plain Python script that reads the same Parquet with PyArrow and computes the
  same selection rate per group with ``np.bincount`` (no medians, deciles, suppression or
  JSON: the least a process can do to answer the question).

The selection rates of both must agree (checked). Target (issue 19): the CLI within 2× the
peer's wall time. Both run once untimed first, with Python's bytecode cache written to a
temporary folder (as an installed package has it), then alternately; the figures are the
median (and best) of the runs, so both see the same load.

    python benchmarks/bench_cli_audit.py                # 2 million households
    python benchmarks/bench_cli_audit.py --rows 13800000 --runs 3
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

SRC = str(Path(__file__).resolve().parents[1] / "src")
GROUPS = {
    "c1": ["female", "male"],
    "c2": ["under_25", "25_34", "35_44", "45_54", "55_64", "65_plus"],
    "c3": ["french", "eu", "non_eu"],
    "c4": ["single", "couple", "single_parent", "couple_children"],
    "c5": [f"d{i:02d}" for i in range(1, 101)],
}
TOP_SHARE = 0.05

#: The peer: read the Parquet, select the top 5 %, selection rate per group with bincount.
PEER = """
import json, sys
import numpy as np
import pyarrow.parquet as pq
path, top_share = sys.argv[1], float(sys.argv[2])
names = sys.argv[3].split(",")
table = pq.read_table(path, columns=["score", *names])
score = table.column("score").to_numpy()
k = int(round(top_share * score.size))
threshold = np.partition(score, score.size - k)[score.size - k]
selected = score >= threshold
out = {}
for name in names:
    column = table.column(name).combine_chunks().dictionary_encode()
    codes = column.indices.to_numpy()
    labels = column.dictionary.to_pylist()
    n = np.bincount(codes, minlength=len(labels))
    hits = np.bincount(codes, weights=selected, minlength=len(labels))
    out[name] = {label: hits[i] / n[i] for i, label in enumerate(labels) if n[i]}
print(json.dumps(out))
"""


def build(path: Path, rows: int, seed: int = 0) -> None:
    """N households: a score (distinct values, so the top 5 % is exact) and five groups."""
    rng = np.random.default_rng(seed)
    columns = {"score": pa.array(rng.permutation(rows) / rows)}
    for name, labels in GROUPS.items():
        codes = rng.integers(0, len(labels), rows).astype(np.int8)
        columns[name] = pa.DictionaryArray.from_arrays(pa.array(codes), pa.array(labels))
    pq.write_table(pa.table(columns), path, compression="zstd")


def run(args: list[str], cache: Path) -> tuple[float, float, str]:
    """Wall time, processor time and standard output of one fresh process."""
    env = {**os.environ, "PYTHONPATH": SRC, "PYTHONPYCACHEPREFIX": str(cache)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # compiled once, by the untimed first run
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{args[:3]} failed:\n{done.stderr}")
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall, cpu, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each")
    options = parser.parse_args()
    names = list(GROUPS)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "pop.parquet"
        build(path, options.rows)
        cli = ["-m", "lanterne", "audit", "population", "-", str(path)]
        cli += ["--score-col", "score", "--top-share", str(TOP_SHARE), "--json", "-"]
        for name in names:
            cli += ["-g", name]
        peer = ["-c", PEER, str(path), str(TOP_SHARE), ",".join(names)]
        timings: dict[str, list[tuple[float, float]]] = {"cli": [], "peer": []}
        cache = Path(folder) / "pycache"
        for args in (cli, peer):  # untimed: writes the bytecode cache
            run(args, cache)
        for _ in range(options.runs):  # interleaved: both see the same load
            for key, args in (("cli", cli), ("peer", peer)):
                wall, cpu, out = run(args, cache)
                timings[key].append((wall, cpu))
                if key == "cli":
                    audit = json.loads(out)
                else:
                    expected = json.loads(out)
    # the same selection rates (what the peer computes), group by group
    for name in names:
        got = {row["group"]: row["selection_rate"] for row in audit["groups"][name]}
        for label, rate in expected[name].items():
            assert abs(got[label] - rate) < 1e-12, (name, label, got[label], rate)
    med = {
        k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v))
        for k, v in timings.items()
    }
    best = {k: (min(w for w, _ in v), min(c for _, c in v)) for k, v in timings.items()}
    print(
        json.dumps(
            {
                "rows": options.rows,
                "groups": len(names),
                "runs": options.runs,
                "load_average": [round(x, 2) for x in os.getloadavg()],
                "cli_wall_s": round(med["cli"][0], 2),
                "cli_cpu_s": round(med["cli"][1], 2),
                "peer_wall_s": round(med["peer"][0], 2),
                "peer_cpu_s": round(med["peer"][1], 2),
                "ratio_wall": round(med["cli"][0] / med["peer"][0], 2),
                "ratio_cpu": round(med["cli"][1] / med["peer"][1], 2),
                "best_cli_wall_s": round(best["cli"][0], 2),
                "best_peer_wall_s": round(best["peer"][0], 2),
                "ratio_wall_best": round(best["cli"][0] / best["peer"][0], 2),
                "ratios_wall_each_run": [
                    round(c[0] / p[0], 2)
                    for c, p in zip(timings["cli"], timings["peer"], strict=True)
                ],
                "target_ratio_wall": 2.0,
                "same_rates": True,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
