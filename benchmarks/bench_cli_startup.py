"""Benchmark: start-up of the command line (``lanterne --version``, ``--help``,
``audit population --help``), each a fresh process, against ``python -c pass``.

Target (issue 19): ≤ 0.3 s. Lazy imports keep Polars, NumPy, Matplotlib... out of these
(``tests/cli/test_cli_startup.py`` checks the import graph); this script measures the clock.

    python benchmarks/bench_cli_startup.py            # best of 7 runs each
    python benchmarks/bench_cli_startup.py --runs 3
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

SRC = str(Path(__file__).resolve().parents[1] / "src")
COMMANDS = {
    "python -c pass": ["-c", "pass"],
    "lanterne --version": ["-m", "lanterne", "--version"],
    "lanterne --help": ["-m", "lanterne", "--help"],
    "lanterne audit population --help": ["-m", "lanterne", "audit", "population", "--help"],
}


def best_time(args: list[str], runs: int) -> tuple[float, float]:
    """Best wall-clock and processor time of ``runs`` fresh processes (the best is the
    least disturbed by other work on the machine)."""
    env = {**os.environ, "PYTHONPATH": SRC}
    wall = cpu = float("inf")
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run([sys.executable, *args], env=env, capture_output=True, check=True)
        wall = min(wall, time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = min(cpu, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    measured = {name: best_time(args, runs) for name, args in COMMANDS.items()}
    peer_wall = measured["python -c pass"][0]
    print(
        json.dumps(
            {
                "runs": runs,
                "load_average": round(os.getloadavg()[0], 2),
                "wall_seconds": {k: round(w, 3) for k, (w, _) in measured.items()},
                "cpu_seconds": {k: round(c, 3) for k, (_, c) in measured.items()},
                "ratio_to_bare_python_wall": {
                    k: round(w / peer_wall, 1) for k, (w, _) in measured.items()
                },
                "target_seconds": 0.3,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
