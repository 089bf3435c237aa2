"""The web app under load on loopback: the "My score" page, requests/s and p99 latency.

``lanterne serve --workers 2`` is started in a subprocess on a free port (its population:
200,000 synthetic households, or ``LANTERNE_BENCH_ROWS``); a small asyncio load
generator in this process keeps ``LANTERNE_BENCH_CONCURRENCY`` requests (default 16) in
flight for ``LANTERNE_BENCH_SECONDS`` (default 10) per scenario. The load generator runs on
the same 2 cores as the server, so the figures are a floor.

Scenarios (JSON on stdout):

- ``score_form``: GET ``/score`` — the "My score" page with its form (target: ≥ 200
  requests/s, p99 < 100 ms);
- ``score_result``: POST ``/score`` — a household's full result (score, percentile,
  contributions chart, sentences), households drawn in turn from the 400 of the embedded
  sample so that nothing can be cached (target: ≥ 200 requests/s, p99 < 100 ms);
- ``score_search``: POST ``/score/search`` — the same result plus the search for what would
  change the decision (up to 1 s each; no target, reported);
- peer ``static``: GET ``/static/lanterne.css`` — the same server answering with no work,
  the ceiling of this server + load generator on this machine.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from urllib.parse import urlencode

import httpx
import numpy as np

from lanterne.catalog import sample_path
from lanterne.io.tables import read_table
from lanterne.model import load_model

MODEL = "fr-cnaf-2014"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _forms() -> list[dict[str, str]]:
    """One form per household of the sample: the values the model reads, as text."""
    model = load_model(MODEL)
    frame = read_table(sample_path())
    rows = frame.select(model.used_variables).iter_rows(named=True)
    return [{"model": MODEL, **{k: str(v) for k, v in row.items()}} for row in rows]


def _request(path: str, form: dict[str, str] | None) -> bytes:
    """One HTTP/1.1 keep-alive request, as bytes."""
    if form is None:
        return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
    body = urlencode(form).encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def _load(
    port: int, path: str, forms, seconds: float, concurrency: int
) -> dict[str, float | int]:
    """Keep ``concurrency`` keep-alive connections busy for ``seconds``.

    A minimal HTTP/1.1 client on asyncio streams (requests prepared in advance, responses
    read by Content-Length): it costs the shared CPU far less than a full client library.
    """
    requests = [_request(path, f) for f in forms] if forms else [_request(path, None)]
    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds

    async def worker(offset: int) -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        i = offset
        try:
            while time.perf_counter() < stop:
                start = time.perf_counter()
                writer.write(requests[i % len(requests)])
                i += 1
                head = await reader.readuntil(b"\r\n\r\n")
                status = int(head.split(b" ", 2)[1])
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                await reader.readexactly(length)
                latencies.append(time.perf_counter() - start)
                if status != 200:
                    errors += 1
        finally:
            writer.close()

    begin = time.perf_counter()
    await asyncio.gather(*(worker(k * 7) for k in range(concurrency)))
    elapsed = time.perf_counter() - begin
    lat = np.array(latencies) * 1000
    return {
        "requests": int(lat.size),
        "errors": errors,
        "requests_per_s": round(lat.size / elapsed, 1),
        "p50_ms": round(float(np.percentile(lat, 50)), 1),
        "p99_ms": round(float(np.percentile(lat, 99)), 1),
    }


def main() -> None:
    rows = int(os.environ.get("LANTERNE_BENCH_ROWS", 200_000))
    seconds = float(os.environ.get("LANTERNE_BENCH_SECONDS", 10))
    concurrency = int(os.environ.get("LANTERNE_BENCH_CONCURRENCY", 16))
    workers = int(os.environ.get("LANTERNE_BENCH_WORKERS", 2))
    port = _free_port()
    env = {**os.environ, "LANTERNE_WEB_ROWS": str(rows), "LANTERNE_WEB_HOST": "127.0.0.1"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import os, uvicorn; uvicorn.run('lanterne.web.app:app_from_env', factory=True,"
            f" host='127.0.0.1', port={port}, workers={workers}, log_level='warning')",
        ],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(base + "/score", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("the server did not start")
            time.sleep(0.5)
        forms = _forms()
        # warm every worker (first requests sort the population's scores)
        for form in forms[:20]:
            httpx.post(base + "/score", data=form, timeout=30)
        results = {
            "score_form": asyncio.run(_load(port, "/score", None, seconds, concurrency)),
            "score_result": asyncio.run(_load(port, "/score", forms, seconds, concurrency)),
            "score_search": asyncio.run(_load(port, "/score/search", forms, seconds, concurrency)),
            "static": asyncio.run(_load(port, "/static/lanterne.css", None, seconds, concurrency)),
        }
    finally:
        server.terminate()
        server.wait(20)
    form = results["score_form"]

    def meets(r: dict[str, float | int]) -> bool:
        return r["requests_per_s"] >= 200 and r["p99_ms"] < 100 and r["errors"] == 0

    print(
        json.dumps(
            {
                "benchmark": "web",
                "cores": os.cpu_count(),
                "server_workers": workers,
                "concurrency": concurrency,
                "population_rows": rows,
                **results,
                "target": {"requests_per_s": 200, "p99_ms": 100},
                "score_form_meets_target": meets(form),
                "score_result_meets_target": meets(results["score_result"]),
                "ratio_form_to_static": round(
                    form["requests_per_s"] / results["static"]["requests_per_s"], 3
                ),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
