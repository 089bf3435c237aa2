"""Hostile sizes: YAML alias bombs and deep nesting, absurd CSV headers and lines, huge
column lists in messages, deeply nested or very long expressions.

The limits are parameters or constants of the readers, so each attack is replayed with a
small input just over the limit (and checked just under it); the few tests that use the
real limits stay around a megabyte. Commands that could run away run in a child process
with a timeout.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import polars as pl
import pytest

import lanterne
from lanterne.errors import DataError, SpecError, name_list
from lanterne.io.tables import MAX_HEADER_BYTES, check_csv_lines, read_table
from lanterne.spec.expr import MAX_DEPTH, MAX_OPERATORS, ExprError, NameInfo, check_types, parse
from lanterne.spec.expr.compile_polars import to_polars
from lanterne.spec.expr.evaluate_row import to_python
from lanterne.spec.yamlpos import MAX_ALIAS_EXPANSIONS, load_yaml_with_positions

pytestmark = pytest.mark.hostile  # an attack: `pytest -m hostile` runs them all

SRC = str(Path(lanterne.__file__).resolve().parents[1])


_MAIN = "import sys; from lanterne.cli.app import run; sys.exit(run(sys.argv[1:]))"


def lanterne_child(*args: str | Path, timeout: float = 60) -> subprocess.CompletedProcess:
    """``lanterne ARGS`` in a child process (a runaway would hit the timeout, not the suite)."""
    env = dict(os.environ, PYTHONPATH=SRC, LANTERNE_LANG="en", COLUMNS="200")
    return subprocess.run(
        [sys.executable, "-c", _MAIN, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


def alias_bomb(levels: int = 9, width: int = 9) -> str:
    """The classic "billion laughs": 9 levels of 9 aliases, 324 bytes, 9⁹ values."""
    lines = ["a: &a [" + ",".join(["lol"] * width) + "]"]
    for i in range(1, levels):
        name, previous = chr(ord("a") + i), chr(ord("a") + i - 1)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * width) + "]")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- YAML


def test_a_yaml_alias_bomb_is_refused_quickly_by_models_check(tmp_path):
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(alias_bomb(), encoding="utf-8")
    assert bomb.stat().st_size < 400  # a few hundred bytes
    start = time.monotonic()
    proc = lanterne_child("models", "check", bomb)
    assert time.monotonic() - start < 45  # it took 46 s and 3 GB before failing
    assert proc.returncode == 2, proc.stderr
    assert "aliases" in proc.stderr and "bomb.yaml:" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout


def test_a_yaml_alias_bomb_as_a_household_is_refused(tmp_path):
    bomb = tmp_path / "house.yaml"
    bomb.write_text(alias_bomb(), encoding="utf-8")
    proc = lanterne_child("explain", "fr-cnaf-2014", "--household", bomb)
    assert proc.returncode == 2, proc.stderr
    assert "aliases" in proc.stderr and "Traceback" not in proc.stderr


def test_yaml_limits_hold_exactly_at_their_bound():
    # 3 values (the list, its two items) pass with a limit of 3 and fail with 2
    assert load_yaml_with_positions("[1, 2]\n", max_values=3).data == [1, 2]
    with pytest.raises(SpecError, match="expands to more than 2 values"):
        load_yaml_with_positions("[1, 2]\n", max_values=2)
    # aliases that repeat a list: the limit counts repetitions, not the text
    few = "a: &a [1]\nb: [" + ", ".join(["*a"] * MAX_ALIAS_EXPANSIONS) + "]\n"
    assert len(load_yaml_with_positions(few).data["b"]) == MAX_ALIAS_EXPANSIONS
    with pytest.raises(SpecError, match="aliases"):
        load_yaml_with_positions(few.replace("[*a", "[*a, *a"))
    # an alias to a plain value is no expansion at all
    assert load_yaml_with_positions("a: &x 1\nb: *x\n").data == {"a": 1, "b": 1}


@pytest.mark.parametrize("depth", [150, 20_000])
def test_deeply_nested_yaml_is_a_clear_error(depth, tmp_path, cli):
    spec = tmp_path / "deep.yaml"
    spec.write_text("x: " + "[" * depth + "]" * depth + "\n", encoding="utf-8")
    result = cli("--lang", "en", "models", "check", spec)
    assert result.exit_code == 2
    assert "nesting too deep" in result.output and "Traceback" not in result.output


# --------------------------------------------------------------------------- CSV


def test_csv_header_limit_is_exact(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b"a" * 99 + b"\n1\n")  # 100 bytes with its line break
    check_csv_lines(path, max_header=100)
    with pytest.raises(DataError, match="header"):
        check_csv_lines(path, max_header=99)


def test_csv_line_limit_refuses_long_lines_and_keeps_short_ones(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b"a,b\n" + b"x" * 63 + b"\n" + b"1,2\n")
    with pytest.raises(DataError, match="a line exceeds 64 bytes"):
        check_csv_lines(path, max_line=64)
    check_csv_lines(path, max_line=200)
    ordinary = tmp_path / "ok.csv"
    ordinary.write_bytes(b"a,b\n" + b"12,34\n" * 1000)  # many short lines, no final break
    check_csv_lines(ordinary, max_line=16)


def test_a_one_line_csv_of_a_megabyte_is_refused_by_score_with_a_short_message(tmp_path, cli):
    data = tmp_path / "wide.csv"
    data.write_bytes(b"x" * (MAX_HEADER_BYTES + 10))  # one line, no break: the old panic
    out = tmp_path / "s.csv"
    result = cli("--lang", "en", "score", "fr-cnaf-2014", data, "-o", out)
    assert result.exit_code == 2
    assert "the first line (header) exceeds" in result.output
    assert len(result.output) < 1000  # the message does not echo the line
    assert not out.exists()


def test_column_lists_in_messages_are_cut_short(tmp_path, cli):
    names = [f"c{i:05d}_" + "n" * 80 for i in range(3000)]
    data = tmp_path / "many.csv"
    data.write_text(",".join(names) + "\n" + ",".join("1" for _ in names) + "\n", "utf-8")
    result = cli(
        "--lang", "en", "audit", "population", "-", data, "--score-col", "missing", "-g", "g"
    )
    assert result.exit_code == 2
    assert "… and 2980 more" in result.output
    assert len(result.output) < 4000  # 3000 names of 87 characters would be 270 kB
    assert "n" * 61 not in result.output


def test_name_list_counts_what_it_leaves_out():
    assert name_list(range(25), limit=20).render("en").endswith("19 … and 5 more")
    assert name_list(["x" * 70]).render("fr") == "x" * 59 + "…"


def test_the_web_upload_of_a_huge_header_answers_briefly():
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from lanterne.web import create_app

    client = TestClient(create_app(population_rows=1_000, max_upload_mb=3))
    header = ",".join(f"col{i}_" + "z" * 50 for i in range(25_000)).encode()  # ~1.5 MB
    response = client.post(
        "/audit?lang=en",
        data={"models": "fr-cnaf-2014", "groups": "sex", "kind": "population"},
        files={"file": ("wide.csv", header + b"\n", "text/csv")},
    )
    assert 400 <= response.status_code < 500, response.status_code
    assert len(response.content) < 200_000  # was 417 MB: the line echoed twice
    assert "z" * 51 not in response.text


# --------------------------------------------------------------------------- expressions

ENV = {"a": NameInfo("number"), "c": NameInfo("bool")}


def test_nested_parentheses_beyond_the_limit_are_located():
    with pytest.raises(ExprError, match="nested too deep") as caught:
        parse("(" * 130 + "a" + ")" * 130)
    assert caught.value.offset == MAX_DEPTH  # the parenthesis that crosses the limit
    parse("(" * MAX_DEPTH + "a" + ")" * MAX_DEPTH)
    with pytest.raises(ExprError, match="nested too deep"):
        parse("-" * 40 + "a")
    with pytest.raises(ExprError, match="nested too deep"):
        parse("not " * 40 + "c")


def test_a_500_term_sum_is_checked_compiled_and_evaluated_without_recursion():
    tree = parse(" + ".join(["a"] * 500))
    assert check_types(tree, ENV) == "number"
    frame = pl.DataFrame({"a": [0.1, 3.0]})
    values = frame.select(to_polars(tree, ENV).alias("x"))["x"].to_list()
    expected = [sum([0.1] * 500), 1500.0]  # the same left-to-right additions in Python
    assert values == expected
    assert to_python(tree, ENV)({"a": 0.1}) == expected[0]  # one household, in Python


def test_long_and_chains_compile_and_agree_with_python():
    tree = parse(" and ".join(["c"] * 300) + " or a > 1")
    frame = pl.DataFrame({"a": [0.0, 2.0, 0.0], "c": [True, False, False]})
    got = frame.select(to_polars(tree, ENV).alias("x"))["x"].to_list()
    assert got == [True, True, False]
    for row, want in zip(frame.iter_rows(named=True), got, strict=True):
        assert to_python(tree, ENV)(dict(row)) == want


def test_expressions_beyond_the_operator_limit_are_refused():
    parse(" + ".join(["a"] * (MAX_OPERATORS + 1)))
    with pytest.raises(ExprError, match="too long") as caught:
        parse(" + ".join(["a"] * (MAX_OPERATORS + 2)))
    assert caught.value.offset == 4 * (MAX_OPERATORS + 1) - 2  # the first operator too many


def test_a_deep_expression_in_a_spec_is_a_located_error(tmp_path, cli):
    spec = (Path(SRC).parent / "catalog" / "models" / "fr-cnaf-2014.yaml").read_text("utf-8")
    lines = spec.splitlines()
    i = next(i for i, line in enumerate(lines) if line.strip().startswith("expr:"))
    indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
    lines[i] = indent + 'expr: "' + "(" * 130 + "1" + ")" * 130 + '"'
    path = tmp_path / "m.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = cli("--lang", "en", "models", "check", path)
    assert result.exit_code == 2
    assert f"m.yaml:{i + 1}:" in result.output and "nested too deep" in result.output


def test_ordinary_tables_pass_the_line_checks():
    csv = Path(SRC).parent / "catalog" / "samples" / "fr-households-sample.csv"
    assert read_table(csv).height > 0


def test_child_helper_reports_errors():
    proc = lanterne_child("models", "check", "no-such-model")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert textwrap.dedent(proc.stderr).strip()
