"""A scored population to place one household in: percentile, selection, median household.

Example:
    >>> from lanterne.catalog import sample_path
    >>> from lanterne.model import load_model
    >>> model = load_model("fr-cnaf-2014")
    >>> pop = score_population(model, sample_path())
    >>> pop.n, round(float(pop.threshold(model.targeting)), 4)
    (400, 0.2592)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import polars as pl

from lanterne.io.frames import TableLike, as_polars
from lanterne.io.tables import read_table
from lanterne.model import Model, TargetingRule


@dataclass(frozen=True)
class Population:
    """A population prepared for one model, with every household's score."""

    name: str
    frame: pl.DataFrame  # typed by model.prepare
    scores: np.ndarray

    @property
    def n(self) -> int:
        return int(self.scores.size)

    @cached_property
    def order(self) -> np.ndarray:
        """Rows by increasing score, ties in file order (sorted once, then reused)."""
        return np.argsort(self.scores, kind="stable")

    @cached_property
    def sorted_scores(self) -> np.ndarray:
        return self.scores[self.order]

    def percentile(self, score: float) -> float:
        """Share of the population scoring at or below ``score`` (see ``percentile_rank``)."""
        if not self.n:
            return float("nan")
        return float(np.searchsorted(self.sorted_scores, score, side="right") / self.n)

    def threshold(self, rule: TargetingRule) -> float:
        """The score from which ``rule`` selects households in this population."""
        if rule.threshold is not None or not self.n:
            return rule.threshold_for(self.scores)
        # the m-th highest score, as rule.threshold_for finds it, from the sorted scores
        return float(self.sorted_scores[self.n - rule.wanted(self.n)])

    def median_position(self) -> int:
        """Row of the household at the median score (the lower median when ``n`` is even).

        Households are ordered by score, ties keeping their order in the file, and the one
        at rank ``(n - 1) // 2`` (0-based) is returned: a real household of the population,
        so that its contributions are exact.
        """
        return int(self.order[(self.n - 1) // 2])


def score_population(
    model: Model, source: str | os.PathLike[str] | TableLike, *, name: str | None = None
) -> Population:
    """Read (CSV, Parquet or a folder of Parquet files) and score a population, or score a
    table (Polars, pandas or Arrow)."""
    in_memory = not isinstance(source, str | os.PathLike)
    if isinstance(source, str | os.PathLike):
        frame, label = read_table(source), name or Path(source).name
    else:
        frame, label = as_polars(source), name or "population"
    prepared = model.prepare(frame, file=None if in_memory else str(source))
    scores = model.scores(prepared, prepared=True).to_numpy()
    return Population(label, prepared, scores)
