"""Helpers shared by the benchmarks: synthetic inputs, timing, peak memory."""

from __future__ import annotations

import os
import resource
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np
import polars as pl

from lanterne.spec.schema import ModelSpec

T = TypeVar("T")
NATIONAL_HOUSEHOLDS = 13_800_000


def households(n: int) -> int:
    """The number of rows to use: ``LANTERNE_BENCH_ROWS`` overrides (for quick runs)."""
    return int(os.environ.get("LANTERNE_BENCH_ROWS", n))


def random_table(spec: ModelSpec, n: int, seed: int = 0) -> pl.DataFrame:
    """Random values for every variable of a spec, in compact types (like a Parquet file).

    Uniform within declared ranges, categories drawn evenly: not a realistic population
    (see ``lanterne population generate``), only inputs of the right shape and size.
    """
    rng = np.random.default_rng(seed)
    columns: dict[str, pl.Series] = {}
    for var in spec.variables:
        if var.type == "bool":
            columns[var.name] = pl.Series(var.name, rng.random(n) < 0.3)
        elif var.type == "category":
            cats = var.categories or []
            codes = rng.integers(0, len(cats), n, dtype=np.uint8 if len(cats) < 256 else np.uint16)
            columns[var.name] = pl.Series(var.name, np.asarray(cats)[codes]).cast(pl.Enum(cats))
        else:
            low, high = var.range or (0, 100)
            high = min(high, low + 5000)
            if var.type == "int":
                columns[var.name] = pl.Series(
                    var.name, rng.integers(low, high + 1, n, dtype=np.int32)
                )
            else:
                columns[var.name] = pl.Series(
                    var.name, rng.uniform(low, high, n).astype(np.float32)
                )
    return pl.DataFrame(columns)


def timed(func: Callable[[], T], repeat: int = 3) -> tuple[float, T]:
    """Best wall-clock time of ``repeat`` runs, and the last result."""
    best = float("inf")
    result: T
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - start)
    return best, result


def peak_rss_gb() -> float:
    """Peak resident memory of this process so far, in GB.

    Read from ``VmHWM`` on Linux: unlike ``ru_maxrss``, it is not inherited from the
    parent process that started this one.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024**2
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
