"""Options shared by several commands (targeting rule, output files...)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from lanterne.cli.app import h, status_console
from lanterne.errors import UsageError
from lanterne.i18n import Msg, tr
from lanterne.io.atomic import check_destination
from lanterne.io.std import is_std, write_json_output, write_stdout

if TYPE_CHECKING:
    from lanterne.model import TargetingRule

TopShareOption = Annotated[
    float | None,
    typer.Option(
        "--top-share",
        min=0.0,
        max=1.0,
        help=h(
            "Cibler cette part des scores les plus élevés (0.05 = les 5 %). "
            "Par défaut : la règle du modèle.",
            "Target this share of the highest scores (0.05 = the top 5 %). "
            "Default: the model's own rule.",
        ),
    ),
]
ConfusionOption = Annotated[
    Path | None,
    typer.Option(
        "--confusion",
        help=h(
            "Matrices de confusion publiées par groupe (le classeur que lit "
            "« audit confusion ») à montrer à côté des modèles.",
            "Published confusion matrices per group (the workbook 'audit confusion' "
            "reads) to show next to the models.",
        ),
    ),
]
ThresholdOption = Annotated[
    float | None,
    typer.Option(
        "--threshold",
        min=0.0,
        max=1.0,
        help=h(
            "Cibler les scores supérieurs ou égaux à ce seuil.",
            "Target scores at or above this threshold.",
        ),
    ),
]


def rule_from_options(top_share: float | None, threshold: float | None) -> TargetingRule | None:
    """The targeting rule given on the command line, or ``None`` when none is given.

    Giving both ``--top-share`` and ``--threshold`` is an error; the values themselves are
    checked by :class:`~lanterne.model.TargetingRule`.

    >>> rule_from_options(None, None) is None, rule_from_options(0.05, None).top_share
    (True, 0.05)
    """
    if top_share is not None and threshold is not None:
        raise UsageError(
            Msg(
                "--top-share et --threshold s'excluent : choisissez-en un",
                "--top-share and --threshold exclude each other: choose one",
            )
        )
    if top_share is None and threshold is None:
        return None
    from lanterne.model import TargetingRule

    return TargetingRule(top_share=top_share, threshold=threshold)


#: Small-cell suppression, shared by the audit and report commands.
MinCellOption = Annotated[
    int,
    typer.Option(
        "--min-cell",
        min=0,
        help=h(
            "Masquer les groupes de moins de N foyers, et ceux qui permettraient de les "
            "recalculer par soustraction (0 : ne rien masquer).",
            "Hide groups smaller than N households, and those that would let them be "
            "worked out by subtraction (0: hide nothing).",
        ),
    ),
]

#: The model a command works on.
ModelArgument = Annotated[
    str,
    typer.Argument(
        help=h(
            "Modèle : identifiant du catalogue ou fichier YAML.",
            "Model: catalog id or YAML file.",
        )
    ),
]


def check_outputs(*paths: Path | None) -> None:
    """Fail before any work if an output file cannot be written (``-`` is standard output).

    Each is checked by :func:`~lanterne.io.atomic.check_destination`: an existing folder
    (else exit code 2) that takes a new file (else exit code 1, saying why).

    >>> check_outputs(None, Path("-"), Path("scores.csv"))
    """
    for path in paths:
        if path is not None and str(path) != "-":
            check_destination(path)


def written(path: Path | str, what: str = "JSON") -> None:
    """Say on standard error (unless ``--quiet``) that a file was written."""
    status_console.print(
        tr("{what} écrit dans {p}", "{what} written to {p}", what=what, p=str(path)),
        soft_wrap=True,
    )


def save_json(path: Path | None, data: Any) -> None:
    """Write ``data`` as JSON to ``path`` (atomically) or to standard output for ``-``."""
    if path is None:
        return
    write_json_output(path, data)
    if not is_std(path):
        written(path)


def save_json_text(path: Path | None, text: str) -> None:
    """Like :func:`save_json` for JSON already made (an audit's ``to_json()``)."""
    if path is None:
        return
    if is_std(path):
        write_stdout(text if text.endswith("\n") else text + "\n")
        return
    from lanterne.io.atomic import write_text_atomic

    write_text_atomic(path, text if text.endswith("\n") else text + "\n")
    written(path)


#: CSV outputs: keep formula-like cells as they are (see lanterne.io.csvsafe).
RawCsvOption = Annotated[
    bool,
    typer.Option(
        "--raw-csv",
        help=h(
            "CSV : garder tels quels les textes qui commencent par = + - @ (sinon précédés "
            "d'une apostrophe, pour qu'un tableur ne les exécute pas comme des formules).",
            "CSV: keep texts starting with = + - @ as they are (otherwise prefixed with an "
            "apostrophe, so that a spreadsheet does not run them as formulas).",
        ),
    ),
]


#: Where the heavy work runs: this process (default) or a Dask cluster (docs/scaling.md).
ClusterOption = Annotated[
    str | None,
    typer.Option(
        "--cluster",
        help=h(
            "Répartir le calcul sur une grappe Dask : local (un processus par cœur), "
            "local:N (N processus) ou tcp://hôte:8786 (un ordonnanceur existant). "
            "Mêmes résultats qu'en un seul processus.",
            "Spread the work over a Dask cluster: local (one process per core), local:N "
            "(N processes) or tcp://host:8786 (an existing scheduler). Same results as "
            "one process.",
        ),
    ),
]
