"""How ``lanterne population check --openfisca`` shows its comparison with OpenFisca-France."""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl
from rich.table import Table

from lanterne.cli.app import console
from lanterne.i18n import Msg, format_number, format_percent, tr
from lanterne.population.legal import LEFT_OUT
from lanterne.population.openfisca_check import (
    GOAL_AGREEMENT,
    GOAL_MEDIAN_GAP,
    OpenfiscaReport,
)
from lanterne.population.targets import PopulationTargets

#: How each compared benefit reads.
BENEFIT_LABELS: dict[str, Msg] = {
    "rsa": Msg("RSA", "RSA"),
    "ppa": Msg("Prime d'activité", "Activity bonus"),
    "aide_logement": Msg("Aide au logement", "Housing benefit"),
    "aah": Msg("AAH", "AAH"),
    "af": Msg("Allocations familiales", "Family allowances"),
}


def reference_month(population: str | os.PathLike[str], targets: PopulationTargets) -> str:
    """The month whose law the population follows: its metadata, else the targets file's."""
    from lanterne.population.generate import read_metadata

    path = Path(population)
    if path.is_file():
        try:
            meta = read_metadata(path) or {}
        except (OSError, ValueError, pl.exceptions.PolarsError):
            meta = {}
        legal_date = meta.get("legal_date")
        if isinstance(legal_date, str) and len(legal_date) >= 7:
            return legal_date[:7]
    return targets.reference_date[:7]


def _percent(value: float) -> str:
    return format_percent(value, None, 2)


def print_comparison(report: OpenfiscaReport) -> None:
    """A table per benefit, the worst cases with their inputs, and the rules left out."""
    table = Table(
        title=tr(
            "Montants du générateur et d'OpenFisca-France {v}, {p} ({n} foyers, graine {s})",
            "Generator's amounts and OpenFisca-France {v}'s, {p} ({n} households, seed {s})",
            v=report.version,
            p=report.period,
            n=format_number(report.households, None, 0),
            s=report.seed,
        )
    )
    table.add_column(tr("Prestation", "Benefit"))
    table.add_column(tr("Comparés", "Compared"), justify="right")
    table.add_column(tr("Accord sur le droit", "Eligibility agreement"), justify="right")
    table.add_column(tr("Ouverts des deux côtés", "Eligible on both sides"), justify="right")
    table.add_column(tr("Écart relatif médian", "Median relative gap"), justify="right")
    table.add_column(tr("95e centile", "95th percentile"), justify="right")
    table.add_column("", justify="center")
    for key, b in report.benefits.items():
        table.add_row(
            BENEFIT_LABELS[key].render(None) if key in BENEFIT_LABELS else key,
            format_number(b.compared, None, 0),
            _percent(b.eligibility_agreement),
            format_number(b.both_eligible, None, 0),
            _percent(b.median_rel_gap),
            _percent(b.p95_rel_gap),
            "[green]✓[/]" if b.meets_goals else "[bold red]✗[/]",
        )
    console.print(table)
    console.print(
        tr(
            "Objectifs : accord sur le droit ≥ {a}, écart relatif médian ≤ {g} (foyers dont "
            "la situation est stable sur la période).",
            "Goals: eligibility agreement ≥ {a}, median relative gap ≤ {g} (households "
            "whose situation is steady over the period).",
            a=_percent(GOAL_AGREEMENT),
            g=_percent(GOAL_MEDIAN_GAP),
        )
    )
    for key, b in report.benefits.items():
        if not b.worst:
            continue
        label = BENEFIT_LABELS[key].render(None) if key in BENEFIT_LABELS else key
        console.print(
            tr("[bold]{b}[/] : plus grands écarts", "[bold]{b}[/]: largest gaps", b=label)
        )
        for case in b.worst:
            inputs = ", ".join(f"{k}={_short(v)}" for k, v in case["inputs"].items())
            why = "; ".join(LEFT_OUT[r].render(None) for r in case["left_out"] if r in LEFT_OUT)
            console.print(
                tr(
                    "  Lanterne {l} €, OpenFisca {o} € — {i}",
                    "  Lanterne €{l}, OpenFisca €{o} — {i}",
                    l=format_number(case["lanterne"], None, 2),
                    o=format_number(case["openfisca"], None, 2),
                    i=inputs,
                )
                + (tr(" — règle omise : {w}", " — rule left out: {w}", w=why) if why else ""),
                highlight=False,
            )


def _short(value: object) -> str:
    if isinstance(value, float):
        return format_number(value, None, 2)
    return str(value)
