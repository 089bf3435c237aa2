"""``lanterne audit nonrecours``: rights people miss, next to who the model inspects."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from lanterne.cli.app import LangOption, h, invoked_command, results_console, status
from lanterne.cli.audit import audit_app
from lanterne.cli.options import (
    ClusterOption,
    MinCellOption,
    ThresholdOption,
    TopShareOption,
    check_outputs,
    rule_from_options,
    save_json,
)
from lanterne.cli.report import PdfOption, ReportOption, check_report_outputs, write_report_files
from lanterne.defaults import DEFAULT_MIN_CELL
from lanterne.i18n import format_number, format_percent, get_lang, tr

if TYPE_CHECKING:
    from rich.console import Console

    from lanterne.rights.audit import NonRecoursAudit


@audit_app.command(
    "nonrecours",
    help=h(
        "Non-recours aux droits (OpenFisca-France) par groupe, à côté du taux de "
        "sélection du modèle : les groupes les plus contrôlés sont-ils ceux qui "
        "manquent le plus de droits ?",
        "Non-take-up of rights (OpenFisca-France) by group, next to the model's "
        "selection rate: are the groups most inspected the groups missing the most "
        "rights?",
    ),
)
def nonrecours_command(
    population: Annotated[
        str,
        typer.Argument(
            help=h(
                "Population : CSV, Parquet ou table d'une base (postgresql://…?table=…) ; "
                "« - » : l'entrée standard.",
                "Population: CSV, Parquet or a database table (postgresql://…?table=…); "
                "'-': standard input.",
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
        str | None,
        typer.Option(
            "--month",
            help=h(
                "Mois des droits (AAAA-MM ; par défaut : le mois en cours).",
                "Month of the rights (YYYY-MM; default: the current month).",
            ),
        ),
    ] = None,
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
                "Écrire aussi le résultat en JSON (écriture atomique ; « - » : sur la "
                "sortie standard).",
                "Also write the result as JSON (atomic write; '-': to standard output).",
            ),
        ),
    ] = None,
    report: ReportOption = None,
    pdf: PdfOption = None,
    cluster: ClusterOption = None,
    lang: LangOption = None,
) -> None:
    """Non-take-up by group next to the model's selection rate."""
    from lanterne.io.database import redact
    from lanterne.io.tables import read_table
    from lanterne.rights.audit import audit_nonrecours
    from lanterne.rights.simulate import default_month
    from lanterne.scale.cluster import cluster_client

    check_report_outputs(report, pdf, "--report")
    rule = rule_from_options(top_share, threshold)
    check_outputs(json_out)
    month = month or default_month()
    groups = group_col or ["family_type"]
    with status(tr("Lecture des données…", "Reading the data…")):
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
    out = results_console(json_out, report)
    print_nonrecours(out, result, groups, model=model, month=month, min_cell=min_cell)
    save_json(json_out, result.to_dict(get_lang()))
    if report is not None:
        from lanterne.model import load_model
        from lanterne.report.build import nonrecours_report

        built = nonrecours_report(
            result,
            data=population,
            lang=get_lang(),
            models=[load_model(model)] if model else [],
            command=invoked_command(),
        )
        write_report_files(built, report, pdf)


def _pct(value: float | None) -> str:
    return "—" if value is None else format_percent(value)


def _count(value: int | None) -> str:
    return "—" if value is None else format_number(value, digits=0)


def print_nonrecours(
    out: Console,
    result: NonRecoursAudit,
    groups: list[str],
    *,
    model: str,
    month: str,
    min_cell: int,
) -> None:
    """The table by group, the totals and the reference rates with their status."""
    from lanterne.audit.suppression import suppression_note

    table, hidden_any = _group_table(result, groups, model=model, month=month)
    out.print(table)
    t = result.totals
    out.print(
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
    out.print(f"[bold]{result.comparison.sentence.render()}[/bold]")
    _print_rates(out, result)
    if hidden_any:
        out.print(suppression_note(min_cell).render(), soft_wrap=True)


def _group_table(
    result: NonRecoursAudit, groups: list[str], *, model: str, month: str
) -> tuple[Table, bool]:
    """The table by group, and whether small cells were hidden in it."""
    from lanterne.audit.suppression import mark

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
            _count(row["households"]),
            _count(row["entitled"]),
            _pct(row["nonrecours_rate"]),
            "—" if unclaimed is None else format_number(unclaimed, digits=0),
            _pct(row.get("selection_rate")),
        )
    return table, hidden_any


def _print_rates(out: Console, result: NonRecoursAudit) -> None:
    """The reference non-take-up rates, with their status and source."""
    from lanterne.provenance import status_label

    for key, rate in result.rates.items():
        out.print(
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
