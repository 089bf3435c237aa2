"""Read a table chunk by chunk: a table in memory, a CSV file, a Parquet file or a folder of them.

Audits of a whole country never hold every column of every household in memory: Parquet
files are read in batches of rows (only the columns the audit needs), each batch is
scored and reduced, then dropped. A CSV file is read whole (CSV exports are small) and
handed out in slices, like a DataFrame. A table in memory may be a Polars, pandas or Arrow
one (:mod:`lanterne.io.frames`); a Polars LazyFrame is computed with only the columns read.

Example:
    >>> import polars as pl
    >>> source = open_source(pl.DataFrame({"a": [1, 2, 3]}))
    >>> [(start, chunk.height) for start, chunk in source.chunks(["a"], batch_rows=2)]
    [(0, 2), (2, 1)]
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import polars as pl
import pyarrow.parquet as pq

from lanterne.defaults import DEFAULT_BATCH_ROWS
from lanterne.errors import DataError, Problem, name_list
from lanterne.i18n import Msg
from lanterne.io.database import DatabaseTable, is_database_uri, open_database
from lanterne.io.frames import TableLike, as_polars, is_table
from lanterne.io.parquet_guard import unreadable_parquet
from lanterne.io.std import resolve_input
from lanterne.io.tables import decode_binary, parquet_files, read_table, table_format


@dataclass
class ChunkSource:
    """Where the rows come from: their number, their columns, and how to read them."""

    label: str | None  # the file or folder, for messages; None for a table in memory
    n_rows: int
    columns: list[str]
    frame: pl.DataFrame | pl.LazyFrame | None = None
    files: list[Path] | None = None
    database: DatabaseTable | None = None  # a table of PostgreSQL or DuckDB

    def require(self, names: Iterable[str], what: Msg | None = None) -> None:
        """Raise a :class:`DataError` naming every missing column (and those available)."""
        missing = [n for n in dict.fromkeys(names) if n not in self.columns]
        if missing:
            raise DataError(
                Problem(
                    Msg(
                        "colonne(s) introuvable(s) : {m} (colonnes présentes : {a})",
                        "column(s) not found: {m} (columns present: {a})",
                        m=name_list(missing),
                        a=name_list(self.columns),
                    ),
                    file=self.label,
                )
            )

    def chunks(
        self, columns: list[str], batch_rows: int = DEFAULT_BATCH_ROWS
    ) -> Iterator[tuple[int, pl.DataFrame]]:
        """``(first row, chunk)`` pairs with only ``columns``, in the table's row order."""
        wanted = list(dict.fromkeys(columns))
        if self.database is not None:
            yield from self.database.chunks(wanted, batch_rows)
            return
        if self.frame is not None:
            selected = self.frame.select(wanted)
            frame = selected.collect() if isinstance(selected, pl.LazyFrame) else selected
            for start in range(0, max(self.n_rows, 1), batch_rows):
                if start >= self.n_rows:
                    break
                yield start, frame.slice(start, batch_rows)
            return
        start = 0
        for path in self.files or []:
            batches = pq.ParquetFile(path).iter_batches(batch_size=batch_rows, columns=wanted)
            while True:
                try:  # PyArrow checks pages as it decodes them: a damaged one raises here
                    batch = next(batches, None)
                except (OSError, ValueError) as exc:
                    raise unreadable_parquet(exc, path) from None
                if batch is None:
                    break
                chunk = pl.from_arrow(batch)
                assert isinstance(chunk, pl.DataFrame)
                yield start, decode_binary(chunk, str(path), start)
                start += chunk.height


def open_source(data: ChunkSource | TableLike | str | os.PathLike[str]) -> ChunkSource:
    """A :class:`ChunkSource` for a table (Polars, pandas, Arrow), a CSV/Parquet file, a folder
    of Parquet files or a database table (``postgresql://…?table=…``, ``duckdb://…?table=…``);
    ``-`` reads standard input (CSV or Parquet)."""
    if isinstance(data, ChunkSource):
        return data
    if isinstance(data, pl.LazyFrame):  # kept lazy: computed with the columns read only
        n_rows = data.select(pl.len()).collect().item()
        return ChunkSource(None, n_rows, data.collect_schema().names(), frame=data)
    if is_table(data):
        frame = as_polars(data)
        return ChunkSource(None, frame.height, list(frame.columns), frame=frame)
    data = cast("str | os.PathLike[str]", data)
    if is_database_uri(data):  # postgresql://… or duckdb://…, read in batches
        table = open_database(str(data))
        return ChunkSource(table.uri.label, table.n_rows, table.columns, database=table)
    path = Path(resolve_input(data))
    if not path.exists():
        raise DataError(Problem(Msg("fichier introuvable", "file not found"), file=str(path)))
    if table_format(path) == "csv":
        frame = read_table(path)
        return ChunkSource(str(path), frame.height, list(frame.columns), frame=frame)
    files = parquet_files(path)
    try:
        n_rows = 0
        columns: list[str] | None = None
        for file in files:
            meta = pq.ParquetFile(file)
            n_rows += meta.metadata.num_rows
            names = list(meta.schema_arrow.names)
            if columns is None:
                columns = names
            elif set(names) != set(columns):
                raise DataError(
                    Problem(
                        Msg(
                            "ce fichier n'a pas les mêmes colonnes que {first}",
                            "this file does not have the same columns as {first}",
                            first=str(files[0]),
                        ),
                        file=str(file),
                    )
                )
    except (OSError, ValueError) as exc:  # pyarrow raises ArrowInvalid (a ValueError)
        raise DataError(
            Problem(
                Msg("lecture impossible : {e}", "cannot read the file: {e}", e=str(exc)),
                file=str(path),
            )
        ) from None
    return ChunkSource(str(path), n_rows, columns or [], files=files)
