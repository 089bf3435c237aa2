"""``lanterne audit nonrecours``: rights people miss, next to who the model inspects.

The command is a plain function (:func:`nonrecours_command`) attached to the ``audit``
sub-app by :func:`register`. When the ``audit`` sub-app of ``lanterne.cli.audit`` exists
it is used; otherwise a minimal one is created here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from lanterne.audit.suppression import DEFAULT_MIN_CELL, mark, suppression_note
from lanterne.cli.app import LangOption, app, console, h, invoked_command
from lanterne.cli.options import (
    ClusterOption,
    MinCellOption,
    ThresholdOption,
    TopShareOption,
    rule_from_options,
)
from lanterne.cli.report import PdfOption, ReportOption, check_report_outputs, write_report_files
from lanterne.i18n import format_number, format_percent, get_lang, tr
from lanterne.io.atomic import check_destination, write_json_atomic
from lanterne.io.database import redact
from lanterne.io.tables import read_table
from lanterne.model import load_model
from lanterne.provenance import status_label
from lanterne.report.build import nonrecours_report
from lanterne.rights.simulate import default_month
from lanterne.scale.cluster import cluster_client

DEFAULT_MONTH = default_month()  # the current month, read once at startup


def _pct(value: float | None) -> str:
    return "—" if value is None else format_percent(value)


def nonrecours_command(
    population: Annotated[
        str,
        typer.Argument(
            help=h(
                "Population : CSV, Parquet ou table d'une base (postgresql://…?table=…).",
                "Population: CSV, Parquet or a database table (postgresql://…?table=…).",
            ),
        ),
    ],
    group_col: Annotated[
        list[str] | None,
        typer.Option(
            "--group-col",
            "-g",
            help=h(
                "Colonne de groupe (répétable ; family_type par défaut).",
                "Group column (repeatable; family_type by default).",
            ),
        ),
    ] = None,
    model: Annotated[
        str,
        typer.Option(
            "--model",
            "-m",
            help=h(
                "Modèle de notation dont on compare la sélection (identifiant ou fichier).",
                "Scoring model whose selection is compared (id or file).",
            ),
        ),
    ] = "fr-cnaf-2014",
    month: Annotated[
        str,
        typer.Option(
            "--month", help=h("Mois des droits (AAAA-MM).", "Month of the rights (YYYY-MM).")
        ),
    ] = DEFAULT_MONTH,
    top_share: TopShareOption = None,
    threshold: ThresholdOption = None,
    min_cell: MinCellOption = DEFAULT_MIN_CELL,
    chunk_rows: Annotated[
        int,
        typer.Option(
            "--chunk-rows",
            min=1,
            help=h("Foyers par simulation OpenFisca.", "Households per OpenFisca simulation."),
        ),
    ] = 50_000,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            help=h(
                "Processus de calcul (utilisés dès qu'il y a plusieurs blocs).",
                "Worker processes (used as soon as there are several chunks).",
            ),
        ),
    ] = 2,
    calibrate: Annotated[
        bool,
        typer.Option(
            "--calibrate/--no-calibrate",
            help=h(
                "Ramener le non-recours des ayants droit de la population au taux publié "
                "(par défaut) ; sinon, taux publié × risques relatifs de chaque foyer.",
                "Bring the population's non-take-up among entitled households to the "
                "published rate (default); otherwise published rate × each household's "
                "relative risks.",
            ),
        ),
    ] = True,
    seed: Annotated[
        int, typer.Option("--seed", help=h("Graine du tirage du recours.", "Take-up seed."))
    ] = 0,
    json_out: Annotated[
        Path | None,
        typer.Option(
            "--json",
            help=h(
                "Écrire aussi le résultat en JSON (écriture atomique).",
                "Also write the result as JSON (atomic write).",
            ),
        ),
    ] = None,
    report: ReportOption = None,
    pdf: PdfOption = None,
    cluster: ClusterOption = None,
    lang: LangOption = None,
) -> None:
    """Non-take-up by group next to the model's selection rate."""
    from lanterne.rights.audit import audit_nonrecours

    check_report_outputs(report, pdf, "--report")
    rule = rule_from_options(top_share, threshold)
    if json_out is not None:
        check_destination(json_out)
    groups = group_col or ["family_type"]
    with console.status(tr("Lecture des données…", "Reading the data…")):
        frame = read_table(population)
    with cluster_client(cluster) as client:
        result = audit_nonrecours(
            frame,
            month,
            group_cols=groups,
            model=model,
            targeting=rule,
            min_cell=min_cell,
            chunk_rows=chunk_rows,
            seed=seed,
            workers=workers,
            calibrate=calibrate,
            file=redact(population),
            client=client,
        )
    table = Table(
        title=tr(
            "Non-recours (RSA, prime d'activité, aide au logement) et sélection par {m} — {mo}",
            "Non-take-up (RSA, activity bonus, housing benefit) and selection by {m} — {mo}",
            m=model,
            mo=month,
        )
    )
    for name in groups:
        table.add_column(name)
    for header in (
        tr("foyers", "households"),
        tr("ayants droit", "entitled"),
        tr("non-recours", "non-take-up"),
        tr("non réclamé €/mois", "unclaimed €/month"),
        tr("sélectionnés", "selected"),
    ):
        table.add_column(header, justify="right")

    def count(value: int | None) -> str:
        return "—" if value is None else format_number(value, digits=0)

    hidden_any = False
    for row in result.table.to_dicts():
        unclaimed = row["unclaimed_monthly"]
        labels = [str(row[c]) for c in groups]
        sign = mark(row.get("suppression"))
        hidden_any |= bool(sign)
        if sign and labels:
            labels[-1] += f" [dim]{sign}[/dim]"
        table.add_row(
            *labels,
            count(row["households"]),
            count(row["entitled"]),
            _pct(row["nonrecours_rate"]),
            "—" if unclaimed is None else format_number(unclaimed, digits=0),
            _pct(row.get("selection_rate")),
        )
    console.print(table)
    t = result.totals
    console.print(
        tr(
            "Ensemble : {e} foyers ayants droit sur {n}, non-recours {r}, {u} € non réclamés "
            "par mois.",
            "All: {e} entitled households out of {n}, non-take-up {r}, €{u} unclaimed per month.",
            e=format_number(t["entitled"], digits=0),
            n=format_number(t["households"], digits=0),
            r=_pct(t["nonrecours_rate"]),
            u=format_number(t["unclaimed_monthly"] or 0, digits=0),
        )
    )
    console.print(f"[bold]{result.comparison.sentence.render()}[/bold]")
    for key, rate in result.rates.items():
        console.print(
            tr(
                "  Taux de non-recours de référence {b} : {r} ({s}) — {src}{c}",
                "  Reference non-take-up rate {b}: {r} ({s}) — {src}{c}",
                b=key,
                r=_pct(rate["rate"]),
                s=status_label(rate["status"]),
                src=rate["source"],
                c=tr(
                    " ; calibré sur cette population (risques relatifs × {k})",
                    "; calibrated on this population (relative risks × {k})",
                    k=format_number(rate["scale"], digits=2),
                )
                if rate["calibrated"]
                else "",
            )
        )
    if hidden_any:
        console.print(suppression_note(min_cell).render(), soft_wrap=True)
    if json_out is not None:
        write_json_atomic(json_out, result.to_dict(get_lang()))
        console.print(tr("Résultat écrit dans {p}", "Result written to {p}", p=str(json_out)))
    if report is not None:
        built = nonrecours_report(
            result,
            data=population,
            lang=get_lang(),
            models=[load_model(model)] if model else [],
            command=invoked_command(),
        )
        write_report_files(built, report, pdf)


def register(audit_app: typer.Typer) -> None:
    """Attach ``nonrecours`` to an ``audit`` Typer sub-app."""
    audit_app.command(
        "nonrecours",
        help=h(
            "Non-recours aux droits (OpenFisca-France) par groupe, à côté du taux de "
            "sélection du modèle : les groupes les plus contrôlés sont-ils ceux qui "
            "manquent le plus de droits ?",
            "Non-take-up of rights (OpenFisca-France) by group, next to the model's "
            "selection rate: are the groups most inspected the groups missing the most "
            "rights?",
        ),
    )(nonrecours_command)


def _audit_app() -> typer.Typer:
    try:  # issue 4's audit sub-app, when present
        from lanterne.cli.audit import audit_app

        return audit_app
    except ImportError:
        sub = typer.Typer(
            help=h("Auditer un système de notation.", "Audit a scoring system."),
            no_args_is_help=True,
        )
        app.add_typer(sub, name="audit")
        return sub


register(_audit_app())
