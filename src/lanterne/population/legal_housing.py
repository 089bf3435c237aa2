"""Housing benefit (APL, ALS, ALF) of tenants under OpenFisca-France's rules (vectorised).

Part of the fast path of :mod:`lanterne.population.legal`, which also gives an example.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from lanterne.population.law import Law
from lanterne.population.legal_family import deduction
from lanterne.population.legal_inputs import (
    AF,
    AL,
    BMAF,
    CF,
    DEDUCTIONS,
    PRIVATE,
    RLS,
    Households,
)

Array = NDArray


# ---------------------------------------------------------------------------- housing


def _by_count(
    law: Law, prefix: str, couple: Array, pac: Array, names: dict[int, str], extra: str, after: int
) -> Array:
    """A scale by family size: alone, couple, then 1.. ``after`` dependants, then per extra."""
    table = np.array([law[prefix + names[k]] for k in (0, -1, *range(1, after + 1))])
    key = np.where(pac == 0, couple.astype(np.int64), np.minimum(pac, after) + 1)
    return table[key] + np.maximum(pac - after, 0) * law[prefix + extra]


def _by_zone(law: Law, prefix: str, suffix: str, zone: Array) -> Array:
    """A parameter that depends on the rent zone (1, 2, 3)."""
    return np.array([law[f"{prefix}zone_{z}.{suffix}"] for z in (1, 2, 3)])[zone - 1]


def al_resources(h: Households, law: Law, aah: Array, neutralised: Array) -> Array:
    """Yearly resources of the housing benefit, rounded up to 100 €."""
    salary, unemployment = 12 * h.salary, 12 * h.unemployment
    assimilated = salary + unemployment
    expenses = deduction(assimilated, law, "abatpro", "last_year.")
    aah_only = np.stack([aah > 0, np.zeros(h.n, dtype=bool)], axis=1) & (salary == 0)
    cut = law[AL + "ressources.abattements.chomage_indemnise"]
    earned = np.maximum(0, salary - expenses) * (1 - cut * aah_only)
    earned += (unemployment + np.minimum(0, (salary - expenses) * (assimilated > 0))) * (
        1 - cut * aah_only
    )
    earned *= 1 - neutralised[:, None]
    pensions = 12 * (h.alimony + h.pension)
    pensions = np.maximum(
        0,
        pensions
        - np.round(
            np.maximum(law[DEDUCTIONS + "abatpen.taux"] * pensions, law[DEDUCTIONS + "abatpen.min"])
        ),
    )
    total = h.total(earned + pensions)
    # OpenFisca compares one month's taxable wage with 12 times the BMAF
    both = h.couple & (h.salary[:, 0] >= 12 * law[BMAF]) & (h.salary[:, 1] >= 12 * law[BMAF])
    total = np.maximum(total - both * law[AL + "ressources.abattements.dar_1_double_activite"], 0)
    student = h.student[:, 0] & (h.head_age < law[AL + "ressources.etudiants.age_max"])
    total = np.where(
        student, law[AL + "ressources.etudiants.locatif.dar_4_forfait_ressources"], total
    )
    return np.ceil(np.round(total * 100) / 100 / 100) * 100


def rent_ceiling(h: Households, law: Law) -> tuple[Array, Array, Array]:
    """Rent ceiling of the housing benefit and the factors of it where the benefit starts
    to fall and where it vanishes (rents above them: degressivity)."""
    f = AL + "locatif.formule."
    pac = h.children(law[AF + "af_cm.age1"], law[CF + "cf_cm.age_max"] - 1)
    couple = h.couple
    capped = np.where(h.overseas, np.minimum(pac, 6), pac)
    p = f + "l_plafonds_loyers.par_zone."
    ceiling = np.where(
        pac > 0,
        _by_zone(law, p, "un_enfant", h.zone)
        + np.maximum(capped - 1, 0) * _by_zone(law, p, "majoration_par_enf_supp", h.zone),
        np.where(
            couple,
            _by_zone(law, p, "couples", h.zone),
            _by_zone(law, p, "personnes_seules", h.zone),
        ),
    )
    c = AL + "locatif.coefficients_degressivite_suppression."
    degressive = _by_zone(law, c, "degressivite", h.zone)
    suppression = _by_zone(law, c, "suppression", h.zone)
    ceiling = np.round(ceiling, 2)
    return ceiling, degressive, suppression


def housing_amount(h: Households, law: Law, aah: Array, neutralised: Array) -> Array:
    """Housing benefit (APL, ALS, ALF) of tenants, net of CRDS, rounded down to the euro."""
    f = AL + "locatif.formule."
    pac = h.children(law[AF + "af_cm.age1"], law[CF + "cf_cm.age_max"] - 1)
    couple = h.couple
    ceiling, degressive, suppression = rent_ceiling(h, law)
    rent = np.where(h.tenure <= PRIVATE, h.rent, 0.0)
    kept = np.minimum(rent, ceiling)
    charges = np.where(
        h.overseas,
        law[f + "c_forfait_charges.dom.cas_general"]
        + pac * law[f + "c_forfait_charges.dom.majoration_par_enfant"],
        law[f + "c_forfait_charges.cas_general.cas_general"]
        + pac * law[f + "c_forfait_charges.cas_general.majoration_par_enfant"],
    )
    resources = al_resources(h, law, aah, neutralised)
    r0_names = {
        0: "taux_seul",
        -1: "taux_couple",
        1: "taux1pac",
        2: "taux2pac",
        3: "taux3pac",
        4: "taux4pac",
        5: "taux5pac",
        6: "taux6pac",
    }
    r0 = _by_count(
        law,
        f + "pp_particip_perso.r0_abattement.cas_general.",
        couple,
        pac,
        r0_names,
        "taux_pac_supp",
        6,
    )
    r0 = np.where(
        h.overseas & (pac == 1), law[f + "pp_particip_perso.r0_abattement.outre_mer.taux1pac"], r0
    )
    tf_p = f + "pp_particip_perso.tp_taux.tf_taille_famille."
    tf_names = {
        0: "personnes_isolees",
        -1: "couples_0_enfant",
        1: "avec_1_enfant",
        2: "avec_2_enfants",
        3: "avec_3_enfants",
        4: "avec_4_enfants",
        5: "avec_5_enfants",
        6: "avec_6_enfants",
    }
    tf_metro = _by_count(law, tf_p + "metropole.", couple, pac, tf_names, "maj_par_enf_supp", 6)
    tf_dom = _by_count(
        law, tf_p + "dom.", couple, pac, {**tf_names, 7: "avec_7_enfants"}, "maj_par_enf_supp", 7
    )
    tf = np.where(h.overseas, tf_dom, tf_metro)
    z2 = f + "l_plafonds_loyers.par_zone.zone_2."
    reference = np.where(
        pac >= 1,
        law[z2 + "un_enfant"],
        np.where(couple, law[z2 + "couples"], law[z2 + "personnes_seules"]),
    )
    capped = np.where(h.overseas, np.minimum(pac, 6), pac)
    reference = reference + law[z2 + "majoration_par_enf_supp"] * np.maximum(capped - 1, 0)
    ratio = np.round(kept / reference * 100, 2) / 100
    tl = f + "pp_particip_perso.tp_taux.tl_loyer."
    s1, s2 = law[tl + "seuils.seuil_1"], law[tl + "seuils.seuil_2"]
    t2, t3 = law[tl + "taux.tl_taux_2"], law[tl + "taux.tl_taux_3"]
    tl_rate = np.round(
        np.where(ratio >= s2, t3 * (ratio - s2) + t2 * (s2 - s1), np.maximum(0, t2 * (ratio - s1))),
        5,
    )
    p0 = f + "pp_particip_perso.p0_particip_min."
    minimum = np.maximum(law[p0 + "p0_taux"] * (kept + charges), law[p0 + "p0_forfait"])
    participation = minimum + (tf + tl_rate) * np.maximum(0, resources - r0)
    amount = np.maximum(0, kept + charges - participation)
    threshold = np.where(
        h.conventionne,
        law[AL + "locatif.seuils_minimum_versement.apl"],
        law[AL + "locatif.seuils_minimum_versement.non_apl"],
    )
    amount = amount * (amount >= threshold)
    low, high = np.round(ceiling * degressive, 2), np.round(ceiling * suppression, 2)
    coeff = np.where(
        rent <= low,
        1.0,
        np.where(rent <= high, 1 - (rent - low) / np.maximum(high - low, 1e-9), 0.0),
    )
    exempt = h.disabled if h.accession is None else h.disabled | h.accession
    coeff = np.where(exempt, 1.0, coeff)
    gross = np.maximum(0, np.round(amount * coeff, 2) - law[AL + "locatif.minoration_forfaitaire"])
    gross = np.maximum(
        0, gross - law[RLS + "fraction_baisse_aide_logement"] * _rls(h, law, resources, pac)
    )
    crds = np.floor(gross * 100 * law["prelevements_sociaux.contributions_sociales.crds"]) / 100
    net = np.floor(np.floor(gross * 100) / 100 - crds)
    return np.where(h.tenure <= PRIVATE, net, 0.0)


def _rls(h: Households, law: Law, resources: Array, pac: Array) -> Array:
    """Rent reduction of social housing (RLS), which lowers the APL by 98 % of it."""
    names = {
        0: "personnes_seules",
        -1: "couples",
        1: "famille_1pac",
        2: "famille_2pac",
        3: "famille_3pac",
        4: "famille_4pac",
        5: "famille_5pac",
        6: "famille_6pac",
    }
    key = np.where(pac == 0, h.couple.astype(np.int64), np.minimum(pac, 6) + 1)
    zone = h.zone - 1
    order = (0, -1, *range(1, 7))
    ceilings = np.array(
        [
            [law[RLS + f"plafond_ressources.par_zone.zone_{z}.{names[k]}"] for k in order]
            for z in (1, 2, 3)
        ]
    )
    extra = np.array(
        [
            law[RLS + f"plafond_ressources.par_zone.zone_{z}.majoration_par_pac_supp"]
            for z in (1, 2, 3)
        ]
    )
    ceiling = ceilings[zone, key] + np.maximum(pac - 6, 0) * extra[zone]
    m = RLS + "montant.par_zone."
    amount = np.where(
        pac >= 1,
        _by_zone(law, m, "famille_1pac", h.zone)
        + np.maximum(pac - 1, 0) * _by_zone(law, m, "majoration_par_pac_supp", h.zone),
        np.where(
            h.couple,
            _by_zone(law, m, "couples", h.zone),
            _by_zone(law, m, "personnes_seules", h.zone),
        ),
    )
    return (resources / 12 < ceiling) * h.conventionne * amount
