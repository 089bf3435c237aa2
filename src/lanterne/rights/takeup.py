"""Who claims what they are entitled to: a take-up draw calibrated on published rates.

For each household entitled to a benefit, the probability of *not* claiming it is the
published non-take-up rate of that benefit times the relative risk of the household's
housing tenure and family type (catalog ``relative_risk``), capped to [0.01, 0.95]. The
draw uses a uniform number derived from a hash of ``(seed, benefit, household_id)``: the
same household gets the same draw whatever the chunking or the order of rows, so chunked
and in-memory runs agree exactly.

Example:
    >>> import numpy as np
    >>> from lanterne.rights.catalog import load_rights_catalog
    >>> cat = load_rights_catalog()
    >>> p = nonrecours_probability(cat, "rsa", np.array(["owner"]), np.array(["single"]))
    >>> round(float(p[0]), 2)  # 34 % × 61/34 (owners)
    0.61
    >>> u = uniform_draws(np.arange(5), "rsa", seed=1)
    >>> bool(((u >= 0) & (u < 1)).all()), bool((u == uniform_draws(np.arange(5), "rsa", 1)).all())
    (True, True)
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from lanterne.rights.catalog import RightsCatalog

#: Bounds of the individual non-take-up probability.
P_MIN, P_MAX = 0.01, 0.95
_BENEFIT_SALT = {"rsa": 0x5A17, "ppa": 0x9E37, "housing": 0x7F4A, "aah": 0x3C6E}
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def _splitmix(x: NDArray[np.uint64]) -> NDArray[np.uint64]:
    with np.errstate(over="ignore"):
        x = x + np.uint64(0x9E3779B97F4A7C15)
        x = (x ^ (x >> np.uint64(30))) * _M1
        x = (x ^ (x >> np.uint64(27))) * _M2
        return x ^ (x >> np.uint64(31))


def uniform_draws(household_id: NDArray, benefit: str, seed: int = 0) -> NDArray[np.float64]:
    """A uniform number in [0, 1) per household, fixed by ``(seed, benefit, household_id)``."""
    ids = np.asarray(household_id).astype(np.uint64)
    salt = np.uint64((_BENEFIT_SALT[benefit] << 32) ^ (seed & 0xFFFFFFFF))
    with np.errstate(over="ignore"):
        h = _splitmix(_splitmix(ids ^ salt) + salt)
    return (h >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def _lookup(mapping: dict[str, float], values: NDArray) -> NDArray[np.float64]:
    uniq, inverse = np.unique(np.asarray(values).astype(str), return_inverse=True)
    return np.array([mapping.get(u, 1.0) for u in uniq], dtype=np.float64)[inverse]


def relative_risk(
    catalog: RightsCatalog, benefit: str, housing_status: NDArray, family_type: NDArray
) -> NDArray[np.float64]:
    """Relative risk of not claiming: that of the tenure times that of the family type."""
    rr = catalog.benefit(benefit).relative_risk
    if len(housing_status) == 0:
        return np.zeros(0)
    return _lookup(rr.housing_status, housing_status) * _lookup(rr.family_type, family_type)


def nonrecours_probability(
    catalog: RightsCatalog,
    benefit: str,
    housing_status: NDArray,
    family_type: NDArray,
    scale: float = 1.0,
) -> NDArray[np.float64]:
    """Each household's probability of not claiming ``benefit`` if entitled (NaN: not modelled).

    ``scale`` multiplies the rate (see :func:`calibration_scale`).
    """
    rate = catalog.benefit(benefit).nonrecours.rate
    if rate is None:
        return np.full(len(housing_status), np.nan)
    rr = relative_risk(catalog, benefit, housing_status, family_type)
    return np.clip(scale * rate * rr, P_MIN, P_MAX)


def calibration_scale(
    catalog: RightsCatalog,
    benefit: str,
    entitled: NDArray[np.bool_],
    housing_status: NDArray,
    family_type: NDArray,
) -> float:
    """The factor that makes the mean non-take-up probability of the *entitled* households
    equal the published rate (1.0 when nobody is entitled or the benefit is not modelled).

    The published rate is measured on the eligible population of the study (DREES: all
    households of metropolitan France); the relative risks then shift with the mix of the
    population at hand. Calibrating keeps the published overall rate and the published
    ordering of groups.

    >>> from lanterne.rights.catalog import load_rights_catalog
    >>> cat = load_rights_catalog()
    >>> h = np.array(["tenant_social"] * 3 + ["owner"])
    >>> k = calibration_scale(cat, "rsa", np.ones(4, bool), h, np.array(["single"] * 4))
    >>> p = nonrecours_probability(cat, "rsa", h, np.array(["single"] * 4), k)
    >>> round(float(p.mean()), 4)
    0.34
    """
    rate = catalog.benefit(benefit).nonrecours.rate
    if rate is None or not entitled.any():
        return 1.0
    rr = relative_risk(catalog, benefit, housing_status[entitled], family_type[entitled])
    values, counts = np.unique(rr, return_counts=True)
    weights = counts / counts.sum()

    def mean(k: float) -> float:
        return float((np.clip(k * rate * values, P_MIN, P_MAX) * weights).sum())

    low, high = 0.0, 1.0
    while mean(high) < rate and high < 1e6:
        high *= 2
    for _ in range(60):
        mid = (low + high) / 2
        low, high = (mid, high) if mean(mid) < rate else (low, mid)
    return (low + high) / 2


def draw_takeup(
    catalog: RightsCatalog,
    benefit: str,
    entitled: NDArray[np.bool_],
    household_id: NDArray,
    housing_status: NDArray,
    family_type: NDArray,
    seed: int = 0,
    scale: float = 1.0,
) -> NDArray[np.bool_]:
    """Which entitled households claim ``benefit`` (False for those not entitled).

    For a benefit without a published non-take-up model (AAH), every entitled household
    is taken to claim it.
    """
    p = nonrecours_probability(catalog, benefit, housing_status, family_type, scale)
    if np.isnan(p).all():
        return entitled.copy()
    u = uniform_draws(household_id, benefit, seed)
    return entitled & (u >= p)
