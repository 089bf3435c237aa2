"""The synthetic population: determinism, coherence of the joint structure, calibration.

Coherence rules are checked with bounds computed here by hand from the legal amounts
OpenFisca-France gives at the reference date (not with the generator's own ``legal``
module), and calibration figures are recomputed with NumPy, independently of
``check_population``.
"""

from __future__ import annotations

import json

import numpy as np
import polars as pl
import pyarrow.parquet as pq
import pytest

from lanterne.errors import SpecError, UsageError
from lanterne.population import generate as gen
from lanterne.population.check import check_population
from lanterne.population.generate import generate_frame, generate_population, read_metadata
from lanterne.population.law import legal_parameters
from lanterne.population.targets import load_targets, load_targets_text

N = 60_000
SEED = 11
WORKERS = ("employed", "self_employed", "apprentice")
OVERSEAS = ("971", "972", "973", "974")


@pytest.fixture(scope="module")
def targets():
    return load_targets("fr-caf-2023")


MS = "prestations_sociales.solidarite_insertion.minima_sociaux."


@pytest.fixture(scope="module")
def law():
    return legal_parameters("2023-12")


@pytest.fixture(scope="module")
def pop(targets) -> pl.DataFrame:
    return generate_frame(N, seed=SEED, targets=targets)


@pytest.fixture(scope="module")
def arrays(pop) -> dict[str, np.ndarray]:
    return {
        name: (pop[name].cast(pl.String) if pop[name].dtype == pl.Enum else pop[name]).to_numpy()
        for name in pop.columns
    }


# ------------------------------------------------------------------------- determinism


def test_same_seed_same_rows_other_seed_other_rows(targets) -> None:
    a = generate_frame(3000, seed=5, targets=targets)
    b = generate_frame(3000, seed=5, targets=targets)
    c = generate_frame(3000, seed=6, targets=targets)
    assert a.equals(b)
    assert not a.equals(c)


def test_chunked_file_equals_in_memory_and_ignores_workers(monkeypatch, tmp_path, targets) -> None:
    monkeypatch.setattr(gen, "CHUNK_ROWS", 700)
    one = tmp_path / "one.parquet"
    two = tmp_path / "two.parquet"
    seen: list[int] = []
    info = generate_population(one, 2500, 9, targets, workers=1, progress=seen.append)
    generate_population(two, 2500, 9, targets, workers=2)
    assert seen == [700, 700, 700, 400]
    assert info.chunks == 4
    assert pq.ParquetFile(one).num_row_groups == 4
    first, second = pl.read_parquet(one), pl.read_parquet(two)
    assert first.equals(second)
    assert first.equals(generate_frame(2500, seed=9, targets=targets))
    assert first["household_id"].to_list() == list(range(1, 2501))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one.parquet", "two.parquet"]


def test_metadata_records_seed_size_and_targets(tmp_path, targets) -> None:
    path = tmp_path / "pop.parquet"
    generate_population(path, 1000, 42, targets)
    meta = read_metadata(path)
    assert meta is not None
    assert meta["seed"] == 42 and meta["households"] == 1000
    assert meta["targets"] == "fr-caf-2023" and meta["synthetic"] is True
    raw = pq.read_schema(path).metadata[b"lanterne"]
    assert json.loads(raw)["seed"] == 42


def test_tiny_populations_are_valid(targets) -> None:
    for n in (1, 7, 50):
        frame = generate_frame(n, seed=n, targets=targets)
        assert frame.height == n and frame.null_count().sum_horizontal().item() == 0


def test_bad_sizes_are_usage_errors(tmp_path, targets) -> None:
    with pytest.raises(UsageError):
        generate_population(tmp_path / "p.parquet", 0, 1, targets)
    with pytest.raises(UsageError):
        generate_population(tmp_path / "p.parquet", 10, -1, targets)
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------------- columns


def test_columns_serve_both_models_and_sensitive_attributes(pop) -> None:
    from lanterne.model import load_model

    for model_id in ("fr-cnaf-2014", "fr-cnaf-dmde-2026"):
        model = load_model(model_id)
        assert {v.name for v in model.spec.variables} <= set(pop.columns)
        scored = model.score(pop.head(2000))
        assert scored["score"].is_between(0, 1).all()
    for name in ("sex", "age_band", "nationality", "disability", "qpv", "department"):
        assert pop[name].null_count() == 0
    assert set(pop["nationality"].unique()) == {"french", "eu", "non_eu"}
    assert pop["household_id"].is_unique().all()


# ------------------------------------------------------------------------- coherence


def _multiplier(couple: np.ndarray, kids: np.ndarray) -> np.ndarray:
    """RSA / activity bonus household multiplier, by hand (article L262-2 CASF scale)."""
    extra = np.maximum(kids - 2, 0) * 0.4
    with_partner = 1.5 + 0.3 * np.minimum(kids, 2) + extra
    alone = 1 + 0.5 * (kids >= 1) + 0.3 * (kids >= 2) + extra
    return np.where(couple, with_partner, alone)


def test_family_structure_is_coherent(arrays) -> None:
    fam, kids = arrays["family_type"], arrays["n_children"]
    with_children = np.isin(fam, ["single_parent", "couple_children"])
    assert (kids[with_children] >= 1).all()
    assert (kids[~with_children] == 0).all()
    alone = np.isin(fam, ["single", "single_parent"])
    assert ((arrays["partner_activity"] == "no_partner") == alone).all()
    assert ((arrays["oldest_child_activity"] == "no_child") == (kids == 0)).all()
    assert (kids[arrays["child_19_plus"]] >= 1).all()


def test_age_matches_age_band(arrays) -> None:
    bounds = {
        "under_25": (16, 24),
        "25_34": (25, 34),
        "35_44": (35, 44),
        "45_54": (45, 54),
        "55_64": (55, 64),
        "65_plus": (65, 110),
    }
    for band, (low, high) in bounds.items():
        ages = arrays["head_age"][arrays["age_band"] == band]
        assert ages.size and low <= ages.min() and ages.max() <= high


def test_rsa_only_under_its_ceiling(arrays, law) -> None:
    rsa = arrays["receives_rsa"]
    couple = np.isin(arrays["family_type"], ["couple", "couple_children"])
    base = law[MS + "rsa.rsa_m.montant_de_base_du_rsa"]
    # the increased amount of single parents: 128.412 % + 42.804 % per child at most
    lone = arrays["family_type"] == "single_parent"
    increased = np.where(lone, 1.28412 + 0.42804 * arrays["n_children"], 0)
    ceiling = base * np.maximum(_multiplier(couple, arrays["n_children"]), increased)
    assert rsa.sum() > 1000
    assert (arrays["income_monthly"][rsa] < ceiling[rsa]).all()
    assert (arrays["avg_rsa_12m"][rsa] > 0).all() and (arrays["avg_rsa_12m"][~rsa] == 0).all()
    # Under 25 only as a parent (the young-active RSA is marginal).
    young = rsa & (arrays["head_age"] < 25)
    assert (arrays["n_children"][young] >= 1).all()


def test_activity_bonus_only_with_work_income_in_range(arrays, law) -> None:
    ppa = arrays["receives_ppa"]
    couple = np.isin(arrays["family_type"], ["couple", "couple_children"])
    works = np.isin(arrays["head_activity"], WORKERS) | np.isin(arrays["partner_activity"], WORKERS)
    assert ppa.sum() > 1000
    assert works[ppa].all()
    assert (arrays["months_worked_12m"][ppa] > 0).all()
    assert (arrays["income_monthly"][ppa] > 0).all()
    # Where the bonus vanishes: flat amount + 61 % of earnings + bonuses = resources.
    base = law[MS + "ppa.pa_m.montant_de_base"]
    rate = law[MS + "ppa.pa_m.majoration_ressources_revenus_activite"]
    bonuses = law[MS + "ppa.pa_m.bonification.taux_bonification_max"] * base * (1 + couple)
    lone = arrays["family_type"] == "single_parent"
    increased = np.where(lone, 1.28412 + 0.42804 * arrays["n_children"], 0)
    flat = base * np.maximum(_multiplier(couple, arrays["n_children"]), increased)
    # AAH counted as earnings adds at most the AAH's full amount to the resources
    aah = np.where(arrays["receives_aah"], 971.37, 0)
    top = (flat + bonuses) / (1 - rate) + aah
    assert (arrays["income_monthly"][ppa] < top[ppa]).all()
    assert (arrays["avg_ppa_12m"][ppa] > 0).all()


def test_family_allowances_need_two_children_except_overseas(arrays) -> None:
    af, kids = arrays["receives_af"], arrays["n_children"]
    overseas = np.isin(arrays["department"], OVERSEAS)
    assert ((kids[af] >= 2) | (overseas[af] & (kids[af] == 1))).all()
    # not means-tested: every family of two children or more under 20 (the eldest under 18)
    young = np.isin(arrays["oldest_child_activity"], ["under_16", "pupil"])
    assert af[(kids >= 2) & young].all()
    assert (kids[arrays["receives_cf"]] >= 3).all()
    assert (arrays["avg_af_12m"][~af] == 0).all()


def test_aah_with_disability_housing_benefit_mostly_renters(arrays) -> None:
    aah = arrays["receives_aah"]
    assert arrays["disability"][aah].all()
    assert (arrays["head_age"][aah] >= 20).all()
    hb = arrays["receives_housing_benefit"]
    renters = np.isin(arrays["housing_status"], ["tenant_social", "tenant_private"])
    assert renters[hb].mean() >= 0.9
    assert not (hb & (arrays["housing_status"] == "hosted")).any()
    assert (arrays["rent_monthly"][renters] > 0).all()
    assert (arrays["rent_monthly"][arrays["housing_status"] == "hosted"] == 0).all()


def test_single_parents_mostly_women(arrays) -> None:
    single_parents = arrays["family_type"] == "single_parent"
    assert (arrays["sex"][single_parents] == "female").mean() >= 0.75


def test_students_and_benefit_totals(arrays) -> None:
    student = arrays["head_activity"] == "student"
    assert not (student & arrays["receives_rsa"]).any()
    parts = sum(arrays[f"avg_{b}_12m"] for b in ("rsa", "ppa", "af", "cf"))
    assert (arrays["avg_benefits_12m"] + 0.02 >= parts).all()
    anything = (
        arrays["receives_rsa"]
        | arrays["receives_ppa"]
        | arrays["receives_aah"]
        | arrays["receives_af"]
        | arrays["receives_cf"]
        | arrays["receives_housing_benefit"]
    )
    # Benefit households: those without a modelled benefit are families with at most one
    # child under 20 (who may receive benefits the models do not read: young-child benefit,
    # family support...). An employed eldest is 20 (the rights module's convention): no
    # longer counted by family allowances.
    kids = arrays["n_children"].astype(int)
    under_20 = kids - (arrays["oldest_child_activity"] == "employed")
    assert (kids[~anything] >= 1).all()
    assert (under_20[~anything] <= 1).all()
    assert anything.mean() > 0.9


# ------------------------------------------------------------------------- calibration


def test_every_target_within_tolerance(pop, targets) -> None:
    report = check_population(pop, targets)
    assert report.n_households == N
    bad = [(c.target.id, c.expected, c.achieved) for c in report.failures]
    assert bad == []


def test_check_agrees_with_an_independent_count(pop, arrays, targets) -> None:
    report = {c.target.id: c for c in check_population(pop, targets).checks}
    rsa = arrays["receives_rsa"]
    assert report["rsa"].achieved == pytest.approx(rsa.mean())
    single_parent = arrays["family_type"] == "single_parent"
    women = arrays["sex"] == "female"
    assert report["female-single-parents"].achieved == pytest.approx(women[single_parent].mean())
    assert report["female-single-parents"].denominator == single_parent.sum()
    qpv = report["qpv"]
    assert qpv.achieved == arrays["qpv"].sum()
    assert qpv.expected == pytest.approx(targets.value("qpv") * N / 13_800_000)
    assert abs(qpv.achieved / qpv.expected - 1) <= 0.01
    rsa_single = report["rsa-single"]
    assert rsa_single.achieved == pytest.approx((arrays["family_type"][rsa] == "single").mean())


def test_check_flags_a_population_off_target(pop, targets) -> None:
    shifted = pop.with_columns(receives_rsa=pl.col("household_id") % 4 == 0)  # 25 % on RSA
    report = check_population(shifted, targets)
    failed = {c.target.id for c in report.failures}
    assert "rsa" in failed and not report.all_ok


def test_targets_file_problems_are_located(targets) -> None:
    from pathlib import Path

    text = Path("catalog/populations/fr-caf-2023.yaml").read_text(encoding="utf-8")
    broken = text.replace('where: "receives_rsa"', 'where: "receives_rsaa"', 1)
    assert broken != text
    with pytest.raises(SpecError) as info:
        load_targets_text(broken, "broken.yaml")
    problem = info.value.problems[0]
    assert problem.file == "broken.yaml" and problem.line is not None
    assert "receives_rsaa" in problem.render("en")


def test_docs_describe_every_column(targets) -> None:
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "population.md").read_text("utf-8")
    missing = [name for name in targets.columns if f"`{name}`" not in doc]
    assert missing == []
