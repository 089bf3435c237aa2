"""Compile a checked expression tree into a vectorised Polars expression.

Every name becomes a column reference; the caller adds derived features as columns in
dependency order, so an expression never needs to know whether a name is an input
variable or a feature.

Example:
    >>> import polars as pl
    >>> from lanterne.spec.expr import NameInfo, parse
    >>> env = {"rent": NameInfo("number"), "income": NameInfo("number")}
    >>> expr = to_polars(parse("ratio(rent, income, 1) > 0.4"), env)
    >>> frame = pl.DataFrame({"rent": [500, 100], "income": [1000, 0]})
    >>> frame.select(expr.alias("x"))["x"].to_list()
    [True, True]
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import reduce

import polars as pl

from lanterne.spec.expr import (
    Arithmetic,
    Boolean,
    Call,
    Compare,
    Logical,
    Member,
    Name,
    NameInfo,
    Negate,
    Node,
    Not,
    Number,
    String,
    chain,
    check_types,
)

_ARITHMETIC = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
}


def to_polars(node: Node, env: Mapping[str, NameInfo]) -> pl.Expr:
    """Build the Polars expression for a type-checked tree."""
    return _Compiler(env).expr(node)


class _Compiler:
    def __init__(self, env: Mapping[str, NameInfo]) -> None:
        self.env = env

    def kind(self, node: Node) -> str:
        return check_types(node, self.env)

    def number(self, node: Node) -> pl.Expr:
        """The node as a Float64 column: booleans count as 0 and 1."""
        if isinstance(node, Number):
            return pl.lit(float(node.value), dtype=pl.Float64)
        if isinstance(node, Boolean):
            return pl.lit(1.0 if node.value else 0.0, dtype=pl.Float64)
        return self.expr(node).cast(pl.Float64)

    def expr(self, node: Node) -> pl.Expr:
        if isinstance(node, Number):
            return pl.lit(float(node.value), dtype=pl.Float64)
        if isinstance(node, String):
            return pl.lit(node.value, dtype=pl.String)
        if isinstance(node, Boolean):
            return pl.lit(node.value, dtype=pl.Boolean)
        if isinstance(node, Name):
            return pl.col(node.name)
        if isinstance(node, Negate):
            return -self.number(node.operand)
        if isinstance(node, Not):
            return ~self.expr(node.operand)
        if isinstance(node, Arithmetic):  # a chain in a loop: it may be long
            first, rest = chain(node)
            result = self.number(first)
            for op, right in rest:
                result = _ARITHMETIC[op](result, self.number(right))
            return result
        if isinstance(node, Logical):
            # runs of one operator as one horizontal and/or (Kleene logic, as & and |):
            # Polars plans a deep tree of & or | very slowly
            first, rest = chain(node)
            result = self.expr(first)
            i = 0
            while i < len(rest):
                op, run = rest[i][0], [result]
                while i < len(rest) and rest[i][0] == op:
                    run.append(self.expr(rest[i][1]))
                    i += 1
                result = pl.all_horizontal(run) if op == "and" else pl.any_horizontal(run)
            return result
        if isinstance(node, Compare):
            return self.compare(node)
        if isinstance(node, Member):
            values = [v.value for v in node.values]
            if isinstance(node.values[0], String):
                column = self.expr(node.operand).cast(pl.String)
                result = column.is_in([str(v) for v in values])
            else:
                result = self.number(node.operand).is_in([float(v) for v in values])
            return ~result if node.negated else result
        if isinstance(node, Call):
            return self.call(node)
        raise AssertionError(f"unhandled node {node!r}")  # pragma: no cover

    def compare(self, node: Compare) -> pl.Expr:
        kinds = {self.kind(node.left), self.kind(node.right)}
        if kinds == {"category"}:
            left = self.expr(node.left).cast(pl.String)
            right = self.expr(node.right).cast(pl.String)
        elif kinds == {"bool"}:
            left, right = self.expr(node.left), self.expr(node.right)
        else:
            left, right = self.number(node.left), self.number(node.right)
        return {
            "==": left == right,
            "!=": left != right,
            "<": left < right,
            "<=": left <= right,
            ">": left > right,
            ">=": left >= right,
        }[node.op]

    def call(self, node: Call) -> pl.Expr:
        f, args = node.func, node.args
        if f == "min":
            return pl.min_horizontal([self.number(a) for a in args])
        if f == "max":
            return pl.max_horizontal([self.number(a) for a in args])
        if f == "abs":
            return self.number(args[0]).abs()
        if f == "clip":
            x, low, high = (self.number(a) for a in args)
            return pl.min_horizontal(pl.max_horizontal(x, low), high)
        if f == "ratio":
            a, b, if_zero = (self.number(x) for x in args)
            return pl.when(b == 0).then(if_zero).otherwise(a / b)
        if f == "if":
            condition = self.expr(args[0])
            kinds = {self.kind(args[1]), self.kind(args[2])}
            if kinds == {"number"} or kinds == {"bool", "number"}:
                a, b = self.number(args[1]), self.number(args[2])
            else:
                a, b = self.expr(args[1]), self.expr(args[2])
            return pl.when(condition).then(a).otherwise(b)
        if f == "between":
            x, low, high = (self.number(a) for a in args)
            return (x >= low) & (x <= high)
        if f == "bin":
            x = self.number(args[0])
            steps = [(x >= edge).cast(pl.Float64) for edge in node.edges]
            return reduce(lambda a, b: a + b, steps, pl.lit(0.0, dtype=pl.Float64))
        raise AssertionError(f"unhandled function {f}")  # pragma: no cover
