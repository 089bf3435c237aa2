"""One household's numbers without a Polars query per number: features in plain Python.

Explaining one household with Polars costs several milliseconds, almost all of it in
planning and running queries for a single row (the derived features, then the terms, the
margin, the score...): far too slow for a web page that must answer hundreds of times a
second. For one row, this module evaluates the derived features — the checked expression
trees of :mod:`lanterne.spec.expr` — with Python values, following exactly what
:mod:`lanterne.spec.compile` asks of Polars: numbers are cast to 64-bit floats, booleans
count as 0 and 1, categories compare as text, ``bin`` adds its steps from 0 in order. These
are single IEEE operations, so Python gets the same bits. The terms, the margin and the
score are then computed by the model's own Polars expressions on that one row of feature
values, in one small query: the order in which Polars adds the terms is its own.

Whenever Python and Polars could part ways — a missing value, NaN, an overflow, a tie
between zeros of opposite signs, a model kind this module does not know — the evaluation
gives up (:func:`one_row` returns ``None``) and the caller uses the Polars path. Additive
models have their own plan (:mod:`lanterne.explain.onerow_additive`).
``tests/test_fast_paths.py`` checks that both agree bit for bit on every household of the
sample and every archetype, for every catalog model the web app serves.

Example:
    >>> from lanterne.model import load_model
    >>> from lanterne.explain.household import build_household
    >>> model = load_model("fr-cnaf-2014")
    >>> house = build_household(model, archetype="single-mother-rsa")
    >>> numbers = one_row(model, house.frame)
    >>> numbers.score == float(model.scores(house.frame, prepared=True)[0])
    True
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl

from lanterne.model import Model
from lanterne.model.logistic import Logistic
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

Row = dict[str, Any]
Evaluate = Callable[[Row], Any]


class GiveUp(Exception):
    """Python cannot promise Polars' answer here: use the Polars path."""


@dataclass(frozen=True)
class RowNumbers:
    """What :func:`~lanterne.explain.explanation.explain_household` needs of one row."""

    contributions: tuple[float, ...]  # one per term, in the model's order
    margin: float
    score: float
    values: list[Any]  # each term's feature value
    without: list[float]  # the score without each contribution, then with none (the base)


def one_row(model: Model, frame: pl.DataFrame) -> RowNumbers | None:
    """The numbers of the single row of ``frame`` (prepared), or ``None`` to use Polars."""
    if frame.height != 1:
        return None
    plan = _plan(model)
    if plan is None:
        return None
    try:
        return plan.run(frame.row(0, named=True))
    except (GiveUp, ArithmeticError, KeyError, TypeError):
        return None


_PLANS: weakref.WeakKeyDictionary[Model, Any] = weakref.WeakKeyDictionary()


def _plan(model: Model) -> Any:
    """The compiled evaluation of ``model`` (made once per model), if its kind is known."""
    if model not in _PLANS:
        from lanterne.explain.onerow_additive import AdditivePlan

        # only the logistic and additive runtimes exactly as written in lanterne.model
        if type(model) is Logistic:
            _PLANS[model] = _LogisticPlan(model)
        elif AdditivePlan.supports(model):
            _PLANS[model] = AdditivePlan(model)
        else:
            _PLANS[model] = None
    return _PLANS[model]


class _LogisticPlan:
    """Features and terms in Python; the sum of the terms by Polars; the logistic link."""

    def __init__(self, model: Model) -> None:
        from lanterne.explain.explanation import scores_of_margins  # (it imports this module)

        env = model.checked.env
        self.model = model
        self.scores_of_margins = scores_of_margins
        self.features = [
            (name, _Compiler(env).expr(tree)) for name, tree in model.checked.feature_trees.items()
        ]
        self.terms = [(t.name, float(t.weight)) for t in model.terms]
        self.base = float(model.base)
        self.columns = [f"t{i}" for i in range(len(self.terms))]
        # Model.margin_expr: pl.sum_horizontal(base, *terms) — the order in which Polars adds
        # is its own business (it may split the terms across threads), so Polars adds
        self.margin = pl.sum_horizontal(
            pl.lit(self.base, dtype=pl.Float64), *(pl.col(c) for c in self.columns)
        ).alias("margin")
        self.python_link = _link_agrees(model)

    def run(self, row: Row) -> RowNumbers:
        for value in row.values():
            if value is None or (isinstance(value, float) and value != value):
                raise GiveUp
        for name, evaluate in self.features:
            row[name] = evaluate(row)
        values = [row[name] for name, _ in self.terms]
        # Logistic.term_exprs: pl.col(term).cast(pl.Float64) * weight — one IEEE product
        contributions = tuple(
            _float(value) * weight for value, (_, weight) in zip(values, self.terms, strict=True)
        )
        # a lazy query, as Model.margins runs it: eager and lazy Polars may add in different
        # orders (it splits the terms across threads differently), hence other last bits
        frame = pl.DataFrame([contributions], schema=self.columns, orient="row")
        margin = _finite(float(frame.lazy().select(self.margin).collect().item()))
        margins = [margin, *(margin - c for c in contributions), self.base]
        if self.python_link:
            scores = [_logistic(m) for m in margins]
        else:  # pragma: no cover - a platform whose exp differs from Python's
            scores = [float(s) for s in self.scores_of_margins(self.model, margins)]
        return RowNumbers(contributions, margin, scores[0], values, scores[1:])


def _logistic(margin: float) -> float:
    """Logistic.score_from_margin, ``1.0 / (1.0 + (-margin).exp())``, with Python floats."""
    return 1.0 / (1.0 + math.exp(-margin))


#: Margins on which the Python link is compared with Polars' once per model.
_PROBES = [x / 64 for x in range(-40 * 64, 40 * 64 + 1, 7)] + [1e-9, -1e-9, 0.1, -0.1, 0.0]


def _link_agrees(model: Model) -> bool:
    """Whether :func:`_logistic` gives Polars' bits here (both call the C library's exp)."""
    from lanterne.explain.explanation import scores_of_margins

    polars = scores_of_margins(model, _PROBES).tolist()
    return all(_logistic(m) == s for m, s in zip(_PROBES, polars, strict=True))


def _float(value: Any) -> float:
    """``.cast(pl.Float64)``: booleans as 0/1, integers rounded to the nearest float."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return _finite(float(value))
    raise GiveUp


def _finite(value: float) -> float:
    if value != value:  # NaN: Polars orders it above every number, Python never does
        raise GiveUp
    return value


def _pick(values: list[float], smallest: bool) -> float:
    """``pl.min_horizontal`` / ``max_horizontal`` when no two zeros of opposite signs tie."""
    best = min(values) if smallest else max(values)
    if best == 0 and len({math.copysign(1.0, v) for v in values if v == 0}) > 1:
        raise GiveUp  # which zero Polars keeps is not ours to guess
    return best


class _Compiler:
    """Mirror of :class:`lanterne.spec.compile._Compiler`, producing Python closures."""

    def __init__(self, env: Mapping[str, NameInfo]) -> None:
        self.env = env

    def kind(self, node: Node) -> str:
        return check_types(node, self.env)

    def number(self, node: Node) -> Evaluate:
        if isinstance(node, Number):
            constant = float(node.value)
            return lambda row: constant
        if isinstance(node, Boolean):
            constant = 1.0 if node.value else 0.0
            return lambda row: constant
        inner = self.expr(node)
        return lambda row: _float(inner(row))

    def expr(self, node: Node) -> Evaluate:
        if isinstance(node, Number):
            constant = float(node.value)
            return lambda row: constant
        if isinstance(node, String | Boolean):
            value = node.value
            return lambda row: value
        if isinstance(node, Name):
            name = node.name
            return lambda row: row[name]
        if isinstance(node, Negate):
            operand = self.number(node.operand)
            return lambda row: -operand(row)
        if isinstance(node, Not):
            condition = self.expr(node.operand)
            return lambda row: not _bool(condition(row))
        if isinstance(node, Arithmetic):
            return self.arithmetic(node)
        if isinstance(node, Logical):
            return self.logical(node)
        if isinstance(node, Compare):
            return self.compare(node)
        if isinstance(node, Member):
            return self.member(node)
        if isinstance(node, Call):
            return self.call(node)
        raise AssertionError(f"unhandled node {node!r}")  # pragma: no cover

    def arithmetic(self, node: Arithmetic) -> Evaluate:
        """A chain ``a + b - c ...`` in a loop, left to right like Polars' nested sums."""
        first, rest = chain(node)
        start = self.number(first)
        steps = [(_OPERATIONS[op], self.number(right)) for op, right in rest]

        def evaluate(row: Row) -> float:
            total = start(row)
            for operation, right in steps:  # ZeroDivisionError: give up
                total = _finite(operation(total, right(row)))
            return total

        return evaluate

    def logical(self, node: Logical) -> Evaluate:
        first, rest = chain(node)
        start = self.expr(first)
        steps = [(op == "and", self.expr(right)) for op, right in rest]

        def evaluate(row: Row) -> bool:
            result = _bool(start(row))
            for conjunction, right in steps:  # both sides always evaluated, as in Polars
                value = _bool(right(row))
                result = (result & value) if conjunction else (result | value)
            return result

        return evaluate

    def compare(self, node: Compare) -> Evaluate:
        kinds = {self.kind(node.left), self.kind(node.right)}
        if kinds == {"category"}:
            left, right = self.text(node.left), self.text(node.right)
        elif kinds == {"bool"}:
            left, right = self.expr(node.left), self.expr(node.right)
        else:
            left, right = self.number(node.left), self.number(node.right)
        op = {
            "==": lambda a, b: a == b,
            "!=": lambda a, b: a != b,
            "<": lambda a, b: a < b,
            "<=": lambda a, b: a <= b,
            ">": lambda a, b: a > b,
            ">=": lambda a, b: a >= b,
        }[node.op]
        return lambda row: op(left(row), right(row))

    def text(self, node: Node) -> Evaluate:
        """``.cast(pl.String)`` of a category (an Enum value reads as its text)."""
        inner = self.expr(node)

        def evaluate(row: Row) -> str:
            value = inner(row)
            if not isinstance(value, str):
                raise GiveUp
            return value

        return evaluate

    def member(self, node: Member) -> Evaluate:
        negated = node.negated
        if isinstance(node.values[0], String):
            texts = frozenset(str(v.value) for v in node.values)
            operand = self.text(node.operand)
            return lambda row: (operand(row) in texts) != negated
        numbers = [float(v.value) for v in node.values]
        number = self.number(node.operand)

        def evaluate(row: Row) -> bool:
            x = number(row)
            if x == 0 and math.copysign(1.0, x) < 0:
                raise GiveUp  # how is_in hashes -0.0 is not ours to guess
            return (x in numbers) != negated

        return evaluate

    def call(self, node: Call) -> Evaluate:
        f, args = node.func, node.args
        if f in ("min", "max"):
            numbers = [self.number(a) for a in args]
            smallest = f == "min"
            return lambda row: _pick([n(row) for n in numbers], smallest)
        if f == "abs":
            x = self.number(args[0])
            return lambda row: abs(x(row))
        if f == "clip":
            x, low, high = (self.number(a) for a in args)
            return lambda row: _pick([_pick([x(row), low(row)], False), high(row)], True)
        if f == "ratio":
            a, b, if_zero = (self.number(x) for x in args)

            def ratio(row: Row) -> float:
                divisor = b(row)
                return if_zero(row) if divisor == 0 else _finite(a(row) / divisor)

            return ratio
        if f == "if":
            condition = self.expr(args[0])
            kinds = {self.kind(args[1]), self.kind(args[2])}
            if kinds == {"number"} or kinds == {"bool", "number"}:
                a, b = self.number(args[1]), self.number(args[2])
            else:
                a, b = self.expr(args[1]), self.expr(args[2])
            return lambda row: a(row) if _bool(condition(row)) else b(row)
        if f == "between":
            x, low, high = (self.number(a) for a in args)
            return lambda row: (x(row) >= low(row)) & (x(row) <= high(row))
        if f == "bin":
            x = self.number(args[0])
            edges = [float(e) for e in node.edges]

            def binned(row: Row) -> float:
                value, total = x(row), 0.0
                for edge in edges:  # reduce(+, steps, 0.0): one step after another
                    total = total + (1.0 if value >= edge else 0.0)
                return total

            return binned
        raise AssertionError(f"unhandled function {f}")  # pragma: no cover


_OPERATIONS: dict[str, Callable[[float, float], float]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
}


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise GiveUp
    return value
