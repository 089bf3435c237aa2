"""The command's own options in the library's messages.

Library messages speak of values, in words, and name the Python parameters that would fix
them (:attr:`~lanterne.errors.Problem.params`, e.g. ``group_cols``): the Python API and the
web pages show them as they are. The CLI names the option that sets each parameter, looked
up among the running command's options — "give at least one group column (--group-col)" —
or, for a problem about one value (its ``path``), in front of it: "--value n_children: ...".
A parameter the command has no option for stays in words.

Every command gets this on its errors (:func:`name_flags_everywhere`, called once when the
command tree is built); :func:`flagged` does it for a message that is not an error.

    >>> import click
    >>> from lanterne.errors import Problem
    >>> from lanterne.i18n import Msg
    >>> cmd = click.Command("x", params=[click.Option(["-g", "--group-col"], multiple=True)])
    >>> p = Problem(Msg("donnez une colonne", "give a column"), params=("group_cols",))
    >>> name_flags(p, cmd).render("en")
    'give a column (--group-col)'
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import click

from lanterne.errors import LanterneError, Problem
from lanterne.i18n import Msg

#: Library parameters whose option has another name (``counterfactuals(variables=...)``
#: is ``--vary``); lists are found under the singular (``group_cols`` → ``--group-col``).
ALIASES: dict[str, tuple[str, ...]] = {"variables": ("vary",), "values": ("value",)}


def flag_of(command: click.Command | None, param: str) -> str | None:
    """The long option of ``command`` that sets the library parameter ``param``, if any.

    >>> cmd = click.Command("x", params=[click.Option(["--negative-value"], multiple=True)])
    >>> flag_of(cmd, "negative_values"), flag_of(cmd, "level")
    ('--negative-value', None)
    """
    if command is None:
        return None
    options = {p.name: p for p in command.params if isinstance(p, click.Option)}
    for name in (param, param.removesuffix("s"), *ALIASES.get(param, ())):
        option = options.get(name)
        if option is not None:
            return max(option.opts, key=len)  # "--group-col" rather than "-g"
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


def _flags(command: click.Command | None, params: Sequence[str]) -> list[str]:
    flags = [flag_of(command, p) for p in params]
    return list(dict.fromkeys(f for f in flags if f is not None))


def name_flags(problem: Problem, command: click.Command | None) -> Problem:
    """``problem`` with the options that set its parameters: in front of the value it is
    about (its ``path``), else after the message."""
    flags = _flags(command, problem.params)
    if not flags:
        return problem
    said = " ".join(flags)
    if problem.path is not None and problem.line is None:
        return replace(problem, path=f"{said} {problem.path}", params=())
    return replace(problem, message=with_said(problem.message, said), params=())


def with_flags(exc: LanterneError, command: click.Command | None) -> LanterneError:
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
    context = click.get_current_context(silent=True)
    flags = _flags(context.command if context else None, params)
    return with_said(message, " ".join(flags)) if flags else message


def name_flags_everywhere(command: click.Command) -> None:
    """Make every leaf command of the tree name its options in the errors it raises."""
    subcommands = getattr(command, "commands", None)
    if subcommands is not None:
        for sub in subcommands.values():
            name_flags_everywhere(sub)
        return
    invoke = command.invoke

    def invoke_naming_flags(ctx: click.Context) -> Any:
        try:
            return invoke(ctx)
        except LanterneError as exc:
            named = with_flags(exc, ctx.command)
            if named is exc:
                raise
            raise named from exc.__cause__

    command.invoke = invoke_naming_flags  # type: ignore[method-assign]
