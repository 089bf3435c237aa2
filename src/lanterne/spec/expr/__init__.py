"""The safe expression language used for derived features and scorecard conditions.

An expression is parsed into a small tree by a hand-written parser and type-checked
against the declared variables; it is then compiled to Polars expressions (see
:mod:`~lanterne.spec.expr.compile_polars`), or evaluated for one row in plain Python
(:mod:`~lanterne.spec.expr.evaluate_row`). Nothing is ever passed to ``eval`` or ``exec``: the only
names an expression can reach are the spec's own variables and the functions below.

Grammar, from the loosest to the tightest binding::

    expr       := or_expr
    or_expr    := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*
    not_expr   := "not" not_expr | comparison
    comparison := sum (("==" | "!=" | "<" | "<=" | ">" | ">=") sum
                       | ["not"] "in" "[" literal ("," literal)* "]")?
    sum        := product (("+" | "-") product)*
    product    := unary (("*" | "/") unary)*
    unary      := "-" unary | atom
    atom       := number | string | "true" | "false" | name | name "(" args ")" | "(" expr ")"

Functions: ``min(a, b, ...)``, ``max(a, b, ...)``, ``abs(x)``, ``clip(x, low, high)``,
``ratio(a, b, if_zero)`` (a / b, or ``if_zero`` when b is 0), ``if(condition, a, b)``,
``between(x, low, high)`` (inclusive), ``bin(x, [e1, e2, ...])`` (how many edges are
≤ x: 0 below the first edge, 1 from e1 up to e2, ...).

Limits: parentheses, function calls, ``-`` and ``not`` nest at most :data:`MAX_DEPTH`
levels deep, and an expression holds at most :data:`MAX_OPERATORS` operators. Long flat
chains (``a + b + c + ...``) are read, checked and compiled in a loop, not recursively.

Division ``/`` only accepts a non-zero number written in the expression: dividing by a
variable must say what happens at zero, with ``ratio``.

Example:
    >>> tree = parse("ratio(rent, income, 1) > 0.4 and family_type == 'single_parent'")
    >>> sorted(names_in(tree))
    ['family_type', 'income', 'rent']
"""

from __future__ import annotations

# the language's API; the node classes are in lanterne.spec.expr.parse
from lanterne.spec.expr.parse import (
    FUNCTIONS,
    MAX_DEPTH,
    MAX_OPERATORS,
    Call,
    ExprError,
    ExprType,
    Name,
    Node,
    Number,
    chain,
    children,
    names_in,
    parse,
    walk,
)
from lanterne.spec.expr.types import NameInfo, check_types

__all__ = [
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_OPERATORS",
    "Call",
    "ExprError",
    "ExprType",
    "Name",
    "NameInfo",
    "Node",
    "Number",
    "chain",
    "check_types",
    "children",
    "names_in",
    "parse",
    "walk",
]
