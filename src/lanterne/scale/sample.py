"""Non-take-up of a national population from a seeded random sample, with its sampling error.

OpenFisca-France takes minutes per million households: the demo computes rights on a
simple random sample (drawn without replacement, reproducible from its seed) and states
the sampling error of what it shows. The model's selection uses the *national* threshold,
so the sample's selection rates estimate the national ones. On a cluster
(``lanterne demo --cluster``) the whole population is computed instead: no sampling error.

The margins are 95% intervals under simple random sampling, with the finite-population
correction: for a proportion ``p`` estimated on ``m`` sampled units out of ``M``,
``1.96 × √(p(1−p)/m × (1 − m/M))``.

Example:
    >>> round(margin(0.3, 10_000, 1_000_000), 4)
    0.0089
    >>> sample_rows(10, 4, seed=1).tolist()
    [3, 4, 6, 9]
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from lanterne.defaults import DEMO_SAMPLE
from lanterne.i18n import Msg, format_number, format_percent
from lanterne.io.tables import scan_parquet_files

Z95 = 1.959963984540054


def margin(p: float, m: int, population: int) -> float:
    """Half-width of the 95% interval of a proportion ``p`` measured on ``m`` of ``population``."""
    if m <= 0:
        return float("nan")
    fpc = max(0.0, 1.0 - m / population) if population else 1.0
    return Z95 * math.sqrt(max(p * (1.0 - p), 0.0) / m * fpc)


def sample_rows(population: int, size: int, seed: int) -> np.ndarray:
    """Sorted row numbers of a simple random sample without replacement (reproducible)."""
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(population, size=min(size, population), replace=False))


def read_sample(path: str | os.PathLike[str], size: int, seed: int) -> tuple[pl.DataFrame, int]:
    """The sampled households of a Parquet file or folder, and the population's size."""
    scan = scan_parquet_files(path)
    total = int(scan.select(pl.len()).collect().item())
    rows = pl.Series("row", sample_rows(total, size, seed), dtype=pl.UInt32)
    frame = (
        scan.with_row_index("row").filter(pl.col("row").is_in(rows.implode())).drop("row").collect()
    )
    return frame, total


@dataclass(frozen=True)
class SampleNote:
    """How the non-take-up figures were obtained: on a sample (with margins) or on all."""

    sampled: int
    population: int
    seed: int | None
    rate: float | None  # overall non-take-up among entitled households
    rate_margin: float | None
    entitled_share: float | None
    entitled_margin: float | None
    widest_group_margin: float | None

    @property
    def is_sample(self) -> bool:
        return self.sampled < self.population

    def paragraph(self, lang: str) -> str:
        """One sentence for the report: sample size, seed and margins, or 'all households'."""
        if not self.is_sample:
            return Msg(
                "Calculé sur les {n} foyers de la population : pas d'erreur d'échantillonnage.",
                "Computed on all {n} households of the population: no sampling error.",
                n=format_number(self.population, lang, 0),
            ).render(lang)
        pct = lambda v: "—" if v is None else format_percent(v, lang, 1)  # noqa: E731
        return Msg(
            "Calculé sur un échantillon aléatoire de {m} foyers parmi {n} (tirage simple "
            "sans remise, graine {s}), faute de temps pour simuler toute la population "
            "(« lanterne demo --cluster » le fait). Erreur d'échantillonnage (intervalle à "
            "95 %) : part des foyers ayant droit {e} ± {em} ; non-recours {r} ± {rm} ; "
            "jusqu'à ± {gm} pour les taux d'un groupe. Les montants et effectifs sont ceux "
            "de l'échantillon ; multipliez-les par {f} pour la population entière.",
            "Computed on a random sample of {m} households out of {n} (simple random "
            "sampling without replacement, seed {s}), as simulating the whole population "
            "takes too long here ('lanterne demo --cluster' does it). Sampling error (95% "
            "interval): share of entitled households {e} ± {em}; non-take-up {r} ± {rm}; "
            "up to ± {gm} for a group's rates. Amounts and counts are the sample's; "
            "multiply them by {f} for the whole population.",
            m=format_number(self.sampled, lang, 0),
            n=format_number(self.population, lang, 0),
            s=self.seed,
            e=pct(self.entitled_share),
            em=pct(self.entitled_margin),
            r=pct(self.rate),
            rm=pct(self.rate_margin),
            gm=pct(self.widest_group_margin),
            f=format_number(self.population / self.sampled, lang, 1),
        ).render(lang)


def sample_note(audit: Any, population: int, seed: int | None) -> SampleNote:
    """Margins of a non-take-up audit computed on ``audit.totals['households']`` households."""
    totals = audit.totals
    m = int(totals["households"])
    entitled = int(totals["entitled"])
    rate = totals.get("nonrecours_rate")
    share = entitled / m if m else None
    widest = None
    for row in audit.table.to_dicts():
        p = row.get("nonrecours_rate")
        if p is not None and row["entitled"]:
            # within a group: entitled households sampled out of about M/m times as many
            g = margin(p, int(row["entitled"]), int(row["entitled"] * population / m))
            widest = g if widest is None else max(widest, g)
    return SampleNote(
        sampled=m,
        population=population,
        seed=seed,
        rate=rate,
        rate_margin=margin(rate, entitled, round(entitled * population / m)) if rate else None,
        entitled_share=share,
        entitled_margin=margin(share, m, population) if share is not None else None,
        widest_group_margin=widest,
    )


def demo_nonrecours(
    path: str | os.PathLike[str],
    model: Any,
    threshold: float,
    *,
    group_cols: list[str],
    sample: int = DEMO_SAMPLE,
    seed: int = 0,
    client: Any = None,
    workers: int = 2,
) -> tuple[Any, SampleNote]:
    """Non-take-up of the population at ``path``: on a sample, or on all rows with ``client``.

    ``threshold`` is the model's national selection threshold (from the population audit),
    so selection rates are the national rule's, whatever the sample.
    """
    from lanterne.model import TargetingRule
    from lanterne.rights.audit import audit_nonrecours
    from lanterne.rights.simulate import REFERENCE_MONTH

    if client is None:
        frame, total = read_sample(path, sample, seed)
    else:
        frame = scan_parquet_files(path).collect()
        total = frame.height
    audit = audit_nonrecours(
        frame,
        REFERENCE_MONTH,  # the demo's figures are quoted in the docs: a fixed month
        group_cols=group_cols,
        model=model.id,
        targeting=TargetingRule(threshold=threshold),
        seed=seed,
        workers=workers,
        client=client,
        file=str(path),
    )
    return audit, sample_note(audit, total, seed if client is None else None)
