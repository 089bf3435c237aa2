"""A grid of applicant profiles: every combination of a few values per variable.

A grid is a *construction*, not a population: each combination counts once, however rare
or impossible it would be among real applicants. It answers "which kinds of profile does
the change of model move?", never "how many people". Reports say so wherever they show it.

Values per variable, by default (:func:`default_grid`):

* yes/no variables: both values;
* categories: every category;
* numbers: for an additive model, one value inside the bin where the first model's shape
  function is lowest and one inside the bin where it is highest (the two ends of what the
  variable can do to the score); for other kinds, the ends of the declared range. A
  variable that the model treats specially when it is missing also gets the empty value.

A catalog grid file made for the first model (``catalog/grids``, see
:mod:`lanterne.compare.gridfile`) replaces these defaults for the variables it names —
for Amsterdam, the values of the investigators' grid. ``values`` given by the user replace
the defaults of the variables they name.

Example:
    >>> grid = ProfileGrid({"a": (0, 1), "b": ("x", "y", "z")}, origin=None)
    >>> grid.size, grid.frame().shape
    (6, (6, 2))
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from lanterne.compare.gridfile import grid_file_for, load_grid_file
from lanterne.errors import Problem, UsageError
from lanterne.i18n import Msg
from lanterne.io.frames import TableLike, as_polars
from lanterne.model import Model
from lanterne.provenance import status_label

#: A grid larger than this is refused: it would take minutes and say nothing more.
MAX_PROFILES = 5_000_000


@dataclass(frozen=True)
class ProfileGrid:
    """Values per variable; the profiles are every combination of them (or given rows)."""

    values: Mapping[str, Sequence[Any]]
    origin: Msg | None
    rows: pl.DataFrame | None = None  # profiles given as a table, used as they are
    name: str = "grid"  # where errors point: the file of the rows, or "grid"

    @property
    def variables(self) -> list[str]:
        return list(self.rows.columns if self.rows is not None else self.values)

    @property
    def size(self) -> int:
        if self.rows is not None:
            return self.rows.height
        return math.prod(len(v) for v in self.values.values())

    def frame(self) -> pl.DataFrame:
        """One row per profile, in lexicographic order of the values (last varies fastest)."""
        if self.rows is not None:
            return self.rows
        names = list(self.values)
        shape = tuple(len(self.values[n]) for n in names)
        index = np.unravel_index(np.arange(self.size), shape) if names else ()
        return pl.DataFrame(
            [
                pl.Series(n, list(self.values[n]), strict=False).gather(idx)
                for n, idx in zip(names, index, strict=True)
            ]
        )


def _numeric_defaults(model: Model, name: str) -> list[Any]:
    from lanterne.explain.shapes import grid_values

    found = grid_values(model, name)
    if found is not None:
        return found
    var = model.spec.variable(name)
    assert var is not None
    low, high = var.range if var.range is not None else (0.0, 1.0)
    if var.type == "int":
        return [int(low), int(high)]
    return [float(low), float(high)]


def default_values(model: Model, name: str) -> list[Any]:
    """The grid's default values of one variable the model reads (see the module doc)."""
    var = model.spec.variable(name)
    assert var is not None
    if var.type == "bool":
        return [False, True]
    if var.type == "category":
        return list(var.categories or [])
    return _numeric_defaults(model, name)


def parse_value_options(options: Sequence[str], models: Sequence[Model]) -> dict[str, list[Any]]:
    """``name=v1,v2`` (or ``name=v1;v2``) options → values per variable, checked.

    >>> from lanterne.model import load_model
    >>> parse_value_options(["n_children=0,3"], [load_model("fr-cnaf-2014")])
    {'n_children': [0, 3]}
    """
    from lanterne.inputs.values import parse_value

    out: dict[str, list[Any]] = {}
    problems = []
    for option in options:
        name, sep, text = option.partition("=")
        name = name.strip()
        var = next((m.spec.variable(name) for m in models if m.spec.variable(name)), None)
        if not sep or var is None or not text.strip():
            problems.append(
                Problem(
                    Msg(
                        "« {o} » : attendu NOM=v1,v2 avec NOM une variable des modèles",
                        "'{o}': expected NAME=v1,v2 with NAME a variable of the models",
                        o=option,
                    ),
                    params=("values",),
                )
            )
            continue
        values = []
        # "a;b" when the values have decimal commas ("0;1 200,5"), else "a,b"
        for raw in text.split(";" if ";" in text else ","):
            raw = raw.strip()
            value, error = (None, None) if raw == "" else parse_value(var, raw)
            if error is not None:
                problems.append(Problem(Msg("{e}", "{e}", e=error), path=name, params=("values",)))
            values.append(value)
        out[name] = values
    if problems:
        raise UsageError(problems)
    return out


def default_grid(
    models: Sequence[Model], values: Mapping[str, Sequence[Any]] | None = None
) -> ProfileGrid:
    """The grid over every variable the models read (``values`` replace some defaults)."""
    values = dict(values or {})
    names: list[str] = []
    for model in models:
        names += [n for n in model.used_variables if n not in names]
    origin = Msg(
        "grille construite : toutes les combinaisons des valeurs ci-dessous (pour les "
        "nombres, une valeur dans la classe où la fonction de forme du premier modèle est "
        "la plus basse et une dans celle où elle est la plus haute)",
        "constructed grid: every combination of the values below (for numbers, one value "
        "in the bin where the first model's shape function is lowest and one in the bin "
        "where it is highest)",
    )
    catalog_grid = grid_file_for(models[0].id)
    if catalog_grid is not None:
        grid_file = load_grid_file(catalog_grid)
        values = {**{n: v for n, v in grid_file.values.items() if n in names}, **values}
        origin = Msg(
            "grille construite : toutes les combinaisons des valeurs ci-dessous, celles de la "
            "grille « {g} » du catalogue ({n}, statut : {s})",
            "constructed grid: every combination of the values below, those of the catalog "
            "grid '{g}' ({e}, status: {s})",
            g=grid_file.id,
            n=grid_file.name.fr,
            e=grid_file.name.en,
            s=Msg(status_label(grid_file.status, "fr"), status_label(grid_file.status, "en")),
        )
    owner = {n: next(m for m in models if n in m.used_variables) for n in names}
    grid = {n: list(values[n]) if n in values else default_values(owner[n], n) for n in names}
    checked = ProfileGrid(grid, origin=origin)
    _check_size(checked)
    return checked


def grid_from_table(frame: TableLike, name: str) -> ProfileGrid:
    """Profiles given as a table (one row each; Polars, pandas or Arrow), e.g. the
    investigators' own grid."""
    grid = ProfileGrid(
        {},
        origin=Msg("profils du fichier « {f} »", "profiles of the file '{f}'", f=name),
        rows=as_polars(frame),
        name=name,
    )
    _check_size(grid)
    return grid


def _check_size(grid: ProfileGrid) -> None:
    if grid.size > MAX_PROFILES:
        raise UsageError(
            Problem(
                Msg(
                    "la grille compte {n} profils (plus de {m}) : donnez moins de valeurs",
                    "the grid has {n} profiles (more than {m}): give fewer values",
                    n=grid.size,
                    m=MAX_PROFILES,
                ),
                params=("values",),
            )
        )
