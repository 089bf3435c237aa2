"""Options that describe one household, shared by ``lanterne explain`` and ``lanterne letter``."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from lanterne.cli.app import h
from lanterne.errors import DataError, UsageError
from lanterne.i18n import Msg
from lanterne.io.std import resolve_input

if TYPE_CHECKING:
    from lanterne.explain.household import Household
    from lanterne.inputs.sources import Person
    from lanterne.model import Model

#: How the explanation's commands ask for what is missing.
HOW_TO_GIVE = Msg(
    "donnez-les dans le fichier du foyer (--household), avec --set VARIABLE=VALEUR, ou "
    "partez d'un profil-type (--archetype)",
    "give them in the household file (--household), with --set VARIABLE=VALUE, or start "
    "from an archetype (--archetype)",
)

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
    if required and household is None and not sets and archetype is None:
        raise UsageError(
            Msg(
                "donnez un foyer : --household FICHIER, --set VARIABLE=VALEUR ou "
                "--archetype PROFIL",
                "give a household: --household FILE, --set VARIABLE=VALUE or --archetype ARCHETYPE",
            )
        )
    with how_to_give():
        return _build(model, household, sets, archetype, archetype_set, person, required)


@contextmanager
def how_to_give(how: Msg = HOW_TO_GIVE) -> Iterator[None]:
    """Missing household values say how this command takes them. (A problem about one
    ``--set`` pair names the option by itself: :mod:`lanterne.cli.flags`.)

    >>> from lanterne.inputs.assemble import MissingValues
    >>> try:
    ...     with how_to_give(Msg("--set", "--set")):
    ...         raise MissingValues(["qpv"], Msg("le modèle", "the model"))
    ... except DataError as exc:
    ...     print(exc.render("en").split(" — ")[1])
    --set
    """
    from lanterne.inputs.assemble import MissingValues  # polars: not at start-up

    try:
        yield
    except MissingValues as exc:
        (problem,) = exc.problems
        message = Msg("{m} — {h}", "{m} — {h}", m=problem.message, h=how)
        raise DataError(replace(problem, message=message)) from None


def _build(
    model: Model,
    household: Path | None,
    sets: list[str] | None,
    archetype: str | None,
    archetype_set: str | None,
    person: Person | None,
    required: bool,
) -> Household:
    from lanterne.explain.household import build_household

    build = functools.partial(
        build_household,
        model,
        file=resolve_input(household) if household is not None else None,
        sets=sets or (),
        archetype=archetype,
        archetype_set=archetype_set,
        person=person,
    )
    if required:
        return build()
    partial = build(require=())
    if partial.values and any(v not in partial.values for v in model.used_variables):
        return build()  # says what is missing
    return partial
