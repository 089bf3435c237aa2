"""Benchmark: what a pandas or Arrow table costs at the API's edge (score and audit).

The same random households (1 M by default) as a Polars DataFrame, a pandas DataFrame and
an Arrow Table: ``Model.score`` (the table comes back in the caller's kind) and
``audit_population`` on 3 group columns. Peer: the same call given the Polars DataFrame,
measured in the same run (no conversion). Prints the times and the ratios.

    python benchmarks/bench_api_frames.py
    LANTERNE_BENCH_ROWS=200000 python benchmarks/bench_api_frames.py   # quicker
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import households, random_table, timed
from lanterne.audit import audit_population
from lanterne.io.frames import as_polars
from lanterne.model import load_model

GROUPS = ["sex", "family_type", "qpv"]


def main() -> None:
    model = load_model("fr-cnaf-2014")
    n = households(1_000_000)
    polars_table = random_table(model.spec, n)
    kinds = {
        "Polars": polars_table,
        "pandas": polars_table.to_pandas(),
        "Arrow": polars_table.to_arrow(),
    }
    print(f"{n:,} households, fr-cnaf-2014")
    reference = model.scores(polars_table).to_numpy()
    peer: dict[str, float] = {}
    for name, table in kinds.items():
        t_score, scored = timed(lambda table=table: model.score(table))
        t_audit, audit = timed(
            lambda table=table: audit_population(model, table, group_cols=GROUPS), repeat=2
        )
        assert np.array_equal(as_polars(scored)["score"].to_numpy(), reference)
        assert audit.n == n
        peer.setdefault("score", t_score)
        peer.setdefault("audit", t_audit)
        print(
            f"{name:>7}: score {t_score:.3f} s (× {t_score / peer['score']:.2f}), "
            f"audit {t_audit:.3f} s (× {t_audit / peer['audit']:.2f}), "
            f"returns {type(scored).__module__.split('.')[0]}.{type(scored).__name__}"
        )


if __name__ == "__main__":
    main()
