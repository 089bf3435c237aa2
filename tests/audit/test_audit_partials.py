"""Mergeable partial sums: bins, exact sums and medians, compared with plain NumPy."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lanterne.audit.groups import MISSING, GroupEncoder, combine_codes, split_code
from lanterne.audit.partials import (
    GroupPartials,
    MedianValues,
    ScoreBins,
    collect_median_values,
    finish_medians,
    inverted_cdf,
    median_plan,
    score_limbs,
)


def _scores(rng: np.random.Generator, n: int, kind: int) -> np.ndarray:
    if kind == 0:
        return rng.random(n)
    if kind == 1:  # a few tied values, like a model on binary features
        return rng.choice([0.02, 0.05, 0.1, 0.3, 0.31, 0.9], n)
    if kind == 2:
        return np.round(rng.beta(2, 20, n), 3)
    # a huge tie block next to values closer than any lookup bucket
    return np.concatenate([np.full(n // 2, 0.05), 0.05 + rng.random(n - n // 2) * 1e-9])


def _partials_in_chunks(codes, n_groups, fine, scores, bounds, n_bins):
    """Partial sums of each chunk, merged (groups seen so far only, as in real chunks)."""
    hi, lo = score_limbs(scores)
    total = GroupPartials.zeros(0, n_bins)
    for a, b in pairwise(bounds):
        seen = int(codes[a:b].max()) + 1 if b > a else 0
        part = GroupPartials.from_slice(codes[a:b], seen, fine[a:b], hi[a:b], lo[a:b], n_bins)
        total = total.merge(part)
    return total.grown(n_groups)


@pytest.mark.parametrize("kind", [0, 1, 2, 3])
def test_bins_deciles_selection_and_medians_are_exact(kind: int) -> None:
    rng = np.random.default_rng(kind)
    for trial in range(25):
        n = int(rng.integers(1, 2500))
        scores = _scores(rng, n, kind)
        threshold = float(rng.choice(scores)) if trial % 3 else float(rng.random())
        _check_exact(rng, scores, threshold, resolution=int(rng.integers(1, 64)))


@pytest.mark.parametrize("kind", [0, 1, 2, 3])
def test_edges_from_a_sample_still_give_exact_results(kind: int) -> None:
    """With many scores the quantile edges come from a sample (every 39th score here)."""
    rng = np.random.default_rng(10 + kind)
    scores = rng.permutation(_scores(rng, 80_000, kind))
    threshold = float(np.sort(scores)[-4000])
    bins = _check_exact(rng, scores, threshold, resolution=8)
    assert (bins.edges[0], bins.edges[-1]) == (scores.min(), scores.max())
    if kind == 0:  # the sampled edges are not the exact quantiles (so the test can tell)
        grid = np.quantile(scores, np.arange(1, 8) / 8, method="inverted_cdf")
        assert not np.isin(grid, bins.edges).all()


def _check_exact(
    rng: np.random.Generator, scores: np.ndarray, threshold: float, resolution: int
) -> ScoreBins:
    """Bins, deciles, selection, sums and medians against plain NumPy on the same scores."""
    n = scores.size
    bins = ScoreBins.from_scores(scores, threshold, resolution=resolution)
    fine = bins.locate(scores)
    idx = np.searchsorted(bins.edges, scores, side="right") - 1
    assert np.array_equal(fine, 2 * idx + (scores > bins.edges[idx]))
    assert np.array_equal(bins.selected_of_bin[fine], scores >= threshold)
    cuts = np.quantile(scores, np.arange(1, 10) / 10, method="inverted_cdf")
    assert np.array_equal(bins.decile_cuts, cuts)
    assert np.array_equal(bins.decile_of_bin[fine], np.searchsorted(cuts, scores, "left"))

    groups = int(rng.integers(1, 7))
    codes = rng.integers(0, groups, n)
    bounds = [0, *sorted(rng.integers(0, n + 1, 3).tolist()), n]
    merged = _partials_in_chunks(codes, groups, fine, scores, bounds, bins.n_bins)
    at_once = _partials_in_chunks(codes, groups, fine, scores, [0, n], bins.n_bins)
    assert np.array_equal(merged.hist, at_once.hist)
    assert merged.score_sums() == at_once.score_sums()
    plan = median_plan(merged)
    values = MedianValues.empty()
    for a, b in pairwise(bounds):
        values = values.merge(collect_median_values(plan, codes[a:b], fine[a:b], scores[a:b]))
    medians = finish_medians(plan, values, bins)
    means = merged.means()
    for g in range(groups):
        mine = scores[codes == g]
        assert merged.counts[g] == mine.size
        if mine.size == 0:
            assert np.isnan(medians[g]) and np.isnan(means[g])
            continue
        assert medians[g] == np.median(mine)
        assert means[g] == pytest.approx(mine.mean(), rel=1e-13, abs=1e-15)
    return bins


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(0, 1, allow_nan=False), min_size=1, max_size=300),
    st.floats(0, 1),
    st.integers(1, 40),
)
def test_locate_matches_binary_search(values: list[float], threshold: float, res: int) -> None:
    scores = np.array(values)
    bins = ScoreBins.from_scores(scores, threshold, resolution=res)
    idx = np.searchsorted(bins.edges, scores, side="right") - 1
    assert np.array_equal(bins.locate(scores), 2 * idx + (scores > bins.edges[idx]))


def test_score_sums_are_exact_whatever_the_order() -> None:
    rng = np.random.default_rng(3)
    scores = rng.random(100_000)
    codes = np.zeros(scores.size, dtype=np.int64)
    bins = ScoreBins.from_scores(scores, 0.5)
    fine = bins.locate(scores)
    one = GroupPartials.from_slice(codes, 1, fine, *score_limbs(scores), bins.n_bins)
    order = rng.permutation(scores.size)
    two = GroupPartials.from_slice(codes, 1, fine[order], *score_limbs(scores[order]), bins.n_bins)
    assert one.score_sums() == two.score_sums()
    exact = sum(int(v) for v in (scores * 2.0**60).astype(np.uint64))
    assert one.score_sums()[0] == exact


def test_inverted_cdf_matches_numpy() -> None:
    rng = np.random.default_rng(5)
    values = np.sort(rng.choice(np.arange(20) / 20, 1001))
    probs = np.linspace(0, 1, 41)
    assert np.array_equal(
        inverted_cdf(values, probs), np.quantile(values, probs, method="inverted_cdf")
    )


def test_group_encoder_keeps_codes_across_chunks_and_orders_labels() -> None:
    import polars as pl

    enc = GroupEncoder("dept")
    first = enc.encode(pl.Series(["75", "13", None]))
    second = enc.encode(pl.Series(["13", "2A", "75"]))
    assert [enc.labels[c] for c in first] == ["75", "13", MISSING]
    assert [enc.labels[c] for c in second] == ["13", "2A", "75"]
    assert [enc.labels[i] for i in enc.display_order()] == ["13", "2A", "75", MISSING]
    numbers = GroupEncoder("n")
    numbers.encode(pl.Series([10, 9, 100]))
    assert [numbers.labels[i] for i in numbers.display_order()] == ["9", "10", "100"]
    flags = GroupEncoder("b")
    flags.encode(pl.Series([True, False]))
    assert [flags.labels[i] for i in flags.display_order()] == ["false", "true"]
    enum = GroupEncoder("e")
    codes = enum.encode(pl.Series(["b", None], dtype=pl.Enum(["c", "b", "a"])))
    assert codes.tolist() == [1, 3]
    assert [enum.labels[i] for i in enum.display_order()] == ["c", "b", "a", MISSING]


def test_combine_and_split_codes_are_inverse() -> None:
    rng = np.random.default_rng(0)
    sizes = [2, 6, 3, 101]
    codes = [rng.integers(0, s, 50) for s in sizes]
    cells = combine_codes(codes, sizes)
    for i, cell in enumerate(cells.tolist()):
        assert split_code(cell, sizes) == [int(c[i]) for c in codes]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 1, allow_nan=False, allow_subnormal=True), min_size=1, max_size=200))
def test_score_limbs_split_the_integer_number_of_2_to_the_minus_60(values: list[float]) -> None:
    """The floating-point limbs are those of the integer ⌊s × 2⁶⁰⌋, split at bit 30."""
    scores = np.array([*values, 0.0, 1.0, 2.0**-60, 2.0**-31, 1 - 2.0**-53])
    hi, lo = score_limbs(scores)
    for s, h, low in zip(scores.tolist(), hi.tolist(), lo.tolist(), strict=True):
        fixed = int(s * 2.0**60)  # exact: s × 2⁶⁰ is a float holding an integer or less
        assert (int(h), int(low)) == (fixed >> 30, fixed & (2**30 - 1))
        assert h == int(h) and low == int(low)
