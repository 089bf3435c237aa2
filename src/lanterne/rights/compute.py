"""Rights of a whole population: OpenFisca-France by chunks, then the take-up draw.

:func:`compute_rights` cuts the table into chunks of ``chunk_rows`` households, runs one
vectorised OpenFisca simulation per chunk (:func:`lanterne.rights.simulate.simulate`),
keeps only the few result columns, and shows a Rich progress bar. Memory is bounded by the
chunk size (OpenFisca keeps every intermediate variable of a simulation).

Output columns, one row per household, in the input order:

- ``household_id`` (the input's, else the row number from 1);
- ``<b>_amount`` — monthly amount the household is entitled to (euros), for ``rsa``,
  ``ppa``, ``housing``, ``aah``;
- ``<b>_entitled`` — amount > 0;
- ``<b>_claimed`` — the take-up draw (:mod:`lanterne.rights.takeup`); ``aah_claimed``
  equals ``aah_entitled`` (no published non-take-up model).

Example:
    >>> import polars as pl
    >>> frame = pl.DataFrame({"household_id": [7], "family_type": ["single"],
    ...     "n_children": [0], "head_age": [40], "head_activity": ["inactive"],
    ...     "income_monthly": [0.0], "housing_status": ["hosted"]})
    >>> out = compute_rights(frame, "2025-06", progress=False)
    >>> out.select("household_id", "rsa_amount", "rsa_entitled").row(0)
    (7, 568.94, True)
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import numpy as np
import polars as pl
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from lanterne.i18n import tr
from lanterne.rights.catalog import DEFAULT_CATALOG, RightsCatalog, load_rights_catalog
from lanterne.rights.inputs import check_table, derive_situations
from lanterne.rights.simulate import BENEFITS, check_month, simulate, tax_benefit_system
from lanterne.rights.takeup import calibration_scale, draw_takeup

#: Households per OpenFisca simulation: large enough to amortise OpenFisca's per-variable
#: overhead, small enough to keep memory around 1–2 GB.
DEFAULT_CHUNK_ROWS = 50_000


def household_ids(frame: pl.DataFrame) -> np.ndarray:
    """The ``household_id`` column as integers, else the row numbers from 1."""
    if "household_id" in frame.columns:
        ids = frame["household_id"].cast(pl.String).cast(pl.Int64, strict=False)
        if ids.null_count() == 0:
            return ids.to_numpy()
    return np.arange(1, frame.height + 1, dtype=np.int64)


def _chunks(height: int, size: int) -> Iterator[tuple[int, int]]:
    for start in range(0, height, size):
        yield start, min(size, height - start)


def _text_column(frame: pl.DataFrame, name: str, default: str) -> np.ndarray:
    if name not in frame.columns:
        return np.full(frame.height, default)
    return frame[name].cast(pl.String).fill_null(default).to_numpy().astype(str)


def rights_of_chunk(
    frame: pl.DataFrame,
    month: str,
    catalog: RightsCatalog,
    seed: int = 0,
) -> pl.DataFrame:
    """Amounts, entitlement and take-up of one chunk of households."""
    amounts = simulate(derive_situations(frame), month)
    ids = household_ids(frame)
    housing = _text_column(frame, "housing_status", "tenant_private")
    family = _text_column(frame, "family_type", "single")
    columns: dict[str, object] = {"household_id": ids}
    for key in BENEFITS:
        amount = amounts[key]
        entitled = amount > 0
        claimed = draw_takeup(catalog, key, entitled, ids, housing, family, seed)
        columns[f"{key}_amount"] = amount
        columns[f"{key}_entitled"] = entitled
        columns[f"{key}_claimed"] = claimed
    return pl.DataFrame(columns)


def compute_rights(
    frame: pl.DataFrame,
    month: str,
    *,
    catalog: RightsCatalog | str = DEFAULT_CATALOG,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    seed: int = 0,
    progress: bool = True,
    workers: int = 1,
    calibrate: bool = True,
    client: Any = None,
) -> pl.DataFrame:
    """Rights and take-up of every household of ``frame`` for ``month`` (``YYYY-MM``).

    With a Dask ``client``, the chunks are computed by the cluster's workers
    (:mod:`lanterne.scale.rights`) instead of ``workers`` local processes; same results.

    ``workers`` > 1 runs chunks in that many processes (each loads OpenFisca once);
    results are identical, in the same order. With ``calibrate`` (the default), the
    take-up draw is made once every chunk is known, with the factor of
    :func:`takeup_scales` so that the population's non-take-up rate among entitled
    households equals the published rate; without it, each household's probability is
    the published rate times its relative risks.
    """
    check_month(month)
    cat = catalog if isinstance(catalog, RightsCatalog) else load_rights_catalog(catalog)
    check_table(frame)  # every problem, with row numbers, before the slow work
    if frame.height == 0:
        schema: dict[str, pl.DataType] = {"household_id": pl.Int64()}
        for key in BENEFITS:
            schema |= {f"{key}_amount": pl.Float64(), f"{key}_entitled": pl.Boolean()}
            schema[f"{key}_claimed"] = pl.Boolean()
        return pl.DataFrame(schema=schema)
    parts: list[pl.DataFrame] = []
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        disable=not progress,
        transient=True,
    ) as bar:
        task = bar.add_task(
            tr("Chargement d'OpenFisca-France…", "Loading OpenFisca-France…"), total=frame.height
        )
        chunks = [frame.slice(a, n) for a, n in _chunks(frame.height, max(1, chunk_rows))]
        parallel = workers > 1 and len(chunks) > 1 and client is None
        if not parallel and client is None:
            tax_benefit_system()
        bar.update(
            task,
            description=tr("Calcul des droits (OpenFisca)", "Computing rights (OpenFisca)"),
        )
        if client is not None:
            from lanterne.scale.rights import rights_on_cluster

            parts = rights_on_cluster(
                client, chunks, month, cat, seed, lambda n: bar.advance(task, n)
            )
        elif parallel:
            # spawn, not fork: forking after Polars has started its thread pool can hang
            context = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(
                max_workers=workers, mp_context=context, initializer=tax_benefit_system
            ) as pool:
                futures = [pool.submit(rights_of_chunk, c, month, cat, seed) for c in chunks]
                for chunk, future in zip(chunks, futures, strict=True):
                    parts.append(future.result())
                    bar.advance(task, chunk.height)
        else:
            for chunk in chunks:
                parts.append(rights_of_chunk(chunk, month, cat, seed))
                bar.advance(task, chunk.height)
    rights = pl.concat(parts)
    if calibrate:
        rights = redraw_takeup(rights, frame, cat, takeup_scales(rights, frame, cat), seed)
    return rights


def takeup_scales(
    rights: pl.DataFrame, frame: pl.DataFrame, catalog: RightsCatalog
) -> dict[str, float]:
    """Per benefit, the calibration factor of the published rate for this population."""
    housing = _text_column(frame, "housing_status", "tenant_private")
    family = _text_column(frame, "family_type", "single")
    return {
        key: calibration_scale(catalog, key, rights[f"{key}_entitled"].to_numpy(), housing, family)
        for key in BENEFITS
    }


def redraw_takeup(
    rights: pl.DataFrame,
    frame: pl.DataFrame,
    catalog: RightsCatalog,
    scales: dict[str, float],
    seed: int = 0,
) -> pl.DataFrame:
    """``rights`` with its ``<b>_claimed`` columns drawn again with these scales."""
    ids = rights["household_id"].to_numpy()
    housing = _text_column(frame, "housing_status", "tenant_private")
    family = _text_column(frame, "family_type", "single")
    return rights.with_columns(
        pl.Series(
            f"{key}_claimed",
            draw_takeup(
                catalog,
                key,
                rights[f"{key}_entitled"].to_numpy(),
                ids,
                housing,
                family,
                seed,
                scales[key],
            ),
        )
        for key in BENEFITS
    )
