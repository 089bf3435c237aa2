"""The type checker of the expression language: every expression is a number, a
condition or a category, and each operator and function says what it accepts.

Example:
    >>> from lanterne.spec.expr.parse import parse
    >>> check_types(parse("a > 1"), {"a": NameInfo("number")})
    'bool'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from lanterne.i18n import Msg
from lanterne.spec.expr.parse import (
    Arithmetic,
    Boolean,
    Call,
    Compare,
    ExprError,
    ExprType,
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


@dataclass(frozen=True)
class NameInfo:
    """What the type checker knows of a name: its type, and categories for categories."""

    type: ExprType
    categories: tuple[str, ...] | None = None


def check_types(node: Node, env: Mapping[str, NameInfo]) -> ExprType:
    """Return the expression's type or raise :class:`ExprError` where types do not fit.

    Booleans count as 0/1 in arithmetic (a scorecard adds indicators), but numbers are
    never silently taken for booleans.

    >>> from lanterne.spec.expr.parse import parse
    >>> check_types(parse("a + (b > 2)"), {"a": NameInfo("number"), "b": NameInfo("number")})
    'number'
    """
    return _TypeChecker(env).visit(node)


class _TypeChecker:
    def __init__(self, env: Mapping[str, NameInfo]) -> None:
        self.env = env

    def visit(self, node: Node) -> ExprType:
        if isinstance(node, Number):
            return "number"
        if isinstance(node, Boolean):
            return "bool"
        if isinstance(node, String):
            return "category"
        if isinstance(node, Name):
            info = self.env.get(node.name)
            if info is None:
                raise ExprError(
                    Msg(
                        "nom inconnu « {n} » : ni variable ni caractéristique déclarée",
                        "unknown name '{n}': not a declared variable or feature",
                        n=node.name,
                    ),
                    node.offset,
                )
            return info.type
        if isinstance(node, Negate):
            self.numeric(node.operand, "-")
            return "number"
        if isinstance(node, Not):
            self.boolean(node.operand, "not")
            return "bool"
        if isinstance(node, Arithmetic):
            first, rest = chain(node)
            self.numeric(first, rest[0][0])
            for op, right in rest:
                self.numeric(right, op)
            return "number"
        if isinstance(node, Logical):
            first, rest = chain(node)
            self.boolean(first, rest[0][0])
            for op, right in rest:
                self.boolean(right, op)
            return "bool"
        if isinstance(node, Compare):
            self.compare(node)
            return "bool"
        if isinstance(node, Member):
            self.member(node)
            return "bool"
        if isinstance(node, Call):
            return self.call(node)
        raise AssertionError(f"unhandled node {node!r}")  # pragma: no cover

    def numeric(self, node: Node, where: str) -> None:
        kind = self.visit(node)
        if kind == "category":
            raise ExprError(
                Msg(
                    "« {w} » attend un nombre, pas une catégorie",
                    "'{w}' expects a number, not a category",
                    w=where,
                ),
                node.offset,
            )

    def boolean(self, node: Node, where: str) -> None:
        kind = self.visit(node)
        if kind != "bool":
            raise ExprError(
                Msg(
                    "« {w} » attend une condition (vrai/faux), pas {k}",
                    "'{w}' expects a condition (true/false), not {k}",
                    w=where,
                    k=_kind_name(kind),
                ),
                node.offset,
            )

    def compare(self, node: Compare) -> None:
        left, right = self.visit(node.left), self.visit(node.right)
        if "category" in (left, right):
            if left != right:
                raise ExprError(
                    Msg(
                        "on ne compare une catégorie qu'à un texte entre guillemets",
                        "a category is only compared with a quoted text",
                    ),
                    node.offset,
                )
            if node.op not in ("==", "!="):
                raise ExprError(
                    Msg(
                        "les catégories ne se comparent qu'avec == ou !=",
                        "categories are only compared with == or !=",
                    ),
                    node.offset,
                )
            self.known_category(node.left, node.right)
            self.known_category(node.right, node.left)
        elif left == right == "bool" and node.op not in ("==", "!="):
            # "(a > 1) < (b > 1)" is legal arithmetic on 0/1 but almost always a mistake.
            raise ExprError(
                Msg(
                    "les conditions ne se comparent qu'avec == ou !=",
                    "conditions are only compared with == or !=",
                ),
                node.offset,
            )

    def known_category(self, literal: Node, other: Node) -> None:
        if not isinstance(literal, String) or not isinstance(other, Name):
            return
        info = self.env.get(other.name)
        if info and info.categories is not None and literal.value not in info.categories:
            raise ExprError(
                Msg(
                    "« {v} » n'est pas une catégorie de {n} (attendu : {cats})",
                    "'{v}' is not a category of {n} (expected one of: {cats})",
                    v=literal.value,
                    n=other.name,
                    cats=", ".join(info.categories),
                ),
                literal.offset,
            )

    def member(self, node: Member) -> None:
        kind = self.visit(node.operand)
        for value in node.values:
            literal_kind = "category" if isinstance(value, String) else "number"
            if (kind == "category") != (literal_kind == "category"):
                raise ExprError(
                    Msg(
                        "la liste de « in » doit contenir des valeurs du type de {k}",
                        "the list after 'in' must hold values of the same type as {k}",
                        k=_kind_name(kind),
                    ),
                    value.offset,
                )
            self.known_category(value, node.operand)

    def call(self, node: Call) -> ExprType:
        if node.func == "if":
            self.boolean(node.args[0], "if")
            a, b = self.visit(node.args[1]), self.visit(node.args[2])
            if a == b:
                return a
            if "category" in (a, b):
                raise ExprError(
                    Msg(
                        "les deux branches de if() doivent être du même type",
                        "both branches of if() must have the same type",
                    ),
                    node.offset,
                )
            return "number"
        for arg in node.args:
            self.numeric(arg, node.func + "()")
        return "bool" if node.func == "between" else "number"


def _kind_name(kind: ExprType) -> Msg:
    return {
        "number": Msg("un nombre", "a number"),
        "bool": Msg("une condition", "a condition"),
        "category": Msg("une catégorie", "a category"),
    }[kind]
