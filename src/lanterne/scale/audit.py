"""Population audits on a Dask cluster: the two passes of one process, partition by partition.

The passes are those of :mod:`lanterne.audit.population`, cut along the data's partitions:

1. each worker task reads one partition (Parquet row groups, or a slice shipped with the
   task), scores it and encodes its group columns with its own encoders; the result stays
   in the worker's memory. Only the scores (8 bytes a household) and the encoders' labels
   come back: the national cut points (threshold, deciles, median bins) are exact;
2. each task turns its partition into :class:`~lanterne.audit.partials.GroupPartials`
   (integer histograms and fixed-point sums), merged here exactly, in any order;
3. the few scores lying in each group's median bin are collected the same way.

Integer sums do not depend on the order of addition, so the numbers are those of one
process, bit for bit. A worker that dies takes its results with it: the scheduler runs
the lost tasks again from their inputs (a file and its row groups, or the rows shipped
with the task), so no row is lost or counted twice.

Example:
    >>> import polars as pl
    >>> from distributed import Client, LocalCluster
    >>> from lanterne.audit import audit_population
    >>> from lanterne.model import TargetingRule
    >>> data = pl.DataFrame({"score": [0.9, 0.8, 0.2, 0.1], "sex": ["f", "m", "f", "m"]})
    >>> with LocalCluster(n_workers=1, processes=False, dashboard_address=":0") as cluster:
    ...     with Client(cluster) as client:
    ...         audit = audit_population(None, data, group_cols=["sex"], score_col="score",
    ...             targeting=TargetingRule(top_share=0.5), min_cell=0, batch_rows=3,
    ...             client=client)
    >>> [(r["group"], r["selection_rate"], r["median_score"]) for r in audit.groups["sex"]]
    [('f', 0.5, 0.55), ('m', 0.5, 0.45)]
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lanterne.audit.chunks import ChunkSource
from lanterne.audit.groups import GroupEncoder, absorb
from lanterne.audit.partials import (
    SLICE_ROWS,
    GroupPartials,
    MedianPlan,
    MedianValues,
    ScoreBins,
    collect_median_values,
    finish_medians,
    median_plan,
    score_limbs,
)
from lanterne.audit.passes import (
    Collected,
    Grouping,
    compact,
    grouping_codes,
    locate_all,
    n_cells,
    needed_columns,
    score_chunk,
)
from lanterne.errors import DataError, Problem
from lanterne.i18n import Msg
from lanterne.model import Model
from lanterne.scale.cluster import run_all
from lanterne.scale.partitions import Partition, plan_partitions, read_partition

Progress = Callable[[int], None] | None
#: Failed tasks are tried again this many times (a worker lost is handled by the scheduler).
RETRIES = 2


@dataclass
class PartRows:
    """What a worker keeps of one partition: scores and group codes (its own encoders)."""

    rows: int
    scores: np.ndarray
    codes: dict[str, np.ndarray]
    encoders: dict[str, GroupEncoder]


def score_partition(
    model: Model | None,
    part: Partition,
    columns: list[str],
    score_col: str | None,
    n_rows: int,
    label: str | None,
) -> PartRows:
    """Pass 1 on a worker: read, score and encode one partition."""
    chunk = read_partition(part, needed_columns(model, columns, score_col))
    scores, groups = score_chunk(model, chunk, columns, score_col, part.start, n_rows, label)
    encoders = {c: GroupEncoder(c) for c in columns}
    codes = {c: compact(encoders[c].encode(groups[c]), encoders[c].size) for c in columns}
    return PartRows(chunk.height, scores, codes, encoders)


def _head(part: PartRows) -> tuple[np.ndarray, dict[str, GroupEncoder]]:
    return part.scores, part.encoders


def _global_codes(part: PartRows, remap: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {c: remap[c][codes] for c, codes in part.codes.items()}


def partition_partials(
    part: PartRows,
    remap: dict[str, np.ndarray],
    groupings: list[Grouping],
    sizes: dict[str, int],
    bins: ScoreBins,
) -> dict[Grouping, GroupPartials]:
    """Pass 2 on a worker: the partition's exact partial sums for every grouping."""
    codes = _global_codes(part, remap)
    fine = locate_all(bins, part.scores)
    out = {g: GroupPartials.zeros(n_cells(g, sizes), bins.n_bins) for g in groupings}
    for a in range(0, part.rows, SLICE_ROWS):
        sl = slice(a, min(a + SLICE_ROWS, part.rows))
        hi, lo = score_limbs(part.scores[sl])
        for g in groupings:
            code = grouping_codes(g, codes, sizes, sl)
            out[g] = out[g].merge(
                GroupPartials.from_slice(code, n_cells(g, sizes), fine[sl], hi, lo, bins.n_bins)
            )
    return out


def partition_median_values(
    part: PartRows,
    remap: dict[str, np.ndarray],
    plans: dict[Grouping, MedianPlan],
    sizes: dict[str, int],
    bins: ScoreBins,
) -> dict[Grouping, MedianValues]:
    """Median pass on a worker: the partition's scores lying in the groups' median bins."""
    codes = _global_codes(part, remap)
    fine = locate_all(bins, part.scores)
    whole = slice(0, part.rows)
    return {
        g: collect_median_values(plan, grouping_codes(g, codes, sizes, whole), fine, part.scores)
        for g, plan in plans.items()
    }


def _codes_of(part: PartRows, remap: dict[str, np.ndarray], column: str) -> np.ndarray:
    return remap[column][part.codes[column]]


class _RemoteCodes(Mapping[str, np.ndarray]):
    """Every household's group codes, fetched from the workers only when asked (reports)."""

    def __init__(self, client: Any, parts: list[Any], remaps: list[dict[str, np.ndarray]]):
        self._client, self._parts, self._remaps = client, parts, remaps
        self._names = list(remaps[0]) if remaps else []
        self._cache: dict[str, np.ndarray] = {}

    def __getitem__(self, column: str) -> np.ndarray:
        if column not in self._cache:
            futures = [
                self._client.submit(_codes_of, p, r, column, pure=False, retries=RETRIES)
                for p, r in zip(self._parts, self._remaps, strict=True)
            ]
            self._cache[column] = np.concatenate(self._client.gather(futures))
        return self._cache[column]

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


@dataclass
class _ClusterCollected(Collected):
    parts: list[Any] = field(default_factory=list)  # futures of PartRows, in data order
    remaps: list[dict[str, np.ndarray]] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)


class DaskPasses:
    """The passes of :func:`~lanterne.audit.population.audit_population` on a cluster."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def collect(
        self,
        model: Model | None,
        source: ChunkSource,
        columns: list[str],
        score_col: str | None,
        batch_rows: int,
        progress: Progress,
    ) -> _ClusterCollected:
        client = self.client
        [model_f] = client.scatter([model], broadcast=True) if model is not None else [None]
        needed = needed_columns(model, columns, score_col)
        run = uuid.uuid4().hex  # keys never shared with another audit's tasks
        parts, rows = [], []
        for part in plan_partitions(source, batch_rows, needed):
            parts.append(
                client.submit(
                    score_partition,
                    model_f,
                    part,
                    columns,
                    score_col,
                    source.n_rows,
                    source.label,
                    key=f"lanterne-score-{run}-{part.index}",
                    retries=RETRIES,
                )
            )
            rows.append(part.rows)
        by_key = {f.key: n for f, n in zip(parts, rows, strict=True)}
        run_all(client, parts, progress and (lambda f: progress(by_key[f.key])))
        heads = client.gather([client.submit(_head, p, pure=False) for p in parts])
        if not heads or sum(s.size for s, _ in heads) == 0:
            raise DataError(
                Problem(Msg("le tableau est vide", "the table is empty"), file=source.label)
            )
        encoders = {c: GroupEncoder(c) for c in columns}
        remaps = [{c: absorb(encoders[c], local[c]) for c in columns} for _, local in heads]
        scores = np.concatenate([s for s, _ in heads])
        codes = _RemoteCodes(client, parts, remaps)
        return _ClusterCollected(scores, codes, encoders, parts, remaps, rows)

    def reduce(
        self,
        collected: _ClusterCollected,
        groupings: list[Grouping],
        bins: ScoreBins,
        progress: Progress,
    ) -> dict[Grouping, tuple[GroupPartials, np.ndarray]]:
        client = self.client
        sizes = {c: e.size for c, e in collected.encoders.items()}
        [bins_f] = client.scatter([bins], broadcast=True)
        futures = [
            client.submit(
                partition_partials, p, r, groupings, sizes, bins_f, pure=False, retries=RETRIES
            )
            for p, r in zip(collected.parts, collected.remaps, strict=True)
        ]
        rows = {f.key: n for f, n in zip(futures, collected.rows, strict=True)}
        totals = {g: GroupPartials.zeros(n_cells(g, sizes), bins.n_bins) for g in groupings}

        def merge(future: Any) -> None:
            for g, part in future.result().items():
                totals[g] = totals[g].merge(part)
            future.release()
            if progress is not None:
                progress(rows[future.key])

        run_all(client, futures, merge)
        plans = {g: median_plan(totals[g]) for g in groupings}
        wanted = {g: plan for g, plan in plans.items() if plan.needs_values}
        values = {g: MedianValues.empty() for g in groupings}
        if wanted:
            futures = [
                client.submit(
                    partition_median_values,
                    p,
                    r,
                    wanted,
                    sizes,
                    bins_f,
                    pure=False,
                    retries=RETRIES,
                )
                for p, r in zip(collected.parts, collected.remaps, strict=True)
            ]
            for part in client.gather(futures):
                for g, found in part.items():
                    values[g] = values[g].merge(found)
        return {g: (totals[g], finish_medians(plans[g], values[g], bins)) for g in groupings}
