"""Errors that Lanterne reports to its users: each carries every problem found.

A problem says where (file, line, column, or row numbers for data) and what was expected,
in French and English. The CLI prints them all and exits with code 2 for bad input or
usage, 1 for a runtime failure (:class:`RuntimeFailure`: disk full, permission denied...),
130 when interrupted (see ``docs/security.md``).

Example:
    >>> from lanterne.errors import Problem, SpecError
    >>> from lanterne.i18n import Msg
    >>> err = SpecError([Problem(Msg("nombre attendu", "a number was expected"),
    ...                          file="m.yaml", line=3, column=12)])
    >>> err.render("en")
    'm.yaml:3:12: a number was expected'
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass

from lanterne.i18n import Msg

#: Exit codes of the ``lanterne`` command (documented in docs/security.md).
EXIT_BAD_INPUT = 2
EXIT_RUNTIME = 1
EXIT_INTERRUPTED = 130
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
    """One thing wrong with an input, located as precisely as possible.

    ``params`` names the Python parameters the problem is about (``("group_cols",)``): the
    message speaks of values in words, and a front end names its own way of setting them
    (the CLI appends its options, see :mod:`lanterne.cli.flags`).

    >>> p = Problem(Msg("donnez une colonne", "give a column"), params=("group_cols",))
    >>> p.render("en")
    'give a column'
    """

    message: Msg
    file: str | None = None
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based
    path: str | None = None  # where in the document, e.g. "variables[3].type"
    params: tuple[str, ...] = ()  # the parameters that would fix it, e.g. ("group_cols",)

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

    def __reduce__(self) -> tuple[object, ...]:
        # rebuilt from its problems when it crosses processes (errors found by a worker)
        return (type(self), (self.problems,))


class SpecError(LanterneError):
    """A model specification (or another catalog file) is invalid."""

    title = Msg("Spécification invalide", "Invalid specification")


class DataError(LanterneError):
    """A data file does not match what the model or command expects."""

    title = Msg("Données invalides", "Invalid data")


class UsageError(LanterneError):
    """A command was called with options that do not fit together."""

    title = Msg("Utilisation incorrecte", "Incorrect usage")


class RuntimeFailure(LanterneError):
    """The input was fine but the machine failed: disk full, permission denied, memory...

    Library code raises it (or lets an ``OSError`` through, which the CLI turns into one);
    the command ends with exit code 1.
    """

    exit_code = EXIT_RUNTIME
    title = Msg("Échec", "Failure")


class Interrupted(BaseException):
    """The process was asked to stop (SIGTERM, SIGHUP): unwinds like Ctrl-C so that every
    ``finally`` and temporary-file cleanup runs. Not an ``Exception``: broad ``except
    Exception`` blocks must not swallow it.
    """

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(f"signal {signum}")

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


#: What an operating-system error means, by errno, for the person running the command.
_OS_REASONS: dict[int, Msg] = {
    errno.EACCES: Msg("permission refusée", "permission denied"),
    errno.EPERM: Msg("opération non permise", "operation not permitted"),
    errno.ENOSPC: Msg("plus de place sur le disque", "no space left on the disk"),
    errno.EDQUOT: Msg("quota de disque dépassé", "disk quota exceeded"),
    errno.EROFS: Msg("système de fichiers en lecture seule", "read-only file system"),
    errno.ENAMETOOLONG: Msg("nom de fichier trop long", "file name too long"),
    errno.EISDIR: Msg("c'est un dossier, pas un fichier", "it is a folder, not a file"),
    errno.ENOTDIR: Msg(
        "une partie du chemin n'est pas un dossier", "part of the path is not a folder"
    ),
    errno.ENOENT: Msg("fichier ou dossier introuvable", "no such file or folder"),
    errno.EEXIST: Msg("le fichier existe déjà", "the file already exists"),
    errno.EMFILE: Msg("trop de fichiers ouverts", "too many open files"),
    errno.EIO: Msg("erreur d'entrée-sortie du disque", "input/output error on the disk"),
    errno.EFBIG: Msg("fichier trop gros", "file too large"),
    errno.EXDEV: Msg("déplacement entre disques impossible", "cannot move across disks"),
}

_ERRNO_IN_TEXT = re.compile(r"(?:os error|errno) (\d+)", re.IGNORECASE)


def os_errno(exc: BaseException) -> int | None:
    """The errno of an OS error, also when a library wrapped it in text.

    Polars reports a full disk as ``ComputeError('... (os error 28)')``, PyArrow as
    ``OSError('... [errno 28] ...')`` without ``errno`` set.

    >>> os_errno(OSError(28, "No space left on device"))
    28
    >>> os_errno(RuntimeError("parquet: underlying IO error: No space left (os error 28)"))
    28
    >>> os_errno(ValueError("bad")) is None
    True
    """
    number = getattr(exc, "errno", None)
    if isinstance(number, int):
        return number
    found = _ERRNO_IN_TEXT.search(str(exc))
    return int(found.group(1)) if found else None


def os_failure(exc: BaseException, file: str | os.PathLike[str] | None = None) -> RuntimeFailure:
    """A :class:`RuntimeFailure` saying, in both languages, what an OS error means.

    ``file`` names the file the user asked for (the destination rather than its hidden
    temporary file); by default the file the error names.

    >>> os_failure(PermissionError(13, "Permission denied", "/srv/r.html")).render("en")
    '/srv/r.html: permission denied (errno 13, EACCES)'
    """
    number = os_errno(exc)
    if file is None:
        file = getattr(exc, "filename", None)
    reason = _OS_REASONS.get(number) if number is not None else None
    if number is not None and reason is not None:
        code = errno.errorcode.get(number, "")
        text = Msg("{r} (errno {n}, {c})", "{r} (errno {n}, {c})", r=reason, n=number, c=code)
    else:
        detail = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        text = Msg("erreur du système : {d}", "system error: {d}", d=detail)
    return RuntimeFailure(Problem(text, file=os.fspath(file) if file is not None else None))
