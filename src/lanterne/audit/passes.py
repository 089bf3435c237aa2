"""The two passes of a population audit over the data, chunk by chunk.

Pass 1 (:func:`collect`) reads the data chunk by chunk, scores each chunk (or reads its
scores) and keeps only each household's score (8 bytes) and group codes (2–4 bytes per
column). Once the national cut points are known (:class:`~lanterne.audit.partials.ScoreBins`),
pass 2 (:func:`reduce_groupings`) computes :mod:`~lanterne.audit.partials` slice by slice for every
:class:`Grouping` and merges them exactly, then finds each group's median.
:mod:`lanterne.scale.audit` runs the same steps partition by partition on a cluster.

Example:
    >>> import polars as pl
    >>> from lanterne.audit.chunks import open_source
    >>> source = open_source(pl.DataFrame({"score": [0.9, 0.2, 0.4], "sex": ["f", "m", "f"]}))
    >>> got = collect(None, source, ["sex"], "score", batch_rows=2, progress=None)
    >>> got.scores.tolist(), got.codes["sex"].tolist(), got.encoders["sex"].labels
    ([0.9, 0.2, 0.4], [0, 1, 0], ['f', 'm'])
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from lanterne.audit.chunks import ChunkSource
from lanterne.audit.groups import CROSS, GroupEncoder, combine_codes
from lanterne.audit.partials import (
    SLICE_ROWS,
    GroupPartials,
    MedianValues,
    ScoreBins,
    collect_median_values,
    finish_medians,
    median_plan,
    score_limbs,
)
from lanterne.errors import DataError, Problem, short_name
from lanterne.i18n import Msg

if TYPE_CHECKING:
    from lanterne.model import Model

#: Rows located at once (small enough to stay in the processor's cache).
_LOCATE_ROWS = 1 << 18

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


# ---------------------------------------------------------------------- pass 1


@dataclass
class Collected:
    """What pass 1 keeps: every household's score and group codes, and the encoders."""

    scores: np.ndarray
    codes: Mapping[str, np.ndarray]  # a dict, or codes fetched from workers when asked
    encoders: dict[str, GroupEncoder]


def chunk_problem(err: DataError, start: int, rows: int, label: str | None) -> DataError:
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


def compact(codes: np.ndarray, size: int) -> np.ndarray:
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
    if model is not None:  # the spec machinery is loaded only when a model is given
        from lanterne.model.base import check_scores
        from lanterne.model.data import prepare_table
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
            raise chunk_problem(err, start, chunk.height, label) from None
        raise
    return np.asarray(scores, dtype=np.float64), groups


def needed_columns(model: Model | None, columns: list[str], score_col: str | None) -> list[str]:
    """The columns pass 1 reads: the model's variables (or the scores) and the groups."""
    if score_col is None:
        assert model is not None
        return [*model.used_variables, *columns]
    return [score_col, *columns]


def collect(
    model: Model | None,
    source: ChunkSource,
    columns: list[str],
    score_col: str | None,
    batch_rows: int,
    progress: ProgressCallback | None,
) -> Collected:
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
            code_parts[c].append(compact(enc.encode(groups[c]), enc.size))
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
    return Collected(scores, codes, encoders)


# ---------------------------------------------------------------------- pass 2


def locate_all(bins: ScoreBins, scores: np.ndarray) -> np.ndarray:
    dtype = np.int16 if bins.n_bins < 2**15 else np.int32
    fine = np.empty(scores.size, dtype=dtype)
    for start in range(0, scores.size, _LOCATE_ROWS):
        stop = start + _LOCATE_ROWS
        fine[start:stop] = bins.locate(scores[start:stop])
    return fine


def grouping_codes(
    grouping: Grouping, codes: Mapping[str, np.ndarray], sizes: dict[str, int], sl: slice
) -> np.ndarray:
    if not grouping.columns:
        return np.zeros(sl.stop - sl.start, np.uint8)
    if len(grouping.columns) == 1:
        return codes[grouping.columns[0]][sl]
    return combine_codes(
        [codes[c][sl] for c in grouping.columns], [sizes[c] for c in grouping.columns]
    )


def n_cells(grouping: Grouping, sizes: dict[str, int]) -> int:
    return int(np.prod([sizes[c] for c in grouping.columns], dtype=np.float64)) or 1


def reduce_groupings(
    collected: Collected,
    groupings: list[Grouping],
    bins: ScoreBins,
    progress: ProgressCallback | None,
) -> dict[Grouping, tuple[GroupPartials, np.ndarray]]:
    """Pass 2 (partials) and the median pass, slice by slice; returns partials and medians."""
    scores, codes = collected.scores, collected.codes
    sizes = {c: e.size for c, e in collected.encoders.items()}
    n = scores.size
    fine = locate_all(bins, scores)
    partials = {g: GroupPartials.zeros(n_cells(g, sizes), bins.n_bins) for g in groupings}
    slices = [slice(a, min(a + SLICE_ROWS, n)) for a in range(0, n, SLICE_ROWS)]
    for sl in slices:
        hi, lo = score_limbs(scores[sl])
        part_fine = fine[sl]
        for g in groupings:
            code = grouping_codes(g, codes, sizes, sl)
            partials[g] = partials[g].merge(
                GroupPartials.from_slice(code, n_cells(g, sizes), part_fine, hi, lo, bins.n_bins)
            )
        if progress is not None:
            progress(sl.stop - sl.start)
    result = {}
    for g in groupings:
        plan = median_plan(partials[g])
        values = MedianValues.empty()
        if plan.needs_values:
            for sl in slices:
                code = grouping_codes(g, codes, sizes, sl)
                values = values.merge(collect_median_values(plan, code, fine[sl], scores[sl]))
        result[g] = (partials[g], finish_medians(plan, values, bins))
    return result
