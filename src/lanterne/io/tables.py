"""Read CSV and Parquet tables, write them atomically.

CSV files exported from French spreadsheets often use ``;`` as separator and ``,`` as
decimal mark: the separator is detected from the header line, and numbers written with a
decimal comma are understood when the model's types are applied (see
:mod:`lanterne.model.data`). CSV columns are read as text first so that a bad value is
reported with its row instead of failing the whole read.

Example:
    >>> import tempfile, pathlib, polars as pl
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> write_table(pl.DataFrame({"a": [1, 2]}), path)
    >>> read_table(path)["a"].to_list()  # CSV values stay text until typed
    ['1', '2']
"""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl

from lanterne.errors import DataError, Problem
from lanterne.i18n import Msg
from lanterne.io.atomic import atomic_path, check_destination
from lanterne.io.csvsafe import escape_formulas
from lanterne.io.database import is_database_uri, read_database

CSV_SUFFIXES = {".csv", ".tsv", ".txt"}
PARQUET_SUFFIXES = {".parquet", ".pq"}


def table_format(path: str | os.PathLike[str]) -> str:
    """``"csv"`` or ``"parquet"`` from a file name (a folder means Parquet files)."""
    path = Path(path)
    if path.is_dir():
        return "parquet"
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return "csv"
    if suffix in PARQUET_SUFFIXES:
        return "parquet"
    raise DataError(
        Problem(
            Msg(
                "format non reconnu « {s} » : attendu .csv ou .parquet",
                "unrecognised format '{s}': expected .csv or .parquet",
                s=suffix or path.name,
            ),
            file=str(path),
        )
    )


def parquet_files(path: str | os.PathLike[str]) -> list[Path]:
    """The Parquet files of a file or of a folder (sorted, searched recursively)."""
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.suffix.lower() in PARQUET_SUFFIXES)
        if not files:
            raise DataError(
                Problem(
                    Msg(
                        "aucun fichier Parquet dans ce dossier",
                        "no Parquet file in this folder",
                    ),
                    file=str(path),
                )
            )
        return files
    return [path]


def scan_parquet_files(path: str | os.PathLike[str]) -> pl.LazyFrame:
    """A lazy scan over one Parquet file or every Parquet file of a folder."""
    files = parquet_files(path)
    return pl.scan_parquet([str(f) for f in files])


def _sniff_separator(path: Path) -> str:
    with path.open("r", encoding="utf-8-sig", errors="replace") as handle:
        header = handle.readline()
    counts = {sep: header.count(sep) for sep in (",", ";", "\t")}
    return max(counts, key=lambda s: counts[s]) if any(counts.values()) else ","


def read_table(path: str | os.PathLike[str], columns: list[str] | None = None) -> pl.DataFrame:
    """Read a CSV or Parquet file (or a folder of Parquet files) into a DataFrame.

    CSV values stay text; :func:`infer_text_columns` or the model's types convert them.
    A ``postgresql://`` or ``duckdb://`` URI reads a database table
    (:mod:`lanterne.io.database`).
    """
    if is_database_uri(path):
        return read_database(str(path), columns)
    path = Path(path)
    if not path.exists():
        raise DataError(Problem(Msg("fichier introuvable", "file not found"), file=str(path)))
    fmt = table_format(path)
    try:
        if fmt == "parquet":
            return scan_parquet_files(path).select(columns or pl.all()).collect()
        frame = pl.read_csv(
            path,
            separator=_sniff_separator(path),
            infer_schema=False,
            encoding="utf8-lossy",
            columns=columns,
        )
        return frame
    except DataError:
        raise
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
        raise DataError(
            Problem(
                Msg(
                    "lecture impossible : {e}",
                    "cannot read the file: {e}",
                    e=str(exc).splitlines()[0] if str(exc) else type(exc).__name__,
                ),
                file=str(path),
            )
        ) from None


def infer_text_columns(
    frame: pl.DataFrame, skip: set[str] | frozenset[str] = frozenset()
) -> pl.DataFrame:
    """Give text columns (from a CSV) a number or boolean type when every value fits.

    >>> infer_text_columns(pl.DataFrame({"a": ["1", "2"], "b": ["x", "1"]})).dtypes
    [Int64, String]
    """
    updates = []
    for name, dtype in frame.schema.items():
        if name in skip or dtype != pl.String:
            continue
        column = frame[name]
        present = column.drop_nulls()
        present = present.filter(present != "")
        if present.len() == 0:
            continue
        for target in (pl.Int64, pl.Float64):
            converted = present.cast(target, strict=False)
            if converted.null_count() == 0:
                updates.append(
                    pl.when(pl.col(name) == "")
                    .then(None)
                    .otherwise(pl.col(name))
                    .cast(target)
                    .alias(name)
                )
                break
        else:
            lowered = present.str.to_lowercase()
            if lowered.is_in(["true", "false"]).all():
                updates.append((pl.col(name).str.to_lowercase() == "true").alias(name))
    return frame.with_columns(updates) if updates else frame


def write_table(
    frame: pl.DataFrame, path: str | os.PathLike[str], *, raw_csv: bool = False
) -> None:
    """Write a DataFrame as CSV or Parquet (by extension), atomically.

    In a CSV, text cells a spreadsheet would run as formulas (``=...``, ``+...``, ``@...``)
    are prefixed with ``'`` (:mod:`lanterne.io.csvsafe`) unless ``raw_csv``.
    """
    path = Path(path)
    check_destination(path)  # a folder is refused before its name is read as a format
    fmt = table_format(path)
    with atomic_path(path) as tmp:
        if fmt == "parquet":
            frame.write_parquet(tmp, compression="zstd", statistics=True)
        else:
            (frame if raw_csv else escape_formulas(frame)).write_csv(tmp)
