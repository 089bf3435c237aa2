"""Benchmark: secondary suppression of an audit's tables (a stratified intersection).

A 4-way cross-classification (2 strata × D departments × 6 age bands × 2 sexes) published
as every table a ``audit population --intersect --condition-col`` would publish: the
overall, each column, the intersection, the strata, each column and the intersection
within the strata, with the selected count as a second published count. Counts are drawn
so that about a third of the cells are small (a small population split finely: the hard
case). Peer, same run: primary suppression alone (one comparison per cell), which is what
Lanterne did before and what anyone can undo by subtraction.

    python benchmarks/bench_suppression.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import timed
from lanterne.audit.suppression import margin_relations, suppress

NAMES = ("q", "d", "a", "s")
PUBLISHED = [
    (),
    ("d",),
    ("a",),
    ("s",),
    ("d", "a", "s"),
    ("q",),
    ("q", "d"),
    ("q", "a"),
    ("q", "s"),
    ("q", "d", "a", "s"),
]


def tables(departments: int, seed: int = 0) -> tuple[dict, dict]:
    rng = np.random.default_rng(seed)
    cube = rng.poisson(rng.gamma(0.6, 30, size=(2, departments, 6, 2)))
    out, selected = {}, {}
    for cols in PUBLISHED:
        axes = tuple(i for i, n in enumerate(NAMES) if n not in cols)
        summed = cube.sum(axis=axes)
        out[cols] = {i: int(summed[i]) for i in np.ndindex(summed.shape) if summed[i] > 0}
        for i, v in out[cols].items():
            selected[(cols, i)] = v // 20
    return out, selected


def main() -> None:
    results = []
    for departments in (10, 30, 100):
        published, selected = tables(departments)
        sizes, relations = margin_relations(published)

        def secondary(sizes=sizes, relations=relations, selected=selected) -> dict:
            return suppress(sizes, relations, min_cell=10, published={((), ())}, counts=[selected])

        def primary(sizes=sizes) -> dict:
            return {k: "primary" for k, n in sizes.items() if 0 < n < 10 and k != ((), ())}

        seconds, hidden = timed(secondary, repeat=1)
        peer_seconds, first = timed(primary, repeat=3)
        results.append(
            {
                "cells": len(sizes),
                "relations": len(relations),
                "primary": len(first),
                "hidden": len(hidden),
                "seconds": round(seconds, 3),
                "primary_only_seconds": round(peer_seconds, 5),
                "ratio_vs_primary_only": round(seconds / max(peer_seconds, 1e-9)),
            }
        )
    print(json.dumps({"benchmark": "secondary suppression", "runs": results}, indent=2))


if __name__ == "__main__":
    main()
