"""Amsterdam's models through explain, counterfactuals, compare and the web app.

Every number is checked against an independent reading: the catalog YAML read with PyYAML
and scored with ``numpy.digitize`` and dictionaries, one applicant at a time — no Lanterne
runtime code.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from pathlib import Path

import numpy as np
import polars as pl
import pytest
import yaml
from fastapi.testclient import TestClient

from lanterne.catalog import model_path
from lanterne.compare import compare_on_grid, default_grid
from lanterne.errors import DataError
from lanterne.explain import build_household, counterfactuals
from lanterne.explain.explanation import explain_household
from lanterne.model import load_model
from lanterne.population.archetypes import load_archetypes
from lanterne.present.explanation import sentence, weight_heading

PRE = "nl-amsterdam-slimme-check-2022-prepilot"
POST = "nl-amsterdam-slimme-check-2022-reweighed"
SAMPLE = Path(__file__).parents[1] / "data" / "amsterdam" / "development-sample.csv"


class Reading:
    """A second, plain reading of a catalog spec: one applicant (a dict) at a time."""

    def __init__(self, path: Path) -> None:
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        model = spec["model"]
        self.intercept = model["intercept"]["value"]
        self.steps = model.get("preprocess", [])
        self.shapes = model["shapes"]

    def inputs(self, row: dict) -> dict:
        out = dict(row)
        for step in self.steps:
            raw = row.get(step["impute"])
            absent = raw is None or (isinstance(raw, float) and math.isnan(raw))
            out[step["output"]] = step["value"]["value"] if absent else float(raw)
            out[step["indicator"]] = 1.0 if absent else 0.0
        return out

    def contributions(self, row: dict) -> dict[str, float]:
        x = self.inputs(row)
        out = {}
        for shape in self.shapes:
            value = x.get(shape["input"])
            if value is None:
                out[shape["input"]] = shape["missing"]
            elif shape["type"] == "continuous":
                i = int(np.digitize(float(value), shape["edges"], right=False))
                out[shape["input"]] = shape["scores"][i]
            else:
                cats = [float(c) for c in shape["categories"]]
                hit = [i for i, c in enumerate(cats) if c == float(value)]
                out[shape["input"]] = shape["scores"][hit[0]] if hit else shape["unknown"]
        return out

    def margin(self, row: dict) -> float:
        return self.intercept + sum(self.contributions(row).values())

    def score(self, row: dict) -> float:
        return 1.0 / (1.0 + math.exp(-self.margin(row)))


@pytest.fixture(scope="module")
def models():
    return {m: load_model(m) for m in (PRE, POST)}


@pytest.fixture(scope="module")
def readings():
    return {m: Reading(model_path(m)) for m in (PRE, POST)}


def archetype_rows():
    arch = load_archetypes("nl-amsterdam")
    for row in arch.rows():
        yield row["archetype"]  # "base" or "base/variation"


@pytest.mark.parametrize("model_id", [PRE, POST])
def test_explanation_is_each_shapes_score_and_its_bin(models, readings, model_id) -> None:
    model, reading = models[model_id], readings[model_id]
    for ref in archetype_rows():
        house = build_household(model, archetype=ref)  # the model's own archetype set
        exp = explain_household(model, house)
        expected = reading.contributions(house.values)
        got = {c.name: c.contribution for c in exp.contributions}
        assert got == pytest.approx(expected, abs=1e-15), ref
        assert exp.additive
        logit = math.log(exp.score / (1 - exp.score))
        assert exp.base + math.fsum(got.values()) == pytest.approx(logit, abs=1e-9)
        assert exp.score == pytest.approx(reading.score(house.values), abs=1e-12)
        for c in exp.contributions:  # the bin shown holds the value looked up
            assert c.bin is not None and c.bin.score == c.contribution
            if c.bin.low is not None:
                assert c.value >= c.bin.low
            if c.bin.high is not None:
                assert c.value < c.bin.high


def test_development_sample_contributions_add_up_to_the_original_scores(models) -> None:
    sample = pl.read_csv(SAMPLE)
    for model_id, column in ((PRE, "original_model_score"), (POST, "reweighted_model_score")):
        model = models[model_id]
        frame = model.prepare(sample.drop("sum_inkomen_bruto_was_mean_imputed"))
        parts = model.contributions(frame, prepared=True).to_numpy()
        logit = np.log(sample[column] / (1 - sample[column])).to_numpy()
        np.testing.assert_allclose(model.base + parts.sum(axis=1), logit, atol=1e-9)


def test_explanation_names_the_bin_in_words(models) -> None:
    model = models[PRE]
    house = build_household(model, archetype="part-time-worker")
    exp = explain_household(model, house)
    income = next(c for c in exp.contributions if c.name == "sum_inkomen_bruto_value")
    text = sentence(exp, income).render("fr")
    assert "1\u202f000 → classe [" in text
    low, high = income.bin.low, income.bin.high
    assert low <= 1000 < high
    data = exp.to_dict("en")
    entry = next(c for c in data["contributions"] if c["term"] == "sum_inkomen_bruto_value")
    assert entry["bin"]["low"] == low and entry["bin"]["high"] == high
    assert entry["bin"]["score"] == income.contribution
    assert weight_heading(exp).render("en") == "Bin"


def test_an_unknown_income_is_explained_as_imputed(models, readings) -> None:
    model = models[PRE]
    # "--set sum_inkomen_bruto=": an empty value, allowed by the spec (missing: allowed)
    house = build_household(model, archetype="first-application", sets=["sum_inkomen_bruto="])
    assert house.values["sum_inkomen_bruto"] is None
    exp = explain_household(model, house)
    expected = readings[PRE].contributions(house.values)
    got = {c.name: c.contribution for c in exp.contributions}
    assert got == pytest.approx(expected, abs=1e-15)
    flag = next(c for c in exp.contributions if c.name == "sum_inkomen_bruto_was_mean_imputed")
    imputed = next(c for c in exp.contributions if c.name == "sum_inkomen_bruto_value")
    spec = yaml.safe_load(model_path(PRE).read_text(encoding="utf-8"))["model"]
    assert flag.value == 1.0 and flag.bin.category == "1"
    assert imputed.value == spec["preprocess"][0]["value"]["value"]  # the training mean
    # a variable that refuses missing values (the French models') still says so
    french = load_model("fr-cnaf-2014")
    with pytest.raises(DataError, match="income_monthly"):
        build_household(french, archetype="single-mother-rsa", sets=["income_monthly="])


# ------------------------------------------------------------------ counterfactuals

#: Three of the variables the catalog marks changeable: the brute force below moves them.
MUTABLE = ("total_vermogen", "active_address_count", "afspraken_no_show_count_last_year")


def test_the_catalog_marks_what_a_situation_could_change(models) -> None:
    for model in models.values():
        changeable = {v.name for v in model.spec.variables if v.mutable}
        assert set(MUTABLE) <= changeable
        assert not changeable & {"has_partner", "has_medebewoner", "avg_percentage_maatregel"}


def _whole(edges) -> bool:
    return all(float(2 * e).is_integer() for e in edges)


def brute_candidates(shape: dict, current: float) -> np.ndarray:
    """Every value around every edge: the edge, and just below it."""
    edges = np.asarray(shape["edges"], dtype=float)
    below = np.ceil(edges) - 1 if _whole(edges) else edges - 0.01
    return np.unique(np.concatenate([edges, below, np.ceil(edges), [current]]))


@pytest.mark.parametrize(
    ("archetype", "changes", "expected"),
    [
        ("returning-applicant", {"afspraken_no_show_count_last_year": 3}, 1),
        (
            "part-time-worker",
            {"afspraken_no_show_count_last_year": 1, "active_address_count": 0},
            3,
        ),
    ],
)
def test_counterfactual_is_exact_and_minimal_by_brute_force(
    models, readings, archetype, changes, expected
) -> None:
    model, reading = models[PRE], readings[PRE]
    shapes = {s["input"]: s for s in reading.shapes}
    base = {**build_household(model, archetype=archetype).values, **changes}
    assert reading.score(base) >= 0.5
    house = build_household(model, values={k: str(v) for k, v in base.items()})
    result = counterfactuals(model, house, 0.5, variables=list(MUTABLE))
    assert result.min_changes == expected
    assert result.exact and result.min_changes is not None and result.sets
    for found in result.sets:  # each set really crosses, by the second reading
        changed = {**base, **{c.variable: c.after for c in found.changes}}
        assert reading.score(changed) < 0.5
        assert reading.score(changed) == pytest.approx(found.score, abs=1e-12)
    # brute force over every edge (and the value just below it) of every changeable input,
    # vectorised: each shape's score moves on its own (the second reading, per input)
    m0 = reading.margin(base)
    options, deltas = {}, {}
    for n in MUTABLE:
        shape, now = shapes[n], float(base[n])
        opts = brute_candidates(shape, now)
        options[n] = opts[opts != now]
        scores = np.asarray(shape["scores"])[np.digitize(options[n], shape["edges"])]
        deltas[n] = scores - reading.contributions(base)[n]
    crossing: dict[tuple[str, ...], float] = {}
    for k in range(1, len(MUTABLE) + 1):
        for subset in itertools.combinations(MUTABLE, k):
            margin = np.full((), m0)
            size = np.zeros(())
            for axis, n in enumerate(subset):
                shape = [1] * k
                shape[axis] = -1
                margin = margin + deltas[n].reshape(shape)
                size = size + np.abs(options[n] - float(base[n])).reshape(shape)
            ok = 1.0 / (1.0 + np.exp(-margin)) < 0.5
            if ok.any():
                crossing[subset] = float(size[ok].min())
    smallest = min(len(s) for s in crossing)
    assert result.min_changes == smallest
    found_sets = {frozenset(found.variables) for found in result.sets}
    assert found_sets == {frozenset(s) for s in crossing if len(s) == smallest}
    for found in result.sets:
        if len(found.changes) == 1:  # one variable: the move is the smallest that crosses
            c = found.changes[0]
            assert abs(float(c.after) - float(c.before)) == pytest.approx(
                crossing[tuple(v for v in MUTABLE if v in found.variables)], abs=1e-9
            )


# ------------------------------------------------------------------ side by side


def test_flips_on_the_amsterdam_grid_match_a_plain_loop(models, readings) -> None:
    grid = default_grid([models[PRE], models[POST]])
    assert grid.size == 2**12 * 3
    result = compare_on_grid(models[PRE], models[POST], grid, 0.5)
    up = down = 0
    names = list(grid.values)
    for combo in itertools.product(*grid.values.values()):
        row = dict(zip(names, combo, strict=True))
        a = readings[PRE].score(row) >= 0.5
        b = readings[POST].score(row) >= 0.5
        up += b and not a
        down += a and not b
    counts = result.counts()
    assert (counts["flip_up"], counts["flip_down"]) == (up, down)
    assert up > 0 and down > 0


def test_models_compare_command_on_the_pair(cli, tmp_path) -> None:
    out, html = tmp_path / "c.json", tmp_path / "c.html"
    result = cli("models", "compare", PRE, POST, "--json", out, "--html", html, "--lang", "en")
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["threshold"] == 0.5 and data["grid"]["construction"] is True
    assert data["grid"]["values"]["sum_inkomen_bruto"] == [None, 0, 1000]
    page = html.read_text(encoding="utf-8")
    assert page.count('<figure id="shape-') == 15
    assert "not a population" in page
    # the performance the city recorded, copied from each spec (read here with PyYAML)
    section = page.split('id="performance"', 1)[1].split("</section>", 1)[0]
    cells = re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", section)
    for model_id in (PRE, POST):
        spec = yaml.safe_load(model_path(model_id).read_text(encoding="utf-8"))
        figures = {(f["dataset"], f["name"]): f["value"] for f in spec["performance"]}
        assert f"{figures[('test', 'recall')]:.1%}" in cells
        assert f"{figures[('test', 'auc')]:.3f}" in cells
        assert f"{figures[('test', 'share_fp')]:.1%}" in cells


def test_report_compare_works_with_the_pair(cli, tmp_path) -> None:
    applications = tmp_path / "applications.csv"
    rows = [r for r in load_archetypes("nl-amsterdam").rows()]
    keep = [
        c for c in rows[0] if c not in ("archetype", "variation", "base", "label_fr", "label_en")
    ]
    pl.DataFrame([{k: r[k] for k in keep} for r in rows]).write_csv(applications)
    html = tmp_path / "r.html"
    result = cli(
        "report",
        PRE,
        applications,
        "--compare",
        POST,
        "-g",
        "has_partner",
        "--min-cell",
        "0",
        "-o",
        html,
    )
    assert result.exit_code == 0, result.output
    page = html.read_text(encoding="utf-8")
    assert 'id="comparison"' in page and 'id="shapes"' in page


def test_web_score_page_serves_amsterdam_with_its_archetypes() -> None:
    from lanterne.web import create_app

    client = TestClient(create_app(population_rows=2_000, max_upload_mb=0.25))
    page = client.get(f"/score?model={PRE}")
    assert page.status_code == 200
    assert "first-application" in page.text and "single-mother-rsa" not in page.text
    model = load_model(PRE)
    form = {
        "model": PRE,
        **{
            k: str(v)
            for k, v in build_household(model, archetype="part-time-worker").values.items()
        },
    }
    result = client.post("/score", data=form)
    assert result.status_code == 200
    assert "Classe" in result.text and "56,3" in result.text
    # what would change the decision: the exact search, within the page's budget
    search = client.post("/score/search", data=form)
    assert search.status_code == 200
    assert "0,125" in search.text and "exacte" in search.text.lower()
    # the model's page: every shape function as a table, with its status
    page = client.get(f"/models/{PRE}?lang=en")
    assert page.status_code == 200
    assert page.text.count("Shape function (log-odds per bin)") == 15
    assert '<th scope="row">[0.5, 1.5)</th><td class="num">+0.3169</td>' in page.text
    unranked = client.get(f"/archetypes?model={PRE}&lang=en")
    assert "No rank" in unranked.text and "CAF" not in unranked.text


# ------------------------------------------------------------------ the letter


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_explanation_letter_for_amsterdam_cites_eu_law_only(models, lang) -> None:
    from lanterne.contest.letters import REQUIRED_REFERENCES, render_letter

    model = models[PRE]
    house = build_household(model, archetype="part-time-worker")
    exp = explain_household(model, house)
    letter = render_letter("explanation", model=model, lang=lang, explanation=exp)
    listed = {c.id for c in letter.references}
    assert {a for a, _ in REQUIRED_REFERENCES["explanation-eu"]} <= listed
    assert not any(i.startswith(("crpa", "lil")) for i in listed)  # no French law
    text = letter.markdown
    notes = letter.notes_markdown  # what the person reads before sending, apart
    for part in (text, notes):
        assert "CAF" not in part and "Défenseur des droits" not in part and "CADA" not in part
    says = "ne cite que le droit de l'Union" if lang == "fr" else "cites EU law only"
    assert says in notes and says not in text
    # the annex shows each bin, with the score rounded as in the explanation
    heading = "Classe" if lang == "fr" else "Bin"
    assert f"| {heading} |" in text
    income = next(c for c in exp.contributions if c.name == "sum_inkomen_bruto_value")
    assert income.bin.label(lang).replace("[", "\\[") in text or income.bin.label(lang) in text


def test_models_show_prints_each_shape_with_its_status(cli, readings) -> None:
    result = cli("models", "show", PRE, "--lang", "en")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Additive model (shape functions)" in out
    assert out.count("published") >= 15 + 1  # each shape, and the model
    shape = readings[PRE].shapes[0]  # missed appointments: edges 0.5, 1.5, 2.5, 3.5
    assert shape["input"] == "afspraken_no_show_count_last_year"
    assert re.search(rf"\[0\.5, 1\.5\) +│ +\+{shape['scores'][1]:.4f} │", out)
    assert "bins grouped" in out  # long shapes are grouped by default...
    full = cli("models", "show", PRE, "--bins", "0", "--lang", "en").output
    assert "bins grouped" not in full  # ...and shown bin by bin on demand
    assert full.count("│") > out.count("│")


def test_counterfactual_on_the_catalog_model(models, readings) -> None:
    model = models[PRE]
    house = build_household(model, archetype="part-time-worker")
    result = counterfactuals(model, house, 0.5)
    assert result.exact and result.min_changes == 1 and len(result.sets) >= 2
    for found in result.sets:
        changed = {**house.values, **{c.variable: c.after for c in found.changes}}
        assert readings[PRE].score(changed) < 0.5 <= readings[PRE].score(house.values)
    text = "\n".join(result.summary("en"))
    assert "0 → 0.125" in text  # an edge is written exactly (it belongs to the bin above)


def test_compare_on_the_investigators_rows_matches_the_original_software(cli, tmp_path) -> None:
    """--grid: the development sample's rows; flips recounted from the scores the original
    software gave (columns of the file), not from Lanterne's."""
    out = tmp_path / "dev.json"
    result = cli("models", "compare", PRE, POST, "--grid", SAMPLE, "--json", out)
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    sample = pl.read_csv(SAMPLE)
    a = sample["original_model_score"].to_numpy() >= 0.5
    b = sample["reweighted_model_score"].to_numpy() >= 0.5
    assert data["counts"]["profiles"] == sample.height
    assert data["counts"]["flip_up"] == int((b & ~a).sum()) == 3
    assert data["counts"]["flip_down"] == int((a & ~b).sum()) == 4
    assert data["grid"]["values"] is None  # rows used as they are
    assert {r["variable"] for r in data["by_value"]} <= set(load_model(PRE).used_variables)
