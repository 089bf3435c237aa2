"""Benefit amounts under OpenFisca-France's rules, for whole columns of households at once.

A fast, vectorised transcription of the OpenFisca-France formulas (version recorded in the
population's metadata) for households whose situation is **stable**: the same resources,
family and dwelling for years, so that the averages over past months and years the real
rules take equal this month's values. Every legal amount and rate is read from
OpenFisca-France's parameters at the reference date (:mod:`lanterne.population.law`),
none is copied here. ``lanterne population check --openfisca`` runs OpenFisca-France
itself on a sample and measures the remaining gaps; ``docs/population.md`` lists the
rules this fast path leaves out (:data:`LEFT_OUT`).

The input is :class:`Households`: one row per benefit unit, the two adults on a second
axis (head, partner), the children by age. :func:`from_situations` builds it from the
persons the rights module gives OpenFisca, so both see the same household.

Example:
    >>> import polars as pl
    >>> from lanterne.population.law import legal_parameters
    >>> from lanterne.rights.inputs import derive_situations
    >>> frame = pl.DataFrame({"family_type": ["single"], "n_children": [0], "head_age": [40],
    ...     "head_activity": ["inactive"], "income_monthly": [0.0], "housing_status": ["hosted"]})
    >>> out = benefits(from_situations(derive_situations(frame)), legal_parameters("2023-12"))
    >>> round(float(out["rsa"][0]), 2)  # 607.75 € less the housing flat rate (12 %)
    534.82
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from lanterne.i18n import Msg
from lanterne.population.law import Law

Array = NDArray

_MS = "prestations_sociales.solidarite_insertion.minima_sociaux."
ASPA = "prestations_sociales.solidarite_insertion.minimum_vieillesse.aspa."
RSA = _MS + "rsa."
PPA = _MS + "ppa."
AAH = "prestations_sociales.prestations_etat_de_sante.invalidite.aah."
_PF = "prestations_sociales.prestations_familiales."
AF = _PF + "prestations_generales.af."
CF = _PF + "prestations_generales.cf."
BMAF = _PF + "bmaf.bmaf"
ASF = _PF + "education_presence_parentale.asf."
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
    "paje": Msg(
        "PAJE (enfants de moins de 3 ans) : non calculée ; comptée par OpenFisca dans les "
        "ressources du RSA et de la prime d'activité.",
        "PAJE (children under 3): not computed; OpenFisca counts it in the resources of RSA "
        "and the activity bonus.",
    ),
    "cf": Msg(
        "Complément familial : plafonds simplifiés (pas de plafond majoré propre, pas de "
        "cumul différentiel avec les allocations familiales) ; pas de règle propre à "
        "l'outre-mer (le générateur n'y attribue pas le complément familial).",
        "Family supplement: simplified ceilings (no separate increased ceiling, no "
        "differential with family allowances); no overseas rule (the generator gives no "
        "family supplement overseas).",
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

    @property
    def n(self) -> int:
        return int(self.couple.shape[0])

    def children(self, low: float, high: float) -> Array:
        """Children aged from ``low`` to ``high`` included."""
        return ((self.child_ages >= low) & (self.child_ages <= high)).sum(axis=1)

    def adults(self) -> Array:
        """Whether each slot holds an adult: the head always, the partner in a couple."""
        return np.stack([np.ones(self.n, dtype=bool), self.couple], axis=1)


def from_situations(s: object) -> Households:
    """The :class:`Households` of a :class:`lanterne.rights.inputs.Situations`."""
    from lanterne.rights.inputs import CHILD, HEAD, PARTNER

    n = s.n_households  # type: ignore[attr-defined]
    household, role = s.household, s.role  # type: ignore[attr-defined]
    head = np.flatnonzero(role == HEAD)
    partner = np.flatnonzero(role == PARTNER)

    def pair(values: Array, dtype: type = float) -> Array:
        out = np.zeros((n, 2), dtype=dtype)
        out[household[head], 0] = values[head]
        out[household[partner], 1] = values[partner]
        return out

    children = np.flatnonzero(role == CHILD)
    first = np.searchsorted(household[children], household[children])
    rank = np.arange(children.size) - first
    k = int(rank.max()) + 1 if children.size else 1
    ages = np.full((n, k), -1, dtype=np.int64)
    ages[household[children], rank] = s.age[children]  # type: ignore[attr-defined]
    statut = s.statut_logement[:n]  # type: ignore[attr-defined]
    tenure = np.select(
        [statut == "locataire_hlm", statut == "locataire_vide", statut == "proprietaire"],
        [SOCIAL, PRIVATE, OWNER],
        FREE,
    )
    zone = np.char.replace(s.zone_apl.astype(str), "zone_", "").astype(np.int64)  # type: ignore[attr-defined]
    couple = np.zeros(n, dtype=bool)
    couple[household[partner]] = True
    return Households(
        couple=couple,
        head_age=s.age[head][np.argsort(household[head])],  # type: ignore[attr-defined]
        child_ages=ages,
        salary=pair(s.salaire_net),  # type: ignore[attr-defined]
        unemployment=pair(s.chomage_net),  # type: ignore[attr-defined]
        pension=pair(s.retraite_nette),  # type: ignore[attr-defined]
        alimony=pair(s.pension_alimentaire),  # type: ignore[attr-defined]
        student=pair(s.etudiant, bool),  # type: ignore[attr-defined]
        apprentice=pair(s.apprenti, bool),  # type: ignore[attr-defined]
        incapacity=pair(s.taux_incapacite)[:, 0],  # type: ignore[attr-defined]
        restriction=pair(s.restriction_emploi, bool)[:, 0],  # type: ignore[attr-defined]
        disabled=pair(s.handicap, bool)[:, 0],  # type: ignore[attr-defined]
        tenure=tenure,
        rent=np.asarray(s.loyer, dtype=float),  # type: ignore[attr-defined]
        conventionne=np.asarray(s.conventionne, dtype=bool),  # type: ignore[attr-defined]
        zone=zone,
        overseas=np.char.startswith(s.depcom.astype(str), "97"),  # type: ignore[attr-defined]
        recent_separation=np.asarray(s.isolement_recent, dtype=bool),  # type: ignore[attr-defined]
    )


# ---------------------------------------------------------------------------- family


def _deduction(amount: Array, law: Law, key: str, prefix: str = "") -> Array:
    """The income tax's 10 % deduction of ``key`` (abatpro, abatpen), rounded to the euro."""
    p = prefix + DEDUCTIONS + key + "."
    low, high = law[p + "min"], law.get(p + "max", np.inf)
    return np.round(np.minimum(np.maximum(law[p + "taux"] * amount, low), high))


def pf_resources(h: Households, law: Law) -> Array:
    """Yearly resources of the family benefits (net taxable income of year N-2)."""
    earned = 12 * (h.salary + h.unemployment)
    pensions = 12 * (h.pension + h.alimony)
    net = np.maximum(0.0, earned - np.where(earned > 0, _deduction(earned, law, "abatpro"), 0))
    net += np.maximum(0.0, pensions - np.where(pensions > 0, _deduction(pensions, law, "abatpen"), 0))
    return (net * h.adults()).sum(axis=1)


def af_amounts(h: Households, law: Law) -> tuple[Array, Array]:
    """Family allowances: ``(af, af_base)`` (base and age increases, flat amount at 20,
    modulation by resources and its degressive supplement)."""
    bmaf = law[BMAF]
    kids = h.children(0, law[_PF + "def_pac.enfants.age_limite"] - 1)
    n2, n3 = law[AF + "af_cm.taux.nb_enf2"], law[AF + "af_cm.taux.nb_enf3"]
    dom_one = h.overseas & (kids == 1)
    rate = (
        dom_one * law[AF + "af_maj_dom.allocations_familiales_un_enfant"]
        + (kids >= n2) * np.minimum(kids - (n2 - 1), n3 - n2) * law[AF + "af_cm.taux.enf2"]
        + np.maximum(kids - (n3 - 1), 0) * law[AF + "af_cm.taux.enf3"]
    )
    eligible = np.where(h.overseas, kids >= 1, kids >= law[AF + "af_cm.nb_enfants_min_pour_allocation"])
    resources = pf_resources(h, law)

    def modulation(count: Array) -> tuple[Array, Array]:
        extra = np.maximum(count, 0) * law[AF + "af_cond_ress.majoration_plafond_par_enfant_supplementaire"]
        one = law[AF + "af_cond_ress.plafond_tranche_1_base"] + extra
        two = law[AF + "af_cond_ress.plafond_tranche_2_base"] + extra
        rate = np.where(
            resources <= one,
            1.0,
            np.where(resources <= two, law[AF + "af_cm.modulation.taux_tranche_2"], law[AF + "af_cm.modulation.taux_tranche_3"]),
        )
        over_two = np.maximum(0, resources - two)
        excess = np.where(over_two > 0, over_two, np.maximum(0, resources - one)) / 12
        return rate, excess

    rate_mod, excess = modulation(kids)
    base = eligible * np.round(bmaf * rate, 2) * rate_mod
    ages = h.child_ages
    pf_child = (ages >= 0) & (ages < law[_PF + "def_pac.enfants.age_limite"])
    eldest = np.where(pf_child, ages, -1).max(axis=1, keepdims=True)
    one_child = bmaf * (
        (ages >= law[AF + "af_maj_dom.tranches_age.age_debut_premiere_tranche"])
        * (ages < law[AF + "af_maj_dom.tranches_age.age_debut_deuxieme_tranche"])
        * law[AF + "af_maj_dom.majoration_premier_enfant.taux_tranche_1"]
        + (ages >= law[AF + "af_maj_dom.tranches_age.age_debut_deuxieme_tranche"])
        * law[AF + "af_maj_dom.majoration_premier_enfant.taux_tranche_2"]
    )
    several = bmaf * (ages >= law[AF + "af_maj.maj_age_deux_enfants.age1"]) * law[AF + "af_maj.maj_age_deux_enfants.taux1"]
    k = kids[:, None]
    per_child = np.where(k == 1, one_child, np.where(k > 1, several, 0.0))
    not_eldest = (k != 2) | (ages != eldest)
    increase = (pf_child * not_eldest * per_child * (base > 0)[:, None]).sum(axis=1) * rate_mod
    at_20 = h.children(law[AF + "af_cm.age3"], law[AF + "af_cm.age3"])
    flat_rate, _ = modulation(kids + at_20)
    flat = (
        ((kids + at_20) >= law[AF + "af_maj.majoration_enfants.allocation_forfaitaire.nb_enfants_min"])
        * at_20
        * np.round(bmaf * law[AF + "af_maj.majoration_enfants.allocation_forfaitaire.taux"], 2)
        * flat_rate
    )
    total = base + increase
    degressive = ~h.overseas * (excess > 0) * (np.maximum(0, total - excess) + np.maximum(0, flat - excess))
    return total + flat + degressive, base


def cf_amounts(h: Households, law: Law) -> tuple[Array, Array]:
    """Family supplement ``(cf, cf_base_amount)``: three children aged 3 to 20, under a
    resource ceiling (simplified, see :data:`LEFT_OUT`)."""
    bmaf = law[BMAF]
    kids = h.children(law[CF + "cf_cm.age_min"], law[CF + "cf_cm.age_max"] - 1)
    pf_kids = h.children(0, law[CF + "cf_cm.age_max"] - 1)
    plaf = CF + "cf_plaf."
    ceiling = law[plaf + "plafond_ressources_0_enfant"] * (
        1
        + np.minimum(pf_kids, 2) * law[plaf + "majoration.deux_premiers_enf"]
        + np.maximum(pf_kids - 2, 0) * law[plaf + "majoration.troisieme_enf_et_plus"]
    )
    adults = h.adults()
    two = (~h.couple) | ((12 * h.salary * adults >= 12 * bmaf).sum(axis=1) == 2)
    ceiling = ceiling + two * law[plaf + "majoration.biactifs_isoles"]
    resources = pf_resources(h, law)
    base = bmaf * law[CF + "cf_cm.complement_familial.taux_cf_base"]
    increased = bmaf * law[CF + "cf_cm.complement_familial.taux_cf_majore"]
    eligible = (kids >= law[CF + "cf_cm.nombre_d_enfants_minimal"]) & ~h.overseas & (resources <= ceiling)
    amount = np.where(resources <= law[plaf + "plafond_cf_majore"] * ceiling, increased, base)
    return eligible * amount, np.full(h.n, base)


def asf_amount(h: Households, law: Law) -> Array:
    """Family support allowance (ASF) of a single parent, less the alimony received."""
    bmaf = law[BMAF]
    kids = h.children(law[AF + "af_cm.age1"], law[AF + "af_cm.age3"] - 1)
    amount = kids * bmaf * law[ASF + "montant_asf.orphelin_assimile_seul_parent"]
    amount = np.maximum(amount - (h.alimony * h.adults()).sum(axis=1), 0)
    return ~h.couple * (amount > law[ASF + "seuil"]) * amount


# ---------------------------------------------------------------------------- AAH


def aah_amount(h: Households, law: Law) -> Array:
    """AAH of the head (deconjugalised since October 2023; the partner has none here)."""
    smic_year = 12 * law[SMIC + "smic_b_horaire"] * law[SMIC + "nb_heures_travail_mensuel"]
    work = AAH + "travail_ordinaire."
    age = h.head_age
    rate = h.incapacity
    eligible = (
        (rate >= law[AAH + "taux_capacite.taux_incapacite"])
        | ((rate >= law[AAH + "taux_capacite.taux_incapacite_rsdae"]) & h.restriction & (age <= law[AAH + "age_legal_retraite"]))
    ) & (age >= law[AAH + "age_minimal"])
    salary, unemployment = h.salary[:, 0], h.unemployment[:, 0]
    other = 12 * (h.pension[:, 0] + h.alimony[:, 0])
    activity = 12 * (salary + unemployment)
    tranche = np.minimum(law[work + "tranche_smic"] * smic_year, activity)
    counted = (1 - law[work + "abattement_30"]) * tranche + (1 - law[work + "abattement_sup"]) * (activity - tranche)
    working = salary > 0
    substitution = (unemployment + h.pension[:, 0]) > 0
    interrupted = ~working & ~h.student[:, 0]
    counted = counted * (1 - law[AAH + "abattement_cessation_activite"] * (interrupted + substitution))
    base = np.maximum(0, counted + other) / 12
    maximum = law[AAH + "montant"]
    ceiling = maximum * (1 + law[AAH + "majoration_plafond.majoration_par_enfant_supplementaire"] * h.children(0, 19))
    return eligible * np.minimum(maximum, np.maximum(0, ceiling - base))


def aspa_amount(h: Households, law: Law, aah: Array) -> Array:
    """Old-age minimum (ASPA): from 65 (64 with an incapacity over 50 %), up to a ceiling.

    Wages count only through the gross wage, which the steady situation does not give
    OpenFisca (it is given net wages): they are left out of the resources, as OpenFisca does.
    """
    adults = h.adults()
    age_ok = (h.head_age >= law[ASPA + "age_min"]) | (
        (h.head_age >= law[AAH + "age_legal_retraite"])
        & (h.incapacity > law[ASPA + "taux_incapacite_aspa_anticipe"])
    )
    # the partner is as old as the head and has no incapacity
    partner_ok = h.couple & (h.head_age >= law[ASPA + "age_min"])
    one = age_ok ^ partner_ok
    two = age_ok & partner_ok
    yearly = np.where(two, law[ASPA + "montant_maximum_annuel.couples"], law[ASPA + "montant_maximum_annuel.personnes_seules"])
    maximum = (one | two) * yearly / 12
    ceiling = np.where(h.couple, law[ASPA + "plafond_ressources.couples"], law[ASPA + "plafond_ressources.personnes_seules"]) / 12
    head_aah = aah * ~age_ok
    resources = ((h.unemployment + h.alimony + h.pension) * adults).sum(axis=1) + head_aah
    excess = np.maximum(resources + maximum - ceiling, 0)
    return (one | two) * np.maximum(maximum - excess, 0)


# ---------------------------------------------------------------------------- housing


def _by_count(law: Law, prefix: str, couple: Array, pac: Array, names: dict[int, str], extra: str, after: int) -> Array:
    """A scale by family size: alone, couple, then 1.. ``after`` dependants, then per extra."""
    out = np.where(couple, law[prefix + names[-1]], law[prefix + names[0]])
    for count in range(1, after + 1):
        out = np.where(pac == count, law[prefix + names[count]], out)
    more = pac > after
    return np.where(more, law[prefix + names[after]] + (pac - after) * law[prefix + extra], out)


def al_resources(h: Households, law: Law, aah: Array, neutralised: Array) -> Array:
    """Yearly resources of the housing benefit, rounded up to 100 €."""
    adults = h.adults()
    salary, unemployment = 12 * h.salary, 12 * h.unemployment
    assimilated = salary + unemployment
    deduction = _deduction(assimilated, law, "abatpro", "last_year.")
    aah_only = np.stack([aah > 0, np.zeros(h.n, dtype=bool)], axis=1) & (salary == 0)
    cut = law[AL + "ressources.abattements.chomage_indemnise"]
    earned = np.maximum(0, salary - deduction) * (1 - cut * aah_only)
    earned += (unemployment + np.minimum(0, (salary - deduction) * (assimilated > 0))) * (1 - cut * aah_only)
    earned *= 1 - neutralised[:, None]
    pensions = 12 * (h.alimony + h.pension)
    pensions = np.maximum(0, pensions - np.round(np.maximum(law[DEDUCTIONS + "abatpen.taux"] * pensions, law[DEDUCTIONS + "abatpen.min"])))
    total = ((earned + pensions) * adults).sum(axis=1)
    # OpenFisca compares one month's taxable wage with 12 times the BMAF
    both = h.couple & ((h.salary >= 12 * law[BMAF]) & adults).all(axis=1)
    total = np.maximum(total - both * law[AL + "ressources.abattements.dar_1_double_activite"], 0)
    student = h.student[:, 0] & (h.head_age < law[AL + "ressources.etudiants.age_max"])
    total = np.where(student, law[AL + "ressources.etudiants.locatif.dar_4_forfait_ressources"], total)
    return np.ceil(np.round(total * 100) / 100 / 100) * 100


def rent_ceiling(h: Households, law: Law) -> tuple[Array, Array, Array]:
    """Rent ceiling of the housing benefit and the factors of it where the benefit starts
    to fall and where it vanishes (rents above them: degressivity)."""
    f = AL + "locatif.formule."
    pac = h.children(law[AF + "af_cm.age1"], law[CF + "cf_cm.age_max"] - 1)
    couple = h.couple
    zone_names = {1: "zone_1", 2: "zone_2", 3: "zone_3"}
    capped = np.where(h.overseas, np.minimum(pac, 6), pac)
    ceiling = np.zeros(h.n)
    degressive, suppression = np.zeros(h.n), np.zeros(h.n)
    for z, name in zone_names.items():
        p = f + "l_plafonds_loyers.par_zone." + name + "."
        value = np.where(
            pac > 0,
            law[p + "un_enfant"] + np.maximum(capped - 1, 0) * law[p + "majoration_par_enf_supp"],
            np.where(couple, law[p + "couples"], law[p + "personnes_seules"]),
        )
        here = h.zone == z
        ceiling = np.where(here, value, ceiling)
        c = AL + "locatif.coefficients_degressivite_suppression." + name + "."
        degressive = np.where(here, law[c + "degressivite"], degressive)
        suppression = np.where(here, law[c + "suppression"], suppression)
    ceiling = np.round(ceiling, 2)
    return ceiling, degressive, suppression


def housing_amount(h: Households, law: Law, aah: Array, neutralised: Array) -> Array:
    """Housing benefit (APL, ALS, ALF) of tenants, net of CRDS, rounded down to the euro."""
    f = AL + "locatif.formule."
    pac = h.children(law[AF + "af_cm.age1"], law[CF + "cf_cm.age_max"] - 1)
    couple = h.couple
    zone_names = {1: "zone_1", 2: "zone_2", 3: "zone_3"}
    ceiling, degressive, suppression = rent_ceiling(h, law)
    rent = np.where(h.tenure <= PRIVATE, h.rent, 0.0)
    kept = np.minimum(rent, ceiling)
    charges = np.where(
        h.overseas,
        law[f + "c_forfait_charges.dom.cas_general"] + pac * law[f + "c_forfait_charges.dom.majoration_par_enfant"],
        law[f + "c_forfait_charges.cas_general.cas_general"] + pac * law[f + "c_forfait_charges.cas_general.majoration_par_enfant"],
    )
    resources = al_resources(h, law, aah, neutralised)
    r0_names = {0: "taux_seul", -1: "taux_couple", 1: "taux1pac", 2: "taux2pac", 3: "taux3pac", 4: "taux4pac", 5: "taux5pac", 6: "taux6pac"}
    r0 = _by_count(law, f + "pp_particip_perso.r0_abattement.cas_general.", couple, pac, r0_names, "taux_pac_supp", 6)
    r0 = np.where(h.overseas & (pac == 1), law[f + "pp_particip_perso.r0_abattement.outre_mer.taux1pac"], r0)
    tf_p = f + "pp_particip_perso.tp_taux.tf_taille_famille."
    tf_names = {0: "personnes_isolees", -1: "couples_0_enfant", 1: "avec_1_enfant", 2: "avec_2_enfants", 3: "avec_3_enfants", 4: "avec_4_enfants", 5: "avec_5_enfants", 6: "avec_6_enfants"}
    tf_metro = _by_count(law, tf_p + "metropole.", couple, pac, tf_names, "maj_par_enf_supp", 6)
    tf_dom = _by_count(law, tf_p + "dom.", couple, pac, {**tf_names, 7: "avec_7_enfants"}, "maj_par_enf_supp", 7)
    tf = np.where(h.overseas, tf_dom, tf_metro)
    z2 = f + "l_plafonds_loyers.par_zone.zone_2."
    reference = np.where(pac >= 1, law[z2 + "un_enfant"], np.where(couple, law[z2 + "couples"], law[z2 + "personnes_seules"]))
    capped = np.where(h.overseas, np.minimum(pac, 6), pac)
    reference = reference + law[z2 + "majoration_par_enf_supp"] * np.maximum(capped - 1, 0)
    ratio = np.round(kept / reference * 100, 2) / 100
    tl = f + "pp_particip_perso.tp_taux.tl_loyer."
    s1, s2 = law[tl + "seuils.seuil_1"], law[tl + "seuils.seuil_2"]
    t2, t3 = law[tl + "taux.tl_taux_2"], law[tl + "taux.tl_taux_3"]
    tl_rate = np.round(np.where(ratio >= s2, t3 * (ratio - s2) + t2 * (s2 - s1), np.maximum(0, t2 * (ratio - s1))), 5)
    p0 = f + "pp_particip_perso.p0_particip_min."
    minimum = np.maximum(law[p0 + "p0_taux"] * (kept + charges), law[p0 + "p0_forfait"])
    participation = minimum + (tf + tl_rate) * np.maximum(0, resources - r0)
    amount = np.maximum(0, kept + charges - participation)
    threshold = np.where(h.conventionne, law[AL + "locatif.seuils_minimum_versement.apl"], law[AL + "locatif.seuils_minimum_versement.non_apl"])
    amount = amount * (amount >= threshold)
    low, high = np.round(ceiling * degressive, 2), np.round(ceiling * suppression, 2)
    coeff = np.where(rent <= low, 1.0, np.where(rent <= high, 1 - (rent - low) / np.maximum(high - low, 1e-9), 0.0))
    exempt = h.disabled if h.accession is None else h.disabled | h.accession
    coeff = np.where(exempt, 1.0, coeff)
    gross = np.maximum(0, np.round(amount * coeff, 2) - law[AL + "locatif.minoration_forfaitaire"])
    gross = np.maximum(0, gross - law[RLS + "fraction_baisse_aide_logement"] * _rls(h, law, resources, pac))
    crds = np.floor(gross * 100 * law["prelevements_sociaux.contributions_sociales.crds"]) / 100
    net = np.floor(np.floor(gross * 100) / 100 - crds)
    return np.where(h.tenure <= PRIVATE, net, 0.0)


def _rls(h: Households, law: Law, resources: Array, pac: Array) -> Array:
    """Rent reduction of social housing (RLS), which lowers the APL by 98 % of it."""
    ceiling, amount = np.zeros(h.n), np.zeros(h.n)
    names = {0: "personnes_seules", -1: "couples", 1: "famille_1pac", 2: "famille_2pac", 3: "famille_3pac", 4: "famille_4pac", 5: "famille_5pac", 6: "famille_6pac"}
    for z in (1, 2, 3):
        p = RLS + f"plafond_ressources.par_zone.zone_{z}."
        c = _by_count(law, p, h.couple, pac, names, "majoration_par_pac_supp", 6)
        m = RLS + f"montant.par_zone.zone_{z}."
        a = np.where(
            pac >= 1,
            law[m + "famille_1pac"] + np.maximum(pac - 1, 0) * law[m + "majoration_par_pac_supp"],
            np.where(h.couple, law[m + "couples"], law[m + "personnes_seules"]),
        )
        ceiling = np.where(h.zone == z, c, ceiling)
        amount = np.where(h.zone == z, a, amount)
    return (resources / 12 < ceiling) * h.conventionne * amount


# ---------------------------------------------------------------------------- RSA and PPA


def _household_rate(persons: Array, parents: Array, second: float, child: float, extra: float) -> Array:
    """How many times the single-person amount a household of ``persons`` gets."""
    return (
        1
        + (persons >= 2) * second
        + (persons >= 3) * child
        + (persons >= 4) * np.where(parents == 1, extra, child)
        + np.maximum(persons - 4, 0) * extra
    )


def _flat_housing(h: Households, housing: Array, base: Array, r1: float, r2: float, r3: float) -> Array:
    """Housing flat rate ("forfait logement"): housing benefit or housed free of charge."""
    persons = h.couple + 1 + h.children(0, 24)
    amount = base * np.where(persons == 1, r1, np.where(persons == 2, r2, r3))
    in_kind = (h.tenure == OWNER) | (h.tenure == FREE)
    return np.maximum((housing > 0) * np.minimum(housing, amount), in_kind * amount)


def rsa_majore_eligible(h: Households, law: Law) -> Array:
    """Single parent with a child under 3 or recently separated (increased RSA)."""
    kids = h.children(0, law[RSA + "rsa_cond.age_pac"] - 1)
    young = h.children(0, law[RSA + "rsa_cond.majoration_isolement.age_limite_enfant"] - 1) > 0
    return ~h.couple & (kids > 0) & (young | h.recent_separation)


def _family_benefits(af: Array, af_base: Array, cf: Array, cf_base: Array, asf: Array, h: Households, law: Law) -> Array:
    """Family benefits counted by RSA and the activity bonus."""
    forfait = np.minimum(asf, h.children(law[AF + "af_cm.age1"], law[AF + "af_cm.age3"] - 1) * law[BMAF] * law[RSA + "rsa_maj.forfait_asf.taux2"])
    return np.minimum(af_base, af) + (cf > 0) * cf_base + forfait


def rsa_amount(h: Households, law: Law, family: Array, minima: Array, housing: Array) -> Array:
    """RSA: flat-rate amount (increased for single parents) − housing flat rate − resources
    (own, family benefits, ``minima``: AAH and old-age minimum)."""
    base = law[RSA + "rsa_m.montant_de_base_du_rsa"]
    m = RSA + "rsa_maj.maj_montant_max."
    kids = h.children(0, law[RSA + "rsa_cond.age_pac"] - 1)
    parents = 1 + h.couple
    adults = h.adults()
    age_ok = (kids > 0)[:, None] | (h.head_age >= law[RSA + "rsa_cond.age_pac"])[:, None]
    eligible = (adults & age_ok & ~h.student).any(axis=1)
    rate = _household_rate(parents + kids, parents, law[m + "couples_celibataire_avec_enfant"], law[m + "couple_1_enfant_ou_2e_enfant"], law[m + "par_enfant_supplementaire"])
    iso = RSA + "rsa_maj.majoration_isolement_en_base_rsa."
    increased = rsa_majore_eligible(h, law) * base * (law[iso + "femmes_enceintes"] + law[iso + "par_enfant_a_charge"] * kids)
    floor = np.maximum(eligible * base * rate, increased)
    second = 1 + law[m + "couples_celibataire_avec_enfant"]
    fl = RSA + "rsa_fl.forfait_logement."
    flat = _flat_housing(h, housing, base, law[fl + "taux_1_personne"], law[fl + "taux_2_personnes"] * second, law[fl + "taux_3_personnes_ou_plus"] * (second + law[m + "couple_1_enfant_ou_2e_enfant"]))
    own = ((h.salary + h.unemployment + h.pension + h.alimony) * adults).sum(axis=1)
    amount = np.maximum(floor - flat - (family + minima + own), 0)
    return amount * (amount >= law[RSA + "rsa_maj.montant_minimum_verse"])


def ppa_amount(
    h: Households, law: Law, family: Array, aah: Array, housing: Array, aspa: Array
) -> Array:
    """Activity bonus: flat-rate amount + 61 % of earnings + bonuses − max(resources +
    housing flat rate, flat-rate amount)."""
    base = law[PPA + "pa_m.montant_de_base"]
    m = PPA + "pa_m.majoration_montant_maximal."
    smic_h = law[SMIC + "smic_b_horaire"]
    kids = h.children(0, law[RSA + "rsa_cond.age_pac"] - 1)
    parents = 1 + h.couple
    adults = h.adults()
    aah_pair = np.stack([aah, np.zeros(h.n)], axis=1)
    as_earnings = h.salary >= law[PPA + "pa_cond.seuil_aah_activite"] * smic_h
    earnings = (h.salary + as_earnings * aah_pair) * adults
    other = ((h.unemployment + h.pension + h.alimony + ~as_earnings * aah_pair) * adults).sum(axis=1)
    resources = earnings.sum(axis=1) + other + family + aspa
    majore = rsa_majore_eligible(h, law)
    iso = PPA + "pa_m.majoration_isolement."
    rate = _household_rate(parents + kids, parents, law[m + "couples_seul_avec_enfant"], law[m + "couple_1_enfant_2e_enfant"], law[m + "par_enfant_supplementaire"])
    flat_rate_amount = np.where(majore, base * (law[iso + "femmes_enceintes"] + law[iso + "par_enfant_charge"] * kids), base * rate)
    b = PPA + "pa_m.bonification."
    top = np.round(law[b + "taux_bonification_max"] * base, 2)
    start, full = law[b + "seuil_bonification"] * smic_h, law[b + "seuil_max_bonification"] * smic_h
    bonus = (np.clip(top * (earnings - start) / (full - start), 0, top) * adults).sum(axis=1)
    second = 1 + law[m + "couples_seul_avec_enfant"]
    fl = PPA + "pa_fl.taux_forfait_logement."
    fl_base = base * np.where(parents + kids >= 2, second, 1.0)
    fl_base = np.where(parents + kids >= 3, fl_base + base * law[m + "couple_1_enfant_2e_enfant"], fl_base)
    flat = _flat_housing(h, housing, fl_base, law[fl + "foyer_1_personne"], law[fl + "foyer_2_personnes"], law[fl + "foyer_3_personnes"])
    amount = np.maximum(0, flat_rate_amount + bonus + law[PPA + "pa_m.majoration_ressources_revenus_activite"] * earnings.sum(axis=1) - np.maximum(resources + flat, flat_rate_amount))
    learner = h.student | h.apprentice
    floor = 169 * smic_h * law[_PF + "def_pac.revenu_plafond_pac_non_scolaire"]
    works = adults & ((~learner & (earnings > 0)) | (learner & (earnings > floor)))
    amount = amount * (works.any(axis=1) | majore)
    return amount * (amount >= law[PPA + "pa_m.montant_minimum_verse"])


def benefits(h: Households, law: Law) -> dict[str, Array]:
    """Monthly amounts of every benefit of :data:`BENEFITS`, per household (euros).

    Housing benefit and RSA depend on each other (the RSA deducts the housing benefit as a
    flat rate; the housing benefit ignores earnings while RSA is paid): the steady state
    is reached in two rounds.
    """
    af, af_base = af_amounts(h, law)
    cf, cf_base = cf_amounts(h, law)
    asf = asf_amount(h, law)
    aah = aah_amount(h, law)
    aspa = aspa_amount(h, law, aah)
    family = _family_benefits(af, af_base, cf, cf_base, asf, h, law)
    on_rsa = np.zeros(h.n, dtype=bool)
    for _ in range(2):
        housing = housing_amount(h, law, aah, on_rsa)
        rsa = rsa_amount(h, law, family, aah + aspa, housing)
        on_rsa = rsa > 0
    ppa = ppa_amount(h, law, family, aah, housing, aspa)
    return {
        "af": np.round(af, 2),
        "cf": np.round(cf, 2),
        "asf": np.round(asf, 2),
        "aah": np.round(aah, 2),
        "aspa": np.round(aspa, 2),
        "aide_logement": np.round(housing, 2),
        "rsa": np.round(rsa, 2),
        "ppa": np.round(ppa, 2),
    }
