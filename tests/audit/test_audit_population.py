"""Population audit: every metric against pandas by hand and fairlearn's MetricFrame."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import polars as pl
import pytest
from fairlearn.metrics import MetricFrame, selection_rate

from lanterne.audit import audit_population
from lanterne.audit.groups import MISSING
from lanterne.catalog import sample_path
from lanterne.errors import DataError, UsageError
from lanterne.io.tables import read_table
from lanterne.model import TargetingRule, load_model

ROW_KEYS = {
    "group",
    "n",
    "share_population",
    "mean_score",
    "median_score",
    "selection_rate",
    "share_selected",
    "representation_ratio",
    "disparate_impact",
    "decile_shares",
}


def synthetic(n: int = 6000, seed: int = 0) -> pl.DataFrame:
    """Scores with heavy ties (like a model on binary features) and five group columns."""
    rng = np.random.default_rng(seed)
    base = rng.choice(np.round(np.linspace(0.01, 0.6, 40), 4), n)
    scores = np.where(rng.random(n) < 0.3, rng.random(n), base)
    sex = rng.choice(["female", "male"], n, p=[0.55, 0.45])
    age = rng.choice(["under_25", "25_34", "35_44", "45_54", "55_64", "65_plus"], n)
    dept = rng.choice([f"{d:02d}" for d in range(1, 30)] + ["2A", "971"], n).astype(object)
    dept[rng.random(n) < 0.02] = None
    family = rng.choice(["single", "couple", "single_parent", "couple_children"], n)
    # scores depend on the family type, so groups really differ
    scores = np.clip(scores + np.where(family == "single_parent", 0.15, 0.0), 0, 1)
    return pl.DataFrame(
        {
            "score": scores,
            "sex": sex,
            "age_band": age,
            "department": pl.Series(dept.tolist(), dtype=pl.String),
            "family_type": family,
            "qpv": rng.random(n) < 0.2,
        }
    )


def reference(frame: pl.DataFrame, col: str, threshold: float, min_cell: int = 0) -> pd.DataFrame:
    """Every metric by hand with pandas, independently of Lanterne's code."""
    df = frame.with_columns(pl.col(col).cast(pl.String).fill_null(MISSING)).to_pandas()
    df["selected"] = df["score"] >= threshold
    cuts = np.quantile(df["score"], np.arange(1, 10) / 10, method="inverted_cdf")
    df["decile"] = np.searchsorted(cuts, df["score"], side="left")
    g = df.groupby(col)
    out = pd.DataFrame(
        {
            "n": g.size(),
            "mean_score": g["score"].mean(),
            "median_score": g["score"].median(),
            "n_selected": g["selected"].sum(),
        }
    )
    out["share_population"] = out["n"] / len(df)
    out["selection_rate"] = out["n_selected"] / out["n"]
    out["share_selected"] = out["n_selected"] / df["selected"].sum()
    out["representation_ratio"] = out["share_selected"] / out["share_population"]
    kept = out[(out["n"] >= min_cell) & (out["selection_rate"] > 0)]
    out["disparate_impact"] = out["selection_rate"] / kept["selection_rate"].min()
    out.loc[out["selection_rate"] == 0, "disparate_impact"] = np.nan
    deciles = pd.crosstab(df[col], df["decile"], normalize="index").reindex(
        columns=range(10), fill_value=0.0
    )
    out["decile_shares"] = [list(deciles.loc[i]) for i in out.index]
    return out


def check_against_reference(rows: list[dict], ref: pd.DataFrame) -> None:
    assert sorted(r["group"] for r in rows) == sorted(ref.index)
    for row in rows:
        exp = ref.loc[row["group"]]
        assert row["n"] == exp["n"]
        assert row["n_selected"] == exp["n_selected"]
        for key in ("share_population", "selection_rate", "share_selected"):
            assert row[key] == pytest.approx(exp[key], rel=1e-12), key
        assert row["representation_ratio"] == pytest.approx(exp["representation_ratio"])
        assert row["mean_score"] == pytest.approx(exp["mean_score"], rel=1e-12)
        assert row["median_score"] == exp["median_score"]  # exact, not approximate
        if np.isnan(exp["disparate_impact"]):
            assert row["disparate_impact"] is None
        else:
            assert row["disparate_impact"] == pytest.approx(exp["disparate_impact"])
        assert row["decile_shares"] == pytest.approx(exp["decile_shares"], abs=1e-15)
        assert sum(row["decile_shares"]) == pytest.approx(1.0)


COLS = ["sex", "age_band", "department", "family_type", "qpv"]


def test_every_metric_matches_pandas_and_fairlearn() -> None:
    data = synthetic()
    audit = audit_population(
        None,
        data,
        group_cols=COLS,
        score_col="score",
        targeting=TargetingRule(top_share=0.05),
        min_cell=0,
    )
    scores = data["score"].to_numpy()
    m = round(0.05 * scores.size)
    threshold = np.sort(scores)[::-1][m - 1]
    assert audit.threshold == threshold
    selected = scores >= threshold
    assert audit.n_selected == selected.sum() >= m
    assert audit.overall["median_score"] == np.median(scores)
    for col in COLS:
        check_against_reference(audit.groups[col].rows, reference(data, col, threshold))
        sensitive = data[col].cast(pl.String).fill_null(MISSING).to_numpy()
        frame = MetricFrame(
            metrics=selection_rate,
            y_true=selected,
            y_pred=selected,
            sensitive_features=sensitive,
        )
        for row in audit.groups[col]:
            assert row["selection_rate"] == pytest.approx(frame.by_group[row["group"]], rel=1e-12)
        assert audit.groups[col].difference("selection_rate") == pytest.approx(frame.difference())
        assert audit.groups[col].ratio("selection_rate") == pytest.approx(frame.ratio())


def test_chunked_parquet_folder_is_identical_to_in_memory(tmp_path) -> None:
    data = synthetic(n=9000, seed=4)
    folder = tmp_path / "parts"
    folder.mkdir()
    for i, start in enumerate(range(0, data.height, 2500)):
        data.slice(start, 2500).write_parquet(folder / f"part-{i}.parquet")
    options = dict(
        group_cols=COLS,
        score_col="score",
        targeting=TargetingRule(top_share=0.05),
        intersect=True,
        condition_col=None,
        min_cell=10,
    )
    in_memory = audit_population(None, data, **options)
    chunked = audit_population(None, folder, batch_rows=777, **options)
    assert chunked.to_dict() == in_memory.to_dict()
    assert chunked.to_json() == in_memory.to_json()  # bit for bit, medians and means included


def test_model_scoring_in_chunks_equals_scoring_at_once(tmp_path) -> None:
    model = load_model("fr-cnaf-2014")
    sample = model.prepare(read_table(sample_path()))
    path = tmp_path / "sample.parquet"
    sample.write_parquet(path)
    rule = TargetingRule(top_share=0.1)
    whole = audit_population(model, sample, group_cols=["sex", "family_type"], targeting=rule)
    chunks = audit_population(
        model, path, group_cols=["sex", "family_type"], targeting=rule, batch_rows=37
    )
    assert whole.to_dict() == chunks.to_dict()
    scored = model.score(sample, targeting=rule)
    assert whole.n_selected == int(scored["selected"].sum())
    check_against_reference(
        whole.groups["family_type"].rows,
        reference(scored.select("score", "family_type"), "family_type", whole.threshold),
    )


def test_json_shape_is_exact(tmp_path) -> None:
    audit = audit_population(
        "fr-cnaf-2014",
        sample_path(),
        group_cols=["sex", "nationality"],
        targeting=TargetingRule(top_share=0.05),
    )
    path = tmp_path / "audit.json"
    audit.write_json(path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert {"model", "n", "top_share", "threshold", "groups"} <= set(doc)
    assert doc["model"] == "fr-cnaf-2014" and doc["n"] == 400 and doc["top_share"] == 0.05
    assert isinstance(doc["threshold"], float)
    assert list(doc["groups"]) == ["sex", "nationality"]
    for rows in doc["groups"].values():
        for row in rows:
            assert set(row) >= ROW_KEYS
            assert isinstance(row["group"], str)
            assert isinstance(row["n"], int) or row["suppression"] in ("primary", "secondary")
            if not row["suppressed"]:
                assert len(row["decile_shares"]) == 10
                for key in ROW_KEYS - {"group", "n", "decile_shares", "disparate_impact"}:
                    assert isinstance(row[key], float), key
    assert doc["model_status"] == "illustrative"


def test_small_cells_are_suppressed_and_flagged() -> None:
    # a group of 9 is hidden (primary); alone it would be 40 − 31, so the next smallest
    # group ("mid", 12) is hidden too (secondary); "big" stays shown
    data = pl.DataFrame(
        {"score": np.linspace(0, 1, 52), "g": ["mid"] * 12 + ["big"] * 31 + ["small"] * 9}
    )
    rule = TargetingRule(top_share=0.25)
    audit = audit_population(None, data, group_cols=["g"], score_col="score", targeting=rule)
    small = audit.groups["g"].row("small")
    assert small["suppressed"] is True and small["suppression"] == "primary"
    mid = audit.groups["g"].row("mid")
    assert mid["suppressed"] is True and mid["suppression"] == "secondary"
    for key in (
        "n",
        "n_selected",
        "selection_rate",
        "mean_score",
        "median_score",
        "decile_shares",
        "share_selected",
        "disparate_impact",
        "representation_ratio",
    ):
        assert small[key] is None and mid[key] is None
    big = audit.groups["g"].row("big")
    assert big["suppressed"] is False and big["suppression"] is None and big["n"] == 31
    shown = audit_population(
        None, data, group_cols=["g"], score_col="score", targeting=rule, min_cell=0
    )
    assert shown.groups["g"].row("small")["selection_rate"] == 1.0


def test_disparate_impact_reference_skips_suppressed_and_zero_groups() -> None:
    # "tiny" (100 % selected) is hidden, "d" (12, none selected) with it: neither is the
    # reference
    scores = [0.9] * 10 + [0.1] * 10 + [0.95] * 5 + [0.2] * 15 + [0.99] * 3 + [0.1] * 12
    groups = ["a"] * 20 + ["b"] * 20 + ["tiny"] * 3 + ["d"] * 12
    data = pl.DataFrame({"score": scores, "g": groups, "z": ["all"] * 55})
    audit = audit_population(
        None, data, group_cols=["g"], score_col="score", targeting=TargetingRule(threshold=0.5)
    )
    a, b = audit.groups["g"].row("a"), audit.groups["g"].row("b")
    assert a["selection_rate"] == 0.5 and b["selection_rate"] == 0.25
    assert b["disparate_impact"] == 1.0 and a["disparate_impact"] == 2.0  # tiny (100 %) ignored
    assert audit.groups["g"].row("d")["suppression"] == "secondary"
    zero = audit_population(
        None,
        data.with_columns(pl.lit(0.1).alias("score")),
        group_cols=["g"],
        score_col="score",
        targeting=TargetingRule(threshold=0.5),
    )
    assert all(r["disparate_impact"] is None for r in zero.groups["g"])
    assert all(r["share_selected"] is None for r in zero.groups["g"])


def test_intersection_and_conditional_tables() -> None:
    data = synthetic(n=4000, seed=2)
    audit = audit_population(
        None,
        data,
        group_cols=["sex", "family_type"],
        intersect=True,
        condition_col="qpv",
        score_col="score",
        targeting=TargetingRule(top_share=0.1),
        min_cell=0,
    )
    cross = audit.groups["sex × family_type"]
    pairs = data.group_by("sex", "family_type").len()
    assert len(cross) == pairs.height
    row = cross.row("female × single_parent")
    assert row["values"] == {"sex": "female", "family_type": "single_parent"}
    subset = data.filter((pl.col("sex") == "female") & (pl.col("family_type") == "single_parent"))
    assert row["n"] == subset.height
    assert row["median_score"] == np.median(subset["score"].to_numpy())
    # conditional: the same metrics within each stratum, threshold still national
    assert [s["stratum"] for s in audit.strata] == ["false", "true"]
    for stratum in audit.strata:
        inside = data.filter(pl.col("qpv") == (stratum["stratum"] == "true"))
        ref = reference(inside.select("score", "sex"), "sex", audit.threshold)
        # shares are within the stratum; selection uses the national threshold
        check_against_reference_within(stratum["groups"]["sex"].rows, ref)
        assert stratum["n"] == inside.height
    doc = json.loads(audit.to_json())
    assert doc["condition_col"] == "qpv"
    assert doc["strata"][0]["groups"]["sex"][0]["group"] == "female"


def check_against_reference_within(rows: list[dict], ref: pd.DataFrame) -> None:
    for row in rows:
        exp = ref.loc[row["group"]]
        assert row["n"] == exp["n"]
        assert row["selection_rate"] == pytest.approx(exp["selection_rate"])
        assert row["share_population"] == pytest.approx(exp["share_population"])
        assert row["median_score"] == exp["median_score"]


def test_missing_group_values_form_their_own_group() -> None:
    data = synthetic(n=3000, seed=9)
    audit = audit_population(
        None,
        data,
        group_cols=["department"],
        score_col="score",
        targeting=TargetingRule(top_share=0.05),
        min_cell=0,
    )
    labels = [r["group"] for r in audit.groups["department"]]
    assert labels[-1] == MISSING
    assert labels[:3] == ["01", "02", "03"]  # numeric order, then text ("2A") after numbers
    missing = audit.groups["department"].row(MISSING)
    assert missing["n"] == data["department"].null_count()


def test_bad_inputs_are_reported_precisely(tmp_path) -> None:
    data = synthetic(n=100)
    with pytest.raises(DataError) as err:
        audit_population(None, data, group_cols=["nope"], score_col="score")
    assert "nope" in err.value.render("en") and "columns present" in err.value.render("en")
    bad = data.with_columns(
        pl.when(pl.int_range(pl.len()) == 4).then(1.5).otherwise(pl.col("score")).alias("score")
    )
    with pytest.raises(DataError) as err:
        audit_population(None, bad, group_cols=["sex"], score_col="score")
    assert "rows 5" in err.value.render("en")
    with pytest.raises(UsageError):
        audit_population(None, data, group_cols=["sex"])
    with pytest.raises(UsageError):
        audit_population(None, data, group_cols=[], score_col="score")
    with pytest.raises(UsageError):
        audit_population(None, data, group_cols=["sex"], condition_col="sex", score_col="score")
    with pytest.raises(DataError):
        audit_population(None, data.head(0), group_cols=["sex"], score_col="score")
