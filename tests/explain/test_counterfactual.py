"""What the model reacts to: checked against brute force over every possible household."""

from __future__ import annotations

import itertools
import textwrap

import numpy as np
import pytest

from lanterne.errors import UsageError
from lanterne.explain.candidates import candidate_values
from lanterne.explain.counterfactual import Budget, counterfactuals
from lanterne.explain.household import build_household
from lanterne.model import load_model
from lanterne.model.base import model_from_checked
from lanterne.spec.load import check_spec_text

SMALL = textwrap.dedent(
    """\
    lanterne_spec: 1
    id: small
    name: {fr: Petit modèle, en: Small model}
    agency: Test agency
    country: FR
    years: [2020, null]
    description: {fr: Pour la force brute., en: For brute force.}
    status: illustrative
    sources:
      - {id: doc, title: Test, url: "https://example.org"}
    variables:
      - {name: income, type: int, range: [0, 40], mutable: true, description: {fr: r, en: i}}
      - {name: rent, type: int, range: [0, 20], mutable: true, description: {fr: l, en: r}}
      - {name: kids, type: int, range: [0, 4], mutable: true, description: {fr: e, en: k}}
      - {name: rsa, type: bool, mutable: true, description: {fr: r, en: r}}
      - name: family
        type: category
        categories: [single, couple, single_parent]
        mutable: true
        description: {fr: f, en: f}
      - {name: contacts, type: int, range: [0, 12], mutable: true, description: {fr: c, en: c}}
      - {name: qpv, type: bool, description: {fr: q, en: q}}
    features:
      - {name: low_income, expr: "income < 8", description: {fr: a, en: a}}
      - {name: mid_income, expr: "between(income, 8, 15)", description: {fr: b, en: b}}
      - {name: high_rent, expr: "ratio(rent, income, 1) > 0.4", description: {fr: c, en: c}}
      - {name: single_parent, expr: "family == 'single_parent'", description: {fr: d, en: d}}
      - {name: many_contacts, expr: "contacts >= 6", description: {fr: e, en: e}}
      - {name: income_band, expr: "bin(income, [5, 10, 20])", description: {fr: f, en: f}}
    model:
      kind: logistic
      source: doc
      intercept: {value: -2.0}
      coefficients:
        - {feature: low_income, value: 0.9}
        - {feature: mid_income, value: 0.4}
        - {feature: high_rent, value: 0.5}
        - {feature: single_parent, value: 0.5}
        - {feature: rsa, value: 0.7}
        - {feature: kids, value: 0.15}
        - {feature: many_contacts, value: 0.3}
        - {feature: qpv, value: 0.6}
        - {feature: income_band, value: -0.05}
    targeting: {threshold: 0.5}
    """
)
NAMES = ("income", "rent", "kids", "rsa", "family", "contacts")
DOMAINS = {
    "income": list(range(41)),
    "rent": list(range(21)),
    "kids": list(range(5)),
    "rsa": [False, True],
    "family": ["single", "couple", "single_parent"],
    "contacts": list(range(13)),
}
WIDTH = {"income": 40, "rent": 20, "kids": 4, "contacts": 12}
START = {
    "income": 3,
    "rent": 10,
    "kids": 3,
    "rsa": True,
    "family": "single_parent",
    "contacts": 8,
    "qpv": True,
}


def brute_force_scores(grid: dict[str, np.ndarray]) -> np.ndarray:
    """The small model written again with NumPy."""
    income, rent = grid["income"].astype(float), grid["rent"].astype(float)
    ratio = np.where(income == 0, 1.0, rent / np.where(income == 0, 1, income))
    margin = (
        -2.0
        + 0.9 * (income < 8)
        + 0.4 * ((income >= 8) & (income <= 15))
        + 0.5 * (ratio > 0.4)
        + 0.5 * (grid["family"] == "single_parent")
        + 0.7 * grid["rsa"]
        + 0.15 * grid["kids"]
        + 0.3 * (grid["contacts"] >= 6)
        + 0.6 * START["qpv"]
        - 0.05 * ((income >= 5).astype(int) + (income >= 10) + (income >= 20))
    )
    return 1 / (1 + np.exp(-margin))


@pytest.fixture(scope="module")
def brute():
    """Every household reachable by changing the mutable variables, with its score."""
    combos = list(itertools.product(*(DOMAINS[n] for n in NAMES)))
    grid = {n: np.array([c[i] for c in combos], dtype=object) for i, n in enumerate(NAMES)}
    for n in ("income", "rent", "kids", "contacts"):
        grid[n] = grid[n].astype(int)
    grid["rsa"] = grid["rsa"].astype(bool)
    changed = np.stack([grid[n] != START[n] for n in NAMES], axis=1)
    magnitude = sum(
        np.abs(grid[n] - START[n]) / WIDTH[n] if n in WIDTH else (grid[n] != START[n]) * 1.0
        for n in NAMES
    )
    return grid, brute_force_scores(grid), changed, magnitude


@pytest.fixture(scope="module")
def small():
    return model_from_checked(check_spec_text(SMALL))


@pytest.mark.parametrize("threshold", [0.7, 0.5, 0.35, 0.22, 0.15, 0.12])
def test_smallest_sets_match_brute_force(small, brute, threshold) -> None:
    grid, scores, changed, magnitude = brute
    house = build_household(small, sets=[f"{k}={v}" for k, v in START.items()])
    result = counterfactuals(small, house, threshold)
    assert result.complete and result.exact

    ok = scores < threshold
    counts = changed.sum(axis=1)
    expected_k = int(counts[ok].min()) if ok.any() else None
    assert result.min_changes == expected_k
    if expected_k is None:
        assert result.sets == []
        return
    at_k = ok & (counts == expected_k)
    expected_sets = {
        tuple(n for n, c in zip(NAMES, row, strict=True) if c) for row in changed[at_k]
    }
    assert {s.variables for s in result.sets} == expected_sets  # all of them, none missing
    for found in result.sets:
        mask = np.all([changed[:, NAMES.index(n)] == (n in found.variables) for n in NAMES], axis=0)
        best = magnitude[ok & mask].min()
        assert found.magnitude == pytest.approx(best)  # the smallest change of that set
        point = {n: np.array([START[n]]) for n in NAMES}
        for change in found.changes:
            assert change.before == START[change.variable] != change.after
            point[change.variable] = np.array([change.after])
        assert brute_force_scores(point)[0] == pytest.approx(found.score)
        assert found.score < threshold  # really crosses
        # alternatives: the working combinations among the candidate values of these variables
        in_candidates = np.all(
            [np.isin(grid[n], np.array(result.candidates[n], dtype=object)) for n in NAMES], axis=0
        )
        assert found.alternatives == int((ok & mask & in_candidates).sum())
    assert [s.magnitude for s in result.sets] == sorted(s.magnitude for s in result.sets)


def test_bounds_skip_sets_without_losing_any(small, brute) -> None:
    house = build_household(small, sets=[f"{k}={v}" for k, v in START.items()])
    result = counterfactuals(small, house, 0.22)
    assert result.min_changes is not None
    assert result.pruned > 0  # some sets were skipped on their bound alone...
    full_space = sum(
        np.prod([len(DOMAINS[n]) - 1 for n in subset])
        for k in range(1, result.min_changes + 1)
        for subset in itertools.combinations(NAMES, k)
    )
    assert result.evaluated < full_space  # ...and less was scored than brute force


def test_float_boundaries_are_found_to_the_cent() -> None:
    spec = SMALL.replace(
        "{name: income, type: int, range: [0, 40]", "{name: income, type: float, range: [0, 5000]"
    ).replace('"income < 8"', '"income < 1234.5"')
    model = model_from_checked(check_spec_text(spec))
    house = build_household(model, sets=[f"{k}={v}" for k, v in START.items()])
    values = candidate_values(model, house.frame, ["income"])["income"]
    assert {1234.49, 1234.5} <= set(values)
    # rent 10 > 0.4 × income  ⇔  income < 25: both sides of the boundary at the cent
    assert {24.99, 25.0} <= set(values)
    assert {15.0, 15.01, 19.99, 20.0} <= set(values)  # between() and bin() edges


def test_already_below_budget_and_variable_checks(small) -> None:
    house = build_household(small, sets=[f"{k}={v}" for k, v in START.items()])
    below = counterfactuals(small, house, 0.99)
    assert below.already_below and below.sets == []
    assert "already below" in below.summary("en")[0]
    tight = counterfactuals(small, house, 0.22, Budget(max_evaluations=10))
    assert not tight.complete and not tight.exact
    assert "budget" in tight.message.render("en")
    assert tight.evaluated <= 10  # the budget is a ceiling, not a hint
    assert all(s.score < 0.22 for s in tight.sets)  # what was found is still real
    timed_out = counterfactuals(small, house, 0.22, Budget(seconds=0.0))
    assert not timed_out.complete and timed_out.evaluated == 0
    assert "Recherche arrêtée" in timed_out.summary("fr")[-2]
    only = counterfactuals(small, house, 0.5, variables=["kids", "rsa"])
    assert set(only.mutable) == {"kids", "rsa"}
    assert all(set(s.variables) <= {"kids", "rsa"} for s in only.sets)
    with pytest.raises(UsageError, match="not marked changeable"):
        counterfactuals(small, house, 0.5, variables=["qpv"])


def test_french_model_results_are_real_and_minimal() -> None:
    model = load_model("fr-cnaf-2014")
    house = build_household(model, archetype="single-mother-rsa")
    score = float(model.scores(house.frame, prepared=True)[0])
    threshold = score * 0.5
    result = counterfactuals(model, house, threshold)
    assert result.exact and result.min_changes is not None and result.min_changes >= 2
    assert result.sets
    for found in result.sets:
        changed = house.frame.with_columns(
            **{
                c.variable: house.frame[c.variable]
                .cast(house.frame[c.variable].dtype)
                .replace(c.before, c.after)
                .cast(house.frame[c.variable].dtype)
                for c in found.changes
            }
        )
        assert float(model.scores(changed, prepared=True)[0]) < threshold
    # nothing smaller works: one variable fewer, over every candidate value
    k = result.min_changes
    for subset in itertools.combinations(result.mutable, k - 1):
        smaller = counterfactuals(model, house, threshold, variables=list(subset))
        assert smaller.sets == [] or smaller.min_changes is None
    text = " ".join(result.summary("fr"))
    assert "pas des conseils" in text and "plaire à un algorithme" in text
    assert "not advice" in " ".join(result.summary("en"))
