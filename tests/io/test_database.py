"""Households read from a real PostgreSQL server and from a DuckDB file.

The server is Debian's PostgreSQL, started for this module in a temporary folder on a
free port (tests/pgserver.py) and stopped at the end; if it is not installed the tests
fail with the command that installs it. The reference is the same rows written to
Parquet: the audits must be equal, and no password may reach an output.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path

import duckdb
import polars as pl
import pytest
from tests.pgserver import PASSWORD, Server, running_server

from lanterne.audit import audit_population
from lanterne.errors import DataError
from lanterne.io.database import DatabaseUnreachable, parse_uri, read_database, redact
from lanterne.io.tables import read_table
from lanterne.population.generate import generate_frame

GROUPS = ["family_type", "sex", "age_band"]


@pytest.fixture(scope="module")
def server():
    with running_server() as srv:
        yield srv


def _plain(frame: pl.DataFrame) -> pl.DataFrame:
    """Types a database stores: categories as text, unsigned integers as signed ones."""
    casts = []
    for name, dtype in frame.schema.items():
        if isinstance(dtype, pl.Enum | pl.Categorical):
            casts.append(pl.col(name).cast(pl.String))
        elif dtype in (pl.UInt8, pl.UInt16):
            casts.append(pl.col(name).cast(pl.Int32))
        elif dtype == pl.UInt32:
            casts.append(pl.col(name).cast(pl.Int64))
    return frame.with_columns(casts)


@pytest.fixture(scope="module")
def rows(server: Server, tmp_path_factory: pytest.TempPathFactory) -> tuple[pl.DataFrame, Path]:
    """2 500 households in a PostgreSQL table and, the same rows, in a Parquet file."""
    import adbc_driver_postgresql.dbapi as pg

    frame = _plain(generate_frame(2500, seed=21))
    with pg.connect(server.uri()) as conn, conn.cursor() as cur:
        cur.adbc_ingest("households", frame.to_arrow(), mode="create")
        conn.commit()
    path = tmp_path_factory.mktemp("pq") / "households.parquet"
    frame.write_parquet(path)
    return frame, path


def _audit_json(data: object) -> str:
    audit = audit_population(
        "fr-cnaf-2014", data, group_cols=GROUPS, intersect=True, batch_rows=600
    )
    return json.dumps(audit.to_dict(), sort_keys=True)


def test_audit_from_postgresql_equals_audit_from_parquet(server, rows) -> None:
    frame, parquet = rows
    from_table = _audit_json(server.uri() + "?table=households")
    assert from_table == _audit_json(parquet)
    assert json.loads(from_table)["n"] == frame.height


def test_query_reads_the_selected_rows(server, rows) -> None:
    frame, _ = rows
    uri = server.uri() + "?query=SELECT%20*%20FROM%20households%20WHERE%20sex%20%3D%20%27female%27"
    read = read_database(uri)
    expected = frame.filter(pl.col("sex") == "female")
    assert read.height == expected.height > 0
    assert read.sort("household_id").equals(expected.sort("household_id"))


def test_read_table_streams_every_column_back(server, rows) -> None:
    frame, _ = rows
    read = read_table(server.uri() + "?table=households")
    assert read.columns == frame.columns
    assert read.sort("household_id").equals(frame.sort("household_id"))


def test_missing_table_is_bad_input_without_the_password(cli, server) -> None:
    uri = server.uri() + "?table=nowhere"
    result = cli("audit", "population", "fr-cnaf-2014", uri, "-g", "sex")
    assert result.exit_code == 2
    assert "nowhere" in result.output and "introuvable" in result.output
    assert PASSWORD not in result.output and "***" in result.output
    english = cli("--lang", "en", "audit", "population", "fr-cnaf-2014", uri, "-g", "sex")
    assert english.exit_code == 2 and "not found" in english.output


def test_bad_password_is_bad_input_and_not_printed(cli, server) -> None:
    wrong = "wrong-pw-xyz"
    result = cli(
        "audit", "population", "fr-cnaf-2014", server.uri(wrong) + "?table=households", "-g", "sex"
    )
    assert result.exit_code == 2
    assert "identifiants" in result.output
    assert wrong not in result.output and PASSWORD not in result.output
    stranger = server.uri().replace("lanterne:", "nobody_here:", 1) + "?table=households"
    result = cli("audit", "population", "fr-cnaf-2014", stranger, "-g", "sex")
    assert result.exit_code == 2 and "identifiants" in result.output, result.output


def test_unreachable_server_is_a_runtime_failure(cli) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    uri = f"postgresql://anne:hidden-pw@127.0.0.1:{port}/db?table=t&connect_timeout=2"
    with pytest.raises(DatabaseUnreachable):
        read_database(uri)
    result = cli("audit", "population", "fr-cnaf-2014", uri, "-g", "sex")
    assert result.exit_code == 1
    assert "injoignable" in result.output and "hidden-pw" not in result.output


def test_report_reproduce_section_hides_the_password(cli, server, rows, tmp_path) -> None:
    html = tmp_path / "r.html"
    uri = server.uri() + "?table=households"
    result = cli(
        "audit", "population", "fr-cnaf-2014", uri, "-g", "sex", "--report", html,
        "--json", tmp_path / "a.json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    text = html.read_text() + (tmp_path / "a.json").read_text()
    assert PASSWORD not in text
    assert redact(uri) in html.read_text().replace("&#x27;", "'").replace("&amp;", "&")


def test_duckdb_file_equals_parquet(rows, tmp_path: Path) -> None:
    frame, parquet = rows
    base = tmp_path / "caf.duckdb"
    with duckdb.connect(str(base)) as con:
        con.register("src", frame.to_arrow())
        con.execute("CREATE TABLE households AS SELECT * FROM src")
    assert _audit_json(f"duckdb://{base}?table=households") == _audit_json(parquet)
    with pytest.raises(DataError) as err:
        read_database(f"duckdb://{base}?table=missing")
    assert "missing" in err.value.render("en")
    with pytest.raises(DataError):
        read_database(f"duckdb://{tmp_path}/none.duckdb?table=households")


@pytest.mark.parametrize(
    "uri",
    [
        "postgresql://h/db",  # no table
        "postgresql://h/db?table=a&query=SELECT%201",  # both
        "postgresql://h/db?table=a;drop",  # not an identifier
        "postgresql://h/db?query=DELETE%20FROM%20t",  # not a SELECT
        "postgresql://h/db?query=SELECT%201;DROP%20TABLE%20t",  # two statements
        "duckdb://?table=t",  # no file
    ],
)
def test_bad_uris_are_refused_before_connecting(uri: str) -> None:
    with pytest.raises(DataError):
        parse_uri(uri)


def test_redact_hides_only_the_password() -> None:
    assert redact("x postgresql://u:p%40ss@h/db?table=t y") == "x postgresql://u:***@h/db?table=t y"
    assert redact("postgresql://u@h/db?table=t") == "postgresql://u@h/db?table=t"
