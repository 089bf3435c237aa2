"""Open the Dask cluster named by ``--cluster``: ``local``, ``local:N`` or an address.

* ``local`` — a :class:`distributed.LocalCluster` sized to the machine: one worker process
  per core (one thread each: Polars and NumPy already use the cores inside a task), the
  machine's memory shared between them;
* ``local:N`` — the same with ``N`` worker processes;
* ``tcp://host:8786`` (or ``tls://``) — an existing scheduler (``dask-scheduler`` and
  ``dask-worker`` started by hand, or a cluster from a Kubernetes/YARN deployer).

Example:
    >>> parse_cluster("local:2")
    ClusterSpec(kind='local', workers=2, address=None)
    >>> parse_cluster("tcp://10.0.0.5:8786").address
    'tcp://10.0.0.5:8786'
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from lanterne.errors import LanterneError, Problem, UsageError
from lanterne.extras import require
from lanterne.i18n import Msg

_LOCAL = re.compile(r"^local(?::(\d+))?$")
_ADDRESS = re.compile(r"^(tcp|tls)://[^\s/]+:\d+/?$")
#: Seconds to wait for a remote scheduler before giving up.
CONNECT_TIMEOUT = 10


class ClusterUnreachable(LanterneError):
    """The scheduler cannot be reached: a runtime failure (exit code 1), not bad input."""

    exit_code = 1
    title = Msg("Grappe de calcul injoignable", "Cluster unreachable")


@dataclass(frozen=True)
class ClusterSpec:
    """What ``--cluster`` asked for."""

    kind: str  # "local" or "remote"
    workers: int | None = None
    address: str | None = None


def parse_cluster(text: str) -> ClusterSpec:
    """Read the value of ``--cluster``; a bad value is a :class:`UsageError` (exit 2)."""
    value = text.strip()
    match = _LOCAL.match(value)
    if match:
        workers = int(match.group(1)) if match.group(1) else None
        if workers is not None and workers < 1:
            raise UsageError(
                Problem(
                    Msg(
                        "grappe local:N : N doit valoir au moins 1",
                        "cluster local:N: N must be at least 1",
                    ),
                    params=("cluster",),
                )
            )
        return ClusterSpec("local", workers)
    if _ADDRESS.match(value):
        return ClusterSpec("remote", address=value.rstrip("/"))
    raise UsageError(
        Problem(
            Msg(
                "grappe « {v} » : attendu local, local:N (N processus) ou l'adresse d'un "
                "ordonnanceur Dask (tcp://hôte:8786)",
                "cluster '{v}': expected local, local:N (N processes) or the address of a Dask "
                "scheduler (tcp://host:8786)",
                v=value,
            ),
            params=("cluster",),
        )
    )


def local_workers(spec: ClusterSpec) -> int:
    """Worker processes of a local cluster: as asked, else one per core."""
    return spec.workers or max(1, os.cpu_count() or 1)


@contextmanager
def open_client(spec: ClusterSpec | str, timeout: float = CONNECT_TIMEOUT) -> Iterator[Any]:
    """A connected :class:`distributed.Client`; a local cluster is stopped on exit."""
    require("scale")
    from distributed import Client, LocalCluster

    if isinstance(spec, str):
        spec = parse_cluster(spec)
    if spec.kind == "local":
        cluster = LocalCluster(
            n_workers=local_workers(spec),
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            silence_logs=logging.ERROR,
        )
        try:
            with Client(cluster) as client:
                yield client
        finally:
            cluster.close()
        return
    try:
        client = Client(spec.address, timeout=timeout)
    except (OSError, TimeoutError) as exc:
        raise ClusterUnreachable(
            Msg(
                "impossible de joindre l'ordonnanceur Dask {a} : {e}",
                "cannot reach the Dask scheduler {a}: {e}",
                a=spec.address,
                e=type(exc).__name__,
            )
        ) from None
    with client:
        yield client


def run_all(
    client: Any,
    futures: Iterable[Any],
    progress: Callable[[Any], None] | None = None,
) -> None:
    """Wait for ``futures`` as the scheduler completes them; call ``progress(future)``.

    A task's error (bad data found in a worker) is raised here, as in one process.
    """
    from distributed import as_completed

    for future in as_completed(list(futures)):
        if future.status == "error":
            future.result()  # re-raises the worker's exception
        if progress is not None:
            progress(future)


@contextmanager
def cluster_client(value: str | None) -> Iterator[Any]:
    """The client for ``--cluster``, or ``None`` (one process, as without the option).

    >>> with cluster_client(None) as client:
    ...     client is None
    True
    """
    if value is None:
        yield None
        return
    spec = parse_cluster(value)  # a bad value fails before any cluster starts
    with open_client(spec) as client:
        yield client
