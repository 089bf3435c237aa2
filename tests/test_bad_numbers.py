"""Hostile numbers: NaN, infinities and overflows in specs, data, households and web forms.

Each must be refused with one located message (exit code 2 on the command line, a form
error on the web) instead of passing silently, ending as NaN scores, or a traceback.
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from lanterne.errors import DataError, SpecError
from lanterne.inputs.values import parse_value
from lanterne.model.base import check_scores
from lanterne.provenance import Text
from lanterne.spec.load import load_spec_text
from lanterne.spec.schema import Variable

pytestmark = pytest.mark.hostile  # an attack: `pytest -m hostile` runs them all

SPEC = textwrap.dedent(
    """\
    lanterne_spec: 1
    id: tiny
    name: {fr: Petit, en: Tiny}
    agency: Test
    country: FR
    years: [2020, null]
    description: {fr: Test., en: Test.}
    status: illustrative
    sources:
      - {id: doc, title: Doc, url: "https://example.org"}
    variables:
      - name: income
        type: float
        range: [0, 10000]
        description: {fr: Revenu, en: Income}
      - name: kids
        type: int
        description: {fr: Enfants, en: Children}
    features:
      - name: low_income
        expr: "income < 800"
        description: {fr: Faible revenu, en: Low income}
    model:
      kind: logistic
      source: doc
      intercept: {value: -2.0}
      coefficients:
        - {feature: low_income, value: 0.9}
        - {feature: kids, value: 0.1}
    targeting:
      top_share: 0.25
    """
)


def spec_with(old: str, new: str) -> str:
    assert old in SPEC
    return SPEC.replace(old, new)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("value: 0.9}", "value: .nan}"),
        ("value: 0.9}", "value: .inf}"),
        ("value: 0.9}", "value: -.Inf}"),
        ("value: 0.9}", "value: 'nan'}"),  # a text that Pydantic would read as NaN
        ("value: 0.9}", "value: 1e400}"),  # YAML text 1e400, a float overflow
        ("{value: -2.0}", "{value: 1.0e+400}"),  # a YAML float that overflows
        ("range: [0, 10000]", "range: [0, .inf]"),
        ("top_share: 0.25", "top_share: .nan"),
        ('expr: "income < 800"', 'expr: "income < 1e400"'),
        ('expr: "income < 800"', 'expr: "bin(income, [1, 1e999]) > 0"'),
    ],
)
def test_non_finite_numbers_in_a_spec_are_located_errors(old, new, write_spec, cli):
    text = spec_with(old, new)
    line = next(i for i, row in enumerate(text.splitlines(), 1) if new in row)
    path = write_spec(text)
    result = cli("--lang", "en", "models", "check", path)
    assert result.exit_code == 2, result.output
    assert f"spec.yaml:{line}:" in result.output
    assert "finite" in result.output or "invalid number" in result.output
    assert "Traceback" not in result.output


def test_a_list_as_a_variable_type_is_a_located_error(write_spec, cli):
    path = write_spec(spec_with("type: float", "type: [float]"))
    result = cli("--lang", "en", "models", "check", path)
    assert result.exit_code == 2
    assert "spec.yaml:13:11:" in result.output and "not recognised" in result.output
    assert "Traceback" not in result.output


def test_the_same_spec_with_finite_numbers_passes():
    """The attacks above change one number of a spec that is otherwise valid."""
    assert load_spec_text(SPEC).id == "tiny"
    with pytest.raises(SpecError):
        load_spec_text(spec_with("value: 0.9}", "value: .nan}"))


@pytest.mark.parametrize("bad", ["inf", "-inf", "nan", "NaN", "1e400"])
def test_non_finite_data_values_are_refused_by_score(bad, write_spec, tmp_path, cli):
    spec = write_spec(SPEC)
    data = tmp_path / "d.csv"
    data.write_text(f"income,kids\n500,1\n{bad},2\n", encoding="utf-8")
    out = tmp_path / "scores.csv"
    result = cli("--lang", "en", "score", spec, data, "-o", out)
    assert result.exit_code == 2, result.output
    assert "column 'income'" in result.output and "infinite" in result.output
    assert "row 2" in result.output or "rows 2" in result.output
    assert not out.exists()


def test_whole_numbers_beyond_2_to_the_53_are_refused(write_spec, tmp_path, cli):
    spec = write_spec(SPEC)
    data = tmp_path / "d.csv"
    data.write_text("income,kids\n500,1\n600,1e300\n", encoding="utf-8")
    result = cli("--lang", "en", "score", spec, data, "-o", tmp_path / "s.csv")
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "kids" in result.output


def overflowing_spec() -> str:
    """Finite numbers whose sum overflows: +∞ and −∞ terms give a NaN margin."""
    return spec_with(
        "    - {feature: kids, value: 0.1}",
        "    - {feature: kids, value: 1.0e+308}\n    - {feature: income, value: -1.0e+308}",
    )


def test_scores_that_overflow_to_nan_are_refused_with_their_rows(write_spec, tmp_path, cli):
    spec = write_spec(overflowing_spec())
    data = tmp_path / "d.csv"
    data.write_text("income,kids\n0,0\n10,10\n0,1\n", encoding="utf-8")
    # by hand: row 2 gives 1e309 - 1e309 = inf - inf = NaN; rows 1 and 3 stay finite
    assert math.isnan(1e308 * 10 + -1e308 * 10)
    out = tmp_path / "scores.csv"
    result = cli("--lang", "en", "score", spec, data, "-o", out)
    assert result.exit_code == 2, result.output
    assert "no score (NaN) for 1 household(s) (rows 2)" in result.output
    assert not out.exists()
    audit = cli("--lang", "en", "audit", "population", spec, data, "-g", "kids", "--min-cell", "0")
    assert audit.exit_code == 2, audit.output
    assert "rows 2" in audit.output and "Traceback" not in audit.output


@pytest.mark.parametrize("bad", ["nan", "inf", "-inf", "1e400", "2"])
def test_a_score_column_with_non_finite_values_is_refused(bad, tmp_path, cli):
    data = tmp_path / "d.csv"
    data.write_text(f"score,g\n0.5,a\n{bad},b\n0.1,a\n", encoding="utf-8")
    result = cli(
        "--lang", "en", "audit", "population", "-", data, "--score-col", "score", "-g", "g"
    )
    assert result.exit_code == 2, result.output
    assert "outside [0, 1]" in result.output and "rows 2" in result.output


def test_check_scores_names_the_rows():
    check_scores(np.array([0.0, 0.5, 1.0]))  # finite: nothing to say
    with pytest.raises(DataError, match=r"for 2 household\(s\) \(rows 11, 13\)"):
        check_scores(pl.Series([0.1, np.nan, 0.2, np.inf]), "f.csv", start=9)


# --------------------------------------------------------------------------- households


@pytest.mark.parametrize(
    "raw", ["inf", "-inf", "nan", "1e400", "Infinity", float("inf"), float("nan"), 10**400]
)
def test_household_values_refuse_non_finite_numbers(raw):
    for vtype in ("int", "float"):
        var = Variable(name="n", type=vtype, description=Text(fr="n", en="n"))
        value, why = parse_value(var, raw)
        assert value is None and why is not None, (vtype, raw)
        assert "does not fit" in why.render("en")


def test_household_values_keep_ordinary_numbers():
    var = Variable(name="n", type="int", description=Text(fr="n", en="n"))
    assert parse_value(var, "3") == (3, None)
    assert parse_value(var, 2**53) == (2**53, None)
    assert parse_value(var, 2**53 + 2)[0] is None  # beyond exact whole floats
    money = Variable(name="m", type="float", description=Text(fr="m", en="m"))
    assert parse_value(money, "1 200,50") == (1200.5, None)


@pytest.mark.parametrize("value", ["1e400", "inf", "nan", "-1e999"])
def test_explain_set_refuses_overflowing_numbers(value, cli):
    result = cli(
        "--lang", "en", "explain", "fr-cnaf-2014", "--archetype", "single-mother-rsa",
        "--set", f"n_children={value}",
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert f"n_children={value}" in result.output and "does not fit" in result.output
    assert "Traceback" not in result.output


def test_household_file_with_infinity_is_a_located_error(tmp_path, cli):
    house = tmp_path / "h.yaml"
    house.write_text("n_children: .inf\n", encoding="utf-8")
    result = cli("--lang", "en", "explain", "fr-cnaf-2014", "--household", house)
    assert result.exit_code == 2, result.output
    assert "h.yaml:1:13" in result.output and "non-finite" in result.output


@pytest.fixture(scope="module")
def client():
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from lanterne.web import create_app

    return TestClient(create_app(population_rows=2_000, max_upload_mb=0.25))


def household_form() -> dict[str, str]:
    from lanterne.model import load_model
    from lanterne.web.score import _defaults, form_fields

    model = load_model("fr-cnaf-2014")
    data = {"model": "fr-cnaf-2014"}
    for f in form_fields(model, _defaults(model, "single-mother-rsa"), "fr"):
        data[f.name] = f.value
    return data


@pytest.mark.parametrize("path", ["/score", "/score/search", "/score/download"])
@pytest.mark.parametrize("value", ["inf", "nan", "1e400", "-Infinity"])
def test_web_forms_refuse_non_finite_numbers(client, path, value):
    response = client.post(f"{path}?lang=en", data=household_form() | {"n_children": value})
    assert response.status_code in (400, 422), (response.status_code, response.text[:500])
    assert "Traceback" not in response.text
    assert "does not fit" in response.text


def test_web_form_with_an_ordinary_number_still_scores(client, tmp_path: Path):
    response = client.post("/score?lang=en", data=household_form() | {"n_children": "2"})
    assert response.status_code == 200
