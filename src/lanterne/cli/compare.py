"""``lanterne models compare A B``: two versions of a model side by side.

Feature by feature (the shape functions of additive models on one chart) and on a grid of
profiles (every combination of a few values per variable): how many profiles change side
of the threshold, and which values characterise them. With ``--confusion``, the agency's
disclosed confusion matrices per group are shown next to the models.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from lanterne.cli.app import LangOption, h, invoked_command, results_console, status
from lanterne.cli.models import models_app
from lanterne.cli.options import (
    ConfusionOption,
    MinCellOption,
    ModelArgument,
    check_outputs,
    save_json,
)
from lanterne.cli.report import PdfOption, check_report_outputs, write_report_files
from lanterne.defaults import DEFAULT_MIN_CELL
from lanterne.errors import UsageError
from lanterne.i18n import Msg, get_lang, tr

if TYPE_CHECKING:
    from lanterne.compare import FlipResult
    from lanterne.model import Model


def comparison_threshold(first: Model, second: Model, threshold: float | None) -> float:
    """The threshold given, else the first model's own (a top share needs a population)."""
    if threshold is not None:
        return threshold
    for model in (first, second):
        if model.targeting.threshold is not None:
            return float(model.targeting.threshold)
    raise UsageError(
        Msg(
            "ces modèles ciblent une part des scores les plus élevés, ce qui n'a pas de sens "
            "sur une grille de profils : donnez un seuil de score (--threshold)",
            "these models target a share of the highest scores, which means nothing on a "
            "grid of profiles: give a score threshold (--threshold)",
        )
    )


def _print(console: Console, result: FlipResult) -> None:
    from rich.table import Table

    from lanterne.compare.flips import _show

    counts = result.counts()
    lang = get_lang()
    sentences = result.sentences(lang)
    console.print(sentences[0], soft_wrap=True)
    for sentence in sentences[1:]:
        console.print(f"  • {sentence}", soft_wrap=True)
    if not counts["flip_total"]:
        return
    table = Table(title=tr("Changements de côté par valeur", "Changes of side by value"))
    for title in (
        tr("Valeur", "Value"),
        tr("Profils", "Profiles"),
        tr("↑ sélectionnés", "↑ selected"),
        tr("↓ plus sélectionnés", "↓ no longer"),
    ):
        table.add_column(title, justify="left" if "Val" in title else "right")
    for vc in result.by_value:
        if vc.up or vc.down:
            table.add_row(
                f"{vc.variable} = {_show(vc.value, get_lang())}",
                str(vc.n),
                str(vc.up),
                str(vc.down),
            )
    console.print(table)


@models_app.command(
    "compare",
    help=h(
        "Comparer deux versions d'un modèle : fonctions de forme variable par variable, et "
        "profils d'une grille (toutes les combinaisons de quelques valeurs par variable) qui "
        "changent de côté du seuil.",
        "Compare two versions of a model: shape functions feature by feature, and the "
        "profiles of a grid (every combination of a few values per variable) that change "
        "side of the threshold.",
    ),
)
def compare(
    first: ModelArgument,
    second: ModelArgument,
    threshold: Annotated[
        float | None,
        typer.Option(
            "--threshold",
            min=0.0,
            max=1.0,
            help=h(
                "Seuil de score (sélectionné si score ≥ seuil). Par défaut : celui du modèle.",
                "Score threshold (selected when score ≥ threshold). Default: the model's.",
            ),
        ),
    ] = None,
    value: Annotated[
        list[str] | None,
        typer.Option(
            "--value",
            help=h(
                "Valeurs d'une variable dans la grille : NOM=v1,v2, ou NOM=v1;v2 avec des "
                "virgules décimales (répétable ; vide = manquant).",
                "Values of one variable in the grid: NAME=v1,v2, or NAME=v1;v2 with decimal "
                "commas (repeatable; empty = missing).",
            ),
        ),
    ] = None,
    grid: Annotated[
        Path | None,
        typer.Option(
            "--grid",
            help=h(
                "Profils à utiliser tels quels (CSV ou Parquet, une ligne par profil), par "
                "exemple la grille des enquêteurs.",
                "Profiles to use as they are (CSV or Parquet, one row per profile), e.g. the "
                "investigators' grid.",
            ),
        ),
    ] = None,
    confusion: ConfusionOption = None,
    sheet: Annotated[
        str | None,
        typer.Option("--sheet", help=h("Feuille du classeur.", "Sheet of the workbook.")),
    ] = None,
    min_cell: MinCellOption = DEFAULT_MIN_CELL,
    json_out: Annotated[
        Path | None,
        typer.Option(
            "--json",
            help=h(
                "Écrire le résultat en JSON (« - » : sur la sortie standard).",
                "Write the result as JSON ('-': to standard output).",
            ),
        ),
    ] = None,
    html: Annotated[
        Path | None,
        typer.Option(
            "--html",
            "--report",
            help=h(
                "Écrire le rapport HTML autonome (« - » : sur la sortie standard).",
                "Write the self-contained HTML report ('-': to standard output).",
            ),
        ),
    ] = None,
    pdf: PdfOption = None,
    lang: LangOption = None,
) -> None:
    """Two versions of a model side by side."""
    from lanterne.audit.confusion import audit_confusion
    from lanterne.compare import compare_on_grid, default_grid, grid_from_table
    from lanterne.compare.grid import parse_value_options
    from lanterne.io.tables import read_table
    from lanterne.model import load_model

    check_outputs(json_out)
    check_report_outputs(html, pdf, "--html")
    if grid is not None and value:
        raise UsageError(
            Msg(
                "--grid et --value s'excluent : la grille donnée est utilisée telle quelle",
                "--grid and --value exclude each other: the given grid is used as it is",
            )
        )
    a, b = load_model(first), load_model(second)
    cut = comparison_threshold(a, b, threshold)
    counts = (
        (audit_confusion(confusion, sheet=sheet, min_cell=min_cell), confusion.name)
        if confusion is not None
        else None
    )
    if grid is not None:
        profiles = grid_from_table(read_table(grid), grid.name)
    else:
        profiles = default_grid([a, b], parse_value_options(value or [], [a, b]))
    with status(tr("Notation de la grille…", "Scoring the grid…")):
        result = compare_on_grid(a, b, profiles, cut)
    _print(results_console(json_out, html), result)
    if json_out is not None:
        data = result.to_dict(get_lang())
        if counts is not None:
            data["confusion"] = {"file": counts[1], **counts[0].to_dict()}
        save_json(json_out, data)
    if html is not None:
        from lanterne.report.model_comparison import comparison_report

        built = comparison_report(
            a,
            b,
            result,
            lang=get_lang(),
            confusion=counts,
            command=invoked_command(),
            files=[p for p in (grid, confusion) if p is not None],
        )
        write_report_files(built, html, pdf)
