"""One walk of a checked expression tree, shared by every back end of the language.

The language has one meaning and two back ends: :mod:`~lanterne.spec.expr.compile_polars`
builds a vectorised Polars expression, :mod:`~lanterne.spec.expr.evaluate_row` a plain
Python function of one row. This base class decides, once for both, what each node means
(which operands are read as numbers, as text or as conditions, how a chain is read,
which function takes which arguments); a back end only says how to build each operation
on its own values.

Example:
    >>> from lanterne.spec.expr.parse import parse
    >>> from lanterne.spec.expr.types import NameInfo
    >>> class Show(Backend[str]):
    ...     def constant(self, value): return repr(value)
    ...     def column(self, name): return name
    ...     def to_float(self, x): return f"float({x})"
    ...     def compare(self, op, left, right): return f"{left} {op} {right}"
    >>> Show({"age": NameInfo("number")}).expr(parse("age >= 18"))
    'float(age) >= 18.0'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Generic, TypeVar

from lanterne.spec.expr.parse import (
    Arithmetic,
    Boolean,
    Call,
    Compare,
    Logical,
    Member,
    Name,
    Negate,
    Node,
    Not,
    Number,
    String,
    chain,
)
from lanterne.spec.expr.types import NameInfo, check_types

T = TypeVar("T")


class Backend(Generic[T]):
    """Builds a back end's value ``T`` for each node of a type-checked tree.

    Numbers are 64-bit floats (booleans count as 0 and 1), categories compare as text.
    Chains (``a + b + c``, ``a and b and c``) are handed over flat, in order, so that no
    back end recurses as deep as a long chain.
    """

    def __init__(self, env: Mapping[str, NameInfo]) -> None:
        self.env = env

    def kind(self, node: Node) -> str:
        return check_types(node, self.env)

    # ------------------------------------------------------------ walking

    def expr(self, node: Node) -> T:
        """The node's value, of its own type."""
        if isinstance(node, Number):
            return self.constant(float(node.value))
        if isinstance(node, String | Boolean):
            return self.constant(node.value)
        if isinstance(node, Name):
            return self.column(node.name)
        if isinstance(node, Negate):
            return self.negate(self.number(node.operand))
        if isinstance(node, Not):
            return self.logical_not(self.expr(node.operand))
        if isinstance(node, Arithmetic):
            first, rest = chain(node)
            return self.arithmetic(self.number(first), [(op, self.number(r)) for op, r in rest])
        if isinstance(node, Logical):
            first, rest = chain(node)
            return self.logical(self.expr(first), [(op, self.expr(r)) for op, r in rest])
        if isinstance(node, Compare):
            left, right = self.operands(node.left, node.right)
            return self.compare(node.op, left, right)
        if isinstance(node, Member):
            if isinstance(node.values[0], String):
                texts = [str(v.value) for v in node.values]
                return self.member(self.text(node.operand), texts, node.negated)
            numbers = [float(v.value) for v in node.values]
            return self.member(self.number(node.operand), numbers, node.negated)
        if isinstance(node, Call):
            return self.call(node)
        raise AssertionError(f"unhandled node {node!r}")  # pragma: no cover

    def number(self, node: Node) -> T:
        """The node as a 64-bit float: booleans count as 0 and 1."""
        if isinstance(node, Number):
            return self.constant(float(node.value))
        if isinstance(node, Boolean):
            return self.constant(1.0 if node.value else 0.0)
        return self.to_float(self.expr(node))

    def text(self, node: Node) -> T:
        """A category as its text."""
        return self.to_text(self.expr(node))

    def operands(self, left: Node, right: Node) -> tuple[T, T]:
        """Two operands compared or chosen between: texts if both are categories,
        conditions if both are, numbers otherwise."""
        kinds = {self.kind(left), self.kind(right)}
        if kinds == {"category"}:
            return self.text(left), self.text(right)
        if kinds == {"bool"}:
            return self.expr(left), self.expr(right)
        return self.number(left), self.number(right)

    def call(self, node: Call) -> T:
        f, args = node.func, node.args
        if f in ("min", "max"):
            return self.extreme([self.number(a) for a in args], smallest=f == "min")
        if f == "abs":
            return self.absolute(self.number(args[0]))
        if f == "clip":
            x, low, high = (self.number(a) for a in args)
            return self.extreme([self.extreme([x, low], smallest=False), high], smallest=True)
        if f == "ratio":
            a, b, if_zero = (self.number(x) for x in args)
            return self.ratio(a, b, if_zero)
        if f == "if":
            condition = self.expr(args[0])
            kinds = {self.kind(args[1]), self.kind(args[2])}
            if kinds == {"number"} or kinds == {"bool", "number"}:
                a, b = self.number(args[1]), self.number(args[2])
            else:
                a, b = self.expr(args[1]), self.expr(args[2])
            return self.choose(condition, a, b)
        if f == "between":
            x, low, high = (self.number(a) for a in args)
            return self.between(x, low, high)
        if f == "bin":
            return self.bin(self.number(args[0]), [float(e) for e in node.edges])
        raise AssertionError(f"unhandled function {f}")  # pragma: no cover

    # ------------------------------------------------------------ what a back end builds

    def constant(self, value: float | str | bool) -> T:
        raise NotImplementedError

    def column(self, name: str) -> T:
        raise NotImplementedError

    def to_float(self, x: T) -> T:
        raise NotImplementedError

    def to_text(self, x: T) -> T:
        raise NotImplementedError

    def negate(self, x: T) -> T:
        raise NotImplementedError

    def logical_not(self, x: T) -> T:
        raise NotImplementedError

    def arithmetic(self, first: T, rest: list[tuple[str, T]]) -> T:
        """``first op1 r1 op2 r2 ...`` from left to right (``+ - * /``)."""
        raise NotImplementedError

    def logical(self, first: T, rest: list[tuple[str, T]]) -> T:
        """``first and/or r1 ...`` from left to right; both sides always evaluated."""
        raise NotImplementedError

    def compare(self, op: str, left: T, right: T) -> T:
        raise NotImplementedError

    def member(self, x: T, values: Sequence[float | str], negated: bool) -> T:
        raise NotImplementedError

    def extreme(self, values: list[T], *, smallest: bool) -> T:
        raise NotImplementedError

    def absolute(self, x: T) -> T:
        raise NotImplementedError

    def ratio(self, a: T, b: T, if_zero: T) -> T:
        raise NotImplementedError

    def choose(self, condition: T, a: T, b: T) -> T:
        raise NotImplementedError

    def between(self, x: T, low: T, high: T) -> T:
        raise NotImplementedError

    def bin(self, x: T, edges: list[float]) -> T:
        """How many edges are ≤ x, adding 0/1 steps from 0.0 in order."""
        raise NotImplementedError
