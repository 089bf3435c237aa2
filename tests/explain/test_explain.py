"""Explanations: exact contributions, standing, reference, sentences, JSON."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import polars as pl
import pytest
from tests.conftest import MINIMAL_SPEC

from lanterne.errors import SpecError
from lanterne.explain.explanation import explain_household
from lanterne.explain.household import Household, build_household
from lanterne.explain.population import score_population
from lanterne.model import Term, load_model
from lanterne.model.base import model_from_checked
from lanterne.present.explanation import sentence as contribution_line
from lanterne.present.explanation import standing_lines
from lanterne.spec.load import check_spec_text


def cnaf2014_log_odds(df: pd.DataFrame) -> np.ndarray:
    """fr-cnaf-2014 rewritten by hand in pandas, from the YAML's expressions and weights."""
    num = lambda c: pd.to_numeric(df[c])  # noqa: E731
    flag = lambda c: df[c].astype(str).str.lower().eq("true")  # noqa: E731
    adults = np.where(df.family_type.isin(["couple", "couple_children"]), 2, 1)
    cu = 1 + 0.5 * (adults - 1) + 0.3 * num("n_children")
    resources = num("income_monthly") + num("avg_benefits_12m")
    ipc = np.where(cu == 0, 0, resources / cu)
    rent_share = np.where(resources == 0, 1, num("rent_monthly") / resources.replace(0, 1))
    terms = {
        0.8: ipc < 600,
        0.4: (ipc >= 600) & (ipc < 1000),
        0.45: df.head_activity.eq("unemployed") | df.partner_activity.eq("unemployed"),
        0.6: flag("receives_rsa"),
        0.3: flag("qpv"),
    }
    out = -4.2 + sum(w * np.asarray(x, dtype=float) for w, x in terms.items())
    out += 0.4 * (rent_share > 0.4)
    out += 0.5 * num("months_worked_12m").between(1, 9)
    out += 0.45 * (num("income_changes_12m") >= 3)
    out += 1.1 * (
        flag("receives_aah") & df.head_activity.isin(["employed", "self_employed", "apprentice"])
    )
    out += 0.55 * flag("separated_recently")
    out += 0.35 * df.family_type.eq("single_parent")
    out += 0.3 * flag("child_19_plus")
    out += 0.5 * (num("rent_changes_18m") >= 4)
    out += 0.3 * df.oldest_child_activity.eq("apprentice")
    out += 0.25 * (num("months_since_last_control") >= 24)
    out += 0.3 * (num("contacts_12m") >= 6)
    return np.asarray(out, dtype=float)


def _households(model, sample: pl.DataFrame, rows: range):
    prepared = model.prepare(sample)
    for i in rows:
        yield i, Household(values={}, frame=prepared.slice(i, 1))


def test_contributions_add_up_to_independent_log_odds_on_the_sample(sample) -> None:
    model = load_model("fr-cnaf-2014")
    expected = cnaf2014_log_odds(sample.to_pandas())
    for i, house in _households(model, sample, range(0, 400, 7)):
        exp = explain_household(model, house)
        total = exp.base + math.fsum(c.contribution for c in exp.contributions)
        assert total == pytest.approx(expected[i], abs=1e-9)
        assert exp.margin == pytest.approx(expected[i], abs=1e-9)
        assert exp.score == pytest.approx(1 / (1 + math.exp(-expected[i])), abs=1e-12)
        assert exp.additive


def test_contributions_add_up_for_the_2026_model_on_the_sample(sample) -> None:
    model = load_model("fr-cnaf-dmde-2026")
    scores = model.score(sample)["score"].to_numpy()
    logit = np.log(scores / (1 - scores))  # computed from the public score only
    for i, house in _households(model, sample, range(3, 400, 11)):
        exp = explain_household(model, house)
        total = exp.base + math.fsum(c.contribution for c in exp.contributions)
        assert total == pytest.approx(logit[i], abs=1e-9)


def test_single_mother_archetype_by_hand() -> None:
    model = load_model("fr-cnaf-2014")
    exp = explain_household(model, build_household(model, archetype="single-mother-rsa"))
    # income per consumption unit = 1240 / 1.6 = 775: "low income"; RSA, unemployed, QPV,
    # single parent, not inspected for 36 months.
    nonzero = {c.name: c.contribution for c in exp.contributions if c.contribution}
    assert nonzero == pytest.approx(
        {
            "receives_rsa": 0.6,
            "unemployed": 0.45,
            "low_income": 0.4,
            "single_parent": 0.35,
            "qpv": 0.3,
            "long_since_control": 0.25,
        }
    )
    assert list(nonzero) == [
        "receives_rsa",
        "unemployed",
        "low_income",
        "single_parent",
        "qpv",
        "long_since_control",
    ]  # sorted by size
    assert exp.margin == pytest.approx(-1.85)
    rsa = next(c for c in exp.contributions if c.name == "receives_rsa")
    assert rsa.value is True and rsa.status == "illustrative"
    assert rsa.score_without == pytest.approx(1 / (1 + math.exp(2.45)))
    sentence = contribution_line(exp, rsa).render("fr")
    assert sentence.startswith("RSA (oui) fait monter votre score : +0,60 en log-cote")
    assert "multipliée par 1,82" in sentence and "7,9\u00a0% au lieu de 13,6\u00a0%" in sentence
    english = contribution_line(exp, rsa).render("en")
    assert "raises your score: +0.60 in log-odds (the odds are multiplied by 1.82)" in english


def test_standing_against_a_population_and_the_median_reference(sample) -> None:
    model = load_model("fr-cnaf-2014")
    house = build_household(model, archetype="single-mother-rsa")
    pop = score_population(model, sample)
    exp = explain_household(model, house, population=pop)
    scores = pop.scores
    assert exp.standing.percentile == pytest.approx(np.mean(scores <= exp.score))
    threshold = np.sort(scores)[::-1][round(0.012 * 400) - 1]
    assert exp.standing.threshold == pytest.approx(threshold)
    assert exp.standing.selected is bool(exp.score >= threshold)
    # the median household is a real row at rank (n - 1) // 2 of the scores
    assert exp.reference is not None and exp.reference.kind == "median"
    assert exp.reference.score == pytest.approx(np.sort(scores)[199])
    diffs = exp.sorted_differences()
    assert math.fsum(c.difference for c in diffs) == pytest.approx(
        exp.margin - exp.reference.margin, abs=1e-12
    )
    assert [abs(c.difference) for c in diffs] == sorted(
        (abs(c.difference) for c in diffs), reverse=True
    )


def test_archetype_reference_and_threshold_rule_without_population() -> None:
    model = load_model("fr-cnaf-2014")
    house = build_household(model, archetype="single-mother-rsa")
    from lanterne.model import TargetingRule

    exp = explain_household(
        model, house, reference="couple-two-earners", rule=TargetingRule(threshold=0.1)
    )
    assert exp.standing.selected is True and exp.standing.percentile is None
    assert exp.reference.kind == "archetype"
    other = build_household(model, archetype="couple-two-earners")
    assert exp.reference.margin == pytest.approx(
        float(model.margins(other.frame, prepared=True)[0])
    )
    top = explain_household(model, house)  # top-share rule, no population: unknown
    assert top.standing.threshold is None and top.standing.selected is None
    assert "cannot be computed" in " ".join(s.render("en") for s in standing_lines(top))


def test_json_shape_and_provenance_warning() -> None:
    model = load_model("fr-cnaf-2014")
    exp = explain_household(model, build_household(model, archetype="single-mother-rsa"))
    data = json.loads(exp.to_json("en"))
    assert set(data) >= {
        "model",
        "household",
        "score",
        "margin",
        "base",
        "contributions",
        "check",
        "standing",
        "reference",
        "sensitive_variables_not_used",
        "warnings",
    }
    assert data["model"]["margin_scale"] == "log-odds"
    assert data["check"]["additive"] is True
    first = data["contributions"][0]
    assert set(first) >= {"term", "label", "value", "weight", "contribution", "status", "sentence"}
    assert first["odds_multiplier"] == pytest.approx(math.exp(first["contribution"]))
    assert "sex" in data["sensitive_variables_not_used"]
    assert any("not the weights of" in w for w in data["warnings"])


def test_scorecard_contributions_are_points(write_spec) -> None:
    head, rest = MINIMAL_SPEC.split("model:\n")
    spec = (
        head
        + "model:\n  kind: scorecard\n  source: doc\n  items:\n"
        + "    - {when: low_income, points: 30}\n"
        + "    - {when: rsa, points: 20}\n"
        + "    - {per: kids, points: 5}\n"
        + "targeting:"
        + rest.split("targeting:")[1]
    )
    model = model_from_checked(check_spec_text(spec))
    house = build_household(
        model, sets=["income=500", "kids=2", "rsa=oui", "family=single", "sex=female"]
    )
    exp = explain_household(model, house)
    assert exp.margin == 60 and exp.base == 0
    assert {c.name: c.value for c in exp.contributions} == {
        "item_1": True,
        "item_2": True,
        "item_3": 2.0,
    }
    assert "adds 30 points to your total" in contribution_line(exp, exp.contributions[0]).render(
        "en"
    )


def test_a_model_reading_a_sensitive_variable_is_refused(write_spec) -> None:
    bad = MINIMAL_SPEC.replace('expr: "income < 800"', "expr: \"income < 800 and sex == 'female'\"")
    with pytest.raises(SpecError, match="sensitive variable: a model must not use it"):
        check_spec_text(bad)
    # a model kind whose loader forgot the check is still refused by the explanation
    model = model_from_checked(check_spec_text(MINIMAL_SPEC))
    house = build_household(
        model, sets=["income=500", "kids=1", "rsa=1", "family=single", "sex=female"]
    )
    term = model.terms[0]
    model.__dict__["terms"] = [
        Term(
            term.name,
            term.label,
            term.expression,
            (*term.variables, "sex"),
            term.weight,
            term.status,
            term.source,
        ),
        *model.terms[1:],
    ]
    with pytest.raises(SpecError) as info:
        explain_household(model, house)
    assert "sensitive variable 'sex'" in info.value.render("en")


def test_population_lookups_match_numpy_on_random_scores() -> None:
    from lanterne.explain.population import Population
    from lanterne.model import TargetingRule
    from lanterne.scoring import percentile_rank

    rng = np.random.default_rng(5)
    scores = np.round(rng.random(10_001), 3)  # many ties
    pop = Population("random", pl.DataFrame({"x": scores}), scores)
    for value in [0.0, 0.25, 0.5, scores[17], 1.0]:
        assert pop.percentile(value) == pytest.approx(np.mean(scores <= value), abs=0)
        assert pop.percentile(value) == percentile_rank(scores, [value])[0]
    for share in [0.0001, 0.012, 0.05, 0.5, 1.0]:
        rule = TargetingRule(top_share=share)
        assert pop.threshold(rule) == rule.threshold_for(scores)
    assert pop.threshold(TargetingRule(threshold=0.3)) == 0.3
    position = pop.median_position()
    assert scores[position] == np.sort(scores)[(scores.size - 1) // 2]
