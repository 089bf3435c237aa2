"""The demo's non-take-up sample: reproducible draws and honest 95 % margins."""

from __future__ import annotations

import math

import numpy as np
import polars as pl

from lanterne.scale.sample import margin, read_sample, sample_rows


def test_margin_matches_the_textbook_formula() -> None:
    # 1.96 × sqrt(0.3 × 0.7 / 10 000 × (1 − 10 000 / 1 000 000)), worked by hand
    assert abs(margin(0.3, 10_000, 1_000_000) - 0.0089369) < 1e-6
    assert margin(0.5, 100, 100) == 0.0  # the whole population: no sampling error


def test_margins_cover_the_true_rate_about_95_percent_of_the_time() -> None:
    population = np.random.default_rng(7).random(50_000) < 0.3
    truth = population.mean()
    covered = 0
    for seed in range(300):
        rows = sample_rows(population.size, 1500, seed)
        p = population[rows].mean()
        covered += abs(p - truth) <= margin(p, rows.size, population.size)
    assert 0.92 <= covered / 300 <= 0.98


def test_samples_are_reproducible_and_without_replacement(tmp_path) -> None:
    rows = sample_rows(1000, 200, seed=3)
    assert np.array_equal(rows, sample_rows(1000, 200, seed=3))
    assert np.unique(rows).size == 200 and rows.min() >= 0 and rows.max() < 1000
    frame = pl.DataFrame({"i": range(1000)})
    frame.write_parquet(tmp_path / "p.parquet", row_group_size=100)
    sample, total = read_sample(tmp_path / "p.parquet", 200, seed=3)
    assert total == 1000 and sample["i"].to_list() == rows.tolist()
    assert math.isclose(len(set(sample["i"])), 200)
