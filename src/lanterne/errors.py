"""Errors that Lanterne reports to its users: each carries every problem found.

A problem says where (file, line, column, or row numbers for data) and what was expected,
in French and English. The CLI prints them all and exits with code 2.

Example:
    >>> from lanterne.errors import Problem, SpecError
    >>> from lanterne.i18n import Msg
    >>> err = SpecError([Problem(Msg("nombre attendu", "a number was expected"),
    ...                          file="m.yaml", line=3, column=12)])
    >>> err.render("en")
    'm.yaml:3:12: a number was expected'
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from lanterne.i18n import Msg

EXIT_BAD_INPUT = 2
#: Lists of names in messages stop after this many, and each name after this many characters:
#: a hostile file can hold a million columns or a name of a hundred megabytes.
MAX_LISTED = 20
MAX_NAME_CHARS = 60


def short_name(name: object, width: int = MAX_NAME_CHARS) -> str:
    """A name (or value) cut to ``width`` characters for a message.

    >>> short_name("x" * 100, 10)
    'xxxxxxxxx…'
    """
    text = str(name)
    return text if len(text) <= width else text[: width - 1] + "…"


def name_list(names: Iterable[object], limit: int = MAX_LISTED) -> Msg:
    """``a, b, c … and 5 more``: the first ``limit`` names, each cut short.

    >>> name_list(["a", "b", "c", "d"], limit=2).render("en")
    'a, b … and 2 more'
    >>> name_list([]).render("en")
    '-'
    """
    items = list(names)
    shown = ", ".join(short_name(n) for n in items[:limit]) or "-"
    rest = len(items) - limit
    if rest <= 0:
        return Msg("{s}", "{s}", s=shown)
    return Msg("{s} … et {n} de plus", "{s} … and {n} more", s=shown, n=rest)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located as precisely as possible."""

    message: Msg
    file: str | None = None
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based
    path: str | None = None  # where in the document, e.g. "variables[3].type"

    def location(self) -> str:
        parts = [p for p in (self.file, self.line, self.column) if p is not None]
        return ":".join(str(p) for p in parts)

    def render(self, lang: str | None = None) -> str:
        where = self.location()
        text = self.message.render(lang)
        if self.path and self.line is None:
            text = f"{self.path}: {text}"
        return f"{where}: {text}" if where else text

    def to_dict(self, lang: str | None = None) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "path": self.path,
            "message": self.message.render(lang),
        }


class LanterneError(Exception):
    """Base error: bad input from the user, never a bug. Holds one or more problems."""

    exit_code = EXIT_BAD_INPUT
    title = Msg("Entrée invalide", "Invalid input")

    def __init__(self, problems: Iterable[Problem] | Problem | Msg) -> None:
        if isinstance(problems, Msg):
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__(self.render("en"))

    def render(self, lang: str | None = None) -> str:
        return "\n".join(p.render(lang) for p in self.problems)


class SpecError(LanterneError):
    """A model specification (or another catalog file) is invalid."""

    title = Msg("Spécification invalide", "Invalid specification")


class DataError(LanterneError):
    """A data file does not match what the model or command expects."""

    title = Msg("Données invalides", "Invalid data")


class UsageError(LanterneError):
    """A command was called with options that do not fit together."""

    title = Msg("Utilisation incorrecte", "Incorrect usage")
