"""Benchmark: score 13.8 million households with fr-cnaf-2014 (issue: target ≤ 3 s, ≤ 3 GB).

Peer: the same log-odds written directly in NumPy (features by hand, one pass each),
measured in the same run on the same data. Prints the figures and the ratio.

    python benchmarks/bench_score.py           # national scale
    LANTERNE_BENCH_ROWS=1000000 python benchmarks/bench_score.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import NATIONAL_HOUSEHOLDS, households, random_table, timed
from lanterne.model import load_model


def numpy_scores(model, data: pl.DataFrame) -> np.ndarray:
    """fr-cnaf-2014 in plain NumPy: the simplest fast baseline of the same computation."""
    g = {c: data[c].to_numpy() for c, t in data.schema.items() if not isinstance(t, pl.Enum)}

    def codes(name: str, *values: str) -> np.ndarray:
        """Rows whose category is one of ``values``, compared on the Enum's integer codes."""
        cats = model.spec.variable(name).categories
        physical = data[name].to_physical().to_numpy()
        return np.isin(physical, [cats.index(v) for v in values])

    couple = codes("family_type", "couple", "couple_children")
    cu = 1 + 0.5 * couple + 0.3 * g["n_children"]
    resources = g["income_monthly"].astype(np.float64) + g["avg_benefits_12m"]
    per_cu = resources / cu
    rent = np.divide(
        g["rent_monthly"], resources, out=np.ones_like(resources), where=resources != 0
    )
    working = codes("head_activity", "employed", "self_employed", "apprentice")
    features = {
        "very_low_income": per_cu < 600,
        "low_income": (per_cu >= 600) & (per_cu < 1000),
        "unemployed": codes("head_activity", "unemployed")
        | codes("partner_activity", "unemployed"),
        "receives_rsa": g["receives_rsa"],
        "qpv": g["qpv"],
        "high_rent_share": rent > 0.4,
        "unstable_work": (g["months_worked_12m"] >= 1) & (g["months_worked_12m"] <= 9),
        "unstable_income": g["income_changes_12m"] >= 3,
        "aah_while_working": g["receives_aah"] & working,
        "separated_recently": g["separated_recently"],
        "single_parent": codes("family_type", "single_parent"),
        "child_19_plus": g["child_19_plus"],
        "frequent_rent_changes": g["rent_changes_18m"] >= 4,
        "apprentice_child": codes("oldest_child_activity", "apprentice"),
        "long_since_control": g["months_since_last_control"] >= 24,
        "frequent_contacts": g["contacts_12m"] >= 6,
    }
    log_odds = np.full(data.height, model.base)
    for term in model.terms:
        log_odds += term.weight * features[term.name]
    return 1 / (1 + np.exp(-log_odds))


def peak_memory_of_cli_run(path: Path) -> float:
    """Peak RSS (GB) of a fresh process that reads the Parquet file and scores it."""
    code = (
        "import polars as pl\n"
        "from common import peak_rss_gb\n"
        "from lanterne.model import load_model\n"
        f"data = pl.read_parquet({str(path)!r})\n"
        "load_model('fr-cnaf-2014').score(data)\n"
        "print(peak_rss_gb())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent,
    )
    return float(out.stdout.strip())


def main() -> None:
    n = households(NATIONAL_HOUSEHOLDS)
    model = load_model("fr-cnaf-2014")
    data = random_table(model.spec, n)
    seconds, scored = timed(lambda: model.score(data), repeat=3)
    numpy_seconds, expected = timed(lambda: numpy_scores(model, data), repeat=3)
    gap = float(np.max(np.abs(scored["score"].to_numpy() - expected)))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "households.parquet"
        data.write_parquet(path)
        peak = peak_memory_of_cli_run(path)
    result = {
        "benchmark": "score fr-cnaf-2014",
        "rows": n,
        "seconds": round(seconds, 3),
        "rows_per_second": round(n / seconds),
        "numpy_baseline_seconds": round(numpy_seconds, 3),
        "ratio_vs_numpy": round(numpy_seconds / seconds, 2),
        "max_abs_difference": gap,
        "peak_rss_gb_read_and_score": round(peak, 2),
        "target": "≤ 3 s and ≤ 3 GB for 13.8 M rows on 2 cores",
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
