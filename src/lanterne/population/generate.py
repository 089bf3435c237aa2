"""Generate a synthetic national population, chunk by chunk, into one Parquet file.

The population depends only on the seed and the number of households: chunk ``i`` (of
:data:`CHUNK_ROWS` households, the last one shorter) draws from the ``i``-th child of
``numpy.random.SeedSequence(seed)``, so the same ``(seed, households)`` always gives the
same rows, whatever the machine or the number of worker processes. Each chunk is one row
group of the Parquet file, which is written to a temporary file and renamed when complete.
The file's metadata says it is synthetic, with the generator version, seed, size, targets
file, and the OpenFisca-France version and date whose law gave the benefit amounts.

Example:
    >>> frame = generate_frame(1000, seed=7)
    >>> frame.height, frame["household_id"].to_list()[:3]
    (1000, [1, 2, 3])
    >>> frame.equals(generate_frame(1000, seed=7))
    True
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from lanterne._version import __version__
from lanterne.defaults import DEFAULT_POPULATION_SEED
from lanterne.errors import UsageError
from lanterne.i18n import Msg, Num
from lanterne.io.atomic import atomic_path
from lanterne.population.codes import CATEGORIES
from lanterne.population.columns import Column
from lanterne.population.households import draw_households
from lanterne.population.law import Law, legal_parameters
from lanterne.population.plan import Plan, make_plan
from lanterne.population.targets import PopulationTargets, load_targets

#: Households per chunk (one Parquet row group). Fixed: the rows depend on it.
CHUNK_ROWS = 1_000_000
#: Version of the generating method, written in the file's metadata.
GENERATOR_VERSION = "2"
#: Key of Lanterne's metadata in the Parquet file.
METADATA_KEY = b"lanterne"
#: Seed used when none is given (documented in the README).
DEFAULT_SEED = DEFAULT_POPULATION_SEED
#: Largest population (household ids are 32-bit).
MAX_HOUSEHOLDS = 4_000_000_000


@dataclass(frozen=True)
class GenerationInfo:
    """What a generated file contains (also written in its Parquet metadata)."""

    households: int
    seed: int
    targets: str
    chunks: int
    law: dict[str, object] | None = None  # OpenFisca-France version and date of the law

    def metadata(self) -> dict[str, object]:
        return {
            **(self.law or {}),
            "synthetic": True,
            "generator": "lanterne population generate",
            "generator_version": GENERATOR_VERSION,
            "lanterne_version": __version__,
            "seed": self.seed,
            "households": self.households,
            "targets": self.targets,
            "chunk_rows": CHUNK_ROWS,
            "note": (
                "Synthetic households calibrated to public statistics: no real person. "
                "Ménages fictifs calés sur des statistiques publiques : aucune personne réelle."
            ),
        }


def _check_size(households: int, seed: int) -> None:
    if not 1 <= households <= MAX_HOUSEHOLDS:
        raise UsageError(
            Msg(
                "le nombre de foyers doit être compris entre 1 et {m}, reçu {n}",
                "the number of households must be between 1 and {m}, got {n}",
                m=Num(MAX_HOUSEHOLDS),
                n=Num(households),
            )
        )
    if seed < 0:
        raise UsageError(
            Msg(
                "la graine doit être un entier positif ou nul, reçu {s}",
                "the seed must be a non-negative integer, got {s}",
                s=seed,
            )
        )


def chunk_sizes(households: int) -> list[int]:
    """Sizes of the chunks a population of ``households`` is drawn in.

    >>> chunk_sizes(2_500_000)
    [1000000, 1000000, 500000]
    """
    full, rest = divmod(households, CHUNK_ROWS)
    return [CHUNK_ROWS] * full + ([rest] if rest else [])


def _series(name: str, values: np.ndarray, column: Column, plan: Plan) -> pl.Series:
    if column.kind == "category":
        categories = plan.department_codes if name == "department" else CATEGORIES[name]
        return pl.Series(name, values).replace_strict(
            list(range(len(categories))), list(categories), return_dtype=column.dtype
        )
    return pl.Series(name, values).cast(column.dtype)


def draw_chunk(
    index: int, seed: int, sizes: list[int], plan: Plan, columns: dict[str, Column]
) -> pl.DataFrame:
    """Chunk ``index`` of the population as a DataFrame in the population's column types."""
    child = np.random.SeedSequence(seed).spawn(len(sizes))[index]
    n = sizes[index]
    arrays = draw_households(np.random.default_rng(child), n, plan)
    first = sum(sizes[:index]) + 1
    arrays["household_id"] = np.arange(first, first + n, dtype=np.int64)
    return pl.DataFrame([_series(name, arrays[name], col, plan) for name, col in columns.items()])


class _Worker:
    """What a worker process draws with, set once when it starts (:func:`_init_worker`)."""

    plan: Plan
    columns: dict[str, Column]


def _init_worker(targets: PopulationTargets, law: Law) -> None:
    # Ctrl+C reaches the whole process group: the command itself stops the pool and cleans
    # up (exit 130); workers printing their own KeyboardInterrupt tracebacks would only
    # bury that message.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _Worker.plan = make_plan(targets, law)
    _Worker.columns = targets.columns


def _worker_chunk(index: int, seed: int, sizes: list[int]) -> pl.DataFrame:
    return draw_chunk(index, seed, sizes, _Worker.plan, _Worker.columns)


def iter_chunks(
    households: int,
    seed: int = DEFAULT_SEED,
    targets: PopulationTargets | str = "fr-caf-2023",
    workers: int = 2,
) -> Iterator[pl.DataFrame]:
    """The population's chunks in order.

    With ``workers`` > 1, chunks are drawn ahead in that many worker processes (NumPy's
    many small steps hold the GIL too often for threads to run in parallel); each chunk
    depends only on its index, so the rows are the same whatever ``workers`` is.
    """
    _check_size(households, seed)
    if not isinstance(targets, PopulationTargets):
        targets = load_targets(targets)
    sizes = chunk_sizes(households)
    if workers <= 1 or len(sizes) == 1:
        plan = make_plan(targets)
        columns = targets.columns
        for i in range(len(sizes)):
            yield draw_chunk(i, seed, sizes, plan, columns)
        return
    law = make_plan(targets).law  # report a bad targets file here, not in a worker
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=min(workers, len(sizes)),
        mp_context=context,
        initializer=_init_worker,
        initargs=(targets, law),
    ) as pool:
        futures: dict[int, Future[pl.DataFrame]] = {
            i: pool.submit(_worker_chunk, i, seed, sizes) for i in range(min(workers, len(sizes)))
        }
        for i in range(len(sizes)):
            chunk = futures.pop(i).result()
            ahead = i + workers
            if ahead < len(sizes):
                futures[ahead] = pool.submit(_worker_chunk, ahead, seed, sizes)
            yield chunk


def generate_frame(
    households: int,
    seed: int = DEFAULT_SEED,
    targets: PopulationTargets | str = "fr-caf-2023",
) -> pl.DataFrame:
    """A whole population in memory (for tests and small samples)."""
    return pl.concat(list(iter_chunks(households, seed, targets, workers=1)))


def generate_population(
    path: str | os.PathLike[str],
    households: int,
    seed: int = DEFAULT_SEED,
    targets: PopulationTargets | str = "fr-caf-2023",
    *,
    workers: int = 2,
    progress: Callable[[int], None] | None = None,
) -> GenerationInfo:
    """Write a population to a Parquet file, atomically; ``progress(rows)`` after each chunk.

    Returns what was written. Nothing is left behind if anything fails. With ``workers`` >
    1, chunks are drawn in worker processes started with ``spawn``: a script calling this
    needs the usual ``if __name__ == "__main__":`` guard (or ``workers=1``).
    """
    _check_size(households, seed)
    if not isinstance(targets, PopulationTargets):
        targets = load_targets(targets)
    law = legal_parameters(targets.reference_date[:7])
    info = GenerationInfo(
        households, seed, targets.id, len(chunk_sizes(households)), law.provenance()
    )
    writer: pq.ParquetWriter | None = None
    with atomic_path(path) as tmp:
        try:
            for chunk in iter_chunks(households, seed, targets, workers=workers):
                table = chunk.to_arrow()
                if writer is None:
                    metadata = {
                        **(table.schema.metadata or {}),
                        METADATA_KEY: json.dumps(info.metadata()).encode("utf-8"),
                    }
                    schema = table.schema.with_metadata(metadata)
                    # Dictionary encoding only where values repeat (categories, small
                    # counts): amounts in euros would fill a dictionary for nothing.
                    repeated = [
                        name
                        for name, dtype in chunk.schema.items()
                        if isinstance(dtype, pl.Enum) or dtype in (pl.UInt8, pl.UInt16)
                    ]
                    writer = pq.ParquetWriter(
                        tmp,
                        schema,
                        compression="zstd",
                        compression_level=1,
                        # a list of columns is accepted (PyArrow's docs); its stubs say bool
                        use_dictionary=repeated,  # type: ignore[arg-type]
                        write_statistics=True,
                    )
                # every chunk has the first one's schema, with the metadata
                writer.write_table(pa.Table.from_batches(table.to_batches(), schema=schema))
                if progress is not None:
                    progress(chunk.height)
        finally:
            if writer is not None:
                writer.close()
    return info


def read_metadata(path: str | os.PathLike[str]) -> dict[str, Any] | None:
    """Lanterne's metadata of a generated Parquet file (None for other files)."""
    raw = pq.read_schema(Path(path)).metadata or {}
    value = raw.get(METADATA_KEY)
    return json.loads(value) if value else None
