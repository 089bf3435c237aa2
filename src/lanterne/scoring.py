"""Summaries of a scored table, shared by the CLI, the demo and reports.

Example:
    >>> import polars as pl
    >>> from lanterne.model import TargetingRule
    >>> table = pl.DataFrame({"score": [0.1, 0.5, 0.9], "selected": [False, False, True]})
    >>> score_summary(table, TargetingRule(top_share=0.33)).n_selected
    1
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import ArrayLike

from lanterne.i18n import Msg, Num
from lanterne.model import TargetingRule


@dataclass(frozen=True)
class ScoreSummary:
    n: int
    mean: float
    median: float
    p90: float
    threshold: float
    n_selected: int
    rule: TargetingRule

    def render(self, lang: str | None = None) -> str:
        return Msg(
            "{n} foyers notés — score moyen {mean}, médian {median}, 90e centile "
            "{p90}.\nCiblage : {rule} (seuil {t}) → {k} foyers sélectionnés ({share}).",
            "{n} households scored — mean score {mean}, median {median}, 90th "
            "percentile {p90}.\nTargeting: {rule} (threshold {t}) → {k} households "
            "selected ({share}).",
            n=Num(self.n),
            mean=Num(self.mean, "sig", 4),
            median=Num(self.median, "sig", 4),
            p90=Num(self.p90, "sig", 4),
            rule=self.rule.describe(),
            t=Num(self.threshold, "sig", 4),
            k=Num(self.n_selected),
            share=Num(self.n_selected / self.n if self.n else 0.0, "percent", 2),
        ).render(lang)


def score_summary(scored: pl.DataFrame, rule: TargetingRule) -> ScoreSummary:
    """Mean, median, 90th percentile, threshold and selection count of a scored table."""
    scores = scored["score"]
    stats = scored.select(
        pl.col("score").mean().alias("mean"),
        pl.col("score").median().alias("median"),
        pl.col("score").quantile(0.9, interpolation="linear").alias("p90"),
        pl.col("selected").sum().alias("k"),
    ).row(0, named=True)
    return ScoreSummary(
        n=scored.height,
        mean=float(stats["mean"]),
        median=float(stats["median"]),
        p90=float(stats["p90"]),
        threshold=rule.threshold_for(scores),
        n_selected=int(stats["k"]),
        rule=rule,
    )


def percentile_rank(population_scores: np.ndarray | pl.Series, values: ArrayLike) -> np.ndarray:
    """Share of the population scoring at or below each value, in [0, 1].

    "Your score is higher than or equal to that of 93 % of households" reads
    ``percentile_rank(...) == 0.93``. Exact: the population is sorted once.

    >>> percentile_rank(np.array([0.1, 0.2, 0.3, 0.4]), [0.2, 0.05, 0.4])
    array([0.5, 0. , 1. ])
    """
    population = (
        population_scores.to_numpy()
        if isinstance(population_scores, pl.Series)
        else np.asarray(population_scores)
    )
    ordered = np.sort(population, kind="stable")
    positions = np.searchsorted(ordered, np.asarray(values, dtype=float), side="right")
    return positions / ordered.size if ordered.size else np.full(np.shape(values), np.nan)
