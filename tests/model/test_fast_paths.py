"""The one-household fast paths give exactly what the generic Polars paths give.

Two shortcuts serve the web page's "My score" result:

- ``prepare_table`` checks a small table value by value in plain Python first
  (``lanterne.model.data.SMALL_ROWS``; 0 turns it off);
- ``explain_household`` computes one household's features, contributions and scores with
  ``lanterne.model.onerow`` (``fast_path=False`` turns it off).

Both are compared with the generic paths on every household of the embedded sample (as
the web form sends them, as text) and every archetype, for every catalog model the web
app serves: the same frames (values and types), the same bits for every number, the same
percentiles, sentences and page contents, and the same errors for bad input.
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from lanterne.catalog import sample_path
from lanterne.errors import DataError
from lanterne.explain import build_household, explain_household, score_population
from lanterne.explain.household import DEFAULT_ARCHETYPES
from lanterne.io.tables import read_table
from lanterne.model import data as data_module
from lanterne.model import load_model
from lanterne.model.data import prepare_table
from lanterne.model.onerow import one_row
from lanterne.population.archetypes import load_archetypes
from lanterne.population.generate import generate_frame
from lanterne.present.explanation import explanation_view
from lanterne.present.explanation_md import explanation_markdown
from lanterne.spec.expr.evaluate_row import to_python
from lanterne.web.score import result_context

#: The catalog models the web app serves (the French population holds their inputs).
SERVED = ["fr-cnaf-2014", "fr-cnaf-dmde-2026"]


@pytest.fixture(scope="module")
def sample() -> pl.DataFrame:
    return read_table(sample_path())


@pytest.fixture(scope="module", params=SERVED)
def served(request, sample):
    model = load_model(request.param)
    population = score_population(model, sample, name="sample")
    forms = [
        {k: str(v) for k, v in row.items()}
        for row in sample.select(model.used_variables).iter_rows(named=True)
    ]
    return model, population, forms


def archetype_refs() -> list[str]:
    return [row["archetype"] for row in load_archetypes(DEFAULT_ARCHETYPES).rows()]


def generic(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(data_module, "SMALL_ROWS", 0)


def same_frame(a: pl.DataFrame, b: pl.DataFrame) -> bool:
    return a.schema == b.schema and a.equals(b)


def bits(x: float | None) -> str | None:
    return None if x is None else float(x).hex()


def numbers(exp) -> dict:
    """Every number and text of an explanation, floats by their exact bits."""
    return {
        "score": bits(exp.score),
        "margin": bits(exp.margin),
        "base": bits(exp.base),
        "base_score": bits(exp.base_score),
        "additive": exp.additive,
        "contributions": [
            (
                c.name,
                repr(c.value),
                type(c.value).__name__,
                bits(c.weight),
                bits(c.contribution),
                bits(c.score_without),
            )
            for c in exp.contributions
        ],
        "percentile": bits(exp.standing.percentile),
        "threshold": bits(exp.standing.threshold),
        "selected": exp.standing.selected,
        "texts": {
            lang: (
                [s.render(lang) for s in explanation_view(exp).sentences],
                [s.render(lang) for s in explanation_view(exp).standing],
            )
            for lang in ["fr", "en"]
        },
        "rendered": explanation_markdown(explanation_view(exp), "en"),
        "json": exp.to_dict("fr"),
    }


# --------------------------------------------------------------------------- households


def test_every_sample_household_and_archetype_is_identical(served, monkeypatch):
    model, population, forms = served
    houses = [build_household(model, values=f) for f in forms]
    houses += [build_household(model, archetype=a) for a in archetype_refs()]
    with monkeypatch.context() as m:
        generic(m)
        slow_houses = [build_household(model, values=f) for f in forms]
        slow_houses += [build_household(model, archetype=a) for a in archetype_refs()]
    used = 0
    for house, slow in zip(houses, slow_houses, strict=True):
        assert house.values == slow.values
        assert same_frame(house.frame, slow.frame)
        fast_numbers = one_row(model, house.frame)
        used += fast_numbers is not None
        fast = explain_household(model, house, population=population, reference="none")
        slow_exp = explain_household(
            model, slow, population=population, reference="none", fast_path=False
        )
        assert numbers(fast) == numbers(slow_exp)
        for lang in ("fr", "en"):
            assert result_context(model, house, fast, lang) == result_context(
                model, slow, slow_exp, lang
            )
    # the fast path really ran: it never had to give up on these households
    assert used == len(houses) == len(forms) + len(archetype_refs())


def test_percentiles_match_numpy(served):
    """An independent check of the numbers both paths agree on: NumPy's rank."""
    model, population, forms = served
    for form in forms[:50]:
        exp = explain_household(
            model, build_household(model, values=form), population=population, reference="none"
        )
        assert exp.standing.percentile == pytest.approx(
            float(np.mean(population.scores <= exp.score))
        )
        assert exp.score == pytest.approx(1 / (1 + math.exp(-exp.margin)))


BAD = [
    {"months_worked_12m": "40"},  # out of range
    {"months_worked_12m": "-1"},
    {"income_monthly": "abc"},  # not a number
    {"income_monthly": "nan"},
    {"n_children": "2.5"},  # not whole
    {"family_type": "martian"},  # unknown category
    {"family_type": " single "},  # spaces around a category are tolerated
    {"head_activity": "Unemployed"},
    {"family_type": ""},  # missing values
    {"income_monthly": "   "},
    {"receives_rsa": "peut-être"},
    {"income_monthly": "1 200,50"},  # French decimal comma
    {"income_monthly": "-5"},
    {"partner_activity": "astronaut"},
    {"oldest_child_activity": ""},
]


#: Each bad value for the served models that read its variable.
CASES = [
    (model_id, change)
    for model_id in SERVED
    for change in BAD
    if next(iter(change)) in load_model(model_id).used_variables
]


@pytest.mark.parametrize(
    ("model_id", "change"),
    CASES,
    ids=[f"{m}-{next(iter(c))}={next(iter(c.values()))!r}" for m, c in CASES],
)
def test_bad_input_gives_the_same_errors(model_id, change, sample, monkeypatch):
    model = load_model(model_id)
    values = sample.select(model.used_variables).row(0, named=True)
    form = {k: str(v) for k, v in values.items()} | change

    def outcome():
        try:
            house = build_household(model, values=form)
        except DataError as err:
            return [(p.render("fr"), p.render("en")) for p in err.problems]
        return house

    fast = outcome()
    with monkeypatch.context() as m:
        generic(m)
        slow = outcome()
    if isinstance(slow, list):
        assert fast == slow and slow
    else:
        assert fast.values == slow.values and same_frame(fast.frame, slow.frame)


# --------------------------------------------------------------------------- prepare_table


def small_tables(model) -> list[pl.DataFrame]:
    """One-to-three-row tables of every kind prepare_table meets, good and bad."""
    good = {
        "family_type": "single_parent",
        "n_children": 2,
        "income_monthly": 850.5,
        "receives_rsa": True,
    }
    cases = [
        pl.DataFrame({k: [v] for k, v in good.items()}),
        pl.DataFrame({k: [v, v] for k, v in good.items()}),
        pl.DataFrame({k: [str(v)] for k, v in good.items()}),  # text, as read from CSV
        pl.DataFrame({"n_children": pl.Series([2], dtype=pl.Int8)}),
        pl.DataFrame({"income_monthly": pl.Series([850.5], dtype=pl.Float32)}),
        pl.DataFrame({"income_monthly": [850]}),  # an integer column for a float
        pl.DataFrame({"n_children": [2.0]}),  # a float column for an integer
        pl.DataFrame({"n_children": [2.5]}),
        pl.DataFrame({"n_children": [True]}),
        pl.DataFrame({"income_monthly": [True]}),
        pl.DataFrame({"income_monthly": [float("nan")]}),
        pl.DataFrame({"income_monthly": [float("inf")]}),
        pl.DataFrame({"income_monthly": [None, 1.0]}),
        pl.DataFrame({"n_children": [99]}),
        pl.DataFrame({"n_children": [-1, 2, 3]}),
        pl.DataFrame({"receives_rsa": [1]}),
        pl.DataFrame({"receives_rsa": ["oui"]}),
        pl.DataFrame({"receives_rsa": [None]}, schema={"receives_rsa": pl.Boolean}),
        pl.DataFrame({"family_type": ["martian", "single"]}),
        pl.DataFrame({"family_type": [" single"]}),
        pl.DataFrame({"family_type": [None]}, schema={"family_type": pl.String}),
        pl.DataFrame({"family_type": pl.Series(["single"], dtype=pl.Categorical)}),
        pl.DataFrame({"family_type": pl.Series(["single"], dtype=pl.Enum(["single", "x"]))}),
    ]
    var = model.spec.variable("family_type")
    cases.append(
        pl.DataFrame({"family_type": pl.Series(["single"], dtype=pl.Enum(var.categories))})
    )
    cases.append(pl.DataFrame({"other": [1]}))  # an undeclared column passes through
    return cases


@pytest.mark.parametrize("required", [(), None])
def test_small_tables_are_prepared_as_the_column_checks_do(required, monkeypatch):
    model = load_model("fr-cnaf-2014")

    def outcome(table):
        try:
            return prepare_table(model.spec, table, required=required, file="t.csv")
        except DataError as err:
            return [(p.render("fr"), p.render("en")) for p in err.problems]

    for table in small_tables(model):
        fast = outcome(table)
        with monkeypatch.context() as m:
            generic(m)
            slow = outcome(table)
        if isinstance(slow, list):
            assert fast == slow, table
        else:
            assert isinstance(fast, pl.DataFrame) and same_frame(fast, slow), table


def test_whole_sample_rows_one_by_one(sample, monkeypatch):
    """Each row of the sample alone, typed as a whole-table prepare types it."""
    model = load_model("fr-cnaf-dmde-2026")
    typed = model.prepare(sample)
    for i in range(0, typed.height, 7):
        row = typed.slice(i, 1)
        fast = model.prepare(row)
        with monkeypatch.context() as m:
            generic(m)
            slow = model.prepare(row)
        assert same_frame(fast, slow)


# --------------------------------------------------------------------------- features


@pytest.mark.parametrize("model_id", SERVED)
def test_python_features_equal_polars_features_on_generated_households(model_id):
    """Every derived feature of generated households, by Python and by Polars, row by row.

    Row by row, as the generic path computes one household: on one row Polars divides by
    a constant (``income_monthly / 1426.30``), on many rows it multiplies by the inverse,
    which can differ in the last bit.
    """
    model = load_model(model_id)
    frame = model.prepare(generate_frame(400, seed=7))
    compiled = {
        name: to_python(tree, model.checked.env)
        for name, tree in model.checked.feature_trees.items()
    }
    for i, row in enumerate(frame.iter_rows(named=True)):
        expected = model.with_features(frame.slice(i, 1)).collect().row(0, named=True)
        for name, evaluate in compiled.items():
            row[name] = evaluate(row)
            assert type(row[name]) is type(expected[name]), name
            if isinstance(expected[name], float):
                assert bits(row[name]) == bits(expected[name]), name
            else:
                assert row[name] == expected[name], name


def test_fast_path_gives_up_where_it_cannot_promise_polars_bits(sample):
    model = load_model("fr-cnaf-2014")
    house = build_household(model, archetype="single-mother-rsa")
    assert one_row(model, house.frame) is not None
    assert one_row(model, pl.concat([house.frame, house.frame])) is None  # two rows
    nan = house.frame.with_columns(pl.lit(float("nan")).alias("income_monthly"))
    assert one_row(model, nan) is None
    missing = house.frame.with_columns(pl.lit(None, dtype=pl.Float64).alias("income_monthly"))
    assert one_row(model, missing) is None
    # a model kind the module does not know: the Polars path explains it
    scorecard = load_model("pl-profiling-2014")
    assert scorecard.kind != "logistic"
    person = {
        "age": 35,
        "education": "higher",
        "months_unemployed": 3,
        "work_experience_years": 10.0,
        "foreign_language": True,
        "disability": False,
        "professional_licence": True,
        "can_commute": True,
        "n_obstacles": 0,
        "internet_access": True,
        "registration_reason": "find_job",
        "job_search": "active",
        "availability": "full",
        "willing_to_adapt": True,
        "cooperation": "good",
    }
    row = scorecard.prepare(pl.DataFrame([person]))
    assert one_row(scorecard, row) is None
    house = build_household(scorecard, values={k: str(v) for k, v in person.items()})
    exp = explain_household(scorecard, house)
    assert exp.score == float(scorecard.scores(row, prepared=True)[0])
