"""Compare the generator's benefit formulas with OpenFisca-France on a seeded sample.

The generator computes RSA, activity bonus (PPA), housing benefit, AAH and family
allowances (AF) with fast NumPy formulas (:mod:`lanterne.population.legal`). This check
draws ``n`` households of a population (seeded), turns them into the persons and dwellings
OpenFisca-France needs (:func:`lanterne.rights.inputs.derive_situations`, a steady
situation over the years the rules look back at), runs OpenFisca-France on them in one
simulation per chunk, runs the fast formulas on the very same households, and reports per
benefit: households compared, the share where both agree on eligibility, and the median
and 95th percentile of the relative gap among households both find eligible, with the
worst cases and their inputs.

Example:
    >>> from lanterne.population.generate import generate_frame
    >>> report = openfisca_check(generate_frame(300, seed=3), "2023-12", n=100, seed=1)
    >>> report.benefits["rsa"].compared
    100
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from lanterne.defaults import DEFAULT_OPENFISCA_SEED
from lanterne.errors import DataError, Problem
from lanterne.i18n import Msg
from lanterne.io.tables import scan_parquet_files
from lanterne.population import legal
from lanterne.population.law import Law, legal_parameters

#: Benefits compared: Lanterne's name -> (OpenFisca variable, entity).
COMPARED: dict[str, tuple[str, str]] = {
    "rsa": ("rsa", "famille"),
    "ppa": ("ppa", "famille"),
    "aide_logement": ("aide_logement", "famille"),
    "aah": ("aah", "individu"),
    "af": ("af", "famille"),
}
#: Goals of the check (issue 15): eligibility agreement and median relative gap.
GOAL_AGREEMENT = 0.99
GOAL_MEDIAN_GAP = 0.01
#: Default sample size and seed.
DEFAULT_SAMPLE = 2000
DEFAULT_SEED = DEFAULT_OPENFISCA_SEED
#: Relative gaps this small are rounding (OpenFisca computes in 32-bit floats).
ROUNDING = 0.001
#: Households per OpenFisca simulation.
CHUNK = 5000
#: Columns shown with a worst case.
SHOWN = (
    "family_type",
    "n_children",
    "head_age",
    "head_activity",
    "partner_activity",
    "income_monthly",
    "housing_status",
    "rent_monthly",
    "department",
    "receives_aah",
    "oldest_child_activity",
    "separated_recently",
    "nationality",
)


@dataclass(frozen=True)
class BenefitComparison:
    """One benefit: fast formulas against OpenFisca-France."""

    name: str
    compared: int
    eligibility_agreement: float
    both_eligible: int
    median_rel_gap: float
    p95_rel_gap: float
    worst: list[dict[str, Any]] = field(default_factory=list)

    @property
    def meets_goals(self) -> bool:
        return (
            self.eligibility_agreement >= GOAL_AGREEMENT and self.median_rel_gap <= GOAL_MEDIAN_GAP
        )

    def contract(self) -> dict[str, Any]:
        return {
            "compared": self.compared,
            "eligibility_agreement": self.eligibility_agreement,
            "median_rel_gap": self.median_rel_gap,
            "p95_rel_gap": self.p95_rel_gap,
        }


@dataclass(frozen=True)
class OpenfiscaReport:
    """Every compared benefit, with the OpenFisca-France version and month used."""

    version: str
    period: str
    households: int
    seed: int
    benefits: dict[str, BenefitComparison]

    @property
    def all_ok(self) -> bool:
        return all(b.meets_goals for b in self.benefits.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "period": self.period,
            "benefits": {k: b.contract() for k, b in self.benefits.items()},
            "households": self.households,
            "seed": self.seed,
            "goals": {"eligibility_agreement": GOAL_AGREEMENT, "median_rel_gap": GOAL_MEDIAN_GAP},
            "worst": {k: b.worst for k, b in self.benefits.items()},
        }


def sample_households(
    population: str | os.PathLike[str] | pl.DataFrame, n: int, seed: int
) -> pl.DataFrame:
    """``n`` households drawn without replacement (seeded), in file order."""
    from lanterne.rights.inputs import INPUT_COLUMNS

    if isinstance(population, pl.DataFrame):
        lazy = population.lazy()
    else:
        lazy = scan_parquet_files(Path(population))
    names = lazy.collect_schema().names()
    wanted = [c for c in INPUT_COLUMNS if c in names]
    total = int(lazy.select(pl.len()).collect().item())
    if total == 0:
        raise DataError([Problem(Msg("la population est vide", "the population is empty"))])
    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice(total, size=min(n, total), replace=False))
    chosen = pl.DataFrame({"_row": pl.Series(rows, dtype=pl.UInt32)}).lazy()
    return (
        lazy.select(wanted)
        .with_row_index("_row")
        .join(chosen, on="_row", how="semi", maintain_order="left")
        .drop("_row")
        .collect()
    )


def _reasons(
    name: str, row: dict[str, Any], h: legal.Households, i: int, both: dict[str, bool]
) -> list[str]:
    """Rules the fast path leaves out that apply to this household (keys of LEFT_OUT)."""
    out = []
    if name == "ppa" and h.incapacity[i] > 0 and h.salary[i, 0] > 0:
        out.append("earlier_months")
    if name in ("rsa", "aide_logement") and both["rsa"] and both["aide_logement"]:
        out.append("rsa_housing_loop")
    if bool((h.child_ages[i] >= 0).any() and (h.child_ages[i][h.child_ages[i] >= 0] < 3).any()):
        out.append("paje")
    if (h.child_ages[i] >= 3).sum() >= 3 or h.overseas[i]:
        out.append("cf")
    return out


def _compare(
    name: str,
    fast: np.ndarray,
    reference: np.ndarray,
    frame: pl.DataFrame,
    h: legal.Households,
    worst_n: int,
    paid: dict[str, np.ndarray],
) -> BenefitComparison:
    fast_on, ref_on = fast > 0, reference > 0
    agree = float((fast_on == ref_on).mean()) if fast.size else 1.0
    both = fast_on & ref_on
    gaps = np.abs(fast - reference) / np.where(ref_on, reference, 1.0)
    both_gaps = gaps[both]
    median = float(np.median(both_gaps)) if both_gaps.size else 0.0
    p95 = float(np.quantile(both_gaps, 0.95)) if both_gaps.size else 0.0
    badness = np.where(fast_on != ref_on, np.inf, np.where(both, gaps, 0.0))
    order = np.argsort(-badness, kind="stable")[:worst_n]
    worst = []
    shown = [c for c in SHOWN if c in frame.columns]
    for i in order:
        if badness[i] <= ROUNDING:
            break  # the rest differ by cents of rounding
        row = {c: frame[c][int(i)] for c in shown}
        worst.append(
            {
                "inputs": row,
                "lanterne": round(float(fast[i]), 2),
                "openfisca": round(float(reference[i]), 2),
                "rel_gap": None if not np.isfinite(badness[i]) else round(float(gaps[i]), 4),
                "left_out": _reasons(name, row, h, int(i), {k: v[i] > 0 for k, v in paid.items()}),
            }
        )
    return BenefitComparison(
        name=name,
        compared=int(fast.size),
        eligibility_agreement=agree,
        both_eligible=int(both.sum()),
        median_rel_gap=median,
        p95_rel_gap=p95,
        worst=worst,
    )


def openfisca_check(
    population: str | os.PathLike[str] | pl.DataFrame,
    month: str,
    n: int = DEFAULT_SAMPLE,
    seed: int = DEFAULT_SEED,
    worst: int = 5,
    law: Law | None = None,
) -> OpenfiscaReport:
    """Run OpenFisca-France and the fast formulas on ``n`` sampled households and compare."""
    from lanterne.rights.inputs import derive_situations
    from lanterne.rights.simulate import check_month, simulate

    check_month(month)
    law = law or legal_parameters(month)
    frame = sample_households(population, n, seed)
    fast: dict[str, list[np.ndarray]] = {k: [] for k in COMPARED}
    reference: dict[str, list[np.ndarray]] = {k: [] for k in COMPARED}
    parts = []
    for start in range(0, frame.height, CHUNK):
        chunk = frame.slice(start, CHUNK)
        situations = derive_situations(chunk)
        h = legal.from_situations(situations)
        parts.append(h)
        mine = legal.benefits(h, law)
        theirs = simulate(situations, month, COMPARED)
        for key in COMPARED:
            fast[key].append(mine[key])
            reference[key].append(theirs[key])
    h_all = parts[0] if len(parts) == 1 else _concat(parts)
    paid = {key: np.concatenate(reference[key]) for key in COMPARED}
    benefits = {
        key: _compare(key, np.concatenate(fast[key]), paid[key], frame, h_all, worst, paid)
        for key in COMPARED
    }
    return OpenfiscaReport(
        version=law.openfisca_version,
        period=month,
        households=frame.height,
        seed=seed,
        benefits=benefits,
    )


def _concat(parts: list[legal.Households]) -> legal.Households:
    width = max(p.child_ages.shape[1] for p in parts)
    values: dict[str, Any] = {}  # the fields of legal.Households
    for name in legal.Households.__dataclass_fields__:
        arrays = [getattr(p, name) for p in parts]
        if name == "accession":
            values[name] = None
            continue
        if name == "child_ages":
            arrays = [
                np.pad(a, ((0, 0), (0, width - a.shape[1])), constant_values=-1) for a in arrays
            ]
        values[name] = np.concatenate(arrays)
    return legal.Households(**values)
