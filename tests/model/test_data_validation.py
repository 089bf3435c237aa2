"""Data checked against a spec: every problem, with row numbers and counts."""

from __future__ import annotations

import polars as pl
import pytest
from tests.conftest import MINIMAL_SPEC

from lanterne.errors import DataError
from lanterne.model import model_from_checked
from lanterne.model.data import prepare_table
from lanterne.spec.load import check_spec_text


@pytest.fixture
def model():
    return model_from_checked(check_spec_text(MINIMAL_SPEC))


def messages(data: pl.DataFrame, model) -> list[str]:
    with pytest.raises(DataError) as info:
        model.prepare(data, file="d.csv")
    assert all(p.file == "d.csv" for p in info.value.problems)
    return [p.message.render("en") for p in info.value.problems]


def test_valid_text_columns_are_converted(model) -> None:
    data = pl.DataFrame(
        {
            "income": ["500", "1 200".replace(" ", ""), "12,5", " 3000 "],
            "kids": ["2", "0", "1", "3"],
            "rsa": ["oui", "false", "1", "No"],
            "family": ["single_parent", "single", " couple", "couple"],
            "extra": ["a", "b", "c", "d"],
        }
    )
    out = model.prepare(data)
    assert out["income"].to_list() == [500.0, 1200.0, 12.5, 3000.0]
    assert out["kids"].dtype == pl.Int64
    assert out["rsa"].to_list() == [True, False, True, False]
    assert out["family"].dtype == pl.Enum(["single", "couple", "single_parent"])
    assert out["extra"].to_list() == ["a", "b", "c", "d"]  # untouched


def test_missing_columns_are_all_named(model) -> None:
    msgs = messages(pl.DataFrame({"income": [1.0]}), model)
    assert msgs == ["missing column(s): kids, rsa, family"]


def test_sensitive_columns_are_optional_but_checked_when_present(model, tiny_data) -> None:
    assert model.prepare(tiny_data.drop("sex")).height == 4
    bad = tiny_data.with_columns(pl.Series("sex", ["female", "x", "male", "female"]))
    assert "unknown categories 'x'" in messages(bad, model)[0]


def test_every_kind_of_bad_value_is_reported_with_rows(model) -> None:
    data = pl.DataFrame(
        {
            "income": ["100", "abc", "-5", "200", "", "20000"],
            "kids": ["1", "2.5", "1", "1", "1", "1"],
            "rsa": ["true", "true", "maybe", "false", "false", "false"],
            "family": ["single", "single", "single", "alone", "couple", "alone"],
        }
    )
    msgs = messages(data, model)
    text = "\n".join(msgs)
    assert "column 'income': row 2 do not hold a number (values: 'abc')" in text
    assert "column 'income': missing values, row 5" in text
    assert "column 'income': values outside the allowed range (0 to 10,000), rows 3, 6" in text
    assert "column 'kids': whole numbers expected, row 2" in text
    assert "column 'rsa': row 3 do not hold true/false" in text
    assert "column 'family': unknown categories 'alone', rows 4, 6" in text


def test_many_bad_rows_give_a_count_and_the_first_examples(model) -> None:
    n = 1000
    data = pl.DataFrame(
        {
            "income": [-1.0] * n,
            "kids": [0] * n,
            "rsa": [False] * n,
            "family": ["single"] * n,
        }
    )
    (msg,) = messages(data, model)
    assert "1000 rows, including rows 1, 2, 3, 4, 5" in msg


def test_nan_is_reported(model, tiny_data) -> None:
    data = tiny_data.with_columns(pl.Series("income", [1.0, float("nan"), 2.0, 3.0]))
    assert "NaN" in messages(data, model)[0]


def test_empty_table(model, tiny_data) -> None:
    assert messages(tiny_data.head(0), model) == ["the table is empty"]


def test_numeric_booleans_and_enum_columns(model, tiny_data) -> None:
    data = tiny_data.with_columns(
        pl.Series("rsa", [1, 0, 1, 0]),
        pl.col("family").cast(pl.Enum(["single", "couple", "single_parent"])),
        pl.col("kids").cast(pl.UInt8),
    )
    out = model.prepare(data)
    assert out["rsa"].to_list() == [True, False, True, False]
    assert out["kids"].dtype == pl.UInt8  # compact types are kept


def test_messages_in_french(model) -> None:
    with pytest.raises(DataError) as info:
        prepare_table(model.spec, pl.DataFrame({"income": [1.0]}))
    assert info.value.problems[0].message.render("fr").startswith("colonne(s) manquante(s)")
