"""What the one-row plans give back, and the scores of a few margins by the model's own
Polars link.

Example:
    >>> from lanterne.model import load_model
    >>> [round(float(s), 3) for s in scores_of_margins(load_model("fr-cnaf-2014"), [0.0])]
    [0.5]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

if TYPE_CHECKING:  # pragma: no cover
    from lanterne.model.base import Model


@dataclass(frozen=True)
class RowNumbers:
    """What :func:`~lanterne.explain.explanation.explain_household` needs of one row."""

    contributions: tuple[float, ...]  # one per term, in the model's order
    margin: float
    score: float
    values: list[Any]  # each term's feature value
    without: list[float]  # the score without each contribution, then with none (the base)


def scores_of_margins(model: Model, margins: np.ndarray | list[float]) -> np.ndarray:
    """The scores the model gives to these margins (log-odds or points)."""
    frame = pl.DataFrame({"margin": np.asarray(margins, dtype=float)})
    return frame.select(model.score_from_margin(pl.col("margin")).alias("s"))["s"].to_numpy()
