"""``lanterne archetypes``: score archetype households and their variations with a model."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from lanterne.cli.app import LangOption, app, console, h, status
from lanterne.cli.options import (
    ModelArgument,
    ThresholdOption,
    TopShareOption,
    check_outputs,
    rule_from_options,
    save_json,
)
from lanterne.i18n import format_number, format_percent, get_lang, tr
from lanterne.io.std import is_std

if TYPE_CHECKING:
    from lanterne.population.experiments import ArchetypeResult, ArchetypeScore


@app.command(
    "archetypes",
    help=h(
        "Noter des profils-types et leurs variantes : score, écart avec le profil de base "
        "et, avec une population, rang centile et sélection par la règle de ciblage.",
        "Score archetype households and their variations: score, change against the base "
        "and, given a population, percentile and selection by the targeting rule.",
    ),
)
def archetypes(
    model: ModelArgument,
    archetype_set: Annotated[
        str,
        typer.Argument(
            metavar="ARCHETYPES",
            help=h(
                "Profils-types : identifiant du catalogue (catalog/archetypes) ou fichier YAML.",
                "Archetypes: catalog id (catalog/archetypes) or YAML file.",
            ),
        ),
    ],
    population: Annotated[
        Path | None,
        typer.Option(
            "--population",
            "-p",
            help=h(
                "Population (Parquet ou CSV) pour situer chaque profil : rang centile et "
                "seuil de la règle de ciblage.",
                "Population (Parquet or CSV) to place each household: percentile and the "
                "targeting rule's threshold.",
            ),
        ),
    ] = None,
    json_out: Annotated[
        Path | None,
        typer.Option(
            "--json",
            help=h(
                "Écrire le résultat en JSON dans ce fichier (« - » : sortie standard).",
                "Write the result as JSON to this file ('-': standard output).",
            ),
        ),
    ] = None,
    top_share: TopShareOption = None,
    threshold: ThresholdOption = None,
    lang: LangOption = None,
) -> None:
    """Score every archetype and variation of a set with a model."""
    from lanterne.model import load_model
    from lanterne.population.archetypes import load_archetypes
    from lanterne.population.experiments import run_archetypes

    given = rule_from_options(top_share, threshold)
    check_outputs(json_out)
    loaded = load_model(model)
    rule = given or loaded.targeting
    households = load_archetypes(archetype_set)
    if population is not None:
        with status(tr("Notation de la population…", "Scoring the population…")):
            result = run_archetypes(loaded, households, population, rule)
    else:
        result = run_archetypes(loaded, households, None, rule)
    if not is_std(json_out):  # with --json -, standard output carries the JSON alone
        console.print(render_table(result))
        _print_notes(result, households.status)
    save_json(json_out, result.to_dict())


def render_table(result: ArchetypeResult) -> Table:
    """The Rich table of an archetype experiment (variations indented under their base)."""
    lang = get_lang()
    table = Table(
        title=tr(
            "Profils-types {a} notés par {m}",
            "Archetypes {a} scored by {m}",
            a=result.archetypes_id,
            m=result.model_id,
        )
    )
    table.add_column(tr("Profil", "Household"), overflow="fold")
    table.add_column(tr("Modifié (lu par le modèle)", "Changed (read by the model)"))
    table.add_column("Score", justify="right")
    table.add_column(tr("Écart", "Change"), justify="right")
    with_population = result.population_size is not None
    if with_population:
        table.add_column(tr("Centile", "Percentile"), justify="right")
    if result.threshold is not None:
        table.add_column(tr("Ciblé", "Targeted"), justify="center")
    for i, row in enumerate(result.rows):
        is_base = row.variation is None
        last_of_group = i + 1 == len(result.rows) or result.rows[i + 1].variation is None
        name = f"[bold]{row.label(lang)}[/]" if is_base else f"  {row.label(lang)}"
        cells = [
            name,
            _changes(row),
            format_percent(row.score, lang, 1),
            "" if is_base else _signed_points(row.delta, lang),
        ]
        if with_population:
            cells.append(format_percent(row.percentile or 0.0, lang, 1))
        if result.threshold is not None:
            cells.append(f"[bold red]{tr('oui', 'yes')}[/]" if row.selected else tr("non", "no"))
        table.add_row(*cells, end_section=last_of_group)
    return table


def _changes(row: ArchetypeScore) -> str:
    """The changed variables the model reads, then (dimmed) those it does not read."""
    unread = [c for c in row.changes if c not in row.read]
    parts = [", ".join(row.read)] if row.read else []
    if unread:
        parts.append("[dim]" + tr("non lu : {v}", "not read: {v}", v=", ".join(unread)) + "[/]")
    return "; ".join(parts)


def _signed_points(delta: float, lang: str) -> str:
    points = round(delta * 100, 1) + 0.0
    unit = " pt" if lang == "en" else "\u00a0pt"
    return ("+" if points >= 0 else "") + format_number(points, lang, 1) + unit


def _print_notes(result: ArchetypeResult, status: str) -> None:
    from lanterne.provenance import status_label

    console.print(
        tr(
            "Score : probabilité estimée par le modèle. Écart : en points, par rapport au "
            "profil de base.",
            "Score: probability estimated by the model. Change: in points, against the base "
            "household.",
        )
    )
    if result.threshold is not None and result.population_size is not None:
        console.print(
            tr(
                "Ciblage : {r} parmi {n} foyers de {p} → seuil {t}.",
                "Targeting: {r} among {n} households of {p} → threshold {t}.",
                r=result.rule.describe().render(),
                n=format_number(result.population_size, None, 0),
                p=result.population,
                t=format_percent(result.threshold, None, 2),
            )
        )
    elif result.threshold is not None:
        console.print(
            tr(
                "Ciblage : {r}.",
                "Targeting: {r}.",
                r=result.rule.describe().render(),
            )
        )
    else:
        console.print(
            tr(
                "Sans --population, la règle ({r}) ne dit pas qui serait ciblé : donnez une "
                "population pour le rang centile et la sélection.",
                "Without --population, the rule ({r}) cannot tell who would be targeted: give "
                "a population for percentiles and selection.",
                r=result.rule.describe().render(),
            )
        )
    console.print(
        tr(
            "Foyers fictifs (statut : {s}).",
            "Fictitious households (status: {s}).",
            s=status_label(status),
        )
    )
