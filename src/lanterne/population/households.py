"""Draw one chunk of synthetic households, stage by stage, in a causal order.

1. :mod:`~lanterne.population.stages.people` — households and people: family type,
   children, sex, age, nationality, département (quotas from the targets).
2. :mod:`~lanterne.population.stages.benefits` — benefits as statuses (AAH, RSA, students,
   activity bonus), each given to exactly the number of households its targets ask for.
3. :mod:`~lanterne.population.stages.activity` — activity of the head and the partner,
   coherent with those statuses; then housing benefit and family supplement.
4. :mod:`~lanterne.population.stages.housing` — tenure and rent.
5. :mod:`~lanterne.population.stages.children` — the children's ages and activity,
   recent separations.
6. :mod:`~lanterne.population.stages.income` — resources, fitted so that every benefit a
   household receives is payable under OpenFisca-France's rules.
7. :mod:`~lanterne.population.stages.neighbourhood` — priority neighbourhoods (QPV).
8. :mod:`~lanterne.population.stages.records` — the benefit file's history and the
   12-month averages.

Every rule is vectorised; a chunk depends only on its random generator and its size. The
numbers of every stage are in the targets file's ``generator`` section, with their source
and status; legal amounts come from OpenFisca-France (``plan.law``).

Example:
    >>> from lanterne.population.plan import make_plan
    >>> from lanterne.population.targets import load_targets
    >>> plan = make_plan(load_targets("fr-caf-2023"))
    >>> chunk = draw_households(np.random.default_rng(1), 2000, plan)
    >>> abs(int(chunk["receives_rsa"].sum()) - 0.132 * 2000) <= 2  # the RSA target, 13.2 %
    True
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from lanterne.population.plan import Plan, make_plan
from lanterne.population.stages.activity import draw_activity
from lanterne.population.stages.benefits import draw_benefits, draw_housing_and_family_benefits
from lanterne.population.stages.children import draw_children
from lanterne.population.stages.housing import draw_housing
from lanterne.population.stages.income import draw_income
from lanterne.population.stages.neighbourhood import draw_neighbourhood
from lanterne.population.stages.people import draw_people
from lanterne.population.stages.records import draw_records

Array = NDArray
Stage = Callable[[np.random.Generator, int, dict[str, Array], Plan], None]

#: The stages in the order they run (names used by :func:`draw_until`).
STAGES: tuple[tuple[str, Stage], ...] = (
    ("people", draw_people),
    ("benefits", draw_benefits),
    ("activity", draw_activity),
    ("housing_benefit", draw_housing_and_family_benefits),
    ("housing", draw_housing),
    ("children", draw_children),
    ("income", draw_income),
    ("neighbourhood", draw_neighbourhood),
    ("records", draw_records),
)

#: Output column -> key of the stages' arrays.
OUTPUT: dict[str, str] = {
    "sex": "sex",
    "age_band": "age_band",
    "head_age": "head_age",
    "nationality": "nationality",
    "disability": "disability",
    "department": "department",
    "family_type": "family",
    "n_children": "children",
    "child_19_plus": "child_19_plus",
    "oldest_child_activity": "oldest_child_activity",
    "separated_recently": "separated",
    "head_activity": "head",
    "partner_activity": "partner",
    "months_worked_12m": "months_worked_12m",
    "income_monthly": "income",
    "income_changes_12m": "income_changes_12m",
    "housing_status": "status",
    "rent_monthly": "rent",
    "rent_changes_18m": "rent_changes_18m",
    "qpv": "qpv",
    "receives_rsa": "rsa",
    "receives_ppa": "ppa",
    "receives_housing_benefit": "housing",
    "receives_aah": "aah",
    "receives_af": "receives_af",
    "receives_cf": "cf",
    "avg_benefits_12m": "avg_benefits_12m",
    "avg_rsa_12m": "avg_rsa_12m",
    "avg_ppa_12m": "avg_ppa_12m",
    "avg_af_12m": "avg_af_12m",
    "avg_cf_12m": "avg_cf_12m",
    "months_since_last_control": "months_since_last_control",
    "contacts_12m": "contacts_12m",
    "legal_guardian": "legal_guardian",
    "overpayment_or_arrears_24m": "overpayment_or_arrears_24m",
    "alimony_declared_24m": "alimony_declared_24m",
}


def run_stages(
    rng: np.random.Generator, n: int, plan: Plan, last: str | None = None
) -> dict[str, Array]:
    """The arrays of every stage up to ``last`` included (all by default)."""
    d: dict[str, Array] = {}
    for name, stage in STAGES:
        stage(rng, n, d, plan)
        if name == last:
            break
    return d


def draw_until(last: str, n: int, seed: int = 1, targets: str = "fr-caf-2023") -> dict[str, Array]:
    """The arrays of the stages up to ``last`` (for testing a stage on its own)."""
    from lanterne.population.targets import load_targets

    if last not in dict(STAGES):
        raise KeyError(last)
    return run_stages(np.random.default_rng(seed), n, make_plan(load_targets(targets)), last)


def draw_households(rng: np.random.Generator, n: int, plan: Plan) -> dict[str, Array]:
    """``n`` synthetic households as NumPy arrays (category columns as integer codes)."""
    d = run_stages(rng, n, plan)
    return {column: d[key] for column, key in OUTPUT.items()}
