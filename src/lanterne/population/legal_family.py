"""Family benefits, AAH and old-age minimum under OpenFisca-France's rules (vectorised).

Part of the fast path of :mod:`lanterne.population.legal`, which also gives an example.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from lanterne.population.law import Law
from lanterne.population.legal_inputs import (
    AAH,
    AF,
    ASF,
    ASPA,
    BMAF,
    CF,
    DEDUCTIONS,
    PF,
    SMIC,
    Households,
)

Array = NDArray


# ---------------------------------------------------------------------------- family


def deduction(amount: Array, law: Law, key: str, prefix: str = "") -> Array:
    """The income tax's 10 % deduction of ``key`` (abatpro, abatpen), rounded to the euro."""
    p = prefix + DEDUCTIONS + key + "."
    low, high = law[p + "min"], law.get(p + "max", np.inf)
    return np.round(np.minimum(np.maximum(law[p + "taux"] * amount, low), high))


def pf_resources(h: Households, law: Law) -> Array:
    """Yearly resources of the family benefits (net taxable income of year N-2)."""
    earned = 12 * (h.salary + h.unemployment)
    pensions = 12 * (h.pension + h.alimony)
    net = np.maximum(0.0, earned - np.where(earned > 0, deduction(earned, law, "abatpro"), 0))
    net += np.maximum(
        0.0, pensions - np.where(pensions > 0, deduction(pensions, law, "abatpen"), 0)
    )
    return h.total(net)


def af_amounts(h: Households, law: Law) -> tuple[Array, Array]:
    """Family allowances: ``(af, af_base)`` (base and age increases, flat amount at 20,
    modulation by resources and its degressive supplement)."""
    bmaf = law[BMAF]
    kids = h.children(0, law[PF + "def_pac.enfants.age_limite"] - 1)
    n2, n3 = law[AF + "af_cm.taux.nb_enf2"], law[AF + "af_cm.taux.nb_enf3"]
    dom_one = h.overseas & (kids == 1)
    rate = (
        dom_one * law[AF + "af_maj_dom.allocations_familiales_un_enfant"]
        + (kids >= n2) * np.minimum(kids - (n2 - 1), n3 - n2) * law[AF + "af_cm.taux.enf2"]
        + np.maximum(kids - (n3 - 1), 0) * law[AF + "af_cm.taux.enf3"]
    )
    eligible = np.where(
        h.overseas, kids >= 1, kids >= law[AF + "af_cm.nb_enfants_min_pour_allocation"]
    )
    resources = pf_resources(h, law)

    def modulation(count: Array) -> tuple[Array, Array]:
        extra = (
            np.maximum(count, 0)
            * law[AF + "af_cond_ress.majoration_plafond_par_enfant_supplementaire"]
        )
        one = law[AF + "af_cond_ress.plafond_tranche_1_base"] + extra
        two = law[AF + "af_cond_ress.plafond_tranche_2_base"] + extra
        rate = np.where(
            resources <= one,
            1.0,
            np.where(
                resources <= two,
                law[AF + "af_cm.modulation.taux_tranche_2"],
                law[AF + "af_cm.modulation.taux_tranche_3"],
            ),
        )
        over_two = np.maximum(0, resources - two)
        excess = np.where(over_two > 0, over_two, np.maximum(0, resources - one)) / 12
        return rate, excess

    rate_mod, excess = modulation(kids)
    base = eligible * np.round(bmaf * rate, 2) * rate_mod
    # age increases: per child, only for the households that get the base amount
    paid = np.flatnonzero(base > 0)
    ages = h.child_ages[paid]
    pf_child = (ages >= 0) & (ages < law[PF + "def_pac.enfants.age_limite"])
    eldest = np.where(pf_child, ages, -1).max(axis=1, keepdims=True)
    one_child = bmaf * (
        (ages >= law[AF + "af_maj_dom.tranches_age.age_debut_premiere_tranche"])
        * (ages < law[AF + "af_maj_dom.tranches_age.age_debut_deuxieme_tranche"])
        * law[AF + "af_maj_dom.majoration_premier_enfant.taux_tranche_1"]
        + (ages >= law[AF + "af_maj_dom.tranches_age.age_debut_deuxieme_tranche"])
        * law[AF + "af_maj_dom.majoration_premier_enfant.taux_tranche_2"]
    )
    several = (
        bmaf
        * (ages >= law[AF + "af_maj.maj_age_deux_enfants.age1"])
        * law[AF + "af_maj.maj_age_deux_enfants.taux1"]
    )
    k = kids[paid][:, None]
    per_child = np.where(k == 1, one_child, np.where(k > 1, several, 0.0))
    not_eldest = (k != 2) | (ages != eldest)
    increase = np.zeros(h.n)
    increase[paid] = (pf_child * not_eldest * per_child).sum(axis=1) * rate_mod[paid]
    at_20 = h.children(law[AF + "af_cm.age3"], law[AF + "af_cm.age3"])
    flat_rate, _ = modulation(kids + at_20)
    flat = (
        (
            (kids + at_20)
            >= law[AF + "af_maj.majoration_enfants.allocation_forfaitaire.nb_enfants_min"]
        )
        * at_20
        * np.round(bmaf * law[AF + "af_maj.majoration_enfants.allocation_forfaitaire.taux"], 2)
        * flat_rate
    )
    total = base + increase
    degressive = (
        ~h.overseas * (excess > 0) * (np.maximum(0, total - excess) + np.maximum(0, flat - excess))
    )
    return total + flat + degressive, base


def cf_amounts(h: Households, law: Law) -> tuple[Array, Array]:
    """Family supplement ``(cf, cf_base_amount)``: three children aged 3 to 20 (overseas: a
    child aged 3 or 4 and none younger), under a resource ceiling (simplified, see
    :data:`LEFT_OUT`)."""
    bmaf = law[BMAF]
    kids = h.children(law[CF + "cf_cm.age_min"], law[CF + "cf_cm.age_max"] - 1)
    pf_kids = h.children(0, law[CF + "cf_cm.age_max"] - 1)
    plaf = CF + "cf_plaf."
    ceiling = law[plaf + "plafond_ressources_0_enfant"] * (
        1
        + np.minimum(pf_kids, 2) * law[plaf + "majoration.deux_premiers_enf"]
        + np.maximum(pf_kids - 2, 0) * law[plaf + "majoration.troisieme_enf_et_plus"]
    )
    both = (h.salary[:, 0] >= bmaf) & (h.salary[:, 1] >= bmaf)
    two = (~h.couple) | both
    ceiling = ceiling + two * law[plaf + "majoration.biactifs_isoles"]
    resources = pf_resources(h, law)
    base = bmaf * law[CF + "cf_cm.complement_familial.taux_cf_base"]
    increased = bmaf * law[CF + "cf_cm.complement_familial.taux_cf_majore"]
    # overseas: one child aged 3 to 4 is enough, but none may be under 3
    dom = CF + "cf_cm_dom."
    dom_kids = h.children(law[dom + "age_minimal_dom"], law[dom + "age_maximal_dom"] - 1)
    too_young = h.children(0, law[CF + "cf_cm.age_min"] - 1)
    composition = np.where(
        h.overseas,
        (dom_kids >= law[dom + "nombre_enfant_minimum_dom"]) & (too_young == 0),
        kids >= law[CF + "cf_cm.nombre_d_enfants_minimal"],
    )
    eligible = composition & (resources <= ceiling)
    amount = np.where(resources <= law[plaf + "plafond_cf_majore"] * ceiling, increased, base)
    return eligible * amount, np.full(h.n, base)


def asf_amount(h: Households, law: Law) -> Array:
    """Family support allowance (ASF) of a single parent, less the alimony received."""
    bmaf = law[BMAF]
    kids = h.children(law[AF + "af_cm.age1"], law[AF + "af_cm.age3"] - 1)
    amount = kids * bmaf * law[ASF + "montant_asf.orphelin_assimile_seul_parent"]
    amount = np.maximum(amount - h.total(h.alimony), 0)
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
        | (
            (rate >= law[AAH + "taux_capacite.taux_incapacite_rsdae"])
            & h.restriction
            & (age <= law[AAH + "age_legal_retraite"])
        )
    ) & (age >= law[AAH + "age_minimal"])
    salary, unemployment = h.salary[:, 0], h.unemployment[:, 0]
    other = 12 * (h.pension[:, 0] + h.alimony[:, 0])
    activity = 12 * (salary + unemployment)
    tranche = np.minimum(law[work + "tranche_smic"] * smic_year, activity)
    counted = (1 - law[work + "abattement_30"]) * tranche + (1 - law[work + "abattement_sup"]) * (
        activity - tranche
    )
    working = salary > 0
    substitution = (unemployment + h.pension[:, 0]) > 0
    interrupted = ~working & ~h.student[:, 0]
    counted = counted * (
        1 - law[AAH + "abattement_cessation_activite"] * (interrupted + substitution)
    )
    base = np.maximum(0, counted + other) / 12
    maximum = law[AAH + "montant"]
    ceiling = maximum * (
        1 + law[AAH + "majoration_plafond.majoration_par_enfant_supplementaire"] * h.children(0, 19)
    )
    return eligible * np.minimum(maximum, np.maximum(0, ceiling - base))


def aspa_amount(h: Households, law: Law, aah: Array) -> Array:
    """Old-age minimum (ASPA): from 65 (64 with an incapacity over 50 %), up to a ceiling.

    Wages count only through the gross wage, which the steady situation does not give
    OpenFisca (it is given net wages): they are left out of the resources, as OpenFisca does.
    """
    age_ok = (h.head_age >= law[ASPA + "age_min"]) | (
        (h.head_age >= law[AAH + "age_legal_retraite"])
        & (h.incapacity > law[ASPA + "taux_incapacite_aspa_anticipe"])
    )
    # the partner is as old as the head and has no incapacity
    partner_ok = h.couple & (h.head_age >= law[ASPA + "age_min"])
    one = age_ok ^ partner_ok
    two = age_ok & partner_ok
    yearly = np.where(
        two,
        law[ASPA + "montant_maximum_annuel.couples"],
        law[ASPA + "montant_maximum_annuel.personnes_seules"],
    )
    maximum = (one | two) * yearly / 12
    ceiling = (
        np.where(
            h.couple,
            law[ASPA + "plafond_ressources.couples"],
            law[ASPA + "plafond_ressources.personnes_seules"],
        )
        / 12
    )
    head_aah = aah * ~age_ok
    resources = h.total(h.unemployment + h.alimony + h.pension) + head_aah
    excess = np.maximum(resources + maximum - ceiling, 0)
    return (one | two) * np.maximum(maximum - excess, 0)
