"""The synthetic population obeys the law: amounts checked against OpenFisca-France itself,
legal amounts read from it (never copied into the catalog), every other number of the
generator in the catalog with a source and a status, and each stage on its own.

OpenFisca-France takes a few seconds to load: one tax-benefit system serves the whole
test session (``lanterne.rights.simulate.tax_benefit_system`` is cached per process).
"""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import numpy as np
import polars as pl
import pytest
import yaml

from lanterne.catalog import catalog_dir
from lanterne.population import legal
from lanterne.population.generate import generate_frame, generate_population, read_metadata
from lanterne.population.households import STAGES, draw_households, draw_until
from lanterne.population.law import Law, all_parameters, legal_parameters, openfisca_version
from lanterne.population.openfisca_check import (
    COMPARED,
    GOAL_AGREEMENT,
    GOAL_MEDIAN_GAP,
    openfisca_check,
)
from lanterne.population.plan import make_plan
from lanterne.population.targets import load_targets
from lanterne.provenance import TARGET_STATUSES

MONTH = "2023-12"
STAGES_DIR = Path(legal.__file__).parent / "stages"


@pytest.fixture(scope="module")
def law() -> Law:
    return legal_parameters(MONTH)


@pytest.fixture(scope="module")
def targets():
    return load_targets("fr-caf-2023")


@pytest.fixture(scope="module")
def sample() -> pl.DataFrame:
    return generate_frame(4000, seed=21)


# --------------------------------------------------------------- the check against OpenFisca


@pytest.fixture(scope="module")
def report(sample):
    return openfisca_check(sample, MONTH, n=600, seed=3)


def test_openfisca_check_meets_its_goals_on_a_seeded_sample(report) -> None:
    assert report.version == openfisca_version() and report.period == MONTH
    assert set(report.benefits) == set(COMPARED)
    for name, b in report.benefits.items():
        assert b.compared == 600, name
        assert b.both_eligible >= 20, name  # enough eligible households to mean something
        assert b.eligibility_agreement >= GOAL_AGREEMENT, (name, b.worst)
        assert b.median_rel_gap <= GOAL_MEDIAN_GAP, (name, b.worst)


def test_openfisca_check_json_contract(report) -> None:
    out = report.to_dict()
    assert out["version"] == report.version and out["period"] == MONTH
    for name in ("rsa", "ppa", "aide_logement", "aah", "af"):
        entry = out["benefits"][name]
        assert set(entry) == {"compared", "eligibility_agreement", "median_rel_gap", "p95_rel_gap"}
        assert isinstance(entry["compared"], int)
        assert all(isinstance(entry[k], float) for k in entry if k != "compared")


def test_openfisca_check_catches_a_wrong_amount(sample, law) -> None:
    """The check can fail: a RSA 5 % too high and a wrong bonus threshold show up."""
    values = dict(law.values)
    values[legal.RSA + "rsa_m.montant_de_base_du_rsa"] *= 1.05
    values[legal.PPA + "pa_m.bonification.seuil_max_bonification"] = 95.0  # the old copy
    wrong = dataclasses.replace(law, values=values)
    bad = openfisca_check(sample, MONTH, n=300, seed=3, law=wrong)
    assert bad.benefits["rsa"].median_rel_gap > GOAL_MEDIAN_GAP
    assert bad.benefits["ppa"].median_rel_gap > GOAL_MEDIAN_GAP
    assert not bad.all_ok


def test_fast_rsa_by_hand() -> None:
    """A single person with no resources, housed free: 607.75 € less the 12 % flat rate."""
    from lanterne.rights.inputs import derive_situations

    frame = pl.DataFrame(
        {
            "family_type": ["single", "couple_children"],
            "n_children": [0, 2],
            "head_age": [40, 40],
            "head_activity": ["inactive", "inactive"],
            "partner_activity": ["no_partner", "inactive"],
            "income_monthly": [0.0, 0.0],
            "housing_status": ["hosted", "hosted"],
        }
    )
    out = legal.benefits(legal.from_situations(derive_situations(frame)), legal_parameters(MONTH))
    base = 607.75  # décret n° 2023-... : montant forfaitaire au 1er avril 2023
    assert out["rsa"][0] == pytest.approx(round(base * (1 - 0.12), 2), abs=0.01)
    # couple + 2 children: 2.1 × base, less the flat rate 16.5 % × 1.8 × base, less the
    # family allowances for two children (32 % of the BMAF, 445.93 €)
    af = round(0.32 * 445.93, 2)
    expected = 2.1 * base - 0.165 * 1.8 * base - af
    assert out["af"][1] == pytest.approx(af, abs=0.01)
    assert out["rsa"][1] == pytest.approx(expected, abs=0.02)


# --------------------------------------------------------------- the law is read, not copied


def _numbers(value, path: str):
    if isinstance(value, bool):
        return
    if isinstance(value, int | float):
        yield path, float(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _numbers(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _numbers(item, f"{path}[{i}]")


def _distinctive(x: float) -> bool:
    """A value precise enough (three significant digits or more: 607.75, 0.165, 5932)
    that an equal legal parameter would not be a coincidence.

    >>> [_distinctive(x) for x in (0.22, 0.002, 18, 9000, 0.165, 607.75, 5932)]
    [False, False, False, False, True, True, True]
    """
    digits = f"{abs(x):.10g}".replace(".", "").lstrip("0").rstrip("0")
    return len(digits) >= 3


def _benefit_parameters() -> dict[str, float]:
    # the benefits' and the minimum wage's parameters: what a population file could copy
    # (the whole tree holds thousands of tax rates where any 0.15 or 1.15 has a twin)
    return {
        k: v
        for k, v in all_parameters(MONTH).items()
        if k.startswith(("prestations_sociales.", "marche_travail.salaire_minimum."))
    }


def _duplicates(data: dict, parameters: dict[str, float]) -> list[str]:
    """Numbers of a population file that copy a legal parameter (by value or by name)."""
    legal_values = {round(v, 6) for v in parameters.values()}
    # names of the benefit parameters the generator reads (generic words like "paris" or
    # "base" are everywhere in the whole tree)
    legal_names = {name.rsplit(".", 1)[-1] for name in legal_parameters(MONTH).values}
    legal_names -= {"base", "taux", "min", "max", "montant"}
    found = [] if "scales" not in data else ["scales"]
    for name, entry in (data.get("generator") or {}).items():
        for path, x in _numbers(entry["value"], name):
            leaf = path.rsplit(".", 1)[-1].split("[")[0]
            if _distinctive(x) and (leaf in legal_names or round(x, 6) in legal_values):
                found.append(path)
    for target in data.get("targets", []):
        x = float(target["value"])
        if _distinctive(x) and x > 1 and round(x, 6) in legal_values:
            found.append(target["id"])
    return found


def test_no_legal_amount_in_the_catalog_duplicates_an_openfisca_parameter() -> None:
    parameters = _benefit_parameters()
    assert len(parameters) > 900  # the whole benefits tree was walked
    files = sorted((catalog_dir() / "populations").glob("*.yaml"))
    assert files
    for file in files:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
        assert _duplicates(data, parameters) == [], file.name


def test_a_copied_legal_amount_would_be_caught() -> None:
    parameters = _benefit_parameters()
    copied = {
        "generator": {
            "income.rsa": {"value": {"montant_de_base_du_rsa": 607.75}},
            "income.bonus": {"value": {"seuil_max_bonification": 95.0, "rate": 0.29101}},
        },
        "scales": {},
    }
    assert _duplicates(copied, parameters) == [
        "scales",
        "income.rsa.montant_de_base_du_rsa",
        "income.bonus.rate",
    ]


def test_the_old_wrong_copy_would_be_caught() -> None:
    """The hand-copied 95 hours of the activity bonus is not OpenFisca's 120 hours."""
    law = legal_parameters(MONTH)
    assert law[legal.PPA + "pa_m.bonification.seuil_max_bonification"] == 120
    assert _distinctive(635.71) and round(607.75, 6) in {
        round(v, 6) for v in all_parameters(MONTH).values()
    }


def test_population_records_the_law_it_used(tmp_path) -> None:
    path = tmp_path / "p.parquet"
    generate_population(path, 500, seed=4, workers=1)
    meta = read_metadata(path)
    assert meta["openfisca_france_version"] == openfisca_version()
    assert meta["legal_date"] == "2023-12-01"
    assert meta["legal_parameters"] > 200


# --------------------------------------------------------------- the generator's numbers


def test_every_number_the_generator_reads_has_a_source_and_a_status(targets) -> None:
    plan = make_plan(targets)
    plan.numbers.recording = True
    draw_households(np.random.default_rng(5), 3000, plan)
    used = plan.numbers.used | {"people.age_shape"}  # read by the plan itself
    declared = set(targets.generator)
    assert used == declared, (declared - used, used - declared)
    sources = {s.id for s in targets.sources}
    for name, number in targets.generator.items():
        assert number.status in TARGET_STATUSES, name
        assert number.source in sources, name
        assert number.label.fr and number.label.en, name
        if number.status != "assumption":
            assert number.source != "lanterne", name


#: Numbers a stage may write inline: structure, not figures from the outside world.
STRUCTURAL = {0, 1, 2, 3, 4, 12, 1e-9}


def test_stages_hold_no_bare_numbers() -> None:
    """Outside named module constants, the stages only hold structural numbers."""
    found = []
    for path in sorted(STAGES_DIR.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {
            id(node)
            for stmt in tree.body
            if isinstance(stmt, ast.Assign)
            and all(
                all(
                    isinstance(n, ast.Name) and n.id.isupper()
                    for n in ast.walk(t)
                    if isinstance(n, ast.Name)
                )
                for t in stmt.targets
            )
            for node in ast.walk(stmt)
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, int | float)
                and not isinstance(node.value, bool)
                and node.value not in STRUCTURAL
                and id(node) not in constants
            ):
                found.append(f"{path.name}:{node.lineno}: {node.value}")
    assert found == []


def test_stages_are_small() -> None:
    for path in sorted(STAGES_DIR.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                assert node.end_lineno - node.lineno < 150, (path.name, node.name)


# --------------------------------------------------------------- each stage on its own


@pytest.fixture(scope="module")
def staged() -> dict[str, np.ndarray]:
    return draw_until("records", 6000, seed=8)


def test_stage_people_deals_the_family_quotas(targets) -> None:
    d = draw_until("people", 5000, seed=2)
    shares = np.bincount(d["family"], minlength=4) / 5000
    expected = [
        targets.value(t)
        for t in (
            "family-single",
            "family-couple",
            "family-single-parent",
            "family-couple-children",
        )
    ]
    assert np.allclose(shares, expected, atol=1 / 5000 + 1e-9)
    assert d["head_age"].min() >= 18 and d["head_age"].max() <= 95
    assert set(d) == {
        "family",
        "children",
        "sex",
        "age_band",
        "head_age",
        "nationality",
        "department",
        "overseas",
    }


def test_stage_benefits_respects_the_legal_conditions(staged, law) -> None:
    age, childless = staged["head_age"], staged["children"] == 0
    aspa_age = law["prestations_sociales.solidarite_insertion.minimum_vieillesse.aspa.age_min"]
    assert not (staged["aah"] & (age < law[legal.AAH + "age_minimal"])).any()
    assert not (staged["rsa"] & (age >= aspa_age)).any()
    assert not (staged["rsa"] & childless & (age < 25)).any()
    assert not (staged["ppa"] & (age >= aspa_age) & ~staged["rsa"] & ~staged["aah"]).any()
    assert not (staged["rsa"] & staged["aah"]).any()
    assert not (staged["cf"] & staged["overseas"]).any()


def test_stage_activity_puts_someone_at_work_for_the_activity_bonus(staged) -> None:
    assert (staged["head_works"] | staged["partner_works"])[staged["ppa"]].all()
    assert (staged["head"] != 255).all() and (staged["partner"] != 255).all()


def test_stage_housing_rents(staged) -> None:
    rent, status = staged["rent"], staged["status"]
    assert (rent[status == 3] == 0).all()  # hosted
    assert (rent[status <= 1] > 0).all()  # tenants
    assert rent.max() <= 9000


def test_stage_children_ages_are_those_the_rights_module_gives_openfisca(staged) -> None:
    """A second implementation: the ages derive_situations sets for the same households."""
    from lanterne.population.codes import CATEGORIES
    from lanterne.rights.inputs import CHILD, derive_situations

    n = 400
    frame = pl.DataFrame(
        {
            "family_type": np.array(CATEGORIES["family_type"])[staged["family"][:n]],
            "n_children": staged["children"][:n].astype(int),
            "head_age": staged["head_age"][:n],
            "head_activity": ["inactive"] * n,
            "income_monthly": [0.0] * n,
            "housing_status": ["hosted"] * n,
            "oldest_child_activity": np.array(CATEGORIES["oldest_child_activity"])[
                staged["oldest_child_activity"][:n]
            ],
        }
    )
    s = derive_situations(frame)
    kids = s.role == CHILD
    for i in range(n):
        theirs = sorted(s.age[kids & (s.household == i)].tolist(), reverse=True)
        mine = [a for a in staged["child_ages"][i].tolist() if a >= 0]
        assert mine == theirs, i


def test_stage_income_makes_every_benefit_received_payable(staged) -> None:
    a = staged["amounts"]
    for flag, key in (
        ("rsa", "rsa"),
        ("ppa", "ppa"),
        ("aah", "aah"),
        ("housing", "aide_logement"),
        ("cf", "cf"),
    ):
        assert (a[key][staged[flag]] > 0).all(), flag
        assert staged[flag].sum() > 50, flag


def test_stage_records_averages_only_for_benefits_received(staged) -> None:
    assert (staged["avg_rsa_12m"][~staged["rsa"]] == 0).all()
    assert (staged["avg_rsa_12m"][staged["rsa"]] > 0).all()
    assert (staged["avg_rsa_12m"] <= staged["amounts"]["rsa"] + 0.01).all()
    assert (staged["disability"] >= staged["aah"]).all()


def test_stage_names_are_the_documented_ones() -> None:
    assert [name for name, _ in STAGES] == [
        "people",
        "benefits",
        "activity",
        "housing_benefit",
        "housing",
        "children",
        "income",
        "neighbourhood",
        "records",
    ]
    with pytest.raises(KeyError):
        draw_until("nothing", 10)


# --------------------------------------------------------------- the report's provenance box


def test_provenance_box_counts_the_population_numbers_by_status(tmp_path, targets) -> None:
    from lanterne.report.provenance_box import population_box

    raw = yaml.safe_load((catalog_dir() / "populations" / "fr-caf-2023.yaml").read_text("utf-8"))
    by_status: dict[str, int] = {}
    for entry in raw["generator"].values():
        count = sum(1 for _ in _numbers(entry["value"], "x"))
        by_status[entry["status"]] = by_status.get(entry["status"], 0) + count
    departments = raw["departments"]
    status = departments["status"]
    by_status[status] = by_status.get(status, 0) + len(departments["population"])
    assert targets.generator_status_counts() == {s: by_status.get(s, 0) for s in TARGET_STATUSES}

    path = tmp_path / "p.parquet"
    generate_population(path, 300, seed=2, workers=1)
    box = population_box(path, 300, "en")
    text = " ".join(box.paragraphs)
    total = sum(by_status.values())
    assert f"and {total} generator numbers" in text
    assert f"{by_status['assumption']} assumption" in text
    assert f"OpenFisca-France {openfisca_version()} (rules as of 1 December 2023)" in text
    fr = " ".join(population_box(path, 300, "fr").paragraphs)
    assert f"{total} nombres du générateur" in fr
