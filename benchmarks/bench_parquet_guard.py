"""Benchmark: the cost of checking Parquet page headers before Polars decodes a file.

``read_table`` walks every page header of a Parquet file (:mod:`lanterne.io.parquet_guard`)
before Polars reads it: a damaged header made Polars' decoder abort the process. Peer: the
same file read by Polars without the check (``pl.read_parquet``), in the same run; also shown,
the rejected alternative of decoding through PyArrow (``pq.read_table`` + ``pl.from_arrow``).
Target: the check adds at most 10 % to a whole-file read.

    python benchmarks/bench_parquet_guard.py                  # 2 million households
    python benchmarks/bench_parquet_guard.py population.parquet
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from unittest import mock

import polars as pl
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import households, timed
from lanterne.io.parquet_guard import check_parquet_pages
from lanterne.io.tables import read_table


def main() -> None:
    if len(sys.argv) > 1:
        path = Path(sys.argv[1])
    else:
        from lanterne.population.generate import generate_population

        path = Path(tempfile.mkdtemp()) / "population.parquet"
        generate_population(path, households(2_000_000), seed=2023, workers=1)
    meta = pq.ParquetFile(path).metadata
    pages = f"{meta.num_rows:,} rows, {meta.num_columns} columns, {meta.num_row_groups} groups"
    check, _ = timed(lambda: check_parquet_pages(path), repeat=7)
    guarded, _ = timed(lambda: read_table(path), repeat=7)
    bare, _ = timed(lambda: pl.read_parquet(path), repeat=7)
    with mock.patch("lanterne.io.tables.check_parquet_pages", lambda _: None):
        unchecked, _ = timed(lambda: read_table(path), repeat=7)
    arrow, _ = timed(lambda: pl.from_arrow(pq.read_table(path)), repeat=3)
    print(f"{path.name}: {pages}, {path.stat().st_size / 1e6:.1f} MB")
    print(f"page header check alone          {check * 1000:7.1f} ms")
    print(f"read_table (checked, Polars)     {guarded * 1000:7.1f} ms")
    print(f"read_table without the check     {unchecked * 1000:7.1f} ms")
    print(f"peer: pl.read_parquet, unchecked {bare * 1000:7.1f} ms")
    print(f"alternative: PyArrow + from_arrow{arrow * 1000:7.1f} ms")
    print(
        f"check / peer read: {check / bare:+.1%}   read_table checked / unchecked: "
        f"{guarded / unchecked:.2f}x   PyArrow / peer: {arrow / bare:.2f}x"
    )


if __name__ == "__main__":
    main()
