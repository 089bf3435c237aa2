"""Amsterdam's Slimme Check models: the catalog specs reproduce the original software.

Three independent checks:

* the 32 rows of the investigators' development sample, scored by the original software
  (Python 3.8, InterpretML 0.2.7), are reproduced to 1e-9 by ``lanterne score``;
* thousands of random applicants — values on bin edges, negative, zero, huge, missing,
  counts the model only knows as the categories 0 and 1 — are scored by Lanterne and by a
  *second reading* of the files written here: it walks the raw state of the pickles (the
  EBM preprocessor's cuts and category maps, ``additive_terms_``, the imputer's mean) with
  plain Python loops, as InterpretML 0.2.7 and scikit-learn 0.24 compute, without the
  spec, the importer or the runtime;
* re-importing the two files gives the catalog specs byte for byte.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest

from lanterne.catalog import model_path
from lanterne.cli import run
from lanterne.importers.safe_pickle import load_restricted
from lanterne.io.tables import read_table
from lanterne.model import load_model

DATA = Path(__file__).parents[1] / "data" / "amsterdam"
MODELS = {
    "nl-amsterdam-slimme-check-2022-prepilot": (
        DATA / "20220523_model_used_in_prepilot.pkl",
        "original_model_score",
    ),
    "nl-amsterdam-slimme-check-2022-reweighed": (
        DATA / "20220531_model_after_reweighing.pkl",
        "reweighted_model_score",
    ),
}
RAW = (
    "at_least_one_address_in_amsterdam",
    "deelnames_started_percentage_last_year",
    "active_address_count",
    "days_since_last_relocation",
    "days_since_last_dienst_end",
    "has_medebewoner",
    "avg_percentage_maatregel",
    "total_vermogen",
    "afspraken_no_show_count_last_year",
    "has_partner",
    "applied_for_same_product_last_year",
    "received_same_product_last_year",
    "afspraken_no_contact_count_last_year",
    "sum_inkomen_bruto",
)
FLAGS = {
    "at_least_one_address_in_amsterdam",
    "has_medebewoner",
    "has_partner",
    "applied_for_same_product_last_year",
    "received_same_product_last_year",
}


# ---------------------------------------------------------------- the second reading


@cache
def _raw(path: Path) -> dict[str, Any]:
    """The pieces of the pickle the original software uses to score, as plain Python."""
    obj = load_restricted(path)
    steps = obj["model"].get("steps")
    mapper, search = steps[0][1], steps[1][1]
    ebm = search.get("best_estimator_").state
    pre = ebm["preprocessor_"].state
    means = {}
    for columns, transformer, _ in mapper.get("built_features"):
        for _, step in transformer.get("steps"):
            if "statistics_" in step.state:
                means[columns[0]] = float(step.state["statistics_"][0])
    return {
        "names": list(ebm["feature_names"]),
        "types": list(pre["col_types_"]),
        "cuts": {i: [float(c) for c in e] for i, e in pre["col_bin_edges_"].items()},
        "maps": {i: {str(k): int(v) for k, v in m.items()} for i, m in pre["col_mapping_"].items()},
        "terms": [[float(s) for s in t] for t in ebm["additive_terms_"]],
        "intercept": float(ebm["intercept_"][0]),
        "means": means,
    }


def _city_features(row: dict[str, Any], means: dict[str, float]) -> dict[str, float]:
    """The city's DataFrameMapper: booleans → 1/0, cast to float, mean-impute the income."""
    out = {}
    for name in RAW:
        value = row[name]
        number = math.nan if value is None else float(value)
        if name == "sum_inkomen_bruto":
            missing = math.isnan(number)
            out["sum_inkomen_bruto_value"] = means[name] if missing else number
            out["sum_inkomen_bruto_was_mean_imputed"] = 1.0 if missing else 0.0
        else:
            out[name] = number
    return out


def second_reading(path: Path, rows: list[dict[str, Any]]) -> list[float]:
    """InterpretML 0.2.7's predict_proba, one row at a time, from the raw pickle state."""
    raw = _raw(path)
    out = []
    for row in rows:
        features = _city_features(row, raw["means"])
        logit = raw["intercept"]
        for i, name in enumerate(raw["names"]):
            x = features[name]
            if raw["types"][i] == "continuous":
                # native Discretize: NaN → bin 0, else 1 + number of cuts ≤ x
                b = 0 if math.isnan(x) else 1 + bisect_right(raw["cuts"][i], x)
                logit += raw["terms"][i][b]
            else:
                # categories keyed by the text of the float ("1.0"); "nan" is missing (bin 0);
                # an unknown value gets -1 and its score is reset to 0
                b = raw["maps"][i].get("nan" if math.isnan(x) else str(x), -1)
                logit += 0.0 if b < 0 else raw["terms"][i][b]
        out.append(1.0 / (1.0 + math.exp(-logit)))
    return out


# ---------------------------------------------------------------- random applicants


def _applicants(path: Path, n: int, seed: int) -> list[dict[str, Any]]:
    """Random rows built to hit the bins: on edges, just around them, out of range, missing."""
    raw = _raw(path)
    rng = np.random.default_rng(seed)
    edges: dict[str, list[float]] = {}
    for i, name in enumerate(raw["names"]):
        if i in raw["cuts"]:
            base = "sum_inkomen_bruto" if name.startswith("sum_inkomen_bruto") else name
            edges[base] = raw["cuts"][i]
    rows = []
    for _ in range(n):
        row: dict[str, Any] = {}
        for name in RAW:
            pick = rng.random()
            if name in FLAGS:
                row[name] = None if pick < 0.05 else bool(rng.integers(0, 2))
                continue
            cuts = edges.get(name)
            if pick < 0.05:
                value: float | None = None
            elif cuts is None:  # a count the model reads as the categories 0 and 1
                value = float(rng.choice([0, 1, 0, 1, 2, 3, 0.5, -1, -0.0]))
            elif pick < 0.35:
                value = float(rng.choice(cuts))  # exactly on an edge
            elif pick < 0.55:
                value = float(np.nextafter(rng.choice(cuts), -math.inf))  # just below
            elif pick < 0.65:
                value = float(rng.choice([0.0, -1.0, -1e7, 1e9, cuts[0] - 1, cuts[-1] + 1]))
            else:
                value = float(rng.uniform(cuts[0] - 10, cuts[-1] + 10))
            row[name] = value
        rows.append(row)
    return rows


def _table(rows: list[dict[str, Any]]) -> pl.DataFrame:
    schema = {n: pl.Boolean if n in FLAGS else pl.Float64 for n in RAW}
    return pl.DataFrame(rows, schema=schema)


# ---------------------------------------------------------------- tests


@pytest.mark.parametrize("model_id", sorted(MODELS))
def test_development_sample_is_reproduced(model_id: str, tmp_path: Path) -> None:
    path, column = MODELS[model_id]
    out = tmp_path / "out.parquet"
    sample = DATA / "development-sample.csv"
    assert run(["score", model_id, str(sample), "-o", str(out)]) == 0
    scored = pl.read_parquet(out)
    expected = scored[column].cast(pl.Float64).to_numpy()
    assert scored.height == 32
    assert np.abs(scored["score"].to_numpy() - expected).max() < 1e-9
    # the extra columns of the input are carried through
    assert {"original_model_score", "score_difference", "selected"} <= set(scored.columns)
    # the second reading agrees too: it is a check of the check
    rows = pl.read_csv(sample).to_dicts()
    assert np.abs(np.array(second_reading(path, rows)) - expected).max() < 1e-9


def test_the_grids_imputed_flag_column_is_not_read() -> None:
    """The original pipeline derives the flag from a missing income; the grid's is ignored."""
    model = load_model("nl-amsterdam-slimme-check-2022-prepilot")
    sample = pl.read_csv(DATA / "development-sample.csv")
    flipped = sample.with_columns(1 - pl.col("sum_inkomen_bruto_was_mean_imputed"))
    assert model.scores(sample).to_list() == model.scores(flipped).to_list()


@pytest.mark.parametrize("model_id", sorted(MODELS))
def test_random_applicants_match_a_second_reading(model_id: str) -> None:
    path, _ = MODELS[model_id]
    rows = _applicants(path, 3000, seed=sorted(MODELS).index(model_id))
    ours = load_model(model_id).scores(_table(rows)).to_numpy()
    theirs = np.array(second_reading(path, rows))
    assert np.abs(ours - theirs).max() < 1e-12
    # the draw did reach the interesting cases
    assert sum(r["sum_inkomen_bruto"] is None for r in rows) > 50
    assert sum(r["afspraken_no_contact_count_last_year"] in (2.0, 3.0) for r in rows) > 50


def test_an_empty_income_is_imputed_with_the_mean_and_flagged(tmp_path: Path) -> None:
    model = load_model("nl-amsterdam-slimme-check-2022-prepilot")
    sample = pl.read_csv(DATA / "development-sample.csv").head(3)
    csv = tmp_path / "empty.csv"
    sample.with_columns(pl.lit(None, dtype=pl.Int64).alias("sum_inkomen_bruto")).write_csv(csv)
    out = tmp_path / "out.parquet"
    assert run(["score", model.id, str(csv), "-o", str(out)]) == 0
    scored = pl.read_parquet(out)
    contributions = model.contributions(pl.read_csv(csv))
    mean = _raw(MODELS[model.id][0])["means"]["sum_inkomen_bruto"]
    shape = model.shape("sum_inkomen_bruto_value")
    flag = model.shape("sum_inkomen_bruto_was_mean_imputed")
    assert contributions["sum_inkomen_bruto_value"][0] == shape.values(pl.Series([mean]))[0]
    assert contributions["sum_inkomen_bruto_was_mean_imputed"][0] == flag.scores[1]
    rows = [{**r, "sum_inkomen_bruto": None} for r in sample.to_dicts()]
    expected = second_reading(MODELS[model.id][0], rows)
    assert np.abs(scored["score"].to_numpy() - np.array(expected)).max() < 1e-12


def test_nan_and_empty_incomes_count_as_missing(tmp_path: Path) -> None:
    """A CSV written with 'nan' (or 'NaN') for an unknown income scores as an empty cell."""
    model = load_model("nl-amsterdam-slimme-check-2022-reweighed")
    lines = (DATA / "development-sample.csv").read_text(encoding="utf-8").splitlines()[:5]
    header = lines[0].split(",")
    where = header.index("sum_inkomen_bruto")
    rows = [line.split(",") for line in lines[1:]]
    for row, text in zip(rows, ["", "nan", "NaN", "1000"], strict=True):
        row[where] = text
    csv = tmp_path / "nan.csv"
    csv.write_text("\n".join([lines[0], *(",".join(r) for r in rows)]) + "\n", encoding="utf-8")
    out = tmp_path / "out.parquet"
    assert run(["score", model.id, str(csv), "-o", str(out)]) == 0
    scores = pl.read_parquet(out)["score"].to_numpy()
    raw_rows = [dict(zip(header, r, strict=True)) for r in rows]
    for r in raw_rows:
        r["sum_inkomen_bruto"] = None if r["sum_inkomen_bruto"] in ("", "nan", "NaN") else 1000
    expected = second_reading(MODELS[model.id][0], raw_rows)
    assert np.abs(scores - np.array(expected)).max() < 1e-12
    flags = model.bin_values(read_table(csv))["sum_inkomen_bruto_was_mean_imputed"]
    assert flags.to_list() == [1, 1, 1, 0]  # the category "1" (imputed) for the three


@pytest.mark.parametrize("model_id", sorted(MODELS))
def test_reimport_gives_the_catalog_spec_byte_for_byte(model_id: str, tmp_path: Path) -> None:
    path, _ = MODELS[model_id]
    out = tmp_path / "spec.yaml"
    assert run(["import", "ebm", str(path), "-o", str(out)]) == 0
    assert out.read_bytes() == model_path(model_id).read_bytes()


@pytest.mark.parametrize("model_id", sorted(MODELS))
def test_every_number_is_published_with_its_source(model_id: str) -> None:
    model = load_model(model_id)
    spec = model.spec
    assert spec.status == "published"
    assert spec.status_counts() == {"published": 17, "reconstructed": 0, "illustrative": 0}
    source = spec.source("amsterdam-model-file")
    assert source is not None and source.url is not None
    assert "3f2e1260f52d9a3d684ed87b7a86a26ceacbd31e" in source.url
    assert "model_analysis/input/" in source.url
    for term in model.terms:
        assert term.status == "published" and term.source == source
    raw = _raw(MODELS[model_id][0])
    assert model.base == raw["intercept"]
    # the city's recorded test performance, with its source
    figures = {(f.name, f.dataset): f for f in spec.performance}
    assert figures[("auc", "test")].source == "amsterdam-model-file"
    cells = [figures[(f"share_{c}", "test")].value for c in ("tn", "fp", "fn", "tp")]
    assert abs(sum(cells) - 1.0) < 1e-12
    # the shares are of all test applications: times their number, whole counts
    n = figures[("count_negative", "test")].value + figures[("count_positive", "test")].value
    counts = [c * n for c in cells]
    assert all(abs(c - round(c)) < 1e-6 for c in counts)
    tn, fp, fn, tp = (round(c) for c in counts)
    assert tn + fp == figures[("count_negative", "test")].value  # rows: the true class
    assert abs(tp / (tp + fn) - figures[("recall", "test")].value) < 1e-12
    assert abs(tp / (tp + fp) - figures[("precision", "test")].value) < 1e-12
