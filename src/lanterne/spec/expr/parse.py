"""The parser of the expression language: characters to tokens to a tree of nodes.

The grammar and the limits are in :mod:`lanterne.spec.expr`. Long flat chains
(``a + b + c + ...``) are read in a loop, not recursively.

Example:
    >>> tree = parse("rent > 400")
    >>> type(tree).__name__, tree.op
    ('Compare', '>')
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
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
    lanterne.spec.expr.parse.ExprError: unexpected character '_' (names start with a letter; ...
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
