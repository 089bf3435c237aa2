"""``lanterne demo``: the main job on the embedded defaults (what ``make demo`` runs)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lanterne.catalog import sample_path
from lanterne.cli.app import LangOption, app, console, h
from lanterne.i18n import tr
from lanterne.io.tables import read_table, write_table
from lanterne.model import load_model
from lanterne.scoring import score_summary

DEMO_MODELS = ("fr-cnaf-2014", "fr-cnaf-dmde-2026")


@app.command(
    "demo",
    help=h(
        "Le travail principal sur les données embarquées (ce que lance make demo).",
        "The main job on the embedded defaults (what make demo runs).",
    ),
)
def demo(
    out: Annotated[
        Path,
        typer.Option("--out", help=h("Dossier des résultats.", "Folder for the results.")),
    ] = Path("out"),
    lang: LangOption = None,
) -> None:
    """Score the embedded synthetic sample with both French models and summarise."""
    out.mkdir(parents=True, exist_ok=True)
    data = read_table(sample_path())
    console.print(
        tr(
            "Échantillon synthétique embarqué : {n} foyers fictifs ({p}).",
            "Embedded synthetic sample: {n} fictitious households ({p}).",
            n=data.height,
            p=sample_path().name,
        )
    )
    for model_id in DEMO_MODELS:
        model = load_model(model_id)
        scored = model.score(data)
        target = out / f"scores-{model_id}.parquet"
        write_table(scored, target)
        console.rule(f"[bold]{model_id}[/bold]")
        console.print(score_summary(scored, model.targeting).render())
        console.print(tr("→ {p}", "→ {p}", p=str(target)))
