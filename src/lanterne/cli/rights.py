"""``lanterne rights``: what one household is probably entitled to, and where to claim it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from lanterne.cli.app import LangOption, app, h, results_console, status
from lanterne.cli.options import check_outputs, save_json
from lanterne.errors import UsageError
from lanterne.i18n import Msg, get_lang, tr

if TYPE_CHECKING:
    from rich.console import Console

    from lanterne.present.rights import RightsAnswer

#: How ``lanterne rights`` asks for what is missing.
HOW_TO_GIVE = Msg(
    "donnez-les dans le fichier du foyer, avec --set VARIABLE=VALEUR, ou partez d'un "
    "profil-type (--archetype)",
    "give them in the household file, with --set VARIABLE=VALUE, or start from an "
    "archetype (--archetype)",
)


def show_answer(answer: RightsAnswer, console: Console) -> None:
    """The rights answer on the terminal: the table, then each benefit's rules and links."""
    from rich.markup import escape
    from rich.table import Table

    from lanterne.present.rights import ESTIMATE

    table = Table(title=tr("Droits probables — {m}", "Probable rights — {m}", m=answer.month_label))
    table.add_column(tr("prestation", "benefit"))
    table.add_column(tr("droit", "entitled"))
    table.add_column(tr("montant €/mois", "amount €/month"), justify="right")
    for b in answer.benefits:
        table.add_row(b.name, tr("oui", "yes") if b.entitled else tr("non", "no"), b.amount_text)
    console.print(table)
    for b in answer.benefits:
        mark = "✔" if b.entitled else "·"
        console.print(f"[bold]{mark} {escape(b.name)}[/bold] — {escape(b.rules)}", soft_wrap=True)
        if b.entitled:
            console.print(
                f"    {tr('Où le demander :', 'Where to claim:')} {b.claim}", soft_wrap=True
            )
            if b.apply_url:
                console.print(
                    f"    {tr('Faire la demande :', 'Apply:')} {b.apply_url} ({b.apply_source})",
                    soft_wrap=True,
                    markup=False,
                )
        if b.nonrecours:
            console.print(
                "    "
                + tr(
                    "Non-recours estimé parmi les ayants droit : {r} ({s} ; {src}).",
                    "Estimated non-take-up among entitled households: {r} ({s}; {src}).",
                    r=b.nonrecours,
                    s=b.nonrecours_status_label,
                    src=b.nonrecours_source,
                ),
                soft_wrap=True,
                markup=False,
            )
    console.print(ESTIMATE.render(), soft_wrap=True)
    console.print(tr("Hypothèses :", "Assumptions:"))
    for assumption in answer.assumptions:
        console.print(f"  - {assumption}", soft_wrap=True, markup=False)
    console.print(
        tr("Règles d'OpenFisca-France {v}.", "Rules of OpenFisca-France {v}.", v=answer.openfisca)
    )


@app.command(
    "rights",
    help=h(
        "Contrôle des droits d'un foyer avec OpenFisca-France : RSA, prime d'activité, aide "
        "au logement, AAH, prestations familiales, complémentaire santé solidaire — "
        "montants, règles et où les demander (comme la page « Mes droits »).",
        "Rights check of one household with OpenFisca-France: RSA, activity bonus, housing "
        "benefit, AAH, family benefits, solidarity health cover — amounts, rules and where "
        "to claim (as on the 'My rights' page).",
    ),
)
def rights(
    household: Annotated[
        Path | None,
        typer.Argument(
            help=h(
                "Fichier du foyer : YAML ou JSON « variable: valeur », ou une ligne d'un "
                "tableau CSV ou Parquet (colonnes d'une population Lanterne, voir --row) ; "
                "« - » : l'entrée standard.",
                "Household file: YAML or JSON 'variable: value', or one row of a CSV or "
                "Parquet table (columns of a Lanterne population, see --row); '-': standard "
                "input.",
            )
        ),
    ] = None,
    sets: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            metavar=h("VAR=VALEUR", "VAR=VALUE"),
            help=h(
                "Fixer une variable : --set income_monthly=1200,50 (répétable ; sans "
                "fichier ni profil-type, part du foyer type du catalogue).",
                "Set a variable: --set income_monthly=1200.50 (repeatable; without a file "
                "or an archetype, starts from the catalog's default household).",
            ),
        ),
    ] = None,
    archetype: Annotated[
        str | None,
        typer.Option(
            "--archetype",
            metavar=h("ID[/VARIANTE]", "ID[/VARIATION]"),
            help=h(
                "Partir d'un profil-type (fr-households), par exemple single-mother-rsa.",
                "Start from an archetype (fr-households), e.g. single-mother-rsa.",
            ),
        ),
    ] = None,
    row: Annotated[
        int,
        typer.Option(
            "--row",
            min=1,
            help=h("Ligne du tableau (1 = première).", "Row of the table (1 = first)."),
        ),
    ] = 1,
    month: Annotated[
        str | None,
        typer.Option(
            "--month",
            help=h(
                "Mois (AAAA-MM) ; par défaut le mois en cours.",
                "Month (YYYY-MM); default: this month.",
            ),
        ),
    ] = None,
    json_out: Annotated[
        Path | None,
        typer.Option(
            "--json",
            help=h("Écrire aussi le résultat en JSON.", "Also write the result as JSON."),
        ),
    ] = None,
    lang: LangOption = None,
) -> None:
    """Rights check of one household."""
    from lanterne.cli.household_options import how_to_give
    from lanterne.io.std import resolve_input
    from lanterne.present.rights import household_amounts, rights_answer
    from lanterne.rights.catalog import load_rights_catalog
    from lanterne.rights.household import rights_household
    from lanterne.rights.simulate import check_month, default_month

    month = check_month(month or default_month())
    check_outputs(json_out)
    console = results_console(json_out)  # nowhere when the JSON goes to standard output
    sets = sets or []
    if household is None and not sets and archetype is None:
        raise UsageError(
            Msg(
                "donnez un fichier de foyer, au moins un --set VAR=VALEUR ou un --archetype",
                "give a household file, at least one --set VAR=VALUE or an --archetype",
            )
        )
    with how_to_give(HOW_TO_GIVE):
        house = rights_household(
            file=resolve_input(household) if household is not None else None,
            row=row,
            pairs=sets,
            archetype=archetype,
            start="defaults" if household is None and archetype is None else None,
        )
    catalog = load_rights_catalog()
    with status(tr("Calcul avec OpenFisca-France…", "Computing with OpenFisca-France…")):
        amounts = household_amounts(house.frame, month)
    answer = rights_answer(catalog, amounts, month, get_lang())
    show_answer(answer, console)
    save_json(json_out, answer.to_dict())
