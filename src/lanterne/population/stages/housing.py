"""Stage 4, housing: tenure (social or private tenant, owner, hosted) and monthly rent.

Tenures hit the targets for renters, social tenants and hosted households, and the
shares of tenants and social tenants among housing-benefit recipients; who is likelier
where, and the rent levels by family size and area, are catalog numbers ``housing.*``.

Example:
    >>> from lanterne.population.households import draw_until
    >>> d = draw_until("housing", 2000, seed=1)
    >>> bool((d["rent"][d["status"] == c.HOUSING["hosted"]] == 0).all())  # hosted pay no rent
    True
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from lanterne.population import codes as c
from lanterne.population.legal import CF
from lanterne.population.plan import Plan
from lanterne.population.sampling import choose, choose_share, round_stochastic

Array = NDArray

#: Département groups of the rent levels (``housing.rent_level``).
RENT_AREAS: dict[str, tuple[str, ...]] = {
    "paris": ("75",),
    "inner_suburbs": ("92", "93", "94"),
    "outer_ile_de_france": ("77", "78", "91", "95"),
    "large_cities": (
        "06",
        "13",
        "69",
        "31",
        "33",
        "34",
        "44",
        "67",
        "74",
        "83",
        "2A",
        "2B",
        "35",
        "59",
    ),
    "overseas": ("971", "972", "973", "974"),
}


def rent_levels(plan: Plan) -> Array:
    """Rent level of each département code of the plan (``elsewhere`` by default)."""
    levels = plan.numbers.value("housing.rent_level")
    area = {code: name for name, codes in RENT_AREAS.items() for code in codes}
    return np.array([levels[area.get(code, "elsewhere")] for code in plan.department_codes])


def _status(rng: np.random.Generator, n: int, d: dict[str, Array], plan: Plan) -> Array:
    num, t, law = plan.numbers, plan, plan.law
    family, age, rsa, aah, housing = d["family"], d["head_age"], d["rsa"], d["aah"], d["housing"]
    student, head = d["student"], d["head"]
    couple_children, couple = family == c.FAMILY["couple_children"], family == c.FAMILY["couple"]
    single_parent, single = family == c.FAMILY["single_parent"], family == c.FAMILY["single"]
    large = d["children"] >= law[CF + "cf_cm.nombre_d_enfants_minimal"]
    status = np.full(n, c.UNSET, dtype=np.uint8)

    w = num.value("housing.owner_weight_benefit")
    weight = (1 + w["couple_children"] * couple_children + w["couple"] * couple) * (
        age >= w["min_age"]
    )
    weight = weight * ~student * np.where(rsa, w["rsa_factor"], 1.0)
    owner_hb = choose_share(rng, weight, 1 - t["housing-benefit-renters"], housing)
    status[owner_hb] = c.HOUSING["owner"]
    w = num.value("housing.social_weight_benefit")
    weight = num.linear(
        "housing.social_weight_benefit",
        single_parent=single_parent,
        rsa=rsa,
        large_family=large,
        aah=aah,
    )
    weight = weight * np.where(student, w["student_factor"], 1.0)
    social_hb = choose(
        rng,
        weight * (housing & ~owner_hb),
        round_stochastic(rng, t["housing-benefit-social"] * housing.sum()),
    )
    status[social_hb] = c.HOUSING["tenant_social"]
    status[housing & (status == c.UNSET)] = c.HOUSING["tenant_private"]

    other = ~housing
    w = num.value("housing.hosted_weight")
    weight = num.linear(
        "housing.hosted_weight", rsa=rsa, aah=aah, young=age < w["young_under_age"], single=single
    )
    weight = weight * np.where(couple_children, w["couple_children_factor"], 1.0)
    hosted = choose(rng, weight * other, round_stochastic(rng, t["hosted"] * n))
    status[hosted] = c.HOUSING["hosted"]
    owners_wanted = round_stochastic(rng, (1 - t["renters"] - t["hosted"]) * n) - int(
        owner_hb.sum()
    )
    w = num.value("housing.owner_weight")
    weight = num.linear(
        "housing.owner_weight",
        couple_children=couple_children,
        couple=couple,
        older=age >= w["older_from_age"],
        retired=head == c.HEAD["retired"],
    )
    weight = weight * np.where(rsa, w["rsa_factor"], 1.0)
    weight = weight * np.where(d["head_works"] & d["partner_works"], w["both_work_factor"], 1.0)
    owners = choose(rng, weight * other * ~hosted, owners_wanted)
    status[owners] = c.HOUSING["owner"]
    social_wanted = round_stochastic(rng, t["social-tenants"] * n) - int(social_hb.sum())
    left = other & ~hosted & ~owners
    weight = num.linear("housing.social_weight", single_parent=single_parent, rsa=rsa, aah=aah)
    status[choose(rng, weight * left, social_wanted)] = c.HOUSING["tenant_social"]
    status[status == c.UNSET] = c.HOUSING["tenant_private"]
    return status


def _lognormal_spread(rng: np.random.Generator, sigma: float, size: int) -> Array:
    return np.exp(sigma * rng.standard_normal(size))


def draw_housing(rng: np.random.Generator, n: int, d: dict[str, Array], plan: Plan) -> None:
    """``status`` (tenure code) and ``rent`` (monthly rent or loan repayment)."""
    num = plan.numbers
    status = _status(rng, n, d, plan)
    persons = 1 + d["partnered"].astype(np.int64) + d["children"]
    level = rent_levels(plan)[d["department"]]
    rent = np.zeros(n)
    w = num.value("housing.rent_social")
    sel = status == c.HOUSING["tenant_social"]
    rent[sel] = (
        (w["base"] + w["per_extra_person"] * (persons[sel] - 1))
        * (w["level_floor"] + w["level_share"] * level[sel])
        * _lognormal_spread(rng, w["spread"], int(sel.sum()))
    )
    w = num.value("housing.rent_private")
    sel = status == c.HOUSING["tenant_private"]
    rent[sel] = (
        (w["base"] + w["per_extra_person"] * (persons[sel] - 1) ** w["person_exponent"])
        * level[sel]
        * _lognormal_spread(rng, w["spread"], int(sel.sum()))
    )
    w = num.value("housing.rent_student")
    sel = (status == c.HOUSING["tenant_private"]) & d["student"]
    rent[sel] = w["base"] * level[sel] * _lognormal_spread(rng, w["spread"], int(sel.sum()))
    w = num.value("housing.loan")
    share = np.where(d["head_age"] < w["younger_under_age"], w["share_younger"], w["share_older"])
    with_loan = (status == c.HOUSING["owner"]) & (d["housing"] | (rng.random(n) < share))
    rent[with_loan] = (
        (w["base"] + w["per_person"] * persons[with_loan])
        * level[with_loan]
        * _lognormal_spread(rng, w["spread"], int(with_loan.sum()))
    )
    d.update(
        status=status,
        rent=np.round(np.clip(rent, 0, num["housing.rent_max"]), 2),
        persons=persons,
        zone=rent_zones(plan)[d["department"]],
    )


def rent_zones(plan: Plan) -> Array:
    """Housing-benefit rent zone (1, 2, 3) of each département code, as the rights module
    assigns them (:data:`lanterne.rights.inputs.ZONE_1`, ``ZONE_2``)."""
    from lanterne.rights.inputs import ZONE_1, ZONE_2

    codes = plan.department_codes
    return np.array([1 if x in ZONE_1 else 2 if x in ZONE_2 else 3 for x in codes], dtype=np.int64)
