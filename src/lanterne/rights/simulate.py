"""Run OpenFisca-France on a chunk of households at once: RSA, activity bonus, housing, AAH.

One simulation per chunk: every person of the chunk is an ``individu``, every household a
``famille``, a ``foyer_fiscal`` and a ``menage``; inputs are set as whole arrays
(:class:`openfisca_core.simulation_builder.SimulationBuilder`), never one household at a
time. Incomes, ages and housing are set for the month and the :data:`HISTORY_MONTHS`
before it (the benefits average past resources; the situation is assumed steady), which
also spares OpenFisca from deriving net incomes from gross ones through the whole tax and
contribution system.

The tax-benefit system takes a few seconds to load; it is loaded once per process
(:func:`tax_benefit_system`).

Example:
    >>> import polars as pl
    >>> from lanterne.rights.inputs import derive_situations
    >>> alone = pl.DataFrame({"family_type": ["single"], "n_children": [0],
    ...     "head_age": [40], "head_activity": ["inactive"], "income_monthly": [0.0],
    ...     "housing_status": ["hosted"]})
    >>> out = simulate(derive_situations(alone), "2025-06")
    >>> round(float(out["rsa"][0]), 2)  # 646.52 € less the housing flat rate (12 %)
    568.94
"""

from __future__ import annotations

import gc
import re
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from lanterne.errors import UsageError
from lanterne.i18n import Msg
from lanterne.rights.inputs import CHILD, HEAD, PARTNER, Situations

#: Months of steady history set before the chosen month: the benefits look up to several
#: years back (the AAH at year N-2, some rules at earlier years); setting them all spares
#: OpenFisca from rebuilding net incomes from gross ones for each of those months.
HISTORY_MONTHS = 96

#: Benefits computed, with the OpenFisca variable and its entity.
BENEFITS: dict[str, tuple[str, str]] = {
    "rsa": ("rsa", "famille"),
    "ppa": ("ppa", "famille"),
    "housing": ("aide_logement", "famille"),
    "aah": ("aah", "individu"),
}

#: Family benefits and health cover the one-household rights check adds (the population
#: audit keeps :data:`BENEFITS`, whose take-up the catalog models). ``css_free``: the
#: complémentaire santé solidaire without contribution (OpenFisca's ``cmu_c``, a yes/no);
#: ``css_paid``: the monthly contribution of the CSS with a contribution.
FAMILY_BENEFITS: dict[str, tuple[str, str]] = {
    "asf": ("asf", "famille"),
    "af": ("af", "famille"),
    "cf": ("cf", "famille"),
    "css_free": ("cmu_c", "famille"),
    "css_paid": ("css_participation_forfaitaire", "famille"),
}

_GROUPS = (
    ("famille", ("demandeur", "conjoint", "enfant")),
    ("foyer_fiscal", ("declarant_principal", "conjoint", "personne_a_charge")),
    ("menage", ("personne_de_reference", "conjoint", "enfant")),
)

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")

#: First and last months the installed OpenFisca-France covers well for these benefits.
FIRST_MONTH = "2019-01"
#: A fixed month for figures that must not move with the calendar: the demo's non-take-up
#: (quoted in docs/scaling.md) and the benchmarks (comparable from one run to the next).
#: Everything a user asks for defaults to :func:`default_month` instead.
REFERENCE_MONTH = "2025-06"


def check_month(month: str) -> str:
    """Validate a ``YYYY-MM`` month (from 2019-01) and return it.

    >>> check_month("2025-06")
    '2025-06'
    """
    if not isinstance(month, str) or not _MONTH.match(month) or month < FIRST_MONTH:
        raise UsageError(
            Msg(
                "mois invalide « {m} » : attendu AAAA-MM, à partir de {f}",
                "invalid month '{m}': expected YYYY-MM, from {f}",
                m=str(month),
                f=FIRST_MONTH,
            )
        )
    return month


def default_month(today: date | None = None) -> str:
    """The month rights are computed for when none is given: the current month.

    OpenFisca-France carries each rule forward from its last known change, so every month
    from :data:`FIRST_MONTH` on is supported; the page and the CLI name the installed
    OpenFisca-France version (:func:`openfisca_version`) so a reader knows how recent its
    rules are. The one default used by the CLI, the web app and the reports.

    >>> default_month(date(2026, 12, 6))
    '2026-12'
    """
    day = today or datetime.now(UTC).date()
    return max(f"{day.year:04d}-{day.month:02d}", FIRST_MONTH)


def openfisca_version() -> str:
    """The installed OpenFisca-France version (for the pages that name the rules' source).

    >>> openfisca_version()[0].isdigit()
    True
    """
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("OpenFisca-France")
    except PackageNotFoundError:  # pragma: no cover - a dependency of the project
        return "?"


@lru_cache(maxsize=1)
def tax_benefit_system() -> Any:
    """The French tax-benefit system (loaded once per process; a few seconds)."""
    from lanterne.extras import require

    require("rights")  # OpenFisca-France: a clear message when not installed
    from openfisca_france import FranceTaxBenefitSystem

    from lanterne.rights import fastparams

    fastparams.install()  # same results, per distinct key instead of per household
    return FranceTaxBenefitSystem()


def _build(tbs: Any, s: Situations) -> Any:
    from openfisca_core.simulation_builder import SimulationBuilder

    builder = SimulationBuilder()
    builder.create_entities(tbs)
    builder.declare_person_entity("individu", np.arange(s.n_persons))
    for entity, roles in _GROUPS:
        group = builder.declare_entity(entity, np.arange(s.n_households))
        builder.join_with_persons(group, s.household, np.array(roles)[s.role])
    return builder.build(tbs)


def _months(month: str) -> list[Any]:
    from openfisca_core.periods import period

    start = period(month)
    return [start.offset(-i, "month") for i in range(HISTORY_MONTHS + 1)]


def simulate(
    situations: Situations, month: str, benefits: dict[str, tuple[str, str]] | None = None
) -> dict[str, NDArray[np.float64]]:
    """Monthly amounts per household: ``rsa``, ``ppa``, ``housing``, ``aah`` (euros).

    ``benefits``: the keys and OpenFisca variables to compute (default :data:`BENEFITS`;
    add :data:`FAMILY_BENEFITS` for one household's full check). ``aah`` adds the AAH
    of the head and partner; a yes/no variable comes back as 1.0 or 0.0. Amounts are
    what OpenFisca-France computes for the month under the rules in force then.
    """
    check_month(month)
    tbs = tax_benefit_system()
    s = situations
    sim = _build(tbs, s)
    variables = tbs.variables
    statut = variables["statut_occupation_logement"].possible_values.encode(s.statut_logement)
    zone = variables["zone_apl"].possible_values.encode(s.zone_apl)
    zeros = np.zeros(s.n_persons)
    false = np.zeros(s.n_persons, dtype=bool)
    inputs_person = {
        "age": s.age,
        "salaire_net": s.salaire_net,
        # steady net wage: the taxable wage is close to it (used by the AAH, year N-2)
        "salaire_imposable": s.salaire_net,
        "chomage_net": s.chomage_net,
        "chomage_imposable": s.chomage_net,
        "chomage_brut": s.chomage_net,
        "retraite_nette": s.retraite_nette,
        "retraite_imposable": s.retraite_nette,
        "retraite_brute": s.retraite_nette,
        "pensions_alimentaires_percues": s.pension_alimentaire,
        "etudiant": s.etudiant,
        "apprenti": s.apprenti,
        "stagiaire": false,
        "handicap": s.handicap,
        "taux_incapacite": s.taux_incapacite,
        "aah_restriction_substantielle_durable_acces_emploi": s.restriction_emploi,
        "ressortissant_eee": s.ressortissant_eee,
        "duree_possession_titre_sejour": s.titre_sejour_annees,
        "indemnites_journalieres": zeros,
        "revenus_capital": zeros,
        "revenus_locatifs": zeros,
        # assumption: unemployed people receive insurance benefits (chomage_net), not ASS
        "ass": zeros,
    }
    inputs_menage = {
        "statut_occupation_logement": statut,
        "loyer": s.loyer,
        "logement_conventionne": s.conventionne,
        "zone_apl": zone,
        "depcom": s.depcom,
    }
    months = _months(month)
    for m in months:
        for name, values in inputs_person.items():
            sim.set_input(name, m, values)
        for name, values in inputs_menage.items():
            sim.set_input(name, m, values)
    # A recent separation is recent in the months the benefits average too (the activity
    # bonus looks at the three months before the chosen one).
    for m in months[:4]:
        sim.set_input("rsa_isolement_recent", m, s.isolement_recent)

    out: dict[str, NDArray[np.float64]] = {}
    for key, (variable, entity) in (benefits or BENEFITS).items():
        values = np.asarray(sim.calculate(variable, month), dtype=np.float64)
        if entity == "individu":
            adult = s.role != CHILD
            values = np.bincount(s.household[adult], values[adult], minlength=s.n_households)
        out[key] = np.round(values, 2)
    # An OpenFisca simulation holds reference cycles (simulation <-> populations): without
    # a collection its arrays survive until Python's cyclic GC happens to run, and memory
    # grows by the size of a chunk at every chunk.
    del sim
    gc.collect()
    return out


__all__ = [
    "BENEFITS",
    "CHILD",
    "FAMILY_BENEFITS",
    "HEAD",
    "HISTORY_MONTHS",
    "PARTNER",
    "REFERENCE_MONTH",
    "check_month",
    "default_month",
    "simulate",
]
