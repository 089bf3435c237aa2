"""Damaged Parquet page headers are refused with a located message, never a crash.

The fixtures (``tests/data/parquet``, see its README) made Polars' decoder abort the whole
process. Everything that could crash is run in a child process, whose return code is checked.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import lanterne
from lanterne.errors import DataError
from lanterne.io.parquet_guard import check_parquet_pages

pytestmark = pytest.mark.hostile  # an attack: `pytest -m hostile` runs them all

SRC = str(Path(lanterne.__file__).resolve().parents[1])
FIXTURES = sorted((Path(__file__).parents[1] / "data" / "parquet").glob("*.parquet"))
ENV = dict(os.environ, PYTHONPATH=SRC, LANTERNE_LANG="en")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, timeout=120, env=ENV
    )


def test_there_are_fixtures():
    assert len(FIXTURES) == 3


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.name)
@pytest.mark.parametrize("command", ["score", "population check"])
def test_the_cli_refuses_a_damaged_page_header(tmp_path, fixture, command):
    out = tmp_path / "s.csv"
    args = ["score", "fr-cnaf-2014", str(fixture), "-o", str(out)]
    if command != "score":
        args = ["population", "check", str(fixture)]
    proc = run("-m", "lanterne", *args)
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert f"{fixture}: damaged Parquet file (column '" in proc.stderr
    assert "a negative count in a page header" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not out.exists()


_CHILD = textwrap.dedent(
    """
    import json, sys
    import pyarrow.parquet as pq
    from lanterne.audit.chunks import open_source
    from lanterne.errors import DataError
    outcomes = []
    for path in sys.argv[1:]:
        try:
            pq.read_table(path)
            outcomes.append("read by pyarrow")
        except OSError as exc:
            outcomes.append(str(exc))
        try:
            list(open_source(path).chunks(["n_children", "label", "raw"]))
            outcomes.append("read in chunks")
        except DataError as err:
            outcomes.append(err.render("en"))
    print(json.dumps(outcomes))
    """
)


def test_pyarrow_and_the_chunked_reader_refuse_the_fixtures_without_crashing():
    proc = run("-c", _CHILD, *map(str, FIXTURES))
    assert proc.returncode == 0, proc.stderr[-3000:]
    outcomes = json.loads(proc.stdout)
    for fixture, arrow, chunks in zip(FIXTURES, outcomes[::2], outcomes[1::2], strict=True):
        assert "negative number of values" in arrow
        assert chunks.startswith(f"{fixture}: cannot read the file: ")
        assert "negative number of values" in chunks


@pytest.mark.parametrize("fixture", FIXTURES[:1], ids=lambda p: p.name)
def test_streamed_scoring_reports_a_damaged_file_as_bad_input(tmp_path, fixture):
    """Scoring into a folder reads row groups through PyArrow: its refusal is exit 2, not a
    system error (exit 1)."""
    proc = run("-m", "lanterne", "score", "fr-cnaf-2014", str(fixture), "-o", str(tmp_path / "o"))
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert f"{fixture}: cannot read the file: " in proc.stderr
    assert "negative number of values" in proc.stderr


def _parquet_variants() -> dict[str, bytes]:
    """Sound files as different writers make them: every one must pass the check."""
    frame = pl.DataFrame(
        {
            "x": [1.5, None, 3.0] * 400,
            "n": list(range(1200)),
            "s": ["a", "é", None] * 400,
            "b": [b"ok", b"\xff", None] * 400,
            "l": [[1, 2], None, []] * 400,
        }
    )
    table = frame.to_arrow()
    out = {}
    for name, write in {
        "polars": lambda f: frame.write_parquet(f),
        "polars, no statistics": lambda f: frame.write_parquet(f, statistics=False),
        "polars, small row groups": lambda f: frame.write_parquet(f, row_group_size=100),
        "polars, empty": lambda f: frame.head(0).write_parquet(f),
        "pyarrow": lambda f: pq.write_table(table, f),
        "pyarrow, data page v2": lambda f: pq.write_table(table, f, data_page_version="2.0"),
        "pyarrow, small pages": lambda f: pq.write_table(
            table, f, data_page_size=64, row_group_size=500, compression="gzip"
        ),
        "pyarrow, page index": lambda f: pq.write_table(
            table, f, write_page_index=True, compression="none", use_dictionary=False
        ),
        "pyarrow, no rows": lambda f: pq.write_table(pa.table({"a": pa.array([], pa.int8())}), f),
    }.items():
        buffer = io.BytesIO()
        write(buffer)
        out[name] = buffer.getvalue()
    return out


@pytest.mark.parametrize("name, data", _parquet_variants().items())
def test_sound_files_pass_the_check_and_read_the_same(tmp_path, name, data):
    path = tmp_path / "t.parquet"
    path.write_bytes(data)
    check_parquet_pages(path)
    # the read goes on through Polars: compare with PyArrow's reading, an independent decoder
    assert pl.read_parquet(path).to_arrow().to_pylist() == pq.read_table(path).to_pylist()


def test_every_single_byte_change_gives_a_verdict_not_an_exception(tmp_path):
    """Pure Python, so safe in-process: any byte of the column chunks changed to a varint's
    worst values gives either silence or a located DataError (never IndexError,
    RecursionError...), and in every column chunk some change is seen."""
    good = _parquet_variants()["polars, small row groups"]
    meta = pq.ParquetFile(io.BytesIO(good)).metadata.row_group(0)
    path = tmp_path / "m.parquet"
    refused_in = set()
    for c in range(meta.num_columns):
        col = meta.column(c)
        start = min(o for o in (col.dictionary_page_offset, col.data_page_offset) if o)
        for position in range(start, start + col.total_compressed_size):
            for value in (0x7F, 0xFF):
                data = bytearray(good)
                data[position] = value
                path.write_bytes(bytes(data))
                try:
                    check_parquet_pages(path)
                except DataError as err:
                    assert err.render("en").startswith(f"{path}: ")
                    refused_in.add(c)
    assert refused_in == set(range(meta.num_columns))
