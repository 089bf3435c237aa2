"""One household for one model, as a person describes it: a file, pairs, a form, an archetype.

The values are read by :mod:`lanterne.inputs` (files, ``name=value`` pairs, a form's
fields, an archetype: see :mod:`lanterne.inputs.sources` for the file format) according to
the model's declared types, each source overriding the one before: archetype, then file,
then form, then pairs. Every problem is reported at once with where it was written: an
unknown variable (with a suggestion), a value that does not fit its type or range,
variables the model needs but nobody gave. A variable that another model of the catalog
declares is ignored (one household file can serve several models) and listed as such. The
assembled row then goes through ``model.prepare`` so that scoring sees exactly what a
table of households would give it.

Example:
    >>> from lanterne.model import load_model
    >>> model = load_model("fr-cnaf-2014")
    >>> house = build_household(model, archetype="single-mother-rsa",
    ...                         sets=["income_monthly=450,5"])
    >>> house.values["income_monthly"], house.values["receives_rsa"]
    (450.5, True)
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import polars as pl

from lanterne.catalog import catalog_dir, catalog_files
from lanterne.errors import LanterneError
from lanterne.i18n import Msg, pick
from lanterne.inputs.assemble import Reader, read_layers
from lanterne.inputs.sources import (
    ID_COLUMNS,
    Entries,
    Person,
    entries_from_archetype,
    entries_from_form,
    entries_from_pairs,
    read_household_file,
)
from lanterne.inputs.values import POLARS_TYPES
from lanterne.model import Model
from lanterne.model.data import prepare_table
from lanterne.population.archetypes import load_archetypes
from lanterne.provenance import Text
from lanterne.spec.load import load_spec

DEFAULT_ARCHETYPES = "fr-households"


def archetype_set_for(model_id: str) -> str:
    """The catalog archetype set made for a model: the longest set id its id starts with
    (``nl-amsterdam`` for ``nl-amsterdam-slimme-check-2022-prepilot``), else the French set.

    >>> archetype_set_for("nl-rotterdam-2017"), archetype_set_for("fr-cnaf-2014")
    ('nl-rotterdam', 'fr-households')
    >>> archetype_set_for("pl-profiling-2014")
    'pl-unemployed'
    """
    sets = catalog_files("archetypes")
    found = [i for i in sets if model_id.startswith(i + "-")]
    if not found:  # a set of the same country (``pl-unemployed`` for ``pl-profiling-2014``)
        country = model_id.split("-", 1)[0] + "-"
        found = [i for i in sets if i.startswith(country)]
    return max(found, key=len) if found else DEFAULT_ARCHETYPES


@dataclass(frozen=True)
class Household:
    """A validated household: typed values, the one-row prepared table, who it is."""

    values: dict[str, Any]  # declared variables only, in Python types
    frame: pl.DataFrame  # one row, checked and typed by model.prepare
    person: Person = field(default_factory=Person)
    origin: tuple[str, ...] = ()  # where the values came from, for display
    archetype: str | None = None
    label: Text | None = None
    ignored: tuple[str, ...] = ()  # variables of other catalog models, not read here

    def describe(self, lang: str | None = None) -> str:
        """A short description: the archetype's label, or where the values came from."""
        parts = []
        if self.archetype:
            label = pick(self.label, lang) if self.label else ""
            parts.append(f"{self.archetype}" + (f" — {label}" if label else ""))
        parts += [
            _ORIGIN_WORDS[o].render(lang) if o in _ORIGIN_WORDS else o
            for o in self.origin
            if not o.startswith("archetype:")
        ]
        return " + ".join(parts)


#: What :attr:`Household.origin`'s tags say (the others are file names), in words that do
#: not depend on the front end (a CLI option, a web page).
_ORIGIN_WORDS = {
    "form": Msg("formulaire", "form"),
    "pairs": Msg("valeurs VARIABLE=VALEUR", "VARIABLE=VALUE values"),
}


def archetype_entries(model: Model, ref: str, archetype_set: str) -> tuple[Entries, Text | None]:
    """The archetype's values of the variables ``model`` declares, and its label."""
    archetypes = load_archetypes(archetype_set)
    values = archetypes.household(ref)
    base_id = ref.split("/")[0]
    base = archetypes.archetype(base_id)
    label: Text | None = base.label if base else None
    if base is not None and "/" in ref:
        variation = next((v for v in base.variations if v.id == ref.split("/", 1)[1]), None)
        if variation is not None:
            label = Text(
                fr=f"{base.label.fr} {variation.label.fr}",
                en=f"{base.label.en} {variation.label.en}",
            )
    declared = {v.name for v in model.spec.variables}
    # an archetype set serves several models: keep this model's variables
    mine = {name: value for name, value in values.items() if name in declared}
    return entries_from_archetype(mine, ref), label


# --------------------------------------------------------------------------- assembling


def _suggest_variable(model: Model, name: str) -> Msg | str:
    feature = model.spec.feature(name)
    if feature is not None:
        reads = model.variables_of({name})
        return Msg(
            " ; « {n} » est calculée par le modèle à partir de : {v}",
            "; '{n}' is computed by the model from: {v}",
            n=name,
            v=", ".join(reads),
        )
    declared = [v.name for v in model.spec.variables]
    close = difflib.get_close_matches(name, declared, n=1, cutoff=0.5)
    if close:
        return Msg(" (vouliez-vous dire « {c} » ?)", " (did you mean '{c}'?)", c=close[0])
    return ""


def model_reader(model: Model) -> Reader:
    """How a household is read for ``model``: its variables; another catalog model's names
    are ignored (one household file serves several models), others are errors."""
    return Reader(
        {v.name: v for v in model.spec.variables},
        Msg("pour le modèle {m}", "for model {m}", m=model.id),
        ignore=lambda entry: entry.name in catalog_vocabulary(),
        suggest=lambda reader, name: _suggest_variable(model, name),
    )


@lru_cache(maxsize=1)
def catalog_vocabulary() -> frozenset[str]:
    """Names declared by a catalog model, used by an archetype set or a sample's columns.

    A household file may serve several models: a name another model declares is ignored,
    while a name no model knows is an error (a typo, most of the time).
    """
    names: set[str] = set()
    for path in catalog_files("models").values():
        try:
            names |= {v.name for v in load_spec(path).variables}
        except LanterneError:  # a broken catalog file is reported where it is used
            continue
    for path in catalog_files("archetypes").values():
        try:
            archetypes = load_archetypes(path)
        except LanterneError:
            continue
        names |= set(archetypes.defaults)
        for arch in archetypes.archetypes:
            names |= set(arch.values)
    samples = catalog_dir() / "samples"
    for path in sorted(samples.glob("*.csv")) if samples.is_dir() else []:
        with path.open(encoding="utf-8-sig") as handle:  # the header names the columns
            names |= {c.strip() for c in re.split(r"[,;\t]", handle.readline()) if c.strip()}
    return frozenset(names - set(ID_COLUMNS))


def household_frame(model: Model, values: Mapping[str, Any]) -> pl.DataFrame:
    """A one-row table of ``values`` (declared variables), checked by ``model.prepare``."""
    present = [v for v in model.spec.variables if v.name in values]
    schema = {v.name: POLARS_TYPES.get(v.type, pl.String) for v in present}
    # one row built at once (a Series per column costs several times more)
    frame = pl.from_dicts([{v.name: values[v.name] for v in present}], schema=schema)
    if all(name in values for name in model.used_variables):
        return model.prepare(frame)
    return prepare_table(model.spec, frame, required=())  # a partial household (letters)


def build_household(
    model: Model,
    *,
    file: str | os.PathLike[str] | None = None,
    sets: Iterable[str] = (),
    archetype: str | None = None,
    archetype_set: str | None = None,
    person: Person | None = None,
    require: Iterable[str] | None = None,
    values: Mapping[str, Any] | None = None,
) -> Household:
    """Assemble and validate one household for ``model``.

    Values come from the archetype (if any), then the file, then ``values`` (a mapping,
    such as a web form's fields; blank ones are skipped), then ``sets`` — each overriding
    the previous. ``require`` lists the variables that must be known (default: every
    variable the model reads). Raises :class:`DataError` with every problem found.

    >>> from lanterne.model import load_model
    >>> model = load_model("fr-cnaf-2014")
    >>> house = build_household(
    ...     model, archetype="single-mother-rsa", values={"income_monthly": "850,50"}
    ... )
    >>> house.values["income_monthly"]
    850.5
    """
    layers: list[Entries] = []
    origin: list[str] = []
    label: Text | None = None
    if archetype:
        chosen_set = archetype_set or archetype_set_for(model.id)
        layer, label = archetype_entries(model, archetype, chosen_set)
        layers.append(layer)
        origin.append(f"archetype:{archetype}")
    if file is not None:
        layers.append(read_household_file(file))
        origin.append(str(file))
    if values:
        layers.append(entries_from_form(values))
        origin.append("form")
    set_list = list(sets)
    if set_list:
        layers.append(entries_from_pairs(set_list))
        origin.append("pairs")
    needed = tuple(model.used_variables if require is None else require)
    read = read_layers(model_reader(model), layers, needed)
    frame = household_frame(model, read.values) if read.values else pl.DataFrame()
    return Household(
        values=read.values,
        frame=frame,
        person=Person(**read.person).merged(person),
        origin=tuple(origin),
        archetype=archetype,
        label=label,
        ignored=tuple(read.ignored),
    )
