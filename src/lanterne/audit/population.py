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
in memory.

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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from lanterne.audit.chunks import ChunkSource, open_source
from lanterne.audit.groups import CROSS, GroupEncoder, combine_codes, split_code
from lanterne.audit.partials import (
    QUANTILE_BINS,
    SLICE_ROWS,
    GroupPartials,
    MedianValues,
    ScoreBins,
    collect_median_values,
    finish_medians,
    median_plan,
    score_limbs,
)
from lanterne.audit.results import AuditResult, GroupTable, ratio_or_none, tables_to_json
from lanterne.audit.suppression import (
    check_min_cell,
    hide_row,
    margin_relations,
    suppress,
)
from lanterne.defaults import DEFAULT_BATCH_ROWS, DEFAULT_MIN_CELL
from lanterne.errors import DataError, Problem, UsageError, short_name
from lanterne.i18n import Msg
from lanterne.model import Model, TargetingRule, load_model
from lanterne.model.base import check_scores
from lanterne.model.data import prepare_table

#: Intersections larger than this many cells are refused (they would be mostly empty).
MAX_CELLS = 1 << 20
#: Rows located at once (small enough to stay in the processor's cache).
_LOCATE_ROWS = 1 << 18
#: Metrics hidden for a suppressed group.
RATE_FIELDS = (
    "n",
    "share_population",
    "mean_score",
    "median_score",
    "selection_rate",
    "n_selected",
    "share_selected",
    "representation_ratio",
    "disparate_impact",
    "decile_shares",
)

ProgressCallback = Callable[[int], None]


@dataclass(frozen=True)
class Grouping:
    """A way to split households: one column, an intersection, or by stratum then column."""

    columns: tuple[str, ...]
    condition: str | None = None  # when set, ``columns[0]`` is the conditioning column

    @property
    def key(self) -> str:
        cols = self.columns[1:] if self.condition else self.columns
        return CROSS.join(cols) if cols else "all"


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
            out["conditional"] = [
                {
                    **{k: v for k, v in s.items() if k != "groups"},
                    "groups": tables_to_json(s["groups"]),
                }
                for s in self.strata
            ]
        out.update(self.extras)
        return out


# ---------------------------------------------------------------------- pass 1


@dataclass
class _Collected:
    scores: np.ndarray
    codes: dict[str, np.ndarray]
    encoders: dict[str, GroupEncoder]


def _chunk_problem(err: DataError, start: int, rows: int, label: str | None) -> DataError:
    """Say which rows of the file a chunk's row numbers refer to."""
    note = Problem(
        Msg(
            "les numéros de ligne ci-dessus comptent à partir de la ligne {a} du fichier "
            "(morceau de {n} lignes)",
            "row numbers above count from row {a} of the file (a chunk of {n} rows)",
            a=start + 1,
            n=rows,
        ),
        file=label,
    )
    return DataError([*err.problems, note])


def _score_column(column: pl.Series, start: int, label: str | None) -> np.ndarray:
    """Existing scores as float64, checked: numbers in [0, 1], none missing."""
    name = column.name
    values = column
    if column.dtype == pl.String:
        cleaned = column.str.strip_chars().str.replace(r"^(-?\d*),(\d+)$", "${1}.${2}")
        values = cleaned.replace("", None).cast(pl.Float64, strict=False)
    elif column.dtype.is_numeric():
        values = column.cast(pl.Float64)
    else:
        values = pl.Series(name, [None] * column.len(), dtype=pl.Float64)
    array = values.to_numpy()
    bad = np.isnan(array) | (array < 0) | (array > 1)
    if bad.any():
        rows = np.flatnonzero(bad)
        examples = ", ".join(str(start + r + 1) for r in rows[:5])
        shown = ", ".join(short_name(repr(v)) for v in column.gather(rows[:3]).to_list())
        raise DataError(
            Problem(
                Msg(
                    "colonne de score « {c} » : {k} valeur(s) manquante(s) ou hors de [0, 1] "
                    "(lignes {rows} ; valeurs : {vals})",
                    "score column '{c}': {k} value(s) missing or outside [0, 1] "
                    "(rows {rows}; values: {vals})",
                    c=name,
                    k=int(bad.sum()),
                    rows=examples,
                    vals=shown,
                ),
                file=label,
            )
        )
    return array.astype(np.float64, copy=False)


def _compact(codes: np.ndarray, size: int) -> np.ndarray:
    return codes.astype(np.uint16 if size < 2**16 else np.uint32, copy=False)


def score_chunk(
    model: Model | None,
    chunk: pl.DataFrame,
    columns: list[str],
    score_col: str | None,
    start: int,
    n_rows: int,
    label: str | None,
) -> tuple[np.ndarray, pl.DataFrame]:
    """Scores (float64) and group columns of one chunk starting at row ``start``."""
    try:
        if score_col is None:
            assert model is not None
            prepared = model.prepare(chunk, file=label)
            scores = model.scores(prepared, prepared=True).to_numpy()
            check_scores(scores, label, start)
            groups = prepared
        else:
            scores = _score_column(chunk[score_col], start, label)
            groups = chunk.select(columns)
            if model is not None:  # type declared sensitive columns (category order)
                groups = prepare_table(model.spec, groups, file=label, required=())
    except DataError as err:
        if chunk.height < n_rows:
            raise _chunk_problem(err, start, chunk.height, label) from None
        raise
    return np.asarray(scores, dtype=np.float64), groups


def needed_columns(model: Model | None, columns: list[str], score_col: str | None) -> list[str]:
    """The columns pass 1 reads: the model's variables (or the scores) and the groups."""
    if score_col is None:
        assert model is not None
        return [*model.used_variables, *columns]
    return [score_col, *columns]


def _collect(
    model: Model | None,
    source: ChunkSource,
    columns: list[str],
    score_col: str | None,
    batch_rows: int,
    progress: ProgressCallback | None,
) -> _Collected:
    """Pass 1: score every chunk; keep scores and group codes only."""
    encoders = {c: GroupEncoder(c) for c in columns}
    score_parts: list[np.ndarray] = []
    code_parts: dict[str, list[np.ndarray]] = {c: [] for c in columns}
    needed = needed_columns(model, columns, score_col)
    for start, chunk in source.chunks(needed, batch_rows):
        scores, groups = score_chunk(
            model, chunk, columns, score_col, start, source.n_rows, source.label
        )
        score_parts.append(scores)
        for c in columns:
            enc = encoders[c]
            code_parts[c].append(_compact(enc.encode(groups[c]), enc.size))
        if progress is not None:
            progress(chunk.height)
    if not score_parts or sum(p.size for p in score_parts) == 0:
        raise DataError(
            Problem(Msg("le tableau est vide", "the table is empty"), file=source.label)
        )
    scores = score_parts[0] if len(score_parts) == 1 else np.concatenate(score_parts)
    codes = {}
    for c in columns:
        parts = code_parts[c]
        codes[c] = parts[0] if len(parts) == 1 else np.concatenate(parts)
    return _Collected(scores, codes, encoders)


# ---------------------------------------------------------------------- pass 2


def _locate_all(bins: ScoreBins, scores: np.ndarray) -> np.ndarray:
    dtype = np.int16 if bins.n_bins < 2**15 else np.int32
    fine = np.empty(scores.size, dtype=dtype)
    for start in range(0, scores.size, _LOCATE_ROWS):
        stop = start + _LOCATE_ROWS
        fine[start:stop] = bins.locate(scores[start:stop])
    return fine


def _grouping_codes(
    grouping: Grouping, codes: dict[str, np.ndarray], sizes: dict[str, int], sl: slice
) -> np.ndarray:
    if not grouping.columns:
        return np.zeros(sl.stop - sl.start, np.uint8)
    if len(grouping.columns) == 1:
        return codes[grouping.columns[0]][sl]
    return combine_codes(
        [codes[c][sl] for c in grouping.columns], [sizes[c] for c in grouping.columns]
    )


def _n_cells(grouping: Grouping, sizes: dict[str, int]) -> int:
    return int(np.prod([sizes[c] for c in grouping.columns], dtype=np.float64)) or 1


def _reduce(
    collected: _Collected,
    groupings: list[Grouping],
    bins: ScoreBins,
    progress: ProgressCallback | None,
) -> dict[Grouping, tuple[GroupPartials, np.ndarray]]:
    """Pass 2 (partials) and the median pass, slice by slice; returns partials and medians."""
    scores, codes = collected.scores, collected.codes
    sizes = {c: e.size for c, e in collected.encoders.items()}
    n = scores.size
    fine = _locate_all(bins, scores)
    partials = {g: GroupPartials.zeros(_n_cells(g, sizes), bins.n_bins) for g in groupings}
    slices = [slice(a, min(a + SLICE_ROWS, n)) for a in range(0, n, SLICE_ROWS)]
    for sl in slices:
        hi, lo = score_limbs(scores[sl])
        part_fine = fine[sl]
        for g in groupings:
            code = _grouping_codes(g, codes, sizes, sl)
            partials[g] = partials[g].merge(
                GroupPartials.from_slice(code, _n_cells(g, sizes), part_fine, hi, lo, bins.n_bins)
            )
        if progress is not None:
            progress(sl.stop - sl.start)
    result = {}
    for g in groupings:
        plan = median_plan(partials[g])
        values = MedianValues.empty()
        if plan.needs_values:
            for sl in slices:
                code = _grouping_codes(g, codes, sizes, sl)
                values = values.merge(collect_median_values(plan, code, fine[sl], scores[sl]))
        result[g] = (partials[g], finish_medians(plan, values, bins))
    return result


# ---------------------------------------------------------------------- tables


def _rows(
    partials: GroupPartials,
    medians: np.ndarray,
    bins: ScoreBins,
    cells: np.ndarray,
    labels: list[str],
    status: list[str | None],
    extra: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Metric rows for ``cells`` (codes of one grouping), compared among themselves.

    ``status`` says, cell by cell, whether it is hidden (see :mod:`~lanterne.audit.suppression`).
    """
    counts = partials.counts[cells]
    selected = partials.selected_counts(bins)[cells]
    deciles = partials.decile_counts(bins)[cells]
    means = partials.means()[cells]
    total, total_selected = int(counts.sum()), int(selected.sum())
    small = np.array([st is not None for st in status], dtype=bool)
    rates = np.where(counts > 0, selected / np.maximum(counts, 1), np.nan)
    eligible = rates[(~small) & (rates > 0)]
    reference = float(eligible.min()) if eligible.size else None
    rows = []
    for i, label in enumerate(labels):
        k, s = int(counts[i]), int(selected[i])
        share_pop = k / total if total else None
        share_sel = ratio_or_none(s, total_selected)
        rate = s / k if k else None
        row: dict[str, Any] = {
            "group": label,
            "n": k,
            "share_population": share_pop,
            "mean_score": float(means[i]),
            "median_score": float(medians[cells[i]]),
            "selection_rate": rate,
            "share_selected": share_sel,
            "representation_ratio": (
                share_sel / share_pop if share_sel is not None and share_pop else None
            ),
            "disparate_impact": (rate / reference if reference is not None and rate else None),
            "decile_shares": (deciles[i] / k).tolist() if k else None,
            "n_selected": s,
        }
        if extra is not None:
            row.update(extra[i])
        rows.append(hide_row(row, status[i], RATE_FIELDS))
    return rows


def _ordered_cells(
    grouping: Grouping, partials: GroupPartials, encoders: dict[str, GroupEncoder]
) -> tuple[np.ndarray, list[list[int]]]:
    """Non-empty cells of a grouping in reading order, with their per-column codes."""
    cols = grouping.columns
    sizes = [encoders[c].size for c in cols]
    cells = np.flatnonzero(partials.counts > 0)
    parts = [split_code(int(c), sizes) for c in cells]
    ranks = []
    for j, c in enumerate(cols):
        order = encoders[c].display_order()
        rank = {code: r for r, code in enumerate(order)}
        ranks.append([rank[p[j]] for p in parts])
    order = sorted(range(len(cells)), key=lambda i: tuple(r[i] for r in ranks))
    return cells[order], [parts[i] for i in order]


def _table(
    grouping: Grouping,
    key: str,
    result: tuple[GroupPartials, np.ndarray],
    bins: ScoreBins,
    encoders: dict[str, GroupEncoder],
    hidden: dict[Any, str],
    *,
    within: int | None = None,  # for a conditional grouping: the stratum's code
) -> GroupTable:
    partials, medians = result
    cells, parts = _ordered_cells(grouping, partials, encoders)
    cols = grouping.columns
    status = [hidden.get((cols, tuple(p))) for p in parts]
    if within is not None:
        keep = [i for i, p in enumerate(parts) if p[0] == within]
        cells, parts = cells[keep], [parts[i] for i in keep]
        status = [status[i] for i in keep]
        cols = cols[1:]
        parts = [p[1:] for p in parts]
    labels = [CROSS.join(encoders[c].labels[p[j]] for j, c in enumerate(cols)) for p in parts]
    extra = None
    if len(cols) > 1:
        extra = [
            {"values": {c: encoders[c].labels[p[j]] for j, c in enumerate(cols)}} for p in parts
        ]
    rows = _rows(partials, medians, bins, cells, labels, status, extra)
    return GroupTable(key, tuple(cols), rows)


def _hidden_cells(
    reduced: dict[Grouping, tuple[GroupPartials, np.ndarray]],
    bins: ScoreBins,
    encoders: dict[str, GroupEncoder],
    min_cell: int,
) -> dict[Any, str]:
    """Primary and secondary suppression over every published table at once.

    The tables are margins of one cross-classification (overall, each column, the
    intersection, the strata and each column within them): see
    :func:`~lanterne.audit.suppression.margin_relations`. Selected counts are published
    too (as rates × sizes) and checked alongside.
    """
    tables: dict[tuple[str, ...], dict[tuple[int, ...], int]] = {}
    selected: dict[Any, float] = {}
    for grouping, (partials, _) in reduced.items():
        sizes = [encoders[c].size for c in grouping.columns]
        cells = np.flatnonzero(partials.counts > 0)
        parts = [tuple(split_code(int(c), sizes)) if sizes else () for c in cells]
        tables[grouping.columns] = {
            p: int(partials.counts[c]) for p, c in zip(parts, cells, strict=True)
        }
        chosen = partials.selected_counts(bins)[cells]
        selected.update({(grouping.columns, p): int(k) for p, k in zip(parts, chosen, strict=True)})
    sizes_by_cell, relations = margin_relations(tables)
    return suppress(
        sizes_by_cell, relations, min_cell=min_cell, published={((), ())}, counts=[selected]
    )


# ---------------------------------------------------------------------- entry point


def _check_columns(
    group_cols: Sequence[str], condition_col: str | None, score_col: str | None
) -> list[str]:
    if isinstance(group_cols, str):
        group_cols = [group_cols]
    cols = list(dict.fromkeys(group_cols))
    if not cols:
        raise UsageError(
            Msg(
                "indiquez au moins une colonne de groupe (--group-col)",
                "give at least one group column (--group-col)",
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


def audit_population(
    model: Model | str | os.PathLike[str] | None,
    data: ChunkSource | pl.DataFrame | str | os.PathLike[str],
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
        data: a DataFrame, a CSV or Parquet file, or a folder of Parquet files (read in
            chunks of ``batch_rows`` rows).
        group_cols: columns to compare groups on; missing values form the group
            ``"(missing)"``.
        intersect: also report every combination of the group columns' values
            (key ``"sex × family_type"``, groups ``"female × single_parent"``).
        condition_col: repeat the tables within each value (stratum) of this column.
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

    >>> import polars as pl
    >>> data = pl.DataFrame({"score": [0.9, 0.8, 0.2, 0.1], "sex": ["f", "m", "f", "m"]})
    >>> audit = audit_population(None, data, group_cols=["sex"], score_col="score",
    ...                          targeting=TargetingRule(top_share=0.5), min_cell=0)
    >>> [(r["group"], r["selection_rate"], r["median_score"]) for r in audit.groups["sex"]]
    [('f', 0.5, 0.55), ('m', 0.5, 0.45)]
    """
    min_cell = check_min_cell(min_cell)
    cols = _check_columns(group_cols, condition_col, score_col)
    if model is not None and not isinstance(model, Model):
        model = load_model(model)
    if model is None and score_col is None:
        raise UsageError(
            Msg(
                "sans modèle, indiquez la colonne des scores (--score-col)",
                "without a model, name the column holding the scores (--score-col)",
            )
        )
    rule = targeting or (model.targeting if model is not None else TargetingRule(top_share=0.05))
    if batch_rows < 1:
        raise UsageError(Msg("taille de lot invalide", "invalid batch size"))
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
        collected = _collect(model, source, every, score_col, batch_rows, progress)
    scores = collected.scores
    n = scores.size
    ordered = np.sort(scores)
    threshold = (
        float(ordered[n - rule.wanted(n)]) if rule.top_share is not None else float(rule.threshold)
    )
    bins = ScoreBins.from_scores(scores, threshold, resolution, sorted_scores=ordered)
    del ordered

    overall_g = Grouping(())
    per_col = {c: Grouping((c,)) for c in cols}
    groupings: list[Grouping] = [overall_g, *per_col.values()]
    cross = Grouping(tuple(cols)) if intersect and len(cols) > 1 else None
    if cross is not None:
        groupings.append(cross)
    cond_groupings: dict[str, Grouping] = {}
    if condition_col is not None:
        groupings.append(Grouping((condition_col,)))
        for c in cols:
            cond_groupings[c] = Grouping((condition_col, c), condition=condition_col)
        if cross is not None:
            cond_groupings[cross.key] = Grouping((condition_col, *cols), condition=condition_col)
        groupings.extend(cond_groupings.values())
    sizes = {c: e.size for c, e in collected.encoders.items()}
    for g in groupings:
        if _n_cells(g, sizes) > MAX_CELLS:
            raise UsageError(
                Msg(
                    "le croisement {k} compte {n} cases possibles (maximum {m}) : "
                    "choisissez moins de colonnes ou des colonnes moins détaillées",
                    "the intersection {k} has {n} possible cells (maximum {m}): "
                    "choose fewer or coarser columns",
                    k=CROSS.join(g.columns),
                    n=_n_cells(g, sizes),
                    m=MAX_CELLS,
                )
            )
    if client is not None:
        reduced = passes.reduce(collected, groupings, bins, progress)
    else:
        reduced = _reduce(collected, groupings, bins, progress)
    encoders = collected.encoders

    overall_part, overall_median = reduced[overall_g]
    total_selected = int(overall_part.selected_counts(bins)[0])
    overall = {
        "n": n,
        "n_selected": total_selected,
        "selection_rate": total_selected / n,
        "mean_score": float(overall_part.means()[0]),
        "median_score": float(overall_median[0]),
        "decile_shares": (overall_part.decile_counts(bins)[0] / n).tolist(),
    }
    hidden = _hidden_cells(reduced, bins, encoders, min_cell)
    tables = {c: _table(g, c, reduced[g], bins, encoders, hidden) for c, g in per_col.items()}
    if cross is not None:
        tables[cross.key] = _table(cross, cross.key, reduced[cross], bins, encoders, hidden)
    strata: list[dict[str, Any]] = []
    if condition_col is not None:
        stratum_table = _table(
            Grouping((condition_col,)),
            condition_col,
            reduced[Grouping((condition_col,))],
            bins,
            encoders,
            hidden,
        )
        enc = encoders[condition_col]
        for row in stratum_table.rows:
            code = enc.labels.index(row["group"])
            strata.append(
                {
                    "stratum": row["group"],
                    "n": row["n"],
                    "n_selected": row["n_selected"],
                    "selection_rate": row["selection_rate"],
                    "suppressed": row["suppressed"],
                    "suppression": row["suppression"],
                    "groups": {
                        key: _table(g, key, reduced[g], bins, encoders, hidden, within=code)
                        for key, g in cond_groupings.items()
                    },
                }
            )
    return PopulationAudit(
        model=model.id if model is not None else None,
        model_status=model.spec.overall_status() if model is not None else None,
        n=n,
        n_selected=total_selected,
        top_share=rule.top_share,
        threshold=threshold,
        decile_cuts=bins.decile_cuts.tolist(),
        min_cell=min_cell,
        overall=overall,
        groups=tables,
        condition_col=condition_col,
        strata=strata,
        rows=HouseholdRows(
            scores,
            dict(collected.codes),  # fetched now from a cluster's workers
            {c: list(e.labels) for c, e in encoders.items()},
        )
        if keep_rows
        else None,
    )
