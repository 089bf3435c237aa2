"""Stage 6, resources: earnings and other income of the head and partner, then fitted to
the benefits each household receives, under the law.

Earnings are drawn by activity (catalog numbers ``income.*``); then the resources of a
household that receives a means-tested benefit are shrunk, in random steps, until every
benefit it receives is payable under OpenFisca-France's rules as transcribed in
:mod:`lanterne.population.legal` (its RSA under the ceiling, its activity bonus with
earnings in range...), which spreads them below the ceilings. The resources of households
without a means-tested benefit are scaled to hit the target of incomes above 2,500 €.

Example:
    >>> from lanterne.population.households import draw_until
    >>> d = draw_until("income", 2000, seed=1)
    >>> a = d["amounts"]
    >>> bool((a["rsa"][d["rsa"]] > 0).all() and (a["ppa"][d["ppa"]] > 0).all())
    True
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from lanterne.population import codes as c
from lanterne.population import legal
from lanterne.population.legal import AAH, SMIC
from lanterne.population.plan import Plan
from lanterne.population.sampling import choose, round_stochastic

Array = NDArray

#: The condition of the ``income-above-2500`` target (``income_monthly > 2500``).
HIGH_INCOME = 2500.0
#: Shrinking steps before the last resort, and bisection steps of the income scaling.
FIT_STEPS, SCALE_STEPS = 25, 40


def _lognormal(rng: np.random.Generator, median: float, sigma: float, n: int) -> Array:
    return median * np.exp(sigma * rng.standard_normal(n))


def _uniform(rng: np.random.Generator, bounds: list[float], size: int) -> Array:
    """``size`` draws between the two ``bounds`` of a range of the plan (``[low, high]``)."""
    low, high = bounds
    return rng.uniform(low, high, size)


def _earnings(kind: Array, rng: np.random.Generator, w: dict, smic: float) -> Array:
    """Monthly net earnings by activity code (employed, self-employed, apprentice)."""
    size = kind.size
    full_time = rng.random(size) < w["full_time_share"]
    wage = np.where(
        full_time,
        np.maximum(
            _lognormal(rng, w["full_time_median"], w["full_time_sigma"], size),
            w["full_time_min_smic"] * smic,
        ),
        _uniform(rng, w["part_time_fraction"], size)
        * _lognormal(rng, w["part_time_median"], w["part_time_sigma"], size),
    )
    wage = np.where(
        kind == c.HEAD["self_employed"],
        _lognormal(rng, w["self_employed_median"], w["self_employed_sigma"], size),
        wage,
    )
    return np.where(
        kind == c.HEAD["apprentice"], _uniform(rng, w["apprentice_smic"], size) * smic, wage
    )


def _fill(
    rng: np.random.Generator,
    activity: Array,
    earn: Array,
    other: Array,
    codes: dict[str, int],
    people: Array,
    plan: Plan,
    smic: float,
) -> None:
    num = plan.numbers
    works = people & np.isin(
        activity, [codes["employed"], codes["self_employed"], codes["apprentice"]]
    )
    kind = np.select(
        [activity == codes["self_employed"], activity == codes["apprentice"]],
        [c.HEAD["self_employed"], c.HEAD["apprentice"]],
        c.HEAD["employed"],
    )
    earn[works] = _earnings(kind[works], rng, num.value("income.earnings"), smic)
    w = num.value("income.out_of_work")
    sel = people & (activity == codes["unemployed"])
    m = int(sel.sum())
    other[sel] = np.where(
        rng.random(m) < w["unemployed_benefit_share"],
        _lognormal(rng, w["unemployed_benefit_median"], w["unemployed_benefit_sigma"], m),
        0.0,
    )
    earn[sel] = np.where(
        rng.random(m) < w["unemployed_earning_share"],
        _uniform(rng, w["unemployed_earnings"], m),
        0.0,
    )
    sel = people & (activity == codes["student"])
    m = int(sel.sum())
    earn[sel] = np.where(
        rng.random(m) < w["student_earning_share"], _uniform(rng, w["student_earnings"], m), 0.0
    )
    sel = people & (activity == codes["retired"])
    other[sel] = _lognormal(rng, w["pension_median"], w["pension_sigma"], int(sel.sum()))


def smic_net(plan: Plan) -> float:
    """Monthly net minimum wage: OpenFisca-France's gross one times the catalog's ratio."""
    return plan.law[SMIC + "smic_b_mensuel"] * plan.numbers["income.smic_net_over_gross"]


def draw_resources(rng: np.random.Generator, n: int, d: dict[str, Array], plan: Plan) -> None:
    """Earnings and other income of head and partner, before fitting them to benefits."""
    num, smic = plan.numbers, smic_net(plan)
    rsa, aah, ppa, head, partner = d["rsa"], d["aah"], d["ppa"], d["head"], d["partner"]
    head_earn, partner_earn, head_other, partner_other = (
        np.zeros(n),
        np.zeros(n),
        np.zeros(n),
        np.zeros(n),
    )
    _fill(rng, head, head_earn, head_other, c.HEAD, np.ones(n, dtype=bool), plan, smic)
    _fill(rng, partner, partner_earn, partner_other, c.PARTNER, d["partnered"], plan, smic)
    w = num.value("income.rsa_households")
    sel = rsa & d["head_works"]
    head_earn[sel] = _uniform(rng, w["earnings"], int(sel.sum()))
    sel = rsa & d["partner_works"]
    partner_earn[sel] = _uniform(rng, w["earnings"], int(sel.sum()))
    sel = rsa & (head == c.HEAD["unemployed"])
    m = int(sel.sum())
    head_other[sel] = np.where(
        rng.random(m) < w["solidarity_allowance_share"],
        _uniform(rng, w["solidarity_allowance"], m),
        0.0,
    )
    head_earn[sel] = np.where(
        rng.random(m) < w["unemployed_earning_share"],
        _uniform(rng, w["unemployed_earnings"], m),
        0.0,
    )
    sel = rsa & np.isin(partner, [c.PARTNER["unemployed"], c.PARTNER["inactive"]])
    partner_other[sel] = 0.0
    partner_earn[sel] = 0.0
    w = num.value("income.aah_households")
    sel = aah & d["head_works"]
    m = int(sel.sum())
    head_earn[sel] = np.where(
        ppa[sel], _uniform(rng, w["earnings_with_ppa"], m), _uniform(rng, w["earnings"], m)
    )
    sel = aah & ~d["head_works"]
    m = int(sel.sum())
    head_other[sel] = np.where(
        rng.random(m) < w["invalidity_pension_share"],
        _uniform(rng, w["invalidity_pension"], m),
        0.0,
    )
    w = num.value("income.alimony")
    alimony = (d["family"] == c.FAMILY["single_parent"]) & (
        rng.random(n) < w["single_parent_share"]
    )
    alimony_amount = np.where(alimony, _uniform(rng, w["amount"], n), 0.0)

    # Households without own resources: exactly the share asked for.
    may_be_zero = (
        np.isin(head, [c.HEAD["unemployed"], c.HEAD["inactive"], c.HEAD["student"]])
        & np.isin(
            partner,
            [
                c.PARTNER["no_partner"],
                c.PARTNER["unemployed"],
                c.PARTNER["inactive"],
                c.PARTNER["student"],
            ],
        )
        & ~ppa
    )
    weight = num.linear(
        "income.zero_weight",
        rsa=rsa,
        aah=aah,
        inactive=head == c.HEAD["inactive"],
        student=head == c.HEAD["student"],
    )
    zero = choose(rng, weight * may_be_zero, round_stochastic(rng, plan["income-zero"] * n))
    for arr in (head_earn, partner_earn, head_other, partner_other, alimony_amount):
        arr[zero] = 0.0
    nothing = ~zero & (head_earn + partner_earn + head_other + partner_other + alimony_amount <= 0)
    head_other[nothing] = _uniform(rng, num.value("income.other_resources"), int(nothing.sum()))
    d.update(
        head_earn=head_earn,
        partner_earn=partner_earn,
        head_other=head_other,
        partner_other=partner_other,
        alimony_amount=alimony_amount,
        alimony=alimony & ~zero,
        zero=zero,
    )


def legal_households(
    d: dict[str, Array], plan: Plan, rows: Array | slice = slice(None)
) -> legal.Households:
    """The :class:`legal.Households` of some rows, as the rights module would read them.

    Other income is unemployment benefit for the unemployed, a pension for the retired
    and alimony (pension alimentaire) otherwise. Owners receiving housing benefit repay a
    loan: their benefit is computed with the tenant formula on the repayment (see
    :data:`legal.LEFT_OUT`).
    """
    head, partner = d["head"][rows], d["partner"][rows]
    pair = np.stack
    he, pe = d["head_earn"][rows], d["partner_earn"][rows]
    ho, po = d["head_other"][rows], d["partner_other"][rows]
    unemployed = pair([head == c.HEAD["unemployed"], partner == c.PARTNER["unemployed"]], axis=1)
    retired = pair([head == c.HEAD["retired"], partner == c.PARTNER["retired"]], axis=1)
    other = pair([ho, po], axis=1)
    alimony = np.where(unemployed | retired, 0.0, other)
    alimony[:, 0] += d["alimony_amount"][rows]
    status, housing = d["status"][rows], d["housing"][rows]
    owner_hb = (status == c.HOUSING["owner"]) & housing
    aah = d["aah"][rows]
    return legal.Households(
        couple=d["partnered"][rows],
        head_age=d["head_age"][rows],
        child_ages=d["child_ages"][rows],
        salary=pair([he, pe], axis=1),
        unemployment=np.where(unemployed, other, 0.0),
        pension=np.where(retired, other, 0.0),
        alimony=alimony,
        student=pair([head == c.HEAD["student"], partner == c.PARTNER["student"]], axis=1),
        apprentice=pair([head == c.HEAD["apprentice"], partner == c.PARTNER["apprentice"]], axis=1),
        incapacity=np.where(aah, plan.law[AAH + "taux_capacite.taux_incapacite"], 0.0),
        restriction=aah,
        disabled=aah,
        tenure=np.where(owner_hb, legal.PRIVATE, status),
        rent=np.where(
            (status == c.HOUSING["hosted"]) | ((status == c.HOUSING["owner"]) & ~housing),
            0.0,
            d["rent"][rows],
        ),
        conventionne=status == c.HOUSING["tenant_social"],
        zone=d["zone"][rows],
        overseas=d["overseas"][rows],
        recent_separation=d["separated"][rows] & (d["family"][rows] == c.FAMILY["single_parent"]),
        accession=owner_hb,
    )


def amounts(d: dict[str, Array], plan: Plan, rows: Array | slice = slice(None)) -> dict[str, Array]:
    """Benefit amounts of some rows (all by default) from their current resources."""
    return legal.benefits(legal_households(d, plan, rows), plan.law)


RECEIVED = {"rsa": "rsa", "ppa": "ppa", "aah": "aah", "housing": "aide_logement", "cf": "cf"}


def unpaid(d: dict[str, Array], rows: Array, a: dict[str, Array]) -> Array:
    """Which of these rows receive a benefit that the amounts ``a`` (of the rows) do not pay."""
    bad = np.zeros(rows.size, dtype=bool)
    for flag, key in RECEIVED.items():
        bad |= d[flag][rows] & (a[key] <= 0)
    return bad


def unpayable(d: dict[str, Array], plan: Plan, rows: Array) -> Array:
    """Which of these rows receive a benefit that their resources would not allow."""
    return unpaid(d, rows, amounts(d, plan, rows))


PARTS = ("head_earn", "partner_earn", "head_other", "partner_other", "alimony_amount")


def _keep(final: Array, rows: Array, a: dict[str, Array], settled: Array) -> None:
    for key, values in a.items():
        final[key][rows] = values
    settled[rows] = True


def fit_to_benefits(rng: np.random.Generator, n: int, d: dict[str, Array], plan: Plan) -> None:
    """Shrink the resources of households whose benefits would not be payable.

    Resources are kept in cents, so the amounts computed when a household becomes payable
    are its final ones (``d["amounts"]``, a record array with a field per benefit, with
    ``d["settled"]`` marking those rows).
    """
    w = plan.numbers.value("income.fitting")
    for name in PARTS:
        np.round(d[name], 2, out=d[name])
    final = np.zeros(n, dtype=[(key, np.float64) for key in legal.BENEFITS])
    settled = np.zeros(n, dtype=bool)
    pending = np.flatnonzero(d["rsa"] | d["ppa"] | d["aah"] | d["housing"] | d["cf"])
    for _ in range(FIT_STEPS):
        a = amounts(d, plan, pending)
        bad = unpaid(d, pending, a)
        _keep(final, pending[~bad], {k: v[~bad] for k, v in a.items()}, settled)
        pending = pending[bad]
        if pending.size == 0:
            break
        factor = _uniform(rng, w["step"], pending.size)
        for name in PARTS:
            d[name][pending] = np.round(d[name][pending] * factor, 2)
    if pending.size:
        # Last resort, for the few households the steps did not settle: resources known to
        # fit their statuses (small earnings for the activity bonus, enough for the AAH to
        # count as earnings, nothing otherwise).
        bad = pending[unpayable(d, plan, pending)]
        aah, ppa, works = d["aah"][bad], d["ppa"][bad], d["head_works"][bad]
        earn = np.where(aah, w["last_resort_aah_earnings"], w["last_resort_earnings"]) * ppa
        d["head_earn"][bad] = np.where(works | aah, earn, 0.0)
        d["partner_earn"][bad] = np.where(works | aah, 0.0, earn)
        for name in ("head_other", "partner_other", "alimony_amount"):
            d[name][bad] = 0.0
        d["alimony"][bad] = False
        # rents too high for any housing benefit (degressivity): down to where it starts
        ceiling, degressive, _ = legal.rent_ceiling(legal_households(d, plan, bad), plan.law)
        rent = d["rent"][bad]
        d["rent"][bad] = np.where(
            d["housing"][bad], np.minimum(rent, np.floor(ceiling * degressive)), rent
        )
        # A handful of households (about 1 in 10,000) hold statuses no resources can make
        # all payable under the law (a single parent on the AAH with large family benefits
        # and the activity bonus): they lose the benefit that cannot be paid.
        a = amounts(d, plan, pending)
        for flag, key in RECEIVED.items():
            d[flag][pending[d[flag][pending] & (a[key] <= 0)]] = False
        _keep(final, pending, a, settled)
    d["amounts"], d["settled"] = final, settled


def scale_free_incomes(n: int, d: dict[str, Array], plan: Plan) -> None:
    """Scale the resources of households without a means-tested benefit to the target of
    incomes above :data:`HIGH_INCOME`, by bisection on one factor."""
    free = ~(d["rsa"] | d["ppa"] | d["housing"] | d["aah"] | d["cf"] | d["zero"])
    parts = [d[k] for k in PARTS]
    total = sum(parts[1:], parts[0])  # added in order, a new array
    above_fixed = int((total[~free] > HIGH_INCOME).sum())
    free_total = total[free]
    wanted = plan["income-above-2500"] * n - above_fixed
    low, high = plan.numbers.value("income.free_scaling_range")
    for _ in range(SCALE_STEPS):
        mid = (low + high) / 2
        if (free_total * mid > HIGH_INCOME).sum() < wanted:
            low = mid
        else:
            high = mid
    for part in parts:
        part[free] *= (low + high) / 2
        np.round(part, 2, out=part)
    d["income"] = np.clip(sum(parts), 0, None)
    d["free"] = free


def draw_income(rng: np.random.Generator, n: int, d: dict[str, Array], plan: Plan) -> None:
    """Resources drawn, fitted to the benefits, scaled; ``amounts`` under the law."""
    draw_resources(rng, n, d, plan)
    fit_to_benefits(rng, n, d, plan)
    scale_free_incomes(n, d, plan)
    # the amounts of households the fitting did not settle (family allowances...)
    rest = np.flatnonzero(~d["settled"] | d["free"])
    a = amounts(d, plan, rest)
    for key, values in a.items():
        d["amounts"][key][rest] = values
