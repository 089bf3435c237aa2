"""Stage 5, children and separations: the eldest child's age and activity, the ages of
all children, and recent separations (which raise the RSA of single parents).

The eldest child's age follows the head's age (catalog ``children.eldest``); a household
with the family supplement has its three children aged 3 or more; the activity of the
eldest follows its age (``children.activity``). The ages of all children are those the
rights module gives OpenFisca for that activity (the eldest's typical age, then two years
younger each), so the generator's amounts and the OpenFisca check read the same family.

Example:
    >>> from lanterne.population.households import draw_until
    >>> d = draw_until("children", 2000, seed=1)
    >>> bool((d["child_ages"][d["children"] == 0] < 0).all())
    True
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from lanterne.population import codes as c
from lanterne.population.legal import CF, PF
from lanterne.population.plan import Plan

Array = NDArray


def child_ages(children: Array, activity: Array) -> Array:
    """``(n, most children)`` ages (-1: no child) as :func:`derive_situations` sets them.

    >>> child_ages(np.array([2, 0]), np.array([c.CHILD["pupil"], c.CHILD["no_child"]])).tolist()
    [[17, 15], [-1, -1]]
    """
    from lanterne.rights.inputs import ELDEST_AGE

    eldest = np.array([ELDEST_AGE[name] for name in c.CATEGORIES["oldest_child_activity"]])[
        activity
    ]
    width = max(int(children.max()) if children.size else 0, 1)
    rank = np.arange(width)
    ages = np.maximum(eldest[:, None] - 2 * rank[None, :], 1)
    return np.where(rank[None, :] < children[:, None], ages, -1).astype(np.int16)


def draw_children(rng: np.random.Generator, n: int, d: dict[str, Array], plan: Plan) -> None:
    """``oldest_child_activity``, ``child_19_plus``, ``child_ages`` and ``separated``."""
    num, law = plan.numbers, plan.law
    age, children, family = d["head_age"], d["children"], d["family"]
    w = num.value("children.eldest")
    has_children = children > 0
    limit = np.minimum(w["max_age"], age - w["min_parent_gap"])
    oldest = np.clip(np.round(rng.normal(age - w["parent_age_gap"], w["sd"])), 0, limit)
    cf_age = law[CF + "cf_cm.age_min"]  # the family supplement needs children aged 3 or more
    oldest = np.where(d["cf"], np.maximum(oldest, np.minimum(children + cf_age, limit)), oldest)
    oldest = np.where(has_children, np.maximum(oldest, 0), 0).astype(np.int64)
    w = num.value("children.activity")
    school = law[PF + "def_pac.enfants.age_intermediaire"]
    adult = w["adult_from_age"]
    minor, major = w["minor_cumulative"], w["adult_cumulative"]
    u = rng.random(n)
    activity = np.select(
        [
            ~has_children,
            oldest < school,
            (oldest < adult) & (u < minor[0]),
            (oldest < adult) & (u < minor[1]),
            (oldest < adult) & (u < minor[2]),
            oldest < adult,
            u < major[0],
            u < major[1],
            u < major[2],
        ],
        [
            c.CHILD["no_child"],
            c.CHILD["under_16"],
            c.CHILD["pupil"],
            c.CHILD["apprentice"],
            c.CHILD["employed"],
            c.CHILD["no_activity"],
            c.CHILD["student"],
            c.CHILD["apprentice"],
            c.CHILD["employed"],
        ],
        c.CHILD["no_activity"],
    ).astype(np.uint8)
    w = num.value("children.separation")
    single = family == c.FAMILY["single"]
    separated = (
        (family == c.FAMILY["single_parent"]) & (rng.random(n) < w["single_parent_share"])
    ) | (
        single
        & (age >= w["single_from_age"])
        & (age < w["single_until_age"])
        & (rng.random(n) < w["single_share"])
    )
    d.update(
        oldest_child_activity=activity,
        child_19_plus=has_children & (oldest >= adult),
        child_ages=child_ages(children, activity),
        separated=separated,
    )
