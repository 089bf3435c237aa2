"""Stage 2, benefits as statuses: AAH, RSA, students, activity bonus; then (after the
activity stage) housing benefit and family supplement.

Each benefit goes to exactly the number of households its targets ask for, among those
who may receive it: a weight per household says who is likelier (catalog numbers
``benefits.*``), a weight of zero who may not (legal conditions read from OpenFisca-France:
the AAH's minimum age, the RSA's age of 25 without a child, the old-age minimum's age).

Example:
    >>> from lanterne.population.plan import make_plan
    >>> from lanterne.population.targets import load_targets
    >>> from lanterne.population.stages.people import draw_people
    >>> plan, d, rng = make_plan(load_targets("fr-caf-2023")), {}, np.random.default_rng(1)
    >>> draw_people(rng, 2000, d, plan)
    >>> draw_benefits(rng, 2000, d, plan)
    >>> abs(int(d["rsa"].sum()) - 0.132 * 2000) <= 2, bool((d["rsa"] & d["aah"]).any())
    (True, False)
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from lanterne.population import codes as c
from lanterne.population.legal import AAH, ASPA, CF, RSA
from lanterne.population.plan import Plan
from lanterne.population.sampling import choose, choose_share, round_stochastic

Array = NDArray


def _by_age(age: Array, limits: Array, weights: Array, older: float = 0.0) -> Array:
    """``weights[i]`` for ages under ``limits[i]`` (the first that fits), ``older`` above."""
    return np.select([age < limit for limit in limits], list(weights), older)


def draw_benefits(rng: np.random.Generator, n: int, d: dict[str, Array], plan: Plan) -> None:
    """AAH, RSA, students and activity bonus."""
    num, law, t = plan.numbers, plan.law, plan
    family, age = d["family"], d["head_age"]
    childless = (family == c.FAMILY["single"]) | (family == c.FAMILY["couple"])

    w = num.value("benefits.aah_weight")
    aah_weight = _by_age(age, np.asarray(w["ages_under"]), np.asarray(w["weights"]))
    aah_weight = aah_weight * (age >= law[AAH + "age_minimal"])
    aah = np.zeros(n, dtype=bool)
    for f in c.FAMILY.values():
        k = round_stochastic(rng, t["aah"] * n * plan.composition["aah"][f])
        aah |= choose(rng, aah_weight * (family == f), k)

    # RSA: not with the AAH; 25 or over unless a parent; the old-age minimum from its age.
    w = num.value("benefits.rsa_weight")
    rsa_weight = np.where(aah, 0.0, 1.0)
    rsa_weight[(age < law[RSA + "rsa_cond.age_pac"]) & childless] = 0.0
    rsa_weight[age >= law[ASPA + "age_min"]] = 0.0
    rsa_weight[age >= w["older_from_age"]] *= w["older"]
    rsa_weight[d["nationality"] == c.NATIONALITY["non_eu"]] *= w["non_eu"]
    rsa = np.zeros(n, dtype=bool)
    male = d["sex"] == c.SEX["male"]
    for f in c.FAMILY.values():
        k = round_stochastic(rng, t["rsa"] * n * plan.composition["rsa"][f])
        in_family = rsa_weight * (family == f)
        if f == c.FAMILY["single"]:
            k_male = round_stochastic(rng, k * t["male-rsa-singles"])
            rsa |= choose(rng, in_family * male, k_male)
            rsa |= choose(rng, in_family * ~male, k - k_male)
        elif f == c.FAMILY["single_parent"]:
            k_female = round_stochastic(rng, k * t["female-rsa-single-parents"])
            rsa |= choose(rng, in_family * ~male, k_female)
            rsa |= choose(rng, in_family * male, k - k_female)
        else:
            rsa |= choose(rng, in_family, k)

    # Students: young single persons (a few couples), neither on RSA nor on the AAH.
    w = num.value("benefits.student_weight")
    student_weight = np.select([age <= a for a in w["ages_up_to"]], list(w["weights"]), 0.0)
    student_weight = student_weight * (
        (family == c.FAMILY["single"]) + w["couple"] * (family == c.FAMILY["couple"])
    )
    student = choose(rng, student_weight * ~aah * ~rsa, round_stochastic(rng, t["students"] * n))

    # Activity bonus: some RSA and AAH households, then by family type among the others.
    w = num.value("benefits.ppa_weight")
    young_enough = age < w["max_age_on_rsa_or_aah"]
    ppa = choose(
        rng,
        (rsa & young_enough).astype(float),
        round_stochastic(rng, t["rsa-with-ppa"] * rsa.sum()),
    )
    ppa |= choose(
        rng,
        (aah & young_enough).astype(float),
        round_stochastic(rng, t["aah-with-ppa"] * aah.sum()),
    )
    ppa_weight = _by_age(age, np.asarray(w["ages_under"]), np.asarray(w["weights"]), w["older"])
    # from the old-age minimum's age, its full amount (wages not counted) rules out the bonus
    ppa_weight = ppa_weight * ~rsa * ~aah * ~student * (age < law[ASPA + "age_min"])
    for f in c.FAMILY.values():
        wanted = round_stochastic(rng, t["ppa"] * n * plan.composition["ppa"][f])
        already = int((ppa & (family == f)).sum())
        ppa |= choose(rng, ppa_weight * (family == f) * ~ppa, wanted - already)
    d.update(aah=aah, rsa=rsa, student=student, ppa=ppa)


def draw_housing_and_family_benefits(
    rng: np.random.Generator, n: int, d: dict[str, Array], plan: Plan
) -> None:
    """Housing benefit (every childless household without another benefit, then by family
    type) and family supplement (three children or more)."""
    num, law, t = plan.numbers, plan.law, plan
    family, rsa, ppa, aah = d["family"], d["rsa"], d["ppa"], d["aah"]
    childless = (family == c.FAMILY["single"]) | (family == c.FAMILY["couple"])
    both_work = d["head_works"] & d["partner_works"]
    large = d["children"] >= law[CF + "cf_cm.nombre_d_enfants_minimal"]
    covered = rsa | aah | ppa
    housing = childless & ~covered  # no other benefit: they are benefit households through it
    weight = num.linear(
        "benefits.housing_weight_single_parents",
        rsa=rsa,
        ppa=ppa,
        no_worker=~(d["head_works"] | d["partner_works"]),
    )
    housing |= choose_share(
        rng, weight, t["housing-benefit-single-parents"], family == c.FAMILY["single_parent"]
    )
    w = num.value("benefits.housing_weight_couples_children")
    weight = (1 + w["rsa"] * rsa + w["ppa"] * ppa + w["large_family"] * large) * np.where(
        both_work & ~ppa, w["both_work_without_ppa"], 1.0
    )
    housing |= choose_share(
        rng, weight, t["housing-benefit-couple-children"], family == c.FAMILY["couple_children"]
    )
    remaining = round_stochastic(rng, t["housing-benefit"] * n) - int(housing.sum())
    w = num.value("benefits.housing_weight_others")
    weight = (1 + w["rsa"] * rsa + w["aah"] * aah) * childless * covered * ~housing
    housing |= choose(rng, weight * (d["head_age"] < w["max_age"]), remaining)

    w = num.value("benefits.cf_weight")
    # overseas, the supplement follows another rule (young children), not transcribed
    weight = large * ~d["overseas"] * (1 + w["rsa"] * rsa + w["ppa"] * ppa + w["housing"] * housing)
    weight = weight * np.where(both_work & ~ppa, w["both_work_without_ppa"], 1.0)
    d.update(housing=housing, cf=choose(rng, weight, round_stochastic(rng, t["cf"] * n)))
