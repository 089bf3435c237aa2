"""``lanterne explain``: one household's score, element by element, and what the model reacts to."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.panel import Panel
from rich.table import Table

from lanterne.cli.app import LangOption, app, console, h, status, tables_off
from lanterne.cli.flags import flagged
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
from lanterne.i18n import Msg, get_lang, tr

if TYPE_CHECKING:
    from lanterne.explain.counterfactual import CounterfactualResult
    from lanterne.explain.explanation import Explanation
    from lanterne.model import Model
    from lanterne.present.explanation import ContributionTable, Row


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
                "Écrire aussi l'explication en JSON dans ce fichier (écriture atomique).",
                "Also write the explanation as JSON to this file (atomic write).",
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
    from lanterne.present.explanation_json import explanation_json

    given = rule_from_options(top_share, threshold)
    if reference == "median" and population is None:
        raise UsageError(
            Msg(
                "la référence « median » demande une population de comparaison "
                "(--population FICHIER)",
                "the 'median' reference needs a comparison population (--population FILE)",
            )
        )
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
        if found.message is not None:  # the library speaks of values; we name our options
            found.message = flagged(found.message, found.message_params)
        show_counterfactual(found, loaded)
    if json_out is not None:
        data: dict[str, Any] = explanation_json(result)
        data["counterfactual"] = found.to_dict() if found is not None else None
        save_json(json_out, data)


def _status(status: str | None, lang: str) -> str:
    from lanterne.provenance import STATUS_STYLES, status_label

    return f"[{STATUS_STYLES[status]}]{status_label(status, lang)}[/]" if status else ""


def _table_row(row: Row, lang: str, *, total: bool = False) -> list[str]:
    style = "bold" if total or row.number > 0 else ("green" if row.number < 0 else "dim")
    if row.term is None and not total:  # the starting value: no colour
        style = ""
    title = row.title.render(lang)
    number = row.contribution.render(lang)
    return [
        f"[bold]{title}[/bold]" if total else title,
        row.value.render(lang),
        row.weight.render(lang),
        f"[{style}]{number}[/]" if style else number,
        _status(row.status, lang),
    ]


def show_explanation(exp: Explanation) -> None:
    """Print an explanation on the terminal, in the current language."""
    lang = get_lang()
    from lanterne.present.explanation import explanation_view

    view = explanation_view(exp)
    console.print(f"[bold]{view.model_name.render(lang)}[/bold] ({view.model_id})")
    console.print(tr("Foyer : {d}", "Household: {d}", d=view.household.render(lang)))
    if view.ignored:
        console.print(
            tr(
                "Ignorées (variables d'autres modèles) : {v}",
                "Ignored (variables of other models): {v}",
                v=", ".join(view.ignored),
            ),
            style="dim",
        )
    for warning in view.warnings:
        console.print(
            Panel(warning.render(lang), border_style="magenta", expand=console.is_terminal)
        )
    console.print(f"[bold]{view.headline.render(lang)}[/bold] — {view.margin_line.render(lang)}")
    for sentence in view.standing:
        console.print(f"• {sentence.render(lang)}")
    if view.threshold is None:  # the options that give a rank and a selection
        console.print(
            tr(
                "  (--population FICHIER ou --threshold SEUIL)",
                "  (--population FILE or --threshold THRESHOLD)",
            ),
            style="dim",
        )
    console.print(_contribution_table(view.table, lang))
    for sentence in view.sentences:
        console.print(f"• {sentence.render(lang)}", soft_wrap=False)
    if view.comparison is not None:
        comp = view.comparison
        diff = Table(title=comp.title.render(lang))
        for i, head in enumerate(comp.headers):
            diff.add_column(head.render(lang), justify="right" if i else "left")
        for cells in comp.rows:
            diff.add_row(*(cell.render(lang) for cell in cells))
        title, *numbers = (cell.render(lang) for cell in comp.total)
        diff.add_row(f"[bold]{title}[/bold]", *numbers[:-1], f"[bold]{numbers[-1]}[/]")
        console.print(diff)
        console.print(comp.summary.render(lang))
    if view.sensitive:
        console.print(view.sensitive_line.render(lang), style="dim")


def _contribution_table(table: ContributionTable, lang: str) -> Table:
    out = Table(title=table.title.render(lang))
    for i, head in enumerate(table.headers):
        out.add_column(head.render(lang), justify="right" if i in (1, 2, 3) else "left")
    out.add_row(*_table_row(table.base, lang))
    for row in table.rows:
        out.add_row(*_table_row(row, lang))
    cells = _table_row(table.total, lang, total=True)
    out.add_row(*cells[:4], table.check)
    return out


def show_counterfactual(result: CounterfactualResult, model: Model | None = None) -> None:
    """Print what would change the decision (categories by their labels, with ``model``)."""
    lang = get_lang()
    from lanterne.present.explanation_changes import changes_view

    view = changes_view(result, model)
    console.rule(tr("Ce à quoi le modèle réagit", "What the model reacts to"))
    console.print(view.intro.render(lang))
    for i, found in enumerate(view.sets, start=1):
        console.print(f"{i}. {found.line.render(lang)}")
    for line in view.details:
        console.print(line.render(lang))
    if view.caveat is not None:
        console.print(
            Panel(view.caveat.render(lang), border_style="cyan", expand=console.is_terminal)
        )
