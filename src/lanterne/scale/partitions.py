"""Cut a data source into partitions that a worker can read on its own.

A partition is a few consecutive row groups of one Parquet file (at least ``batch_rows``
rows when the file has them), or a slice of a table already in memory (a CSV file, a
DataFrame, a batch read from a database). Each knows its first row in the whole data, so
an error found by a worker names the file's row, and results are put back in data order.

Example:
    >>> import polars as pl
    >>> from lanterne.audit.chunks import open_source
    >>> parts = list(plan_partitions(open_source(pl.DataFrame({"a": range(5)})), batch_rows=2))
    >>> [(p.start, p.rows) for p in parts]
    [(0, 2), (2, 2), (4, 1)]
    >>> read_partition(parts[2], ["a"])["a"].to_list()
    [4]
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import polars as pl
import pyarrow.parquet as pq

from lanterne.audit.chunks import ChunkSource
from lanterne.io.parquet_guard import unreadable_parquet


@dataclass(frozen=True)
class Partition:
    """Rows ``start … start + rows - 1`` of the data: row groups of a file, or a frame."""

    index: int
    start: int
    rows: int
    file: str | None = None
    row_groups: tuple[int, ...] = ()
    frame: pl.DataFrame | None = None


def _file_partitions(source: ChunkSource, batch_rows: int) -> Iterator[Partition]:
    start = index = 0
    for path in source.files or []:
        meta = pq.ParquetFile(path).metadata
        groups: list[int] = []
        rows = 0
        for g in range(meta.num_row_groups):
            n = meta.row_group(g).num_rows
            if n == 0:
                continue
            groups.append(g)
            rows += n
            if rows >= batch_rows:
                yield Partition(index, start, rows, str(path), tuple(groups))
                index, start, groups, rows = index + 1, start + rows, [], 0
        if groups:
            yield Partition(index, start, rows, str(path), tuple(groups))
            index, start = index + 1, start + rows


def plan_partitions(
    source: ChunkSource, batch_rows: int, columns: list[str] | None = None
) -> Iterator[Partition]:
    """The partitions of ``source``, in data order (lazily: a database is read as it goes).

    Rows already in memory (or read by this process from a database) travel with their
    partition, with only ``columns``; Parquet files are read by the workers themselves.
    """
    if source.files is not None:
        yield from _file_partitions(source, batch_rows)
        return
    wanted = source.columns if columns is None else columns
    for index, (start, chunk) in enumerate(source.chunks(wanted, batch_rows)):
        yield Partition(index, start, chunk.height, frame=chunk)


def read_partition(part: Partition, columns: list[str]) -> pl.DataFrame:
    """The rows of a partition with only ``columns`` (read by the worker that runs it)."""
    wanted = list(dict.fromkeys(columns))
    if part.frame is not None:
        return part.frame.select(wanted)
    assert part.file is not None
    try:  # PyArrow checks pages as it decodes them: a damaged one raises here
        table = pq.ParquetFile(part.file).read_row_groups(list(part.row_groups), columns=wanted)
    except (OSError, ValueError) as exc:
        raise unreadable_parquet(exc, part.file) from None
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    return frame
