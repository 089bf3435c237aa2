"""Explain one household and search what the model reacts to: how long a person waits.

Figures (JSON on stdout):

- ``explain_s``: build a household from a file and explain it against a population
  already scored (what the web app's "My score" page does per request);
  ``explain_first_s`` is the first request, which also sorts the population's scores;
- ``population_s``: score the population once (``LANTERNE_BENCH_ROWS``, default 1 M rows);
- ``counterfactual_s``: the exact search with bounds, for two households;
- peer ``exhaustive_s``: every combination of the same candidate values scored in
  vectorised batches, with no pruning — the simplest exact method. Its answer (number of
  variables changed, sets found) is compared with the search's and must agree.
"""

from __future__ import annotations

import json
import math
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import households, peak_rss_gb, random_table, timed
from lanterne.explain import (
    build_household,
    counterfactuals,
    explain_household,
    score_population,
)
from lanterne.explain.candidates import candidate_values, with_values
from lanterne.explain.counterfactual import mutable_variables
from lanterne.model import load_model

ROOT = Path(__file__).resolve().parents[1]
BATCH = 1_000_000


def exhaustive(model, row, threshold: float) -> tuple[int | None, set[tuple[str, ...]], int]:
    """Score every combination of candidate values; smallest number of changes and sets."""
    names = mutable_variables(model)
    cands = candidate_values(model, row, names)
    names = [n for n in names if len(cands[n]) > 1]
    shape = tuple(len(cands[n]) for n in names)
    current = [cands[n].index(row[n][0]) for n in names]
    total = math.prod(shape)
    best: int | None = None
    sets: set[tuple[str, ...]] = set()
    for start in range(0, total, BATCH):
        stop = min(total, start + BATCH)
        index = np.unravel_index(np.arange(start, stop), shape)
        columns = {
            n: [cands[n][i] for i in idx.tolist()] for n, idx in zip(names, index, strict=True)
        }
        scores = model.scores(with_values(row, columns, stop - start), prepared=True).to_numpy()
        ok = scores < threshold
        if not ok.any():
            continue
        changed = np.stack([idx != c for idx, c in zip(index, current, strict=True)], axis=1)
        counts = changed.sum(axis=1)
        k = int(counts[ok].min())
        if best is None or k < best:
            best, sets = k, set()
        if k == best:
            for mask_row in np.unique(changed[ok & (counts == k)], axis=0):
                sets.add(tuple(n for n, c in zip(names, mask_row, strict=True) if c))
    return best, sets, total


def main() -> None:
    model = load_model("fr-cnaf-2014")
    n = households(1_000_000)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "population.parquet"
        random_table(model.spec, n).write_parquet(path)
        population_s, population = timed(lambda: score_population(model, path), repeat=1)

    def explain_one():
        house = build_household(model, file=ROOT / "docs" / "examples" / "foyer.yaml")
        return explain_household(model, house, population=population)

    first_s, _ = timed(explain_one, repeat=1)  # sorts the population's scores once
    explain_s, explanation = timed(explain_one, repeat=5)

    cases = []
    for label, house, threshold in [
        (
            "single-mother-rsa, threshold 0.07",
            build_household(model, archetype="single-mother-rsa"),
            0.07,
        ),
        (
            "docs/examples/foyer.yaml, threshold 0.1751",
            build_household(model, file=ROOT / "docs" / "examples" / "foyer.yaml"),
            0.1751,
        ),
    ]:
        search_s, found = timed(lambda h=house, t=threshold: counterfactuals(model, h, t), repeat=3)
        start = time.perf_counter()
        k, sets, total = exhaustive(model, house.frame, threshold)
        exhaustive_s = time.perf_counter() - start
        agree = k == found.min_changes and sets == {s.variables for s in found.sets}
        cases.append(
            {
                "household": label,
                "counterfactual_s": round(search_s, 3),
                "min_changes": found.min_changes,
                "sets": len(found.sets),
                "scored": found.evaluated,
                "skipped_sets": found.pruned,
                "exhaustive_s": round(exhaustive_s, 3),
                "exhaustive_scored": total,
                "ratio_exhaustive_over_search": round(exhaustive_s / search_s, 1),
                "answers_agree": agree,
            }
        )
        if not agree:
            raise SystemExit(f"the search and the exhaustive peer disagree for {label}")
    print(
        json.dumps(
            {
                "benchmark": "explain",
                "model": model.id,
                "population_rows": n,
                "population_s": round(population_s, 3),
                "explain_first_s": round(first_s, 4),
                "explain_s": round(explain_s, 4),
                "score": explanation.score,
                "counterfactual": cases,
                "peak_rss_gb": round(peak_rss_gb(), 2),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
