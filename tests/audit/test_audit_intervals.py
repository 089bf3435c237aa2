"""Intervals: Wilson for single rates (checked against SciPy and by hand), bootstrap for lift."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binomtest, norm

from lanterne.audit import audit_selection
from lanterne.audit.bootstrap import bootstrap_ratio
from lanterne.audit.intervals import interval_or_none, wilson, wilson_arrays


def test_zero_out_of_thirty_by_hand() -> None:
    # Wilson, z = 1.959964: centre = (z²/60) / (1 + z²/30), half = z·sqrt(z²/3600) / (1 + z²/30)
    # upper = 2·(z²/60) / (1 + z²/30) = z²/(30 + z²) = 3.8415 / 33.8415 = 0.11351
    low, high = wilson(0, 30)
    assert low == 0.0
    assert high == pytest.approx(0.1135, abs=5e-5)
    assert high == pytest.approx(1.959964**2 / (30 + 1.959964**2), rel=1e-6)


@settings(max_examples=200, deadline=None)
@given(n=st.integers(1, 5_000), data=st.data(), level=st.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_wilson_matches_scipy(n: int, data, level: float) -> None:
    k = data.draw(st.integers(0, n))
    expected = binomtest(k, n).proportion_ci(confidence_level=level, method="wilson")
    low, high = wilson(k, n, level)
    assert low == pytest.approx(expected.low, abs=1e-9)
    assert high == pytest.approx(expected.high, abs=1e-9)
    # and the exact (Clopper-Pearson) interval is never entirely inside a collapsed one
    exact = binomtest(k, n).proportion_ci(confidence_level=level, method="exact")
    assert high > low and exact.high > exact.low


def test_vectorised_and_hidden() -> None:
    low, high = wilson_arrays(np.array([0, 5, 0]), np.array([30, 10, 0]))
    assert [round(float(x), 4) for x in low[:2]] == [0.0, 0.2366]
    assert [round(float(x), 4) for x in high[:2]] == [0.1135, 0.7634]
    assert math.isnan(low[2]) and math.isnan(high[2])
    assert interval_or_none(None, 30) is None and interval_or_none(3, None) is None


def _inspections(rng: np.random.Generator, n: int, alg_rate: float, rand_rate: float):
    how = np.array(["algo"] * n + ["random"] * n)
    found = np.concatenate([rng.random(n) < alg_rate, rng.random(n) < rand_rate])
    return pl.DataFrame({"how": how, "found": np.where(found, "yes", "no"), "g": ["x"] * (2 * n)})


def test_no_hit_out_of_thirty_is_not_zero_zero() -> None:
    """The issue's case: the per-group bootstrap gave [0, 0] for 0 hits out of 30."""
    frame = pl.DataFrame(
        {
            "how": ["algo"] * 30 + ["random"] * 30,
            "found": ["no"] * 30 + ["yes"] * 3 + ["no"] * 27,
            "g": ["x"] * 60,
        }
    )
    audit = audit_selection(
        frame, selection_col="how", random_value="random", outcome_col="found",
        negative_values=["no"], group_cols=["g"], bootstrap=200,
    )  # fmt: skip
    row = audit.groups["g"].row("x")
    assert row["hit_rate_algorithm"] == 0.0
    assert row["hit_rate_algorithm_ci"][0] == 0.0
    assert row["hit_rate_algorithm_ci"][1] == pytest.approx(0.1135, abs=5e-5)
    near_one = binomtest(30, 30).proportion_ci(method="wilson")
    assert wilson(30, 30)[0] == pytest.approx(near_one.low, abs=1e-9)


def test_lift_interval_agrees_with_the_log_method() -> None:
    """Bootstrap lift interval against Katz's log interval for a ratio of two proportions."""
    rng = np.random.default_rng(11)
    n = 3_000
    frame = _inspections(rng, n, 0.30, 0.15)
    audit = audit_selection(
        frame, selection_col="how", random_value="random", outcome_col="found",
        negative_values=["no"], group_cols=["g"], bootstrap=2_000, seed=5, min_cell=0,
    )  # fmt: skip
    o = audit.overall
    a, c = o["hits_algorithm"], o["hits_random"]
    se = math.sqrt(1 / a - 1 / n + 1 / c - 1 / n)
    z = norm.ppf(0.975)
    katz = (o["lift"] * math.exp(-z * se), o["lift"] * math.exp(z * se))
    assert o["lift_ci"][0] == pytest.approx(katz[0], rel=0.03)
    assert o["lift_ci"][1] == pytest.approx(katz[1], rel=0.03)
    row = audit.groups["g"].row("x")
    assert row["lift_ci"][0] < row["lift"] < row["lift_ci"][1]
    assert row["lift_ci"][0] == pytest.approx(katz[0], rel=0.03)


def test_bootstrap_ratio_is_reproducible_and_undefined_without_denominator() -> None:
    codes = np.zeros(50, dtype=np.int64)
    top = (codes, np.arange(50) < 10)
    none = (codes, np.zeros(50, dtype=bool))
    one = bootstrap_ratio(top, top, 1, resamples=100, seed=3)
    two = bootstrap_ratio(top, top, 1, resamples=100, seed=3)
    assert np.array_equal(one[0], two[0]) and np.array_equal(one[1], two[1])
    low, high = bootstrap_ratio(top, none, 1, resamples=100, seed=3)
    assert math.isnan(low[0]) and math.isnan(high[0])
