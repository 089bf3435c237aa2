"""Beyond one process: audits on a Dask LocalCluster, non-take-up throughput, PostgreSQL.

Four measures (run one with its name, or all):

* ``audit`` — population audit of 3 × 13.8 M households (a folder of three monthly
  Parquet files) in one process, then with ``--cluster local:2``: the JSON must be the
  same; peak memory of every process (target ≤ 3 GB each);
* ``nonrecours`` — rights with OpenFisca-France on a LocalCluster of 1, then 2 workers
  (throughput in households per second once OpenFisca is loaded; target ≥ 1.8× with 2),
  extrapolated to 13.8 M households and to the workers needed to finish in 5 minutes;
* ``postgres`` — the same households read from a PostgreSQL table (a server started for
  the run, as in the tests) and from Parquet: read times side by side, and the audits must
  be equal;
* ``score`` — ``lanterne score`` of 13.8 M households in memory (one file out), then
  streamed partition by partition into a folder: peak memory of each, same scores.

    python benchmarks/bench_scale.py [audit|nonrecours|postgres|score]
    LANTERNE_BENCH_ROWS=200000 python benchmarks/bench_scale.py   # quick run

The machine is shared: the load average is printed with each figure.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))
from common import NATIONAL_HOUSEHOLDS, households, peak_rss_gb  # noqa: E402

GROUPS = ["family_type", "sex", "age_band", "nationality", "disability", "qpv"]
MONTHS = 3
CACHE = ROOT / ".cache" / "bench"


def load() -> float:
    return round(os.getloadavg()[0], 2)


def population(n: int) -> Path:
    """A generated population of ``n`` households, cached between runs."""
    from lanterne.population.generate import generate_population

    path = CACHE / f"population-{n}.parquet"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        generate_population(path, n)
    return path


# ---------------------------------------------------------------------- audit

_AUDIT = """
import json, sys, time
sys.path.insert(0, {bench!r})
from common import peak_rss_gb
from lanterne.audit import audit_population
from lanterne.model import load_model
cluster = {cluster!r}
model = load_model("fr-cnaf-2014")
start = time.perf_counter()
workers = {{}}
if cluster:
    from lanterne.scale.cluster import open_client
    with open_client(cluster) as client:
        begun = time.perf_counter()
        audit = audit_population(model, {folder!r}, group_cols={groups!r}, client=client)
        seconds = time.perf_counter() - begun
        workers = client.run(peak_rss_gb)
else:
    audit = audit_population(model, {folder!r}, group_cols={groups!r})
    seconds = time.perf_counter() - start
with open({out!r}, "w") as handle:
    json.dump(audit.to_dict(), handle, sort_keys=True)
print(json.dumps({{"seconds": seconds, "client_gb": peak_rss_gb(),
                  "workers_gb": sorted(workers.values())}}))
"""


def bench_audit() -> dict[str, object]:
    n = households(NATIONAL_HOUSEHOLDS)
    source = population(n)
    with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
        folder = Path(tmp) / "months"
        folder.mkdir()
        for m in range(MONTHS):  # three monthly snapshots (hard links: no copy)
            os.link(source, folder / f"2025-{m + 4:02d}.parquet")
        runs = {}
        for name, cluster in (("one_process", None), ("local_2", "local:2")):
            out = Path(tmp) / f"{name}.json"
            code = _AUDIT.format(
                bench=str(ROOT / "benchmarks"), cluster=cluster, folder=str(folder),
                groups=GROUPS, out=str(out),
            )  # fmt: skip
            started_load = load()
            done = subprocess.run(
                [sys.executable, "-c", code], check=True, capture_output=True, text=True
            )
            runs[name] = {**json.loads(done.stdout.strip().splitlines()[-1]), "load": started_load}
        same = (Path(tmp) / "one_process.json").read_text() == (
            Path(tmp) / "local_2.json"
        ).read_text()
    peak = max(runs["one_process"]["client_gb"], runs["local_2"]["client_gb"],
               *runs["local_2"]["workers_gb"])  # fmt: skip
    return {
        "benchmark": "audit of 3 × households, one process vs --cluster local:2",
        "rows": n * MONTHS,
        "groups": GROUPS,
        **{f"{k}_{field}": v[field] for k, v in runs.items() for field in v},
        "same_json": same,
        "peak_process_gb": round(peak, 2),
        "targets": {"same_json": True, "peak_process_gb": 3.0},
    }


# ---------------------------------------------------------------------- non-take-up


def _warm() -> float:
    """In a worker: one small simulation (OpenFisca's first one loads lazily), then CPU time."""
    import polars as pl

    from lanterne.rights.catalog import load_rights_catalog
    from lanterne.rights.compute import rights_of_chunk
    from lanterne.rights.simulate import REFERENCE_MONTH

    frame = pl.read_parquet(population(households(NATIONAL_HOUSEHOLDS))).head(50)
    rights_of_chunk(frame, REFERENCE_MONTH, load_rights_catalog())
    return time.process_time()


def bench_nonrecours() -> dict[str, object]:
    """Wall-clock throughput and, since the machine is shared, CPU time of the workers.

    On a machine whose cores are busy with other work, wall time says little about
    parallelism: each worker's CPU time says what the computation costs. The CPU-time
    speed-up is the 1-worker run's CPU time over the busiest worker's CPU time with 2
    workers: what two free cores would give.
    """
    import polars as pl
    from distributed import Client, LocalCluster

    from lanterne.rights.compute import compute_rights
    from lanterne.rights.simulate import REFERENCE_MONTH
    from lanterne.scale.rights import TaxBenefitPlugin

    n = households(24_000)
    chunk = max(1, n // 4)  # 4 chunks: 2 per worker; OpenFisca's overhead per chunk is large
    frame = pl.read_parquet(population(households(NATIONAL_HOUSEHOLDS))).head(n)
    out: dict[str, object] = {"benchmark": "non-take-up throughput on a LocalCluster",
                              "households": n, "chunk_rows": chunk}  # fmt: skip
    results = {}
    for workers in (1, 2):
        with (
            LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=":0") as lc,
            Client(lc) as client,
        ):
            client.register_plugin(TaxBenefitPlugin())  # OpenFisca loaded before timing
            before_cpu = client.run(_warm)
            before = load()
            start = time.perf_counter()
            results[workers] = compute_rights(
                frame, REFERENCE_MONTH, chunk_rows=chunk, progress=False, client=client
            )
            seconds = time.perf_counter() - start
            after_cpu = client.run(time.process_time)
        cpu = [after_cpu[w] - before_cpu[w] for w in before_cpu]
        out[f"workers_{workers}_seconds"] = round(seconds, 2)
        out[f"workers_{workers}_households_per_second"] = round(n / seconds, 1)
        out[f"workers_{workers}_cpu_seconds"] = [round(c, 2) for c in cpu]
        out[f"workers_{workers}_load"] = before
    speedup = out["workers_2_households_per_second"] / out["workers_1_households_per_second"]
    cpu_1 = sum(out["workers_1_cpu_seconds"])
    busiest_2 = max(out["workers_2_cpu_seconds"])
    per_worker = n / cpu_1  # households per CPU-second of one worker
    out.update(
        same_results=results[1].equals(results[2]),
        wall_speedup_2_workers=round(speedup, 2),
        cpu_speedup_2_workers=round(cpu_1 / busiest_2, 2),
        households_per_cpu_second=round(per_worker),
        national_seconds_2_free_cores=round(NATIONAL_HOUSEHOLDS / (n / busiest_2)),
        national_seconds_2_workers_measured=round(
            NATIONAL_HOUSEHOLDS / out["workers_2_households_per_second"]
        ),
        workers_for_5_minutes=math.ceil(NATIONAL_HOUSEHOLDS / (per_worker * 300 * 0.9)),
        note="5-minute cluster size: one free core per worker, 90 % parallel efficiency",
        targets={"speedup_2_workers": 1.8},
    )
    return out


# ---------------------------------------------------------------------- PostgreSQL


def bench_postgres() -> dict[str, object]:
    import adbc_driver_postgresql.dbapi as pg
    import polars as pl
    from tests.pgserver import running_server

    from lanterne.audit import audit_population
    from lanterne.io.tables import read_table

    n = households(1_000_000)
    frame = pl.read_parquet(population(households(NATIONAL_HOUSEHOLDS))).head(n)
    frame = frame.with_columns(
        [pl.col(c).cast(pl.String) for c, t in frame.schema.items() if isinstance(t, pl.Enum)]
        + [pl.col(c).cast(pl.Int32) for c, t in frame.schema.items() if t in (pl.UInt8, pl.UInt16)]
    )
    with tempfile.TemporaryDirectory(dir=CACHE) as tmp, running_server() as server:
        parquet = Path(tmp) / "households.parquet"
        frame.write_parquet(parquet)
        with pg.connect(server.uri()) as conn, conn.cursor() as cur:
            cur.adbc_ingest("households", frame.to_arrow(), mode="create")
            conn.commit()
        uri = server.uri() + "?table=households"
        times = {}
        for name, source in (("parquet", parquet), ("postgresql", uri)):
            start = time.perf_counter()
            read = read_table(source)
            times[name] = time.perf_counter() - start
            assert read.height == n
        audits = {
            name: json.dumps(
                audit_population("fr-cnaf-2014", source, group_cols=GROUPS).to_dict(),
                sort_keys=True,
            )
            for name, source in (("parquet", parquet), ("postgresql", uri))
        }
    return {
        "benchmark": "households read from PostgreSQL vs Parquet",
        "rows": n,
        "columns": frame.width,
        "read_parquet_seconds": round(times["parquet"], 2),
        "read_postgresql_seconds": round(times["postgresql"], 2),
        "ratio": round(times["postgresql"] / times["parquet"], 1),
        "same_audit": audits["parquet"] == audits["postgresql"],
        "peak_gb": round(peak_rss_gb(), 2),
        "load": load(),
    }


# ---------------------------------------------------------------------- score, streamed

_SCORE = """
import json, sys, time
sys.path.insert(0, {bench!r})
from common import peak_rss_gb
from lanterne.cli.app import run
start = time.perf_counter()
code = run(["score", "fr-cnaf-2014", {data!r}, "-o", {out!r}])
print(json.dumps({{"code": code, "seconds": time.perf_counter() - start, "gb": peak_rss_gb()}}))
"""


def bench_score() -> dict[str, object]:
    """``score`` of 13.8 M households: in memory (one file out) vs streamed (a folder out)."""
    import polars as pl

    n = households(NATIONAL_HOUSEHOLDS)
    source = population(n)
    runs = {}
    with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        os.link(source, folder / "2025-06.parquet")
        for name, data, out in (
            ("in_memory", str(source), str(Path(tmp) / "scores.parquet")),
            ("streamed", str(folder), str(Path(tmp) / "scores")),
        ):
            code = _SCORE.format(bench=str(ROOT / "benchmarks"), data=data, out=out)
            before = load()
            done = subprocess.run(
                [sys.executable, "-c", code], check=True, capture_output=True, text=True
            )
            runs[name] = {**json.loads(done.stdout.strip().splitlines()[-1]), "load": before}
        whole = pl.read_parquet(Path(tmp) / "scores.parquet", columns=["score", "selected"])
        parts = pl.read_parquet(
            sorted((Path(tmp) / "scores").glob("*.parquet")), columns=["score", "selected"]
        )
        same = whole.equals(parts)
    return {
        "benchmark": "score, in memory vs streamed into a folder",
        "rows": n,
        **{f"{k}_{f}": round(v[f], 2) for k, v in runs.items() for f in ("seconds", "gb", "load")},
        "same_scores_and_selection": same,
    }


def main() -> None:
    chosen = sys.argv[1:] or ["audit", "nonrecours", "postgres", "score"]
    benches = {
        "audit": bench_audit,
        "nonrecours": bench_nonrecours,
        "postgres": bench_postgres,
        "score": bench_score,
    }
    for name in chosen:
        print(json.dumps(benches[name](), indent=2), flush=True)


if __name__ == "__main__":
    main()
