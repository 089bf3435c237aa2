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

from collections.abc import Mapping, Sequence
from functools import reduce

import polars as pl

from lanterne.spec.expr.backend import Backend
from lanterne.spec.expr.parse import Node
from lanterne.spec.expr.types import NameInfo

_ARITHMETIC = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
}


def to_polars(node: Node, env: Mapping[str, NameInfo]) -> pl.Expr:
    """Build the Polars expression for a type-checked tree."""
    return PolarsBackend(env).expr(node)


class PolarsBackend(Backend[pl.Expr]):
    """Each operation as a Polars expression on whole columns."""

    def constant(self, value: float | str | bool) -> pl.Expr:
        if isinstance(value, bool):
            return pl.lit(value, dtype=pl.Boolean)
        if isinstance(value, str):
            return pl.lit(value, dtype=pl.String)
        return pl.lit(value, dtype=pl.Float64)

    def column(self, name: str) -> pl.Expr:
        return pl.col(name)

    def to_float(self, x: pl.Expr) -> pl.Expr:
        return x.cast(pl.Float64)

    def to_text(self, x: pl.Expr) -> pl.Expr:
        return x.cast(pl.String)

    def negate(self, x: pl.Expr) -> pl.Expr:
        return -x

    def logical_not(self, x: pl.Expr) -> pl.Expr:
        return ~x

    def arithmetic(self, first: pl.Expr, rest: list[tuple[str, pl.Expr]]) -> pl.Expr:
        result = first
        for op, right in rest:
            result = _ARITHMETIC[op](result, right)
        return result

    def logical(self, first: pl.Expr, rest: list[tuple[str, pl.Expr]]) -> pl.Expr:
        # runs of one operator as one horizontal and/or (Kleene logic, as & and |):
        # Polars plans a deep tree of & or | very slowly
        result, i = first, 0
        while i < len(rest):
            op, run = rest[i][0], [result]
            while i < len(rest) and rest[i][0] == op:
                run.append(rest[i][1])
                i += 1
            result = pl.all_horizontal(run) if op == "and" else pl.any_horizontal(run)
        return result

    def compare(self, op: str, left: pl.Expr, right: pl.Expr) -> pl.Expr:
        return {
            "==": left == right,
            "!=": left != right,
            "<": left < right,
            "<=": left <= right,
            ">": left > right,
            ">=": left >= right,
        }[op]

    def member(self, x: pl.Expr, values: Sequence[float | str], negated: bool) -> pl.Expr:
        result = x.is_in(list(values))
        return ~result if negated else result

    def extreme(self, values: list[pl.Expr], *, smallest: bool) -> pl.Expr:
        return pl.min_horizontal(values) if smallest else pl.max_horizontal(values)

    def absolute(self, x: pl.Expr) -> pl.Expr:
        return x.abs()

    def ratio(self, a: pl.Expr, b: pl.Expr, if_zero: pl.Expr) -> pl.Expr:
        return pl.when(b == 0).then(if_zero).otherwise(a / b)

    def choose(self, condition: pl.Expr, a: pl.Expr, b: pl.Expr) -> pl.Expr:
        return pl.when(condition).then(a).otherwise(b)

    def between(self, x: pl.Expr, low: pl.Expr, high: pl.Expr) -> pl.Expr:
        return (x >= low) & (x <= high)

    def bin(self, x: pl.Expr, edges: list[float]) -> pl.Expr:
        steps = [(x >= edge).cast(pl.Float64) for edge in edges]
        return reduce(lambda a, b: a + b, steps, pl.lit(0.0, dtype=pl.Float64))
