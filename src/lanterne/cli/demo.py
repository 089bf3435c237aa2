"""``lanterne demo``: the main job on the embedded defaults (what ``make demo`` runs).

Generate the synthetic national population (13.8 million households), audit the two
French models on it side by side, and write the report: ``out/report.html``.
"""

from __future__ import annotations

import time
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from lanterne.cli.app import LangOption, app, console, h, invoked_command, status, status_console
from lanterne.cli.options import ClusterOption
from lanterne.cli.population import (
    DEFAULT_HOUSEHOLDS,
    DEFAULT_TARGETS,
    generate_with_progress,
)
from lanterne.cli.report import run_audits, write_report_files
from lanterne.defaults import DEFAULT_MIN_CELL, DEFAULT_POPULATION_SEED, DEMO_SAMPLE
from lanterne.errors import UsageError
from lanterne.extras import require
from lanterne.i18n import Msg, format_number, get_lang, tr
from lanterne.io.atomic import check_folder, write_json_atomic

if TYPE_CHECKING:
    from lanterne.audit import PopulationAudit
    from lanterne.model import Model
    from lanterne.report.blocks import Section


DEMO_MODELS = ("fr-cnaf-2014", "fr-cnaf-dmde-2026")
DEMO_ARCHETYPES = "fr-households"


def _reusable(path: Path, households: int, seed: int) -> bool:
    """Is ``path`` a population this generator made with the same size, seed and targets?"""
    from lanterne.population.generate import GENERATOR_VERSION, read_metadata

    if not path.is_file():
        return False
    try:
        meta = read_metadata(path)
    except Exception:
        return False
    return bool(
        meta
        and meta.get("households") == households
        and meta.get("seed") == seed
        and meta.get("targets") == DEFAULT_TARGETS
        and str(meta.get("generator_version")) == GENERATOR_VERSION
    )


def _nonrecours(
    out: Path,
    population: Path,
    models: list[Model],
    audits: list[PopulationAudit],
    sample: int,
    seed: int,
    client: Any,
) -> list[Section]:
    """The non-take-up section (first model's national selection), its JSON written."""
    from lanterne.report.labels import Labels
    from lanterne.report.nonrecours_section import nonrecours_section
    from lanterne.scale.sample import demo_nonrecours

    if sample == 0 and client is None:
        return []
    started = time.perf_counter()
    group = list(audits[0].groups)[:1]  # family situation: the default list starts with it
    audit, note = demo_nonrecours(
        population, models[0], audits[0].threshold, group_cols=group, sample=sample,
        seed=seed, client=client,
    )  # fmt: skip
    lang = get_lang()
    section = nonrecours_section(audit, Labels.from_models(models), lang)
    section.paragraphs.insert(1, note.paragraph(lang))
    write_json_atomic(
        out / "nonrecours.json",
        {**audit.to_dict(lang), "sample": {**asdict(note), "is_sample": note.is_sample}},
    )
    console.print(
        tr(
            "Non-recours calculé sur {n} foyers ({s} s) ; JSON : {p}",
            "Non-take-up computed on {n} households ({s} s); JSON: {p}",
            n=format_number(note.sampled, None, 0),
            s=f"{time.perf_counter() - started:.0f}",
            p=str(out / "nonrecours.json"),
        ),
        soft_wrap=True,
    )
    return [section]


@app.command(
    "demo",
    help=h(
        "Le travail principal sur les valeurs par défaut (ce que lance make demo) : générer "
        "la population synthétique nationale, auditer les deux modèles français côte à côte "
        "et écrire le rapport.",
        "The main job on the embedded defaults (what make demo runs): generate the "
        "synthetic national population, audit both French models side by side and write "
        "the report.",
    ),
)
def demo(
    out: Annotated[
        Path,
        typer.Option("--out", help=h("Dossier des résultats.", "Folder for the results.")),
    ] = Path("out"),
    households: Annotated[
        int,
        typer.Option(
            "--households",
            min=1000,
            help=h(
                "Nombre de foyers de la population synthétique.",
                "Number of households in the synthetic population.",
            ),
        ),
    ] = DEFAULT_HOUSEHOLDS,
    seed: Annotated[
        int,
        typer.Option("--seed", help=h("Graine aléatoire.", "Random seed.")),
    ] = DEFAULT_POPULATION_SEED,
    pdf: Annotated[
        bool,
        typer.Option("--pdf", help=h("Écrire aussi le PDF.", "Also write the PDF.")),
    ] = False,
    sample: Annotated[
        int,
        typer.Option(
            "--nonrecours-sample",
            min=0,
            help=h(
                "Foyers tirés au hasard pour le non-recours (OpenFisca) ; 0 : pas de "
                "section non-recours. Avec --cluster : toute la population.",
                "Households drawn at random for non-take-up (OpenFisca); 0: no non-take-up "
                "section. With --cluster: the whole population.",
            ),
        ),
    ] = DEMO_SAMPLE,
    cluster: ClusterOption = None,
    lang: LangOption = None,
) -> None:
    """Generate, audit, report."""
    from lanterne.audit.chunks import open_source
    from lanterne.audit.defaults import default_group_cols
    from lanterne.model import load_model
    from lanterne.population.archetypes import load_archetypes
    from lanterne.report import population_report
    from lanterne.scale.cluster import cluster_client

    if out.exists() and not out.is_dir():
        raise UsageError(
            Msg("--out doit être un dossier : {p}", "--out must be a folder: {p}", p=str(out))
        )
    check_folder(out)
    if pdf:
        require("pdf")  # before the minutes of generation, not after them
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    population = out / "population.parquet"
    if _reusable(population, households, seed):
        status_console.print(
            tr(
                "Population déjà générée, réutilisée : {p}",
                "Population already generated, reused: {p}",
                p=str(population),
            )
        )
    else:
        generate_with_progress(population, households, seed, DEFAULT_TARGETS, transient=True)
        status_console.print(
            tr(
                "{n} foyers synthétiques écrits dans {p} ({s} s).",
                "{n} synthetic households written to {p} ({s} s).",
                n=format_number(households, None, 0),
                p=str(population),
                s=f"{time.perf_counter() - started:.0f}",
            )
        )
    models = [load_model(m) for m in DEMO_MODELS]
    source = open_source(population)
    groups = default_group_cols(models, source.columns)  # the same as `lanterne report`
    with cluster_client(cluster) as client:
        audits = run_audits(
            models, source, group_cols=groups, rule=None, min_cell=DEFAULT_MIN_CELL, client=client
        )
        extra = _nonrecours(out, population, models, audits, sample, seed, client)
    for model, audit in zip(models, audits, strict=True):
        audit.write_json(out / f"audit-{model.id}.json")
        status_console.print(
            tr(
                "{m} : {k} foyers sélectionnés sur {n} ; audit JSON : {p}",
                "{m}: {k} households selected out of {n}; audit JSON: {p}",
                m=model.id,
                k=format_number(audit.n_selected, None, 0),
                n=format_number(audit.n, None, 0),
                p=str(out / f"audit-{model.id}.json"),
            ),
            soft_wrap=True,
        )
    with status(tr("Préparation des graphiques…", "Drawing the charts…")):
        report = population_report(
            models,
            audits,
            data=population,
            lang=get_lang(),
            archetypes=load_archetypes(DEMO_ARCHETYPES),
            command=invoked_command(),
            extra_sections=extra,
        )
    write_report_files(report, out / "report.html", out / "report.pdf" if pdf else None)
    console.print(
        tr(
            "Terminé en {s} s. Ouvrez le rapport : {p}",
            "Done in {s} s. Open the report: {p}",
            s=f"{time.perf_counter() - started:.0f}",
            p=str((out / "report.html").resolve()),
        ),
        soft_wrap=True,
    )
