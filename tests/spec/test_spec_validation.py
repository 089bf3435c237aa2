"""Loading a spec reports every problem with its file, line and column."""

from __future__ import annotations

import pytest
from tests.conftest import MINIMAL_SPEC

from lanterne.errors import SpecError
from lanterne.spec import load_spec, load_spec_text


def problems_of(text: str) -> list:
    with pytest.raises(SpecError) as info:
        load_spec_text(text, "m.yaml")
    return info.value.problems


def line_of(text: str, fragment: str) -> int:
    """1-based line of the first line containing ``fragment``."""
    for number, line in enumerate(text.splitlines(), start=1):
        if fragment in line:
            return number
    raise AssertionError(fragment)


def col_of(text: str, fragment: str) -> int:
    line = text.splitlines()[line_of(text, fragment) - 1]
    return line.index(fragment) + 1


def replace(old: str, new: str) -> str:
    assert old in MINIMAL_SPEC, old
    return MINIMAL_SPEC.replace(old, new, 1)


def only(problems: list, fragment: str):
    matching = [p for p in problems if fragment in p.message.render("en")]
    assert matching, [p.render("en") for p in problems]
    return matching[0]


def test_the_minimal_spec_is_valid() -> None:
    spec = load_spec_text(MINIMAL_SPEC)
    assert spec.id == "tiny"
    assert spec.status_counts() == {"published": 0, "reconstructed": 0, "illustrative": 5}


def test_yaml_syntax_error_has_a_location() -> None:
    text = replace("agency: Test agency", "agency: [unclosed")
    problem = problems_of(text)[0]
    assert problem.file == "m.yaml"
    assert problem.line is not None and problem.line >= line_of(text, "agency:")
    assert "YAML" in problem.render("en")


def test_duplicate_key() -> None:
    text = replace("country: FR", "country: FR\ncountry: BE")
    problem = only(problems_of(text), "duplicate key")
    assert (problem.line, problem.column) == (line_of(text, "country: BE"), 1)


def test_unknown_field_points_at_the_key() -> None:
    text = replace("    mutable: true\n", "    mutable: true\n    mutabel: false\n")
    problem = only(problems_of(text), "unknown field 'mutabel'")
    assert (problem.line, problem.column) == (line_of(text, "mutabel"), 5)


def test_missing_required_field() -> None:
    text = replace("agency: Test agency\n", "")
    problem = only(problems_of(text), "required field 'agency'")
    assert problem.line == 1
    assert problem.path == "agency"


def test_wrong_type_for_a_coefficient() -> None:
    text = replace("{feature: rsa, value: 0.7}", "{feature: rsa, value: high}")
    problem = only(problems_of(text), "a number was expected")
    assert problem.line == line_of(text, "value: high")
    assert problem.column == col_of(text, "high")


def test_bad_variable_type_and_status_values() -> None:
    text = replace("    type: int\n", "    type: integer\n").replace(
        "status: illustrative", "status: guessed"
    )
    problems = problems_of(text)
    assert only(problems, "'integer' not recognised").line == line_of(text, "type: integer")
    assert only(problems, "'guessed' not recognised").line == line_of(text, "status: guessed")


def test_unknown_model_kind() -> None:
    problems = problems_of(replace("kind: logistic", "kind: neural"))
    assert only(problems, "model kind")


def test_unknown_name_in_expression_points_inside_the_expression() -> None:
    text = replace('expr: "income < 800"', 'expr: "incme < 800"')
    problem = only(problems_of(text), "unknown name 'incme'")
    assert problem.line == line_of(text, "incme")
    # the column is that of the name inside the quoted expression
    assert problem.column == col_of(text, "incme")
    assert "did you mean 'income'" in problem.render("en")


def test_parse_error_in_expression_points_at_the_character() -> None:
    text = replace('expr: "income < 800"', "expr: income < < 800")
    problem = problems_of(text)[0]
    assert problem.line == line_of(text, "income < < 800")
    assert problem.column == col_of(text, "< 800")


def test_malicious_expression_is_rejected_as_a_parse_error() -> None:
    text = replace('expr: "income < 800"', "expr: \"__import__('os').system('echo hacked')\"")
    problem = only(problems_of(text), "unexpected character '_'")
    assert problem.column == col_of(text, "__import__")


def test_coefficient_for_an_undeclared_variable() -> None:
    text = replace("{feature: kids, value: 0.1}", "{feature: children, value: 0.1}")
    problem = only(problems_of(text), "coefficient for 'children'")
    assert problem.line == line_of(text, "feature: children")


def test_coefficient_on_a_category_is_refused() -> None:
    problem = only(
        problems_of(replace("{feature: kids, value: 0.1}", "{feature: family, value: 0.1}")),
        "is a category",
    )
    assert problem.line is not None


def test_sensitive_variable_used_by_the_model() -> None:
    problems = problems_of(
        replace("{feature: kids, value: 0.1}", "{feature: sex, value: 0.1}").replace(
            "expr: \"family == 'single_parent'\"", "expr: \"sex == 'female'\""
        )
    )
    assert only(problems, "sensitive variable 'sex'")
    assert only(problems, "'sex' is a sensitive variable")


def test_missing_source_for_a_number() -> None:
    text = replace("  source: doc\n  intercept", "  intercept")
    problems = problems_of(text)
    missing = [p for p in problems if "missing source" in p.message.render("en")]
    assert len(missing) == 5  # the intercept and four coefficients
    assert missing[0].line == line_of(text, "intercept:")


def test_unknown_source_reference() -> None:
    text = replace("  source: doc\n  intercept", "  source: dok\n  intercept")
    problem = only(problems_of(text), "source 'dok' is not declared")
    assert problem.line == line_of(text, "source: dok")
    assert "did you mean 'doc'" in problem.render("en")


def test_source_without_location() -> None:
    text = replace("    url: https://example.org/doc\n", "")
    assert only(problems_of(text), "needs a url")


def test_feature_used_before_it_is_defined() -> None:
    text = replace('expr: "income < 800"', 'expr: "single_parent and income < 800"')
    assert only(problems_of(text), "used before it is defined")


def test_unknown_category_literal() -> None:
    text = replace("family == 'single_parent'", "family == 'lone_parent'")
    problem = only(problems_of(text), "'lone_parent' is not a category of family")
    assert problem.column == col_of(text, "'lone_parent'")


def test_reserved_and_duplicate_names() -> None:
    text = replace("  - name: kids\n", "  - name: score\n").replace(
        "{feature: kids, value: 0.1}", "{feature: income, value: 0.1}"
    )
    text = text.replace("  - name: single_parent\n", "  - name: low_income\n")
    problems = problems_of(text)
    assert only(problems, "'score' is reserved")
    assert only(problems, "already used")


def test_range_and_categories_consistency() -> None:
    text = replace("range: [0, 10000]", "range: [10000, 0]").replace(
        "    type: bool\n", "    type: bool\n    categories: [yes, no]\n"
    )
    problems = problems_of(text)
    assert only(problems, "min > max")
    assert only(problems, "only category variables")


def test_yaml_number_where_a_category_text_is_expected_gets_a_hint() -> None:
    text = replace("categories: [single, couple, single_parent]", "categories: [single, 25_34]")
    assert only(problems_of(text), "put the value in quotes")


def test_targeting_needs_exactly_one_rule() -> None:
    text = replace("  top_share: 0.25\n", "  top_share: 0.25\n  threshold: 0.5\n")
    assert only(problems_of(text), "exactly one of top_share or threshold")
    text = replace("  top_share: 0.25\n", "  top_share: 1.5\n")
    assert only(problems_of(text), "out of bounds")


def test_every_problem_is_reported_at_once() -> None:
    text = (
        replace("country: FR", "country: France")
        .replace('expr: "income < 800"', 'expr: "incme < 800"')
        .replace("{feature: kids, value: 0.1}", "{feature: kidz, value: 0.1}")
        .replace("    url: https://example.org/doc\n", "")
    )
    problems = problems_of(text)
    assert len(problems) >= 4
    lines = [p.line for p in problems]
    assert lines == sorted(lines)


def test_messages_exist_in_both_languages() -> None:
    problem = problems_of(replace('expr: "income < 800"', 'expr: "incme < 800"'))[0]
    assert "nom inconnu" in problem.render("fr")
    assert "unknown name" in problem.render("en")


def test_load_spec_reads_files_and_reports_missing_ones(write_spec, tmp_path) -> None:
    assert load_spec(write_spec(MINIMAL_SPEC)).id == "tiny"
    with pytest.raises(SpecError) as info:
        load_spec(tmp_path / "nope.yaml")
    assert "not found" in info.value.render("en")


def test_yaml_tags_that_would_build_objects_are_refused() -> None:
    text = replace("agency: Test agency", "agency: !!python/object/apply:os.system ['echo hi']")
    assert only(problems_of(text), "not allowed")


def test_cli_models_check_exit_codes(cli, write_spec) -> None:
    good = write_spec(MINIMAL_SPEC, "good.yaml")
    bad = write_spec(replace('expr: "income < 800"', 'expr: "incme < 800"'), "bad.yaml")
    assert cli("models", "check", good).exit_code == 0
    result = cli("--lang", "en", "models", "check", good, bad)
    assert result.exit_code == 2
    assert f"{bad}:{line_of(MINIMAL_SPEC, 'income < 800')}:" in result.stderr


def test_category_labels_must_name_declared_categories() -> None:
    text = replace(
        "    categories: [single, couple, single_parent]\n",
        "    categories: [single, couple, single_parent]\n"
        "    category_labels:\n"
        "      single_parent: {fr: parent isolé, en: single parent}\n"
        "      lone: {fr: seul, en: alone}\n",
    )
    problem = only(problems_of(text), "'lone' is not one of the declared categories")
    assert problem.line == line_of(text, "lone:")
    spec = load_spec_text(text.replace("      lone: {fr: seul, en: alone}\n", ""))
    assert spec.category_label("family", "single_parent", "fr") == "parent isolé"
    assert spec.category_label("family", "couple", "fr") == "couple"
