"""The Python API takes Polars, pandas and Arrow tables and gives back the caller's kind.

The same rows as a Polars DataFrame, a Polars LazyFrame, a pandas DataFrame and an Arrow
Table give the same numbers, to the bit; Amsterdam's development sample is also checked
against the city's own scores (an independent computation) when it comes as pandas or Arrow.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

from lanterne.audit import audit_confusion, audit_population, audit_selection
from lanterne.catalog import sample_path
from lanterne.errors import DataError, UsageError
from lanterne.explain import score_population
from lanterne.io.frames import as_polars, like_input, to_numpy
from lanterne.io.tables import read_table
from lanterne.model import TargetingRule, load_model

KINDS = ("polars", "lazy", "pandas", "arrow")
AMSTERDAM = Path(__file__).parents[1] / "data" / "amsterdam" / "development-sample.csv"


def as_kind(frame: pl.DataFrame, kind: str):
    """The same rows in another library's table (pandas gets a non-default index)."""
    if kind == "polars":
        return frame
    if kind == "lazy":
        return frame.lazy()
    if kind == "pandas":
        out = frame.to_pandas()
        out.index = pd.RangeIndex(1000, 1000 + len(out))  # not 0..n-1: must come back
        return out
    return frame.to_arrow()


def numbers(column) -> np.ndarray:
    return to_numpy(column).astype(np.float64)


@pytest.fixture(scope="module")
def cnaf():
    return load_model("fr-cnaf-2014")


@pytest.fixture(scope="module")
def households() -> pl.DataFrame:
    """The sample with real types (numbers, booleans, Enum categories), as users hold it."""
    return load_model("fr-cnaf-2014").prepare(read_table(sample_path()))


@pytest.mark.parametrize("kind", KINDS)
def test_score_gives_the_same_numbers_and_the_callers_kind(cnaf, households, kind) -> None:
    given = as_kind(households, kind)
    reference = cnaf.score(households)
    scored = cnaf.score(given)
    expected_type = {
        "polars": pl.DataFrame,
        "lazy": pl.DataFrame,
        "pandas": pd.DataFrame,
        "arrow": pa.Table,
    }[kind]
    assert type(scored) is expected_type
    assert list(scored.columns if kind != "arrow" else scored.column_names) == reference.columns
    assert np.array_equal(numbers(scored["score"]), reference["score"].to_numpy())
    assert to_numpy(scored["selected"]).tolist() == reference["selected"].to_list()
    if kind == "pandas":
        assert scored.index.equals(given.index)


@pytest.mark.parametrize("kind", KINDS)
def test_scores_margins_contributions_follow_the_input(cnaf, households, kind) -> None:
    given = as_kind(households, kind)
    scores, margins = cnaf.scores(given), cnaf.margins(given)
    contributions = cnaf.contributions(given)
    column_type, table_type = {
        "polars": (pl.Series, pl.DataFrame),
        "lazy": (pl.Series, pl.DataFrame),
        "pandas": (pd.Series, pd.DataFrame),
        "arrow": (pa.Array, pa.Table),
    }[kind]
    assert isinstance(scores, column_type) and isinstance(margins, column_type)
    assert isinstance(contributions, table_type)
    assert np.array_equal(numbers(scores), cnaf.scores(households).to_numpy())
    assert np.array_equal(numbers(margins), cnaf.margins(households).to_numpy())
    reference = cnaf.contributions(households)
    back = as_polars(contributions)
    assert back.columns == reference.columns
    assert np.array_equal(back.to_numpy(), reference.to_numpy())
    # the log-odds are the intercept plus the contributions (checked on the caller's kind)
    assert np.allclose(cnaf.base + back.to_numpy().sum(axis=1), numbers(margins), atol=1e-12)
    if kind == "pandas":
        assert scores.name == "score" and scores.index.equals(given.index)


@pytest.mark.parametrize("kind", ["pandas", "arrow"])
@pytest.mark.parametrize(
    ("model_id", "city_column"),
    [
        ("nl-amsterdam-slimme-check-2022-prepilot", "original_model_score"),
        ("nl-amsterdam-slimme-check-2022-reweighed", "reweighted_model_score"),
    ],
)
def test_amsterdam_sample_as_pandas_or_arrow_gives_the_citys_scores(
    kind, model_id, city_column
) -> None:
    """Read by pandas itself (NaN for an empty income), not converted from Polars."""
    sample = pd.read_csv(AMSTERDAM)
    given = sample if kind == "pandas" else pa.Table.from_pandas(sample, preserve_index=False)
    model = load_model(model_id)
    scores = numbers(model.scores(given))
    assert np.abs(scores - sample[city_column].to_numpy()).max() < 1e-9
    assert np.array_equal(scores, model.scores(pl.read_csv(AMSTERDAM)).to_numpy())


@pytest.mark.parametrize("model_id", ["pl-profiling-2014", "nl-rotterdam-2017"])
@pytest.mark.parametrize("kind", ["pandas", "arrow"])
def test_other_kinds_of_models_take_pandas_and_arrow(model_id, kind) -> None:
    model = load_model(model_id)
    if model_id == "nl-rotterdam-2017":
        data = read_table(sample_path("nl-rotterdam-sample.csv"))
    else:
        data = pl.DataFrame(
            {
                "age": [35, 61, 24],
                "education": ["higher", "gimnazjum_or_less", "secondary"],
                "months_unemployed": [3, 30, 12],
                "work_experience_years": [10.0, 0.5, 2.0],
                "foreign_language": [True, False, False],
                "disability": [False, True, False],
                "professional_licence": [True, False, True],
                "can_commute": [True, False, True],
                "n_obstacles": [0, 3, 1],
                "internet_access": [True, False, True],
                "registration_reason": ["find_job", "social_assistance", "health_insurance"],
                "job_search": ["active", "none", "occasional"],
                "availability": ["full", "limited", "full"],
                "willing_to_adapt": [True, False, True],
                "cooperation": ["good", "poor", "good"],
            }
        )
    reference = model.score(data)
    scored = as_polars(model.score(as_kind(data, kind)))
    assert scored.columns == reference.columns
    assert np.array_equal(scored["score"].to_numpy(), reference["score"].to_numpy())
    assert scored["selected"].to_list() == reference["selected"].to_list()
    assert np.array_equal(numbers(model.scores(as_kind(data, kind))), reference["score"].to_numpy())


@pytest.mark.parametrize("kind", KINDS)
def test_population_audit_is_the_same_for_every_kind(cnaf, households, kind) -> None:
    kwargs = dict(
        group_cols=["sex", "family_type"],
        intersect=True,
        condition_col="qpv",
        targeting=TargetingRule(top_share=0.1),
        min_cell=5,
    )
    reference = audit_population(cnaf, households, **kwargs).to_dict()
    got = audit_population(cnaf, as_kind(households, kind), batch_rows=150, **kwargs)
    assert got.to_dict() == reference
    assert reference["n_selected"] >= 40 and len(reference["strata"]) == 2
    # scores already computed, read from a column; missing groups form "(missing)"
    scored = cnaf.score(households).with_columns(
        pl.when(pl.int_range(pl.len()) % 37 == 0).then(None).otherwise(pl.col("sex")).alias("sex")
    )
    kwargs["min_cell"] = 0
    reference = audit_population(None, scored, score_col="score", **kwargs).to_dict()
    got = audit_population(None, as_kind(scored, kind), score_col="score", **kwargs).to_dict()
    assert got == reference
    missing = [r for r in reference["groups"]["sex"] if r["group"] == "(missing)"]
    assert missing[0]["n"] == scored["sex"].null_count() == 11


@pytest.mark.parametrize("kind", KINDS)
def test_selection_and_confusion_audits_are_the_same_for_every_kind(kind) -> None:
    rng = np.random.default_rng(3)
    n = 600
    data = pl.DataFrame(
        {
            "origin": np.where(rng.random(n) < 0.3, "random", "model"),
            "result": np.where(rng.random(n) < 0.25, "overpaid", "none"),
            "sex": rng.choice(["f", "m"], n),
        }
    )
    kwargs = dict(
        selection_col="origin",
        random_value="random",
        outcome_col="result",
        negative_values=["none"],
        group_cols=["sex"],
        bootstrap=200,
    )
    reference = audit_selection(data, **kwargs)
    got = audit_selection(as_kind(data, kind), **kwargs)
    assert got.to_dict() == reference.to_dict()
    random = data.filter(pl.col("origin") == "random")
    by_hand = (random["result"] == "overpaid").mean()  # an independent count
    assert got.overall["hit_rate_random"] == pytest.approx(by_hand, abs=1e-15)

    counts = pl.DataFrame({"sex": ["f", "m"], "TN": [80, 90], "FP": [20, 10], "FN": [5, 0]})
    counts = counts.with_columns(TP=pl.Series([15, 0]))
    confusion = audit_confusion(as_kind(counts, kind), min_cell=0)
    assert confusion.to_dict() == audit_confusion(counts, min_cell=0).to_dict()
    assert confusion.rows[0]["fpr"] == 20 / (20 + 80)


@pytest.mark.parametrize("kind", KINDS)
def test_a_population_to_explain_against_may_be_any_kind(cnaf, households, kind) -> None:
    population = score_population(cnaf, as_kind(households, kind))
    assert np.array_equal(population.scores, cnaf.scores(households).to_numpy())


def test_a_pandas_category_keeps_its_order_in_the_tables() -> None:
    sizes = pd.Categorical(
        ["small", "large", "medium", "small", None, "large"],
        categories=["small", "medium", "large"],  # not alphabetical
    )
    data = pd.DataFrame({"score": [0.9, 0.1, 0.5, 0.3, 0.7, 0.2], "size": sizes})
    audit = audit_population(
        None,
        data,
        group_cols=["size"],
        score_col="score",
        min_cell=0,
        targeting=TargetingRule(top_share=0.5),
    )
    rows = {r["group"]: r for r in audit.groups["size"]}
    assert list(rows) == ["small", "medium", "large", "(missing)"]
    assert rows["small"]["selection_rate"] == 0.5  # 0.9 selected, 0.3 not
    assert rows["(missing)"]["n"] == 1


def test_a_lazy_frame_is_read_with_the_columns_the_audit_needs_only(cnaf, households) -> None:
    """A LazyFrame is not computed whole: a column the audit does not read is never made."""
    made: list[int] = []

    def expensive(column: pl.Series) -> pl.Series:
        made.append(column.len())
        return column

    lazy = households.lazy().with_columns(
        unused=pl.col("household_id").map_batches(expensive, return_dtype=pl.String)
    )
    audit = audit_population(cnaf, lazy, group_cols=["sex"], min_cell=0)
    assert audit.n == households.height
    assert made == []
    lazy.collect()
    assert made  # the column is real: computing the whole frame does make it


def test_a_table_polars_cannot_hold_is_bad_data_not_a_crash(cnaf) -> None:
    doubled = pd.DataFrame([[1, 2, 3]], columns=["sex", "qpv", "sex"])
    with pytest.raises(DataError) as caught:
        cnaf.score(doubled)
    assert caught.value.render("en") == "duplicate columns in the table: sex"
    doubled_arrow = pa.Table.from_arrays([pa.array([0.1]), pa.array(["f"])], names=["a", "a"])
    with pytest.raises(DataError, match="duplicate columns in the table: a"):
        audit_population(None, doubled_arrow, group_cols=["b"], score_col="a")
    mixed = pd.DataFrame({"score": [0.5, 0.1], "sex": [object(), "f"]})
    with pytest.raises(DataError, match="cannot read the pandas table: "):
        audit_population(None, mixed, group_cols=["sex"], score_col="score")


def test_anything_else_is_refused_with_a_clear_message() -> None:
    with pytest.raises(UsageError, match="a table was expected"):
        as_polars({"a": [1, 2]})
    assert like_input(pl.DataFrame({"a": [1]}), {"a": [1]}).columns == ["a"]  # Polars back


def test_polars_users_never_load_pandas() -> None:
    code = (
        "import sys, polars as pl, lanterne\n"
        "from lanterne.audit import audit_population\n"
        "from lanterne.catalog import sample_path\n"
        "from lanterne.io.tables import read_table\n"
        "m = lanterne.load_model('fr-cnaf-2014')\n"
        "data = read_table(sample_path())\n"
        "m.score(data); m.scores(data.lazy()); m.contributions(data)\n"
        "audit_population(m, data, group_cols=['sex'])\n"
        "print('pandas' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"


def test_a_targeting_rule_takes_any_kind_of_column() -> None:
    values = [0.9, 0.1, 0.4, 0.7, 0.7, 0.2]
    rule = TargetingRule(top_share=0.3)  # round(0.3 × 6) = 2 wanted: 0.9 and a 0.7, tie kept
    for column in (
        pl.Series(values),
        pd.Series(values, index=list("abcdef")),
        pa.chunked_array([values[:2], values[2:]]),
        pa.array(values),
        np.array(values),
        values,
    ):
        threshold, selected = rule.select(column)
        assert threshold == 0.7
        assert selected.tolist() == [True, False, False, True, True, False]
