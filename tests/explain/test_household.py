"""Household input: files, --set, archetypes, and precise errors."""

from __future__ import annotations

import json
import textwrap

import pytest

from lanterne.errors import DataError
from lanterne.explain.household import build_household
from lanterne.inputs.sources import Person
from lanterne.inputs.values import parse_value
from lanterne.model import load_model
from lanterne.population.archetypes import load_archetypes


@pytest.fixture(scope="module")
def cnaf():
    return load_model("fr-cnaf-2014")


def _messages(err: DataError, lang: str = "en") -> list[str]:
    return [p.render(lang) for p in err.problems]


def test_archetype_then_file_then_set_override_in_that_order(cnaf, tmp_path) -> None:
    path = tmp_path / "h.yaml"
    path.write_text("income_monthly: 900\ncontacts_12m: 7\n", encoding="utf-8")
    house = build_household(cnaf, archetype="single-mother-rsa", file=path, sets=["contacts_12m=1"])
    base = load_archetypes("fr-households").household("single-mother-rsa")
    assert house.values["income_monthly"] == 900.0  # file over archetype
    assert house.values["contacts_12m"] == 1  # --set over file
    assert house.values["rent_monthly"] == base["rent_monthly"]  # archetype kept
    assert house.frame.height == 1
    assert house.frame["head_activity"].dtype.__class__.__name__ == "Enum"
    assert "avg_rsa_12m" not in house.values  # other models' variables are dropped


def test_yaml_file_with_person_block_and_french_spellings(cnaf, tmp_path) -> None:
    base = load_archetypes("fr-households").household("couple-two-earners")
    used = {k: v for k, v in base.items() if k in cnaf.used_variables}
    used["income_monthly"] = "4 200,50"  # French thousands and decimal comma
    used["receives_rsa"] = "non"
    path = tmp_path / "h.yaml"
    body = "\n".join(f"{k}: {json.dumps(v)}" for k, v in used.items())
    person = textwrap.dedent(
        """\
        person:
          nom: Camille Martin
          adresse: "12 rue des Lilas; 59000 Lille"
          numero_allocataire: "0012345"
          email: camille@example.org
        """
    )
    path.write_text(body + "\n" + person, encoding="utf-8")
    house = build_household(cnaf, file=path)
    assert house.values["income_monthly"] == 4200.5
    assert house.values["receives_rsa"] is False
    assert house.person == Person(
        name="Camille Martin",
        address="12 rue des Lilas; 59000 Lille",
        file_number="0012345",
        email="camille@example.org",
    )


def test_json_and_one_row_csv_give_the_same_household(cnaf, tmp_path, sample) -> None:
    row = sample.head(1)
    csv = tmp_path / "h.csv"
    row.with_columns().write_csv(csv)
    values = {k: v for k, v in row.row(0, named=True).items() if k != "household_id"}
    js = tmp_path / "h.json"
    js.write_text(json.dumps(values), encoding="utf-8")
    a = build_household(cnaf, file=csv)
    b = build_household(cnaf, file=js)
    assert a.values == b.values
    assert float(cnaf.scores(a.frame, prepared=True)[0]) == pytest.approx(
        float(cnaf.score(sample.head(1))["score"][0]), abs=1e-12
    )


def test_unknown_variable_in_a_file_is_located_with_a_suggestion(cnaf, tmp_path) -> None:
    path = tmp_path / "h.yaml"
    path.write_text("family_type: single\nincome_montly: 1200\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        build_household(cnaf, file=path)
    messages = _messages(info.value)
    assert any(
        m.startswith(f"{path}:2:")
        and "unknown variable 'income_montly'" in m
        and "did you mean 'income_monthly'?" in m
        for m in messages
    ), messages


def test_bad_values_name_the_variable_and_what_is_expected(cnaf, tmp_path) -> None:
    path = tmp_path / "h.yaml"
    path.write_text(
        "months_worked_12m: 14\nreceives_rsa: maybe\nhead_activity: unemploed\n"
        "income_monthly: lots\nn_children: 1.5\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError) as info:
        build_household(cnaf, file=path)
    text = "\n".join(_messages(info.value))
    assert (
        f"{path}:1:20: 'months_worked_12m': 14 is outside the allowed range: "
        "a whole number between 0 and 12" in text
    )
    assert f"{path}:2:15: 'receives_rsa': 'maybe' does not fit: yes or no" in text
    assert "'head_activity': 'unemploed' is not a possible value" in text
    assert "(did you mean 'unemployed'?)" in text
    assert "'income_monthly': 'lots' does not fit: a number between 0 and 100,000" in text
    assert "'n_children': 1.5 does not fit: a whole number" in text


def test_missing_variables_are_listed(cnaf) -> None:
    with pytest.raises(DataError) as info:
        build_household(cnaf, sets=["income_monthly=1000"])
    (message,) = _messages(info.value)
    assert message.startswith("missing variables for model fr-cnaf-2014: ")
    assert "receives_rsa" in message and "income_monthly" not in message.split(":")[1]


def test_pair_errors_name_the_pair_and_the_cli_adds_its_option(cnaf, cli) -> None:
    with pytest.raises(DataError) as info:
        build_household(cnaf, archetype="single-mother-rsa", sets=["qpv", "unemployed=yes"])
    messages = _messages(info.value)
    assert "qpv: expected VARIABLE=VALUE, got 'qpv'" in messages
    assert any(
        m.startswith("unemployed=yes: unknown variable 'unemployed'")
        and "computed by the model from: head_activity, partner_activity" in m
        for m in messages
    ), messages
    assert not any("--" in m for m in messages), messages  # the library names no option
    result = cli(
        "--lang",
        "en",
        "explain",
        "fr-cnaf-2014",
        "--archetype",
        "single-mother-rsa",
        "--set",
        "qpv",
        "--set",
        "unemployed=yes",
    )
    assert result.exit_code == 2
    err = " ".join(result.stderr.split())
    assert "--set qpv: expected VARIABLE=VALUE, got 'qpv'" in err, err
    assert "--set unemployed=yes: unknown variable 'unemployed'" in err, err


def test_missing_variables_the_cli_says_how_to_give_them(cnaf, cli) -> None:
    with pytest.raises(DataError) as info:
        build_household(cnaf, sets=["income_monthly=1000"])
    assert "--" not in _messages(info.value)[0]
    result = cli("--lang", "en", "explain", "fr-cnaf-2014", "--set", "income_monthly=1000")
    err = " ".join(result.stderr.split())
    assert result.exit_code == 2 and "missing variables for model fr-cnaf-2014: " in err
    assert "with --set VARIABLE=VALUE, or start from an archetype (--archetype)" in err, err


def test_yaml_pitfalls_and_person_typos(cnaf, tmp_path) -> None:
    path = tmp_path / "h.yaml"
    path.write_text(
        "family_type: 7\nperson:\n  nmae: X\nhead_activity: [employed]\n", encoding="utf-8"
    )
    with pytest.raises(DataError) as info:
        build_household(cnaf, file=path)
    text = "\n".join(_messages(info.value))
    assert "put the value in quotes" in text
    assert f"{path}:3:3: unknown field 'nmae' in 'person' (did you mean 'name'?)" in text
    assert "'head_activity': a plain value was expected" in text


def test_csv_with_two_rows_or_bad_format_is_refused(cnaf, tmp_path, sample) -> None:
    csv = tmp_path / "two.csv"
    sample.head(2).write_csv(csv)
    with pytest.raises(DataError, match="single data row"):
        build_household(cnaf, file=csv)
    odd = tmp_path / "h.xlsx"
    odd.write_text("x", encoding="utf-8")
    with pytest.raises(DataError, match=r"expected \.yaml, \.json or \.csv"):
        build_household(cnaf, file=odd)
    bad = tmp_path / "h.json"
    bad.write_text('{"qpv": true,,}', encoding="utf-8")
    with pytest.raises(DataError) as info:
        build_household(cnaf, file=bad)
    assert info.value.problems[0].line == 1 and "invalid JSON" in _messages(info.value)[0]


def test_parse_value_accepts_what_prepare_accepts(cnaf) -> None:
    var = cnaf.spec.variable("receives_rsa")
    for text in ("oui", "Non", "true", "0", "vrai", "yes"):
        assert parse_value(var, text)[1] is None
    dept = load_model("fr-cnaf-dmde-2026").spec.variable("department")
    assert parse_value(dept, 59) == ("59", None)  # YAML read it as a number
    assert parse_value(dept, "2A") == ("2A", None)


def test_form_values_layer_between_file_and_sets_and_are_located(cnaf) -> None:
    house = build_household(
        cnaf,
        archetype="single-mother-rsa",
        values={"income_monthly": "1 250,75", "qpv": "", "n_children": 3},
        sets=["n_children=1"],
    )
    base = load_archetypes("fr-households").household("single-mother-rsa")
    assert house.values["income_monthly"] == 1250.75
    assert house.values["qpv"] == base["qpv"]  # a blank field keeps the archetype's value
    assert house.values["n_children"] == 1  # --set wins over the form
    assert float(house.frame["income_monthly"][0]) == 1250.75
    with pytest.raises(DataError) as info:
        build_household(
            cnaf, archetype="single-mother-rsa", values={"rent_monthly": "beaucoup", "rsa": "1"}
        )
    messages = _messages(info.value)
    assert any(m.startswith("rent_monthly: 'beaucoup' does not fit") for m in messages), messages
    assert any(m.startswith("rsa: unknown variable 'rsa'") for m in messages), messages
