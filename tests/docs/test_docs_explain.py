"""The explain/letter documentation shows real output: recomputed here and compared."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lanterne.catalog import sample_path
from lanterne.explain import build_household, counterfactuals, explain_household, score_population
from lanterne.explain.sentences import describe_value, signed
from lanterne.i18n import format_number, format_percent
from lanterne.model import load_model
from lanterne.model.targeting import TargetingRule
from lanterne.present.explanation_changes import changes_view
from lanterne.provenance import status_label

ROOT = Path(__file__).resolve().parents[2]
FOYER = ROOT / "docs" / "examples" / "foyer.yaml"
PAGES = [ROOT / "README.md", ROOT / "docs" / "explain.md"]


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u202f", " ").replace("\xa0", " ")).strip()


@pytest.fixture(scope="module")
def shown():
    model = load_model("fr-cnaf-2014")
    house = build_household(model, file=FOYER)
    population = score_population(model, sample_path())
    exp = explain_household(model, house, population=population, rule=TargetingRule(top_share=0.05))
    found = counterfactuals(model, house, exp.standing.threshold)
    return exp, found


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_the_explain_example_is_what_lanterne_computes(page, shown) -> None:
    exp, found = shown
    text = page.read_text(encoding="utf-8")
    flat = _flat(text)
    assert "docs/examples/foyer.yaml" in text
    score_line = (
        f"Score : {format_number(exp.score, 'fr', 4)} ({format_percent(exp.score, 'fr', 2)})"
    )
    assert _flat(score_line) in flat
    rows = re.findall(r"^│ (.+?) +│ +(\S*) │ +(\S*) │ +(\S+) │ (\S+) +│$", text, flags=re.M)
    assert len(rows) >= 8
    expected = {
        c.title("fr"): (
            describe_value(c.value, "fr"),
            signed(c.weight, "fr", 3),
            signed(c.contribution, "fr", 3),
            status_label(c.status, "fr"),
        )
        for c in exp.contributions
    }
    for label, value, weight, contribution, status in rows:
        if label == "Constante":
            assert contribution == signed(exp.base, "fr", 3)
            continue
        if label.strip() == "Total":
            assert (contribution, status) == (signed(exp.margin, "fr", 3), "✓")
            continue
        assert expected[label.strip()] == (value, weight, contribution, status), label
    view = changes_view(found, load_model("fr-cnaf-2014"))
    numbered = re.findall(r"^\d\. .+ → score .+$", text, flags=re.M)
    assert len(numbered) == len(found.sets) == len(view.sets) == 5
    for i, (line, shown) in enumerate(zip(numbered, view.sets, strict=True), start=1):
        assert _flat(line) == _flat(f"{i}. {shown.line.render('fr')}"), line


def test_the_error_example_is_real(cli) -> None:
    doc = (ROOT / "docs" / "explain.md").read_text(encoding="utf-8")
    result = cli(
        "explain",
        "fr-cnaf-2014",
        "--household",
        FOYER,
        "--set",
        "months_worked_12m=14",
        "--set",
        "income_montly=900",
    )
    assert result.exit_code == 2
    shown = re.search(r"Données invalides\n(.*?)```", doc, flags=re.S).group(1)
    for line in shown.strip().splitlines():
        assert _flat(line.lstrip(" •")) in _flat(result.stderr), line


def test_the_python_example_runs() -> None:
    doc = (ROOT / "docs" / "explain.md").read_text(encoding="utf-8")
    code = re.findall(r"```python\n(.*?)```", doc, flags=re.S)[0]
    namespace: dict = {}
    exec(compile(code, "docs/explain.md", "exec"), namespace)  # the documentation's own code
    assert namespace["pdf_bytes"].startswith(b"%PDF")
    assert namespace["house"].values["income_monthly"] == 850.5


def test_the_example_household_serves_both_french_models() -> None:
    for model_id in ("fr-cnaf-2014", "fr-cnaf-dmde-2026"):
        model = load_model(model_id)
        house = build_household(model, file=FOYER)
        assert house.person.name == "Camille Martin"
        assert set(model.used_variables) <= set(house.values)
