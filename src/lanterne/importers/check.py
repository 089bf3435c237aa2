"""Check an import: Lanterne's margins against the original library's, on random inputs.

Example:
    >>> from lanterne.importers.check import ImportCheck
    >>> ImportCheck(rows=10, max_margin_difference=0.0, max_score_difference=0.0).ok
    True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from lanterne.importers.common import ImportedModel, random_inputs
from lanterne.model.base import Model

#: Largest difference accepted between Lanterne's scores and the library's.
TOLERANCE = 1e-6


@dataclass(frozen=True)
class ImportCheck:
    rows: int
    max_margin_difference: float
    max_score_difference: float

    @property
    def ok(self) -> bool:
        return self.max_score_difference <= TOLERANCE


def check_import(
    imported: ImportedModel,
    model: Model,
    columns: dict[str, str] | None = None,
    *,
    rows: int = 2000,
    seed: int = 0,
) -> ImportCheck | None:
    """Score random inputs with both; ``None`` when the original library is not available.

    ``columns`` maps the library's feature names to the spec's column names (renames).
    """
    if imported.reference_margin is None:
        return None
    columns = columns or {}
    types = {}
    for name in imported.feature_names:
        variable = model.spec.variable(columns.get(name, name))
        types[name] = variable.type if variable is not None else "float"
    matrix = random_inputs(imported, rows, seed, types)
    expected = np.asarray(imported.reference_margin(matrix), dtype=np.float64)
    data = pl.DataFrame(
        {columns.get(name, name): matrix[:, j] for j, name in enumerate(imported.feature_names)}
    )
    for var in model.spec.variables:
        if var.name in data.columns and var.type in ("int", "bool"):
            data = data.with_columns(pl.col(var.name).cast(pl.Int64))
    margins = model.margins(data).to_numpy()
    score = model.score_from_margin  # the same link for both
    pair = pl.DataFrame({"a": margins, "b": expected}).select(
        score(pl.col("a")).alias("a"), score(pl.col("b")).alias("b")
    )
    return ImportCheck(
        rows=rows,
        max_margin_difference=float(np.max(np.abs(margins - expected))),
        max_score_difference=float(pair.select((pl.col("a") - pl.col("b")).abs().max()).item()),
    )
