"""Evaluate a checked expression on one row in plain Python, with Polars' exact answer.

Running a Polars query for a single row costs milliseconds, almost all of it planning; a
web page explaining one household cannot afford one per derived feature. This back end
turns a tree into a Python function of one row (a ``dict``) that follows exactly what
:mod:`~lanterne.spec.expr.compile_polars` asks of Polars: numbers are cast to 64-bit
floats, booleans count as 0 and 1, categories compare as text, ``bin`` adds its steps
from 0 in order. These are single IEEE operations, so Python gets the same bits.

Whenever Python and Polars could part ways — a missing value, NaN, an overflow, a tie
between zeros of opposite signs — the function raises :class:`GiveUp` and the caller
uses Polars. ``tests/model/test_fast_paths.py`` checks both agree bit for bit.

Example:
    >>> from lanterne.spec.expr import NameInfo, parse
    >>> f = to_python(parse("ratio(rent, income, 1) > 0.4"), {
    ...     "rent": NameInfo("number"), "income": NameInfo("number")})
    >>> f({"rent": 500, "income": 1000}), f({"rent": 100, "income": 0})
    (True, True)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from lanterne.spec.expr.backend import Backend
from lanterne.spec.expr.parse import Node
from lanterne.spec.expr.types import NameInfo

Row = dict[str, Any]
Evaluate = Callable[[Row], Any]


class GiveUp(Exception):
    """Python cannot promise Polars' answer here: use the Polars path."""


def to_python(node: Node, env: Mapping[str, NameInfo]) -> Evaluate:
    """A Python function of one row giving the type-checked tree's value."""
    return RowBackend(env).expr(node)


def as_float(value: Any) -> float:
    """``.cast(pl.Float64)``: booleans as 0/1, integers rounded to the nearest float."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return finite(float(value))
    raise GiveUp


def finite(value: float) -> float:
    """The value, unless it is NaN (Polars orders NaN above every number, Python never)."""
    if value != value:
        raise GiveUp
    return value


def _pick(values: list[float], smallest: bool) -> float:
    """``pl.min_horizontal`` / ``max_horizontal`` when no two zeros of opposite signs tie."""
    best = min(values) if smallest else max(values)
    if best == 0 and len({math.copysign(1.0, v) for v in values if v == 0}) > 1:
        raise GiveUp  # which zero Polars keeps is not ours to guess
    return best


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise GiveUp
    return value


def _text(value: Any) -> str:
    """``.cast(pl.String)`` of a category (an Enum value reads as its text)."""
    if not isinstance(value, str):
        raise GiveUp
    return value


_OPERATIONS: dict[str, Callable[[float, float], float]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
}

_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


class RowBackend(Backend[Evaluate]):
    """Each operation as a Python closure over one row."""

    def constant(self, value: float | str | bool) -> Evaluate:
        return lambda row: value

    def column(self, name: str) -> Evaluate:
        return lambda row: row[name]

    def to_float(self, x: Evaluate) -> Evaluate:
        return lambda row: as_float(x(row))

    def to_text(self, x: Evaluate) -> Evaluate:
        return lambda row: _text(x(row))

    def negate(self, x: Evaluate) -> Evaluate:
        return lambda row: -x(row)

    def logical_not(self, x: Evaluate) -> Evaluate:
        return lambda row: not _bool(x(row))

    def arithmetic(self, first: Evaluate, rest: list[tuple[str, Evaluate]]) -> Evaluate:
        """A chain ``a + b - c ...`` in a loop, left to right like Polars' nested sums."""
        steps = [(_OPERATIONS[op], right) for op, right in rest]

        def evaluate(row: Row) -> float:
            total = first(row)
            for operation, right in steps:  # ZeroDivisionError: give up
                total = finite(operation(total, right(row)))
            return total

        return evaluate

    def logical(self, first: Evaluate, rest: list[tuple[str, Evaluate]]) -> Evaluate:
        steps = [(op == "and", right) for op, right in rest]

        def evaluate(row: Row) -> bool:
            result = _bool(first(row))
            for conjunction, right in steps:  # both sides always evaluated, as in Polars
                value = _bool(right(row))
                result = (result & value) if conjunction else (result | value)
            return result

        return evaluate

    def compare(self, op: str, left: Evaluate, right: Evaluate) -> Evaluate:
        compare = _COMPARISONS[op]
        return lambda row: compare(left(row), right(row))

    def member(self, x: Evaluate, values: Sequence[float | str], negated: bool) -> Evaluate:
        if isinstance(values[0], str):
            texts = frozenset(values)
            return lambda row: (x(row) in texts) != negated
        numbers = list(values)

        def evaluate(row: Row) -> bool:
            value = x(row)
            if value == 0 and math.copysign(1.0, value) < 0:
                raise GiveUp  # how is_in hashes -0.0 is not ours to guess
            return (value in numbers) != negated

        return evaluate

    def extreme(self, values: list[Evaluate], *, smallest: bool) -> Evaluate:
        return lambda row: _pick([v(row) for v in values], smallest)

    def absolute(self, x: Evaluate) -> Evaluate:
        return lambda row: abs(x(row))

    def ratio(self, a: Evaluate, b: Evaluate, if_zero: Evaluate) -> Evaluate:
        def evaluate(row: Row) -> float:
            divisor = b(row)
            return if_zero(row) if divisor == 0 else finite(a(row) / divisor)

        return evaluate

    def choose(self, condition: Evaluate, a: Evaluate, b: Evaluate) -> Evaluate:
        return lambda row: a(row) if _bool(condition(row)) else b(row)

    def between(self, x: Evaluate, low: Evaluate, high: Evaluate) -> Evaluate:
        return lambda row: (x(row) >= low(row)) & (x(row) <= high(row))

    def bin(self, x: Evaluate, edges: list[float]) -> Evaluate:
        def evaluate(row: Row) -> float:
            value, total = x(row), 0.0
            for edge in edges:  # reduce(+, steps, 0.0): one step after another
                total = total + (1.0 if value >= edge else 0.0)
            return total

        return evaluate
