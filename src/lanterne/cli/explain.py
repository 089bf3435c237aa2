"""``lanterne explain``: one household's score, element by element, and what the model reacts to."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.panel import Panel
from rich.table import Table

from lanterne.cli.app import LangOption, app, console, h, status, tables_off
from lanterne.cli.household_options import (
    ArchetypeOption,
    ArchetypeSetOption,
    HouseholdOption,
    PopulationOption,
    SetOption,
    household_from_options,
)
from lanterne.cli.options import (
    ModelArgument,
    ThresholdOption,
    TopShareOption,
    check_outputs,
    rule_from_options,
    save_json,
)
from lanterne.defaults import COUNTERFACTUAL_EVALUATIONS, COUNTERFACTUAL_SECONDS
from lanterne.errors import UsageError
from lanterne.i18n import Msg, format_number, format_percent, get_lang, pick, tr

if TYPE_CHECKING:
    from lanterne.explain.counterfactual import CounterfactualResult
    from lanterne.explain.explanation import Explanation


@app.command(
    "explain",
    help=h(
        "Expliquer le score d'un foyer : contribution exacte de chaque élément, rang dans une "
        "population, sélection, comparaison avec un foyer de référence et, avec "
        "--counterfactual, ce à quoi le modèle réagit.",
        "Explain one household's score: each element's exact contribution, rank in a "
        "population, selection, comparison with a reference household and, with "
        "--counterfactual, what the model reacts to.",
    ),
)
def explain(
    model: ModelArgument,
    household: HouseholdOption = None,
    sets: SetOption = None,
    archetype: ArchetypeOption = None,
    archetype_set: ArchetypeSetOption = None,
    population: PopulationOption = None,
    reference: Annotated[
        str | None,
        typer.Option(
            "--reference",
            metavar=h("median|PROFIL|none", "median|ARCHETYPE|none"),
            help=h(
                "Foyer de comparaison : « median » (le foyer au score médian de la "
                "population, par défaut avec --population), un profil-type, ou « none ».",
                "Household to compare with: 'median' (the household at the population's "
                "median score, the default with --population), an archetype, or 'none'.",
            ),
        ),
    ] = None,
    top_share: TopShareOption = None,
    threshold: ThresholdOption = None,
    counterfactual: Annotated[
        bool,
        typer.Option(
            "--counterfactual",
            help=h(
                "Chercher les plus petits ensembles de changements des variables modifiables "
                "qui font passer le score sous le seuil de sélection.",
                "Look for the smallest sets of changes to changeable variables that bring the "
                "score below the selection threshold.",
            ),
        ),
    ] = False,
    vary: Annotated[
        list[str] | None,
        typer.Option(
            "--vary",
            metavar="VAR",
            help=h(
                "Limiter la recherche à ces variables modifiables (répétable).",
                "Restrict the search to these changeable variables (repeatable).",
            ),
        ),
    ] = None,
    max_changes: Annotated[
        int | None,
        typer.Option(
            "--max-changes",
            min=1,
            help=h(
                "Nombre maximal de variables changées ensemble.",
                "Maximum number of variables changed together.",
            ),
        ),
    ] = None,
    budget: Annotated[
        int,
        typer.Option(
            "--budget",
            min=1,
            help=h(
                "Nombre maximal de combinaisons notées par la recherche.",
                "Maximum number of combinations the search scores.",
            ),
        ),
    ] = COUNTERFACTUAL_EVALUATIONS,
    seconds: Annotated[
        float,
        typer.Option(
            "--seconds",
            min=0.1,
            help=h("Durée maximale de la recherche.", "Maximum duration of the search."),
        ),
    ] = COUNTERFACTUAL_SECONDS,
    json_out: Annotated[
        Path | None,
        typer.Option(
            "--json",
            help=h(
                "Écrire aussi l'explication en JSON dans ce fichier (écriture atomique ; "
                "« - » : sur la sortie standard, seule).",
                "Also write the explanation as JSON to this file (atomic write; '-': to "
                "standard output, alone).",
            ),
        ),
    ] = None,
    lang: LangOption = None,
) -> None:
    """Explain one household's score."""
    from lanterne.explain.counterfactual import Budget, counterfactuals
    from lanterne.explain.explanation import explain_household
    from lanterne.explain.population import score_population
    from lanterne.model import load_model

    given = rule_from_options(top_share, threshold)
    check_outputs(json_out)
    tables_off(json_out)
    loaded = load_model(model)
    house = household_from_options(loaded, household, sets, archetype, archetype_set)
    rule = given or loaded.targeting
    pop = None
    if population is not None:
        with status(tr("Notation de la population…", "Scoring the population…")):
            pop = score_population(loaded, population)
    result = explain_household(
        loaded,
        house,
        population=pop,
        reference=reference,
        rule=rule,
        archetype_set=archetype_set,
    )
    show_explanation(result)
    found: CounterfactualResult | None = None
    if counterfactual:
        limit = result.standing.threshold
        if limit is None:
            raise UsageError(
                Msg(
                    "pour chercher ce à quoi le modèle réagit il faut un seuil : donnez une "
                    "population (--population) ou un seuil (--threshold)",
                    "looking for what the model reacts to needs a threshold: give a "
                    "population (--population) or a threshold (--threshold)",
                )
            )
        with status(tr("Recherche des changements…", "Searching for changes…")):
            found = counterfactuals(
                loaded,
                house,
                limit,
                Budget(max_evaluations=budget, seconds=seconds),
                variables=vary,
                max_changes=max_changes,
            )
        show_counterfactual(found)
    if json_out is not None:
        data: dict[str, Any] = result.to_json()
        data["counterfactual"] = found.to_json() if found is not None else None
        save_json(json_out, data)


def _variable_label(exp: Explanation, name: str, lang: str) -> str:
    var = exp.model.spec.variable(name)
    return pick(var.label, lang) if var is not None and var.label else name


def _status(status: str) -> str:
    from lanterne.provenance import STATUS_STYLES, status_label

    return f"[{STATUS_STYLES[status]}]{status_label(status)}[/]"


def show_explanation(exp: Explanation) -> None:
    """Print an explanation on the terminal, in the current language."""
    from lanterne.explain.sentences import describe_value, signed

    lang = get_lang()
    spec = exp.model.spec
    console.print(f"[bold]{pick(spec.name)}[/bold] ({spec.id})")
    console.print(tr("Foyer : {d}", "Household: {d}", d=exp.household.describe(lang) or "—"))
    if exp.household.ignored:
        console.print(
            tr(
                "Ignorées (variables d'autres modèles) : {v}",
                "Ignored (variables of other models): {v}",
                v=", ".join(exp.household.ignored),
            ),
            style="dim",
        )
    for warning in exp.warnings:
        console.print(
            Panel(warning.render(lang), border_style="magenta", expand=console.is_terminal)
        )
    console.print(
        Msg(
            "[bold]Score : {s} ({p})[/bold] — {m} : {v}",
            "[bold]Score: {s} ({p})[/bold] — {m}: {v}",
            s=format_number(exp.score, lang, 4),
            p=format_percent(exp.score, lang, 2),
            m=exp.margin_name,
            v=signed(exp.margin, lang, 4),
        ).render(lang)
    )
    for sentence in exp.standing_sentences(lang):
        console.print(f"• {sentence}")
    table = Table(title=tr("Ce qui compose le score", "What makes up the score"))
    table.add_column(tr("Élément", "Element"))
    table.add_column(tr("Valeur", "Value"), justify="right")
    table.add_column(exp.weight_heading(lang), justify="right")
    table.add_column(tr("Contribution", "Contribution"), justify="right")
    table.add_column(tr("Statut", "Status"))
    table.add_row(
        exp.base_label(lang),
        "",
        "",
        signed(exp.base, lang, 3),
        _status(exp.base_status),
    )
    for c in exp.contributions:
        style = "bold" if c.contribution > 0 else ("green" if c.contribution < 0 else "dim")
        table.add_row(
            c.title(lang),
            describe_value(c.value, lang),
            exp.weight_text(c, lang),
            f"[{style}]{signed(c.contribution, lang, 3)}[/]",
            _status(c.status),
        )
    check = "✓" if exp.additive else "≈"
    table.add_row(
        f"[bold]{tr('Total', 'Total')}[/bold]",
        "",
        "",
        f"[bold]{signed(exp.margin, lang, 3)}[/]",
        check,
    )
    console.print(table)
    for sentence in exp.sentences(lang):
        console.print(f"• {sentence}", soft_wrap=False)
    if exp.reference is not None:
        ref = exp.reference
        diff = Table(
            title=Msg("Comparaison avec {r}", "Comparison with {r}", r=ref.label).render(lang)
        )
        diff.add_column(tr("Élément", "Element"))
        diff.add_column(tr("Vous", "You"), justify="right")
        diff.add_column(tr("Référence", "Reference"), justify="right")
        diff.add_column(tr("Écart", "Difference"), justify="right")
        for c in exp.sorted_differences():
            if c.difference:
                diff.add_row(
                    c.title(lang),
                    signed(c.contribution, lang, 3),
                    signed(c.reference or 0.0, lang, 3),
                    signed(c.difference, lang, 3),
                )
        diff.add_row(
            f"[bold]{tr('Total', 'Total')}[/bold]",
            signed(exp.margin, lang, 3),
            signed(ref.margin, lang, 3),
            f"[bold]{signed(exp.margin - ref.margin, lang, 3)}[/]",
        )
        console.print(diff)
        console.print(
            tr(
                "Score de référence : {s}",
                "Reference score: {s}",
                s=format_percent(ref.score, lang, 2),
            )
        )
    if exp.sensitive_variables:
        console.print(
            tr(
                "Variables sensibles, jamais utilisées par ce modèle : {v}.",
                "Sensitive variables, never used by this model: {v}.",
                v=", ".join(_variable_label(exp, n, lang) for n in exp.sensitive_variables),
            ),
            style="dim",
        )


def show_counterfactual(result: CounterfactualResult) -> None:
    """Print the counterfactual search's outcome."""
    lang = get_lang()
    console.rule(tr("Ce à quoi le modèle réagit", "What the model reacts to"))
    lines = result.summary(lang)
    if result.already_below:  # nothing was searched: no caveat to frame
        for line in lines:
            console.print(line)
        return
    for line in lines[:-1]:
        console.print(line)
    console.print(Panel(lines[-1], border_style="cyan", expand=console.is_terminal))
