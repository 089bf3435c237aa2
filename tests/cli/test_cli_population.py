"""``lanterne population generate|check`` end to end."""

from __future__ import annotations

import json

import polars as pl

from lanterne.population.generate import read_metadata


def test_generate_then_check_then_score(cli, tmp_path) -> None:
    pop = tmp_path / "pop.parquet"
    result = cli("population", "generate", "--households", "30000", "--seed", "3", "-o", pop)
    assert result.exit_code == 0, result.output
    # a status line: on standard error, standard output stays free for data
    assert "30 000 foyers synthétiques" in result.stderr.replace("\u202f", " ")
    assert pl.read_parquet(pop).height == 30_000
    assert read_metadata(pop)["seed"] == 3

    out = tmp_path / "check.json"
    result = cli("population", "check", pop, "--targets", "fr-caf-2023", "--json", out)
    assert result.exit_code == 0, result.output
    assert "cibles dans la tolérance" in result.stdout
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["all_ok"] is True and data["households"] == 30_000
    rsa = next(c for c in data["checks"] if c["id"] == "rsa")
    assert rsa["achieved"] == pl.read_parquet(pop)["receives_rsa"].mean()
    assert {"target", "achieved", "gap", "ok", "status", "source"} <= set(rsa)

    scored = tmp_path / "scored.parquet"
    result = cli("score", "fr-cnaf-2014", pop, "-o", scored)
    assert result.exit_code == 0, result.output
    assert pl.read_parquet(scored).height == 30_000


def test_check_json_to_stdout_in_english(cli, tmp_path) -> None:
    pop = tmp_path / "pop.parquet"
    assert cli("population", "generate", "-n", "20000", "-o", pop).exit_code == 0
    result = cli("population", "check", pop, "--json", "-", "--lang", "en")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["targets"] == "fr-caf-2023"
    assert any(c["label"] == "Households on RSA" for c in data["checks"])


def test_check_exits_1_when_off_target(cli, tmp_path) -> None:
    pop = tmp_path / "pop.parquet"
    assert cli("population", "generate", "-n", "20000", "-o", pop).exit_code == 0
    off = tmp_path / "off.parquet"
    pl.read_parquet(pop).with_columns(receives_rsa=pl.lit(False)).write_parquet(off)
    result = cli("population", "check", off)
    assert result.exit_code == 1
    assert "✗" in result.stdout


def test_bad_inputs_exit_2_and_write_nothing(cli, tmp_path) -> None:
    result = cli("population", "generate", "-n", "100", "-o", tmp_path / "pop.csv")
    assert result.exit_code == 2 and "Parquet" in result.output
    result = cli("population", "generate", "-n", "10", "-o", tmp_path / "no" / "pop.parquet")
    assert result.exit_code == 2 and "n'existe pas" in result.output
    result = cli("population", "generate", "-n", "0", "-o", tmp_path / "pop.parquet")
    assert result.exit_code == 2
    result = cli(
        "population", "generate", "-n", "10", "--targets", "nope", "-o", tmp_path / "p.parquet"
    )
    assert result.exit_code == 2
    assert list(tmp_path.iterdir()) == []
    result = cli("population", "check", tmp_path / "missing.parquet")
    assert result.exit_code == 2 and "introuvable" in result.output
    csv = tmp_path / "x.csv"
    csv.write_text("a\n1\n", encoding="utf-8")
    assert cli("population", "check", csv).exit_code == 2
    pl.DataFrame({"a": [1]}).write_parquet(tmp_path / "x.parquet")
    result = cli("population", "check", tmp_path / "x.parquet")
    assert result.exit_code == 2 and "manquante" in result.output


def test_check_against_openfisca_table_and_json(cli, tmp_path) -> None:
    pop = tmp_path / "pop.parquet"
    assert cli("population", "generate", "-n", "20000", "-o", pop).exit_code == 0
    result = cli("population", "check", pop, "--openfisca", "150", "--seed", "4")
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert "OpenFisca-France" in text and "Objectifs : accord sur le droit ≥ 99,00 %" in text
    assert "Aide au" in text and "Prime" in text
    result = cli("population", "check", pop, "--openfisca", "150", "--json", "-", "--lang", "en")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["all_ok"] is True  # what the command wrote before is still there
    of = data["openfisca"]
    assert of["period"] == "2023-12" and of["version"]
    assert set(of["benefits"]) == {"rsa", "ppa", "aide_logement", "aah", "af"}
    for entry in of["benefits"].values():
        assert entry["compared"] == 150
        assert set(entry) == {"compared", "eligibility_agreement", "median_rel_gap", "p95_rel_gap"}


def test_check_openfisca_bad_sample_size_exits_2(cli, tmp_path) -> None:
    pop = tmp_path / "pop.parquet"
    assert cli("population", "generate", "-n", "1000", "-o", pop).exit_code == 0
    result = cli("population", "check", pop, "--openfisca", "0")
    assert result.exit_code == 2
