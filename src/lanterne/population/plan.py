"""What the generator draws, worked out once from the targets file (the "plan").

The generator reads the targets by id: their values set the quotas it deals out. This
module checks that every target and scale it needs is there and means what the generator
assumes (its condition), derives the conditional rates that make the joint structure add up
to the marginal targets (children of couples, sex of couples, age by family type through
iterative proportional fitting, the overseas weight), and reports any inconsistency with
the place in the file where it was found.

Example:
    >>> from lanterne.population.targets import load_targets
    >>> plan = make_plan(load_targets("fr-caf-2023"))
    >>> round(float(plan.age_given_family.sum(axis=1)[0]), 6)
    1.0
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from lanterne.errors import Problem, SpecError
from lanterne.i18n import Msg
from lanterne.population.law import Law, legal_parameters
from lanterne.population.numbers import Numbers
from lanterne.population.sampling import ipf
from lanterne.population.targets import PopulationTargets, canonical

# Categories the generator knows, in the order the French model specs declare them.
CATEGORIES: dict[str, tuple[str, ...]] = {
    "sex": ("female", "male"),
    "age_band": ("under_25", "25_34", "35_44", "45_54", "55_64", "65_plus"),
    "nationality": ("french", "eu", "non_eu"),
    "family_type": ("single", "couple", "single_parent", "couple_children"),
    "oldest_child_activity": (
        "no_child",
        "under_16",
        "pupil",
        "student",
        "apprentice",
        "employed",
        "no_activity",
    ),
    "head_activity": (
        "employed",
        "self_employed",
        "unemployed",
        "inactive",
        "student",
        "apprentice",
        "retired",
    ),
    "partner_activity": (
        "no_partner",
        "employed",
        "self_employed",
        "unemployed",
        "inactive",
        "student",
        "apprentice",
        "retired",
    ),
    "housing_status": ("tenant_social", "tenant_private", "owner", "hosted"),
}

OVERSEAS = ("971", "972", "973", "974")

#: Targets the generator reads, with the condition each must measure (``where``, ``among``).
REQUIRED_TARGETS: dict[str, tuple[str, str | None]] = {
    "households": ("true", None),
    "family-single": ("family_type == 'single'", None),
    "family-couple": ("family_type == 'couple'", None),
    "family-single-parent": ("family_type == 'single_parent'", None),
    "family-couple-children": ("family_type == 'couple_children'", None),
    "children-1": ("n_children == 1", None),
    "children-2": ("n_children == 2", None),
    "children-3": ("n_children == 3", None),
    "children-4-plus": ("n_children >= 4", None),
    "single-parents-1-child": ("n_children == 1", "family_type == 'single_parent'"),
    "single-parents-2-children": ("n_children == 2", "family_type == 'single_parent'"),
    "single-parents-3-children": ("n_children == 3", "family_type == 'single_parent'"),
    "single-parents-4-plus-children": ("n_children >= 4", "family_type == 'single_parent'"),
    "female-heads": ("sex == 'female'", None),
    "female-single-parents": ("sex == 'female'", "family_type == 'single_parent'"),
    "female-singles": ("sex == 'female'", "family_type == 'single'"),
    "male-rsa-singles": ("sex == 'male'", "receives_rsa and family_type == 'single'"),
    "female-rsa-single-parents": (
        "sex == 'female'",
        "receives_rsa and family_type == 'single_parent'",
    ),
    "age-under-25": ("age_band == 'under_25'", None),
    "age-25-34": ("age_band == '25_34'", None),
    "age-35-44": ("age_band == '35_44'", None),
    "age-45-54": ("age_band == '45_54'", None),
    "age-55-64": ("age_band == '55_64'", None),
    "age-65-plus": ("age_band == '65_plus'", None),
    "nationality-french": ("nationality == 'french'", None),
    "nationality-eu": ("nationality == 'eu'", None),
    "nationality-non-eu": ("nationality == 'non_eu'", None),
    "disability": ("disability", None),
    "overseas": ("department in ['971', '972', '973', '974']", None),
    "qpv": ("qpv", None),
    "qpv-single": ("family_type == 'single'", "qpv"),
    "qpv-single-parent": ("family_type == 'single_parent'", "qpv"),
    "qpv-couple-children": ("family_type == 'couple_children'", "qpv"),
    "qpv-housing-benefit": ("receives_housing_benefit", "qpv"),
    "qpv-rsa": ("receives_rsa", "qpv"),
    "qpv-ppa": ("receives_ppa", "qpv"),
    "qpv-aah": ("receives_aah", "qpv"),
    "qpv-social-housing": ("housing_status == 'tenant_social'", "qpv"),
    "rsa": ("receives_rsa", None),
    "ppa": ("receives_ppa", None),
    "housing-benefit": ("receives_housing_benefit", None),
    "aah": ("receives_aah", None),
    "cf": ("receives_cf", None),
    "rsa-single": ("family_type == 'single'", "receives_rsa"),
    "rsa-single-parent": ("family_type == 'single_parent'", "receives_rsa"),
    "rsa-couple": ("family_type == 'couple'", "receives_rsa"),
    "rsa-couple-children": ("family_type == 'couple_children'", "receives_rsa"),
    "ppa-single": ("family_type == 'single'", "receives_ppa"),
    "ppa-single-parent": ("family_type == 'single_parent'", "receives_ppa"),
    "ppa-couple": ("family_type == 'couple'", "receives_ppa"),
    "ppa-couple-children": ("family_type == 'couple_children'", "receives_ppa"),
    "aah-single": ("family_type == 'single'", "receives_aah"),
    "aah-couple": ("family_type == 'couple'", "receives_aah"),
    "aah-single-parent": ("family_type == 'single_parent'", "receives_aah"),
    "aah-couple-children": ("family_type == 'couple_children'", "receives_aah"),
    "rsa-with-ppa": ("receives_ppa", "receives_rsa"),
    "aah-with-ppa": ("receives_ppa", "receives_aah"),
    "housing-benefit-single-parents": (
        "receives_housing_benefit",
        "family_type == 'single_parent'",
    ),
    "housing-benefit-couple-children": (
        "receives_housing_benefit",
        "family_type == 'couple_children'",
    ),
    "rsa-active": (
        "head_activity in ['employed', 'self_employed', 'unemployed', 'apprentice']",
        "receives_rsa",
    ),
    "aah-employed": (
        "head_activity in ['employed', 'self_employed', 'apprentice']",
        "receives_aah",
    ),
    "students": ("head_activity == 'student'", None),
    "renters": ("housing_status in ['tenant_social', 'tenant_private']", None),
    "social-tenants": ("housing_status == 'tenant_social'", None),
    "hosted": ("housing_status == 'hosted'", None),
    "housing-benefit-renters": (
        "housing_status in ['tenant_social', 'tenant_private']",
        "receives_housing_benefit",
    ),
    "housing-benefit-social": ("housing_status == 'tenant_social'", "receives_housing_benefit"),
    "income-zero": ("income_monthly == 0", None),
    "income-above-2500": ("income_monthly > 2500", None),
}


@dataclass
class Plan:
    """Everything the generator needs, derived once from a targets file."""

    households: int
    target: dict[str, float]
    law: Law  # legal amounts and rates, from OpenFisca-France at the reference date
    numbers: Numbers  # the generator's own numbers (targets file, ``generator`` section)
    family: NDArray[np.float64]
    children_given_family: dict[int, NDArray[np.float64]]  # family code -> P(1, 2, 3, 4+)
    female_given_family: NDArray[np.float64]
    age_given_family: NDArray[np.float64]  # 4 x 6
    nationality: NDArray[np.float64]
    department_codes: tuple[str, ...]
    department_probs: NDArray[np.float64]
    overseas_codes: NDArray[np.int64]
    composition: dict[str, NDArray[np.float64]] = field(default_factory=dict)

    def __getitem__(self, target_id: str) -> float:
        return self.target[target_id]


def make_plan(targets: PopulationTargets, law: Law | None = None) -> Plan:
    """Check a targets file for generation and derive the plan; every problem at once.

    ``law`` (default: OpenFisca-France at the file's reference month) gives the legal
    amounts and rates.
    """
    problems: list[Problem] = []
    file = "populations/" + targets.id + ".yaml"

    def problem(fr: str, en: str, **params: object) -> None:
        problems.append(Problem(Msg(fr, en, **params), file=file))

    by_id = {t.id: t for t in targets.targets}
    for tid, (where, among) in REQUIRED_TARGETS.items():
        target = by_id.get(tid)
        if target is None:
            problem(
                "le générateur a besoin de la cible « {t} » ({w})",
                "the generator needs the target '{t}' ({w})",
                t=tid,
                w=where + (f" | {among}" if among else ""),
            )
        elif canonical(target.where) != canonical(where) or canonical(target.among) != canonical(
            among
        ):
            problem(
                "la cible « {t} » doit mesurer « {w} »{a} : le générateur la lit ainsi",
                "target '{t}' must measure '{w}'{a}: the generator reads it that way",
                t=tid,
                w=where,
                a=f" parmi « {among} »" if among else "",
            )
    if targets.departments is None:
        problem(
            "le générateur a besoin de la répartition « departments »",
            "the generator needs the 'departments' weights",
        )
    for column, expected in CATEGORIES.items():
        declared = targets.columns.get(column)
        if declared is None or declared.categories != expected:
            problem(
                "la variable « {c} » doit avoir les catégories {e} pour ce générateur",
                "variable '{c}' must have the categories {e} for this generator",
                c=column,
                e=", ".join(expected),
            )
    if problems:
        raise SpecError(problems)

    t = {tid: by_id[tid].value for tid in REQUIRED_TARGETS}

    def shares(ids: list[str], label: str, total: float = 1.0) -> NDArray[np.float64]:
        values = np.array([t[i] for i in ids])
        if abs(values.sum() - total) > 1e-6:
            problem(
                "les cibles {ids} doivent faire {tot} au total ({lab}), elles font {s}",
                "targets {ids} must add up to {tot} ({lab}); they add up to {s}",
                ids=", ".join(ids),
                tot=f"{total:g}",
                lab=label,
                s=f"{values.sum():.6g}",
            )
        return values

    family = shares(
        ["family-single", "family-couple", "family-single-parent", "family-couple-children"],
        "family",
    )
    with_children = family[2] + family[3]
    overall = shares(
        ["children-1", "children-2", "children-3", "children-4-plus"],
        "children",
        total=float(with_children),
    )
    single_parents = shares(
        [
            "single-parents-1-child",
            "single-parents-2-children",
            "single-parents-3-children",
            "single-parents-4-plus-children",
        ],
        "single parents",
    )
    couples = (overall - family[2] * single_parents) / max(family[3], 1e-12)
    if np.any(couples < -1e-9) or np.any(couples > 1 + 1e-9):
        problem(
            "les enfants des parents isolés ne sont pas compatibles avec la répartition des "
            "enfants de tous les foyers (il en faudrait une part négative chez les couples)",
            "the children of single parents do not fit the children of all households "
            "(couples would need a negative share)",
        )
    couples = np.clip(couples, 0, 1)

    female_couples = (
        t["female-heads"] - family[0] * t["female-singles"] - family[2] * t["female-single-parents"]
    ) / max(family[1] + family[3], 1e-12)
    if not 0 <= female_couples <= 1:
        problem(
            "la part de femmes ({f}) ne peut pas être atteinte avec les parts de femmes seules "
            "et de mères isolées",
            "the share of women ({f}) cannot be reached with the shares of single women and "
            "single mothers",
            f=t["female-heads"],
        )
        female_couples = float(np.clip(female_couples, 0, 1))
    ages = shares(
        ["age-under-25", "age-25-34", "age-35-44", "age-45-54", "age-55-64", "age-65-plus"],
        "age",
    )
    numbers = Numbers.of(targets)
    table = ipf(numbers.array("people.age_shape"), family, ages)
    age_given_family = table / np.maximum(table.sum(axis=1, keepdims=True), 1e-300)
    nationality = shares(
        ["nationality-french", "nationality-eu", "nationality-non-eu"], "nationality"
    )
    compositions = {
        name: shares([f"{name}-{f}" for f in suffixes], name)
        for name, suffixes in {
            "rsa": ["single", "couple", "single-parent", "couple-children"],
            "ppa": ["single", "couple", "single-parent", "couple-children"],
            "aah": ["single", "couple", "single-parent", "couple-children"],
        }.items()
    }
    for ids in (["qpv-single", "qpv-single-parent", "qpv-couple-children"],):
        if sum(t[i] for i in ids) > 1:
            problem(
                "les cibles {ids} dépassent 100 % des foyers en QPV",
                "targets {ids} exceed 100 % of QPV households",
                ids=", ".join(ids),
            )

    assert targets.departments is not None
    codes = tuple(targets.columns["department"].categories or ())
    population = np.array([targets.departments.population[c] for c in codes], dtype=np.float64)
    is_overseas = np.array([c in OVERSEAS for c in codes])
    share = t["overseas"]
    overseas_pop, mainland_pop = population[is_overseas].sum(), population[~is_overseas].sum()
    if not 0 < share < 1 or overseas_pop == 0:
        problem(
            "la cible « overseas » doit être comprise entre 0 et 1",
            "the 'overseas' target must be between 0 and 1",
        )
        factor = 1.0
    else:
        factor = share * mainland_pop / ((1 - share) * overseas_pop)
    weights = np.where(is_overseas, population * factor, population)
    if problems:
        raise SpecError(problems)
    return Plan(
        households=int(t["households"]),
        target=t,
        law=law or legal_parameters(targets.reference_date[:7]),
        numbers=numbers,
        family=family,
        children_given_family={2: single_parents, 3: couples / couples.sum()},
        female_given_family=np.array(
            [t["female-singles"], female_couples, t["female-single-parents"], female_couples]
        ),
        age_given_family=age_given_family,
        nationality=nationality,
        department_codes=codes,
        department_probs=weights / weights.sum(),
        overseas_codes=np.flatnonzero(is_overseas),
        composition=compositions,
    )
