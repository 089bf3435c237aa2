"""``lanterne audit …`` end to end: tables, legends, JSON files, exit codes."""

from __future__ import annotations

import json

import numpy as np
import polars as pl

from lanterne.catalog import sample_path


def test_population_command_prints_tables_and_writes_json(cli, tmp_path) -> None:
    out = tmp_path / "population.json"
    result = cli(
        "audit",
        "population",
        "fr-cnaf-2014",
        sample_path(),
        "-g",
        "sex",
        "-g",
        "family_type",
        "--top-share",
        "0.05",
        "--intersect",
        "--json",
        out,
    )
    assert result.exit_code == 0, result.output
    assert "Par family_type" in result.stdout and "Lire ces tableaux" in result.stdout
    assert "Taux de sélection" in result.stdout and "illustratif" in result.stdout
    assert "20 sélectionnés" in result.stdout
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["model"] == "fr-cnaf-2014" and doc["top_share"] == 0.05
    assert list(doc["groups"]) == ["sex", "family_type", "sex × family_type"]
    assert [p.name for p in tmp_path.iterdir()] == ["population.json"]


def test_population_from_a_score_column_in_english(cli, tmp_path) -> None:
    rng = np.random.default_rng(0)
    data = tmp_path / "scored.csv"
    pl.DataFrame({"score": rng.random(300).round(4), "sex": rng.choice(["f", "m"], 300)}).write_csv(
        data
    )
    result = cli(
        "--lang",
        "en",
        "audit",
        "population",
        "-",
        data,
        "--score-col",
        "score",
        "-g",
        "sex",
        "--threshold",
        "0.9",
        "--no-deciles",
    )
    assert result.exit_code == 0, result.output
    assert "Selection rate" in result.stdout and "threshold 0.9000" in result.stdout
    assert "D10" not in result.stdout


def test_population_errors_exit_2(cli, tmp_path) -> None:
    result = cli(
        "--lang",
        "en",
        "audit",
        "population",
        "fr-cnaf-2014",
        sample_path(),
        "-g",
        "colour",
    )
    assert result.exit_code == 2 and "colour" in result.stderr
    result = cli("audit", "population", "-", sample_path(), "-g", "sex")
    assert result.exit_code == 2
    result = cli(
        "audit",
        "population",
        "fr-cnaf-2014",
        sample_path(),
        "-g",
        "sex",
        "--top-share",
        "0.1",
        "--threshold",
        "0.5",
    )
    assert result.exit_code == 2
    result = cli(
        "audit",
        "population",
        "fr-cnaf-2014",
        sample_path(),
        "-g",
        "sex",
        "--json",
        tmp_path / "no" / "out.json",
    )
    assert result.exit_code == 2


def test_selection_command(cli, tmp_path) -> None:
    rng = np.random.default_rng(1)
    n = 1000
    data = tmp_path / "inspections.csv"
    pl.DataFrame(
        {
            "how": rng.choice(["random", "model"], n),
            "result": rng.choice(["ok", "overpaid", "underpaid"], n, p=[0.7, 0.2, 0.1]),
            "sex": rng.choice(["female", "male"], n),
        }
    ).write_csv(data)
    out = tmp_path / "selection.json"
    result = cli(
        "--lang",
        "en",
        "audit",
        "selection",
        data,
        "--selection-col",
        "how",
        "--random-value",
        "random",
        "--outcome-col",
        "result",
        "--negative-value",
        "ok",
        "-g",
        "sex",
        "--bootstrap",
        "200",
        "--seed",
        "3",
        "--json",
        out,
    )
    assert result.exit_code == 0, result.output
    assert "Hit rate (random)" in result.stdout and "200 resamples" in result.stdout
    for title in ("who is inspected", "what inspections find", "whom the errors found concern"):
        assert f"By sex: {title}" in result.stdout
    assert "Representation ratio: share of algorithm ÷ share of random" in result.stdout
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["groups"]["sex"][0]["group"] == "female"
    assert len(doc["groups"]["sex"][0]["hit_rate_algorithm_ci"]) == 2
    again = cli(
        "audit",
        "selection",
        data,
        "--selection-col",
        "how",
        "--random-value",
        "random",
        "--outcome-col",
        "result",
        "--negative-value",
        "ok",
        "-g",
        "sex",
        "--bootstrap",
        "200",
        "--seed",
        "3",
        "--json",
        tmp_path / "again.json",
    )
    assert again.exit_code == 0
    assert json.loads((tmp_path / "again.json").read_text()) == doc  # reproducible by seed
    bad = cli(
        "--lang",
        "en",
        "audit",
        "selection",
        data,
        "--selection-col",
        "how",
        "--random-value",
        "hasard",
        "--outcome-col",
        "result",
        "--negative-value",
        "ok",
        "-g",
        "sex",
    )
    assert bad.exit_code == 2 and "'hasard' (random sample) never occurs" in bad.stderr


def test_confusion_command(cli, tmp_path) -> None:
    counts = tmp_path / "counts.csv"
    counts.write_text(
        "sexe;TN;FP;FN;TP\nfemme;800;120;30;50\nhomme;900;60;40;0\n", encoding="utf-8"
    )
    out = tmp_path / "confusion.json"
    result = cli("audit", "confusion", counts, "--json", out)
    assert result.exit_code == 0, result.output
    assert "Taux de faux positifs" in result.stdout
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["rows"][0]["sexe"] == "femme" and doc["rows"][0]["fp"] == 120
    assert doc["rows"][1]["tpr"] == 0.0
    counts.write_text("sexe,TN,FP,FN,TP\nfemme,800,beaucoup,30,50\n", encoding="utf-8")
    result = cli("audit", "confusion", counts)
    assert result.exit_code == 2 and "beaucoup" in result.stderr


def test_population_condition_col_on_a_parquet_folder(cli, tmp_path) -> None:
    from lanterne.audit import audit_population
    from lanterne.model import TargetingRule

    households = pl.read_csv(sample_path(), infer_schema_length=None)
    folder = tmp_path / "parts"
    folder.mkdir()
    for i, part in enumerate(households.iter_slices(150)):
        part.write_parquet(folder / f"part-{i}.parquet")
    out = tmp_path / "cond.json"
    result = cli(
        "--lang",
        "en",
        "audit",
        "population",
        "fr-cnaf-2014",
        folder,
        "-g",
        "sex",
        "--condition-col",
        "housing_status",
        "--top-share",
        "0.1",
        "--batch-rows",
        "64",
        "--json",
        out,
    )
    assert result.exit_code == 0, result.output
    assert "housing_status = owner" in result.stdout
    doc = json.loads(out.read_text(encoding="utf-8"))
    expected = audit_population(
        "fr-cnaf-2014",
        households,
        group_cols=["sex"],
        condition_col="housing_status",
        targeting=TargetingRule(top_share=0.1),
    ).to_dict()
    assert doc == json.loads(json.dumps(expected))
    assert doc["condition_col"] == "housing_status"
    strata = {s["stratum"] for s in doc["strata"]}
    assert strata == set(households["housing_status"].unique().to_list())
