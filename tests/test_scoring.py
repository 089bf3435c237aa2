"""Scores equal an independent computation, to 1e-12."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from sklearn.linear_model import LogisticRegression
from tests.conftest import MINIMAL_SPEC

from lanterne.model import TargetingRule, load_model, model_from_checked
from lanterne.spec.load import check_spec_text


def cnaf_2014_features_by_hand(data: pl.DataFrame) -> dict[str, np.ndarray]:
    """The fr-cnaf-2014 features rewritten in NumPy from the spec's descriptions."""
    g = {c: data[c].to_numpy() for c in data.columns}

    def f(c: str) -> np.ndarray:
        return g[c].astype(float)

    def b(c: str) -> np.ndarray:
        return np.isin(g[c].astype(str), ["true", "True", "1"])

    adults = np.where(np.isin(g["family_type"], ["couple", "couple_children"]), 2.0, 1.0)
    cu = 1 + 0.5 * (adults - 1) + 0.3 * f("n_children")
    resources = f("income_monthly") + f("avg_benefits_12m")
    per_cu = resources / cu
    rent_ratio = np.divide(
        f("rent_monthly"), resources, out=np.ones_like(resources), where=resources != 0
    )
    working = np.isin(g["head_activity"], ["employed", "self_employed", "apprentice"])
    return {
        "very_low_income": per_cu < 600,
        "low_income": (per_cu >= 600) & (per_cu < 1000),
        "unemployed": (g["head_activity"] == "unemployed")
        | (g["partner_activity"] == "unemployed"),
        "receives_rsa": b("receives_rsa"),
        "qpv": b("qpv"),
        "high_rent_share": rent_ratio > 0.4,
        "unstable_work": (f("months_worked_12m") >= 1) & (f("months_worked_12m") <= 9),
        "unstable_income": f("income_changes_12m") >= 3,
        "aah_while_working": b("receives_aah") & working,
        "separated_recently": b("separated_recently"),
        "single_parent": g["family_type"] == "single_parent",
        "child_19_plus": b("child_19_plus"),
        "frequent_rent_changes": f("rent_changes_18m") >= 4,
        "apprentice_child": g["oldest_child_activity"] == "apprentice",
        "long_since_control": f("months_since_last_control") >= 24,
        "frequent_contacts": f("contacts_12m") >= 6,
    }


def test_cnaf_2014_scores_equal_numpy_and_scikit_learn(sample: pl.DataFrame) -> None:
    model = load_model("fr-cnaf-2014")
    features = cnaf_2014_features_by_hand(sample)
    names = [t.name for t in model.terms]
    assert set(names) == set(features)
    X = np.column_stack([features[n].astype(float) for n in names])
    w = np.array([t.weight for t in model.terms])
    log_odds = model.base + X @ w
    expected = 1 / (1 + np.exp(-log_odds))

    scores = model.scores(sample).to_numpy()
    np.testing.assert_allclose(scores, expected, rtol=0, atol=1e-12)

    sk = LogisticRegression()
    sk.classes_ = np.array([0, 1])
    sk.coef_ = w.reshape(1, -1)
    sk.intercept_ = np.array([model.base])
    np.testing.assert_allclose(scores, sk.predict_proba(X)[:, 1], rtol=0, atol=1e-12)
    np.testing.assert_allclose(model.margins(sample).to_numpy(), log_odds, rtol=0, atol=1e-12)


@pytest.mark.parametrize("model_id", ["fr-cnaf-2014", "fr-cnaf-dmde-2026"])
def test_contributions_plus_intercept_equal_the_log_odds(sample, model_id) -> None:
    model = load_model(model_id)
    contributions = model.contributions(sample)
    total = model.base + contributions.sum_horizontal().to_numpy()
    np.testing.assert_allclose(total, model.margins(sample).to_numpy(), atol=1e-12, rtol=0)
    p = model.scores(sample).to_numpy()
    np.testing.assert_allclose(np.log(p / (1 - p)), total, atol=1e-9, rtol=0)


def test_score_output_keeps_inputs_and_adds_score_and_selected(sample) -> None:
    model = load_model("fr-cnaf-dmde-2026")
    scored = model.score(sample)
    assert scored.columns[: sample.width] == sample.columns
    assert scored.columns[-2:] == ["score", "selected"]
    assert scored.height == sample.height
    assert scored["score"].is_between(0, 1).all()
    threshold = scored.filter("selected")["score"].min()
    assert (scored.filter(~pl.col("selected"))["score"] < threshold).all()


def test_top_share_selects_the_highest_scores_with_ties() -> None:
    rule = TargetingRule(top_share=0.25)
    scores = np.array([0.1, 0.9, 0.5, 0.5, 0.2, 0.3, 0.5, 0.05])
    threshold, selected = rule.select(scores)
    assert rule.wanted(8) == 2
    assert threshold == 0.5
    assert selected.sum() == 4  # the three tied at 0.5 are all selected
    # without ties, exactly round(k * n)
    scores = np.linspace(0, 1, 1000)
    assert TargetingRule(top_share=0.05).select(scores)[1].sum() == 50


def test_threshold_rule_is_inclusive() -> None:
    _, selected = TargetingRule(threshold=0.5).select(np.array([0.49, 0.5, 0.51]))
    assert selected.tolist() == [False, True, True]


def test_targeting_override(tiny_data) -> None:
    model = model_from_checked(check_spec_text(MINIMAL_SPEC))
    scored = model.score(tiny_data, targeting=TargetingRule(threshold=0.0))
    assert scored["selected"].all()


SCORECARD = """\
lanterne_spec: 1
id: card
name: {fr: Barème, en: Scorecard}
agency: Test
country: PL
years: [2014, 2019]
description: {fr: Test, en: Test}
status: reconstructed
sources:
  - {id: law, title: Regulation, legal_reference: "Dz.U. 2014 poz. 631"}
variables:
  - {name: age, type: int, range: [18, 70], description: {fr: Âge, en: Age}}
  - {name: months_unemployed, type: int, range: [0, 48], description: {fr: Mois, en: Months}}
  - {name: disabled, type: bool, description: {fr: Handicap, en: Disability}}
model:
  kind: scorecard
  source: law
  items:
    - {when: "age >= 50", points: 4}
    - {when: "age < 25", points: 2}
    - {per: months_unemployed, points: 0.25}
    - {when: disabled, points: 3}
    - {when: "months_unemployed < 3", points: -1}
  bands:
    - {min_points: -10, profile: "I"}
    - {min_points: 5, profile: "II"}
    - {min_points: 12, profile: "III"}
targeting:
  threshold: 0.5
"""


def test_scorecard_points_scale_and_profiles_by_hand() -> None:
    model = model_from_checked(check_spec_text(SCORECARD))
    data = pl.DataFrame(
        {
            "age": [55, 22, 30, 60],
            "months_unemployed": [24, 0, 8, 48],
            "disabled": [True, False, False, True],
        }
    )
    # hand computation: points of each row
    points = [4 + 6 + 3, 2 + 0 - 1, 2.0, 4 + 12 + 3]
    # natural scale: min = -1 (only negative item), max = 4 + 2 + 12 + 3 = 21
    expected_scores = [(p - (-1)) / (21 - (-1)) for p in points]
    scored = model.score(data)
    np.testing.assert_allclose(model.margins(data).to_numpy(), points, atol=1e-12)
    np.testing.assert_allclose(scored["score"].to_numpy(), expected_scores, atol=1e-12)
    assert scored["profile"].cast(pl.String).to_list() == ["III", "I", "I", "III"]
    assert scored["selected"].to_list() == [True, False, False, True]
    assert model.contributions(data).sum_horizontal().to_list() == pytest.approx(points)


def test_scorecard_needs_an_explicit_scale_for_unbounded_items() -> None:
    from lanterne.errors import SpecError

    text = SCORECARD.replace(
        "{per: months_unemployed, points: 0.25}", "{per: months_unemployed * 2, points: 0.25}"
    )
    with pytest.raises(SpecError):
        model_from_checked(check_spec_text(text))
    fixed = text.replace("  bands:", "  scale: {min: 0, max: 30}\n  bands:")
    assert model_from_checked(check_spec_text(fixed)).scale.max == 30
