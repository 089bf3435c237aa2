"""``lanterne score``: score a table of households with a model."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from lanterne.cli.app import LangOption, app, h, results_console, status, status_console
from lanterne.cli.options import (
    ClusterOption,
    ModelArgument,
    RawCsvOption,
    ThresholdOption,
    TopShareOption,
    rule_from_options,
)
from lanterne.i18n import format_number, format_percent, tr
from lanterne.io.atomic import check_destination
from lanterne.io.std import is_std


@app.command(
    "score",
    help=h(
        "Noter des foyers avec un modèle et écrire les scores (écriture atomique).",
        "Score households with a model and write the scores (atomic write).",
    ),
)
def score(
    model: ModelArgument,
    data: Annotated[
        str,
        typer.Argument(
            help=h(
                "Foyers à noter : CSV, Parquet, dossier de fichiers Parquet ou table d'une "
                "base (postgresql://…?table=…) ; « - » : l'entrée standard.",
                "Households to score: CSV, Parquet, a folder of Parquet files or a database "
                "table (postgresql://…?table=…); '-': standard input.",
            )
        ),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help=h(
                "Fichier de sortie (.parquet ou .csv), ou dossier (nom sans extension) de "
                "fichiers Parquet : les colonnes d'entrée plus score et selected ; « - » : "
                "CSV sur la sortie standard.",
                "Output file (.parquet or .csv), or a folder (a name without extension) of "
                "Parquet files: the input columns plus score and selected; '-': CSV to "
                "standard output.",
            ),
        ),
    ],
    top_share: TopShareOption = None,
    threshold: ThresholdOption = None,
    raw_csv: RawCsvOption = False,
    cluster: ClusterOption = None,
    lang: LangOption = None,
) -> None:
    """Score households with a model and write the scores, atomically."""
    from lanterne.model import load_model
    from lanterne.scale.score import check_output, streams

    given = rule_from_options(top_share, threshold)
    to_stdout = is_std(output)
    streamed = not to_stdout and (
        cluster is not None or output.suffix == "" or streams(resolve_data(data))
    )
    if streamed:
        check_output(output)
    elif not to_stdout:
        from lanterne.io.tables import table_format

        table_format(output)  # fail on a bad output name before any work
        check_destination(output)
    loaded = load_model(model)
    rule = given or loaded.targeting
    if streamed:  # partition by partition: bounded memory, or on a cluster
        _score_streamed(loaded, data, output, rule, cluster, raw_csv)
        return
    _score_in_memory(loaded, data, output, rule, raw_csv)


def resolve_data(data: str) -> str:
    """``data``, or the copy of standard input for ``-``."""
    from lanterne.io.std import resolve_input

    return str(resolve_input(data))


def _score_streamed(
    loaded: Any, data: str, output: Path, rule: Any, cluster: str | None, raw_csv: bool
) -> None:
    from rich.progress import Progress

    from lanterne.scale.cluster import cluster_client
    from lanterne.scale.score import score_dataset

    with (
        cluster_client(cluster) as client,
        Progress(console=status_console, transient=True) as bar,
    ):
        task = bar.add_task(tr("Notation…", "Scoring…"), total=None)
        summary = score_dataset(
            loaded, resolve_data(data), output, rule, client=client,
            progress=lambda rows: bar.advance(task, rows), raw_csv=raw_csv,
        )  # fmt: skip
    results_console().print(summary.render())
    status_console.print(
        tr("Scores écrits dans {p}", "Scores written to {p}", p=str(output)), soft_wrap=True
    )


def _score_in_memory(loaded: Any, data: str, output: Path, rule: Any, raw_csv: bool) -> None:
    from rich.progress import Progress

    from lanterne.io.database import redact
    from lanterne.io.tables import read_table, write_table
    from lanterne.model.trees import Trees
    from lanterne.scoring import score_summary

    with status(tr("Lecture des données…", "Reading the data…")):
        frame = read_table(data)
    label = tr(
        "Notation de {n} foyers…", "Scoring {n} households…", n=format_number(frame.height, None, 0)
    )
    if isinstance(loaded, Trees):  # tree ensembles take minutes on millions of rows
        with Progress(console=status_console, transient=True) as bar:
            task = bar.add_task(label, total=frame.height)
            loaded.progress = lambda rows: bar.advance(task, rows)
            try:
                scored = loaded.score(frame, targeting=rule, file=redact(data))
            finally:
                loaded.progress = None
    else:
        with status(label):
            scored = loaded.score(frame, targeting=rule, file=redact(data))
    with status(tr("Écriture…", "Writing…")):
        write_table(scored, output, raw_csv=raw_csv)
    out = results_console(output)  # the summary: on stderr when the scores go to stdout
    out.print(score_summary(scored, rule).render())
    if "profile" in scored.columns:  # scorecards with bands or profile rules
        counts = scored["profile"].value_counts(sort=False).sort("profile")
        parts = [f"{p} {format_percent(c / max(1, scored.height))}" for p, c in counts.iter_rows()]
        out.print(tr("Profils : {p}", "Profiles: {p}", p=" · ".join(parts)))
    if not is_std(output):
        status_console.print(
            tr("Scores écrits dans {p}", "Scores written to {p}", p=str(output)), soft_wrap=True
        )
