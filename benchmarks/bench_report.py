"""Time to write the report of the two French models on a 200,000-household population.

The population is generated once (or read from the path given as first argument, so that
two versions of Lanterne time the same households). Timed: drawing and assembling the
report (``population_report``: the charts, findings, tables) and rendering it to HTML.
Peer, in the same run: the two population audits the report is made from. On a shared
machine, compare the processor time (``report_cpu_s``): the wall time follows the load.

    .venv/bin/python benchmarks/bench_report.py                       # 200,000 households
    LANTERNE_BENCH_ROWS=50000 .venv/bin/python benchmarks/bench_report.py /tmp/pop.parquet
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from common import households
from lanterne.audit import audit_population
from lanterne.model import load_model
from lanterne.population.archetypes import load_archetypes
from lanterne.population.generate import generate_population
from lanterne.report import population_report, render_html

GROUPS = ("family_type", "sex", "age_band", "nationality", "disability", "qpv")


def main() -> None:
    n = households(200_000)
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp()) / "pop.parquet"
    if not path.exists():
        generate_population(path, n, workers=1)
    models = [load_model("fr-cnaf-2014"), load_model("fr-cnaf-dmde-2026")]
    start = time.perf_counter()
    audits = [audit_population(m, path, group_cols=list(GROUPS), keep_rows=True) for m in models]
    audit_s = time.perf_counter() - start
    start, cpu = time.perf_counter(), time.process_time()
    report = population_report(
        models, audits, data=path, lang="fr", archetypes=load_archetypes("fr-households")
    )
    build_s = time.perf_counter() - start
    start = time.perf_counter()
    html = render_html(report)
    render_s = time.perf_counter() - start
    report_cpu = time.process_time() - cpu
    print(
        json.dumps(
            {
                "households": audits[0].n,
                "report_s": round(build_s + render_s, 2),
                "report_cpu_s": round(report_cpu, 2),
                "build_s": round(build_s, 2),
                "render_s": round(render_s, 2),
                "html_bytes": len(html),
                "peer_audits_s": round(audit_s, 2),
                "ratio_to_peer": round((build_s + render_s) / audit_s, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
