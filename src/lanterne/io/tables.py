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
from polars.exceptions import PanicException

from lanterne.errors import DataError, Problem, short_name
from lanterne.i18n import Msg
from lanterne.io.atomic import atomic_path, check_destination
from lanterne.io.csvsafe import escape_formulas
from lanterne.io.database import is_database_uri, read_database
from lanterne.io.parquet_guard import check_parquet_pages
from lanterne.io.std import is_std, resolve_input, write_stdout

#: The header line of a CSV file may hold at most this many bytes (about 10,000 columns):
#: a file whose "header" is a whole file is no table, and echoing it back costs gigabytes.
MAX_HEADER_BYTES = 1 << 20
#: And any line at most this many bytes: Polars gives up (a panic) on lines of gigabytes.
MAX_LINE_BYTES = 16 << 20
#: Columns a table may have (CSV or Parquet).
MAX_COLUMNS = 10_000

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
    """A lazy scan over one Parquet file or every Parquet file of a folder.

    Each file's page headers are checked first (:mod:`lanterne.io.parquet_guard`): a damaged
    one would make Polars' decoder abort the whole process instead of raising.
    """
    files = parquet_files(path)
    for file in files:
        check_parquet_pages(file)
    return pl.scan_parquet([str(f) for f in files])


def _too_long(path: Path, what: Msg, limit: int) -> DataError:
    return DataError(
        Problem(
            Msg(
                "{w} dépasse {n} octets : est-ce bien un tableau CSV ?",
                "{w} exceeds {n} bytes: is this really a CSV table?",
                w=what,
                n=f"{limit:,}".replace(",", " "),
            ),
            file=str(path),
        )
    )


def check_csv_lines(
    path: Path, max_header: int = MAX_HEADER_BYTES, max_line: int = MAX_LINE_BYTES
) -> None:
    """Refuse a CSV file whose header or one of its lines is absurdly long.

    One fast pass over the file: every full block of ``max_line // 2`` bytes must hold a
    line break, so a line of ``max_line`` bytes or more (which covers a whole block) is
    always refused, one under half of it never.

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = path.write_text("a,b\\n" + "x" * 50 + "\\n")
    >>> check_csv_lines(path, max_line=40)
    Traceback (most recent call last):
      ...
    lanterne.errors.DataError: ...t.csv: a line exceeds 40 bytes: is this really a CSV table?
    """
    with path.open("rb") as handle:
        header = handle.readline(max_header + 1)
        if len(header) > max_header:
            what = Msg("la première ligne (l'en-tête)", "the first line (header)")
            raise _too_long(path, what, max_header)
        if max(header.count(sep) for sep in (b",", b";", b"\t")) >= MAX_COLUMNS:
            raise _too_many_columns(path)
        block = max(1, max_line // 2)
        while chunk := handle.read(block):
            if len(chunk) == block and b"\n" not in chunk and b"\r" not in chunk:
                raise _too_long(path, Msg("une ligne", "a line"), max_line)


def _too_many_columns(path: Path) -> DataError:
    return DataError(
        Problem(
            Msg(
                "plus de {n} colonnes : refusé",
                "more than {n} columns: refused",
                n=f"{MAX_COLUMNS:,}".replace(",", " "),
            ),
            file=str(path),
        )
    )


def decode_binary(frame: pl.DataFrame, file: str | None = None, start: int = 0) -> pl.DataFrame:
    """Binary columns (Parquet ``BYTE_ARRAY`` without a text type) as UTF-8 text.

    Bytes that are not UTF-8 are refused with the column and the first rows (``start`` is
    the number of rows before this frame, for chunks).

    >>> decode_binary(pl.DataFrame({"g": [b"ok"]}))["g"].to_list()
    ['ok']
    >>> decode_binary(pl.DataFrame({"g": [b"ok", b"\\xff"]}))
    Traceback (most recent call last):
      ...
    lanterne.errors.DataError: column 'g': bytes that are not UTF-8 text (rows 2)
    """
    updates = []
    for name, dtype in frame.schema.items():
        if dtype != pl.Binary:
            continue
        try:
            updates.append(frame[name].cast(pl.String))
        except pl.exceptions.ComputeError:
            rows = []
            for i, value in enumerate(frame[name]):  # the error path only: stops at 5
                if value is not None and not _is_utf8(value):
                    rows.append(str(start + i + 1))
                    if len(rows) == 5:
                        break
            raise DataError(
                Problem(
                    Msg(
                        "colonne « {c} » : octets qui ne sont pas du texte UTF-8 (lignes {r})",
                        "column '{c}': bytes that are not UTF-8 text (rows {r})",
                        c=short_name(name),
                        r=", ".join(rows),
                    ),
                    file=file,
                )
            ) from None
    return frame.with_columns(updates) if updates else frame


def _is_utf8(value: bytes) -> bool:
    try:
        value.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _sniff_separator(path: Path) -> str:
    with path.open("r", encoding="utf-8-sig", errors="replace") as handle:
        header = handle.readline(MAX_HEADER_BYTES + 1)
    counts = {sep: header.count(sep) for sep in (",", ";", "\t")}
    return max(counts, key=lambda s: counts[s]) if any(counts.values()) else ","


def read_table(path: str | os.PathLike[str], columns: list[str] | None = None) -> pl.DataFrame:
    """Read a CSV or Parquet file (or a folder of Parquet files) into a DataFrame.

    CSV values stay text; :func:`infer_text_columns` or the model's types convert them.
    A ``postgresql://`` or ``duckdb://`` URI reads a database table
    (:mod:`lanterne.io.database`); ``-`` reads standard input (:mod:`lanterne.io.std`).
    """
    if is_database_uri(path):
        return read_database(str(path), columns)
    path = Path(resolve_input(path))
    if not path.exists():
        raise DataError(Problem(Msg("fichier introuvable", "file not found"), file=str(path)))
    fmt = table_format(path)
    try:
        if fmt == "parquet":
            scan = scan_parquet_files(path)
            if len(scan.collect_schema()) > MAX_COLUMNS:
                raise _too_many_columns(path)
            return decode_binary(scan.select(columns or pl.all()).collect(), str(path))
        check_csv_lines(path)
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
    except (pl.exceptions.PolarsError, OSError, ValueError, PanicException) as exc:
        # (a panic is Polars' own failure on a file it cannot read, e.g. invalid UTF-8 in a
        # Parquet text column: the file is at fault, not the program)
        raise DataError(
            Problem(
                Msg(
                    "lecture impossible : {e}",
                    "cannot read the file: {e}",
                    e=short_name(str(exc).splitlines()[0], 300) if str(exc) else type(exc).__name__,
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
    """Write a DataFrame as CSV or Parquet (by extension), atomically; ``-`` writes CSV to
    standard output.

    In a CSV, text cells a spreadsheet would run as formulas (``=...``, ``+...``, ``@...``)
    are prefixed with ``'`` (:mod:`lanterne.io.csvsafe`) unless ``raw_csv``.
    """
    if is_std(path):
        write_stdout((frame if raw_csv else escape_formulas(frame)).write_csv())
        return
    path = Path(path)
    check_destination(path)  # a folder is refused before its name is read as a format
    fmt = table_format(path)
    with atomic_path(path) as tmp:
        if fmt == "parquet":
            frame.write_parquet(tmp, compression="zstd", statistics=True)
        else:
            (frame if raw_csv else escape_formulas(frame)).write_csv(tmp)
