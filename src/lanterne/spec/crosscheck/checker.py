"""The shared state of the cross-reference checks of a spec: what has been declared so far
(variables, features, sources), the problems found, and the checks every part uses (a
reference to a source, a new name, an expression).

Example:
    >>> from lanterne.spec.yamlpos import load_yaml_with_positions
    >>> c = Checker(load_yaml_with_positions("variables: []", "s.yaml"))
    >>> c.check_new_name(("variables", 0), "score", Msg("deux fois", "twice"))
    >>> print(c.problems[0].message.render("en"))
    'score' is reserved for columns that Lanterne writes
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from typing import Any

from lanterne.errors import Problem
from lanterne.i18n import Msg
from lanterne.spec.expr import ExprError, ExprType, NameInfo, Node, check_types, names_in, parse
from lanterne.spec.schema import RESERVED_NAMES
from lanterne.spec.trees import EnsembleData
from lanterne.spec.yamlpos import PathKey, YamlDocument


class Checker:
    """Checks what Pydantic cannot on the raw document; each part of the spec has its own
    module of checks (:mod:`~lanterne.spec.crosscheck`), which record problems here."""

    def __init__(self, doc: YamlDocument) -> None:
        self.doc = doc
        self.data: dict[str, Any] = doc.data
        self.problems: list[Problem] = []
        self.env: dict[str, NameInfo] = {}
        self.sensitive: set[str] = set()
        self.feature_trees: dict[str, Node] = {}
        self.item_trees: list[Node] = []
        self.source_ids: set[str] = set()
        self.later_features: set[str] = set()
        self.profile_trees: list[Node | None] = []
        self.ensemble: EnsembleData | None = None

    def add(self, path: PathKey, message: Msg, *, key: bool = False) -> None:
        self.problems.append(self.doc.problem(path, message, key=key))

    def items(self, key: str) -> list[tuple[int, dict[str, Any]]]:
        value = self.data.get(key)
        if not isinstance(value, list):
            return []
        return [(i, item) for i, item in enumerate(value) if isinstance(item, dict)]

    def check_source_ref(self, path: PathKey, item: Mapping[str, Any]) -> None:
        ref = item.get("source")
        if isinstance(ref, str) and ref not in self.source_ids:
            self.add(
                (*path, "source"),
                Msg(
                    "source « {s} » non déclarée dans « sources »{hint}",
                    "source '{s}' is not declared under 'sources'{hint}",
                    s=ref,
                    hint=suggest(ref, self.source_ids),
                ),
            )

    def number_source(self, path: PathKey, item: Mapping[str, Any], default: bool) -> None:
        self.check_source_ref(path, item)
        if not default and not isinstance(item.get("source"), str):
            self.add(
                path,
                Msg(
                    "source manquante : chaque nombre dit d'où il vient (« source » ici, "
                    "ou une source par défaut dans « model »)",
                    "missing source: every number says where it comes from ('source' here, "
                    "or a default source under 'model')",
                ),
            )

    def check_new_name(self, path: PathKey, name: str, taken: Msg) -> None:
        """A variable or feature name: not one scoring writes, not one already declared
        (``taken`` says so)."""
        if name in RESERVED_NAMES:
            self.add(
                (*path, "name"),
                Msg(
                    "« {n} » est un nom réservé aux colonnes produites par Lanterne",
                    "'{n}' is reserved for columns that Lanterne writes",
                    n=name,
                ),
            )
        if name in self.env:
            self.add((*path, "name"), taken)

    def expression(
        self, path: PathKey, source: Any, expect: ExprType | None = None
    ) -> tuple[Node, ExprType] | None:
        """Parse and type-check one expression; record a located problem if it fails."""
        if not isinstance(source, str):
            return None  # Pydantic reports the missing or non-text expression
        try:
            tree = parse(source)
            for name in sorted(names_in(tree)):
                self.check_name_use(name)
            kind = check_types(tree, self.env)
        except ExprError as exc:
            self.problems.append(self.expr_problem(path, source, exc))
            return None
        except NameUseError as exc:
            self.problems.append(self.expr_problem(path, source, exc.as_expr_error(source)))
            return None
        if expect is not None and kind != expect and not (expect == "number" and kind == "bool"):
            want = {
                "bool": Msg("une condition (vrai/faux)", "a condition (true/false)"),
                "number": Msg("un nombre", "a number"),
                "category": Msg("une catégorie", "a category"),
            }[expect]
            self.add(
                path,
                Msg(
                    "cette expression doit donner {want}",
                    "this expression must give {want}",
                    want=want,
                ),
            )
            return None
        return tree, kind

    def check_name_use(self, name: str) -> None:
        """Raise :class:`NameUseError` if an expression may not read ``name``."""
        if name in self.sensitive:
            raise NameUseError(
                name,
                Msg(
                    "« {n} » est une variable sensible : un modèle ne doit pas l'utiliser "
                    "(elle ne sert qu'aux audits)",
                    "'{n}' is a sensitive variable: a model must not use it "
                    "(it only serves audits)",
                    n=name,
                ),
            )
        if name in self.later_features:
            raise NameUseError(
                name,
                Msg(
                    "la caractéristique « {n} » est utilisée avant d'être définie "
                    "(les caractéristiques sont calculées dans l'ordre)",
                    "feature '{n}' is used before it is defined "
                    "(features are computed in the order written)",
                    n=name,
                ),
            )
        if name not in self.env:
            raise NameUseError(
                name,
                Msg(
                    "nom inconnu « {n} » : ni variable ni caractéristique déclarée{hint}",
                    "unknown name '{n}': not a declared variable or feature{hint}",
                    n=name,
                    hint=suggest(name, self.env),
                ),
            )

    def expr_problem(self, path: PathKey, source: str, exc: ExprError) -> Problem:
        """The problem at the character of the expression, when the YAML keeps it on one line."""
        pos = self.doc.positions.get(path)
        problem = self.doc.problem(path, exc.message)
        if pos is None:
            return problem
        single_line = pos.end_line in (None, pos.line) and "\n" not in source
        if pos.style in (None, "'", '"') and single_line:
            shift = exc.offset + (1 if pos.style else 0)
            return Problem(exc.message, problem.file, pos.line, pos.column + shift, problem.path)
        return Problem(
            Msg(
                "{m} (caractère {k} de l'expression)",
                "{m} (character {k} of the expression)",
                m=exc.message,
                k=exc.offset + 1,
            ),
            problem.file,
            problem.line,
            problem.column,
            problem.path,
        )


class NameUseError(Exception):
    """An expression reads a name it may not read (sensitive, not yet defined, unknown)."""

    def __init__(self, name: str, message: Msg) -> None:
        self.name = name
        self.message = message

    def as_expr_error(self, source: str) -> ExprError:
        match = re.search(rf"(?<![A-Za-z0-9_]){re.escape(self.name)}(?![A-Za-z0-9_])", source)
        return ExprError(self.message, match.start() if match else 0)


def suggest(name: str, known: Mapping[str, Any] | set[str]) -> Msg | str:
    """A "did you mean" hint naming the closest known name, or nothing."""
    close = difflib.get_close_matches(name, list(known), n=1)
    if close:
        return Msg(" (vouliez-vous dire « {c} » ?)", " (did you mean '{c}'?)", c=close[0])
    return ""
