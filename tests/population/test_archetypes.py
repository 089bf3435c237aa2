"""Archetype experiments: scores and deltas against a hand computation, percentiles, CLI."""

from __future__ import annotations

import json
import math

import numpy as np
import polars as pl
import pytest

from lanterne.model import TargetingRule, load_model
from lanterne.population.archetypes import load_archetypes
from lanterne.population.experiments import run_archetypes


def expit(x: float) -> float:
    return 1 / (1 + math.exp(-x))


# fr-cnaf-2014 by hand. The single mother on RSA (catalog/archetypes/fr-households.yaml):
# 1 adult + 2 children = 1.6 consumption units; (0 + 1240) / 1.6 = 775 €/CU → low_income
# (+0.4, not very_low_income); unemployed +0.45; RSA +0.6; QPV +0.3; rent 450 / 1240 =
# 36 % → not high_rent_share; 0 months worked → not unstable_work; 2 income changes → not
# unstable_income; single parent +0.35; last control 36 months ago → +0.25; 2 contacts.
BASE_MARGIN = -4.2 + 0.4 + 0.45 + 0.6 + 0.3 + 0.35 + 0.25
HAND = {
    "single-mother-rsa": expit(BASE_MARGIN),
    "single-mother-rsa/not-in-qpv": expit(BASE_MARGIN - 0.3),
    "single-mother-rsa/recently-separated": expit(BASE_MARGIN + 0.55),
    "single-mother-rsa/recently-checked": expit(BASE_MARGIN - 0.25),
    "single-mother-rsa/father": expit(BASE_MARGIN),
    "single-mother-rsa/non-eu-national": expit(BASE_MARGIN),
    # Part-time work: (800 + 730) / 1.6 = 956 €/CU → still low_income; no longer unemployed
    # nor on RSA; 12 months worked.
    "single-mother-rsa/part-time-work": expit(BASE_MARGIN - 0.45 - 0.6),
    # Short contracts: (450 + 1100) / 1.6 = 969 €/CU → low_income; employed (−0.45);
    # 6 months worked → unstable_work +0.5; 4 income changes → unstable_income +0.45.
    "single-mother-rsa/short-contracts": expit(BASE_MARGIN - 0.45 + 0.5 + 0.45),
}


@pytest.fixture(scope="module")
def result():
    return run_archetypes(load_model("fr-cnaf-2014"), load_archetypes("fr-households"))


def test_scores_and_deltas_match_a_hand_computation(result) -> None:
    base = HAND["single-mother-rsa"]
    for ref, expected in HAND.items():
        row = result.row(ref)
        assert row.score == pytest.approx(expected, abs=1e-9), ref
        assert row.delta == pytest.approx(expected - base, abs=1e-9), ref
    assert result.row("single-mother-rsa").delta == 0.0
    assert result.row("single-mother-rsa/father").delta == 0.0  # sex is not read
    assert result.row("single-mother-rsa/father").read == ()
    assert result.row("single-mother-rsa/not-in-qpv").read == ("qpv",)


def test_set_has_the_archetypes_the_issue_lists(result) -> None:
    bases = {r.base for r in result.rows}
    assert {
        "single-mother-rsa",
        "couple-two-earners",
        "aah-worker",
        "apprentice",
        "student",
        "retired-couple",
    } <= bases
    for row in result.rows:
        assert row.label_fr and row.label_en
        if row.variation is not None:
            assert row.changes


def test_without_population_top_share_selection_is_unknown(result) -> None:
    assert result.threshold is None
    assert all(r.selected is None and r.percentile is None for r in result.rows)


def test_percentiles_and_selection_against_given_population() -> None:
    population = np.array([0.01, 0.05, 0.10, 0.12, 0.20])
    model, households = load_model("fr-cnaf-2014"), load_archetypes("fr-households")
    top = run_archetypes(model, households, population, TargetingRule(top_share=0.2))
    assert top.threshold == 0.20
    base = top.row("single-mother-rsa")  # 0.136: above 4 of the 5 scores
    assert base.percentile == pytest.approx(0.8)
    assert base.selected is False
    separated = top.row("single-mother-rsa/recently-separated")  # 0.214
    assert separated.percentile == 1.0 and separated.selected is True
    cut = run_archetypes(model, households, population, TargetingRule(threshold=0.13))
    assert cut.row("single-mother-rsa").selected is True
    assert cut.row("single-mother-rsa/not-in-qpv").selected is False


def test_population_file_gives_the_same_as_its_scores(tmp_path) -> None:
    from lanterne.population.generate import generate_frame

    pop = generate_frame(5000, seed=2)
    path = tmp_path / "pop.parquet"
    pop.write_parquet(path)
    model, households = load_model("fr-cnaf-2014"), load_archetypes("fr-households")
    from_file = run_archetypes(model, households, path)
    from_scores = run_archetypes(model, households, model.scores(pop).to_numpy())
    assert from_file.population_size == 5000
    assert from_file.threshold == from_scores.threshold
    assert [r.percentile for r in from_file.rows] == [r.percentile for r in from_scores.rows]


def test_cli_table_json_and_errors(cli, tmp_path) -> None:
    from lanterne.population.generate import generate_frame

    path = tmp_path / "pop.parquet"
    generate_frame(5000, seed=2).write_parquet(path)
    out = tmp_path / "arch.json"
    result = cli("archetypes", "fr-cnaf-2014", "fr-households", "--population", path, "--json", out)
    assert result.exit_code == 0, result.output
    assert "Mère isolée" in result.stdout and "Ciblage" in result.stdout
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["population_size"] == 5000
    row = next(h for h in data["households"] if h["archetype"] == "single-mother-rsa/not-in-qpv")
    assert row["delta"] == pytest.approx(
        HAND["single-mother-rsa/not-in-qpv"] - HAND["single-mother-rsa"]
    )
    assert isinstance(row["selected"], bool) and 0 <= row["percentile"] <= 1

    result = cli("archetypes", "fr-cnaf-2014", "fr-households", "--json", "-", "--lang", "en")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["households"][0]["label"]["en"].startswith("Single mother")

    assert cli("archetypes", "nope", "fr-households").exit_code == 2
    assert cli("archetypes", "fr-cnaf-2014", "nope").exit_code == 2
    bad = tmp_path / "bad.parquet"
    pl.DataFrame({"a": [1]}).write_parquet(bad)
    result = cli("archetypes", "fr-cnaf-2014", "fr-households", "--population", bad, "--lang", "fr")
    assert result.exit_code == 2 and "manquante" in result.output, result.output
    result = cli(
        "archetypes", "fr-cnaf-2014", "fr-households", "--top-share", "0.1", "--threshold", "0.2"
    )
    assert result.exit_code == 2
