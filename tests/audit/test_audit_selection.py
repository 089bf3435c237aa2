"""Random-baseline audit: metrics against pandas, bootstrap against a plain loop."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import polars as pl
import pytest
from fairlearn.metrics import MetricFrame, selection_rate

from lanterne.audit import audit_selection
from lanterne.audit.bootstrap import bootstrap_rates
from lanterne.errors import DataError, UsageError

GROUP_KEYS = {
    "group",
    "n_random",
    "n_algorithm",
    "share_random",
    "share_algorithm",
    "hit_rate_random",
    "hit_rate_algorithm",
    "share_of_random_hits",
    "share_of_algorithm_hits",
    "hit_rate_algorithm_ci",
}


def inspections(n: int = 6000, seed: int = 0) -> pl.DataFrame:
    """A random sample (1 in 4) and the algorithm's picks, with outcomes by group."""
    rng = np.random.default_rng(seed)
    how = rng.choice(["random", "datamining"], n, p=[0.25, 0.75])
    family = rng.choice(["single", "couple", "single_parent"], n, p=[0.5, 0.35, 0.15])
    base = {"single": 0.2, "couple": 0.15, "single_parent": 0.3}
    p = np.array([base[f] for f in family]) + np.where(how == "datamining", 0.2, 0.0)
    outcome = np.where(rng.random(n) < p, rng.choice(["overpaid", "underpaid"], n), "none")
    outcome = np.where((outcome == "none") & (rng.random(n) < 0.1), "no_change", outcome)
    return pl.DataFrame(
        {
            "selection": how,
            "outcome": outcome,
            "family_type": family,
            "sex": rng.choice(["female", "male"], n),
        }
    )


def test_metrics_match_pandas_and_fairlearn() -> None:
    data = inspections()
    audit = audit_selection(
        data,
        selection_col="selection",
        random_value="random",
        outcome_col="outcome",
        negative_values=["none", "no_change"],
        group_cols=["family_type", "sex"],
        bootstrap=200,
    )
    df = data.to_pandas()
    df["hit"] = ~df["outcome"].isin(["none", "no_change"])
    df["random"] = df["selection"] == "random"
    rnd, alg = df[df["random"]], df[~df["random"]]
    assert audit.overall["n_random"] == len(rnd) and audit.overall["n_algorithm"] == len(alg)
    assert audit.overall["hit_rate_random"] == pytest.approx(rnd["hit"].mean())
    assert audit.overall["hit_rate_algorithm"] == pytest.approx(alg["hit"].mean())
    for col in ("family_type", "sex"):
        frame = MetricFrame(
            metrics=selection_rate,
            y_true=alg["hit"],
            y_pred=alg["hit"],
            sensitive_features=alg[col],
        )
        for row in audit.groups[col]:
            g = row["group"]
            r, a = rnd[rnd[col] == g], alg[alg[col] == g]
            assert row["n_random"] == len(r) and row["n_algorithm"] == len(a)
            assert row["share_random"] == pytest.approx(len(r) / len(rnd))
            assert row["share_algorithm"] == pytest.approx(len(a) / len(alg))
            assert row["hit_rate_random"] == pytest.approx(r["hit"].mean())
            assert row["hit_rate_algorithm"] == pytest.approx(a["hit"].mean())
            assert row["hit_rate_algorithm"] == pytest.approx(frame.by_group[g])
            assert row["share_of_random_hits"] == pytest.approx(r["hit"].sum() / rnd["hit"].sum())
            assert row["share_of_algorithm_hits"] == pytest.approx(
                a["hit"].sum() / alg["hit"].sum()
            )
            low, high = row["hit_rate_algorithm_ci"]
            assert low < row["hit_rate_algorithm"] < high
            assert row["lift"] == pytest.approx(a["hit"].mean() / r["hit"].mean())


def test_bootstrap_equals_a_plain_loop_over_the_same_draws() -> None:
    rng = np.random.default_rng(1)
    n, groups, resamples, seed = 600, 3, 300, 7
    codes = rng.integers(0, groups, n)
    hits = rng.random(n) < 0.3
    low, high = bootstrap_rates(codes, hits, groups, resamples=resamples, seed=seed)
    draws = np.random.default_rng(seed).integers(0, n, size=(resamples, n))
    rates = []
    for picks in draws:
        frame = pd.DataFrame({"g": codes[picks], "hit": hits[picks]})
        rates.append(frame.groupby("g")["hit"].mean().reindex(range(groups)))
    table = pd.DataFrame(rates)
    for g in range(groups):
        assert low[g] == pytest.approx(np.quantile(table[g].dropna(), 0.025), abs=1e-15)
        assert high[g] == pytest.approx(np.quantile(table[g].dropna(), 0.975), abs=1e-15)


def test_bootstrap_is_reproducible_and_plausible() -> None:
    codes = np.zeros(2000, dtype=np.int64)
    hits = np.arange(2000) % 5 == 0  # 20 %
    one = bootstrap_rates(codes, hits, 1, resamples=1000, seed=3)
    two = bootstrap_rates(codes, hits, 1, resamples=1000, seed=3)
    assert np.array_equal(one[0], two[0]) and np.array_equal(one[1], two[1])
    half_width = 1.96 * np.sqrt(0.2 * 0.8 / 2000)  # normal approximation
    assert one[0][0] == pytest.approx(0.2 - half_width, abs=0.004)
    assert one[1][0] == pytest.approx(0.2 + half_width, abs=0.004)
    other = bootstrap_rates(codes, hits, 1, resamples=1000, seed=4)
    assert not np.array_equal(one[0], other[0])


def test_json_shape_suppression_and_absent_groups() -> None:
    data = inspections(n=800, seed=3).with_columns(
        pl.when(pl.int_range(pl.len()) < 5)
        .then(pl.lit("rare"))
        .otherwise(pl.col("sex"))
        .alias("sex")
    )
    audit = audit_selection(
        data,
        selection_col="selection",
        random_value="random",
        outcome_col="outcome",
        negative_values=["none", "no_change"],
        group_cols=["sex"],
        bootstrap=100,
        seed=1,
    )
    doc = json.loads(audit.to_json())
    assert set(doc["overall"]) >= {
        "n_random",
        "n_algorithm",
        "hit_rate_random",
        "hit_rate_algorithm",
    }
    for row in doc["groups"]["sex"]:
        assert set(row) >= GROUP_KEYS
    rare = audit.groups["sex"].row("rare")
    assert rare["suppressed"] is True and rare["suppression"] == "primary"
    assert rare["hit_rate_random"] is None and rare["hit_rate_algorithm"] is None
    assert rare["hit_rate_algorithm_ci"] is None and rare["lift_ci"] is None
    # no count of the rare group is published, and in each sample another group is hidden
    # too (secondary): otherwise the rare group's counts would be the total minus the others
    assert rare["n_random"] is None and rare["n_algorithm"] is None
    others = [r for r in audit.groups["sex"] if r["group"] != "rare"]
    for sample in ("random", "algorithm"):
        second = [r for r in others if r[f"suppression_{sample}"] == "secondary"]
        assert len(second) == 1
        assert second[0][f"n_{sample}"] is None and second[0][f"hits_{sample}"] is None


def test_numeric_and_boolean_columns_match_text_values() -> None:
    data = pl.DataFrame(
        {
            "random": [1, 1, 0, 0, 0, 1],
            "found": [False, True, True, True, False, False],
            "g": ["a", "a", "a", "b", "b", "b"],
        }
    )
    audit = audit_selection(
        data,
        selection_col="random",
        random_value="1",
        outcome_col="found",
        negative_values=["false"],
        group_cols=["g"],
        bootstrap=0,
        min_cell=0,
    )
    assert audit.overall["n_random"] == 3 and audit.overall["hit_rate_algorithm"] == 2 / 3
    a = audit.groups["g"].row("a")
    assert a["hit_rate_algorithm_ci"] is not None  # Wilson: no resampling needed
    assert a["lift_ci"] is None  # no bootstrap asked


def test_bad_values_are_reported_with_what_is_present() -> None:
    data = inspections(n=200)
    with pytest.raises(DataError) as err:
        audit_selection(
            data,
            selection_col="selection",
            random_value="aleatoire",
            outcome_col="outcome",
            negative_values=["nothing"],
            group_cols=["sex"],
        )
    text = err.value.render("en")
    assert "'aleatoire' (random sample) never occurs" in text
    assert "'random'" in text and "'nothing' never occurs" in text
    with pytest.raises(DataError) as err:
        audit_selection(
            data,
            selection_col="selection",
            random_value="random",
            outcome_col="outcome",
            negative_values=["none"],
            group_cols=["region"],
        )
    assert "region" in err.value.render("en")
    with pytest.raises(DataError):
        audit_selection(
            data.filter(pl.col("selection") == "random"),
            selection_col="selection",
            random_value="random",
            outcome_col="outcome",
            negative_values=["none"],
            group_cols=["sex"],
        )
    with pytest.raises(UsageError):
        audit_selection(
            data,
            selection_col="selection",
            random_value="random",
            outcome_col="outcome",
            negative_values=[],
            group_cols=["sex"],
        )
    nulls = data.with_columns(
        pl.when(pl.int_range(pl.len()) == 2)
        .then(None)
        .otherwise(pl.col("outcome"))
        .alias("outcome")
    )
    with pytest.raises(DataError) as err:
        audit_selection(
            nulls,
            selection_col="selection",
            random_value="random",
            outcome_col="outcome",
            negative_values=["none"],
            group_cols=["sex"],
        )
    assert "missing value(s) (rows 3)" in err.value.render("en")
