"""``lanterne report``: audit a population with one or more models and write the report."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from lanterne.cli.app import LangOption, app, h, invoked_command, status, status_console
from lanterne.cli.options import (
    ClusterOption,
    ConfusionOption,
    MinCellOption,
    ModelArgument,
    ThresholdOption,
    TopShareOption,
    rule_from_options,
    written,
)
from lanterne.defaults import DEFAULT_MIN_CELL, MIN_SELECTED
from lanterne.errors import UsageError
from lanterne.extras import require
from lanterne.i18n import Msg, format_number, get_lang, pick, tr
from lanterne.io.atomic import check_destination
from lanterne.io.std import is_std, write_stdout

if TYPE_CHECKING:
    from lanterne.audit import PopulationAudit
    from lanterne.audit.chunks import ChunkSource
    from lanterne.model import Model, TargetingRule
    from lanterne.report import Report

ReportOption = Annotated[
    Path | None,
    typer.Option(
        "--report",
        help=h(
            "Écrire aussi le rapport HTML autonome dans ce fichier (« - » : sur la sortie "
            "standard).",
            "Also write the self-contained HTML report to this file ('-': to standard output).",
        ),
    ),
]
PdfOption = Annotated[
    Path | None,
    typer.Option("--pdf", help=h("Écrire aussi ce PDF.", "Also write this PDF.")),
]


def check_output(path: Path, suffixes: tuple[str, ...], option: str) -> None:
    """Fail before any work if a report file cannot be written there (``-``: standard
    output, for HTML only)."""
    if is_std(path) and ".html" in suffixes:
        return
    check_destination(path)
    if path.suffix.lower() not in suffixes:
        raise UsageError(
            Msg(
                "{o} doit finir par {s}, pas « {p} »",
                "{o} must end with {s}, not '{p}'",
                o=option,
                s=" ou ".join(suffixes) if get_lang() == "fr" else " or ".join(suffixes),
                p=path.name,
            )
        )


def check_report_outputs(html: Path | None, pdf: Path | None, option: str) -> None:
    """Check the report files' names and folders before any work."""
    if html is not None:
        check_output(html, (".html", ".htm"), option)
    if pdf is not None:
        if html is None:
            raise UsageError(
                Msg(
                    "--pdf demande aussi --report (le PDF est fait du même HTML)",
                    "--pdf needs --report too (the PDF is made from the same HTML)",
                )
            )
        check_output(pdf, (".pdf",), "--pdf")
        require("pdf")  # before the audit, not after it


def run_audits(
    models: Sequence[Model],
    source: ChunkSource,
    *,
    group_cols: Sequence[str],
    rule: TargetingRule | None,
    min_cell: int,
    client: Any = None,
) -> list[PopulationAudit]:
    """Population audits of each model on the same data, with one progress bar.

    With a Dask ``client``, each audit runs on the cluster (same numbers).
    """
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from lanterne.audit import audit_population

    total = source.n_rows * 2 * len(models)  # two passes per model
    audits = []
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f} %"),
        TimeElapsedColumn(),
        console=status_console,
        transient=True,
    ) as bar:
        task = bar.add_task(tr("Audit de la population…", "Auditing the population…"), total=total)
        for model in models:
            bar.update(
                task,
                description=tr("Audit : {m}", "Auditing: {m}", m=model.id),
            )
            audits.append(
                audit_population(
                    model,
                    source,
                    group_cols=group_cols,
                    targeting=rule,
                    min_cell=min_cell,
                    keep_rows=True,
                    progress=lambda k: bar.advance(task, k),
                    client=client,
                )
            )
    return audits


def write_report_files(report: Report, html: Path, pdf: Path | None) -> None:
    """Write the HTML (and PDF) of a report and say where they are (``-``: the HTML on
    standard output)."""
    from lanterne.report import render_html, write_html, write_pdf

    if is_std(html):
        with status(tr("Écriture du rapport…", "Writing the report…")):
            text = render_html(report)
        write_stdout(text)
        if pdf is not None:
            with status(tr("Création du PDF…", "Making the PDF…")):
                write_pdf(text, pdf)
            written(pdf, "PDF")
        return
    with status(tr("Écriture du rapport…", "Writing the report…")):
        write_html(report, html)
    status_console.print(
        tr("Rapport écrit dans {p}", "Report written to {p}", p=str(html)), soft_wrap=True
    )
    if pdf is not None:
        with status(tr("Création du PDF…", "Making the PDF…")):
            write_pdf(report, pdf)
        written(pdf, "PDF")


@app.command(
    "report",
    help=h(
        "Auditer une population avec un ou plusieurs modèles et écrire le rapport : un seul "
        "fichier HTML autonome (graphiques, provenance, méthode), et un PDF si demandé.",
        "Audit a population with one or more models and write the report: one "
        "self-contained HTML file (charts, provenance, method), and a PDF if asked.",
    ),
)
def report(
    model: ModelArgument,
    data: Annotated[
        str,
        typer.Argument(
            help=h(
                "Foyers : CSV, Parquet, dossier de fichiers Parquet ou table d'une base "
                "(postgresql://…?table=…, duckdb://…?table=…) ; « - » : l'entrée standard.",
                "Households: CSV, Parquet, a folder of Parquet files or a database table "
                "(postgresql://…?table=…, duckdb://…?table=…); '-': standard input.",
            )
        ),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help=h(
                "Fichier HTML du rapport (« - » : sur la sortie standard).",
                "The report's HTML file ('-': to standard output).",
            ),
        ),
    ] = Path("report.html"),
    compare: Annotated[
        list[str] | None,
        typer.Option(
            "--compare",
            help=h(
                "Autre modèle à comparer sur les mêmes foyers (répétable).",
                "Another model to compare on the same households (repeatable).",
            ),
        ),
    ] = None,
    group_col: Annotated[
        list[str] | None,
        typer.Option(
            "--group-col",
            "-g",
            help=h(
                "Colonne de groupe (répétable). Par défaut : situation familiale, sexe, âge, "
                "nationalité, handicap, QPV et les autres variables sensibles du modèle, "
                "celles que les données contiennent.",
                "Group column (repeatable). Default: family situation, sex, age, "
                "nationality, disability, QPV and the model's other sensitive variables, "
                "those the data has.",
            ),
        ),
    ] = None,
    archetypes: Annotated[
        str | None,
        typer.Option(
            "--archetypes",
            help=h(
                "Profils-types à ajouter (identifiant du catalogue ou fichier YAML).",
                "Example households to add (catalog id or YAML file).",
            ),
        ),
    ] = None,
    top_share: TopShareOption = None,
    threshold: ThresholdOption = None,
    min_cell: MinCellOption = DEFAULT_MIN_CELL,
    min_selected: Annotated[
        int,
        typer.Option(
            "--min-selected",
            min=1,
            help=h(
                "Foyers sélectionnés (observés ou attendus) qu'il faut à un groupe pour "
                "qu'un constat soit énoncé en tête du rapport.",
                "Selected households (seen or expected) a group needs before the report "
                "states a finding about it on its first screen.",
            ),
        ),
    ] = MIN_SELECTED,
    description: Annotated[
        str | None,
        typer.Option(
            "--description",
            help=h(
                "D'où viennent les données (affiché dans l'encadré de provenance).",
                "Where the data comes from (shown in the provenance box).",
            ),
        ),
    ] = None,
    confusion: ConfusionOption = None,
    pdf: PdfOption = None,
    cluster: ClusterOption = None,
    lang: LangOption = None,
) -> None:
    """Population audit report."""
    from lanterne.audit.chunks import open_source
    from lanterne.audit.confusion import audit_confusion
    from lanterne.audit.defaults import default_group_cols
    from lanterne.model import load_model
    from lanterne.population.archetypes import load_archetypes
    from lanterne.report import population_report
    from lanterne.report.model_comparison import side_by_side_sections
    from lanterne.scale.cluster import cluster_client

    rule = rule_from_options(top_share, threshold)
    check_report_outputs(output, pdf, "--output")
    models = [load_model(ref) for ref in [model, *(compare or [])]]
    arch = load_archetypes(archetypes) if archetypes else None
    counts = audit_confusion(confusion, min_cell=min_cell) if confusion is not None else None
    source = open_source(data)
    groups = list(group_col or []) or default_group_cols(models, source.columns)
    if not groups:
        raise UsageError(
            Msg(
                "aucune colonne de groupe : indiquez-en avec --group-col",
                "no group column: name some with --group-col",
            )
        )
    with cluster_client(cluster) as client:
        audits = run_audits(
            models, source, group_cols=groups, rule=rule, min_cell=min_cell, client=client
        )
    with status(tr("Préparation des graphiques…", "Drawing the charts…")):
        built = population_report(
            models,
            audits,
            data=data,
            lang=get_lang(),
            archetypes=arch,
            description=description,
            command=invoked_command(),
            extra_files=[confusion] if confusion is not None else (),
            min_selected=min_selected,
        )
        built.sections += side_by_side_sections(models, counts, confusion, get_lang())
    for m, audit in zip(models, audits, strict=True):
        status_console.print(
            tr(
                "{m} : {k} foyers sélectionnés sur {n}.",
                "{m}: {k} households selected out of {n}.",
                m=pick(m.spec.name),
                k=format_number(audit.n_selected, None, 0),
                n=format_number(audit.n, None, 0),
            )
        )
    write_report_files(built, output, pdf)
