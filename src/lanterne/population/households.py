"""Draw one chunk of synthetic households, column by column, in a causal order.

1. Demography: family type, children, sex, age, nationality, département (quotas).
2. Benefits as statuses: AAH, RSA, students, activity bonus, housing benefit, family
   supplement — each given to exactly the number of households the targets ask for, among
   those who may receive it (weights: who is likelier; weight 0: who may not).
3. Activity of the head and partner, coherent with those statuses (the activity bonus needs
   a worker, RSA mostly goes to people out of work...).
4. Housing status and rent, then resources, drawn by activity and shrunk until every
   benefit the household receives is payable under the legal scales (RSA under its
   ceiling, the activity bonus with earnings in its range...). The resources of households
   without a means-tested benefit are scaled to hit the income target.
5. Priority neighbourhoods: inclusion probabilities fitted to the QPV targets (family
   types, benefits and social housing among QPV households), then an exact-size sample.
6. Amounts from the legal scales, 12-month averages, and the remaining attributes.

Every rule is vectorised; a chunk depends only on its random generator and its size.

Example:
    >>> from lanterne.population.plan import make_plan
    >>> from lanterne.population.targets import load_targets
    >>> plan = make_plan(load_targets("fr-caf-2023"))
    >>> chunk = draw_households(np.random.default_rng(1), 2000, plan)
    >>> abs(int(chunk["receives_rsa"].sum()) - 0.132 * 2000) <= 2  # the RSA target, 13.2 %
    True
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from lanterne.population import legal
from lanterne.population.plan import FOUR_PLUS, Plan
from lanterne.population.sampling import (
    choose,
    choose_share,
    deal,
    deal_within,
    fit_logistic_grouped,
    pattern_codes,
    round_stochastic,
    systematic,
)

Array = NDArray

# codes, in the order of plan.CATEGORIES
SINGLE, COUPLE, SINGLE_PARENT, COUPLE_CHILDREN = 0, 1, 2, 3
EMPLOYED, SELF_EMPLOYED, UNEMPLOYED, INACTIVE, STUDENT, APPRENTICE, RETIRED = range(7)
P_NONE, P_EMPLOYED, P_SELF, P_UNEMPLOYED, P_INACTIVE, P_STUDENT, P_APPRENTICE, P_RETIRED = range(8)
SOCIAL, PRIVATE, OWNER, HOSTED = range(4)
C_NONE, C_UNDER_16, C_PUPIL, C_STUDENT, C_APPRENTICE, C_EMPLOYED, C_NO_ACTIVITY = range(7)

#: Ages within each age band, and how likely each is (assumption).
AGE_BANDS = (
    (np.arange(18, 25), np.array([1, 3, 5, 6, 6, 6, 6], dtype=float)),
    (np.arange(25, 35), np.ones(10)),
    (np.arange(35, 45), np.ones(10)),
    (np.arange(45, 55), np.ones(10)),
    (np.arange(55, 65), np.linspace(1.2, 0.8, 10)),
    (np.arange(65, 96), np.exp(-np.arange(31) / 8.0)),
)

#: Monthly rent level by département group (assumption): Paris, inner suburbs, outer
#: Île-de-France, large metropolitan areas, overseas, elsewhere.
RENT_LEVEL = {
    **dict.fromkeys(["75"], 1.55),
    **dict.fromkeys(["92", "93", "94"], 1.3),
    **dict.fromkeys(["77", "78", "91", "95"], 1.15),
    **dict.fromkeys(
        ["06", "13", "69", "31", "33", "34", "44", "67", "74", "83", "2A", "2B", "35", "59"], 1.05
    ),
    **dict.fromkeys(["971", "972", "973", "974"], 1.0),
}
RENT_LEVEL_ELSEWHERE = 0.88


def _lognormal(rng: np.random.Generator, median: float, sigma: float, n: int) -> Array:
    return median * np.exp(sigma * rng.standard_normal(n))


def _ceiling_factor(
    rows: Array,
    head_earn: Array,
    partner_earn: Array,
    head_other: Array,
    partner_other: Array,
    partnered: Array,
    children: Array,
    overseas: Array,
    flat_rate: Array,
    rsa: Array,
    ppa: Array,
    aah: Array,
    housing: Array,
    cf: Array,
    s: legal.Scales,
) -> Array:
    """For each row, a factor ≤ 1 that brings its resources near the ceilings of its benefits.

    An estimate (the loop after it checks each benefit exactly): RSA under its flat-rate
    amount less family benefits; the activity bonus under the earnings where it vanishes;
    housing benefit and family supplement under their resource ceilings; the AAH under the
    head's counted resources.
    """
    he, pe, ho, po = head_earn[rows], partner_earn[rows], head_other[rows], partner_other[rows]
    pair, kids, flat = partnered[rows], children[rows], flat_rate[rows]
    total = np.maximum(he + pe + ho + po, 1e-9)
    family = legal.af_amount(kids, overseas[rows], np.zeros(rows.size), s) + np.where(
        cf[rows], s["cf_increased"], 0.0
    )
    cap = np.full(rows.size, np.inf)
    rsa_cap = legal.rsa_ceiling(pair, kids, flat, s) - family
    cap = np.where(rsa[rows], np.minimum(cap, rsa_cap), cap)
    base = s["ppa_base"] * legal.household_multiplier(pair, kids, s)
    persons = 1 + pair.astype(np.int64) + kids
    flat_amount = np.where(flat, legal.housing_flat_amount(persons, s["ppa_base"], s), 0.0)
    bonus = s["ppa_bonus_max_rate"] * s["ppa_base"] * (1 + pair)
    rate = s["ppa_earnings_rate"]
    ppa_cap = (base - flat_amount + bonus - s["ppa_min_payment"] - family) / (1 - rate)
    cap = np.where(ppa[rows], np.minimum(cap, ppa_cap), cap)
    top = s["hb_base"] + s["hb_per_adult"] * pair + s["hb_per_child"] * kids
    hb_cap = (top - s["hb_min_payment"]) / s["hb_taper"]
    cap = np.where(housing[rows], np.minimum(cap, hb_cap), cap)
    two = ~pair | (
        (he * 12 >= s["two_earners_threshold"]) & (pe * 12 >= s["two_earners_threshold"])
    )
    cf_cap = legal.cf_ceiling(kids, two, s) / 12
    cap = np.where(cf[rows], np.minimum(cap, cf_cap), cap)
    factor = np.minimum(np.maximum(cap, 0.0) / total, 1.0)
    counted = legal.aah_amount(he, ho, {**s, "aah_min_payment": -np.inf})
    counted = s["aah_max"] - counted  # the head's counted resources
    limit = s["aah_max"] - s["aah_min_payment"]
    aah_factor = np.where(counted > limit, limit / np.maximum(counted, 1e-9), 1.0)
    return np.where(aah[rows], np.minimum(factor, aah_factor), factor)


def draw_households(rng: np.random.Generator, n: int, plan: Plan) -> dict[str, Array]:
    """``n`` synthetic households as NumPy arrays (category columns as integer codes)."""
    s = plan.scales
    t = plan
    smic = s["smic_monthly_net"]

    # ------------------------------------------------------------------ 1. demography
    family = deal(rng, n, plan.family)
    single, couple = family == SINGLE, family == COUPLE
    single_parent, couple_children = family == SINGLE_PARENT, family == COUPLE_CHILDREN
    partnered = couple | couple_children
    childless = single | couple

    children = np.zeros(n, dtype=np.uint8)
    size_code = np.zeros(n, dtype=np.uint8)
    deal_within(rng, family, plan.children_given_family, size_code)
    children = np.where(single_parent | couple_children, size_code + 1, 0).astype(np.uint8)
    large = children == 4
    children[large] = 4 + rng.choice(len(FOUR_PLUS), size=int(large.sum()), p=FOUR_PLUS)

    sex = np.zeros(n, dtype=np.uint8)  # 0 female, 1 male
    deal_within(rng, family, {f: [p, 1 - p] for f, p in enumerate(plan.female_given_family)}, sex)
    band = np.zeros(n, dtype=np.uint8)
    deal_within(rng, family, dict(enumerate(plan.age_given_family)), band)
    age = np.zeros(n, dtype=np.int64)
    for b, (ages, weights) in enumerate(AGE_BANDS):
        rows = np.flatnonzero(band == b)
        age[rows] = rng.choice(ages, size=rows.size, p=weights / weights.sum())
    nationality = deal(rng, n, plan.nationality)
    department = deal(rng, n, plan.department_probs, dtype=np.uint8)
    overseas = np.isin(department, plan.overseas_codes)

    # ------------------------------------------------------------------ 2. benefit statuses
    # AAH: from 20 to the pension age, more often at older ages.
    aah_weight = np.select(
        [age < 20, age < 25, age < 35, age < 45, age < 55, age < 65],
        [0.0, 0.5, 0.7, 0.9, 1.3, 1.5],
        0.0,
    )
    aah = np.zeros(n, dtype=bool)
    for f in range(4):
        k = round_stochastic(rng, t["aah"] * n * plan.composition["aah"][f])
        aah |= choose(rng, aah_weight * (family == f), k)

    # RSA: not with the AAH; 25 or over unless a parent; rare after 65 (minimum pension).
    rsa_weight = np.where(aah, 0.0, 1.0)
    rsa_weight[(age < 25) & childless] = 0.0
    rsa_weight[age >= 65] *= 0.03
    rsa_weight[(age >= 55) & (age < 65)] *= 0.8
    rsa_weight[nationality == 2] *= 0.7  # five years of residence permit required
    rsa = np.zeros(n, dtype=bool)
    male = sex == 1
    for f in range(4):
        k = round_stochastic(rng, t["rsa"] * n * plan.composition["rsa"][f])
        in_family = rsa_weight * (family == f)
        if f == SINGLE:
            k_male = round_stochastic(rng, k * t["male-rsa-singles"])
            rsa |= choose(rng, in_family * male, k_male)
            rsa |= choose(rng, in_family * ~male, k - k_male)
        elif f == SINGLE_PARENT:
            k_female = round_stochastic(rng, k * t["female-rsa-single-parents"])
            rsa |= choose(rng, in_family * ~male, k_female)
            rsa |= choose(rng, in_family * male, k - k_female)
        else:
            rsa |= choose(rng, in_family, k)

    # Students: young single persons (a few couples), neither on RSA nor on the AAH.
    student_weight = np.select([age <= 22, age <= 25, age <= 29, age <= 34], [10, 5, 1.5, 0.2], 0)
    student_weight = student_weight * (single + 0.1 * couple) * ~aah * ~rsa
    student = choose(rng, student_weight, round_stochastic(rng, t["students"] * n))

    # Activity bonus: some RSA and AAH households, then by family type among the others.
    ppa = choose(
        rng, (rsa & (age < 62)).astype(float), round_stochastic(rng, t["rsa-with-ppa"] * rsa.sum())
    )
    ppa |= choose(
        rng, (aah & (age < 62)).astype(float), round_stochastic(rng, t["aah-with-ppa"] * aah.sum())
    )
    ppa_weight = np.select([age < 25, age < 55, age < 60, age < 65], [1.2, 1.0, 0.7, 0.3], 0.01)
    ppa_weight = ppa_weight * ~rsa * ~aah * ~student
    for f in range(4):
        wanted = round_stochastic(rng, t["ppa"] * n * plan.composition["ppa"][f])
        already = int((ppa & (family == f)).sum())
        ppa |= choose(rng, ppa_weight * (family == f) * ~ppa, wanted - already)

    # ------------------------------------------------------------------ 3. activity
    head = np.full(n, 255, dtype=np.uint8)
    partner = np.where(partnered, 255, P_NONE).astype(np.uint8)
    head[student] = STUDENT
    head_works_for_ppa = ppa & (~partnered | rsa | aah | (rng.random(n) < 0.85))
    head[head_works_for_ppa] = np.where(
        rng.random(int(head_works_for_ppa.sum())) < 0.09, SELF_EMPLOYED, EMPLOYED
    )
    partner_works_for_ppa = ppa & ~head_works_for_ppa
    head[partner_works_for_ppa] = np.where(
        rng.random(int(partner_works_for_ppa.sum())) < 0.5, UNEMPLOYED, INACTIVE
    )
    partner[partner_works_for_ppa] = P_EMPLOYED

    out_of_work = rsa & ~ppa
    with_work = float((rsa & ppa).sum()) / max(int(rsa.sum()), 1)
    unemployed_share = np.clip((t["rsa-active"] - with_work) / max(1 - with_work, 1e-9), 0, 1)
    unemployed = choose_share(rng, np.ones(n), float(unemployed_share), out_of_work)
    head[out_of_work] = np.where(unemployed[out_of_work], UNEMPLOYED, INACTIVE)

    aah_only = aah & ~ppa
    with_work = float((aah & ppa).sum()) / max(int(aah.sum()), 1)
    employed_share = np.clip((t["aah-employed"] - with_work) / max(1 - with_work, 1e-9), 0, 1)
    working = choose_share(rng, np.ones(n), float(employed_share), aah_only)
    head[aah_only] = np.where(working[aah_only], EMPLOYED, INACTIVE)

    rest = head == 255
    u = rng.random(n)
    old, near = age >= 65, (age >= 62) & (age < 65)
    young = age < 26
    head[rest & old] = np.where(u[rest & old] < 0.93, RETIRED, INACTIVE)
    sel = rest & near
    head[sel] = np.select(
        [u[sel] < 0.5, u[sel] < 0.75, u[sel] < 0.83], [RETIRED, EMPLOYED, UNEMPLOYED], INACTIVE
    )
    sel = rest & young
    head[sel] = np.select(
        [u[sel] < 0.55, u[sel] < 0.67, u[sel] < 0.85], [EMPLOYED, APPRENTICE, UNEMPLOYED], INACTIVE
    )
    sel = rest & ~old & ~near & ~young
    head[sel] = np.select(
        [u[sel] < 0.68, u[sel] < 0.76, u[sel] < 0.88],
        [EMPLOYED, SELF_EMPLOYED, UNEMPLOYED],
        INACTIVE,
    )

    todo = partner == 255
    v = rng.random(n)
    sel = todo & rsa
    partner[sel] = np.select([v[sel] < 0.08, v[sel] < 0.45], [P_EMPLOYED, P_UNEMPLOYED], P_INACTIVE)
    sel = todo & ~rsa & (age >= 62)
    partner[sel] = np.select([v[sel] < 0.75, v[sel] < 0.85], [P_RETIRED, P_EMPLOYED], P_INACTIVE)
    sel = todo & ~rsa & (age < 62)
    partner[sel] = np.select(
        [v[sel] < 0.66, v[sel] < 0.72, v[sel] < 0.81, v[sel] < 0.96, v[sel] < 0.98],
        [P_EMPLOYED, P_SELF, P_UNEMPLOYED, P_INACTIVE, P_STUDENT],
        P_APPRENTICE,
    )
    head_works = np.isin(head, [EMPLOYED, SELF_EMPLOYED, APPRENTICE])
    partner_works = np.isin(partner, [P_EMPLOYED, P_SELF, P_APPRENTICE])

    # ------------------------------------------------------------------ housing benefit, CF
    covered = rsa | aah | ppa
    housing = childless & ~covered  # no other benefit: they are benefit households through it
    hb_weight = 1 + 2.0 * rsa + 0.5 * ppa + 0.5 * ~(head_works | partner_works)
    housing |= choose_share(rng, hb_weight, t["housing-benefit-single-parents"], single_parent)
    hb_weight = (1 + 3.0 * rsa + 1.0 * ppa + 0.5 * (children >= 3)) * np.where(
        head_works & partner_works & ~ppa, 0.3, 1.0
    )
    housing |= choose_share(rng, hb_weight, t["housing-benefit-couple-children"], couple_children)
    remaining = round_stochastic(rng, t["housing-benefit"] * n) - int(housing.sum())
    hb_weight = (1 + 1.5 * rsa + 0.5 * aah) * childless * covered * ~housing * (age < 65)
    housing |= choose(rng, hb_weight, remaining)

    cf_weight = (
        (children >= 3)
        * (1 + 1.0 * rsa + 0.8 * ppa + 0.5 * housing)
        * np.where(head_works & partner_works & ~ppa, 0.4, 1.0)
    )
    cf = choose(rng, cf_weight, round_stochastic(rng, t["cf"] * n))

    # ------------------------------------------------------------------ 4. housing status
    status = np.full(n, 255, dtype=np.uint8)
    owner_weight = (
        (1 + 2.0 * couple_children + 1.0 * couple)
        * (age >= 28)
        * ~student
        * np.where(rsa, 0.3, 1.0)
    )
    owner_hb = choose_share(rng, owner_weight, 1 - t["housing-benefit-renters"], housing)
    status[owner_hb] = OWNER
    social_weight = (
        1 + 0.5 * single_parent + 0.5 * rsa + 0.5 * (children >= 3) + 0.3 * aah
    ) * np.where(student, 0.3, 1.0)
    social_hb = choose(
        rng,
        social_weight * (housing & ~owner_hb),
        round_stochastic(rng, t["housing-benefit-social"] * housing.sum()),
    )
    status[social_hb] = SOCIAL
    status[housing & (status == 255)] = PRIVATE

    other = ~housing
    hosted_weight = (1 + 4.0 * rsa + 3.0 * aah + 3.0 * (age < 25) + 1.0 * single) * np.where(
        couple_children, 0.2, 1.0
    )
    hosted = choose(rng, hosted_weight * other, round_stochastic(rng, t["hosted"] * n))
    status[hosted] = HOSTED
    owners_wanted = round_stochastic(rng, (1 - t["renters"] - t["hosted"]) * n) - int(
        owner_hb.sum()
    )
    owner_weight = (
        (1 + 2.0 * couple_children + 1.0 * couple + 1.5 * (age >= 45) + 2.0 * (head == RETIRED))
        * np.where(rsa, 0.15, 1.0)
        * np.where(head_works & partner_works, 2.0, 1.0)
    )
    owners = choose(rng, owner_weight * other * ~hosted, owners_wanted)
    status[owners] = OWNER
    social_wanted = round_stochastic(rng, t["social-tenants"] * n) - int(social_hb.sum())
    left = other & ~hosted & ~owners
    social = choose(rng, (1 + single_parent + rsa + aah) * left, social_wanted)
    status[social] = SOCIAL
    status[status == 255] = PRIVATE

    persons = 1 + partnered.astype(np.int64) + children
    level_of_code = np.array(
        [RENT_LEVEL.get(code, RENT_LEVEL_ELSEWHERE) for code in plan.department_codes]
    )
    level = level_of_code[department]
    rent = np.zeros(n)
    sel = status == SOCIAL
    rent[sel] = (
        (300 + 55 * (persons[sel] - 1))
        * (0.6 + 0.4 * level[sel])
        * np.exp(0.15 * rng.standard_normal(int(sel.sum())))
    )
    sel = status == PRIVATE
    rent[sel] = (
        (460 + 110 * (persons[sel] - 1) ** 0.8)
        * level[sel]
        * np.exp(0.22 * rng.standard_normal(int(sel.sum())))
    )
    sel = (status == PRIVATE) & student
    rent[sel] = 420 * level[sel] * np.exp(0.2 * rng.standard_normal(int(sel.sum())))
    with_loan = (status == OWNER) & (housing | (rng.random(n) < np.where(age < 55, 0.8, 0.3)))
    rent[with_loan] = (
        (700 + 90 * persons[with_loan])
        * level[with_loan]
        * np.exp(0.3 * rng.standard_normal(int(with_loan.sum())))
    )
    rent = np.round(np.clip(rent, 0, 9000), 2)

    # ------------------------------------------------------------------ resources
    head_earn, partner_earn = np.zeros(n), np.zeros(n)
    head_other, partner_other = np.zeros(n), np.zeros(n)

    def earnings(kind: Array, size: int, r: np.random.Generator) -> Array:
        """Monthly net earnings by activity code (employed, self-employed, apprentice)."""
        full_time = r.random(size) < 0.75
        wage = np.where(
            full_time,
            np.maximum(_lognormal(r, 2090, 0.38, size), 0.97 * smic),
            r.uniform(0.3, 0.85, size) * _lognormal(r, 1800, 0.3, size),
        )
        wage = np.where(kind == SELF_EMPLOYED, _lognormal(r, 1500, 0.8, size), wage)
        return np.where(kind == APPRENTICE, r.uniform(0.43, 0.85, size) * smic, wage)

    def fill(
        activity: Array, earn: Array, other_income: Array, codes: dict[str, int], people: Array
    ) -> None:
        works = people & np.isin(activity, [codes["employed"], codes["self"], codes["apprentice"]])
        kind = np.select(
            [activity == codes["self"], activity == codes["apprentice"]],
            [SELF_EMPLOYED, APPRENTICE],
            EMPLOYED,
        )
        earn[works] = earnings(kind[works], int(works.sum()), rng)
        sel = people & (activity == codes["unemployed"])
        m = int(sel.sum())
        other_income[sel] = np.where(rng.random(m) < 0.6, _lognormal(rng, 1050, 0.35, m), 0.0)
        earn[sel] = np.where(rng.random(m) < 0.15, rng.uniform(100, 600, m), 0.0)
        sel = people & (activity == codes["student"])
        m = int(sel.sum())
        earn[sel] = np.where(rng.random(m) < 0.35, rng.uniform(150, 700, m), 0.0)
        sel = people & (activity == codes["retired"])
        other_income[sel] = _lognormal(rng, 1300, 0.4, int(sel.sum()))

    head_codes = {
        "employed": EMPLOYED,
        "self": SELF_EMPLOYED,
        "apprentice": APPRENTICE,
        "unemployed": UNEMPLOYED,
        "student": STUDENT,
        "retired": RETIRED,
    }
    partner_codes = {
        "employed": P_EMPLOYED,
        "self": P_SELF,
        "apprentice": P_APPRENTICE,
        "unemployed": P_UNEMPLOYED,
        "student": P_STUDENT,
        "retired": P_RETIRED,
    }
    fill(head, head_earn, head_other, head_codes, np.ones(n, dtype=bool))
    fill(partner, partner_earn, partner_other, partner_codes, partnered)

    # RSA households: small earnings, rarely unemployment benefits (solidarity allowance).
    sel = rsa & head_works
    head_earn[sel] = rng.uniform(80, 650, int(sel.sum()))
    sel = rsa & partner_works
    partner_earn[sel] = rng.uniform(80, 650, int(sel.sum()))
    sel = rsa & (head == UNEMPLOYED)
    m = int(sel.sum())
    head_other[sel] = np.where(rng.random(m) < 0.12, rng.uniform(200, 500, m), 0.0)
    head_earn[sel] = np.where(rng.random(m) < 0.1, rng.uniform(50, 300, m), 0.0)
    sel = rsa & np.isin(partner, [P_UNEMPLOYED, P_INACTIVE])
    partner_other[sel] = 0.0
    partner_earn[sel] = 0.0
    # AAH: sheltered or part-time work; sometimes an invalidity pension.
    sel = aah & head_works
    head_earn[sel] = np.where(
        ppa[sel], rng.uniform(800, 1400, int(sel.sum())), rng.uniform(300, 1400, int(sel.sum()))
    )
    sel = aah & ~head_works
    m = int(sel.sum())
    head_other[sel] = np.where(rng.random(m) < 0.2, rng.uniform(100, 600, m), 0.0)
    # Single parents: alimony for some.
    alimony = single_parent & (rng.random(n) < 0.3)
    alimony_amount = np.where(alimony, rng.uniform(100, 450, n), 0.0)
    head_other += alimony_amount

    # Households without own resources: exactly the share asked for.
    may_be_zero = (
        np.isin(head, [UNEMPLOYED, INACTIVE, STUDENT])
        & np.isin(partner, [P_NONE, P_UNEMPLOYED, P_INACTIVE, P_STUDENT])
        & ~ppa
    )
    zero_weight = may_be_zero * (
        1 + 5.0 * rsa + 3.0 * aah + 1.0 * (head == INACTIVE) + 0.5 * (head == STUDENT)
    )
    zero = choose(rng, zero_weight, round_stochastic(rng, t["income-zero"] * n))
    for arr in (head_earn, partner_earn, head_other, partner_other):
        arr[zero] = 0.0
    alimony &= ~zero
    nothing = ~zero & (head_earn + partner_earn + head_other + partner_other <= 0)
    head_other[nothing] = rng.uniform(50, 450, int(nothing.sum()))  # other resources

    flat_rate = housing | (status == OWNER) | (status == HOSTED)

    def amounts(rows: Array | slice = slice(None)) -> dict[str, Array]:
        """Benefit amounts of some rows (all by default) from their current resources."""
        he, pe, ho, po = head_earn[rows], partner_earn[rows], head_other[rows], partner_other[rows]
        kids, pair, lone = children[rows], partnered[rows], single_parent[rows]
        income = he + pe + ho + po
        annual = 12 * income
        two = lone | (
            pair & (he * 12 >= s["two_earners_threshold"]) & (pe * 12 >= s["two_earners_threshold"])
        )
        af = legal.af_amount(kids, overseas[rows], annual, s)
        cf_amt = np.where(cf[rows], legal.cf_amount(kids, annual, two, s), 0.0)
        aah_amt = np.where(aah[rows], legal.aah_amount(he, ho, s), 0.0)
        flat = flat_rate[rows]
        rsa_amt = np.where(
            rsa[rows], legal.rsa_amount(pair, kids, income + af + cf_amt, flat, s), 0.0
        )
        ppa_amt = np.where(
            ppa[rows],
            legal.ppa_amount(
                pair, kids, he, pe, ho + po + af + cf_amt + rsa_amt, flat, s, aah=aah_amt
            ),
            0.0,
        )
        hb_amt = np.where(
            housing[rows], legal.housing_amount(pair, kids, income, rent[rows], s), 0.0
        )
        return {
            "income": income,
            "af": af,
            "cf": cf_amt,
            "aah": aah_amt,
            "rsa": rsa_amt,
            "ppa": ppa_amt,
            "hb": hb_amt,
        }

    def unpayable(rows: Array) -> Array:
        """Which of these rows receive a benefit that their resources would not allow."""
        a = amounts(rows)
        return (
            (rsa[rows] & (a["rsa"] <= 0))
            | (ppa[rows] & (a["ppa"] <= 0))
            | (aah[rows] & (a["aah"] <= 0))
            | (housing[rows] & (a["hb"] <= 0))
            | (cf[rows] & (a["cf"] <= 0))
        )

    # Bring the resources of households whose benefits would not be payable inside the
    # legal range: first a jump below an estimate of each benefit's ceiling, then small
    # steps until every benefit is payable (they end up spread below the ceilings).
    pending = np.flatnonzero(rsa | ppa | aah | housing | cf)
    factor = _ceiling_factor(
        pending,
        head_earn,
        partner_earn,
        head_other,
        partner_other,
        partnered,
        children,
        overseas,
        flat_rate,
        rsa,
        ppa,
        aah,
        housing,
        cf,
        s,
    )
    above = factor < 1
    factor = np.where(above, factor * rng.uniform(0.7, 1.0, pending.size), 1.0)
    for arr in (head_earn, partner_earn, head_other, partner_other):
        arr[pending] *= factor
    for _ in range(15):
        pending = pending[unpayable(pending)]
        if pending.size == 0:
            break
        factor = rng.uniform(0.8, 0.97, pending.size)
        for arr in (head_earn, partner_earn, head_other, partner_other):
            arr[pending] *= factor
    if pending.size:
        # Last resort, for the few households the steps did not settle: resources known to
        # fit their statuses (small earnings for the activity bonus, enough for the AAH to
        # count as earnings, nothing otherwise).
        bad = pending[unpayable(pending)]
        earn = np.where(aah[bad], 1000.0, 250.0) * ppa[bad]
        head_earn[bad] = np.where(head_works[bad] | aah[bad], earn, 0.0)
        partner_earn[bad] = np.where(head_works[bad] | aah[bad], 0.0, earn)
        head_other[bad] = 0.0
        partner_other[bad] = 0.0
        alimony[bad] = False

    # Households without any means-tested benefit: scale resources to the income target.
    free = ~(rsa | ppa | housing | aah | cf | zero)
    components = (head_earn, partner_earn, head_other, partner_other)
    fixed_total = sum(c for c in components)
    above_fixed = int((fixed_total[~free] > 2500).sum())
    free_total = fixed_total[free]
    wanted = t["income-above-2500"] * n - above_fixed
    low, high = 0.5, 1.6
    for _ in range(40):
        mid = (low + high) / 2
        if (free_total * mid > 2500).sum() < wanted:
            low = mid
        else:
            high = mid
    factor = (low + high) / 2
    for c in components:
        c[free] *= factor

    for arr in components:
        np.round(arr, 2, out=arr)

    # ------------------------------------------------------------------ 5. QPV
    income = np.clip(head_earn + partner_earn + head_other + partner_other, 0, 100_000)
    expected = t["qpv"] / plan.households * n
    shares = np.array(
        [
            1.0,
            t["qpv-single"],
            t["qpv-single-parent"],
            1 - t["qpv-single"] - t["qpv-single-parent"] - t["qpv-couple-children"],
            t["qpv-rsa"],
            t["qpv-housing-benefit"],
            t["qpv-aah"],
            t["qpv-ppa"],
            t["qpv-social-housing"],
        ]
    )
    # Fixed tilts (assumptions): foreign nationals and low incomes live more often in QPV.
    offset_codes = (nationality == 2) * 2 + (income / persons < 700)
    probs = fit_logistic_grouped(
        [single, single_parent, couple, rsa, housing, aah, ppa, status == SOCIAL],
        offset_codes,
        np.array([0.0, 0.4, 0.7, 1.1]),
        shares * expected,
    )
    # Sampled in order of household pattern (tilt group, family type, then each benefit):
    # the QPV count of every group then lands within a household or so of its target.
    order = np.argsort(
        pattern_codes(
            [single, single_parent, couple, rsa, housing, aah, ppa, status == SOCIAL], offset_codes
        ),
        kind="stable",
    )
    qpv = systematic(rng, probs, order)
    a = amounts()

    # ------------------------------------------------------------------ 6. other attributes
    # Disability: every AAH recipient, and more (older people likelier).
    extra_weight = ~aah * np.select([age < 20, age < 45, age < 65], [0.1, 1.0, 2.0], 3.0)
    disability = aah | choose(
        rng, extra_weight, round_stochastic(rng, t["disability"] * n) - int(aah.sum())
    )

    has_children = children > 0
    oldest = np.clip(np.round(rng.normal(age - 29, 6)), 0, np.minimum(21, age - 16))
    oldest = np.where(
        cf, np.maximum(oldest, np.minimum(children + 3, np.minimum(21, age - 16))), oldest
    )
    oldest = np.where(has_children, np.maximum(oldest, 0), 0).astype(np.int64)
    w = rng.random(n)
    child_activity = np.select(
        [
            ~has_children,
            oldest < 16,
            (oldest < 19) & (w < 0.8),
            (oldest < 19) & (w < 0.9),
            (oldest < 19) & (w < 0.93),
            oldest < 19,
            w < 0.55,
            w < 0.70,
            w < 0.82,
        ],
        [
            C_NONE,
            C_UNDER_16,
            C_PUPIL,
            C_APPRENTICE,
            C_EMPLOYED,
            C_NO_ACTIVITY,
            C_STUDENT,
            C_APPRENTICE,
            C_EMPLOYED,
        ],
        C_NO_ACTIVITY,
    ).astype(np.uint8)
    child_19_plus = has_children & (oldest >= 19)

    earned = (head_earn + partner_earn) > 0
    stable = rng.random(n) < np.where(ppa, 0.6, np.where(rsa, 0.4, 0.88))
    months_worked = np.where(earned, np.where(stable, 12, rng.integers(1, 12, n)), 0)
    past_work = (
        ~earned & ~zero & ((head == UNEMPLOYED) | (partner == P_UNEMPLOYED)) & (rng.random(n) < 0.4)
    )
    months_worked = np.where(past_work, rng.integers(1, 7, n), months_worked)
    months_worked = np.where((head == STUDENT) & earned, rng.integers(2, 10, n), months_worked)

    lam = (
        0.4
        + 1.5 * ppa
        + 1.2 * rsa
        + 1.0 * (aah & head_works)
        + 1.5 * ((months_worked > 0) & (months_worked < 12))
        + 0.8 * (head == SELF_EMPLOYED)
    )
    income_changes = np.minimum(rng.poisson(np.where(zero, 0.3, lam)), 12)
    tenant = (status == SOCIAL) | (status == PRIVATE)
    rent_lam = np.where(
        tenant,
        0.4 + 0.4 * (status == PRIVATE) + 0.3 * rsa + 0.3 * (age < 30),
        np.where(status == OWNER, 0.15, 0.1),
    )
    rent_changes = np.minimum(rng.poisson(rent_lam), 18)
    separated = (single_parent & (rng.random(n) < 0.16)) | (
        single & (age >= 25) & (age < 60) & (rng.random(n) < 0.05)
    )
    never = rng.random(n) < 0.5 - 0.15 * rsa - 0.1 * ppa - 0.05 * housing
    since_control = np.where(never, 240, np.minimum(np.floor(rng.exponential(30, n)), 239))
    contacts = np.minimum(
        rng.poisson(1.5 + 1.5 * rsa + 1.0 * ppa + 0.8 * single_parent + 0.8 * aah + 0.5 * housing),
        400,
    )
    guardian = rng.random(n) < np.where(aah, 0.12, np.where(disability, 0.04, 0.002)) + 0.01 * (
        age >= 65
    )
    overpayment = rng.random(n) < np.minimum(
        0.08 + 0.22 * rsa + 0.18 * ppa + 0.08 * housing + 0.05 * aah + 0.05 * (income_changes >= 3),
        0.75,
    )
    alimony_declared = (
        alimony
        | (single_parent & (rng.random(n) < 0.05))
        | (~single_parent & (rng.random(n) < 0.01))
    )

    # 12-month averages: some households received a benefit for only part of the year.
    def average(amount: Array, flag: Array, steady: float) -> Array:
        rows = np.flatnonzero(flag)
        part = np.where(rng.random(rows.size) < steady, 1.0, rng.uniform(0.5, 1.0, rows.size))
        out = np.zeros(n)
        out[rows] = np.round(amount[rows] * part, 2)
        return out

    receives_af = a["af"] > 0
    avg_rsa = average(a["rsa"], rsa, 0.7)
    avg_ppa = average(a["ppa"], ppa, 0.7)
    avg_af = average(a["af"], receives_af, 0.85)
    avg_cf = average(a["cf"], cf, 0.85)
    avg_hb = average(a["hb"], housing, 0.75)
    avg_aah = average(a["aah"], aah, 0.85)
    avg_benefits = np.round(avg_rsa + avg_ppa + avg_af + avg_cf + avg_hb + avg_aah, 2)

    return {
        "sex": sex,
        "age_band": band,
        "head_age": age,
        "nationality": nationality,
        "disability": disability,
        "department": department,
        "family_type": family,
        "n_children": children,
        "child_19_plus": child_19_plus,
        "oldest_child_activity": child_activity,
        "separated_recently": separated,
        "head_activity": head,
        "partner_activity": partner,
        "months_worked_12m": months_worked,
        "income_monthly": np.round(income, 2),
        "income_changes_12m": income_changes,
        "housing_status": status,
        "rent_monthly": rent,
        "rent_changes_18m": rent_changes,
        "qpv": qpv,
        "receives_rsa": rsa,
        "receives_ppa": ppa,
        "receives_housing_benefit": housing,
        "receives_aah": aah,
        "receives_af": receives_af,
        "receives_cf": cf,
        "avg_benefits_12m": avg_benefits,
        "avg_rsa_12m": avg_rsa,
        "avg_ppa_12m": avg_ppa,
        "avg_af_12m": avg_af,
        "avg_cf_12m": avg_cf,
        "months_since_last_control": since_control,
        "contacts_12m": contacts,
        "legal_guardian": guardian,
        "overpayment_or_arrears_24m": overpayment,
        "alimony_declared_24m": alimony_declared,
    }
