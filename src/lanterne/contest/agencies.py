"""The agencies a letter may be addressed to (``catalog/agencies``): each Caf by département.

Example:
    >>> cafs = load_agencies()
    >>> cafs.get("59").legal_name
    "Caisse d'allocations familiales du Nord"
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Literal

from pydantic import Field, ValidationError

from lanterne.catalog import catalog_dir, read_text
from lanterne.errors import SpecError
from lanterne.provenance import Source, Status, Strict, Text
from lanterne.spec.problems import pydantic_problems
from lanterne.spec.yamlpos import load_yaml_with_positions

DEFAULT_AGENCIES = "fr-caf"


class Agency(Strict):
    """One office: its code (the département), its usual and legal names, its address."""

    code: Annotated[str, Field(pattern=r"^[0-9AB]{2,3}[ab]?$")]
    name: str
    legal_name: str
    address: list[str] | None = None


class Agencies(Strict):
    lanterne_agencies: Literal[1]
    id: str
    name: Text
    status: Status
    source: Source
    agencies: Annotated[list[Agency], Field(min_length=1)]

    def get(self, code: str) -> Agency | None:
        """The office with this code, if any."""
        return next((a for a in self.agencies if a.code == code), None)


@lru_cache(maxsize=4)
def load_agencies(ref: str = DEFAULT_AGENCIES) -> Agencies:
    """The catalog's list of offices (read and checked once)."""
    path = catalog_dir() / "agencies" / f"{ref}.yaml"
    text = read_text(path)
    doc = load_yaml_with_positions(text, str(path))
    try:
        return Agencies.model_validate(doc.data)
    except ValidationError as exc:
        raise SpecError(pydantic_problems(doc, exc)) from None
