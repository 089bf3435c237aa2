"""``lanterne rights``: what one household is probably entitled to, and where to claim it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from lanterne.cli.app import LangOption, app, h, results_console, status
from lanterne.cli.options import check_outputs, save_json
from lanterne.errors import Problem, UsageError
from lanterne.i18n import Msg, format_number, format_percent, get_lang, pick, tr

if TYPE_CHECKING:
    import polars as pl

NAMES = {
    "rsa": Msg("RSA", "RSA"),
    "ppa": Msg("Prime d'activité", "Activity bonus"),
    "housing": Msg("Aide au logement", "Housing benefit"),
    "aah": Msg("AAH", "AAH"),
}


def _household(file: Path | None, row: int, sets: list[str]) -> pl.DataFrame:
    import polars as pl

    from lanterne.io.tables import read_table
    from lanterne.population.archetypes import load_archetypes
    from lanterne.rights.inputs import INPUT_COLUMNS

    if file is None and not sets:
        raise UsageError(
            Msg(
                "donnez un fichier de foyer ou au moins un --set VAR=VALEUR",
                "give a household file or at least one --set VAR=VALUE",
            )
        )
    values: dict[str, Any]
    if file is not None:
        frame = read_table(file)
        if not 1 <= row <= frame.height:
            raise UsageError(
                Msg(
                    "--row {r} hors du fichier ({n} lignes)",
                    "--row {r} outside the file ({n} rows)",
                    r=row,
                    n=frame.height,
                )
            )
        values = {
            k: (None if v is None else str(v)) for k, v in frame.row(row - 1, named=True).items()
        }
    else:
        values = {k: str(v) for k, v in load_archetypes("fr-households").defaults.items()}
    known = set(values) | set(INPUT_COLUMNS)
    problems = []
    for item in sets:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            problems.append(
                Problem(
                    Msg(
                        "--set « {i} » : attendu VAR=VALEUR",
                        "--set '{i}': expected VAR=VALUE",
                        i=item,
                    )
                )
            )
            continue
        if name.strip() not in known:
            problems.append(
                Problem(
                    Msg(
                        "--set « {n} » : variable inconnue ; connues : {k}",
                        "--set '{n}': unknown variable; known: {k}",
                        n=name.strip(),
                        k=", ".join(sorted(known)),
                    )
                )
            )
            continue
        values[name.strip()] = value.strip()
    if problems:
        raise UsageError(problems)
    values = {
        k: ("true" if v == "True" else "false" if v == "False" else v) for k, v in values.items()
    }
    return pl.DataFrame({k: [v] for k, v in values.items()}, schema={k: pl.String for k in values})


@app.command(
    "rights",
    help=h(
        "Contrôle des droits d'un foyer avec OpenFisca-France : RSA, prime d'activité, aide "
        "au logement, AAH — montants, règles et où les demander.",
        "Rights check of one household with OpenFisca-France: RSA, activity bonus, housing "
        "benefit, AAH — amounts, rules and where to claim.",
    ),
)
def rights(
    household: Annotated[
        Path | None,
        typer.Argument(
            help=h(
                "Fichier du foyer (CSV ou Parquet, colonnes d'une population Lanterne ; "
                "« - » : l'entrée standard).",
                "Household file (CSV or Parquet, columns of a Lanterne population; '-': "
                "standard input).",
            )
        ),
    ] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help=h(
                "Fixer une variable : --set income_monthly=0 (répétable ; part du foyer "
                "type du catalogue sans fichier).",
                "Set a variable: --set income_monthly=0 (repeatable; starts from the "
                "catalog's default household without a file).",
            ),
        ),
    ] = None,
    row: Annotated[
        int,
        typer.Option(
            "--row",
            min=1,
            help=h("Ligne du fichier (1 = première).", "Row of the file (1 = first)."),
        ),
    ] = 1,
    month: Annotated[
        str | None,
        typer.Option(
            "--month",
            help=h(
                "Mois (AAAA-MM ; par défaut : le mois en cours).",
                "Month (YYYY-MM; default: the current month).",
            ),
        ),
    ] = None,
    json_out: Annotated[
        Path | None,
        typer.Option(
            "--json",
            help=h(
                "Écrire aussi le résultat en JSON (« - » : sur la sortie standard).",
                "Also write the result as JSON ('-': to standard output).",
            ),
        ),
    ] = None,
    lang: LangOption = None,
) -> None:
    """Rights check of one household."""
    from lanterne.provenance import status_label
    from lanterne.rights.catalog import load_rights_catalog
    from lanterne.rights.compute import compute_rights
    from lanterne.rights.inputs import ASSUMPTIONS
    from lanterne.rights.simulate import check_month, default_month

    month = month or default_month()
    check_month(month)
    check_outputs(json_out)
    console = results_console(json_out)  # nowhere when the JSON goes to standard output
    frame = _household(household, row, set_ or [])
    catalog = load_rights_catalog()
    with status(tr("Calcul avec OpenFisca-France…", "Computing with OpenFisca-France…")):
        result = compute_rights(frame, month, catalog=catalog, progress=False, calibrate=False).row(
            0, named=True
        )
    table = Table(title=tr("Droits probables — {m}", "Probable rights — {m}", m=month))
    table.add_column(tr("prestation", "benefit"))
    table.add_column(tr("droit", "entitled"))
    table.add_column(tr("montant €/mois", "amount €/month"), justify="right")
    out: dict[str, Any] = {"month": month, "benefits": {}}
    for key, name in NAMES.items():
        amount = result[f"{key}_amount"]
        entitled = bool(result[f"{key}_entitled"])
        table.add_row(
            name.render(),
            tr("oui", "yes") if entitled else tr("non", "no"),
            format_number(amount, digits=2),
        )
        b = catalog.benefits[key]
        out["benefits"][key] = {
            "name": name.render(),
            "entitled": entitled,
            "amount_monthly": amount,
            "rules": pick(b.rules),
            "where_to_claim": pick(b.claim),
        }
    console.print(table)
    for key, name in NAMES.items():
        b = catalog.benefits[key]
        mark = "✔" if result[f"{key}_entitled"] else "·"
        console.print(f"[bold]{mark} {name.render()}[/bold] — {pick(b.rules)}")
        if result[f"{key}_entitled"]:
            console.print(f"    {tr('Où le demander :', 'Where to claim:')} {pick(b.claim)}")
    console.print(
        tr(
            "Calcul : OpenFisca-France (règles en vigueur au mois choisi). Estimation, pas "
            "une décision : seule la CAF, la MSA ou la MDPH décide.",
            "Computed with OpenFisca-France (rules in force in the chosen month). An "
            "estimate, not a decision: only the CAF, MSA or MDPH decides.",
        )
    )
    console.print(tr("Hypothèses :", "Assumptions:"))
    for assumption in ASSUMPTIONS:
        console.print(f"  - {assumption.render()}", soft_wrap=True)
    rsa_rate = catalog.benefits["rsa"].nonrecours
    console.print(
        tr(
            "Non-recours au RSA estimé parmi les ayants droit : {r} par trimestre ({s}, DREES).",
            "Estimated RSA non-take-up among entitled households: {r} per quarter ({s}, DREES).",
            r=format_percent(rsa_rate.rate or 0, digits=0),
            s=status_label(rsa_rate.status),
        )
    )
    out["assumptions"] = [a.render(get_lang()) for a in ASSUMPTIONS]
    save_json(json_out, out)
