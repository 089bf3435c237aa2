"""The command's own options in the library's messages.

Library messages speak of values, in words, and name the Python parameters that would fix
them (:attr:`~lanterne.errors.Problem.params`, e.g. ``group_cols``): the Python API and the
web pages show them as they are. The CLI names the option that sets each parameter, looked
up among the running command's options — "give at least one group column (--group-col)" —
or, for a problem about one value (its ``path``), in front of it: "--value n_children: ...".
A parameter the command has no option for stays in words.

Every command gets this on its errors (:func:`name_flags_everywhere`, called once when the
command tree is built); :func:`flagged` does it for a message that is not an error.

    >>> from types import SimpleNamespace as Cmd
    >>> from lanterne.errors import Problem
    >>> from lanterne.i18n import Msg
    >>> cmd = Cmd(params=[Cmd(name="group_col", opts=["-g", "--group-col"])])
    >>> p = Problem(Msg("donnez une colonne", "give a column"), params=("group_cols",))
    >>> name_flags(p, cmd).render("en")
    'give a column (--group-col)'
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from lanterne.errors import LanterneError, Problem
from lanterne.i18n import Msg

#: Library parameters whose option has another name (``counterfactuals(variables=...)``
#: is ``--vary``); lists are found under the singular (``group_cols`` → ``--group-col``).
ALIASES: dict[str, tuple[str, ...]] = {"variables": ("vary",), "values": ("value",)}


#: The leaf command running now (set around its invocation), for :func:`flagged`.
_running: list[Any] = []


def flag_of(command: Any, param: str) -> str | None:
    """The long option of ``command`` (a Click command) that sets the library parameter
    ``param``, if it has one.

    >>> from types import SimpleNamespace as Cmd
    >>> cmd = Cmd(params=[Cmd(name="negative_value", opts=["--negative-value"])])
    >>> flag_of(cmd, "negative_values"), flag_of(cmd, "level")
    ('--negative-value', None)
    """
    if command is None:
        return None
    options = {
        p.name: long
        for p in command.params
        for long in [max(p.opts or [""], key=len)]  # "--group-col" rather than "-g"
        if long.startswith("--")  # options, not arguments
    }
    for name in (param, param.removesuffix("s"), *ALIASES.get(param, ())):
        if name in options:
            return options[name]
    return None


def with_said(message: Msg, said: str) -> Msg:
    """``message`` followed by ``(said)``, inside its final full stop if it has one.

    >>> with_said(Msg("Réduisez.", "Narrow."), "--vary").render("en")
    'Narrow (--vary).'
    """
    fr, en = (
        text[:-1] + f" ({said})." if text.endswith(".") else f"{text} ({said})"
        for text in (message.render("fr"), message.render("en"))
    )
    return Msg("{fr}", "{en}", fr=fr, en=en)


def _flags(command: Any, params: Sequence[str]) -> list[str]:
    flags = [flag_of(command, p) for p in params]
    return list(dict.fromkeys(f for f in flags if f is not None))


def name_flags(problem: Problem, command: Any) -> Problem:
    """``problem`` with the options that set its parameters: in front of the value it is
    about (its ``path``), else after the message."""
    flags = _flags(command, problem.params)
    if not flags:
        return problem
    said = " ".join(flags)
    if problem.path is not None and problem.line is None:
        return replace(problem, path=f"{said} {problem.path}", params=())
    return replace(problem, message=with_said(problem.message, said), params=())


def with_flags(exc: LanterneError, command: Any) -> LanterneError:
    """The same error, its problems naming ``command``'s options (same class, same data)."""
    problems = [name_flags(p, command) for p in exc.problems]
    if problems == exc.problems:
        return exc
    named = copy.copy(exc)  # keeps the class and its attributes (e.g. the missing names)
    named.problems = problems
    named.args = (named.render("en"),)
    return named


def flagged(message: Msg, params: Sequence[str]) -> Msg:
    """A message that is not an error (a search stopped early...) with the running
    command's options for ``params`` appended."""
    flags = _flags(_running[-1] if _running else None, params)
    return with_said(message, " ".join(flags)) if flags else message


@contextmanager
def _run(command: Any) -> Iterator[None]:
    _running.append(command)
    try:
        yield
    finally:
        _running.pop()


def name_flags_everywhere(command: Any) -> None:
    """Make every leaf command of the tree name its options in the errors it raises."""
    subcommands = getattr(command, "commands", None)
    if subcommands is not None:
        for sub in subcommands.values():
            name_flags_everywhere(sub)
        return
    invoke = command.invoke

    def invoke_naming_flags(ctx: Any) -> Any:
        try:
            with _run(ctx.command):
                return invoke(ctx)
        except LanterneError as exc:
            named = with_flags(exc, ctx.command)
            if named is exc:
                raise
            raise named from exc.__cause__

    command.invoke = invoke_naming_flags
