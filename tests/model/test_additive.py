"""The additive model kind: shapes, pre-processing, validation, and a current InterpretML EBM."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from lanterne.cli import run
from lanterne.errors import DataError, SpecError
from lanterne.model import load_model, model_from_checked
from lanterne.model.additive import ShapeTable
from lanterne.spec.load import check_spec_text

SPEC = """\
lanterne_spec: 1
id: toy-additive
name: {fr: Jouet, en: Toy}
agency: Agence
country: FR
years: [2020, null]
description: {fr: Un modèle additif jouet., en: A toy additive model.}
status: illustrative
sources: [{id: s, title: Invented, document: tests/model/test_additive.py}]
variables:
  - {name: age, type: float, description: {fr: Âge, en: Age}}
  - {name: income, type: float, missing: allowed, description: {fr: R, en: I}}
  - {name: tenure, type: category, categories: [owner, renter, other], missing: allowed,
     description: {fr: L, en: H}}
  - {name: single, type: bool, missing: allowed, description: {fr: S, en: S}}
  - {name: nationality, type: category, categories: [a, b], sensitive: true,
     description: {fr: N, en: N}}
features:
  - {name: young, expr: "age < 25", description: {fr: J, en: Y}}
model:
  kind: additive
  source: s
  intercept: {value: -1.0}
  preprocess:
    - impute: income
      value: {value: 1000.0}
      output: income_value
      indicator: income_missing
  shapes:
    - {input: age, type: continuous, edges: [30.0, 50.0], scores: [0.5, 0.0, -0.5],
       missing: 0.25}
    - {input: income_value, type: continuous, edges: [500.0], scores: [0.3, -0.3]}
    - {input: income_missing, type: categorical, categories: [0, 1], scores: [0.0, 0.7]}
    - {input: tenure, type: categorical, categories: [owner, renter], scores: [-0.2, 0.4],
       unknown: 0.05, missing: 0.1}
    - {input: single, type: categorical, categories: [false, true], scores: [0.0, 0.6],
       missing: -0.05}
    - {input: young, type: categorical, categories: [true], scores: [0.9]}
targeting: {threshold: 0.5}
"""


#: The disclosed pickle of the pre-pilot model (tests/data/amsterdam).
PREPILOT_PICKLE = (
    Path(__file__).parents[1] / "data" / "amsterdam" / "20220523_model_used_in_prepilot.pkl"
)


def _model(text: str = SPEC):  # type: ignore[no-untyped-def]
    return model_from_checked(check_spec_text(text, "toy.yaml"))


def _by_hand(age, income, tenure, single) -> float:  # type: ignore[no-untyped-def]
    """The toy model computed by hand, one row."""
    margin = -1.0
    margin += 0.25 if age is None else (0.5 if age < 30 else 0.0 if age < 50 else -0.5)
    value = 1000.0 if income is None else income
    margin += 0.3 if value < 500 else -0.3
    margin += 0.7 if income is None else 0.0
    margin += {"owner": -0.2, "renter": 0.4, None: 0.1}.get(tenure, 0.05)
    margin += {True: 0.6, False: 0.0, None: -0.05}[single]
    margin += 0.9 if age is not None and age < 25 else 0.0
    return 1.0 / (1.0 + math.exp(-margin))


def test_scores_match_a_hand_computation() -> None:
    model = _model()
    rows = {
        "age": [29.0, 30.0, 50.0, 24.0, 49.999, 80.0, 30.0],
        "income": [499.0, 500.0, None, 0.0, -10.0, None, 1e9],
        "tenure": ["owner", "renter", "other", "owner", None, "renter", "other"],
        "single": [True, False, None, True, False, None, True],
    }
    table = pl.DataFrame(rows, schema_overrides={"single": pl.Boolean})
    expected = [_by_hand(*r) for r in zip(*rows.values(), strict=True)]
    assert np.abs(model.scores(table).to_numpy() - np.array(expected)).max() < 1e-15
    scored = model.score(table.with_columns(pl.lit("x").alias("extra")))
    assert scored["extra"].to_list() == ["x"] * 7  # extra columns carried through
    assert scored["selected"].to_list() == [s >= 0.5 for s in expected]


def test_contributions_add_up_and_bins_say_where_each_value_fell() -> None:
    model = _model()
    table = pl.DataFrame(
        {"age": [30.0, 10.0], "income": [None, 600.0], "tenure": ["other", "owner"]},
    ).with_columns(pl.Series("single", [None, True], dtype=pl.Boolean))
    contributions = model.contributions(table)
    margins = model.margins(table).to_numpy()
    assert np.allclose(model.base + contributions.sum_horizontal().to_numpy(), margins)
    bins = model.bin_values(table)
    assert bins["age"].to_list() == [1, 0]  # 30 is on an edge: the bin above
    assert bins["income_missing"].to_list() == [1, 0]
    assert bins["tenure"].to_list() == [-2, 0]  # "other" is not listed: unknown
    assert bins["single"].to_list() == [-1, 1]  # missing
    assert [t.name for t in model.terms] == list(contributions.columns)
    income = next(t for t in model.terms if t.name == "income_missing")
    assert income.variables == ("income",)
    young = next(t for t in model.terms if t.name == "young")
    assert young.variables == ("age",)
    # the Polars expressions give the same contributions as the NumPy path
    prepared = model.prepare(table)
    via_exprs = model.with_features(prepared).select(model.term_exprs()).collect()
    assert via_exprs.equals(contributions)


def test_missing_values_need_missing_allowed() -> None:
    model = _model()
    table = pl.DataFrame(
        {"age": [None, 40.0], "income": [1.0, 2.0], "tenure": ["owner", "owner"]},
        schema_overrides={"age": pl.Float64},
    ).with_columns(pl.Series("single", [True, True]))
    with pytest.raises(DataError, match="missing values"):
        model.scores(table)
    # the runtime itself scores a missing age with the shape's missing score
    assert model.shape("age").values(pl.Series([None], dtype=pl.Float64))[0] == 0.25


def test_shape_table_bins_nan_infinities_and_edges() -> None:
    shape = ShapeTable("x", "continuous", np.array([-1.0, 0.0, 2.5]), np.arange(4.0), missing=9.0)
    values = pl.Series([-math.inf, -1.0, -0.0, 0.0, float("nan"), 2.5, math.inf, None])
    assert shape.bins(values).tolist() == [0, 1, 2, 2, -1, 3, 3, -1]
    assert shape.values(values).tolist() == [0.0, 1.0, 2.0, 2.0, 9.0, 3.0, 3.0, 9.0]
    cats = ShapeTable("c", "categorical", np.array([]), np.array([1.0, 2.0]), 5.0, 7.0, (0.0, 1.0))
    assert cats.values(pl.Series([0.0, 1.0, 2.0, None])).tolist() == [1.0, 2.0, 7.0, 5.0]
    # InterpretML 0.2 keys numeric categories by their text: "-0.0" is not the category 0
    assert cats.values(pl.Series([-0.0])).tolist() == [7.0]


@pytest.mark.parametrize(
    ("change", "message", "line"),
    [
        (("edges: [30.0, 50.0]", "edges: [50.0, 30.0]"), "strictly increasing", 30),
        (("scores: [0.5, 0.0, -0.5]", "scores: [0.5, 0.0]"), "one score more than edges", 30),
        (("input: tenure", "input: tenur"), "did you mean 'tenure'", 34),
        (("input: tenure", "input: nationality"), "sensitive variable", 34),
        (("categories: [owner, renter]", "categories: [owner, renter, flat]"), "'flat'", 34),
        (("categories: [0, 1]", "categories: [0, one]"), "its categories are numbers", 33),
        (("impute: income", "impute: incomes"), "incomes", 25),
        (("output: income_value", "output: age"), "already used", 27),
        (("{input: age,", "{input: tenure,"), "shape is 'categorical'", 30),
    ],
)
def test_invalid_specs_are_located(change: tuple[str, str], message: str, line: int) -> None:
    text = SPEC.replace(*change, 1)
    assert text != SPEC
    with pytest.raises(SpecError) as caught:
        check_spec_text(text, "toy.yaml")
    rendered = caught.value.render("en")
    assert message in rendered, rendered
    assert f"toy.yaml:{line}:" in rendered, rendered


def test_two_shapes_on_one_input_are_refused() -> None:
    text = SPEC.replace(
        "    - {input: young,",
        "    - {input: age, type: continuous, edges: [1.0],"
        " scores: [0.0, 1.0]}\n    - {input: young,",
    )
    with pytest.raises(SpecError, match="two shapes for 'age'"):
        check_spec_text(text, "toy.yaml")


# ---------------------------------------------------------------- a current InterpretML EBM


def test_a_current_interpret_ebm_imports_and_scores_the_same(tmp_path: Path) -> None:
    glassbox = pytest.importorskip("interpret.glassbox")
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(3)
    n = 400
    frame = pd.DataFrame(
        {
            "age": rng.integers(18, 80, n).astype(float),
            "income": np.round(rng.normal(1500, 600, n), 0),
            "tenure": rng.choice(["owner", "renter", "other"], n),
        }
    )
    frame.loc[:20, "income"] = np.nan
    y = ((frame["age"] < 30) ^ (frame["tenure"] == "renter") ^ (rng.random(n) < 0.2)).astype(int)
    ebm = glassbox.ExplainableBoostingClassifier(interactions=0, outer_bags=2, max_rounds=300)
    ebm.fit(frame, y)
    exported = tmp_path / "ebm.json"
    ebm.to_json(str(exported))
    spec = tmp_path / "ebm.yaml"
    assert run(["import", "ebm", str(exported), "-o", str(spec), "--id", "toy-ebm"]) == 0
    model = load_model(spec)
    # the same model converted in memory (no file) gives the same shapes
    from lanterne.importers import from_interpret, read_ebm

    assert from_interpret(ebm).shapes == read_ebm(exported).shapes
    # fresh rows: values on the cuts, missing income, every category
    cuts = [float(c) for c in ebm.bins_[0][0]]
    test = pd.DataFrame(
        {
            "age": np.concatenate([cuts, rng.uniform(10, 90, 200)])[:200],
            "income": np.where(rng.random(200) < 0.1, np.nan, rng.normal(1500, 800, 200)),
            "tenure": rng.choice(["owner", "renter", "other"], 200),
        }
    )
    table = pl.from_pandas(test).with_columns(pl.col("income").fill_nan(None))
    ours = model.scores(table).to_numpy()
    theirs = ebm.predict_proba(test)[:, 1]
    assert np.abs(ours - theirs).max() < 1e-9
    # a category the EBM never saw: its "unknown" score, as predict_proba gives it
    unseen = test.head(5).assign(tenure="houseboat")
    prepared = model.prepare(table.head(5)).with_columns(pl.lit("houseboat").alias("tenure"))
    ours_unseen = model.scores(prepared, prepared=True).to_numpy()
    assert np.abs(ours_unseen - ebm.predict_proba(unseen)[:, 1]).max() < 1e-9


# ---------------------------------------------------------------- the importer's refusals


def test_models_check_reports_a_bad_additive_spec(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(SPEC.replace("scores: [0.3, -0.3]", "scores: [0.3]"), encoding="utf-8")
    assert run(["models", "check", str(bad)]) == 2
    good = tmp_path / "good.yaml"
    good.write_text(SPEC, encoding="utf-8")
    assert run(["models", "check", str(good)]) == 0


def test_import_refuses_what_it_cannot_read_and_writes_nothing(tmp_path: Path) -> None:
    import pickle

    out = tmp_path / "out.yaml"
    not_an_ebm = tmp_path / "dict.pkl"
    not_an_ebm.write_bytes(pickle.dumps({"model": [1, 2, 3]}, protocol=3))
    assert run(["import", "ebm", str(not_an_ebm), "-o", str(out)]) == 2
    not_json = tmp_path / "m.json"
    not_json.write_text("{not json", encoding="utf-8")
    assert run(["import", "ebm", str(not_json), "-o", str(out)]) == 2
    other_json = tmp_path / "other.json"
    other_json.write_text('{"learner": {}}', encoding="utf-8")
    assert run(["import", "ebm", str(other_json), "-o", str(out)]) == 2
    assert run(["import", "ebm", str(tmp_path / "missing.pkl"), "-o", str(out)]) == 2
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dict.pkl", "m.json", "other.json"]


def test_import_does_not_replace_a_spec_without_force(tmp_path: Path) -> None:
    source = PREPILOT_PICKLE
    out = tmp_path / "spec.yaml"
    out.write_text("mine", encoding="utf-8")
    assert run(["import", "ebm", str(source), "-o", str(out)]) == 2
    assert out.read_text(encoding="utf-8") == "mine"
    assert run(["import", "ebm", str(source), "-o", str(out), "--force"]) == 0
    assert load_model(out).id == "nl-amsterdam-slimme-check-2022-prepilot"


def test_an_import_that_does_not_load_writes_nothing(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from lanterne.importers import additive_writer

    real = additive_writer.additive_spec_text
    monkeypatch.setattr(
        additive_writer,
        "additive_spec_text",
        lambda *a, **k: real(*a, **k).replace("kind: additive", "kind: additiv"),
    )
    source = PREPILOT_PICKLE
    out = tmp_path / "spec.yaml"
    assert run(["import", "ebm", str(source), "-o", str(out)]) == 2
    assert list(tmp_path.iterdir()) == []
