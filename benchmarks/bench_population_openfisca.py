"""Benchmark: ``lanterne population check --openfisca 2000`` (issue 15: target ≤ 60 s).

Generates a population of 200,000 households (not timed), then times the comparison of
2,000 sampled households with OpenFisca-France in a fresh process: loading the
tax-benefit system, one OpenFisca simulation for the sample, the generator's fast
formulas on the same households, and the statistics. Peer: the fast formulas alone on
the same 2,000 households (what the generator runs for 13.8 million), measured in the
same run; the ratio says how much faster they are than OpenFisca-France.

    python benchmarks/bench_population_openfisca.py
    LANTERNE_BENCH_ROWS=500 python benchmarks/bench_population_openfisca.py   # sample size
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import households

SAMPLE = 2000

CHECK = """
import json, os, time
from common import peak_rss_gb
load = os.getloadavg()[0]
start = time.perf_counter()
from lanterne.population.openfisca_check import openfisca_check
report = openfisca_check({path!r}, "2023-12", n={n}, seed=15)
seconds = time.perf_counter() - start

from lanterne.population import legal
from lanterne.population.law import legal_parameters
from lanterne.population.openfisca_check import sample_households
from lanterne.rights.inputs import derive_situations
frame = sample_households({path!r}, {n}, 15)
law = legal_parameters("2023-12")
h = legal.from_situations(derive_situations(frame))
best = float("inf")
for _ in range(5):
    t = time.perf_counter()
    legal.benefits(h, law)
    best = min(best, time.perf_counter() - t)
print(json.dumps({{"seconds": seconds, "peak_gb": peak_rss_gb(), "load_before": load,
    "fast_seconds": best, "all_ok": report.all_ok,
    "benefits": {{k: b.contract() for k, b in report.benefits.items()}}}}))
"""


def main() -> None:
    n = households(SAMPLE)
    root = Path(__file__).resolve().parent
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "population.parquet")
        subprocess.run(
            [
                sys.executable,
                "-c",
                "from lanterne.population.generate import generate_population;"
                f"generate_population({path!r}, 200_000, seed=2023, workers=1)",
            ],
            check=True,
            cwd=root,
        )
        out = subprocess.run(
            [sys.executable, "-c", CHECK.format(path=path, n=n)],
            capture_output=True,
            text=True,
            check=True,
            cwd=root,
        )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    print(
        json.dumps(
            {
                "benchmark": "population check --openfisca",
                "households_compared": n,
                "seconds": round(result["seconds"], 2),
                "peak_memory_gb": round(result["peak_gb"], 2),
                "load_average_before": result["load_before"],
                "target": {"seconds": 60},
                "within_target": result["seconds"] <= 60,
                "goals_met": result["all_ok"],
                "benefits": result["benefits"],
                "peer": "the generator's fast formulas alone on the same households",
                "peer_seconds": round(result["fast_seconds"], 4),
                "ratio_to_peer": round(result["seconds"] / max(result["fast_seconds"], 1e-9), 1),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
