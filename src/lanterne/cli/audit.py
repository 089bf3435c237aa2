"""``lanterne audit``: population, random-baseline (selection) and confusion-matrix audits."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from lanterne.cli.app import (
    LangOption,
    app,
    h,
    invoked_command,
    results_console,
    status,
    status_console,
)
from lanterne.cli.options import (
    ClusterOption,
    MinCellOption,
    ThresholdOption,
    TopShareOption,
    check_outputs,
    rule_from_options,
    save_json_text,
)
from lanterne.cli.report import PdfOption, ReportOption, check_report_outputs, write_report_files
from lanterne.defaults import DEFAULT_BATCH_ROWS, DEFAULT_MIN_CELL
from lanterne.errors import UsageError
from lanterne.i18n import Msg, get_lang, tr

audit_app = typer.Typer(
    help=h(
        "Auditer un système de notation : qui est ciblé (population), ce que trouve sa "
        "sélection face à un échantillon aléatoire (selection), ses taux d'erreur par "
        "groupe (confusion).",
        "Audit a scoring system: whom it targets (population), what its selection finds "
        "against a random sample (selection), its error rates by group (confusion).",
    ),
    no_args_is_help=True,
)
app.add_typer(audit_app, name="audit")

GroupColOption = Annotated[
    list[str],
    typer.Option(
        "--group-col",
        "-g",
        help=h(
            "Colonne de groupe (répétable) : family_type, sex, age_band, nationality…",
            "Group column (repeatable): family_type, sex, age_band, nationality…",
        ),
    ),
]
JsonOption = Annotated[
    Path | None,
    typer.Option(
        "--json",
        help=h(
            "Écrire aussi le résultat en JSON dans ce fichier (écriture atomique) ; « - » : "
            "sur la sortie standard, seul (sans les tableaux).",
            "Also write the result as JSON to this file (atomic write); '-': to standard "
            "output, alone (without the tables).",
        ),
    ),
]


@audit_app.command(
    "population",
    help=h(
        "Qui le modèle cible-t-il ? Par groupe : effectif, score moyen et médian, déciles, "
        "taux de sélection, part des sélectionnés, ratio de représentation, impact "
        "disproportionné.",
        "Whom does the model target? Per group: size, mean and median score, deciles, "
        "selection rate, share of selected, representation ratio, disparate impact.",
    ),
)
def population(
    model: Annotated[
        str,
        typer.Argument(
            help=h(
                "Modèle : identifiant du catalogue ou fichier YAML ; « - » si les scores sont "
                "déjà dans les données (--score-col).",
                "Model: catalog id or YAML file; '-' when the data already holds scores "
                "(--score-col).",
            )
        ),
    ],
    data: Annotated[
        str,
        typer.Argument(
            help=h(
                "Foyers : CSV, Parquet, dossier de fichiers Parquet ou table d'une base "
                "(postgresql://…?table=…, duckdb://…?table=…), lus par morceaux ; « - » : "
                "CSV ou Parquet sur l'entrée standard.",
                "Households: CSV, Parquet, a folder of Parquet files or a database table "
                "(postgresql://…?table=…, duckdb://…?table=…), read in chunks; '-': CSV or "
                "Parquet on standard input.",
            )
        ),
    ],
    group_col: GroupColOption,
    intersect: Annotated[
        bool,
        typer.Option(
            "--intersect",
            help=h(
                "Ajouter le croisement des colonnes de groupe (« female × single_parent »).",
                "Add the intersection of the group columns ('female × single_parent').",
            ),
        ),
    ] = False,
    condition_col: Annotated[
        str | None,
        typer.Option(
            "--condition-col",
            help=h(
                "Refaire les tableaux dans chaque valeur de cette colonne (parité "
                "conditionnelle, p. ex. à tranche de revenu égale).",
                "Repeat the tables within each value of this column (conditional parity, "
                "e.g. within the same income band).",
            ),
        ),
    ] = None,
    top_share: TopShareOption = None,
    threshold: ThresholdOption = None,
    score_col: Annotated[
        str | None,
        typer.Option(
            "--score-col",
            help=h(
                "Lire les scores dans cette colonne au lieu de noter.",
                "Read the scores from this column instead of scoring.",
            ),
        ),
    ] = None,
    min_cell: MinCellOption = DEFAULT_MIN_CELL,
    json_out: JsonOption = None,
    deciles: Annotated[
        bool,
        typer.Option(
            "--deciles/--no-deciles",
            help=h("Afficher les tableaux de déciles.", "Show the decile tables."),
        ),
    ] = True,
    batch_rows: Annotated[
        int,
        typer.Option(
            "--batch-rows",
            min=1,
            help=h(
                "Lignes lues à la fois dans les fichiers Parquet.",
                "Rows read at once from Parquet files.",
            ),
        ),
    ] = DEFAULT_BATCH_ROWS,
    report: ReportOption = None,
    pdf: PdfOption = None,
    cluster: ClusterOption = None,
    lang: LangOption = None,
) -> None:
    """Population audit."""
    rule = rule_from_options(top_share, threshold)  # TargetingRule checks the values
    check_outputs(json_out)
    check_report_outputs(report, pdf, "--report")
    loaded = None if model == "-" else _load_model(model)
    if loaded is None and report is not None:
        raise UsageError(
            Msg(
                "le rapport décrit un modèle : --report demande un modèle, pas « - »",
                "the report describes a model: --report needs a model, not '-'",
            )
        )
    if loaded is None and score_col is None:
        raise UsageError(
            Msg(
                "sans modèle (« - »), indiquez la colonne des scores avec --score-col",
                "without a model ('-'), name the score column with --score-col",
            )
        )
    from lanterne.cli.audit_tables import render_population

    audit = _audit_with_progress(
        loaded,
        data,
        cluster,
        group_cols=group_col,
        intersect=intersect,
        condition_col=condition_col,
        targeting=rule,
        score_col=score_col,
        min_cell=min_cell,
        batch_rows=batch_rows,
        keep_rows=report is not None,
    )
    render_population(results_console(json_out, report), audit, show_deciles=deciles)
    if json_out is not None:
        save_json_text(json_out, audit.to_json())
    if report is not None:
        from lanterne.report import population_report

        assert loaded is not None
        with status(tr("Préparation des graphiques…", "Drawing the charts…")):
            built = population_report(
                [loaded], [audit], data=data, lang=get_lang(), command=invoked_command()
            )
        write_report_files(built, report, pdf)


def _load_model(ref: str) -> Any:
    """The model (its spec machinery is imported here: ``-`` does without it)."""
    from lanterne.model import load_model

    return load_model(ref)


def _audit_with_progress(loaded: Any, data: str, cluster: str | None, **options: Any) -> Any:
    """:func:`~lanterne.audit.population.audit_population` with a progress bar on standard
    error (nothing when ``--quiet``), on a Dask cluster when one is given."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from lanterne.audit.chunks import open_source
    from lanterne.audit.population import audit_population
    from lanterne.scale.cluster import cluster_client

    source = open_source(data)
    total = source.n_rows * 2  # two passes over the rows
    with (
        cluster_client(cluster) as client,
        Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f} %"),
            TimeElapsedColumn(),
            console=status_console,  # progress on stderr: stdout keeps the tables
            transient=True,
        ) as bar,
    ):
        task = bar.add_task(tr("Audit de la population…", "Auditing the population…"), total=total)
        return audit_population(
            loaded, source, progress=lambda k: bar.advance(task, k), client=client, **options
        )


@audit_app.command(
    "selection",
    help=h(
        "Que trouve la sélection de l'algorithme, et pour qui ? Compare, groupe par groupe, "
        "un échantillon contrôlé au hasard et les dossiers choisis par l'algorithme.",
        "What does the algorithm's selection find, and for whom? Compares, group by group, "
        "a sample inspected at random with the cases the algorithm chose.",
    ),
)
def selection(
    data: Annotated[
        Path,
        typer.Argument(
            help=h(
                "Dossiers contrôlés : CSV ou Parquet, une ligne par contrôle.",
                "Inspected cases: CSV or Parquet, one row per inspection.",
            )
        ),
    ],
    selection_col: Annotated[
        str,
        typer.Option(
            "--selection-col",
            help=h(
                "Colonne disant comment le dossier a été choisi.",
                "Column saying how the case was chosen.",
            ),
        ),
    ],
    random_value: Annotated[
        str,
        typer.Option(
            "--random-value",
            help=h(
                "Valeur de --selection-col qui désigne l'échantillon aléatoire ; toutes les "
                "autres lignes forment la sélection de l'algorithme.",
                "Value of --selection-col marking the random sample; every other row is the "
                "algorithm's selection.",
            ),
        ),
    ],
    outcome_col: Annotated[
        str,
        typer.Option(
            "--outcome-col",
            help=h("Colonne du résultat du contrôle.", "Column holding the inspection's result."),
        ),
    ],
    negative_value: Annotated[
        list[str],
        typer.Option(
            "--negative-value",
            help=h(
                "Résultat signifiant « aucune erreur trouvée » (répétable) ; tout autre "
                "résultat compte comme une anomalie.",
                "Result meaning 'no error found' (repeatable); any other result counts as a hit.",
            ),
        ),
    ],
    group_col: GroupColOption,
    bootstrap: Annotated[
        int,
        typer.Option(
            "--bootstrap",
            min=0,
            help=h(
                "Nombre de rééchantillonnages pour les intervalles à 95 % (0 : aucun).",
                "Number of resamples for the 95% intervals (0: none).",
            ),
        ),
    ] = 1000,
    seed: Annotated[
        int,
        typer.Option(
            "--seed", help=h("Graine du hasard (reproductible).", "Random seed (reproducible).")
        ),
    ] = 0,
    min_cell: MinCellOption = DEFAULT_MIN_CELL,
    json_out: JsonOption = None,
    report: ReportOption = None,
    pdf: PdfOption = None,
    lang: LangOption = None,
) -> None:
    """Random-baseline audit."""
    from lanterne.audit.selection import audit_selection
    from lanterne.cli.audit_tables import render_selection

    check_outputs(json_out)
    check_report_outputs(report, pdf, "--report")
    with status(tr("Audit de la sélection…", "Auditing the selection…")):
        audit = audit_selection(
            data,
            selection_col=selection_col,
            random_value=random_value,
            outcome_col=outcome_col,
            negative_values=negative_value,
            group_cols=group_col,
            bootstrap=bootstrap,
            seed=seed,
            min_cell=min_cell,
        )
    render_selection(results_console(json_out, report), audit)
    if json_out is not None:
        save_json_text(json_out, audit.to_json())
    if report is not None:
        from lanterne.report import selection_report

        built = selection_report(audit, data=data, lang=get_lang(), command=invoked_command())
        write_report_files(built, report, pdf)


@audit_app.command(
    "confusion",
    help=h(
        "Taux d'erreur par groupe à partir des comptes publiés de vrais/faux "
        "positifs/négatifs (CSV ou Excel).",
        "Error rates by group from published counts of true/false positives/negatives "
        "(CSV or Excel).",
    ),
)
def confusion(
    counts: Annotated[
        Path,
        typer.Argument(
            help=h(
                "Tableau des comptes : CSV, Excel (.xlsx, .xls) ou ODS ; colonnes de groupe "
                "plus tn, fp, fn, tp.",
                "Table of counts: CSV, Excel (.xlsx, .xls) or ODS; group columns plus tn, fp, "
                "fn, tp.",
            )
        ),
    ],
    long: Annotated[
        bool,
        typer.Option(
            "--long",
            help=h(
                "Forme longue : une colonne nomme le compte (tn, fp, fn, tp), une autre "
                "donne sa valeur.",
                "Long form: one column names the count (tn, fp, fn, tp), another holds it.",
            ),
        ),
    ] = False,
    metric_col: Annotated[
        str | None,
        typer.Option(
            "--metric-col",
            help=h(
                "Forme longue : colonne du nom (défaut : metric).",
                "Long form: name column (default: metric).",
            ),
        ),
    ] = None,
    value_col: Annotated[
        str | None,
        typer.Option(
            "--value-col",
            help=h(
                "Forme longue : colonne de la valeur (défaut : value).",
                "Long form: value column (default: value).",
            ),
        ),
    ] = None,
    sheet: Annotated[
        str | None,
        typer.Option("--sheet", help=h("Feuille du classeur à lire.", "Workbook sheet to read.")),
    ] = None,
    within: Annotated[
        list[str] | None,
        typer.Option(
            "--within",
            help=h(
                "Calculer la part des faux positifs à l'intérieur de ces colonnes (défaut : "
                "toutes les colonnes de groupe sauf la dernière).",
                "Take the share of false positives within these columns (default: every "
                "group column but the last).",
            ),
        ),
    ] = None,
    min_cell: MinCellOption = DEFAULT_MIN_CELL,
    json_out: JsonOption = None,
    lang: LangOption = None,
) -> None:
    """Confusion-matrix audit."""
    from lanterne.audit.confusion import audit_confusion
    from lanterne.cli.audit_tables import render_confusion

    check_outputs(json_out)
    # the library names the table's columns; its errors get our options (cli.flags)
    audit = audit_confusion(
        counts,
        long=long,
        metric_col=metric_col,
        value_col=value_col,
        sheet=sheet,
        within=within or None,
        min_cell=min_cell,
    )
    render_confusion(results_console(json_out), audit)
    if json_out is not None:
        save_json_text(json_out, audit.to_json())
