"""One household reader: the same spellings mean the same through every front end."""

from __future__ import annotations

import json

import pytest
from starlette.datastructures import FormData

from lanterne.errors import DataError
from lanterne.explain.household import build_household
from lanterne.inputs.numbers import NumberError, parse_number
from lanterne.model import load_model
from lanterne.rights.household import rights_household

NBSP, NNBSP = "\u00a0", "\u202f"

#: Spelling → value (worked out by hand), for French and English writers.
ACCEPTED = [
    ("1200", 1200.0),
    ("1200.5", 1200.5),
    ("1200,5", 1200.5),
    ("1 200,50", 1200.5),
    (f"1{NBSP}200,50", 1200.5),
    (f"1{NNBSP}200,50", 1200.5),
    (f"12{NNBSP}345{NNBSP}678,9", 12345678.9),
    ("1 200.50", 1200.5),
    ("  850,50 ", 850.5),
    ("0,125", 0.125),  # a leading zero: a decimal comma in every language
    (",5", 0.5),
    ("-3", -3.0),
    ("\u22123", -3.0),  # the minus sign of typeset texts
    ("+2", 2.0),
    ("1e3", 1000.0),
    ("1234,567", 1234.567),  # four digits before the mark: no thousands separator there
]
#: Spelling → words the refusal must contain (English).
REFUSED = [
    ("1,200.50", "ambiguous"),
    ("1.200,50", "ambiguous"),
    ("1,200,000", "ambiguous"),
    ("1,200", "ambiguous: a thousands separator or a decimal mark? Write 1200 or 1.2"),
    ("2.500", "Write 2500 or 2.5"),
    ("12 5", "a space only separates groups of three digits"),
    ("1 2345", "a space only separates groups of three digits"),
    ("nan", "not a finite number"),
    ("-inf", "not a finite number"),
    ("Infinity", "not a finite number"),
    ("1e400", "not a finite number"),
    ("1_000", "not a number"),
    ("0x10", "not a number"),
    ("abc", "not a number"),
    ("", "not a number"),
    ("12 €", "not a number"),
]


@pytest.mark.parametrize(("text", "value"), ACCEPTED)
def test_number_spellings_accepted(text: str, value: float) -> None:
    assert parse_number(text) == pytest.approx(value, rel=1e-15)


@pytest.mark.parametrize(("text", "words"), REFUSED)
def test_number_spellings_refused_with_a_bilingual_message(text: str, words: str) -> None:
    with pytest.raises(NumberError) as info:
        parse_number(text)
    message = info.value.message
    assert words in message.render("en")
    assert text.strip()[:40] in message.render("fr") and "«" in message.render("fr")


def test_a_refused_number_names_the_field_and_the_value() -> None:
    model = load_model("fr-cnaf-2014")
    with pytest.raises(DataError) as info:
        build_household(model, archetype="single-mother-rsa", sets=["income_monthly=1,200.50"])
    (problem,) = info.value.problems
    text = problem.render("en")
    assert text.startswith("income_monthly=1,200.50: 'income_monthly': '1,200.50' does not fit")
    assert "ambiguous" in text
    assert "« 1,200.50 » ne convient pas" in problem.render("fr")


def _the_same_household_three_ways(tmp_path, values: dict[str, str]):
    """Pairs (the CLI's --set), a YAML file, a web form."""
    pairs = [f"{k}={v}" for k, v in values.items()]
    path = tmp_path / "h.yaml"
    path.write_text("\n".join(f"{k}: {json.dumps(v)}" for k, v in values.items()), encoding="utf-8")
    return pairs, path, values


def test_explanation_household_is_the_same_from_set_file_and_form(tmp_path) -> None:
    model = load_model("fr-cnaf-2014")
    given = {
        "income_monthly": f"1{NNBSP}250,75",
        "rent_monthly": f"1{NBSP}020,5",
        "receives_rsa": "non",
        "n_children": "3",
        "head_activity": "employed",
    }
    pairs, path, form = _the_same_household_three_ways(tmp_path, given)
    start = {"archetype": "single-mother-rsa"}
    by_set = build_household(model, sets=pairs, **start)
    by_file = build_household(model, file=path, **start)
    by_form = build_household(model, values=form, **start)
    assert by_set.values == by_file.values == by_form.values
    assert by_set.values["income_monthly"] == 1250.75 and by_set.values["rent_monthly"] == 1020.5
    assert by_set.values["receives_rsa"] is False and by_set.values["n_children"] == 3
    assert by_set.frame.equals(by_file.frame) and by_set.frame.equals(by_form.frame)


def test_rights_household_is_the_same_from_cli_file_and_web_form(tmp_path) -> None:
    from lanterne.web.rights import archetype_values, read_inputs

    base = archetype_values("single-mother-rsa")
    given = {
        "income_monthly": f"1{NNBSP}250,75",
        "rent_monthly": f"1{NBSP}020,5",
        "disability": "oui",
        "n_children": "3",
        "head_age": "41",
    }
    pairs, path, _ = _the_same_household_three_ways(tmp_path, base | given)
    by_set = rights_household(pairs=pairs)
    by_file = rights_household(file=path)
    inputs = read_inputs(load_model("fr-cnaf-2014"), FormData(base | given))
    assert inputs.errors == {} and inputs.household is not None
    by_form = inputs.household
    assert by_set.values == by_file.values == by_form.values
    assert by_set.values["income_monthly"] == 1250.75 and by_set.values["disability"] is True
    assert by_set.frame.equals(by_file.frame) and by_set.frame.equals(by_form.frame)


def test_rights_household_from_a_table_row_ignores_other_columns(tmp_path, sample) -> None:
    path = tmp_path / "pop.csv"
    sample.head(3).write_csv(path)
    house = rights_household(file=path, row=2)
    expected = sample.row(1, named=True)
    assert house.values["family_type"] == expected["family_type"]
    assert house.values["income_monthly"] == pytest.approx(float(expected["income_monthly"]))
    assert "household_id" not in house.values
    with pytest.raises(DataError, match=r"row 4 outside the file \(3 rows\)"):
        rights_household(file=path, row=4)
    with pytest.raises(DataError, match="unknown variable 'incme_monthly' for the rights check"):
        rights_household(file=path, pairs=["incme_monthly=3"])


def test_the_column_parser_agrees_with_the_one_value_parser() -> None:
    """A second implementation (vectorised, for tables) read against the first."""
    import polars as pl

    from lanterne.inputs.numbers import number_column

    texts = [t for t, _ in ACCEPTED] + [t for t, _ in REFUSED]
    column = number_column(pl.Series("x", texts)).to_list()
    for text, got in zip(texts, column, strict=True):
        try:
            want = parse_number(text)
        except NumberError:
            want = None
        assert got == (None if want is None else pytest.approx(want, rel=1e-15)), text
    typed = number_column(pl.Series("x", [1.5, float("nan"), float("inf"), None, 3]))
    assert typed.to_list() == [1.5, None, None, None, 3.0]


def test_the_rights_form_refuses_an_ambiguous_amount_next_to_its_field() -> None:
    from lanterne.web.rights import archetype_values, read_inputs

    form = archetype_values("single-mother-rsa") | {"income_monthly": "1,200", "n_children": ""}
    inputs = read_inputs(load_model("fr-cnaf-2014"), FormData(form))
    assert inputs.household is None
    said = inputs.errors["income_monthly"].render("en")
    assert (
        said == "'1,200' is ambiguous: a thousands separator or a decimal mark? Write 1200 or 1.2"
    )
    assert inputs.errors["n_children"].render("fr") == "une valeur est attendue"
