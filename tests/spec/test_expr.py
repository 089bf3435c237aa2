"""The expression language: parsing, type checking, and vectorised evaluation.

Evaluation is checked against a small tree-walking interpreter written here in plain
Python, which shares no code with the Polars compiler.
"""

from __future__ import annotations

import math

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lanterne.spec.expr import ExprError, NameInfo, check_types, names_in, parse
from lanterne.spec.expr.compile_polars import to_polars
from lanterne.spec.expr.parse import (
    Arithmetic,
    Boolean,
    Call,
    Compare,
    Logical,
    Member,
    Name,
    Negate,
    Not,
    Number,
    String,
)

ENV = {
    "a": NameInfo("number"),
    "b": NameInfo("number"),
    "flag": NameInfo("bool"),
    "family": NameInfo("category", ("single", "couple", "single_parent")),
}


def reference(node, row):
    """Evaluate a tree on one row with plain Python: the independent implementation."""
    if isinstance(node, Number | String | Boolean):
        return node.value
    if isinstance(node, Name):
        return row[node.name]
    if isinstance(node, Negate):
        return -float(reference(node.operand, row))
    if isinstance(node, Not):
        return not reference(node.operand, row)
    if isinstance(node, Arithmetic):
        x, y = float(reference(node.left, row)), float(reference(node.right, row))
        if node.op == "+":
            return x + y
        if node.op == "-":
            return x - y
        return x * y if node.op == "*" else x / y
    if isinstance(node, Logical):
        x, y = reference(node.left, row), reference(node.right, row)
        return (x and y) if node.op == "and" else (x or y)
    if isinstance(node, Compare):
        x, y = reference(node.left, row), reference(node.right, row)
        if isinstance(x, bool) != isinstance(y, bool) or not isinstance(x, bool | str):
            x, y = (
                (float(x) if not isinstance(x, str) else x),
                (float(y) if not isinstance(y, str) else y),
            )
        return {
            "==": x == y,
            "!=": x != y,
            "<": x < y,
            "<=": x <= y,
            ">": x > y,
            ">=": x >= y,
        }[node.op]
    if isinstance(node, Member):
        x = reference(node.operand, row)
        values = [v.value for v in node.values]
        inside = x in values if isinstance(x, str) else float(x) in [float(v) for v in values]
        return not inside if node.negated else inside
    if isinstance(node, Call):
        args = [reference(a, row) for a in node.args]
        f = node.func
        if f == "min":
            return min(float(a) for a in args)
        if f == "max":
            return max(float(a) for a in args)
        if f == "abs":
            return abs(float(args[0]))
        if f == "clip":
            return min(max(float(args[0]), float(args[1])), float(args[2]))
        if f == "ratio":
            return float(args[2]) if float(args[1]) == 0 else float(args[0]) / float(args[1])
        if f == "if":
            out = args[1] if args[0] else args[2]
            return float(out) if not isinstance(out, str) else out
        if f == "between":
            return float(args[1]) <= float(args[0]) <= float(args[2])
        if f == "bin":
            return float(sum(float(args[0]) >= e for e in node.edges))
    raise AssertionError(node)


ROWS = [
    {"a": 0.0, "b": 0.0, "flag": True, "family": "single"},
    {"a": 3.5, "b": -2.0, "flag": False, "family": "couple"},
    {"a": 700.0, "b": 10.0, "flag": True, "family": "single_parent"},
    {"a": -1.0, "b": 4.0, "flag": False, "family": "single_parent"},
]

CASES = [
    "a + b * 2 - 1",
    "-a + 3",
    "a / 4",
    "ratio(a, b, 99)",
    "min(a, b, 1)",
    "max(a, b)",
    "abs(b)",
    "clip(a, 0, 10)",
    "between(a, 0, 10)",
    "bin(a, [0, 100, 500])",
    "if(flag, a, b)",
    "if(a > 1, 'x' == 'x', false)",
    "flag and a > 2",
    "not flag or b <= 0",
    "family == 'single_parent'",
    "family != 'couple'",
    "family in ['single', 'couple']",
    "family not in ['single']",
    "a in [0, 3.5]",
    "flag == true",
    "a + flag",
    "(a > 1) + (b > 1) + flag",
]


@pytest.mark.parametrize("source", CASES)
def test_compiled_expression_matches_reference(source: str) -> None:
    tree = parse(source)
    check_types(tree, ENV)
    frame = pl.DataFrame(ROWS).with_columns(
        pl.col("family").cast(pl.Enum(["single", "couple", "single_parent"]))
    )
    got = frame.select(to_polars(tree, ENV).alias("v"))["v"].to_list()
    want = [reference(tree, row) for row in ROWS]
    for g, w in zip(got, want, strict=True):
        if isinstance(w, float):
            assert g == pytest.approx(w, rel=1e-15, abs=1e-15)
        else:
            assert g == w


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(-1e6, 1e6, allow_nan=False),
            st.floats(-1e6, 1e6, allow_nan=False),
            st.booleans(),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_arithmetic_and_guards_agree_on_random_rows(rows) -> None:
    source = (
        "ratio(a, b, -1) + min(a, 2 * b) - clip(b, -5, 5) * if(flag, 1, 0) + bin(a, [-10, 0, 10])"
    )
    tree = parse(source)
    records = [{"a": a, "b": b, "flag": f, "family": "single"} for a, b, f in rows]
    frame = pl.DataFrame(records)
    got = frame.select(to_polars(tree, ENV).alias("v"))["v"].to_list()
    for g, record in zip(got, records, strict=True):
        want = reference(tree, record)
        assert math.isclose(g, want, rel_tol=1e-12, abs_tol=1e-9)


@pytest.mark.parametrize(
    "source",
    [
        "__import__('os')",
        "__import__('os').system('rm -rf /')",
        "a.__class__",
        "eval('1')",
        "open('/etc/passwd')",
        "lambda: 1",
        "[x for x in a]",
        "a; b",
        "a = 1",
        "a ** 2",
        "`a`",
    ],
)
def test_code_injection_is_a_parse_error(source: str) -> None:
    with pytest.raises(ExprError):
        tree = parse(source)
        check_types(tree, ENV)


def test_dunder_import_fails_at_the_first_character() -> None:
    with pytest.raises(ExprError) as info:
        parse("__import__('os')")
    assert info.value.offset == 0


def test_unknown_function_is_named() -> None:
    with pytest.raises(ExprError) as info:
        parse("exp(a)")
    assert "exp" in info.value.message.render("en")


def test_division_by_a_variable_is_refused_with_advice() -> None:
    with pytest.raises(ExprError) as info:
        parse("a / b")
    assert "ratio" in info.value.message.render("fr")
    with pytest.raises(ExprError):
        parse("a / 0")


@pytest.mark.parametrize(
    ("source", "offset"),
    [
        ("a +", 3),
        ("(a + b", 6),
        ("a < b < 3", 6),
        ("min(a)", 0),
        ("bin(a, [3, 1])", 7),
        ("a > ", 4),
        ("", 0),
    ],
)
def test_syntax_errors_point_at_the_right_character(source: str, offset: int) -> None:
    with pytest.raises(ExprError) as info:
        parse(source)
    assert info.value.offset == offset


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("family + 1", "number"),
        ("a and flag", "condition"),
        ("family == 'singel'", "singel"),
        ("family > 'single'", "=="),
        ("family == 3", "quoted"),
        ("if(a, 1, 2)", "condition"),
        ("if(flag, 'x', 2)", "same type"),
        ("a in ['x']", "same type"),
        ("unknown + 1", "unknown"),
        ("not a", "condition"),
    ],
)
def test_type_errors_are_explained(source: str, fragment: str) -> None:
    with pytest.raises(ExprError) as info:
        check_types(parse(source), ENV)
    assert fragment in info.value.message.render("en")


def test_names_in_lists_variables_not_functions() -> None:
    assert names_in(parse("ratio(a, b, 0) > 1 and family == 'single'")) == {"a", "b", "family"}


def test_types() -> None:
    assert check_types(parse("a > 1"), ENV) == "bool"
    assert check_types(parse("bin(a, [1])"), ENV) == "number"
    assert check_types(parse("if(flag, family, 'single')"), ENV) == "category"
