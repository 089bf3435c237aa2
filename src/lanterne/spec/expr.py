"""The safe expression language used for derived features and scorecard conditions.

An expression is parsed into a small tree by a hand-written parser and type-checked
against the declared variables; it is then compiled to Polars expressions (see
:mod:`lanterne.spec.compile`). Nothing is ever passed to ``eval`` or ``exec``: the only
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

import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Literal

from lanterne.errors import short_name
from lanterne.i18n import Msg

ExprType = Literal["number", "bool", "category"]


class ExprError(Exception):
    """A problem in an expression, at a character offset (0-based) within it."""

    def __init__(self, message: Msg, offset: int) -> None:
        super().__init__(message.render("en"))
        self.message = message
        self.offset = offset


# --------------------------------------------------------------------------- tokens

_TOKEN_RE = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<number>(?:\d[\d_]*)?\.?\d[\d_]*(?:[eE][+-]?\d+)?)
  | (?P<string>'[^'\n]*'|"[^"\n]*")
  | (?P<name>[A-Za-z][A-Za-z0-9_]*)
  | (?P<op>==|!=|<=|>=|<|>|\+|-|\*|/|\(|\)|\[|\]|,)
    """,
    re.VERBOSE,
)

KEYWORDS = {"and", "or", "not", "in", "true", "false"}

#: Parentheses, calls, ``-`` and ``not`` nest at most this deep.
MAX_DEPTH = 32
#: An expression holds at most this many operators (Polars plans long chains slowly).
MAX_OPERATORS = 500


@dataclass(frozen=True)
class Token:
    kind: Literal["number", "string", "name", "op", "keyword", "end"]
    text: str
    offset: int


def tokenize(source: str) -> list[Token]:
    """Split an expression into tokens; any character outside the language is an error."""
    tokens: list[Token] = []
    pos = 0
    while pos < len(source):
        match = _TOKEN_RE.match(source, pos)
        if match is None:
            char = source[pos]
            hint = Msg("", "")
            if char in "_.":
                hint = Msg(
                    " (les noms commencent par une lettre ; l'accès aux attributs n'existe pas)",
                    " (names start with a letter; there is no attribute access)",
                )
            raise ExprError(
                Msg(
                    "caractère inattendu « {c} »{hint}",
                    "unexpected character '{c}'{hint}",
                    c=char,
                    hint=hint,
                ),
                pos,
            )
        kind = match.lastgroup
        text = match.group()
        if kind != "ws":
            if kind == "name" and text in KEYWORDS:
                kind = "keyword"
            tokens.append(Token(kind, text, pos))  # type: ignore[arg-type]
        pos = match.end()
    tokens.append(Token("end", "", len(source)))
    return tokens


# --------------------------------------------------------------------------- tree


@dataclass(frozen=True)
class Node:
    offset: int


@dataclass(frozen=True)
class Number(Node):
    value: float | int


@dataclass(frozen=True)
class String(Node):
    value: str


@dataclass(frozen=True)
class Boolean(Node):
    value: bool


@dataclass(frozen=True)
class Name(Node):
    name: str


@dataclass(frozen=True)
class Negate(Node):
    operand: Node


@dataclass(frozen=True)
class Not(Node):
    operand: Node


@dataclass(frozen=True)
class Arithmetic(Node):
    op: Literal["+", "-", "*", "/"]
    left: Node
    right: Node


@dataclass(frozen=True)
class Compare(Node):
    op: Literal["==", "!=", "<", "<=", ">", ">="]
    left: Node
    right: Node


@dataclass(frozen=True)
class Logical(Node):
    op: Literal["and", "or"]
    left: Node
    right: Node


@dataclass(frozen=True)
class Member(Node):
    operand: Node
    values: tuple[Number | String, ...]
    negated: bool = False


@dataclass(frozen=True)
class Call(Node):
    func: str
    args: tuple[Node, ...]
    edges: tuple[float, ...] = field(default=())  # only for bin()


FUNCTIONS: dict[str, tuple[int, int | None]] = {
    # name: (minimum, maximum) number of arguments
    "min": (2, None),
    "max": (2, None),
    "abs": (1, 1),
    "clip": (3, 3),
    "ratio": (3, 3),
    "if": (3, 3),
    "between": (3, 3),
    "bin": (2, 2),
}


# --------------------------------------------------------------------------- parser


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens = tokenize(source)
        self.i = 0
        self.depth = 0
        self.operators = 0

    def enter(self, offset: int) -> None:
        """One level deeper (a parenthesis, a call, ``-`` or ``not``): bounded."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExprError(
                Msg(
                    "expression imbriquée trop profondément (plus de {n} niveaux)",
                    "expression nested too deep (more than {n} levels)",
                    n=MAX_DEPTH,
                ),
                offset,
            )

    def operator(self, offset: int) -> None:
        self.operators += 1
        if self.operators > MAX_OPERATORS:
            raise ExprError(
                Msg(
                    "expression trop longue (plus de {n} opérateurs) : découpez-la en "
                    "caractéristiques intermédiaires",
                    "expression too long (more than {n} operators): split it into "
                    "intermediate features",
                    n=MAX_OPERATORS,
                ),
                offset,
            )

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def advance(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def accept(self, *texts: str) -> Token | None:
        if self.tok.kind in ("op", "keyword") and self.tok.text in texts:
            return self.advance()
        return None

    def expect(self, text: str) -> Token:
        tok = self.accept(text)
        if tok is None:
            raise ExprError(
                Msg(
                    "« {want} » attendu, trouvé {got}",
                    "expected '{want}', found {got}",
                    want=text,
                    got=_describe(self.tok),
                ),
                self.tok.offset,
            )
        return tok

    def parse(self) -> Node:
        if self.tok.kind == "end":
            raise ExprError(Msg("expression vide", "empty expression"), 0)
        node = self.or_expr()
        tok = self.tok  # the token after the expression (the parser has moved on)
        if tok.kind != "end":
            raise ExprError(
                Msg(
                    "fin d'expression attendue, trouvé {got}",
                    "expected the end of the expression, found {got}",
                    got=_describe(tok),
                ),
                tok.offset,
            )
        return node

    def or_expr(self) -> Node:
        node = self.and_expr()
        while tok := self.accept("or"):
            self.operator(tok.offset)
            node = Logical(tok.offset, "or", node, self.and_expr())
        return node

    def and_expr(self) -> Node:
        node = self.not_expr()
        while tok := self.accept("and"):
            self.operator(tok.offset)
            node = Logical(tok.offset, "and", node, self.not_expr())
        return node

    def not_expr(self) -> Node:
        if tok := self.accept("not"):
            self.enter(tok.offset)
            node = Not(tok.offset, self.not_expr())
            self.depth -= 1
            return node
        return self.comparison()

    def comparison(self) -> Node:
        left = self.sum()
        if tok := self.accept("==", "!=", "<", "<=", ">", ">="):
            self.operator(tok.offset)
            right = self.sum()
            if self.tok.text in ("==", "!=", "<", "<=", ">", ">="):
                raise ExprError(
                    Msg(
                        "comparaisons en chaîne interdites : utilisez between() ou and",
                        "chained comparisons are not allowed: use between() or and",
                    ),
                    self.tok.offset,
                )
            return Compare(tok.offset, tok.text, left, right)  # type: ignore[arg-type]
        negated = False
        if self.tok.kind == "keyword" and self.tok.text == "not":
            nxt = self.tokens[self.i + 1]
            if nxt.kind == "keyword" and nxt.text == "in":
                self.advance()
                negated = True
        if tok := self.accept("in"):
            return Member(tok.offset, left, self.literal_list(), negated)
        return left

    def literal_list(self) -> tuple[Number | String, ...]:
        self.expect("[")
        values: list[Number | String] = []
        while True:
            values.append(self.literal())
            if not self.accept(","):
                break
        self.expect("]")
        return tuple(values)

    def literal(self) -> Number | String:
        negative = self.accept("-")
        tok = self.advance()
        if tok.kind == "number":
            value = _number(tok)
            return Number(tok.offset, -value if negative else value)
        if tok.kind == "string" and not negative:
            return String(tok.offset, tok.text[1:-1])
        raise ExprError(
            Msg(
                "nombre ou texte entre guillemets attendu, trouvé {got}",
                "expected a number or a quoted text, found {got}",
                got=_describe(tok),
            ),
            tok.offset,
        )

    def sum(self) -> Node:
        node = self.product()
        while tok := self.accept("+", "-"):
            self.operator(tok.offset)
            node = Arithmetic(tok.offset, tok.text, node, self.product())  # type: ignore[arg-type]
        return node

    def product(self) -> Node:
        node = self.unary()
        while tok := self.accept("*", "/"):
            self.operator(tok.offset)
            right = self.unary()
            if tok.text == "/" and not _is_nonzero_constant(right):
                raise ExprError(
                    Msg(
                        "on ne divise que par un nombre non nul écrit dans l'expression ; "
                        "pour diviser par une variable, utilisez ratio(a, b, valeur_si_zero)",
                        "division is only by a non-zero number written in the expression; "
                        "to divide by a variable use ratio(a, b, value_if_zero)",
                    ),
                    tok.offset,
                )
            node = Arithmetic(tok.offset, tok.text, node, right)  # type: ignore[arg-type]
        return node

    def unary(self) -> Node:
        if tok := self.accept("-"):
            self.enter(tok.offset)
            operand = self.unary()
            self.depth -= 1
            if isinstance(operand, Number):
                return Number(tok.offset, -operand.value)
            return Negate(tok.offset, operand)
        return self.atom()

    def atom(self) -> Node:
        tok = self.tok
        if tok.kind == "number":
            self.advance()
            return Number(tok.offset, _number(tok))
        if tok.kind == "string":
            self.advance()
            return String(tok.offset, tok.text[1:-1])
        if tok.kind == "keyword" and tok.text in ("true", "false"):
            self.advance()
            return Boolean(tok.offset, tok.text == "true")
        if tok.kind == "name":
            self.advance()
            if self.accept("("):
                self.enter(tok.offset)
                call = self.call(tok)
                self.depth -= 1
                return call
            return Name(tok.offset, tok.text)
        if self.accept("("):
            self.enter(tok.offset)
            node = self.or_expr()
            self.expect(")")
            self.depth -= 1
            return node
        raise ExprError(
            Msg(
                "valeur attendue, trouvé {got}",
                "expected a value, found {got}",
                got=_describe(tok),
            ),
            tok.offset,
        )

    def call(self, name_tok: Token) -> Call:
        func = name_tok.text
        if func not in FUNCTIONS:
            raise ExprError(
                Msg(
                    "fonction inconnue « {f} » (fonctions disponibles : {known})",
                    "unknown function '{f}' (available functions: {known})",
                    f=func,
                    known=", ".join(sorted(FUNCTIONS)),
                ),
                name_tok.offset,
            )
        args: list[Node] = []
        edges: tuple[float, ...] = ()
        if not (self.tok.kind == "op" and self.tok.text == ")"):
            while True:
                if func == "bin" and len(args) == 1:
                    edges = self.edges()
                    args.append(Number(self.tok.offset, 0))  # placeholder keeps arity
                else:
                    args.append(self.or_expr())
                if not self.accept(","):
                    break
        self.expect(")")
        low, high = FUNCTIONS[func]
        if len(args) < low or (high is not None and len(args) > high):
            wanted = str(low) if low == high else f"{low}+" if high is None else f"{low}-{high}"
            raise ExprError(
                Msg(
                    "{f}() prend {want} argument(s), {n} donné(s)",
                    "{f}() takes {want} argument(s), {n} given",
                    f=func,
                    want=wanted,
                    n=len(args),
                ),
                name_tok.offset,
            )
        if func == "bin":
            return Call(name_tok.offset, func, (args[0],), edges)
        return Call(name_tok.offset, func, tuple(args))

    def edges(self) -> tuple[float, ...]:
        start = self.tok.offset
        values = self.literal_list()
        numbers: list[float] = []
        for v in values:
            if not isinstance(v, Number):
                raise ExprError(
                    Msg("les bornes de bin() sont des nombres", "bin() edges are numbers"),
                    v.offset,
                )
            numbers.append(float(v.value))
        if any(b <= a for a, b in pairwise(numbers)):
            raise ExprError(
                Msg(
                    "les bornes de bin() doivent être strictement croissantes",
                    "bin() edges must be strictly increasing",
                ),
                start,
            )
        return tuple(numbers)


def _number(tok: Token) -> float | int:
    text = tok.text.replace("_", "")
    try:
        value = int(text) if re.fullmatch(r"\d+", text) else float(text)
        if not math.isfinite(float(value)):  # 1e400 (and int beyond float: OverflowError)
            raise ValueError(text)
        return value
    except (ValueError, OverflowError):
        raise ExprError(
            Msg("nombre invalide « {t} »", "invalid number '{t}'", t=short_name(tok.text)),
            tok.offset,
        ) from None


def _is_nonzero_constant(node: Node) -> bool:
    return isinstance(node, Number) and node.value != 0


def _describe(tok: Token) -> Msg | str:
    if tok.kind == "end":
        return Msg("la fin de l'expression", "the end of the expression")
    return f"'{tok.text}'"


def parse(source: str) -> Node:
    """Parse an expression into a tree; raise :class:`ExprError` on any syntax error.

    >>> parse("__import__('os')")
    Traceback (most recent call last):
      ...
    lanterne.spec.expr.ExprError: unexpected character '_' (names start with a letter; ...
    """
    if not isinstance(source, str):
        raise ExprError(Msg("une expression est un texte", "an expression is a text"), 0)
    return _Parser(source).parse()


def walk(node: Node) -> Iterator[Node]:
    """Every node of the tree, parents first (in a loop: long chains are deep trees)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))


def chain(node: Arithmetic | Logical) -> tuple[Node, list[tuple[str, Node]]]:
    """A left-leaning chain ``((a + b) - c) * d`` as ``a, [("+", b), ("-", c), ("*", d)]``.

    The parser builds ``a + b + c + ...`` as a tree as deep as the chain is long; walking
    it this way evaluates it in the same order without recursion.

    >>> first, rest = chain(parse("a + b - c"))
    >>> first.name, [(op, n.name) for op, n in rest]
    ('a', [('+', 'b'), ('-', 'c')])
    """
    kind = type(node)
    rest: list[tuple[str, Node]] = []
    current: Node = node
    while isinstance(current, kind):
        rest.append((current.op, current.right))
        current = current.left
    rest.reverse()
    return current, rest


def children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Negate | Not):
        return (node.operand,)
    if isinstance(node, Arithmetic | Compare | Logical):
        return (node.left, node.right)
    if isinstance(node, Member):
        return (node.operand, *node.values)
    if isinstance(node, Call):
        return node.args
    return ()


def names_in(node: Node) -> set[str]:
    """The variable and feature names an expression reads."""
    return {n.name for n in walk(node) if isinstance(n, Name)}


# --------------------------------------------------------------------------- types


@dataclass(frozen=True)
class NameInfo:
    """What the type checker knows of a name: its type, and categories for categories."""

    type: ExprType
    categories: tuple[str, ...] | None = None


def check_types(node: Node, env: Mapping[str, NameInfo]) -> ExprType:
    """Return the expression's type or raise :class:`ExprError` where types do not fit.

    Booleans count as 0/1 in arithmetic (a scorecard adds indicators), but numbers are
    never silently taken for booleans.

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
