"""``lanterne population``: generate a synthetic national population and check it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from lanterne.cli.app import LangOption, app, console, h, status, status_console
from lanterne.cli.options import check_outputs, save_json
from lanterne.defaults import DEFAULT_OPENFISCA_SEED, DEFAULT_POPULATION_SEED
from lanterne.errors import UsageError
from lanterne.i18n import Msg, format_number, get_lang, pick, tr
from lanterne.io.std import is_std

if TYPE_CHECKING:
    from lanterne.population.check import CheckReport
    from lanterne.population.generate import GenerationInfo
    from lanterne.population.targets import PopulationTargets


#: Households receiving benefits from the French family-benefits agency (the default size).
DEFAULT_HOUSEHOLDS = 13_800_000
DEFAULT_TARGETS = "fr-caf-2023"

population_app = typer.Typer(
    help=h(
        "Population synthétique nationale : générer un fichier Parquet calé sur les "
        "statistiques publiques, et vérifier son calage.",
        "Synthetic national population: generate a Parquet file calibrated to public "
        "statistics, and check its calibration.",
    ),
    no_args_is_help=True,
)
app.add_typer(population_app, name="population")

TargetsOption = Annotated[
    str,
    typer.Option(
        "--targets",
        help=h(
            "Cibles de calage : identifiant du catalogue (catalog/populations) ou fichier YAML.",
            "Calibration targets: catalog id (catalog/populations) or YAML file.",
        ),
    ),
]


@population_app.command(
    "generate",
    help=h(
        "Générer une population synthétique (Parquet), par blocs, déterministe pour une "
        "graine et une taille données.",
        "Generate a synthetic population (Parquet), in chunks, deterministic for a given "
        "seed and size.",
    ),
)
def generate(
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help=h(
                "Fichier Parquet à écrire (« - » : sur la sortie standard).",
                "Parquet file to write ('-': to standard output).",
            ),
        ),
    ],
    households: Annotated[
        int,
        typer.Option(
            "--households",
            "-n",
            help=h(
                "Nombre de foyers (13,8 millions : les foyers allocataires de la CNAF).",
                "Number of households (13.8 million: the CNAF's benefit households).",
            ),
        ),
    ] = DEFAULT_HOUSEHOLDS,
    seed: Annotated[
        int,
        typer.Option("--seed", "-s", help=h("Graine du hasard.", "Random seed.")),
    ] = DEFAULT_POPULATION_SEED,
    targets: TargetsOption = DEFAULT_TARGETS,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            max=64,
            help=h(
                "Processus de calcul en parallèle (le résultat ne change pas).",
                "Worker processes in parallel (the result does not change).",
            ),
        ),
    ] = 2,
    lang: LangOption = None,
) -> None:
    """Generate a synthetic population and write it as Parquet, atomically."""
    from lanterne.population.targets import load_targets

    if is_std(output):
        _generate_to_stdout(households, seed, load_targets(targets), workers)
        return
    if output.suffix.lower() not in (".parquet", ".pq"):
        raise UsageError(
            Msg(
                "la population s'écrit en Parquet : donnez un fichier .parquet (reçu {p})",
                "the population is written as Parquet: give a .parquet file (got {p})",
                p=str(output),
            )
        )
    check_outputs(output)
    info = generate_with_progress(output, households, seed, load_targets(targets), workers=workers)
    status_console.print(
        tr(
            "{n} foyers synthétiques écrits dans {p} (graine {s}, cibles {t}).",
            "{n} synthetic households written to {p} (seed {s}, targets {t}).",
            n=format_number(info.households, None, 0),
            p=str(output),
            s=info.seed,
            t=info.targets,
        )
    )
    status_console.print(
        tr(
            "Vérifier le calage : lanterne population check {p} --targets {t}",
            "Check the calibration: lanterne population check {p} --targets {t}",
            p=str(output),
            t=info.targets,
        )
    )


def _generate_to_stdout(
    households: int, seed: int, targets: PopulationTargets, workers: int
) -> None:
    """Generate into a private temporary file, then copy it to standard output."""
    import shutil
    import sys
    import tempfile

    with tempfile.TemporaryDirectory(prefix="lanterne-") as folder:
        path = Path(folder) / "population.parquet"
        generate_with_progress(path, households, seed, targets, workers=workers, transient=True)
        with open(path, "rb") as source:
            sys.stdout.flush()
            shutil.copyfileobj(source, sys.stdout.buffer, 1 << 20)
        sys.stdout.flush()


def generate_with_progress(
    output: Path,
    households: int,
    seed: int,
    targets: PopulationTargets | str,
    *,
    workers: int = 2,
    transient: bool = False,
) -> GenerationInfo:
    """Generate a population to ``output`` with a progress bar of households written."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from lanterne.population.generate import generate_population

    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=status_console,
        transient=transient,
    )
    with progress:
        task = progress.add_task(tr("Foyers", "Households"), total=households)
        return generate_population(
            output,
            households,
            seed,
            targets,
            workers=workers,
            progress=lambda rows: progress.advance(task, rows),
        )


@population_app.command(
    "check",
    help=h(
        "Comparer une population à ses cibles de calage : cible, obtenu, écart, dans la "
        "tolérance ou non ; avec --openfisca, comparer aussi ses montants de prestations "
        "à OpenFisca-France (code de sortie 1 si une cible est hors tolérance ou si un "
        "objectif de la comparaison n'est pas atteint).",
        "Compare a population with its calibration targets: target, achieved, gap, within "
        "tolerance or not; with --openfisca, also compare its benefit amounts with "
        "OpenFisca-France (exit code 1 if a target is out of tolerance or a goal of the "
        "comparison is missed).",
    ),
)
def check(
    population: Annotated[
        Path,
        typer.Argument(
            help=h(
                "Population : fichier Parquet ou dossier de fichiers Parquet.",
                "Population: Parquet file or folder of Parquet files.",
            )
        ),
    ],
    targets: TargetsOption = DEFAULT_TARGETS,
    json_out: Annotated[
        Path | None,
        typer.Option(
            "--json",
            help=h(
                "Écrire aussi le résultat en JSON dans ce fichier (« - » : sortie standard).",
                "Also write the result as JSON to this file ('-': standard output).",
            ),
        ),
    ] = None,
    openfisca: Annotated[
        int | None,
        typer.Option(
            "--openfisca",
            min=1,
            help=h(
                "Comparer aussi les montants des prestations du générateur à ceux "
                "d'OpenFisca-France sur N foyers tirés au hasard (graine --seed ; 2000 "
                "conseillés, environ 20 secondes).",
                "Also compare the generator's benefit amounts with OpenFisca-France's on N "
                "households drawn at random (seed --seed; 2000 recommended, about 20 "
                "seconds).",
            ),
        ),
    ] = None,
    seed: Annotated[
        int,
        typer.Option(
            "--seed",
            min=0,
            help=h(
                "Graine du tirage des foyers comparés à OpenFisca-France.",
                "Seed of the draw of the households compared with OpenFisca-France.",
            ),
        ),
    ] = DEFAULT_OPENFISCA_SEED,
    lang: LangOption = None,
) -> None:
    """Print target vs achieved for every calibration figure."""
    from lanterne.cli.population_openfisca import print_comparison, reference_month
    from lanterne.population.check import check_population
    from lanterne.population.openfisca_check import openfisca_check
    from lanterne.population.targets import load_targets

    check_outputs(json_out)
    loaded = load_targets(targets)
    with status(tr("Vérification du calage…", "Checking the calibration…")):
        report = check_population(population, loaded)
    comparison = None
    if openfisca is not None:
        month = reference_month(population, loaded)
        with status(
            tr(
                "Comparaison avec OpenFisca-France ({n} foyers)…",
                "Comparing with OpenFisca-France ({n} households)…",
                n=format_number(openfisca, None, 0),
            )
        ):
            comparison = openfisca_check(population, month, n=openfisca, seed=seed)
    lang_now = get_lang()
    result = report.to_dict(lang_now)
    if comparison is not None:
        result["openfisca"] = comparison.to_dict()
    if not is_std(json_out):  # with --json -, standard output carries the JSON alone
        _print_report(report)
        if comparison is not None:
            print_comparison(comparison)
    save_json(json_out, result)
    if not report.all_ok or (comparison is not None and not comparison.all_ok):
        raise typer.Exit(1)


def _print_report(report: CheckReport) -> None:
    from lanterne.provenance import status_count, status_label

    t = report.targets
    table = Table(
        title=tr(
            "Calage de {p} sur {t} ({n} foyers)",
            "Calibration of {p} against {t} ({n} households)",
            p=report.source,
            t=t.id,
            n=format_number(report.n_households, None, 0),
        )
    )
    table.add_column(tr("Cible", "Target"))
    table.add_column(tr("Visé", "Target value"), justify="right")
    table.add_column(tr("Obtenu", "Achieved"), justify="right")
    table.add_column(tr("Écart", "Gap"), justify="right")
    table.add_column("", justify="center")
    table.add_column(tr("Statut", "Status"))
    table.add_column(tr("Source", "Source"))
    for c in report.checks:
        expected, achieved, gap = c.render_values()
        mark = "[green]✓[/]" if c.ok else "[bold red]✗[/]"
        table.add_row(
            pick(c.target.label),
            expected,
            achieved,
            gap,
            mark,
            status_label(c.target.status),
            f"{c.target.source} ({c.target.date})",
        )
    console.print(table)
    ok = sum(c.ok for c in report.checks)
    console.print(
        tr(
            "{k}/{n} cibles dans la tolérance (parts : ±{s} point ; effectifs : ±{c} %).",
            "{k}/{n} targets within tolerance (shares: ±{s} point; counts: ±{c} %).",
            k=ok,
            n=len(report.checks),
            s=format_number(t.tolerance.share * 100, None, 1),
            c=format_number(t.tolerance.count * 100, None, 1),
        )
    )
    counts = t.status_counts()
    console.print(
        tr("Statut des cibles : {d}", "Status of the targets: {d}", d="")
        + ", ".join(status_count(n, s) for s, n in counts.items() if n)
    )
