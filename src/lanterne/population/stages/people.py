"""Stage 1, households and people: family type, children, sex, age, nationality, département.

Each is dealt by quota so that the chunk's counts match the calibration targets; the
shapes inside the targets' margins (ages within an age band, family sizes above four
children) are the catalog's numbers ``people.*``.

Example:
    >>> from lanterne.population.plan import make_plan
    >>> from lanterne.population.targets import load_targets
    >>> d = {}
    >>> draw_people(np.random.default_rng(1), 1000, d, make_plan(load_targets("fr-caf-2023")))
    >>> sorted(d)[:4], int(d["head_age"].min()) >= 18
    (['age_band', 'children', 'department', 'family'], True)
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from lanterne.population import codes as c
from lanterne.population.plan import Plan
from lanterne.population.sampling import deal, deal_within

Array = NDArray


def band_ages(plan: Plan) -> list[tuple[Array, Array]]:
    """Ages of each age band and how likely each is (catalog: ``people.age_within_band``)."""
    shape = plan.numbers.value("people.age_within_band")
    out = []
    for band in c.CATEGORIES["age_band"]:
        if band.startswith("under_"):
            first, last = int(shape["first_age"]), int(band.split("_")[1]) - 1
        elif band.endswith("_plus"):
            first, last = int(band.split("_")[0]), int(shape["last_age"])
        else:
            first, last = (int(x) for x in band.split("_"))
        ages = np.arange(first, last + 1)
        if band.startswith("under_"):
            weights = np.asarray(shape["under_25_weights"], dtype=float)
        elif band.endswith("_plus"):
            weights = np.exp(-np.arange(ages.size) / shape["65_plus_decay_years"])
        elif band == "55_64":
            weights = np.linspace(
                shape["55_64_weight_first"], shape["55_64_weight_last"], ages.size
            )
        else:
            weights = np.ones(ages.size)
        out.append((ages, weights / weights.sum()))
    return out


def draw_people(rng: np.random.Generator, n: int, d: dict[str, Array], plan: Plan) -> None:
    """Family, children, sex, age band and age, nationality, département and overseas."""
    family = deal(rng, n, plan.family)
    size_code = np.zeros(n, dtype=np.uint8)
    deal_within(rng, family, plan.children_given_family, size_code)
    with_children = (family == c.FAMILY["single_parent"]) | (family == c.FAMILY["couple_children"])
    children = np.where(with_children, size_code + 1, 0).astype(np.uint8)
    large = children == 4
    four_plus = plan.numbers.array("people.children_4_plus")
    children[large] = 4 + rng.choice(four_plus.size, size=int(large.sum()), p=four_plus)

    sex = np.zeros(n, dtype=np.uint8)
    female = {
        f: c.by_code("sex", female=p, male=1 - p) for f, p in enumerate(plan.female_given_family)
    }
    deal_within(rng, family, female, sex)
    band = np.zeros(n, dtype=np.uint8)
    deal_within(rng, family, dict(enumerate(plan.age_given_family)), band)
    age = np.zeros(n, dtype=np.int64)
    for b, (ages, weights) in enumerate(band_ages(plan)):
        rows = np.flatnonzero(band == b)
        age[rows] = rng.choice(ages, size=rows.size, p=weights)
    nationality = deal(rng, n, plan.nationality)
    department = deal(rng, n, plan.department_probs, dtype=np.uint8)
    d.update(
        family=family,
        children=children,
        sex=sex,
        age_band=band,
        head_age=age,
        nationality=nationality,
        department=department,
        overseas=np.isin(department, plan.overseas_codes),
    )
