"""The non-take-up catalog file: published rates, legal amounts, rules and where to claim.

Read safely (no code execution) from ``catalog/rights/<id>.yaml`` and validated; every
problem is reported with its line and column.

Example:
    >>> cat = load_rights_catalog("fr-nonrecours")
    >>> cat.benefits["rsa"].nonrecours.rate, cat.benefits["rsa"].nonrecours.status
    (0.34, 'published')
    >>> cat.legal_amount("rsa_base_single", "2025-06")
    646.52
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Annotated, Literal, TypeGuard

from pydantic import Field, model_validator

from lanterne.catalog import catalog_path, read_text
from lanterne.provenance import Source, Status, Strict, Text
from lanterne.spec.problems import validate_yaml

DEFAULT_CATALOG = "fr-nonrecours"
BenefitKey = Literal["rsa", "ppa", "housing", "aah"]
FamilyBenefitKey = Literal["asf", "af", "cf", "css"]
BENEFIT_KEYS: tuple[BenefitKey, ...] = ("rsa", "ppa", "housing", "aah")
FAMILY_BENEFIT_KEYS: tuple[FamilyBenefitKey, ...] = ("asf", "af", "cf", "css")


def _is_benefit_key(key: str) -> TypeGuard[BenefitKey]:
    return key in BENEFIT_KEYS


def _is_family_benefit_key(key: str) -> TypeGuard[FamilyBenefitKey]:
    return key in FAMILY_BENEFIT_KEYS


class NonRecours(Strict):
    rate: Annotated[float, Field(ge=0, le=1)] | None
    period: Text | None = None
    status: Status
    source: str
    note: Text | None = None


class RelativeRisk(Strict):
    status: Status
    source: str
    note: Text | None = None
    housing_status: dict[str, Annotated[float, Field(gt=0)]] = Field(default_factory=dict)
    family_type: dict[str, Annotated[float, Field(gt=0)]] = Field(default_factory=dict)


class Apply(Strict):
    """Where to claim a benefit: the official page, and the source that page is from."""

    url: Annotated[str, Field(pattern=r"^https://")]
    source: str


class Benefit(Strict):
    label: Text
    nonrecours: NonRecours
    relative_risk: RelativeRisk
    claim: Text
    rules: Text
    apply: Apply | None = None


class FamilyBenefit(Strict):
    """A benefit of the one-household rights check only (no take-up model)."""

    label: Text
    nonrecours: NonRecours
    claim: Text
    rules: Text
    apply: Apply


class AmountAt(Strict):
    from_: Annotated[str, Field(alias="from", pattern=r"^\d{4}-\d{2}-\d{2}$")]
    amount: Annotated[float, Field(gt=0)]
    source: str


class LegalAmount(Strict):
    label: Text
    values: Annotated[list[AmountAt], Field(min_length=1)]
    status: Status


class RightsCatalog(Strict):
    """A validated non-take-up catalog."""

    lanterne_rights: Literal[1]
    id: str
    name: Text
    sources: Annotated[list[Source], Field(min_length=1)]
    legal_amounts: dict[str, LegalAmount] = Field(default_factory=dict)
    benefits: dict[BenefitKey, Benefit]
    family_benefits: dict[FamilyBenefitKey, FamilyBenefit] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _sources_exist(self) -> RightsCatalog:
        known = {s.id for s in self.sources}
        used = [b.nonrecours.source for b in self.benefits.values()]
        used += [b.relative_risk.source for b in self.benefits.values()]
        used += [v.source for a in self.legal_amounts.values() for v in a.values]
        used += [b.nonrecours.source for b in self.family_benefits.values()]
        used += [b.apply.source for b in self.family_benefits.values()]
        used += [b.apply.source for b in self.benefits.values() if b.apply]
        missing = sorted(set(used) - known)
        if missing:
            raise ValueError(f"unknown source ids: {', '.join(missing)}")
        if set(self.benefits) != set(BENEFIT_KEYS):
            raise ValueError(f"benefits must be exactly: {', '.join(BENEFIT_KEYS)}")
        return self

    def benefit(self, key: str) -> Benefit:
        """The benefit named ``key`` (one of :data:`BENEFIT_KEYS`), KeyError otherwise.

        >>> load_rights_catalog().benefit("ppa").nonrecours.rate
        0.27
        """
        if _is_benefit_key(key):
            return self.benefits[key]
        raise KeyError(key)

    def family_benefit(self, key: str) -> FamilyBenefit:
        """The family benefit named ``key`` (one of :data:`FAMILY_BENEFIT_KEYS`), KeyError
        otherwise."""
        if _is_family_benefit_key(key):
            return self.family_benefits[key]
        raise KeyError(key)

    def source(self, source_id: str) -> Source:
        """The source with this id."""
        return next(s for s in self.sources if s.id == source_id)

    def legal_amount(self, key: str, month: str) -> float | None:
        """The legal amount ``key`` in force on the first day of ``month`` (``YYYY-MM``)."""
        day = f"{month}-01"
        values = [v for v in self.legal_amounts[key].values if v.from_ <= day]
        return max(values, key=lambda v: v.from_).amount if values else None


def load_rights_catalog_text(text: str, file: str = "<text>") -> RightsCatalog:
    """Validate a catalog given as YAML text."""
    return validate_yaml(text, file, RightsCatalog)


@lru_cache(maxsize=8)
def load_rights_catalog(ref: str | os.PathLike[str] = DEFAULT_CATALOG) -> RightsCatalog:
    """Read and validate a non-take-up catalog (a path or a catalog id)."""
    path = catalog_path("rights", ref)
    text = read_text(path)
    return load_rights_catalog_text(text, str(path))
