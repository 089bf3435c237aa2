"""Score a dataset larger than memory: partition by partition, into a partitioned output.

Used by ``lanterne score`` when the input is a folder of Parquet files or a database
table, or when the output is a folder. Each partition (Parquet row groups, or a batch from
the database) is read, scored and written as its own Parquet file, in one process or on
the workers of a Dask cluster; only a few numbers per partition come back:

* the partition's highest scores — as many as the targeting rule wants in the whole
  data, so the threshold of a top-share rule is exact (the ``m``-th highest score) while
  memory stays bounded by the targeted share, not by the data;
* the sum of its scores and a histogram of 2¹⁸ equal bins, for the summary (mean exact,
  median and 90th percentile to within 4·10⁻⁶).

A top-share rule then needs a second, light pass that writes the ``selected`` column. The
output is written in a temporary folder next to the destination and renamed at the end:
a crash leaves no half-written output. On a real cluster, the output folder must be on a
file system the workers share.

Example:
    >>> import tempfile, pathlib, polars as pl
    >>> from lanterne.catalog import sample_path
    >>> from lanterne.model import TargetingRule, load_model
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "scores"
    >>> summary = score_dataset(load_model("fr-cnaf-2014"), sample_path(), out,
    ...                         TargetingRule(top_share=0.05), batch_rows=150)
    >>> summary.n, summary.n_selected, len(list(out.glob("*.parquet")))
    (400, 20, 3)
"""

from __future__ import annotations

import math
import os
import shutil
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow.parquet as pq

from lanterne.audit.chunks import ChunkSource, open_source
from lanterne.audit.passes import chunk_problem
from lanterne.defaults import DEFAULT_BATCH_ROWS
from lanterne.errors import DataError, UsageError
from lanterne.i18n import Msg
from lanterne.io.atomic import atomic_path
from lanterne.io.csvsafe import escape_formulas
from lanterne.io.database import is_database_uri
from lanterne.io.tables import table_format
from lanterne.model import Model, TargetingRule
from lanterne.scale.cluster import run_all
from lanterne.scale.partitions import Partition, plan_partitions, read_partition
from lanterne.scoring import ScoreSummary

HIST_BINS = 1 << 18
_PLACEHOLDER = TargetingRule(threshold=1.0)  # pass 1 of a top share: selection written later


@dataclass
class PartScores:
    """What one scored partition sends back (its rows stay in its file)."""

    index: int
    rows: int
    top: np.ndarray  # its highest scores (at most the number wanted overall)
    total: float
    hist: np.ndarray
    selected: int


def _part_name(index: int) -> str:
    return f"part-{index:05d}.parquet"


def _write_parquet(frame: pl.DataFrame, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    frame.write_parquet(tmp, compression="zstd", statistics=True)
    os.replace(tmp, path)  # a task run twice (worker lost) writes the same file again


def score_part(
    model: Model,
    part: Partition,
    columns: list[str],
    rule: TargetingRule | None,
    wanted: int,
    work: str,
    n_rows: int,
    label: str | None,
) -> PartScores:
    """Read, score and write one partition (``rule`` ``None``: the selection comes later)."""
    chunk = read_partition(part, columns)
    try:
        scored = model.score(chunk, targeting=rule or _PLACEHOLDER, file=label)
    except DataError as err:
        if chunk.height < n_rows:
            raise chunk_problem(err, part.start, chunk.height, label) from None
        raise
    _write_parquet(scored, Path(work) / _part_name(part.index))
    scores = scored["score"].to_numpy()
    keep = min(wanted, scores.size)
    top = np.partition(scores, scores.size - keep)[scores.size - keep :] if keep else scores[:0]
    bins = np.minimum((scores * HIST_BINS).astype(np.int64), HIST_BINS - 1)
    return PartScores(
        part.index,
        scores.size,
        top.copy(),
        float(scores.sum()),
        np.bincount(bins, minlength=HIST_BINS),
        int(scored["selected"].sum()) if rule is not None else 0,
    )


def select_part(work: str, index: int, threshold: float) -> int:
    """Pass 2 of a top share: write the ``selected`` column of one part file."""
    path = Path(work) / _part_name(index)
    frame = pl.read_parquet(path)
    frame = frame.with_columns((pl.col("score") >= threshold).alias("selected"))
    _write_parquet(frame, path)
    return int(frame["selected"].sum())


def _quantile(hist: np.ndarray, q: float, n: int) -> float:
    rank = max(1, math.ceil(q * n))
    b = int(np.searchsorted(np.cumsum(hist), rank))
    return (b + 0.5) / HIST_BINS


def _run(
    client: Any,
    calls: Iterable[tuple[Callable[..., Any], tuple[Any, ...]]],
    consume: Callable[[Any], None],
) -> None:
    """Run calls here (one at a time, read lazily) or on the cluster; consume each result."""
    if client is None:
        for fn, args in calls:
            consume(fn(*args))
        return
    futures = [client.submit(fn, *args, pure=False, retries=2) for fn, args in calls]

    def take(future: Any) -> None:
        consume(future.result())
        future.release()

    run_all(client, futures, take)


class _Totals:
    """The partitions' results merged as they arrive: only the ``wanted`` top scores kept."""

    def __init__(self, wanted: int) -> None:
        self.wanted = wanted
        self.top = np.zeros(0)
        self.hist = np.zeros(HIST_BINS, dtype=np.int64)
        self.sums: list[float] = []
        self.selected = 0
        self.indices: list[int] = []

    def add(self, part: PartScores) -> None:
        self.hist += part.hist
        self.sums.append(part.total)
        self.selected += part.selected
        self.indices.append(part.index)
        if self.wanted:
            both = np.concatenate([self.top, part.top])
            if both.size > self.wanted:
                both = np.partition(both, both.size - self.wanted)[both.size - self.wanted :]
            self.top = both


def _finish(work: Path, output: Path, *, raw_csv: bool = False) -> None:
    """Move the finished parts to ``output``: a folder, a Parquet file or a CSV file."""
    parts = sorted(work.glob("part-*.parquet"))
    if output.suffix == "":
        if output.exists():
            aside = output.with_name(f".{output.name}.old-{uuid.uuid4().hex}")
            os.replace(output, aside)
            os.replace(work, output)
            shutil.rmtree(aside, ignore_errors=True)
        else:
            os.replace(work, output)
        return
    with atomic_path(output) as tmp:
        if table_format(output) == "parquet":
            writer = None
            try:
                for path in parts:
                    table = pq.read_table(path)
                    if writer is None:
                        writer = pq.ParquetWriter(tmp, table.schema, compression="zstd")
                    writer.write_table(table)
            finally:
                if writer is not None:
                    writer.close()
        else:
            with open(tmp, "w", encoding="utf-8", newline="") as handle:
                for i, path in enumerate(parts):
                    part = pl.read_parquet(path)
                    if not raw_csv:  # cells a spreadsheet would run as formulas
                        part = escape_formulas(part)
                    part.write_csv(handle, include_header=i == 0)
    shutil.rmtree(work, ignore_errors=True)


def streams(data: str | os.PathLike[str]) -> bool:
    """Is ``data`` read partition by partition (a folder of Parquet files, a database)?

    >>> streams("households.csv"), streams("postgresql://h/db?table=t")
    (False, True)
    """
    return is_database_uri(data) or Path(data).is_dir()


def check_output(output: Path) -> None:
    """A folder (a name without extension), a ``.parquet`` or a ``.csv`` file."""
    if output.suffix:
        table_format(output)
    elif output.exists() and not output.is_dir():
        raise UsageError(
            Msg(
                "{p} existe et n'est pas un dossier",
                "{p} exists and is not a folder",
                p=str(output),
            )
        )


def score_dataset(
    model: Model,
    data: ChunkSource | str | os.PathLike[str] | pl.DataFrame,
    output: str | os.PathLike[str],
    rule: TargetingRule,
    *,
    batch_rows: int = DEFAULT_BATCH_ROWS,
    client: Any = None,
    progress: Callable[[int], None] | None = None,
    raw_csv: bool = False,
) -> ScoreSummary:
    """Score ``data`` partition by partition into ``output`` (a folder of Parquet files when
    its name has no extension, else one Parquet or CSV file); returns the summary.

    ``progress(rows)`` is called as partitions are scored (and again, for a top share, as
    their selection is written). A CSV output has its formula-like cells made inert unless
    ``raw_csv`` (see :mod:`lanterne.io.csvsafe`).
    """
    output = Path(output)
    check_output(output)
    source = open_source(data)
    n = source.n_rows
    wanted = rule.wanted(n) if rule.top_share is not None and n else 0
    one_pass = rule.top_share is None
    work = output.parent / f".{output.name}.lanterne-{uuid.uuid4().hex}"
    work.mkdir(parents=True)
    try:
        [model_f] = client.scatter([model], broadcast=True) if client is not None else [model]
        calls = (
            (
                score_part,
                (
                    model_f,
                    part,
                    source.columns,
                    rule if one_pass else None,
                    wanted,
                    str(work),
                    n,
                    source.label,
                ),
            )
            for part in plan_partitions(source, batch_rows)
        )
        totals = _Totals(wanted)

        def consume(part: PartScores) -> None:
            totals.add(part)
            if progress is not None:
                progress(part.rows)

        _run(client, calls, consume)
        if not totals.indices:
            raise DataError(Msg("le tableau est vide", "the table is empty"))
        if rule.threshold is not None:  # one pass: the rule gives the threshold
            threshold = float(rule.threshold)
            selected = totals.selected
        else:
            threshold = float(totals.top.min())  # the wanted-th highest score
            counts: list[int] = []
            _run(
                client,
                ((select_part, (str(work), i, threshold)) for i in totals.indices),
                counts.append,
            )
            selected = sum(counts)
        _finish(work, output, raw_csv=raw_csv)
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)
    return ScoreSummary(
        n=n,
        mean=math.fsum(totals.sums) / n,
        median=_quantile(totals.hist, 0.5, n),
        p90=_quantile(totals.hist, 0.9, n),
        threshold=threshold,
        n_selected=selected,
        rule=rule,
    )
