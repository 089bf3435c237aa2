"""Grid files: the values per variable of a grid of profiles, with where they come from.

A grid file is a YAML file in ``catalog/grids/<id>.yaml`` (or any path)::

    lanterne_grid: 1
    id: nl-amsterdam
    name: {fr: ..., en: ...}
    description: {fr: ..., en: ...}
    status: illustrative          # the values are a choice, not statistics
    sources: [...]                # who chose them
    values:
      has_partner: [0, 1]
      sum_inkomen_bruto: [null, 0, 1000]   # null: a missing value

:func:`grid_file_for` finds the catalog grid made for a model (the longest grid id its id
starts with), so that ``models compare`` uses it by default.

Example:
    >>> grid = load_grid_file("nl-amsterdam")
    >>> grid.values["has_partner"]
    [0, 1]
"""

from __future__ import annotations

import os
from typing import Annotated, Literal

from pydantic import Field

from lanterne.catalog import catalog_files, catalog_path, read_text
from lanterne.provenance import SLUG, Source, Status, Strict, Text
from lanterne.spec.problems import validate_yaml
from lanterne.spec.schema import IDENTIFIER

Value = bool | int | float | str | None


class GridFile(Strict):
    """Values per variable for a grid of profiles, with their source and status."""

    lanterne_grid: Literal[1]
    id: Annotated[str, Field(pattern=SLUG)]
    name: Text
    description: Text
    status: Status
    sources: Annotated[list[Source], Field(min_length=1)]
    values: dict[
        Annotated[str, Field(pattern=IDENTIFIER)], Annotated[list[Value], Field(min_length=1)]
    ]


def load_grid_file(ref: str | os.PathLike[str]) -> GridFile:
    """Read and validate a grid file (a path or a catalog id)."""
    path = catalog_path("grids", ref)
    return validate_yaml(read_text(path), str(path), GridFile)


def grid_file_for(model_id: str) -> str | None:
    """The catalog grid made for a model, if any.

    >>> grid_file_for("nl-amsterdam-slimme-check-2022-prepilot"), grid_file_for("fr-cnaf-2014")
    ('nl-amsterdam', None)
    """
    found = [i for i in catalog_files("grids") if model_id.startswith(i + "-")]
    return max(found, key=len) if found else None
