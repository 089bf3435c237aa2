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

import numpy as np
from numpy.typing import NDArray

from lanterne.population.law import Law
from lanterne.population.legal_family import (
    aah_amount,
    af_amounts,
    asf_amount,
    aspa_amount,
    cf_amounts,
)
from lanterne.population.legal_housing import housing_amount, rent_ceiling
from lanterne.population.legal_inputs import (
    AAH,
    AF,
    ASPA,
    BENEFITS,
    BMAF,
    CF,
    FREE,
    LEFT_OUT,
    OWNER,
    PF,
    PPA,
    PRIVATE,
    RSA,
    SMIC,
    SOCIAL,
    Households,
    from_situations,
)

Array = NDArray

__all__ = [
    "AAH",
    "AF",
    "ASPA",
    "BENEFITS",
    "CF",
    "FREE",
    "LEFT_OUT",
    "OWNER",
    "PF",
    "PPA",
    "PRIVATE",
    "RSA",
    "SMIC",
    "SOCIAL",
    "Households",
    "benefits",
    "from_situations",
    "rent_ceiling",
]


# ---------------------------------------------------------------------------- RSA and PPA


def _household_rate(
    persons: Array, parents: Array, second: float, child: float, extra: float
) -> Array:
    """How many times the single-person amount a household of ``persons`` gets."""
    return (
        1
        + (persons >= 2) * second
        + (persons >= 3) * child
        + (persons >= 4) * np.where(parents == 1, extra, child)
        + np.maximum(persons - 4, 0) * extra
    )


def _flat_housing(
    h: Households, housing: Array, base: Array | float, r1: float, r2: float, r3: float
) -> Array:
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


def _family_benefits(
    af: Array, af_base: Array, cf: Array, cf_base: Array, asf: Array, h: Households, law: Law
) -> Array:
    """Family benefits counted by RSA and the activity bonus."""
    forfait = np.minimum(
        asf,
        h.children(law[AF + "af_cm.age1"], law[AF + "af_cm.age3"] - 1)
        * law[BMAF]
        * law[RSA + "rsa_maj.forfait_asf.taux2"],
    )
    return np.minimum(af_base, af) + (cf > 0) * cf_base + forfait


def rsa_amount(h: Households, law: Law, family: Array, minima: Array, housing: Array) -> Array:
    """RSA: flat-rate amount (increased for single parents) − housing flat rate − resources
    (own, family benefits, ``minima``: AAH and old-age minimum)."""
    base = law[RSA + "rsa_m.montant_de_base_du_rsa"]
    m = RSA + "rsa_maj.maj_montant_max."
    kids = h.children(0, law[RSA + "rsa_cond.age_pac"] - 1)
    parents = 1 + h.couple
    age_ok = (kids > 0)[:, None] | (h.head_age >= law[RSA + "rsa_cond.age_pac"])[:, None]
    eligible = h.either(age_ok & ~h.student)
    rate = _household_rate(
        parents + kids,
        parents,
        law[m + "couples_celibataire_avec_enfant"],
        law[m + "couple_1_enfant_ou_2e_enfant"],
        law[m + "par_enfant_supplementaire"],
    )
    iso = RSA + "rsa_maj.majoration_isolement_en_base_rsa."
    increased = (
        rsa_majore_eligible(h, law)
        * base
        * (law[iso + "femmes_enceintes"] + law[iso + "par_enfant_a_charge"] * kids)
    )
    floor = np.maximum(eligible * base * rate, increased)
    second = 1 + law[m + "couples_celibataire_avec_enfant"]
    fl = RSA + "rsa_fl.forfait_logement."
    flat = _flat_housing(
        h,
        housing,
        base,
        law[fl + "taux_1_personne"],
        law[fl + "taux_2_personnes"] * second,
        law[fl + "taux_3_personnes_ou_plus"] * (second + law[m + "couple_1_enfant_ou_2e_enfant"]),
    )
    own = h.total(h.salary + h.unemployment + h.pension + h.alimony)
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
    other = ((h.unemployment + h.pension + h.alimony + ~as_earnings * aah_pair) * adults).sum(
        axis=1
    )
    resources = h.total(earnings) + other + family + aspa
    majore = rsa_majore_eligible(h, law)
    iso = PPA + "pa_m.majoration_isolement."
    rate = _household_rate(
        parents + kids,
        parents,
        law[m + "couples_seul_avec_enfant"],
        law[m + "couple_1_enfant_2e_enfant"],
        law[m + "par_enfant_supplementaire"],
    )
    flat_rate_amount = np.where(
        majore,
        base * (law[iso + "femmes_enceintes"] + law[iso + "par_enfant_charge"] * kids),
        base * rate,
    )
    b = PPA + "pa_m.bonification."
    top = np.round(law[b + "taux_bonification_max"] * base, 2)
    start, full = law[b + "seuil_bonification"] * smic_h, law[b + "seuil_max_bonification"] * smic_h
    bonus = h.total(np.clip(top * (earnings - start) / (full - start), 0, top))
    second = 1 + law[m + "couples_seul_avec_enfant"]
    fl = PPA + "pa_fl.taux_forfait_logement."
    fl_base = base * np.where(parents + kids >= 2, second, 1.0)
    fl_base = np.where(
        parents + kids >= 3, fl_base + base * law[m + "couple_1_enfant_2e_enfant"], fl_base
    )
    flat = _flat_housing(
        h,
        housing,
        fl_base,
        law[fl + "foyer_1_personne"],
        law[fl + "foyer_2_personnes"],
        law[fl + "foyer_3_personnes"],
    )
    amount = np.maximum(
        0,
        flat_rate_amount
        + bonus
        + law[PPA + "pa_m.majoration_ressources_revenus_activite"] * h.total(earnings)
        - np.maximum(resources + flat, flat_rate_amount),
    )
    learner = h.student | h.apprentice
    floor = 169 * smic_h * law[PF + "def_pac.revenu_plafond_pac_non_scolaire"]
    works = adults & ((~learner & (earnings > 0)) | (learner & (earnings > floor)))
    amount = amount * (h.either(works) | majore)
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
    minima = aah + aspa
    housing = housing_amount(h, law, aah, np.zeros(h.n, dtype=bool))
    rsa = rsa_amount(h, law, family, minima, housing)
    on_rsa = np.flatnonzero(rsa > 0)
    if on_rsa.size:  # second round, only where the RSA is paid
        sub = h.take(on_rsa)
        housing[on_rsa] = housing_amount(sub, law, aah[on_rsa], np.ones(on_rsa.size, dtype=bool))
        rsa[on_rsa] = rsa_amount(sub, law, family[on_rsa], minima[on_rsa], housing[on_rsa])
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
