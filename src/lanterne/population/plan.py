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
from lanterne.population.codes import CATEGORIES, FAMILY, by_code
from lanterne.population.law import Law, legal_parameters
from lanterne.population.numbers import Numbers
from lanterne.population.sampling import ipf
from lanterne.population.targets import PopulationTargets, canonical

OVERSEAS = ("971", "972", "973", "974")


def _each(
    prefix: str, column: str, among: str | None = None, only: tuple[str, ...] | None = None
) -> dict[str, tuple[str, str | None]]:
    """A target per category of ``column``: ``family-single_parent`` reads as
    ``family-single-parent`` measuring ``family_type == 'single_parent'``."""
    return {
        f"{prefix}-{category.replace('_', '-')}": (f"{column} == '{category}'", among)
        for category in CATEGORIES[column]
        if only is None or category in only
    }


#: Targets the generator reads, with the condition each must measure (``where``, ``among``).
REQUIRED_TARGETS: dict[str, tuple[str, str | None]] = {
    "households": ("true", None),
    **_each("family", "family_type"),
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
    **_each("age", "age_band"),
    **_each("nationality", "nationality"),
    "disability": ("disability", None),
    "overseas": ("department in [" + ", ".join(f"'{d}'" for d in OVERSEAS) + "]", None),
    "qpv": ("qpv", None),
    **_each("qpv", "family_type", "qpv", only=("single", "single_parent", "couple_children")),
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
    **_each("rsa", "family_type", "receives_rsa"),
    **_each("ppa", "family_type", "receives_ppa"),
    **_each("aah", "family_type", "receives_aah"),
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
    derive = _Derivation(targets)
    derive.check_file()
    derive.raise_problems()
    t = derive.t
    family, children = derive.family_and_children()
    numbers = Numbers.of(targets)
    ages = derive.shares(_ids("age", "age_band"), "age")
    nationality = derive.shares(_ids("nationality", "nationality"), "nationality")
    table = ipf(numbers.array("people.age_shape"), family, ages)
    compositions = {
        name: derive.shares(_ids(name, "family_type"), name) for name in ("rsa", "ppa", "aah")
    }
    derive.check_qpv()
    female_couples = derive.female_couples(family)
    codes, weights, is_overseas = derive.departments()
    derive.raise_problems()
    return Plan(
        households=int(t["households"]),
        target=t,
        law=law or legal_parameters(targets.reference_date[:7]),
        numbers=numbers,
        family=family,
        children_given_family=children,
        female_given_family=np.array(
            by_code(
                "family_type",
                single=t["female-singles"],
                couple=female_couples,
                single_parent=t["female-single-parents"],
                couple_children=female_couples,
            )
        ),
        age_given_family=table / np.maximum(table.sum(axis=1, keepdims=True), 1e-300),
        nationality=nationality,
        department_codes=codes,
        department_probs=weights / weights.sum(),
        overseas_codes=np.flatnonzero(is_overseas),
        composition=compositions,
    )


def _ids(prefix: str, column: str) -> list[str]:
    """The ids of the targets :func:`_each` names for every category of ``column``."""
    return list(_each(prefix, column))


class _Derivation:
    """The steps of :func:`make_plan`, collecting the problems of a targets file."""

    def __init__(self, targets: PopulationTargets) -> None:
        self.targets = targets
        self.file = "populations/" + targets.id + ".yaml"
        self.problems: list[Problem] = []
        self.by_id = {target.id: target for target in targets.targets}
        self.t: dict[str, float] = {}

    def problem(self, fr: str, en: str, **params: object) -> None:
        self.problems.append(Problem(Msg(fr, en, **params), file=self.file))

    def raise_problems(self) -> None:
        if self.problems:
            raise SpecError(self.problems)

    def check_file(self) -> None:
        """Every target, scale and category the generator reads is there, as it reads it."""
        for tid, (where, among) in REQUIRED_TARGETS.items():
            target = self.by_id.get(tid)
            if target is None:
                self.problem(
                    "le générateur a besoin de la cible « {t} » ({w})",
                    "the generator needs the target '{t}' ({w})",
                    t=tid,
                    w=where + (f" | {among}" if among else ""),
                )
            elif (canonical(target.where), canonical(target.among)) != (
                canonical(where),
                canonical(among),
            ):
                self.problem(
                    "la cible « {t} » doit mesurer « {w} »{a} : le générateur la lit ainsi",
                    "target '{t}' must measure '{w}'{a}: the generator reads it that way",
                    t=tid,
                    w=where,
                    a=f" parmi « {among} »" if among else "",
                )
        if self.targets.departments is None:
            self.problem(
                "le générateur a besoin de la répartition « departments »",
                "the generator needs the 'departments' weights",
            )
        for column, expected in CATEGORIES.items():
            declared = self.targets.columns.get(column)
            if declared is None or declared.categories != expected:
                self.problem(
                    "la variable « {c} » doit avoir les catégories {e} pour ce générateur",
                    "variable '{c}' must have the categories {e} for this generator",
                    c=column,
                    e=", ".join(expected),
                )
        if not self.problems:
            self.t = {tid: self.by_id[tid].value for tid in REQUIRED_TARGETS}

    def shares(self, ids: list[str], label: str, total: float = 1.0) -> NDArray[np.float64]:
        """The values of ``ids``, which must add up to ``total``."""
        values = np.array([self.t[i] for i in ids])
        if abs(values.sum() - total) > 1e-6:
            self.problem(
                "les cibles {ids} doivent faire {tot} au total ({lab}), elles font {s}",
                "targets {ids} must add up to {tot} ({lab}); they add up to {s}",
                ids=", ".join(ids),
                tot=f"{total:g}",
                lab=label,
                s=f"{values.sum():.6g}",
            )
        return values

    def family_and_children(
        self,
    ) -> tuple[NDArray[np.float64], dict[int, NDArray[np.float64]]]:
        """Family types, and the number of children (1, 2, 3, 4+) of each type with some."""
        family = self.shares(_ids("family", "family_type"), "family")
        single_parent, couple_children = FAMILY["single_parent"], FAMILY["couple_children"]
        overall = self.shares(
            ["children-1", "children-2", "children-3", "children-4-plus"],
            "children",
            total=float(family[single_parent] + family[couple_children]),
        )
        single_parents = self.shares(
            [
                "single-parents-1-child",
                "single-parents-2-children",
                "single-parents-3-children",
                "single-parents-4-plus-children",
            ],
            "single parents",
        )
        couples = (overall - family[single_parent] * single_parents) / max(
            family[couple_children], 1e-12
        )
        if np.any(couples < -1e-9) or np.any(couples > 1 + 1e-9):
            self.problem(
                "les enfants des parents isolés ne sont pas compatibles avec la répartition "
                "des enfants de tous les foyers (il en faudrait une part négative chez les "
                "couples)",
                "the children of single parents do not fit the children of all households "
                "(couples would need a negative share)",
            )
        couples = np.clip(couples, 0, 1)
        return family, {single_parent: single_parents, couple_children: couples / couples.sum()}

    def female_couples(self, family: NDArray[np.float64]) -> float:
        """Share of women heading a couple, so that all heads reach the women's target."""
        t = self.t
        singles = family[FAMILY["single"]] * t["female-singles"]
        single_parents = family[FAMILY["single_parent"]] * t["female-single-parents"]
        couples = family[FAMILY["couple"]] + family[FAMILY["couple_children"]]
        share = (t["female-heads"] - singles - single_parents) / max(couples, 1e-12)
        if not 0 <= share <= 1:
            self.problem(
                "la part de femmes ({f}) ne peut pas être atteinte avec les parts de femmes "
                "seules et de mères isolées",
                "the share of women ({f}) cannot be reached with the shares of single women "
                "and single mothers",
                f=t["female-heads"],
            )
            share = float(np.clip(share, 0, 1))
        return share

    def check_qpv(self) -> None:
        ids = list(
            _each("qpv", "family_type", "qpv", only=("single", "single_parent", "couple_children"))
        )
        if sum(self.t[i] for i in ids) > 1:
            self.problem(
                "les cibles {ids} dépassent 100 % des foyers en QPV",
                "targets {ids} exceed 100 % of QPV households",
                ids=", ".join(ids),
            )

    def departments(self) -> tuple[tuple[str, ...], NDArray[np.float64], NDArray[np.bool_]]:
        """Département codes, their weights (overseas scaled to its target), overseas flags."""
        departments = self.targets.departments
        assert departments is not None
        codes = tuple(self.targets.columns["department"].categories or ())
        population = np.array([departments.population[c] for c in codes], dtype=np.float64)
        is_overseas = np.array([c in OVERSEAS for c in codes])
        share = self.t["overseas"]
        overseas_pop, mainland_pop = population[is_overseas].sum(), population[~is_overseas].sum()
        if not 0 < share < 1 or overseas_pop == 0:
            self.problem(
                "la cible « overseas » doit être comprise entre 0 et 1",
                "the 'overseas' target must be between 0 and 1",
            )
            factor = 1.0
        else:
            factor = share * mainland_pop / ((1 - share) * overseas_pop)
        return codes, np.where(is_overseas, population * factor, population), is_overseas
