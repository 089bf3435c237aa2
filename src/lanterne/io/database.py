"""Read households from a database: PostgreSQL (through ADBC) or a DuckDB file.

Wherever a data file is accepted, a database URI names a table (or a read-only query):

* ``postgresql://user@host:5432/dbname?table=households`` — a table or view, optionally
  with its schema (``table=caf.households_2025_06``);
* ``postgresql://user@host/dbname?query=SELECT…`` — a query (URL-encoded; read-only: it
  runs in a read-only transaction);
* ``duckdb:///absolute/path/base.duckdb?table=households`` or
  ``duckdb://relative/base.duckdb?table=households`` (the file is opened read-only).

Every other URI parameter (``sslmode=require``…) goes to the PostgreSQL client library as
is. Give the password through ``PGPASSWORD`` or a ``~/.pgpass`` file rather than the URI:
it then never appears in a shell's history. A password written in the URI is never
printed, logged or written into reports or JSON (:func:`redact`).

Rows are read in batches (Arrow record batches streamed by the server), only the columns
needed, so a table larger than memory can be audited.

Example:
    >>> redact("postgresql://anne:s3cret@db.example:5432/caf?table=households")
    'postgresql://anne:***@db.example:5432/caf?table=households'
    >>> parse_uri("duckdb:///data/caf.duckdb?table=households").table
    'households'
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import polars as pl
import pyarrow as pa

from lanterne.errors import DataError, LanterneError, Problem
from lanterne.i18n import Msg

SCHEMES = ("postgresql", "postgres", "duckdb")
_URI = re.compile(r"^(postgresql|postgres|duckdb)://", re.IGNORECASE)
_PASSWORD = re.compile(r"(\b[a-z][a-z0-9+.-]*://[^:/@\s]*:)[^@\s]*@", re.IGNORECASE)
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]{0,62}$")
_QUERY = re.compile(r"^\s*(select|with)\b", re.IGNORECASE)


class DatabaseUnreachable(LanterneError):
    """The database server cannot be reached: a runtime failure (exit code 1)."""

    exit_code = 1
    title = Msg("Base de données injoignable", "Database unreachable")


def is_database_uri(value: object) -> bool:
    """Does ``value`` name a database rather than a file?

    >>> is_database_uri("postgresql://h/db?table=t"), is_database_uri("data.parquet")
    (True, False)
    """
    return isinstance(value, str) and bool(_URI.match(value))


def redact(text: str) -> str:
    """``text`` with the password of every URI in it replaced by ``***``."""
    return _PASSWORD.sub(r"\1***@", text)


@dataclass(frozen=True)
class DatabaseUri:
    """A parsed database URI: where to connect, and the table or query to read."""

    scheme: str  # "postgresql" or "duckdb"
    connect: str  # what the driver receives (PostgreSQL URI without our parameters, or a path)
    table: str | None
    query: str | None
    label: str  # for messages: the URI with its password hidden

    def select(self, columns: list[str] | None = None) -> str:
        """SQL reading ``columns`` (all when ``None``) of the table or query."""
        if self.table is not None:
            source = ".".join(f'"{part}"' for part in self.table.split("."))
        else:
            source = f"({self.query}) AS lanterne_query"
        if columns is None:
            return f"SELECT * FROM {source}"
        names = ", ".join('"' + c.replace('"', '""') + '"' for c in columns)
        return f"SELECT {names} FROM {source}"


def _bad(label: str, fr: str, en: str, **params: object) -> DataError:
    return DataError(Problem(Msg(fr, en, **params), file=label))


def parse_uri(uri: str) -> DatabaseUri:
    """Split a database URI; a missing or doubtful table or query is a :class:`DataError`."""
    label = redact(uri)
    parts = urlsplit(uri)
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise _bad(label, "schéma d'URI inconnu", "unknown URI scheme")
    params = parse_qsl(parts.query, keep_blank_values=True)
    ours = {k: v for k, v in params if k in ("table", "query")}
    rest = [(k, v) for k, v in params if k not in ("table", "query")]
    table, query = ours.get("table"), ours.get("query")
    if (table is None) == (query is None):
        raise _bad(
            label,
            "indiquez la table à lire avec ?table=nom (ou une requête avec ?query=SELECT…)",
            "name the table to read with ?table=name (or a query with ?query=SELECT…)",
        )
    if table is not None and not all(_IDENTIFIER.match(p) for p in table.split(".")):
        raise _bad(
            label,
            "nom de table invalide « {t} » : lettres, chiffres et _, schéma facultatif "
            "(schema.table)",
            "invalid table name '{t}': letters, digits and _, with an optional schema "
            "(schema.table)",
            t=table,
        )
    if query is not None and (not _QUERY.match(query) or ";" in query):
        raise _bad(
            label,
            "requête refusée : une seule requête SELECT (ou WITH … SELECT) est lue",
            "query refused: a single SELECT (or WITH … SELECT) query is read",
        )
    if scheme == "duckdb":
        path = (parts.netloc + parts.path) if parts.netloc else parts.path
        if not path:
            raise _bad(label, "chemin du fichier DuckDB manquant", "DuckDB file path missing")
        return DatabaseUri("duckdb", path, table, query, label)
    connect = urlunsplit(("postgresql", parts.netloc, parts.path, urlencode(rest), ""))
    return DatabaseUri("postgresql", connect, table, query, label)


# ---------------------------------------------------------------------- connections


def _message(exc: BaseException, uri: DatabaseUri) -> str:
    """The driver's first line, with any password scrubbed."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    text = redact(text)
    password = urlsplit(uri.connect).password if uri.scheme == "postgresql" else None
    return text.replace(password, "***") if password else text


def _sqlstate(exc: BaseException) -> str:
    return str(getattr(exc, "sqlstate", "") or "")


def _failure(exc: BaseException, uri: DatabaseUri) -> LanterneError:
    """A bilingual error for a driver exception: exit 2 for what the user wrote, else 1."""
    text = _message(exc, uri)
    state = _sqlstate(exc)
    lowered = text.lower()
    if (
        state.startswith("28")
        or "password" in lowered
        or "authentication" in lowered
        or ("role" in lowered and "does not exist" in lowered)
    ):
        return _bad(
            uri.label,
            "connexion refusée par le serveur (identifiants) : {e}",
            "connection refused by the server (credentials): {e}",
            e=text,
        )
    if state in ("42P01", "3F000") or "does not exist" in lowered or "catalog error" in lowered:
        return _bad(
            uri.label,
            "table ou colonne introuvable : {e}",
            "table or column not found: {e}",
            e=text,
        )
    if state.startswith("42") or "syntax" in lowered or "parser error" in lowered:
        return _bad(uri.label, "requête invalide : {e}", "invalid query: {e}", e=text)
    return DatabaseUnreachable(
        Problem(
            Msg(
                "serveur de base de données injoignable : {e}",
                "database server unreachable: {e}",
                e=text,
            ),
            file=uri.label,
        )
    )


@contextmanager
def _duckdb_reader(uri: DatabaseUri, sql: str, batch_rows: int) -> Iterator[pa.RecordBatchReader]:
    import duckdb

    if not Path(uri.connect).is_file():
        raise _bad(uri.label, "fichier DuckDB introuvable", "DuckDB file not found")
    try:
        con = duckdb.connect(uri.connect, read_only=True)
    except duckdb.Error as exc:
        raise _failure(exc, uri) from None
    try:
        try:
            relation = con.sql(sql)
            reader = (
                relation.to_arrow_reader(batch_rows)
                if hasattr(relation, "to_arrow_reader")
                else relation.fetch_record_batch(batch_rows)
            )
        except duckdb.Error as exc:
            raise _failure(exc, uri) from None
        yield reader
    finally:
        con.close()


@contextmanager
def _postgres_reader(uri: DatabaseUri, sql: str) -> Iterator[pa.RecordBatchReader]:
    import adbc_driver_manager
    import adbc_driver_postgresql.dbapi as pg

    try:
        conn = pg.connect(uri.connect)
    except adbc_driver_manager.Error as exc:
        raise _failure(exc, uri) from None
    try:
        cursor = conn.cursor()
        try:
            cursor.execute("SET TRANSACTION READ ONLY")  # the query can change nothing
            cursor.execute(sql)
            yield cursor.fetch_record_batch()
        except adbc_driver_manager.Error as exc:
            raise _failure(exc, uri) from None
        finally:
            cursor.close()
    finally:
        conn.rollback()
        conn.close()


def open_reader(
    uri: DatabaseUri, sql: str, batch_rows: int = 1 << 16
) -> AbstractContextManager[pa.RecordBatchReader]:
    """Run ``sql`` read-only; the rows stream as Arrow record batches while open."""
    if uri.scheme == "duckdb":
        return _duckdb_reader(uri, sql, batch_rows)
    return _postgres_reader(uri, sql)


def record_batches(
    uri: DatabaseUri, columns: list[str] | None = None, batch_rows: int = 1 << 16
) -> Iterator[pa.RecordBatch]:
    """Stream the table or query's rows (only ``columns``) as Arrow record batches."""
    with open_reader(uri, uri.select(columns), batch_rows) as reader:
        try:
            yield from reader
        except Exception as exc:  # a driver error while streaming
            if isinstance(exc, LanterneError):
                raise
            raise _failure(exc, uri) from None


def _frame(batches: list[pa.RecordBatch], schema: pa.Schema) -> pl.DataFrame:
    table = pa.Table.from_batches(batches, schema=schema)
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    decimals = [n for n, t in frame.schema.items() if isinstance(t, pl.Decimal)]
    return frame.with_columns(pl.col(decimals).cast(pl.Float64)) if decimals else frame


# ---------------------------------------------------------------------- tables


@dataclass
class DatabaseTable:
    """A table (or query) of a database, read in chunks; see :func:`open_database`."""

    uri: DatabaseUri
    n_rows: int
    columns: list[str]

    def chunks(self, columns: list[str], batch_rows: int) -> Iterator[tuple[int, pl.DataFrame]]:
        """``(first row, chunk)`` pairs of ``batch_rows`` rows, in the server's order."""
        pending: list[pa.RecordBatch] = []
        held = start = 0
        schema: pa.Schema | None = None
        for batch in record_batches(self.uri, columns, batch_rows):
            schema = batch.schema
            pending.append(batch)
            held += batch.num_rows
            while held >= batch_rows:
                table = pa.Table.from_batches(pending, schema=schema)
                head, tail = table.slice(0, batch_rows), table.slice(batch_rows)
                yield start, _frame(head.to_batches(), schema)
                start += batch_rows
                pending, held = tail.to_batches(), tail.num_rows
        if held and schema is not None:
            yield start, _frame(pending, schema)

    def read(self, columns: list[str] | None = None) -> pl.DataFrame:
        """Every row at once (commands that need the whole table in memory)."""
        parts = [chunk for _, chunk in self.chunks(columns or self.columns, 1 << 20)]
        if not parts:
            return pl.DataFrame(schema={c: pl.String for c in (columns or self.columns)})
        return pl.concat(parts)


def _count(uri: DatabaseUri) -> tuple[int, list[str]]:
    """Rows and column names of the table or query (two small queries)."""
    inner = uri.select(None)
    with open_reader(uri, f"SELECT * FROM ({inner}) AS t LIMIT 0") as reader:
        names = list(reader.schema.names)
        for _ in reader:
            pass
    with open_reader(uri, f"SELECT count(*) AS n FROM ({inner}) AS t") as reader:
        table = reader.read_all()
    return int(table.column(0)[0].as_py()), names


def open_database(uri: str) -> DatabaseTable:
    """Connect, check the table or query, and count its rows (errors are bilingual).

    A bad URI, bad credentials or a missing table is a :class:`DataError` (exit 2); a
    server that cannot be reached is :class:`DatabaseUnreachable` (exit 1).
    """
    parsed = parse_uri(uri)
    rows, names = _count(parsed)
    return DatabaseTable(parsed, rows, names)


def read_database(uri: str, columns: list[str] | None = None) -> pl.DataFrame:
    """A whole table or query as a DataFrame (``read_table`` for database URIs)."""
    return open_database(uri).read(columns)
