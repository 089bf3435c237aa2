"""Archetype households ("profils-types"): named households varied one attribute at a time.

An archetype set is a YAML file in ``catalog/archetypes/<id>.yaml``::

    lanterne_archetypes: 1
    id: fr-households
    name: {fr: ..., en: ...}
    description: {fr: ..., en: ...}
    country: FR
    status: illustrative            # the households are invented examples
    sources: [...]                  # where typical values come from
    defaults:                       # values every archetype starts from
      sex: female
      ...
    archetypes:
      - id: single-mother-rsa
        label: {fr: ..., en: ...}
        description: {fr: ..., en: ...}
        values: {family_type: single_parent, n_children: 2, ...}
        variations:
          - id: not-in-qpv
            label: {fr: ..., en: ...}
            changes: {qpv: false}

Each archetype is ``defaults`` overridden by its ``values``; each variation is its
archetype overridden by ``changes``. Values are checked against a model when scored.

Example:
    >>> archetypes = load_archetypes("fr-households")
    >>> table = archetypes.households()
    >>> {"archetype", "variation", "base"} <= set(table.columns)
    True
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Annotated, Any, Literal

import polars as pl
from pydantic import Field, model_validator

from lanterne.catalog import catalog_path, read_text
from lanterne.errors import Problem, SpecError
from lanterne.i18n import Msg
from lanterne.provenance import SLUG, Source, Status, Strict, Text
from lanterne.spec.problems import validate_yaml
from lanterne.spec.schema import IDENTIFIER

Value = bool | int | float | str

#: Columns of :meth:`ArchetypeSet.households` that are not household variables.
META_COLUMNS = ("archetype", "variation", "base", "label_fr", "label_en")


class Variation(Strict):
    """The same household with one or more attributes changed."""

    id: Annotated[str, Field(pattern=SLUG)]
    label: Text
    description: Text | None = None
    changes: Annotated[dict[Annotated[str, Field(pattern=IDENTIFIER)], Value], Field(min_length=1)]


class Archetype(Strict):
    """A named base household."""

    id: Annotated[str, Field(pattern=SLUG)]
    label: Text
    description: Text
    values: dict[Annotated[str, Field(pattern=IDENTIFIER)], Value] = Field(default_factory=dict)
    variations: list[Variation] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_variations(self) -> Archetype:
        ids = [v.id for v in self.variations]
        if len(set(ids)) != len(ids):
            raise ValueError("variation ids must be unique within an archetype")
        return self


class ArchetypeSet(Strict):
    """A set of archetypes sharing defaults and sources."""

    lanterne_archetypes: Literal[1]
    id: Annotated[str, Field(pattern=SLUG)]
    name: Text
    description: Text
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
    status: Status
    sources: Annotated[list[Source], Field(min_length=1)]
    defaults: dict[Annotated[str, Field(pattern=IDENTIFIER)], Value] = Field(default_factory=dict)
    archetypes: Annotated[list[Archetype], Field(min_length=1)]

    @model_validator(mode="after")
    def _unique_archetypes(self) -> ArchetypeSet:
        ids = [a.id for a in self.archetypes]
        if len(set(ids)) != len(ids):
            raise ValueError("archetype ids must be unique")
        return self

    def archetype(self, archetype_id: str) -> Archetype | None:
        return next((a for a in self.archetypes if a.id == archetype_id), None)

    def rows(self) -> Iterator[dict[str, Any]]:
        """One dict per base household and per variation, variations after their base."""
        for arch in self.archetypes:
            base = {**self.defaults, **arch.values}
            yield {
                "archetype": arch.id,
                "variation": None,
                "base": arch.id,
                "label_fr": arch.label.fr,
                "label_en": arch.label.en,
                **base,
            }
            for var in arch.variations:
                yield {
                    "archetype": f"{arch.id}/{var.id}",
                    "variation": var.id,
                    "base": arch.id,
                    "label_fr": var.label.fr,
                    "label_en": var.label.en,
                    **base,
                    **var.changes,
                }

    def household(self, ref: str) -> dict[str, Any]:
        """The values of one household: ``"archetype-id"`` or ``"archetype-id/variation-id"``."""
        for row in self.rows():
            if row["archetype"] == ref:
                return {k: v for k, v in row.items() if k not in META_COLUMNS}
        known = ", ".join(r["archetype"] for r in self.rows())
        raise SpecError(
            Problem(
                Msg(
                    "profil-type « {r} » inconnu dans {s} ; disponibles : {k}",
                    "unknown archetype '{r}' in {s}; available: {k}",
                    r=ref,
                    s=self.id,
                    k=known,
                )
            )
        )

    def households(self) -> pl.DataFrame:
        """Every household as a table: metadata columns, then the variables.

        A variable missing from a household is null; scoring reports it.
        """
        rows = list(self.rows())
        columns = list(META_COLUMNS)
        for row in rows:
            columns += [k for k in row if k not in columns]
        return pl.DataFrame(
            [{c: row.get(c) for c in columns} for row in rows],
            infer_schema_length=None,
        )


def load_archetypes(ref: str | os.PathLike[str]) -> ArchetypeSet:
    """Read and validate an archetype file (a path or a catalog id)."""
    path = catalog_path("archetypes", ref)
    return load_archetypes_text(read_text(path), str(path))


def load_archetypes_text(text: str, file: str = "<text>") -> ArchetypeSet:
    return validate_yaml(text, file, ArchetypeSet)
