"""What the fast benefit formulas read: OpenFisca-France parameter paths and households.

:class:`Households` holds one row per benefit unit, the two adults on a second axis
(head, partner), the children by age; :func:`from_situations` builds it from the persons
the rights module gives OpenFisca, so that the fast path and OpenFisca see the same
household. :data:`LEFT_OUT` lists the rules the fast path leaves out.

Example:
    >>> h = Households(*([np.zeros(2, dtype=bool)] * 18))
    >>> h.n, h.adults().tolist()
    (2, [[True, False], [True, False]])
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from lanterne.i18n import Msg

if TYPE_CHECKING:  # for the types only: rights.inputs imports the population package
    from lanterne.rights.inputs import Situations

Array = NDArray

_MS = "prestations_sociales.solidarite_insertion.minima_sociaux."
ASPA = "prestations_sociales.solidarite_insertion.minimum_vieillesse.aspa."
RSA = _MS + "rsa."
PPA = _MS + "ppa."
AAH = "prestations_sociales.prestations_etat_de_sante.invalidite.aah."
PF = "prestations_sociales.prestations_familiales."
AF = PF + "prestations_generales.af."
CF = PF + "prestations_generales.cf."
BMAF = PF + "bmaf.bmaf"
ASF = PF + "education_presence_parentale.asf."
AL = "prestations_sociales.aides_logement.allocations_logement."
RLS = "prestations_sociales.aides_logement.reduction_loyer_solidarite."
SMIC = "marche_travail.salaire_minimum.smic."
DEDUCTIONS = "impot_revenu.calcul_revenus_imposables.deductions."

# housing tenure codes of Households.tenure
SOCIAL, PRIVATE, OWNER, FREE = 0, 1, 2, 3
#: Benefits computed, in the order of their dependencies.
BENEFITS = ("af", "cf", "asf", "aah", "aspa", "aide_logement", "rsa", "ppa")

#: Rules of OpenFisca-France the fast path leaves out (shown by the check and the docs).
LEFT_OUT: dict[str, Msg] = {
    "earlier_months": Msg(
        "Mois précédents sous d'autres règles : la prime d'activité fait la moyenne des trois "
        "mois précédents, chacun sous ses règles ; le calcul rapide applique celles du mois "
        "(en décembre 2023, septembre relevait encore de l'AAH conjugalisée).",
        "Earlier months under other rules: the activity bonus averages the three previous "
        "months, each under its own rules; the fast path applies the month's (in December "
        "2023, September still had the conjugalised AAH).",
    ),
    "rsa_housing_loop": Msg(
        "Boucle RSA ↔ aide au logement (l'aide ignore les revenus d'activité tant que le RSA "
        "est versé ; le RSA déduit l'aide) : OpenFisca la coupe à sa façon, le calcul rapide "
        "prend l'état stable en deux tours.",
        "RSA ↔ housing-benefit loop (the benefit ignores earnings while RSA is paid; the RSA "
        "deducts the benefit): OpenFisca breaks it its own way, the fast path takes the "
        "steady state in two rounds.",
    ),
    "paje": Msg(
        "PAJE (enfants de moins de 3 ans) : non calculée ; comptée par OpenFisca dans les "
        "ressources du RSA et de la prime d'activité.",
        "PAJE (children under 3): not computed; OpenFisca counts it in the resources of RSA "
        "and the activity bonus.",
    ),
    "cf": Msg(
        "Complément familial : plafonds simplifiés (pas de plafond majoré propre, pas de "
        "cumul différentiel avec les allocations familiales) ; le générateur ne l'attribue "
        "pas outre-mer (règle propre : un enfant de 3 ou 4 ans).",
        "Family supplement: simplified ceilings (no separate increased ceiling, no "
        "differential with family allowances); the generator does not give it overseas "
        "(its own rule there: a child aged 3 or 4).",
    ),
    "accession": Msg(
        "Propriétaires accédants aidés au logement (générateur seulement) : aide calculée "
        "comme pour un locataire sur la mensualité, sans dégressivité ; la vérification les "
        "traite comme propriétaires sans prêt aidé (aucune aide), comme le module des droits.",
        "Owners repaying a loan with housing benefit (generator only): benefit computed as "
        "for a tenant on the repayment, without degressivity; the check treats them as "
        "owners without a subsidised loan (no benefit), as the rights module does.",
    ),
    "pf_resources": Msg(
        "Ressources des prestations familiales (année N-2) : revenus du mois × 12 moins les "
        "abattements de 10 % de l'impôt sur le revenu de l'année ; OpenFisca recalcule "
        "l'impôt de l'année N-2.",
        "Family-benefit resources (year N-2): the month's income × 12 less the income tax's "
        "10 % deductions of the year; OpenFisca recomputes year N-2's tax.",
    ),
}


@dataclass(frozen=True)
class Households:
    """One row per benefit unit; ``(n, 2)`` arrays hold the head (0) and the partner (1).

    Amounts are monthly euros. ``child_ages`` is ``(n, k)`` with -1 where there is no
    child. ``tenure`` uses :data:`SOCIAL`, :data:`PRIVATE`, :data:`OWNER`, :data:`FREE`;
    ``zone`` is the housing-benefit rent zone (1, 2, 3).
    """

    couple: Array
    head_age: Array
    child_ages: Array
    salary: Array
    unemployment: Array
    pension: Array
    alimony: Array
    student: Array
    apprentice: Array
    incapacity: Array
    restriction: Array
    disabled: Array
    tenure: Array
    rent: Array
    conventionne: Array
    zone: Array
    overseas: Array
    recent_separation: Array
    accession: Array | None = None  # owners repaying a loan, benefit as tenants (no degressivity)
    _counts: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def n(self) -> int:
        return int(self.couple.shape[0])

    def children(self, low: float, high: float) -> Array:
        """Children aged from ``low`` to ``high`` included (computed once per range)."""
        key = (low, high)
        if key not in self._counts:
            ages = self.child_ages
            self._counts[key] = np.count_nonzero((ages >= low) & (ages <= high), axis=1)
        return self._counts[key]

    def take(self, rows: Array) -> Households:
        """The households of ``rows`` only."""
        values = {
            f.name: getattr(self, f.name)[rows]
            for f in fields(self)
            if f.name != "_counts" and getattr(self, f.name) is not None
        }
        return replace(self, **values, _counts={})

    def total(self, values: Array) -> Array:
        """Head + partner of an ``(n, 2)`` array (faster than a sum over the short axis)."""
        return values[:, 0] + values[:, 1] * self.couple

    def either(self, flags: Array) -> Array:
        """Head or partner of an ``(n, 2)`` boolean array."""
        return flags[:, 0] | (flags[:, 1] & self.couple)

    def adults(self) -> Array:
        """Whether each slot holds an adult: the head always, the partner in a couple."""
        return np.stack([np.ones(self.n, dtype=bool), self.couple], axis=1)


def from_situations(s: Situations) -> Households:
    """The :class:`Households` of a :class:`lanterne.rights.inputs.Situations`."""
    from lanterne.rights.inputs import CHILD, HEAD, PARTNER

    n = s.n_households
    household, role = s.household, s.role
    head = np.flatnonzero(role == HEAD)
    partner = np.flatnonzero(role == PARTNER)

    def pair(values: Array, dtype: type = float) -> Array:
        out: Array = np.zeros((n, 2), dtype=dtype)
        out[household[head], 0] = values[head]
        out[household[partner], 1] = values[partner]
        return out

    children = np.flatnonzero(role == CHILD)
    first = np.searchsorted(household[children], household[children])
    rank = np.arange(children.size) - first
    k = int(rank.max()) + 1 if children.size else 1
    ages = np.full((n, k), -1, dtype=np.int64)
    ages[household[children], rank] = s.age[children]
    statut = s.statut_logement[:n]
    tenure = np.select(
        [statut == "locataire_hlm", statut == "locataire_vide", statut == "proprietaire"],
        [SOCIAL, PRIVATE, OWNER],
        FREE,
    )
    zone = np.char.replace(s.zone_apl.astype(str), "zone_", "").astype(np.int64)
    couple = np.zeros(n, dtype=bool)
    couple[household[partner]] = True
    return Households(
        couple=couple,
        head_age=s.age[head][np.argsort(household[head])],
        child_ages=ages,
        salary=pair(s.salaire_net),
        unemployment=pair(s.chomage_net),
        pension=pair(s.retraite_nette),
        alimony=pair(s.pension_alimentaire),
        student=pair(s.etudiant, bool),
        apprentice=pair(s.apprenti, bool),
        incapacity=pair(s.taux_incapacite)[:, 0],
        restriction=pair(s.restriction_emploi, bool)[:, 0],
        disabled=pair(s.handicap, bool)[:, 0],
        tenure=tenure,
        rent=np.asarray(s.loyer, dtype=float),
        conventionne=np.asarray(s.conventionne, dtype=bool),
        zone=zone,
        overseas=np.char.startswith(s.depcom.astype(str), "97"),
        recent_separation=np.asarray(s.isolement_recent, dtype=bool),
    )
