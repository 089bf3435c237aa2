"""Options that describe one household, shared by ``lanterne explain`` and ``lanterne letter``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from lanterne.cli.app import h
from lanterne.errors import UsageError
from lanterne.i18n import Msg
from lanterne.io.std import resolve_input

if TYPE_CHECKING:
    from lanterne.explain.household import Household, Person
    from lanterne.model import Model


HouseholdOption = Annotated[
    Path | None,
    typer.Option(
        "--household",
        help=h(
            "Fichier du foyer : YAML ou JSON « variable: valeur » (avec un bloc « person » "
            "facultatif), ou CSV d'une ligne ; « - » : l'entrée standard.",
            "Household file: YAML or JSON 'variable: value' (with an optional 'person' "
            "block), or a one-row CSV; '-': standard input.",
        ),
    ),
]
SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        metavar=h("VAR=VALEUR", "VAR=VALUE"),
        help=h(
            "Donner ou remplacer une valeur (répétable) : --set income_monthly=850,50.",
            "Give or override a value (repeatable): --set income_monthly=850.50.",
        ),
    ),
]
ArchetypeOption = Annotated[
    str | None,
    typer.Option(
        "--archetype",
        metavar=h("ID[/VARIANTE]", "ID[/VARIATION]"),
        help=h(
            "Partir d'un profil-type, par exemple single-mother-rsa/part-time-work.",
            "Start from an archetype, e.g. single-mother-rsa/part-time-work.",
        ),
    ),
]
ArchetypeSetOption = Annotated[
    str | None,
    typer.Option(
        "--archetypes",
        help=h(
            "Jeu de profils-types (identifiant du catalogue ou fichier YAML). Par défaut : "
            "celui du modèle (nl-amsterdam pour les modèles d'Amsterdam), sinon fr-households.",
            "Archetype set (catalog id or YAML file). Default: the model's own "
            "(nl-amsterdam for the Amsterdam models), else fr-households.",
        ),
    ),
]
PopulationOption = Annotated[
    Path | None,
    typer.Option(
        "--population",
        help=h(
            "Population où situer le foyer (CSV, Parquet ou dossier de Parquet) : rang, seuil "
            "d'une règle « les k % les plus élevés », foyer médian.",
            "Population to place the household in (CSV, Parquet or a folder of Parquet): "
            "rank, threshold of a 'top k %' rule, median household.",
        ),
    ),
]


def household_from_options(
    model: Model,
    household: Path | None,
    sets: list[str] | None,
    archetype: str | None,
    archetype_set: str | None = None,
    *,
    person: Person | None = None,
    required: bool = True,
) -> Household:
    """The household the options describe; with ``required=False`` it may hold no values."""
    from lanterne.explain.household import build_household

    if required and household is None and not sets and archetype is None:
        raise UsageError(
            Msg(
                "donnez un foyer : --household FICHIER, --set VARIABLE=VALEUR ou "
                "--archetype PROFIL",
                "give a household: --household FILE, --set VARIABLE=VALUE or --archetype ARCHETYPE",
            )
        )
    kwargs = dict(
        file=resolve_input(household) if household is not None else None,
        sets=sets or (),
        archetype=archetype,
        archetype_set=archetype_set,
        person=person,
    )
    if required:
        return build_household(model, **kwargs)  # type: ignore[arg-type]
    partial = build_household(model, require=(), **kwargs)  # type: ignore[arg-type]
    if partial.values and any(v not in partial.values for v in model.used_variables):
        return build_household(model, **kwargs)  # type: ignore[arg-type]  # says what is missing
    return partial
