"""The generator's categories come from the catalog declaration both French specs include.

The generator draws integer codes and names them by category; these tests check that the
categories it uses are the specs' own, in the same order, and that the names mean what they
say in a generated population (a single person has no partner and no child...), which
would fail if a code pointed at the wrong category.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from lanterne.errors import SpecError
from lanterne.model import load_model
from lanterne.population import codes
from lanterne.population.generate import generate_frame
from lanterne.population.plan import REQUIRED_TARGETS, make_plan
from lanterne.population.targets import load_targets
from lanterne.spec.include import load_variables

FRENCH = ("fr-cnaf-2014", "fr-cnaf-dmde-2026")


def test_generator_categories_are_those_of_the_included_declaration() -> None:
    declared = {v.name: v for v in load_variables(codes.VARIABLES_FILE)}
    for column, categories in codes.CATEGORIES.items():
        assert categories == tuple(declared[column].categories or ())
    for model_id in FRENCH:
        spec = load_model(model_id).spec
        for column, categories in codes.CATEGORIES.items():
            variable = spec.variable(column)
            if variable is not None:
                assert tuple(variable.categories or ()) == categories, (model_id, column)


def test_population_columns_carry_the_generator_categories() -> None:
    columns = load_targets("fr-caf-2023").columns
    for column, categories in codes.CATEGORIES.items():
        assert columns[column].categories == categories


def test_each_code_names_its_category() -> None:
    for name, mapping in {
        "sex": codes.SEX,
        "nationality": codes.NATIONALITY,
        "family_type": codes.FAMILY,
        "head_activity": codes.HEAD,
        "partner_activity": codes.PARTNER,
        "housing_status": codes.HOUSING,
        "oldest_child_activity": codes.CHILD,
    }.items():
        assert [codes.CATEGORIES[name][code] for code in mapping.values()] == list(mapping)
    assert codes.UNSET not in {c for m in (codes.HEAD, codes.PARTNER) for c in m.values()}


def test_targets_named_by_category_measure_that_category() -> None:
    for category in codes.CATEGORIES["family_type"]:
        slug = category.replace("_", "-")
        assert REQUIRED_TARGETS[f"family-{slug}"] == (f"family_type == '{category}'", None)
        assert REQUIRED_TARGETS[f"rsa-{slug}"] == (f"family_type == '{category}'", "receives_rsa")
    assert REQUIRED_TARGETS["age-65-plus"] == ("age_band == '65_plus'", None)
    assert REQUIRED_TARGETS["nationality-non-eu"] == ("nationality == 'non_eu'", None)


@pytest.fixture(scope="module")
def pop() -> pl.DataFrame:
    return generate_frame(4000, seed=5)


def test_generated_names_mean_what_they_say(pop: pl.DataFrame) -> None:
    def rows(condition: pl.Expr) -> pl.DataFrame:
        return pop.filter(condition)

    family = pl.col("family_type")
    for alone in ("single", "single_parent"):
        assert (rows(family == alone)["partner_activity"] == "no_partner").all()
    for couple in ("couple", "couple_children"):
        assert (rows(family == couple)["partner_activity"] != "no_partner").all()
    for childless in ("single", "couple"):
        part = rows(family == childless)
        assert (part["n_children"] == 0).all()
        assert (part["oldest_child_activity"] == "no_child").all()
    parents = rows(family.is_in(["single_parent", "couple_children"]))
    assert (parents["n_children"] >= 1).all()
    assert (parents["oldest_child_activity"] != "no_child").all()
    assert (rows(pl.col("housing_status") == "hosted")["rent_monthly"] == 0).all()
    assert (rows(pl.col("head_age") < 25)["age_band"] == "under_25").all()
    assert (rows(pl.col("head_age") >= 65)["age_band"] == "65_plus").all()
    # the female share of single parents is the target's, not the male one
    single_parents = rows(family == "single_parent")
    female = float(np.mean(single_parents["sex"].to_numpy() == "female"))
    target = load_targets("fr-caf-2023").value("female-single-parents")
    assert abs(female - target) < 0.03


# ------------------------------------------------------------- problems of a targets file


def with_values(targets, **changes):
    """A copy of ``targets`` with some targets changed (``{id: {field: value}}``) or
    removed (``{id: None}``)."""
    kept = []
    for target in targets.targets:
        change = changes.get(target.id.replace("-", "_"), {})
        if change is not None:
            kept.append(target.model_copy(update=change))
    return targets.model_copy(update={"targets": kept})


def plan_problems(targets) -> list[str]:
    with pytest.raises(SpecError) as info:
        make_plan(targets)
    return [p.message.render("en") for p in info.value.problems]


def test_shares_that_do_not_add_up_are_reported_all_at_once() -> None:
    targets = with_values(
        load_targets("fr-caf-2023"),
        nationality_eu={"value": 0.5},
        age_65_plus={"value": 0.5},
    )
    problems = plan_problems(targets)
    assert any("nationality-french, nationality-eu, nationality-non-eu" in p for p in problems)
    assert any("age-under-25" in p and "must add up to 1 (age)" in p for p in problems)


def test_a_missing_or_misread_target_is_named_with_its_condition() -> None:
    targets = with_values(
        load_targets("fr-caf-2023"),
        rsa_couple=None,
        family_single={"where": "family_type == 'couple'"},
    )
    problems = plan_problems(targets)
    assert (
        "the generator needs the target 'rsa-couple' (family_type == 'couple' | receives_rsa)"
        in (problems)
    )
    assert any(p.startswith("target 'family-single' must measure") for p in problems)


def test_a_share_of_women_out_of_reach_is_reported() -> None:
    targets = with_values(load_targets("fr-caf-2023"), female_heads={"value": 0.99})
    assert any("share of women (0.99) cannot be reached" in p for p in plan_problems(targets))
