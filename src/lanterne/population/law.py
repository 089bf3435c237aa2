"""Legal amounts and rates of the French benefits, read from OpenFisca-France at a date.

The synthetic population's benefit amounts (:mod:`lanterne.population.legal`) use the
legal scales in force at the population's reference month. Those scales are not copied
into Lanterne: they are read from OpenFisca-France's parameters
(``tax_benefit_system.parameters(date)``), whose every value carries its legal reference
(Légifrance) in OpenFisca-France's own files. The tax-benefit system is the one the rights
module builds (:func:`lanterne.rights.simulate.tax_benefit_system`, loaded once per
process).

:func:`legal_parameters` flattens the parameter branches the generator reads into a
``{dotted.path: value}`` mapping of plain floats (picklable, so it travels to the worker
processes), together with the OpenFisca-France version and the date it was read at; the
population records both in its metadata.

Example:
    >>> law = legal_parameters("2023-12")
    >>> rsa = "prestations_sociales.solidarite_insertion.minima_sociaux.rsa."
    >>> law.date, law[rsa + "rsa_m.montant_de_base_du_rsa"]
    ('2023-12-01', 607.75)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from lanterne.errors import UsageError
from lanterne.i18n import Msg

#: Parameter branches the generator reads (everything under them is flattened).
BRANCHES: tuple[str, ...] = (
    "prestations_sociales.solidarite_insertion.minima_sociaux.rsa",
    "prestations_sociales.solidarite_insertion.minima_sociaux.ppa",
    "prestations_sociales.solidarite_insertion.minimum_vieillesse.aspa",
    "prestations_sociales.prestations_etat_de_sante.invalidite.aah",
    "prestations_sociales.prestations_familiales.prestations_generales.af",
    "prestations_sociales.prestations_familiales.prestations_generales.cf",
    "prestations_sociales.prestations_familiales.bmaf",
    "prestations_sociales.prestations_familiales.education_presence_parentale.asf",
    "prestations_sociales.prestations_familiales.def_pac",
    "prestations_sociales.aides_logement.allocations_logement.locatif",
    "prestations_sociales.aides_logement.allocations_logement.ressources",
    "prestations_sociales.aides_logement.reduction_loyer_solidarite",
    "marche_travail.salaire_minimum.smic",
    "impot_revenu.calcul_revenus_imposables.deductions.abatpro",
    "impot_revenu.calcul_revenus_imposables.deductions.abatpen",
    "prelevements_sociaux.contributions_sociales.crds",
)

#: Branches also read one year before the date (prefixed with ``last_year.``).
LAST_YEAR_BRANCHES: tuple[str, ...] = ("impot_revenu.calcul_revenus_imposables.deductions.abatpro",)

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class Law:
    """Flattened OpenFisca-France parameters at one date, with the version they come from."""

    date: str  # YYYY-MM-DD
    openfisca_version: str
    values: dict[str, float] = field(repr=False)

    def __getitem__(self, path: str) -> float:
        return self.values[path]

    def get(self, path: str, default: float) -> float:
        return self.values.get(path, default)

    @property
    def month(self) -> str:
        """The month the values apply to (``YYYY-MM``)."""
        return self.date[:7]

    def provenance(self) -> dict[str, object]:
        """What the population's metadata records about the law it used."""
        return {
            "openfisca_france_version": self.openfisca_version,
            "legal_date": self.date,
            "legal_parameters": len(self.values),
        }


def openfisca_version() -> str:
    """Installed OpenFisca-France version (``"unknown"`` if it cannot be read)."""
    try:
        return version("OpenFisca-France")
    except PackageNotFoundError:  # pragma: no cover - installed with lanterne
        return "unknown"


def _flatten(node: Any, prefix: str, out: dict[str, float]) -> None:
    children = getattr(node, "_children", None)
    if children is None:
        if isinstance(node, bool):
            return
        if isinstance(node, int | float):
            out[prefix] = float(node)
        return
    for key, child in children.items():
        _flatten(child, f"{prefix}.{key}", out)


def _node(parameters: Any, path: str) -> Any:
    node = parameters
    for part in path.split("."):
        node = node._children[part]
    return node


def check_month(month: str) -> str:
    """A ``YYYY-MM`` month, or a precise error.

    >>> check_month("2023-12")
    '2023-12'
    """
    if not isinstance(month, str) or not _MONTH.match(month):
        raise UsageError(
            Msg(
                "date de référence invalide « {m} » : attendu AAAA-MM",
                "invalid reference date '{m}': expected YYYY-MM",
                m=str(month),
            )
        )
    return month


@lru_cache(maxsize=4)
def legal_parameters(month: str) -> Law:
    """OpenFisca-France's parameters of :data:`BRANCHES` in force on the 1st of ``month``."""
    from lanterne.rights.simulate import tax_benefit_system

    date = check_month(month) + "-01"
    parameters = tax_benefit_system().parameters(date)
    values: dict[str, float] = {}
    for branch in BRANCHES:
        _flatten(_node(parameters, branch), branch, values)
    # Housing benefit deducts professional expenses with the income-tax rates of the
    # previous year (OpenFisca reads them at ``period.last_year``).
    year, rest = date.split("-", 1)
    previous = tax_benefit_system().parameters(f"{int(year) - 1}-{rest}")
    for branch in LAST_YEAR_BRANCHES:
        _flatten(_node(previous, branch), "last_year." + branch, values)
    return Law(date=date, openfisca_version=openfisca_version(), values=values)


def all_parameters(month: str) -> dict[str, float]:
    """Every numeric OpenFisca-France parameter in force on the 1st of ``month``."""
    from lanterne.rights.simulate import tax_benefit_system

    values: dict[str, float] = {}
    _flatten(tax_benefit_system().parameters(check_month(month) + "-01"), "", values)
    return {k.lstrip("."): v for k, v in values.items()}
