"""The family benefits and the health cover of the one-household rights check, against the
rules the catalog states (one OpenFisca simulation for every case)."""

from __future__ import annotations

import polars as pl
import pytest

from lanterne.rights.catalog import load_rights_catalog
from lanterne.rights.inputs import derive_situations
from lanterne.rights.simulate import BENEFITS, FAMILY_BENEFITS, default_month, simulate

CASES = {
    # single parent, no income, 1 / 2 / 3 children (the eldest 10, then 8, 6)
    "one_child": {"family_type": "single_parent", "n_children": 1},
    "two_children": {"family_type": "single_parent", "n_children": 2},
    "three_children": {"family_type": "single_parent", "n_children": 3},
    # a couple with two children and two good wages
    "couple_rich": {
        "family_type": "couple_children",
        "n_children": 2,
        "head_activity": "employed",
        "partner_activity": "employed",
        "income_monthly": 9000.0,
    },
}


@pytest.fixture(scope="module")
def amounts() -> dict[str, dict[str, float]]:
    rows = []
    for case in CASES.values():
        rows.append(
            {
                "family_type": case["family_type"],
                "n_children": case["n_children"],
                "head_age": 35,
                "head_activity": case.get("head_activity", "unemployed"),
                "partner_activity": case.get("partner_activity", "no_partner"),
                "income_monthly": case.get("income_monthly", 0.0),
                "housing_status": "tenant_social",
                "rent_monthly": 450.0,
                "oldest_child_activity": "under_16",
            }
        )
    out = simulate(
        derive_situations(pl.DataFrame(rows)), "2025-06", {**BENEFITS, **FAMILY_BENEFITS}
    )
    return {name: {k: float(v[i]) for k, v in out.items()} for i, name in enumerate(CASES)}


def test_family_allowances_start_at_the_second_child(amounts) -> None:
    assert amounts["one_child"]["af"] == 0
    assert amounts["two_children"]["af"] > 0
    assert amounts["three_children"]["af"] > amounts["two_children"]["af"]


def test_family_supplement_needs_three_children(amounts) -> None:
    assert amounts["two_children"]["cf"] == 0
    assert amounts["three_children"]["cf"] > 0


def test_family_support_allowance_is_per_child_for_a_lone_parent(amounts) -> None:
    one, two = amounts["one_child"]["asf"], amounts["two_children"]["asf"]
    assert one > 0 and two == pytest.approx(2 * one, abs=0.02)
    assert amounts["couple_rich"]["asf"] == 0  # a couple: no ASF


def test_health_cover_is_free_without_income_and_not_for_high_wages(amounts) -> None:
    assert amounts["two_children"]["css_free"] == 1.0
    assert amounts["couple_rich"]["css_free"] == 0.0
    assert amounts["couple_rich"]["css_paid"] == 0.0


def test_every_benefit_of_the_page_has_its_official_page_and_source() -> None:
    catalog = load_rights_catalog()
    everything = {**catalog.benefits, **catalog.family_benefits}
    assert set(everything) == {"rsa", "ppa", "housing", "aah", "asf", "af", "cf", "css"}
    for benefit in everything.values():
        assert benefit.apply is not None
        assert benefit.apply.url.startswith(
            "https://www.service-public.fr/particuliers/vosdroits/F"
        )
        assert catalog.source(benefit.apply.source).url
        assert catalog.source(benefit.nonrecours.source).title


def test_default_month_is_the_current_month() -> None:
    import datetime as dt

    today = dt.datetime.now(dt.UTC).date()
    assert default_month() == f"{today.year:04d}-{today.month:02d}"
