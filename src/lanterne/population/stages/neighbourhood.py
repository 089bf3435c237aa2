"""Stage 7, priority neighbourhoods (QPV): inclusion probabilities fitted to the QPV
targets (family types, benefits and social housing among QPV households), then an
exact-size sample.

Foreign nationals and low incomes live more often in a QPV: fixed tilts (catalog
``neighbourhood.tilts``) that the fitted probabilities start from.

Example:
    >>> from lanterne.population.households import draw_until
    >>> d = draw_until("neighbourhood", 5000, seed=1)
    >>> abs(int(d["qpv"].sum()) - round(1811300 / 13.8e6 * 5000)) <= 3
    True
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from lanterne.population import codes as c
from lanterne.population.plan import Plan
from lanterne.population.sampling import fit_logistic_grouped, pattern_codes, systematic

Array = NDArray


def draw_neighbourhood(rng: np.random.Generator, n: int, d: dict[str, Array], plan: Plan) -> None:
    """``qpv``: whether the household lives in a priority neighbourhood."""
    t = plan
    family = d["family"]
    single, single_parent, couple = (
        family == c.FAMILY["single"],
        family == c.FAMILY["single_parent"],
        family == c.FAMILY["couple"],
    )
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
    tilts = plan.numbers.value("neighbourhood.tilts")
    low = d["income"] / d["persons"] < tilts["low_income_per_person"]
    offset_codes = (d["nationality"] == c.NATIONALITY["non_eu"]) * 2 + low
    indicators = [
        single,
        single_parent,
        couple,
        d["rsa"],
        d["housing"],
        d["aah"],
        d["ppa"],
        d["status"] == c.HOUSING["tenant_social"],
    ]
    probs = fit_logistic_grouped(
        indicators, offset_codes, np.asarray(tilts["log_odds"]), shares * expected
    )
    # Sampled in order of household pattern (tilt group, family type, then each benefit):
    # the QPV count of every group then lands within a household or so of its target.
    order = np.argsort(pattern_codes(indicators, offset_codes), kind="stable")
    d["qpv"] = systematic(rng, probs, order)
