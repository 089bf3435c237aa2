"""``-`` is standard output for every output option and standard input for data; status
and progress go to standard error; ``--quiet`` silences them; output into a pipe is plain.

Each command's ``-`` output is compared with the file the same command writes."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from lanterne.catalog import sample_path
from lanterne.io.std import forget_stdin
from lanterne.io.tables import read_table
from lanterne.model import load_model
from lanterne.population.archetypes import load_archetypes
from lanterne.population.generate import generate_frame

SRC = str(Path(__file__).resolve().parents[2] / "src")


@pytest.fixture
def stdin(monkeypatch):
    """Give bytes to the command's standard input."""

    def give(data: bytes) -> None:
        forget_stdin()
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))

    yield give
    forget_stdin()


def scored_sample(tmp_path: Path) -> Path:
    """The embedded sample with a score and five group columns, as Parquet."""
    frame = read_table(sample_path())
    n = frame.height
    out = tmp_path / "scored.parquet"
    frame.with_columns(
        score=pl.Series([((i * 7919) % 1000) / 1000 for i in range(n)]),
        c1=pl.Series([f"a{i % 3}" for i in range(n)]),
    ).write_parquet(out)
    return out


def test_audit_population_reads_stdin_and_writes_json_to_stdout(cli, stdin, tmp_path) -> None:
    data = scored_sample(tmp_path)
    args = ["audit", "population", "-", "--score-col", "score", "-g", "c1", "-g", "sex"]
    to_file = cli(*args[:3], data, *args[3:], "--json", tmp_path / "a.json")
    assert to_file.exit_code == 0, to_file.output
    stdin(data.read_bytes())  # Parquet on standard input
    piped = cli(*args[:3], "-", *args[3:], "--json", "-")
    assert piped.exit_code == 0, piped.output
    expected = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    assert json.loads(piped.stdout) == expected
    assert "Taux de sélection" not in piped.output  # the JSON alone: no tables
    assert not (Path.cwd() / "-").exists()
    # CSV on standard input too
    stdin(sample_path().read_bytes())
    csv = cli("audit", "population", "fr-cnaf-2014", "-", "-g", "sex", "--json", "-")
    assert csv.exit_code == 0, csv.output
    assert json.loads(csv.stdout)["n"] == read_table(sample_path()).height


def test_score_reads_stdin_and_writes_csv_to_stdout(cli, stdin, tmp_path) -> None:
    to_file = cli("score", "fr-cnaf-2014", sample_path(), "-o", tmp_path / "s.csv")
    assert to_file.exit_code == 0, to_file.output
    assert "Scores écrits" in to_file.stderr and "Scores écrits" not in to_file.stdout
    stdin(sample_path().read_bytes())
    piped = cli("score", "fr-cnaf-2014", "-", "-o", "-")
    assert piped.exit_code == 0, piped.output
    assert piped.stdout == (tmp_path / "s.csv").read_text(encoding="utf-8")
    assert "Scores écrits" not in piped.output


def test_selection_and_confusion_json_to_stdout(cli, tmp_path) -> None:
    counts = tmp_path / "counts.csv"
    counts.write_text("sexe;TN;FP;FN;TP\nfemme;800;120;30;50\nhomme;900;60;40;0\n")
    assert cli("audit", "confusion", counts, "--json", tmp_path / "c.json").exit_code == 0
    piped = cli("audit", "confusion", counts, "--json", "-")
    assert piped.exit_code == 0, piped.output
    assert json.loads(piped.stdout) == json.loads((tmp_path / "c.json").read_text())
    assert "Taux de faux positifs" not in piped.output

    data = tmp_path / "inspections.csv"
    pl.DataFrame(
        {
            "how": ["random", "model"] * 60,
            "result": (["ok"] * 3 + ["overpaid"]) * 30,
            "sex": ["female"] * 70 + ["male"] * 50,
        }
    ).write_csv(data)
    args = ["audit", "selection", data, "--selection-col", "how", "--random-value", "random"]
    args += ["--outcome-col", "result", "--negative-value", "ok", "-g", "sex"]
    args += ["--bootstrap", "20", "--seed", "1"]
    assert cli(*args, "--json", tmp_path / "s.json").exit_code == 0
    piped = cli(*args, "--json", "-")
    assert piped.exit_code == 0, piped.output
    assert json.loads(piped.stdout) == json.loads((tmp_path / "s.json").read_text())


def test_explain_reads_the_household_from_stdin(cli, stdin, tmp_path) -> None:
    house = tmp_path / "foyer.yaml"
    model = load_model("fr-cnaf-2014")
    base = load_archetypes("fr-households").household("single-mother-rsa")
    values = {k: v for k, v in base.items() if k in model.used_variables}
    house.write_text("".join(f"{k}: {json.dumps(v)}\n" for k, v in values.items()))
    to_file = cli("explain", "fr-cnaf-2014", "--household", house, "--json", tmp_path / "e.json")
    assert to_file.exit_code == 0, to_file.output
    stdin(house.read_bytes())  # YAML on standard input
    piped = cli("explain", "fr-cnaf-2014", "--household", "-", "--json", "-")
    assert piped.exit_code == 0, piped.output
    expected = json.loads((tmp_path / "e.json").read_text(encoding="utf-8"))
    got = json.loads(piped.stdout)
    # the household is described by its file: here the private copy of standard input
    assert got["household"].pop("description").endswith("stdin.yaml")
    expected["household"].pop("description")
    assert got == expected
    assert "Ce qui compose le score" not in piped.output  # the JSON alone
    stdin(house.read_bytes())
    quiet = cli("-q", "explain", "fr-cnaf-2014", "--household", "-", "--json", "-")
    again = json.loads(quiet.stdout)
    again["household"].pop("description")
    assert again == got and quiet.stderr == ""
    shown = cli("explain", "fr-cnaf-2014", "--household", house)  # the next run: as before
    assert "Ce qui compose le score" in shown.stdout


def test_compare_json_to_stdout(cli, tmp_path) -> None:
    args = ["models", "compare", "pl-profiling-2014", "pl-profiling-2014"]
    args += ["--value", "education=secondary"]
    assert cli(*args, "--json", tmp_path / "c.json").exit_code == 0
    piped = cli(*args, "--json", "-")
    assert piped.exit_code == 0, piped.output
    assert json.loads(piped.stdout) == json.loads((tmp_path / "c.json").read_text())


def test_report_and_letter_to_stdout(cli, tmp_path) -> None:
    piped = cli("report", "fr-cnaf-2014", sample_path(), "-g", "sex", "-o", "-")
    assert piped.exit_code == 0, piped.output
    assert piped.stdout.lstrip().lower().startswith("<!doctype html")
    assert "Rapport écrit" not in piped.output
    args = ["letter", "fr-cnaf-2014", "--kind", "access", "--name", "Ana Martin"]
    args += ["--date", "2026-01-15"]
    assert cli(*args, "-o", tmp_path / "l.md").exit_code == 0
    piped = cli(*args, "-o", "-")
    assert piped.exit_code == 0, piped.output
    assert piped.stdout == (tmp_path / "l.md").read_text(encoding="utf-8")
    assert (tmp_path / "l-notes.md").read_text(encoding="utf-8").strip() in piped.stderr
    assert not (Path.cwd() / "-").exists() and not (Path.cwd() / "--notes").exists()


def test_rights_and_nonrecours_json_to_stdout(cli, tmp_path) -> None:
    args = ["rights", "--set", "income_monthly=0", "--set", "head_activity=inactive"]
    args += ["--month", "2025-06"]
    assert cli(*args, "--json", tmp_path / "r.json").exit_code == 0
    piped = cli(*args, "--json", "-")
    assert piped.exit_code == 0, piped.output
    assert json.loads(piped.stdout) == json.loads((tmp_path / "r.json").read_text())
    assert "caf.fr" not in piped.stderr  # the JSON alone (it says where to claim)

    population = tmp_path / "pop.parquet"
    generate_frame(300, seed=4).write_parquet(population)
    args = ["audit", "nonrecours", population, "-g", "family_type", "--month", "2025-06"]
    args += ["--min-cell", "5"]
    assert cli(*args, "--json", tmp_path / "n.json").exit_code == 0
    piped = cli(*args, "--json", "-")
    assert piped.exit_code == 0, piped.output
    assert json.loads(piped.stdout) == json.loads((tmp_path / "n.json").read_text())


def test_quiet_silences_status_not_results_nor_errors(cli, tmp_path) -> None:
    loud = cli("score", "fr-cnaf-2014", sample_path(), "-o", tmp_path / "a.parquet")
    assert loud.exit_code == 0 and "Scores écrits" in loud.stderr
    for args in (["-q", "score"], ["score", "--quiet"]):  # before the command or in it
        quiet = cli(*args, "fr-cnaf-2014", sample_path(), "-o", tmp_path / "b.parquet")
        assert quiet.exit_code == 0, quiet.output
        assert quiet.stderr == ""
        assert quiet.stdout == loud.stdout  # the summary is a result: still shown
    failed = cli("-q", "score", "nope.yaml", sample_path(), "-o", tmp_path / "c.parquet")
    assert failed.exit_code == 2 and "nope.yaml" in failed.stderr
    # the setting does not leak into the next command run in this process
    again = cli("score", "fr-cnaf-2014", sample_path(), "-o", tmp_path / "d.parquet")
    assert "Scores écrits" in again.stderr


def test_output_into_a_pipe_is_plain(cli, tmp_path) -> None:
    data = scored_sample(tmp_path)
    result = cli(
        "audit", "population", "-", data, "--score-col", "score", "-g", "c1", "-g", "sex"
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "\x1b[" not in result.stdout  # no colour codes
    # Rich would fold the decile table at 80 columns: here each row keeps its length
    assert max(map(len, lines)) > 100
    widths = {len(line) for line in lines if line.startswith("│") or line.startswith("┃")}
    assert len(widths) <= 4, widths  # each table's rows line up, none folded


def test_population_generate_pipes_parquet_into_an_audit(tmp_path) -> None:
    env = {**os.environ, "PYTHONPATH": SRC}
    lanterne = [sys.executable, "-m", "lanterne"]
    generated = subprocess.run(
        [*lanterne, "-q", "population", "generate", "-n", "2000", "--seed", "5", "-o", "-"],
        env=env,
        capture_output=True,
        timeout=300,
    )
    assert generated.returncode == 0, generated.stderr.decode()
    assert generated.stdout[:4] == b"PAR1" and generated.stderr == b""
    audited = subprocess.run(
        [*lanterne, "audit", "population", "fr-cnaf-2014", "-", "-g", "sex", "--json", "-"],
        input=generated.stdout,
        env=env,
        capture_output=True,
        timeout=300,
    )
    assert audited.returncode == 0, audited.stderr.decode()
    assert json.loads(audited.stdout)["n"] == 2000


def test_bad_data_on_stdin_exits_2_naming_standard_input(cli, stdin) -> None:
    stdin(b'{"income_monthly": ')
    bad = cli("explain", "fr-cnaf-2014", "--household", "-")
    assert bad.exit_code == 2
    assert "(entrée standard):1:" in bad.stderr and "stdin" not in bad.stderr
    stdin(b"PAR1 not really Parquet")
    bad = cli("--lang", "en", "audit", "population", "-", "-", "--score-col", "s", "-g", "a")
    assert bad.exit_code == 2 and "(standard input): cannot read the file" in bad.stderr
    stdin(b"")
    empty = cli("score", "fr-cnaf-2014", "-", "-o", "-")
    assert empty.exit_code == 2 and empty.stdout == ""
