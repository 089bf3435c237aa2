"""Rights with OpenFisca-France: hand-worked households, take-up calibration, audit vs pandas.

OpenFisca builds are slow: every household of the module is simulated once, in one chunk,
by the module-scoped fixture ``rights``.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import polars as pl
import pytest

from lanterne.errors import DataError, UsageError
from lanterne.rights.audit import nonrecours_table, spearman
from lanterne.rights.catalog import load_rights_catalog
from lanterne.rights.compute import compute_rights
from lanterne.rights.inputs import derive_situations
from lanterne.rights.takeup import draw_takeup, nonrecours_probability, uniform_draws

MONTH = "2025-06"
BASE = {
    "family_type": "single",
    "n_children": 0,
    "head_age": 40,
    "head_activity": "inactive",
    "partner_activity": "no_partner",
    "income_monthly": 0.0,
    "housing_status": "hosted",
    "rent_monthly": 0.0,
    "department": "59",
    "nationality": "french",
    "disability": False,
    "receives_aah": False,
    "oldest_child_activity": "no_child",
    "separated_recently": False,
}
HOUSEHOLDS = {
    # single, no income, hosted free: base amount less the 12 % housing flat rate
    "hosted": {"housing_status": "hosted"},
    # 3. couple, one wage of 1 500 €: activity bonus, no RSA
    "couple_wage": {
        "family_type": "couple",
        "head_activity": "employed",
        "partner_activity": "inactive",
        "income_monthly": 1500.0,
        "housing_status": "tenant_private",
        "rent_monthly": 600.0,
    },
    # 4. well-paid single owner: nothing
    "rich": {"head_activity": "employed", "income_monthly": 4500.0, "housing_status": "owner"},
    # 5. 24-year-old without a child: no RSA (age condition)
    "young": {"head_age": 24},
    # 6. single tenant without income in the private sector: housing benefit
    "tenant": {"housing_status": "tenant_private", "rent_monthly": 500.0},
    # 7. AAH recipient at 80 %, no income
    "aah": {
        "disability": True,
        "receives_aah": True,
        "housing_status": "tenant_social",
        "rent_monthly": 400.0,
    },
    # 8. student
    "student": {"head_age": 30, "head_activity": "student"},
}


def _frame(households: dict[str, dict]) -> pl.DataFrame:
    rows = [
        {**BASE, **values, "household_id": i + 1} for i, values in enumerate(households.values())
    ]
    return pl.DataFrame(rows)


@pytest.fixture(scope="module")
def rights() -> dict[str, dict]:
    frame = _frame(HOUSEHOLDS)
    out = compute_rights(frame, MONTH, progress=False)
    return dict(zip(HOUSEHOLDS, out.to_dicts(), strict=True))


def test_homeless_single_gets_rsa_at_the_legal_base_amount(rights) -> None:
    # no housing status in the Lanterne columns means homeless: set OpenFisca's directly
    from lanterne.rights.simulate import simulate

    s = derive_situations(_frame({"x": {}}))
    s = s.__class__(**{**s.__dict__, "statut_logement": np.array(["sans_domicile"])})
    legal = load_rights_catalog().legal_amount("rsa_base_single", MONTH)
    assert legal == 646.52  # décret n° 2025-293, from 1 April 2025
    assert simulate(s, MONTH)["rsa"][0] == pytest.approx(legal, abs=0.01)


def test_hosted_single_gets_base_amount_less_housing_flat_rate(rights) -> None:
    legal = load_rights_catalog().legal_amount("rsa_base_single", MONTH)
    assert rights["hosted"]["rsa_amount"] == pytest.approx(legal * (1 - 0.12), abs=0.01)
    assert rights["hosted"]["rsa_entitled"]


def test_couple_with_one_wage_gets_activity_bonus_not_rsa(rights) -> None:
    r = rights["couple_wage"]
    assert r["ppa_amount"] > 0 and r["ppa_entitled"]
    assert r["rsa_amount"] == 0


def test_no_rights_for_a_well_paid_owner(rights) -> None:
    r = rights["rich"]
    assert (r["rsa_amount"], r["ppa_amount"], r["housing_amount"], r["aah_amount"]) == (0, 0, 0, 0)


def test_no_rsa_under_25_without_child(rights) -> None:
    assert rights["young"]["rsa_amount"] == 0
    assert rights["student"]["rsa_amount"] == 0  # students are excluded


def test_tenant_without_income_gets_housing_benefit_and_reduced_rsa(rights) -> None:
    r = rights["tenant"]
    assert r["housing_amount"] > 0
    legal = load_rights_catalog().legal_amount("rsa_base_single", MONTH)
    # RSA = base - min(housing benefit, flat rate): below the base amount
    assert 0 < r["rsa_amount"] < legal


def test_aah_recipient_gets_aah_near_the_full_rate(rights) -> None:
    # AAH full rate from 1 April 2025: 1 033.32 € (no resources)
    assert rights["aah"]["aah_amount"] == pytest.approx(1033.32, abs=1.0)


def test_chunking_does_not_change_anything() -> None:
    frame = _frame(HOUSEHOLDS)
    whole = compute_rights(frame, MONTH, progress=False, chunk_rows=100)
    split = compute_rights(frame, MONTH, progress=False, chunk_rows=3)
    assert whole.equals(split)


def test_empty_table_gives_empty_result() -> None:
    out = compute_rights(_frame({"a": {}}).head(0), MONTH, progress=False)
    assert out.height == 0 and "rsa_amount" in out.columns


def test_bad_inputs_are_reported_all_at_once() -> None:
    frame = (
        _frame({"a": {}})
        .drop("income_monthly")
        .with_columns(pl.lit("castle").alias("housing_status"))
    )
    with pytest.raises(DataError) as err:
        compute_rights(frame, MONTH, progress=False)
    text = err.value.render("en")
    assert "income_monthly" in text
    # row numbers count in the whole table, not in a chunk
    many = _frame({str(i): {} for i in range(6)}).with_columns(
        pl.Series("n_children", [0, 0, 0, 0, -1, 0])
    )
    with pytest.raises(DataError) as err:
        compute_rights(many, MONTH, progress=False, chunk_rows=2)
    assert "rows 5" in err.value.render("en")
    with pytest.raises(UsageError):
        compute_rights(_frame({"a": {}}), "2025-13", progress=False)


# ----------------------------------------------------------------- take-up calibration


def test_uniform_draws_are_uniform_and_stable() -> None:
    ids = np.arange(200_000)
    u = uniform_draws(ids, "rsa", seed=3)
    assert abs(u.mean() - 0.5) < 0.005
    assert np.histogram(u, bins=10, range=(0, 1))[0].min() > 19_000
    assert (uniform_draws(ids[::-1], "rsa", seed=3) == u[::-1]).all()  # order-free
    assert not (uniform_draws(ids, "ppa", seed=3) == u).all()


def test_takeup_reaches_the_published_rates_on_a_large_sample() -> None:
    cat = load_rights_catalog()
    n = 200_000
    ids = np.arange(n)
    entitled = np.ones(n, dtype=bool)
    housing = np.full(n, "hosted")
    family = np.full(n, "single")  # relative risk 1 × 1: the base rate
    for benefit, target in (("rsa", 0.34), ("ppa", 0.27), ("housing", 0.10)):
        claimed = draw_takeup(cat, benefit, entitled, ids, housing, family, seed=0)
        assert abs((1 - claimed.mean()) - target) < 0.005, benefit
    # group rates: DREES owners 61 %, social tenants 15 %
    for status, target in (("owner", 0.61), ("tenant_social", 0.15)):
        h = np.full(n, status)
        claimed = draw_takeup(cat, "rsa", entitled, ids, h, family, seed=1)
        assert abs((1 - claimed.mean()) - target) < 0.006, status
    # a mixed population reaches the mean of its individual probabilities
    rng = np.random.default_rng(0)
    h = rng.choice(["owner", "tenant_social", "tenant_private", "hosted"], n)
    f = rng.choice(["single", "couple", "single_parent", "couple_children"], n)
    p = nonrecours_probability(cat, "rsa", h, f)
    claimed = draw_takeup(cat, "rsa", entitled, ids, h, f, seed=2)
    assert abs((1 - claimed.mean()) - p.mean()) < 0.005
    # calibrated: the mixed population reaches the published rate, groups keep their order
    from lanterne.rights.takeup import calibration_scale

    k = calibration_scale(cat, "rsa", entitled, h, f)
    claimed = draw_takeup(cat, "rsa", entitled, ids, h, f, seed=2, scale=k)
    assert abs((1 - claimed.mean()) - 0.34) < 0.005
    owners, social = (1 - claimed[h == "owner"].mean()), (1 - claimed[h == "tenant_social"].mean())
    assert owners > 2.5 * social
    # only the entitled count: a population of social tenants with a few entitled owners
    some = np.where(h == "owner", rng.random(n) < 0.1, True)
    k2 = calibration_scale(cat, "rsa", some, h, f)
    claimed = draw_takeup(cat, "rsa", some, ids, h, f, seed=2, scale=k2)
    assert abs((1 - claimed[some].mean()) - 0.34) < 0.005
    # nobody claims what they are not entitled to
    none = draw_takeup(cat, "rsa", np.zeros(n, bool), ids, h, f)
    assert not none.any()


# ----------------------------------------------------------------- audit numbers vs pandas


def _random_rights(n: int = 5000) -> pl.DataFrame:
    rng = np.random.default_rng(7)
    data: dict[str, object] = {
        "g1": rng.choice(["a", "b", "c"], n),
        "g2": rng.choice(["x", "y"], n),
        "selected": rng.random(n) < 0.1,
    }
    for b in ("rsa", "ppa", "housing"):
        amount = np.where(rng.random(n) < 0.4, rng.uniform(10, 700, n).round(2), 0.0)
        data[f"{b}_amount"] = amount
        data[f"{b}_entitled"] = amount > 0
        data[f"{b}_claimed"] = (amount > 0) & (rng.random(n) < 0.7)
    return pl.DataFrame(data)


def test_audit_numbers_match_pandas() -> None:
    frame = _random_rights()
    ours = nonrecours_table(frame, ["g1", "g2"], min_cell=0).to_pandas().set_index(["g1", "g2"])
    df = frame.to_pandas()
    missed = {b: df[f"{b}_entitled"] & ~df[f"{b}_claimed"] for b in ("rsa", "ppa", "housing")}
    df["entitled_any"] = df[[f"{b}_entitled" for b in ("rsa", "ppa", "housing")]].any(axis=1)
    df["missing_any"] = pd.concat(missed.values(), axis=1).any(axis=1)
    df["unclaimed"] = sum(df[f"{b}_amount"].where(missed[b], 0.0) for b in missed)
    g = df.groupby(["g1", "g2"])
    expected = pd.DataFrame(
        {
            "households": g.size(),
            "entitled": g["entitled_any"].sum(),
            "missing": g["missing_any"].sum(),
            "unclaimed": g["unclaimed"].sum().round(2),
            "selection_rate": g["selected"].mean(),
        }
    )
    expected["rate"] = expected["missing"] / expected["entitled"]
    for col in ("households", "entitled", "missing"):
        assert (ours[col] == expected[col]).all(), col
    assert np.allclose(ours["unclaimed_monthly"], expected["unclaimed"], atol=0.011)
    assert np.allclose(ours["nonrecours_rate"], expected["rate"])
    assert np.allclose(ours["selection_rate"], expected["selection_rate"])
    rsa_rate = missed["rsa"].groupby([df.g1, df.g2]).sum() / g["rsa_entitled"].sum()
    assert np.allclose(ours["rsa_nonrecours_rate"], rsa_rate)


def test_small_cells_are_suppressed() -> None:
    frame = _random_rights(60)
    table = nonrecours_table(frame, ["g1", "g2"], min_cell=15)
    sizes = frame.group_by("g1", "g2").len().sort("g1", "g2")["len"].to_list()
    small = [i for i, k in enumerate(sizes) if k < 15]
    assert small
    status = table["suppression"].to_list()
    assert all(status[i] == "primary" for i in small)
    # hidden groups publish no count either; at least two are hidden (secondary if needed)
    hidden = table.filter(pl.col("suppression").is_not_null())
    assert hidden.height >= 2
    for col in ("households", "entitled", "missing", "nonrecours_rate", "unclaimed_monthly"):
        assert hidden[col].null_count() == hidden.height, col


def test_spearman_matches_pandas() -> None:
    rng = np.random.default_rng(3)
    x, y = rng.random(12), rng.random(12)
    x[3] = x[4]  # a tie
    expected = pd.Series(x).corr(pd.Series(y), method="spearman")
    assert spearman(x, y) == pytest.approx(expected)


# ----------------------------------------------------------------- CLI


def test_cli_rights_with_set(cli, tmp_path) -> None:
    out = tmp_path / "r.json"
    result = cli(
        "rights",
        "--set",
        "income_monthly=0",
        "--set",
        "head_activity=inactive",
        "--set",
        "housing_status=hosted",
        "--month",
        "2025-06",
        "--json",
        str(out),
    )
    assert result.exit_code == 0, result.output
    assert "RSA" in result.stdout and "caf.fr" in result.stdout
    data = json.loads(out.read_text())
    assert data["benefits"]["rsa"]["amount_monthly"] == pytest.approx(568.94, abs=0.01)


def test_cli_rights_bad_input(cli) -> None:
    assert cli("rights").exit_code == 2
    assert cli("rights", "--set", "oops").exit_code == 2
    typo = cli("--lang", "en", "rights", "--set", "incme_monthly=0")
    assert typo.exit_code == 2 and "unknown variable" in typo.stderr
    assert cli("rights", "--set", "income_monthly=0", "--month", "2025-13").exit_code == 2


def test_cli_audit_nonrecours_on_the_sample(cli, tmp_path) -> None:
    from lanterne.catalog import sample_path

    out = tmp_path / "nr.json"
    result = cli(
        "--lang",
        "en",
        "audit",
        "nonrecours",
        str(sample_path()),
        "-g",
        "housing_status",
        "--json",
        str(out),
    )
    assert result.exit_code == 0, result.output
    assert "rank correlation" in result.stdout
    data = json.loads(out.read_text())
    assert data["totals"]["households"] == 400
    assert {g["housing_status"] for g in data["groups"]} == {
        "tenant_social",
        "tenant_private",
        "owner",
        "hosted",
    }
    bad = cli("audit", "nonrecours", str(sample_path()), "-g", "nope")
    assert bad.exit_code == 2


def test_worker_processes_give_the_same_result() -> None:
    frame = _frame(HOUSEHOLDS)
    one = compute_rights(frame, MONTH, progress=False, chunk_rows=4)
    two = compute_rights(frame, MONTH, progress=False, chunk_rows=4, workers=2)
    assert one.equals(two)


def test_fast_parameter_lookup_changes_nothing(sample) -> None:
    from lanterne.rights import fastparams
    from lanterne.rights.simulate import simulate

    situations = derive_situations(sample)
    fast = simulate(situations, MONTH)
    fastparams.uninstall()
    try:
        slow = simulate(situations, MONTH)
    finally:
        fastparams.install()
    for key in fast:
        assert np.array_equal(fast[key], slow[key]), key
    assert (fast["rsa"] > 0).sum() > 50  # the sample has many entitled households


def test_typed_population_columns_give_the_same_rights(sample) -> None:
    """The generator stores Enums, Booleans and small integers: same result as text."""
    from lanterne.rights.inputs import CHILD_ACTIVITIES, FAMILY_TYPES, HOUSING

    enums = {
        "family_type": FAMILY_TYPES,
        "housing_status": HOUSING,
        "oldest_child_activity": CHILD_ACTIVITIES,
    }
    typed = sample.with_columns(
        *[pl.col(c).cast(pl.Enum(list(v))) for c, v in enums.items()],
        *[
            pl.col(c).str.to_lowercase().eq("true")
            for c in ("disability", "receives_aah", "separated_recently")
        ],
        *[pl.col(c).cast(pl.UInt8) for c in ("n_children", "head_age")],
        *[pl.col(c).cast(pl.Float32) for c in ("income_monthly", "rent_monthly")],
        pl.col("household_id").cast(pl.UInt32),
    )
    assert typed["housing_status"].dtype != pl.String
    text = compute_rights(sample, MONTH, progress=False)
    assert compute_rights(typed, MONTH, progress=False).equals(text)


def test_no_simulation_survives_a_chunk() -> None:
    """Memory stays bounded: each chunk's simulation is freed before the next one."""
    import gc

    from openfisca_core.simulations import Simulation

    from lanterne.rights.simulate import simulate

    gc.collect()
    # simulations other tests keep (OpenFisca's own YAML runner holds its cases') are not
    # this call's: only a new one surviving the call would be a leak
    before = {id(o) for o in gc.get_objects() if isinstance(o, Simulation)}
    simulate(derive_situations(_frame({"a": {}})), MONTH)
    after = {id(o) for o in gc.get_objects() if isinstance(o, Simulation)}
    assert after <= before


def test_openfisca_agrees_with_the_generators_benefit_statuses() -> None:
    """Independent cross-check: the generator draws who receives each benefit with its own
    simplified legal scales; OpenFisca-France, with the full rules, should find nearly all
    of those recipients entitled."""
    from lanterne.population.generate import generate_frame

    pop = generate_frame(3000, seed=11)
    rights = compute_rights(pop, MONTH, progress=False)
    for benefit, column, floor in (
        ("rsa", "receives_rsa", 0.9),
        ("ppa", "receives_ppa", 0.8),
        ("housing", "receives_housing_benefit", 0.85),
        ("aah", "receives_aah", 0.95),
    ):
        receives = pop[column].to_numpy()
        entitled = rights[f"{benefit}_entitled"].to_numpy()
        assert receives.sum() > 100, benefit
        assert entitled[receives].mean() >= floor, benefit
