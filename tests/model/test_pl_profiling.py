"""The Polish profiling scorecard: the press-quoted points, dimensions and profiles by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from lanterne.catalog import model_path
from lanterne.model import load_model
from lanterne.model.base import model_from_checked
from lanterne.population.archetypes import load_archetypes
from lanterne.spec.load import check_spec_text

MODEL = load_model("pl-profiling-2014")

#: A person for whom every questionnaire answer scores 0 (in this reconstruction).
NEUTRAL = {
    "age": 35,
    "education": "higher",
    "months_unemployed": 3,
    "work_experience_years": 10.0,
    "foreign_language": True,
    "disability": False,
    "professional_licence": True,
    "can_commute": True,
    "n_obstacles": 0,
    "internet_access": True,
    "registration_reason": "find_job",
    "job_search": "active",
    "availability": "full",
    "willing_to_adapt": True,
    "cooperation": "good",
}


def people(*changes: dict) -> pl.DataFrame:
    return pl.DataFrame([{**NEUTRAL, **c} for c in changes])


def test_the_points_quoted_from_the_ministry_key() -> None:
    """Gazeta Prawna (2016), quoting the key Panoptykon published: lowest education = the
    maximum (8, the top of the 0–8 range), higher education = 0; under 6 months out of work
    = 0, 24 months or more = 6; registering to obtain social assistance = 5."""
    quoted = [
        ({"education": "gimnazjum_or_less"}, "distance", 8),
        ({"education": "higher"}, "distance", 0),
        ({"months_unemployed": 5}, "distance", 0),
        ({"months_unemployed": 24}, "distance", 6),
        ({"months_unemployed": 60}, "distance", 6),
        ({"registration_reason": "social_assistance"}, "readiness", 5),
    ]
    table = people(*(c for c, _, _ in quoted))
    scored = MODEL.score(table)
    for row, (_, dimension, points) in enumerate(quoted):
        # everything else is neutral, so the dimension total is the quoted answer's points
        assert scored[f"points_{dimension}"][row] == points
        other = "readiness" if dimension == "distance" else "distance"
        assert scored[f"points_{other}"][row] == 0
    # the items carrying those values say where they come from
    quoted_terms = [t for t in MODEL.terms if t.source and t.source.id == "gazetaprawna-2016"]
    assert sorted(t.weight for t in quoted_terms) == [0, 0, 5, 6, 8]
    assert {t.status for t in quoted_terms} == {"reconstructed"}


def hand_points(p: dict) -> tuple[float, float]:
    """The spec's points, worked out independently with plain Python."""
    edu = {"gimnazjum_or_less": 8, "basic_vocational": 6, "secondary": 4, "post_secondary": 2}
    m = p["months_unemployed"]
    distance = edu.get(p["education"], 0)
    distance += 0 if m < 6 else 2 if m < 12 else 4 if m < 24 else 6
    distance += 2 if p["age"] < 25 else 4 if p["age"] >= 50 else 0
    x = p["work_experience_years"]
    distance += 6 if x < 1 else 3 if x < 5 else 0
    distance += 2 * (not p["foreign_language"]) + 3 * p["disability"]
    distance += 2 * (not p["professional_licence"]) + 4 * (not p["can_commute"])
    distance += p["n_obstacles"] + 2 * (not p["internet_access"])
    reason = {"social_assistance": 5, "health_insurance": 4, "other": 2}
    readiness = reason.get(p["registration_reason"], 0)
    readiness += {"occasional": 3, "none": 6}.get(p["job_search"], 0)
    readiness += {"limited": 3, "none": 6}.get(p["availability"], 0)
    readiness += 4 * (not p["willing_to_adapt"]) + 4 * (p["cooperation"] == "poor")
    return distance, readiness


def hand_profile(distance: float, readiness: float) -> str:
    if distance >= 24 or readiness >= 15:
        return "III"
    if distance <= 8 and readiness <= 4:
        return "I"
    return "II"


def test_archetypes_worked_by_hand() -> None:
    table = load_archetypes("pl-unemployed").households()
    scored = MODEL.score(table)
    for row in table.iter_rows(named=True):
        distance, readiness = hand_points(row)
        got = scored.filter(pl.col("archetype") == row["archetype"]).row(0, named=True)
        assert (got["points_distance"], got["points_readiness"]) == (distance, readiness)
        profile = hand_profile(distance, readiness)
        assert got["profile"] == profile
        assert got["score"] == {"I": 0.0, "II": 0.5, "III": 1.0}[profile]
        assert got["selected"] == (profile == "III")
    # the three base archetypes land in the three profiles
    base = scored.filter(pl.col("variation").is_null())["profile"].cast(pl.String).to_list()
    assert base == ["I", "II", "III"]


def test_random_answers_match_the_hand_computation() -> None:
    rng = np.random.default_rng(7)
    n = 500
    spec = MODEL.spec
    rows = []
    for _ in range(n):
        p = {}
        for v in spec.model_variables:
            if v.type == "bool":
                p[v.name] = bool(rng.integers(2))
            elif v.type == "category":
                p[v.name] = str(rng.choice(v.categories))
            elif v.type == "int":
                p[v.name] = int(rng.integers(v.range[0], min(v.range[1], 80) + 1))
            else:
                p[v.name] = float(rng.integers(0, 40)) / 2
        rows.append(p)
    table = pl.DataFrame(rows)
    scored = MODEL.score(table)
    hand = [hand_points(p) for p in rows]
    assert scored["points_distance"].to_list() == [d for d, _ in hand]
    assert scored["points_readiness"].to_list() == [r for _, r in hand]
    assert scored["profile"].cast(pl.String).to_list() == [hand_profile(*h) for h in hand]
    # contributions: one column per item; base + row sum is the margin (all points)
    contributions = MODEL.contributions(table)
    totals = contributions.sum_horizontal().to_numpy() + MODEL.base
    np.testing.assert_array_equal(totals, [d + r for d, r in hand])
    np.testing.assert_array_equal(MODEL.margins(table).to_numpy(), totals)
    assert MODEL.scores(table).to_list() == scored["score"].to_list()
    # each term names its dimension; the dimension sums are the points columns
    for dimension in ("distance", "readiness"):
        names = [t.name for t in MODEL.terms if t.dimension == dimension]
        np.testing.assert_array_equal(
            contributions.select(names).sum_horizontal().to_numpy(),
            scored[f"points_{dimension}"].to_numpy(),
        )


PROFILED = """
lanterne_spec: 1
id: two-axes
name: {fr: Deux axes, en: Two axes}
agency: Test
country: PL
years: [2014, 2019]
description: {fr: Test, en: Test}
status: illustrative
status_note: {fr: illustratif, en: illustrative}
sources:
  - {id: s, title: S, url: "https://example.org"}
variables:
  - {name: a, type: int, range: [0, 10], description: {fr: a, en: a}}
  - {name: b, type: bool, description: {fr: b, en: b}}
model:
  kind: scorecard
  source: s
  dimensions:
    - {name: x, description: {fr: x, en: x}}
    - {name: y, description: {fr: y, en: y}}
  items:
    - {per: a, points: 1, dimension: x}
    - {when: b, points: 3, dimension: y}
    - {when: "a >= 5", points: 2, dimension: y}
  profiles:
    - {profile: high, when: "x + y >= 10", score: 0.9}
    - {profile: low, when: "x <= 2", score: 0.1}
    - {profile: middle, score: 0.4}
targeting:
  threshold: 0.5
"""


def test_first_matching_profile_rule_wins() -> None:
    model = model_from_checked(check_spec_text(PROFILED))
    data = pl.DataFrame(
        {"a": [0, 2, 4, 5, 8, 10, 1], "b": [True, False, True, True, False, True, True]}
    )
    # x = a; y = 3b + 2(a >= 5); by hand:
    x = [0, 2, 4, 5, 8, 10, 1]
    y = [3, 0, 3, 5, 2, 5, 3]
    expected = ["low", "low", "middle", "high", "high", "high", "low"]
    scored = model.score(data)
    assert scored["points_x"].to_list() == x
    assert scored["points_y"].to_list() == y
    assert scored["profile"].cast(pl.String).to_list() == expected
    assert scored["score"].to_list() == [
        {"high": 0.9, "low": 0.1, "middle": 0.4}[p] for p in expected
    ]
    assert scored["profile"].dtype == pl.Enum(["high", "low", "middle"])


def test_cli_scores_the_polish_model(cli, tmp_path: Path) -> None:
    data = tmp_path / "people.csv"
    load_archetypes("pl-unemployed").households().drop(
        "archetype", "variation", "base", "label_fr", "label_en"
    ).write_csv(data)
    out = tmp_path / "scored.csv"
    result = cli("score", "pl-profiling-2014", data, "-o", out)
    assert result.exit_code == 0, result.output
    assert "Profils : III 25,0" in result.output  # 2 of the 8 archetype rows
    scored = pl.read_csv(out)
    assert {"profile", "points_distance", "points_readiness", "selected"} <= set(scored.columns)
    assert scored["profile"].to_list()[:3] == ["I", "II", "II"]
    shown = cli("--lang", "en", "models", "show", "pl-profiling-2014")
    assert shown.exit_code == 0, shown.output
    assert "Profile III" in shown.output
    assert cli("models", "check", model_path("pl-profiling-2014")).exit_code == 0


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_texts_exist_in_both_languages(lang: str) -> None:
    spec = MODEL.spec
    for rule in spec.model.profiles:
        assert rule.label.get(lang)
    for item in spec.model.items:
        assert item.label.get(lang)
