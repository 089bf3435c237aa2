"""Read YAML safely and remember where every value was written.

PyYAML's safe composer builds a node tree that knows each node's line and column; we
construct plain Python values from it ourselves so that every value keeps its position.
Nothing in a YAML file can run code here: only the safe scalar types are built. NaN and
infinite numbers (``.nan``, ``.inf``, ``1e400``) are refused wherever they appear, and
aliases, nesting and size are bounded.

Example:
    >>> doc = load_yaml_with_positions("a:\\n  - 1\\n  - x\\n", "f.yaml")
    >>> doc.data
    {'a': [1, 'x']}
    >>> doc.position(("a", 1)).line, doc.position(("a", 1)).column
    (3, 5)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor

from lanterne.errors import Problem, SpecError
from lanterne.i18n import Msg

PathKey = tuple[str | int, ...]

#: A document may expand to at most this many values (aliases repeat what they point to:
#: a few hundred bytes of nested aliases would otherwise expand to billions of values).
MAX_VALUES = 1_000_000
#: At most this many repetitions of a list or mapping through an alias (``*name``).
MAX_ALIAS_EXPANSIONS = 10_000
#: Lists and mappings nest at most this deep.
MAX_DEPTH = 100


@dataclass(frozen=True)
class Position:
    """1-based line and column of a YAML value; ``style`` is its quoting (``'"'``, ``"|"``...)."""

    line: int
    column: int
    style: str | None = None
    end_line: int | None = None


@dataclass
class YamlDocument:
    """A parsed YAML document with the position of every value, keyed by its path."""

    data: Any
    file: str
    positions: dict[PathKey, Position] = field(default_factory=dict)
    key_positions: dict[PathKey, Position] = field(default_factory=dict)
    duplicates: list[Problem] = field(default_factory=list)

    def position(self, path: PathKey) -> Position | None:
        """Position of the value at ``path``, or of its nearest enclosing value."""
        for end in range(len(path), -1, -1):
            pos = self.positions.get(tuple(path[:end]))
            if pos is not None:
                return pos
        return None

    def problem(self, path: PathKey, message: Msg, *, key: bool = False) -> Problem:
        """A problem located at ``path`` (at its key when ``key`` is true)."""
        pos = self.key_positions.get(tuple(path)) if key else None
        pos = pos or self.position(path)
        return Problem(
            message,
            file=self.file,
            line=pos.line if pos else None,
            column=pos.column if pos else None,
            path=format_path(path),
        )


def format_path(path: PathKey) -> str:
    """``("variables", 3, "type")`` → ``"variables[3].type"``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _pos(node: yaml.Node) -> Position:
    mark = node.start_mark
    style = getattr(node, "style", None)
    return Position(mark.line + 1, mark.column + 1, style, node.end_mark.line + 1)


_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


class _Builder:
    def __init__(self, doc: YamlDocument, max_values: int = MAX_VALUES) -> None:
        self.doc = doc
        self.constructor = SafeConstructor()
        self.max_values = max_values
        self.values = 0
        self.expansions = 0
        self.built: set[int] = set()

    def limits(self, node: yaml.Node, path: PathKey) -> None:
        """Refuse alias bombs and deep nesting before they cost memory and time."""
        self.values += 1
        if isinstance(node, yaml.MappingNode | yaml.SequenceNode):
            if id(node) in self.built:
                self.expansions += 1
            self.built.add(id(node))
        if len(path) > MAX_DEPTH:
            what = Msg(
                "imbrication trop profonde (plus de {n} niveaux)",
                "nesting too deep (more than {n} levels)",
                n=MAX_DEPTH,
            )
        elif self.values > self.max_values or self.expansions > MAX_ALIAS_EXPANSIONS:
            what = Msg(
                "le document se déploie en plus de {n} valeurs ou répète trop d'alias (*nom) : "
                "refusé pour ne pas épuiser la mémoire",
                "the document expands to more than {n} values or repeats too many aliases "
                "(*name): refused so as not to exhaust memory",
                n=f"{self.max_values:,}".replace(",", " "),
            )
        else:
            return
        mark = node.start_mark
        raise SpecError(
            Problem(
                what,
                file=self.doc.file,
                line=mark.line + 1,
                column=mark.column + 1,
                path=format_path(path),
            )
        )

    def build(self, node: yaml.Node, path: PathKey) -> Any:
        self.limits(node, path)
        self.doc.positions[path] = _pos(node)
        tags: dict[type[yaml.Node], str] = {yaml.MappingNode: _MAP, yaml.SequenceNode: _SEQ}
        expected = tags.get(type(node))
        if expected is not None and node.tag != expected:
            raise ConstructorError(None, None, f"tag {node.tag}", node.start_mark)
        if isinstance(node, yaml.MappingNode):
            self.constructor.flatten_mapping(node)  # resolves YAML merge keys (<<)
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = self.constructor.construct_object(key_node, deep=True)
                if not isinstance(key, str | int | float | bool) or key is None:
                    raise SpecError(
                        Problem(
                            Msg("clé de type non pris en charge", "unsupported key type"),
                            file=self.doc.file,
                            line=key_node.start_mark.line + 1,
                            column=key_node.start_mark.column + 1,
                        )
                    )
                key = str(key) if not isinstance(key, str) else key
                child = (*path, key)
                if key in result:
                    self.doc.duplicates.append(
                        Problem(
                            Msg("clé « {k} » en double", "duplicate key '{k}'", k=key),
                            file=self.doc.file,
                            line=key_node.start_mark.line + 1,
                            column=key_node.start_mark.column + 1,
                            path=format_path(child),
                        )
                    )
                self.doc.key_positions[child] = _pos(key_node)
                result[key] = self.build(value_node, child)
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        value = self.constructor.construct_object(node, deep=True)
        if isinstance(value, float) and not math.isfinite(value):
            # .nan and .inf would pass every comparison check and end as NaN scores
            mark = node.start_mark
            raise SpecError(
                Problem(
                    Msg(
                        "nombre non fini ({v}) refusé : écrivez un nombre fini",
                        "non-finite number ({v}) refused: write a finite number",
                        v=node.value,
                    ),
                    file=self.doc.file,
                    line=mark.line + 1,
                    column=mark.column + 1,
                    path=format_path(path),
                )
            )
        # Dates stay text: specs compare and print them, never compute with them.
        if hasattr(value, "isoformat"):
            return node.value
        return value


def load_yaml_with_positions(
    text: str, file: str = "<text>", *, max_values: int = MAX_VALUES
) -> YamlDocument:
    """Parse one YAML document; raise :class:`SpecError` with a location on syntax errors.

    Aliases, nesting and the number of values are bounded (:data:`MAX_VALUES`,
    :data:`MAX_ALIAS_EXPANSIONS`, :data:`MAX_DEPTH`).
    """
    doc = YamlDocument(data=None, file=file)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except RecursionError:  # PyYAML composes nested lists and mappings recursively
        raise SpecError(
            Problem(
                Msg(
                    "imbrication trop profonde (plus de {n} niveaux)",
                    "nesting too deep (more than {n} levels)",
                    n=MAX_DEPTH,
                ),
                file=file,
            )
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise SpecError(
            Problem(
                Msg(
                    "YAML invalide : {what}",
                    "invalid YAML: {what}",
                    what=(exc.problem or exc.context or "syntax error"),
                ),
                file=file,
                line=mark.line + 1 if mark else None,
                column=mark.column + 1 if mark else None,
            )
        ) from None
    except yaml.YAMLError as exc:  # pragma: no cover - other PyYAML errors carry no mark
        raise SpecError(
            Problem(Msg("YAML invalide : {e}", "invalid YAML: {e}", e=exc), file=file)
        ) from None
    if root is None:
        raise SpecError(Problem(Msg("le fichier est vide", "the file is empty"), file=file))
    try:
        doc.data = _Builder(doc, max_values).build(root, ())
    except ConstructorError as exc:
        mark = exc.problem_mark
        raise SpecError(
            Problem(
                Msg(
                    "valeur YAML non autorisée ({what}) : seules les valeurs simples sont lues",
                    "YAML value not allowed ({what}): only plain values are read",
                    what=exc.problem,
                ),
                file=file,
                line=mark.line + 1 if mark else None,
                column=mark.column + 1 if mark else None,
            )
        ) from None
    return doc
