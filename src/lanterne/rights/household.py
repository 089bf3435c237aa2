"""One household for the rights check (``lanterne rights``, the "Mes droits" page).

The rights check reads the columns of :data:`lanterne.rights.inputs.INPUT_COLUMNS`. Each is
declared, with its type, range and categories, by the French score model
(:data:`LABELS_MODEL`), except ``head_age`` (:data:`HEAD_AGE`): the same reading as for an
explanation, so that "1 200,50" or "oui" mean the same on the command line, in a file and
in the web form. A table row may hold other columns (a population's): they are ignored.

Example:
    >>> house = rights_household(pairs=["income_monthly=1 200,50"], start="defaults")
    >>> house.values["income_monthly"], house.frame["income_monthly"].dtype
    (1200.5, Float64)
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

import polars as pl

from lanterne.catalog import catalog_files
from lanterne.i18n import Msg
from lanterne.inputs.assemble import MissingValues, Reader, read_layers
from lanterne.inputs.sources import (
    Entries,
    entries_from_archetype,
    entries_from_form,
    entries_from_pairs,
    read_household_file,
)
from lanterne.inputs.values import POLARS_TYPES
from lanterne.population.archetypes import load_archetypes
from lanterne.provenance import Text
from lanterne.rights.inputs import AGE_BANDS, INPUT_COLUMNS
from lanterne.spec.load import load_spec
from lanterne.spec.schema import Variable

#: The model whose spec declares the rights inputs (labels, help texts, categories, ranges).
LABELS_MODEL = "fr-cnaf-2014"
#: The archetype set the rights check starts from.
ARCHETYPES = "fr-households"
#: The head's age: the rights check needs it in years (RSA turns on 25), the models a band.
HEAD_AGE = Variable(
    name="head_age",
    type="int",
    range=(16, 110),
    unit="years",
    label=Text(fr="Âge du responsable", en="Age of the head of household"),
    description=Text(
        fr="L'âge de la personne qui demande (le RSA demande 25 ans, sauf avec un enfant à "
        "charge).",
        en="The age of the person claiming (RSA needs 25, except with a dependent child).",
    ),
)
OWNER = Msg("pour le contrôle des droits", "for the rights check")


@lru_cache(maxsize=1)
def rights_variables() -> dict[str, Variable]:
    """The declared variables of the rights inputs, in the order of ``INPUT_COLUMNS``.

    >>> list(rights_variables())[:3]
    ['family_type', 'n_children', 'head_age']
    """
    spec = load_spec(catalog_files("models")[LABELS_MODEL])
    out: dict[str, Variable] = {}
    for name in INPUT_COLUMNS:
        var = HEAD_AGE if name == "head_age" else spec.variable(name)
        if var is not None:
            out[name] = var
    return out


def _reader() -> Reader:
    # a table row or an archetype holds more than the rights read; a typed name does not
    return Reader(rights_variables(), OWNER, ignore=lambda e: e.kind in ("file", "archetype"))


@dataclass(frozen=True)
class RightsHousehold:
    """The typed values of the rights inputs, and the one-row table the computation reads."""

    values: dict[str, Any]
    frame: pl.DataFrame


def archetype_rights_values(ref: str) -> dict[str, Any]:
    """An archetype's rights inputs, with ``head_age`` from its age band (about its middle).

    >>> archetype_rights_values("single-mother-rsa")["head_age"]  # band 35_44
    40
    """
    house = load_archetypes(ARCHETYPES).household(ref)
    values = {k: v for k, v in house.items() if k in INPUT_COLUMNS and v is not None}
    values.setdefault("head_age", AGE_BANDS.get(str(house.get("age_band")), 40))
    return values


def rights_household(
    *,
    file: str | os.PathLike[str] | None = None,
    row: int | None = None,
    form: Mapping[str, Any] | None = None,
    pairs: Iterable[str] = (),
    archetype: str | None = None,
    start: Literal["defaults"] | None = None,
) -> RightsHousehold:
    """Read one household for the rights check; each source overrides the one before:
    the archetype set's defaults (``start="defaults"``) or an ``archetype``, then the
    ``file`` (its ``row``, from 1), then the ``form``'s fields (blank ones skipped), then
    ``name=value`` ``pairs``. Raises :class:`~lanterne.errors.DataError` with every problem.
    """
    layers: list[Entries] = []
    if start == "defaults":
        defaults = load_archetypes(ARCHETYPES).defaults
        layers.append(entries_from_archetype(defaults, ARCHETYPES))
    if archetype is not None:
        layers.append(entries_from_archetype(archetype_rights_values(archetype), archetype))
    if file is not None:
        layers.append(read_household_file(file, row=row or 1))
    if form:
        layers.append(entries_from_form(form))
    layers.append(entries_from_pairs(pairs))
    needed = [name for name, (required, _) in INPUT_COLUMNS.items() if required]
    values = read_layers(_reader(), layers, needed).values
    if "head_age" not in values and "age_band" not in values:
        raise MissingValues(["head_age"], OWNER)
    return RightsHousehold(values, rights_frame(values))


def rights_frame(values: Mapping[str, Any]) -> pl.DataFrame:
    """One row of typed rights inputs, in the order of ``INPUT_COLUMNS``."""
    variables = rights_variables()
    names = [n for n in variables if n in values]
    schema = {n: POLARS_TYPES.get(variables[n].type, pl.String) for n in names}
    return pl.from_dicts([{n: values[n] for n in names}], schema=schema)
