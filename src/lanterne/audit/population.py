"""Population audit: whom does a scoring model target?

:func:`audit_population` scores a population with a model (or reads existing scores),
applies the targeting rule, and reports for every group of every group column: size,
share of the population, mean and median score, share of the group in each national score
decile, selection rate, share of all selected households, representation ratio and
disparate-impact ratio — optionally for the intersection of the columns and within each
stratum of a conditioning column.

How it scales (see ``docs/audit.md``): a first pass reads the data chunk by chunk, scores
each chunk and keeps only each household's score (8 bytes) and group codes (2–4 bytes per
column); the national cut points (threshold, deciles, median bins) are then exact; a
second pass computes :mod:`~lanterne.audit.partials` slice by slice and merges them
exactly, so a folder of Parquet files gives the same numbers, bit for bit, as the same rows
in memory (:mod:`lanterne.audit.passes`; the tables: :mod:`lanterne.audit.population_tables`).

Example:
    >>> from lanterne.catalog import sample_path
    >>> from lanterne.model import TargetingRule
    >>> audit = audit_population("fr-cnaf-2014", sample_path(), group_cols=["sex"],
    ...                          targeting=TargetingRule(top_share=0.05))
    >>> audit.n, audit.n_selected
    (400, 20)
    >>> [row["group"] for row in audit.groups["sex"]]
    ['female', 'male']
    >>> round(sum(r["share_selected"] for r in audit.groups["sex"]), 6)
    1.0
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from lanterne.audit.chunks import ChunkSource, open_source
from lanterne.audit.groups import CROSS
from lanterne.audit.partials import QUANTILE_BINS, ScoreBins
from lanterne.audit.passes import (
    Collected,
    Grouping,
    ProgressCallback,
    collect,
    n_cells,
    reduce_groupings,
)
from lanterne.audit.population_tables import (
    group_table,
    hidden_cells,
    overall_row,
    strata_tables,
)
from lanterne.audit.results import AuditResult, GroupTable, tables_to_json
from lanterne.audit.suppression import check_min_cell
from lanterne.defaults import DEFAULT_BATCH_ROWS, DEFAULT_MIN_CELL
from lanterne.errors import Problem, UsageError
from lanterne.i18n import Msg
from lanterne.io.frames import TableLike
from lanterne.model import TargetingRule

if TYPE_CHECKING:
    from lanterne.model import Model

#: Intersections larger than this many cells are refused (they would be mostly empty).
MAX_CELLS = 1 << 20


@dataclass(frozen=True)
class HouseholdRows:
    """Scores and group codes of every household, kept by ``audit_population(keep_rows=True)``.

    ``codes[col][i]`` indexes ``labels[col]``: the group of household ``i`` in column ``col``.
    """

    scores: np.ndarray
    codes: dict[str, np.ndarray]
    labels: dict[str, list[str]]

    def groups(self, column: str) -> np.ndarray:
        """The group label of every household in ``column`` (an array of strings)."""
        return np.asarray(self.labels[column], dtype=object)[self.codes[column]]


@dataclass
class PopulationAudit(AuditResult):
    """Result of :func:`audit_population`; ``to_json()`` gives the fixed JSON shape.

    ``groups[key]`` is a :class:`GroupTable` per group column (and ``"a × b"`` for the
    intersection); each row holds ``group``, ``n``, ``share_population``, ``mean_score``,
    ``median_score``, ``selection_rate``, ``n_selected``, ``share_selected``,
    ``representation_ratio``, ``disparate_impact``, ``decile_shares`` (10 floats) and
    ``suppressed``. ``overall`` holds the same for the whole population; ``strata`` the
    tables within each value of ``condition_col``; ``decile_cuts`` the 9 national cut points.
    """

    model: str | None
    model_status: str | None
    n: int
    n_selected: int
    top_share: float | None
    threshold: float
    decile_cuts: list[float]
    min_cell: int
    overall: dict[str, Any]
    groups: dict[str, GroupTable]  # per group column, and the intersection if asked
    condition_col: str | None = None
    strata: list[dict[str, Any]] = field(default_factory=list)  # each with its own tables
    #: With ``keep_rows=True``: each household's score and group labels, in data order,
    #: for reports (distributions, percentiles, overlap between models). Not in the JSON.
    rows: HouseholdRows | None = field(default=None, repr=False, compare=False)

    def by_group(self, key: str) -> pl.DataFrame:
        """One row per group of a column (or intersection key) as a DataFrame."""
        return self.groups[key].by_group()

    def difference(self, metric: str = "selection_rate", key: str | None = None) -> float | None:
        """Largest minus smallest ``metric`` across the groups of ``key`` (default: first)."""
        return self.groups[key or next(iter(self.groups))].difference(metric)

    def ratio(self, metric: str = "selection_rate", key: str | None = None) -> float | None:
        """Smallest over largest ``metric`` across the groups of ``key`` (default: first)."""
        return self.groups[key or next(iter(self.groups))].ratio(metric)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "model": self.model,
            "n": self.n,
            "top_share": self.top_share,
            "threshold": self.threshold,
            "groups": tables_to_json(self.groups),
            "n_selected": self.n_selected,
            "selection_rate": self.n_selected / self.n if self.n else None,
            "model_status": self.model_status,
            "min_cell": self.min_cell,
            "decile_cuts": self.decile_cuts,
            "overall": self.overall,
        }
        if self.condition_col is not None:
            out["condition_col"] = self.condition_col
            out["strata"] = [
                {
                    **{k: v for k, v in s.items() if k != "groups"},
                    "groups": tables_to_json(s["groups"]),
                }
                for s in self.strata
            ]
        out.update(self.extras)
        return out


# ---------------------------------------------------------------------- entry point


def _check_columns(
    group_cols: Sequence[str], condition_col: str | None, score_col: str | None
) -> list[str]:
    if isinstance(group_cols, str):
        group_cols = [group_cols]
    cols = list(dict.fromkeys(group_cols))
    if not cols:
        raise UsageError(
            Problem(
                Msg(
                    "indiquez au moins une colonne de groupe",
                    "give at least one group column",
                ),
                params=("group_cols",),
            )
        )
    if condition_col is not None and condition_col in cols:
        raise UsageError(
            Msg(
                "la colonne de conditionnement « {c} » est aussi une colonne de groupe",
                "the conditioning column '{c}' is also a group column",
                c=condition_col,
            )
        )
    if score_col is not None and score_col in cols:
        raise UsageError(
            Msg(
                "la colonne de score « {c} » ne peut pas servir de groupe",
                "the score column '{c}' cannot be a group column",
                c=score_col,
            )
        )
    return cols


def _check_model(
    model: Model | str | os.PathLike[str] | None, score_col: str | None, batch_rows: int
) -> Model | None:
    """The model, loaded from a catalog id or a file; refuses no model and no scores."""
    if model is not None:  # the spec machinery is loaded only when a model is given
        from lanterne.model import Model, load_model

        if not isinstance(model, Model):
            model = load_model(model)
    if model is None and score_col is None:
        raise UsageError(
            Problem(
                Msg(
                    "sans modèle, indiquez la colonne des scores",
                    "without a model, name the column holding the scores",
                ),
                params=("score_col",),
            )
        )
    if batch_rows < 1:
        raise UsageError(Msg("taille de lot invalide", "invalid batch size"))
    return model


@dataclass(frozen=True)
class _Plan:
    """The groupings an audit computes: each column, the intersection, and with a
    conditioning column its values (strata) and each of the others within them."""

    per_col: dict[str, Grouping]
    cross: Grouping | None
    condition: Grouping | None
    within: dict[str, Grouping]

    @classmethod
    def of(cls, cols: list[str], intersect: bool, condition_col: str | None) -> _Plan:
        cross = Grouping(tuple(cols)) if intersect and len(cols) > 1 else None
        within: dict[str, Grouping] = {}
        if condition_col is not None:
            for c in cols:
                within[c] = Grouping((condition_col, c), condition=condition_col)
            if cross is not None:
                within[cross.key] = Grouping((condition_col, *cols), condition=condition_col)
        condition = Grouping((condition_col,)) if condition_col is not None else None
        return cls({c: Grouping((c,)) for c in cols}, cross, condition, within)

    def groupings(self) -> list[Grouping]:
        """Every grouping, the whole population first (the order suppression reads them in)."""
        extra = [g for g in (self.cross, self.condition) if g is not None]
        return [Grouping(()), *self.per_col.values(), *extra, *self.within.values()]

    def check_size(self, sizes: dict[str, int]) -> None:
        """Refuse an intersection of more than :data:`MAX_CELLS` possible cells."""
        for g in self.groupings():
            if n_cells(g, sizes) > MAX_CELLS:
                raise UsageError(
                    Msg(
                        "le croisement {k} compte {n} cases possibles (maximum {m}) : "
                        "choisissez moins de colonnes ou des colonnes moins détaillées",
                        "the intersection {k} has {n} possible cells (maximum {m}): "
                        "choose fewer or coarser columns",
                        k=CROSS.join(g.columns),
                        n=n_cells(g, sizes),
                        m=MAX_CELLS,
                    )
                )


def _household_rows(collected: Collected) -> HouseholdRows:
    return HouseholdRows(
        collected.scores,
        dict(collected.codes),  # fetched now from a cluster's workers
        {c: list(e.labels) for c, e in collected.encoders.items()},
    )


def audit_population(
    model: Model | str | os.PathLike[str] | None,
    data: ChunkSource | TableLike | str | os.PathLike[str],
    *,
    group_cols: Sequence[str],
    intersect: bool = False,
    condition_col: str | None = None,
    targeting: TargetingRule | None = None,
    score_col: str | None = None,
    min_cell: int = DEFAULT_MIN_CELL,
    batch_rows: int = DEFAULT_BATCH_ROWS,
    resolution: int = QUANTILE_BINS,
    progress: ProgressCallback | None = None,
    keep_rows: bool = False,
    client: Any = None,
) -> PopulationAudit:
    """Audit whom a model targets, group by group.

    Args:
        model: a :class:`~lanterne.model.Model`, a catalog id or spec file, or ``None``
            when ``score_col`` holds the scores already (then ``targeting`` defaults to the
            top 5 %).
        data: a table (Polars DataFrame or LazyFrame, pandas DataFrame, Arrow Table), a CSV
            or Parquet file, a folder of Parquet files (read in chunks of ``batch_rows``
            rows) or a database table (``postgresql://…?table=…``).
        group_cols: columns to compare groups on; missing values form the group
            ``"(missing)"``.
        intersect: also report every combination of the group columns' values
            (key ``"sex × family_type"``, groups ``"female × single_parent"``).
        condition_col: repeat the tables within each value (stratum) of this column
            (:attr:`PopulationAudit.strata`).
        targeting: the rule deciding who is selected (default: the model's own).
        score_col: read scores from this column instead of scoring.
        min_cell: groups smaller than this are hidden, with the complementary groups that
            would give them away (0: never; see :mod:`~lanterne.audit.suppression`).
        progress: called with the number of rows done, for progress bars (two passes:
            the data's rows are reported twice).
        keep_rows: keep every household's score and group codes on the result
            (:class:`HouseholdRows`, about 10 bytes per household and column) for reports.
        client: a :class:`distributed.Client`: score and reduce the partitions on its
            workers (:mod:`lanterne.scale.audit`); the numbers are the same.

    Returns a :class:`PopulationAudit`, whatever the kind of ``data``.

    >>> import polars as pl
    >>> data = pl.DataFrame({"score": [0.9, 0.8, 0.2, 0.1], "sex": ["f", "m", "f", "m"]})
    >>> audit = audit_population(None, data, group_cols=["sex"], score_col="score",
    ...                          targeting=TargetingRule(top_share=0.5), min_cell=0)
    >>> [(r["group"], r["selection_rate"], r["median_score"]) for r in audit.groups["sex"]]
    [('f', 0.5, 0.55), ('m', 0.5, 0.45)]
    """
    min_cell = check_min_cell(min_cell)
    cols = _check_columns(group_cols, condition_col, score_col)
    model = _check_model(model, score_col, batch_rows)
    rule = targeting or (model.targeting if model is not None else TargetingRule(top_share=0.05))
    source = open_source(data)
    every = [*cols, *([condition_col] if condition_col else [])]
    source.require([*every, *([score_col] if score_col else [])])
    if score_col is None:
        assert model is not None
        source.require(model.used_variables)
    if client is not None:  # the same passes, partition by partition on a Dask cluster
        from lanterne.scale.audit import DaskPasses

        passes: Any = DaskPasses(client)
        collected = passes.collect(model, source, every, score_col, batch_rows, progress)
    else:
        collected = collect(model, source, every, score_col, batch_rows, progress)
    scores = collected.scores
    n = scores.size
    if rule.threshold is not None:
        bins = ScoreBins.from_scores(scores, float(rule.threshold), resolution)
    else:
        bins = ScoreBins.from_scores(scores, None, resolution, top=rule.wanted(n))
    threshold = bins.threshold

    plan = _Plan.of(cols, intersect, condition_col)
    groupings = plan.groupings()
    plan.check_size({c: e.size for c, e in collected.encoders.items()})
    if client is not None:
        reduced = passes.reduce(collected, groupings, bins, progress)
    else:
        reduced = reduce_groupings(collected, groupings, bins, progress)
    encoders = collected.encoders
    overall = overall_row(reduced[groupings[0]], bins, n)
    hidden = hidden_cells(reduced, bins, encoders, min_cell)
    tables = {
        c: group_table(g, c, reduced[g], bins, encoders, hidden) for c, g in plan.per_col.items()
    }
    if plan.cross is not None:
        key = plan.cross.key
        tables[key] = group_table(plan.cross, key, reduced[plan.cross], bins, encoders, hidden)
    strata = (
        strata_tables(condition_col, plan.within, reduced, bins, encoders, hidden)
        if condition_col is not None
        else []
    )
    return PopulationAudit(
        model=model.id if model is not None else None,
        model_status=model.spec.overall_status() if model is not None else None,
        n=n,
        n_selected=overall["n_selected"],
        top_share=rule.top_share,
        threshold=threshold,
        decile_cuts=bins.decile_cuts.tolist(),
        min_cell=min_cell,
        overall=overall,
        groups=tables,
        condition_col=condition_col,
        strata=strata,
        rows=_household_rows(collected) if keep_rows else None,
    )
