"""Benefit amounts from the legal scales, for whole columns of households at once.

These are simplified versions of the French rules, enough to make a synthetic household's
benefits coherent with its income and family (who may receive what, roughly how much). The
scales come from the population's targets file (``scales``), each with its source; the
simplifications are listed in ``docs/population.md``. They are not a benefits calculator:
use OpenFisca for that.

Every function takes NumPy arrays (one value per household) and a mapping of scales.

Example:
    >>> import numpy as np
    >>> from lanterne.population.targets import load_targets
    >>> scales = scale_values(load_targets("fr-caf-2023"))
    >>> rsa_amount(np.array([False]), np.array([2]), np.array([0.0]), np.array([True]), scales)
    array([955.47...])
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray

from lanterne.population.targets import PopulationTargets

Array = NDArray
Scales = Mapping[str, float]

#: Scales the generator reads (names in the targets file's ``scales``).
REQUIRED_SCALES = (
    "rsa_base",
    "rsa_second_person_rate",
    "rsa_child_rate",
    "rsa_third_child_rate",
    "housing_flat_rate_1",
    "housing_flat_rate_2",
    "housing_flat_rate_3",
    "rsa_min_payment",
    "ppa_base",
    "ppa_earnings_rate",
    "ppa_bonus_max_rate",
    "ppa_bonus_start_hours",
    "ppa_bonus_full_hours",
    "ppa_min_payment",
    "aah_max",
    "aah_low_earnings_counted",
    "aah_high_earnings_counted",
    "aah_min_payment",
    "smic_hourly_gross",
    "smic_monthly_net",
    "af_2_children",
    "af_3_children",
    "af_extra_child",
    "af_overseas_1_child",
    "af_band_1_ceiling",
    "af_band_2_ceiling",
    "af_ceiling_per_child",
    "cf_base",
    "cf_increased",
    "cf_ceiling_one_earner",
    "cf_ceiling_two_earners",
    "cf_ceiling_per_child",
    "cf_increased_ceiling_share",
    "two_earners_threshold",
    "hb_base",
    "hb_per_adult",
    "hb_per_child",
    "hb_taper",
    "hb_max_rent_share",
    "hb_min_payment",
)


def scale_values(targets: PopulationTargets) -> dict[str, float]:
    """``{name: value}`` of a targets file's scales."""
    return {name: scale.value for name, scale in targets.scales.items()}


def household_multiplier(couple: Array, children: Array, s: Scales) -> Array:
    """How many times the single-person amount a household gets (RSA and activity bonus).

    A second person adds 50 %; then each of the first two children 30 % (for a single
    parent the first child is the second person); each child from the third 40 %.

    >>> household_multiplier(np.array([False, False, True, True]), np.array([1, 3, 2, 3]), {
    ...     "rsa_second_person_rate": 0.5, "rsa_child_rate": 0.3, "rsa_third_child_rate": 0.4})
    array([1.5, 2.2, 2.1, 2.5])
    """
    c = children.astype(np.float64)
    second, child, third = (
        s["rsa_second_person_rate"],
        s["rsa_child_rate"],
        s["rsa_third_child_rate"],
    )
    extra_children = np.maximum(c - 2, 0) * third
    with_partner = 1 + second + np.minimum(c, 2) * child + extra_children
    alone = 1 + (c >= 1) * second + (c >= 2) * child + extra_children
    return np.where(couple, with_partner, alone)


def housing_flat_amount(persons: Array, base: float, s: Scales) -> Array:
    """The housing flat rate ("forfait logement") deducted when housing costs are covered."""
    one = s["housing_flat_rate_1"] * base
    two = s["housing_flat_rate_2"] * base * (1 + s["rsa_second_person_rate"])
    three = (
        s["housing_flat_rate_3"] * base * (1 + s["rsa_second_person_rate"] + s["rsa_child_rate"])
    )
    return np.where(persons <= 1, one, np.where(persons == 2, two, three))


def rsa_amount(
    couple: Array, children: Array, resources: Array, flat_rate: Array, s: Scales
) -> Array:
    """RSA: the household's flat-rate amount minus its resources and the housing flat rate.

    ``resources`` are the household's own monthly resources plus family benefits;
    ``flat_rate`` says whether the housing flat rate applies (housing benefit, owner, or
    housed for free). Amounts below the smallest payment are not paid (0).
    """
    base = s["rsa_base"]
    full = base * household_multiplier(couple, children, s)
    persons = 1 + couple.astype(np.int64) + children
    amount = full - resources - np.where(flat_rate, housing_flat_amount(persons, base, s), 0.0)
    return np.where(amount >= s["rsa_min_payment"], amount, 0.0)


def rsa_ceiling(couple: Array, children: Array, flat_rate: Array, s: Scales) -> Array:
    """The largest resources (own + family benefits) that still leave an RSA to pay."""
    return rsa_amount(couple, children, np.zeros(couple.shape), flat_rate, s) - s["rsa_min_payment"]


def ppa_bonus(earnings: Array, s: Scales) -> Array:
    """Individual bonus of the activity bonus: 0 below a threshold, rising to a maximum."""
    start = s["ppa_bonus_start_hours"] * s["smic_hourly_gross"]
    full = s["ppa_bonus_full_hours"] * s["smic_hourly_gross"]
    top = s["ppa_bonus_max_rate"] * s["ppa_base"]
    return top * np.clip((earnings - start) / (full - start), 0.0, 1.0)


def ppa_amount(
    couple: Array,
    children: Array,
    head_earnings: Array,
    partner_earnings: Array,
    other_resources: Array,
    flat_rate: Array,
    s: Scales,
    aah: Array | None = None,
) -> Array:
    """Activity bonus (prime d'activité), simplified.

    flat-rate amount + 61 % of earnings + individual bonuses − max(flat-rate amount,
    resources), where resources = earnings + other resources (family benefits, RSA,
    unemployment benefits...) + housing flat rate. The AAH of a recipient who earns at least
    29 hours of minimum wage a month counts as earnings. Below the smallest payment: 0.
    """
    base = s["ppa_base"]
    full = base * household_multiplier(couple, children, s)
    persons = 1 + couple.astype(np.int64) + children
    flat = np.where(flat_rate, housing_flat_amount(persons, base, s), 0.0)
    earnings = head_earnings + partner_earnings
    counted = earnings
    resources = earnings + other_resources + flat
    if aah is not None:
        as_earnings = head_earnings >= 29 * s["smic_hourly_gross"]
        counted = counted + np.where(as_earnings, aah, 0.0)
        resources = resources + aah
    amount = (
        full
        + s["ppa_earnings_rate"] * counted
        + ppa_bonus(head_earnings, s)
        + ppa_bonus(partner_earnings, s)
        - np.maximum(full, resources)
    )
    return np.where((amount >= s["ppa_min_payment"]) & (earnings > 0), amount, 0.0)


def aah_amount(head_earnings: Array, head_other: Array, s: Scales) -> Array:
    """AAH of the head: the full amount minus the head's own counted resources.

    Earnings count for 20 % up to 30 % of the net minimum wage and 60 % above; since
    October 2023 the partner's income no longer counts.
    """
    cut = 0.3 * s["smic_monthly_net"]
    counted = (
        s["aah_low_earnings_counted"] * np.minimum(head_earnings, cut)
        + s["aah_high_earnings_counted"] * np.maximum(head_earnings - cut, 0.0)
        + head_other
    )
    amount = s["aah_max"] - counted
    return np.where(amount >= s["aah_min_payment"], amount, 0.0)


def af_amount(children: Array, overseas: Array, annual_income: Array, s: Scales) -> Array:
    """Family allowances: from the 2nd child (the 1st overseas), halved and quartered
    above the income ceilings of bands 1 and 2."""
    c = children.astype(np.float64)
    full = np.where(
        c >= 3,
        s["af_3_children"] + (c - 3) * s["af_extra_child"],
        np.where(c == 2, s["af_2_children"], 0.0),
    )
    extra = np.maximum(c - 2, 0) * s["af_ceiling_per_child"]
    band = np.where(
        annual_income <= s["af_band_1_ceiling"] + extra,
        1.0,
        np.where(annual_income <= s["af_band_2_ceiling"] + extra, 0.5, 0.25),
    )
    amount = full * band
    return np.where(overseas & (c == 1), s["af_overseas_1_child"], amount)


def cf_ceiling(children: Array, two_earners: Array, s: Scales) -> Array:
    """Yearly income ceiling of the family supplement (three children or more)."""
    base = np.where(two_earners, s["cf_ceiling_two_earners"], s["cf_ceiling_one_earner"])
    return base + np.maximum(children.astype(np.float64) - 3, 0) * s["cf_ceiling_per_child"]


def cf_amount(children: Array, annual_income: Array, two_earners: Array, s: Scales) -> Array:
    """Family supplement: three or more children, income under the ceiling; increased
    amount under a lower ceiling."""
    ceiling = cf_ceiling(children, two_earners, s)
    amount = np.where(
        annual_income <= s["cf_increased_ceiling_share"] * ceiling,
        s["cf_increased"],
        s["cf_base"],
    )
    return np.where((children >= 3) & (annual_income <= ceiling), amount, 0.0)


def housing_amount(
    couple: Array, children: Array, resources: Array, rent: Array, s: Scales
) -> Array:
    """Housing benefit, approximated by a line that falls with resources, capped by rent."""
    top = s["hb_base"] + s["hb_per_adult"] * couple + s["hb_per_child"] * children
    amount = np.minimum(top - s["hb_taper"] * resources, s["hb_max_rent_share"] * rent)
    return np.where(amount >= s["hb_min_payment"], amount, 0.0)
