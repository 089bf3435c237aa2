"""Stage 8, the benefit file: disability, work history, changes of income and rent,
controls, contacts, guardianship, overpayments, declared alimony, and 12-month averages of
the benefits (some households received one for part of the year only).

These are the inputs of the agencies' scoring models that no public statistic describes:
their rates are Lanterne's assumptions (catalog ``records.*``), except the disability
count, a calibration target.

Example:
    >>> from lanterne.population.households import draw_until
    >>> d = draw_until("records", 2000, seed=1)
    >>> bool((d["disability"] >= d["aah"]).all())  # every AAH recipient is disabled
    True
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from lanterne.population import codes as c
from lanterne.population.plan import Plan
from lanterne.population.sampling import choose, round_stochastic

Array = NDArray

#: Caps of the count columns (their declared ranges in the model specs).
MAX_INCOME_CHANGES, MAX_RENT_CHANGES, MAX_CONTACTS = 12, 18, 400
#: "Never controlled" is recorded as this many months (the column's top value).
NEVER_CONTROLLED = 240


def _work_history(rng: np.random.Generator, n: int, d: dict[str, Array], plan: Plan) -> Array:
    w = plan.numbers.value("records.months_worked")
    earned = (d["head_earn"] + d["partner_earn"]) > 0
    steady_share = np.where(
        d["ppa"], w["steady_with_ppa"], np.where(d["rsa"], w["steady_with_rsa"], w["steady_others"])
    )
    stable = rng.random(n) < steady_share
    months = np.where(earned, np.where(stable, 12, rng.integers(1, 12, n)), 0)
    unemployed = (d["head"] == c.HEAD["unemployed"]) | (d["partner"] == c.PARTNER["unemployed"])
    past_work = ~earned & ~d["zero"] & unemployed & (rng.random(n) < w["past_work_share"])
    months = np.where(past_work, rng.integers(1, int(w["past_work_max_months"]) + 1, n), months)
    low, high = w["student_months"]
    return np.where(
        (d["head"] == c.HEAD["student"]) & earned, rng.integers(int(low), int(high) + 1, n), months
    )


def _average(
    rng: np.random.Generator, amount: Array, flag: Array, steady: float, part: list[float]
) -> Array:
    """12-month average: a share ``steady`` received it all year, the others part of it."""
    rows = np.flatnonzero(flag)
    low, high = part
    share = np.where(rng.random(rows.size) < steady, 1.0, rng.uniform(low, high, rows.size))
    out = np.zeros(flag.size)
    out[rows] = np.round(amount[rows] * share, 2)
    return out


def draw_records(rng: np.random.Generator, n: int, d: dict[str, Array], plan: Plan) -> None:
    """The file's history columns and the 12-month averages of the benefits."""
    num = plan.numbers
    age, rsa, ppa, aah, housing = d["head_age"], d["rsa"], d["ppa"], d["aah"], d["housing"]
    single_parent = d["family"] == c.FAMILY["single_parent"]
    w = num.value("records.disability_weight")
    extra = ~aah * np.select([age < a for a in w["ages_under"]], list(w["weights"]), w["older"])
    disability = aah | choose(
        rng, extra, round_stochastic(rng, plan["disability"] * n) - int(aah.sum())
    )

    months = _work_history(rng, n, d, plan)
    partial_year = (months > 0) & (months < 12)
    lam = num.linear(
        "records.income_changes",
        ppa=ppa,
        rsa=rsa,
        aah_worker=aah & d["head_works"],
        partial_year=partial_year,
        self_employed=d["head"] == c.HEAD["self_employed"],
    )
    lam = np.where(d["zero"], num.value("records.income_changes_without_income"), lam)
    income_changes = np.minimum(rng.poisson(lam), MAX_INCOME_CHANGES)
    status = d["status"]
    tenant = (status == c.HOUSING["tenant_social"]) | (status == c.HOUSING["tenant_private"])
    w = num.value("records.rent_changes")
    rent_lam = np.where(
        tenant,
        num.linear(
            "records.rent_changes_tenants",
            private=status == c.HOUSING["tenant_private"],
            rsa=rsa,
            young=age < w["young_under_age"],
        ),
        np.where(status == c.HOUSING["owner"], w["owners"], w["others"]),
    )
    rent_changes = np.minimum(rng.poisson(rent_lam), MAX_RENT_CHANGES)
    w = num.value("records.controls")
    never = rng.random(n) < num.linear(
        "records.never_controlled", rsa=rsa, ppa=ppa, housing=housing
    )
    since = np.minimum(np.floor(rng.exponential(w["mean_months_since"], n)), NEVER_CONTROLLED - 1)
    since_control = np.where(never, NEVER_CONTROLLED, since)
    contacts = np.minimum(
        rng.poisson(
            num.linear(
                "records.contacts",
                rsa=rsa,
                ppa=ppa,
                single_parent=single_parent,
                aah=aah,
                housing=housing,
            )
        ),
        MAX_CONTACTS,
    )
    w = num.value("records.guardian")
    guardian = rng.random(n) < np.where(
        aah, w["aah"], np.where(disability, w["disabled"], w["others"])
    ) + w["older"] * (age >= w["older_from_age"])
    w = num.value("records.overpayment")
    chance = num.linear(
        "records.overpayment_terms",
        rsa=rsa,
        ppa=ppa,
        housing=housing,
        aah=aah,
        many_changes=income_changes >= w["many_changes"],
    )
    overpayment = rng.random(n) < np.minimum(chance, w["max"])
    w = num.value("records.alimony_declared")
    declared = (
        d["alimony"]
        | (single_parent & (rng.random(n) < w["single_parents"]))
        | (~single_parent & (rng.random(n) < w["others"]))
    )

    a = d["amounts"]
    w = num.value("records.full_year_share")
    part = num.value("records.part_year_fraction")
    receives_af = a["af"] > 0
    avg = {
        "rsa": _average(rng, a["rsa"], rsa, w["rsa"], part),
        "ppa": _average(rng, a["ppa"], ppa, w["ppa"], part),
        "af": _average(rng, a["af"], receives_af, w["af"], part),
        "cf": _average(rng, a["cf"], d["cf"], w["cf"], part),
        "hb": _average(rng, a["aide_logement"], housing, w["housing"], part),
        "aah": _average(rng, a["aah"], aah, w["aah"], part),
    }
    d.update(
        disability=disability,
        months_worked_12m=months,
        income_changes_12m=income_changes,
        rent_changes_18m=rent_changes,
        months_since_last_control=since_control,
        contacts_12m=contacts,
        legal_guardian=guardian,
        overpayment_or_arrears_24m=overpayment,
        alimony_declared_24m=declared,
        receives_af=receives_af,
        avg_rsa_12m=avg["rsa"],
        avg_ppa_12m=avg["ppa"],
        avg_af_12m=avg["af"],
        avg_cf_12m=avg["cf"],
        avg_benefits_12m=np.round(sum(avg.values()), 2),
    )
