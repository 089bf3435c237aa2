"""OpenFisca-France inside the workers of a Dask cluster.

Each worker process builds the French tax-benefit system once (a few seconds), when the
plugin is registered, and keeps it for every chunk it computes
(:func:`lanterne.rights.simulate.tax_benefit_system` is cached per process). The chunks
travel with their tasks, so a chunk lost with a worker is computed again elsewhere; the
results come back in the input order, and the take-up draw (seeded per household) is
made afterwards exactly as in one process.

Example:
    >>> plugin = TaxBenefitPlugin()
    >>> plugin.name
    'lanterne-openfisca'
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl

from lanterne.rights.catalog import RightsCatalog
from lanterne.scale.cluster import run_all

try:  # a plain class when distributed is missing (then no cluster can be opened anyway)
    from distributed.diagnostics.plugin import WorkerPlugin
except ImportError:  # pragma: no cover
    WorkerPlugin = object  # type: ignore[assignment,misc]  # a stand-in for the class


class TaxBenefitPlugin(WorkerPlugin):
    """Build OpenFisca-France's tax-benefit system once in each worker process."""

    name = "lanterne-openfisca"

    def setup(self, worker: Any) -> None:
        from lanterne.rights.simulate import tax_benefit_system

        tax_benefit_system()


def rights_on_cluster(
    client: Any,
    chunks: list[pl.DataFrame],
    month: str,
    catalog: RightsCatalog,
    seed: int,
    progress: Callable[[int], None] | None = None,
) -> list[pl.DataFrame]:
    """:func:`~lanterne.rights.compute.rights_of_chunk` of every chunk, on the workers."""
    from lanterne.rights.compute import rights_of_chunk

    client.register_plugin(TaxBenefitPlugin())
    [catalog_f] = client.scatter([catalog], broadcast=True)
    futures = [
        client.submit(rights_of_chunk, chunk, month, catalog_f, seed, retries=2, pure=False)
        for chunk in chunks
    ]
    rows = {f.key: chunk.height for f, chunk in zip(futures, chunks, strict=True)}
    run_all(client, futures, progress and (lambda f: progress(rows[f.key])))
    return client.gather(futures)
