"""Property-based fuzzing of what users hand to Lanterne: specs, expressions, CSV and Parquet.

The only allowed outcomes are success or a :class:`~lanterne.errors.LanterneError` (one
located message, exit code 2): never another exception, never a crash. The tables are read
in a child process (Polars and Arrow parse them in native code: a crash there would show as
a return code instead of taking the test run down). Example counts are kept small so that
the suite stays fast; each run draws new examples.
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
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lanterne
from lanterne.errors import LanterneError
from lanterne.spec.expr import ExprError, NameInfo, check_types, parse
from lanterne.spec.expr.compile_polars import to_polars
from lanterne.spec.expr.evaluate_row import to_python
from lanterne.spec.load import check_spec_text

pytestmark = pytest.mark.hostile  # an attack: `pytest -m hostile` runs them all

SRC = str(Path(lanterne.__file__).resolve().parents[1])
FAST = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
SPEC = (Path(SRC).parent / "catalog" / "models" / "fr-cnaf-2014.yaml").read_text("utf-8")

# --------------------------------------------------------------------------- specs

_YAML_TOKENS = ["", "-1", "0", "1e400", ".nan", ".inf", "[1, 2]", "{a: 1}", "null", "true",
                "'x'", "[float]", "*a", "&a 1", "!!python/object/apply:os.system [ls]", "{",
                "- x", "9" * 30, "[" * 50 + "]" * 50, "a: b: c", "\t", "'", "|", "logistic",
                "scorecard", "trees", "category", "<<: *a", "'(' * 40"]  # fmt: skip


def must_be_clear(action) -> None:
    try:
        action()
    except LanterneError as err:
        assert err.problems and all(p.message.render("en") for p in err.problems)


@FAST
@given(st.binary(max_size=400))
def test_random_bytes_as_a_spec(data: bytes):
    must_be_clear(lambda: check_spec_text(data.decode("utf-8", "replace"), "f.yaml"))


@FAST
@given(st.text(max_size=300))
def test_random_text_as_a_spec(text: str):
    must_be_clear(lambda: check_spec_text(text, "f.yaml"))


@st.composite
def mutated_spec(draw) -> str:
    lines = SPEC.splitlines()
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["value", "cut", "delete", "copy", "indent"]))
        if op == "value" and ": " in lines[i]:
            k = lines[i].index(": ")
            lines[i] = lines[i][: k + 2] + draw(st.sampled_from(_YAML_TOKENS))
        elif op == "cut":
            lines[i] = lines[i][: draw(st.integers(0, len(lines[i])))] + draw(
                st.sampled_from(_YAML_TOKENS)
            )
        elif op == "delete":
            del lines[i]
        elif op == "copy":
            lines.insert(i, lines[draw(st.integers(0, len(lines) - 1))])
        else:
            lines[i] = "  " + lines[i]
    return "\n".join(lines)


@FAST
@given(mutated_spec())
def test_mutations_of_a_valid_spec(text: str):
    must_be_clear(lambda: check_spec_text(text, "f.yaml"))


def test_the_unmutated_spec_is_valid():
    assert check_spec_text(SPEC, "f.yaml").spec.id == "fr-cnaf-2014"


# --------------------------------------------------------------------------- expressions

ENV = {
    "a": NameInfo("number"),
    "b": NameInfo("number"),
    "c": NameInfo("bool"),
    "k": NameInfo("category", ("x", "y")),
}
_PIECES = ["a", "b", "c", "k", "1", "0", "2.5", "1e400", "'x'", "'z'", "(", ")", "+", "-",
           "*", "/", "<", "<=", "==", "!=", " and ", " or ", "not ", " in ", "[", "]", ",",
           "min(", "max(", "abs(", "clip(", "ratio(", "if(", "between(", "bin(", "true",
           "false", "__", ".", "@", "\n"]  # fmt: skip


@FAST
@given(st.lists(st.sampled_from(_PIECES), max_size=40).map("".join) | st.text(max_size=40))
def test_random_expressions_parse_check_and_compile_or_fail_clearly(source: str):
    try:
        tree = parse(source)
        check_types(tree, ENV)
    except ExprError as err:
        assert 0 <= err.offset <= len(source)
        return
    # what the checker accepts compiles for Polars and for the one-row path
    frame = pl.DataFrame({"a": [1.0, -2.0], "b": [0.0, 3.0], "c": [True, False], "k": ["x", "y"]})
    frame.select(to_polars(tree, ENV).alias("out"))
    to_python(tree, ENV)


@FAST
@given(st.integers(0, 80), st.sampled_from(["(", "-", "not ", "abs(", "if(c, 1, "]))
def test_deep_nesting_of_every_kind_is_refused_or_accepted(depth: int, opener: str):
    closer = {"(": ")", "-": "", "not ": "", "abs(": ")", "if(c, 1, ": ")"}[opener]
    inner = "c" if opener == "not " else "a"
    try:
        parse(opener * depth + inner + closer * depth)
    except ExprError as err:
        assert "nested too deep" in err.message.render("en")


# --------------------------------------------------------------------------- tables

_READER = textwrap.dedent(
    """
    import json, sys
    from lanterne.errors import LanterneError
    from lanterne.io.tables import read_table
    from lanterne.model import load_model
    model = load_model("fr-cnaf-2014")
    outcomes = []
    for path in json.load(sys.stdin):
        try:
            frame = read_table(path)
            try:
                model.prepare(frame, file=path)
            except LanterneError:
                pass
            outcomes.append("ok")
        except LanterneError:
            outcomes.append("refused")
        except Exception as exc:  # anything else is a bug this test reports
            outcomes.append(f"{type(exc).__name__}: {exc}"[:300])
    print(json.dumps(outcomes))
    """
)


def read_in_child(paths: list[Path]) -> list[str]:
    env = dict(os.environ, PYTHONPATH=SRC, LANTERNE_LANG="en")
    proc = subprocess.run(
        [sys.executable, "-c", _READER],
        input=json.dumps([str(p) for p in paths]),
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert proc.returncode == 0, f"reader crashed: {proc.returncode}\n{proc.stderr[-3000:]}"
    return json.loads(proc.stdout.strip().splitlines()[-1])


_CSV_PIECES = [b"a", b"income_monthly", b",", b";", b"\t", b"\n", b"\r\n", b'"', b"1",
               b"-2,5", b"nan", b"inf", b"1e400", b"\xff\xfe", b"\x00", b"=cmd", b" ",
               b"true", b"\xc3"]  # fmt: skip


def test_fuzzed_csv_files_are_read_or_refused(tmp_path):
    sample = (Path(SRC).parent / "catalog" / "samples" / "fr-households-sample.csv").read_bytes()
    head = sample[: sample.index(b"\n", 2000) + 1]
    files: list[Path] = []

    @FAST
    @given(
        st.one_of(
            st.binary(max_size=300),
            st.lists(st.sampled_from(_CSV_PIECES), max_size=60).map(b"".join),
            st.tuples(st.integers(0, len(head)), st.binary(max_size=20)).map(
                lambda cut: head[: cut[0]] + cut[1] + head[cut[0] :]
            ),
        )
    )
    def collect(data: bytes) -> None:
        path = tmp_path / f"f{len(files)}.csv"
        path.write_bytes(data)
        files.append(path)

    collect()
    outcomes = read_in_child(files)
    bad = [(f.read_bytes()[:80], o) for f, o in zip(files, outcomes, strict=True)
           if o not in ("ok", "refused")]  # fmt: skip
    assert not bad, bad[:5]


def test_fuzzed_parquet_files_are_read_or_refused(tmp_path):
    frame = pl.DataFrame(
        {
            "income_monthly": [1200.0, 800.5, 0.0],
            "n_children": [0, 2, 1],
            "label": ["a", "é", "c"],
            "raw": [b"ok", b"\xff", None],
        }
    )
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    good = buffer.getvalue()
    files: list[Path] = []
    # Half the flips land in the data pages' headers (their first bytes): a damaged count there
    # made Polars abort, which random flips found only once in thousands of files.
    meta = pq.ParquetFile(io.BytesIO(good)).metadata.row_group(0)
    pages = [meta.column(c).data_page_offset for c in range(meta.num_columns)]
    in_pages = st.tuples(st.sampled_from(pages), st.integers(0, 16)).map(sum)
    position = st.one_of(st.integers(0, len(good) - 1), in_pages.filter(lambda p: p < len(good)))
    value = st.one_of(st.integers(0, 255), st.sampled_from([0x00, 0x7F, 0x80, 0xFF]))

    @settings(FAST, max_examples=250)
    @given(st.lists(st.tuples(position, value), max_size=4), st.integers(0, len(good)))
    def collect(flips: list[tuple[int, int]], cut: int) -> None:
        data = bytearray(good)
        for position, value in flips:
            data[position] = value
        path = tmp_path / f"f{len(files)}.parquet"
        path.write_bytes(bytes(data[: max(cut, len(good) - 64)] if cut % 2 else data))
        files.append(path)

    collect()
    outcomes = read_in_child(files)
    bad = [o for o in outcomes if o not in ("ok", "refused")]
    assert not bad, bad[:5]
    assert "refused" in outcomes  # the binary column with invalid UTF-8 at least


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_an_empty_file_is_refused(tmp_path, suffix):
    path = tmp_path / f"empty{suffix}"
    path.write_bytes(b"")
    assert read_in_child([path]) == ["refused"]
