"""docs/amsterdam.md shows real output: every number recomputed here and looked for."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lanterne.compare import compare_on_grid, default_grid
from lanterne.explain import build_household, explain_household
from lanterne.explain.sentences import signed
from lanterne.i18n import format_number
from lanterne.model import load_model

PAGE = Path(__file__).resolve().parents[2] / "docs" / "amsterdam.md"
PRE = "nl-amsterdam-slimme-check-2022-prepilot"
POST = "nl-amsterdam-slimme-check-2022-reweighed"


@pytest.fixture(scope="module")
def page() -> str:
    return re.sub(r"\s+", " ", PAGE.read_text(encoding="utf-8"))


def test_worked_example_numbers_are_real(page) -> None:
    model = load_model(PRE)
    exp = explain_household(model, build_household(model, archetype="part-time-worker"))
    assert f"Score: {exp.score:.4f} ({exp.score:.2%})" in page
    for c in exp.contributions:
        row = f"{c.bin.label('en')} {signed(c.contribution, 'en', 3)} published"
        assert row in page, row
    other = load_model(POST)
    again = explain_household(other, build_household(other, archetype="part-time-worker"))
    assert f"**{again.score:.4f}**" in page


def test_comparison_numbers_are_real(page) -> None:
    a, b = load_model(PRE), load_model(POST)
    result = compare_on_grid(a, b, default_grid([a, b]), 0.5)
    c = result.counts()
    expected = (
        f"grid of {format_number(c['profiles'], 'en', 0)} profiles",
        f"selects {format_number(c['selected_first'], 'en', 0)}",
        f"{format_number(c['selected_second'], 'en', 0)}. "
        f"{format_number(c['flip_total'], 'en', 0)} profiles change side",
        f"{format_number(c['flip_up'], 'en', 0)} become selected",
        f"{c['flip_down']} are no longer selected",
    )
    for text in expected:
        assert text in page, text
    for sentence in result.sentences("en")[1:2] + result.sentences("en")[4:5]:
        assert re.sub(r"\s+", " ", sentence) in page


def test_counterfactual_lines_are_real(page) -> None:
    from lanterne.explain import counterfactuals
    from lanterne.present.explanation_changes import changes_view

    model = load_model(PRE)
    result = counterfactuals(model, build_household(model, archetype="part-time-worker"), 0.5)
    view = changes_view(result, model)
    assert len(view.sets) == len(result.sets) == 3
    for i, found in enumerate(view.sets, start=1):
        line = f"{i}. {found.line.render('en')}"
        assert re.sub(r"\s+", " ", line) in page, line
