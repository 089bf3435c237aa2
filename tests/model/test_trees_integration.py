"""Tree ensembles through explain, counterfactuals and reports (not only scoring)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from lanterne.audit import audit_population
from lanterne.catalog import model_path, sample_path
from lanterne.explain import Budget, build_household, counterfactuals, explain_household
from lanterne.model import load_model
from lanterne.present.explanation import explanation_view
from lanterne.present.explanation_md import explanation_markdown
from lanterne.report import population_report, render_html
from lanterne.report.selfcontained import external_resources

ROTTERDAM_SAMPLE = sample_path("nl-rotterdam-sample.csv")


@pytest.fixture(scope="module")
def rotterdam():
    return load_model("nl-rotterdam-2017")


@pytest.fixture(scope="module")
def mother(rotterdam):
    return build_household(
        rotterdam, archetype="mother-learning-dutch", archetype_set="nl-rotterdam"
    )


def test_explanation_of_a_tree_model(rotterdam, mother):
    exp = explain_household(rotterdam, mother, population=ROTTERDAM_SAMPLE)
    # TreeSHAP contributions add up exactly to the trees' margin
    assert exp.additive
    assert exp.base + math.fsum(c.contribution for c in exp.contributions) == pytest.approx(
        exp.margin, abs=1e-9
    )
    assert all(c.value is not None for c in exp.contributions)
    view = explanation_view(exp)
    assert view.table.headers[2].render("en") == "Splits"
    assert all(float(c.weight).is_integer() and c.weight >= 1 for c in exp.contributions)
    text = explanation_markdown(view, "en")
    assert "Splits" in text and "Average value (start)" in text and "Weight" not in text


def test_tree_counterfactuals_say_they_are_heuristic(tmp_path: Path, rotterdam, mother):
    text = model_path("nl-rotterdam-2017").read_text(encoding="utf-8")
    marker = "  - name: persoonlijke_eigenschappen_taaleis_voldaan\n    type: int\n"
    assert marker in text
    spec = tmp_path / "rotterdam-mutable.yaml"
    spec.write_text(text.replace(marker, marker + "    range: [0, 2]\n    mutable: true\n"))
    trees = model_path("nl-rotterdam-2017").with_name("nl-rotterdam-2017.trees.json")
    (tmp_path / trees.name).write_bytes(trees.read_bytes())  # the trees file sits beside it
    model = load_model(spec)
    house = build_household(model, archetype="mother-learning-dutch", archetype_set="nl-rotterdam")
    score = float(model.scores(house.frame)[0])
    result = counterfactuals(model, house, score - 1e-6, Budget(max_evaluations=10_000))
    assert not result.exact
    lines = " ".join(result.summary("en"))
    assert "Heuristic search" in lines and "Non-additive model" in lines


def test_report_on_a_tree_model(rotterdam):
    audit = audit_population(
        rotterdam, ROTTERDAM_SAMPLE, group_cols=["persoon_geslacht_vrouw"], keep_rows=True
    )
    report = population_report([rotterdam], [audit], data=ROTTERDAM_SAMPLE, lang="en")
    box = report.models[0]
    assert box.weights is not None and box.weights.title == "What the trees read"
    assert box.warning is not None  # illustrative trees are flagged on the first screen
    html = render_html(report)
    assert external_resources(html) == []
    assert 'id="nl-rotterdam-2017-persoon_geslacht_vrouw-deciles"' in html
