"""The Typer application, shared options and error handling for every command.

This module, like every command module, imports nothing heavy (no Polars, Matplotlib...):
``lanterne --help`` and ``lanterne --version`` only need Typer and Rich. Commands import
the library inside their bodies (``tests/cli/test_cli_startup.py`` checks the import graph).

Output conventions: results (tables, JSON) go to standard output through :data:`console`;
progress bars and status lines go to standard error through :data:`status_console`, which
``--quiet`` silences; errors go to standard error through :data:`err_console`, always.
With an output given as ``-``, standard output carries that data alone (the tables are not
drawn: :func:`results_console`). When a stream is not a terminal, Rich writes plain text:
no colour, no wrapping at 80 columns (:class:`PlainConsole`).
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Sequence
from typing import Annotated, Any

import typer
from rich.console import Console, ConsoleDimensions
from rich.text import Text

from lanterne.cli.click_texts import install
from lanterne.cli.faults import (
    debug_from_env,
    interrupted_message,
    runtime_failure,
    unexpected_lines,
    unwind_on_signals,
)
from lanterne.errors import (
    EXIT_BAD_INPUT,
    EXIT_INTERRUPTED,
    EXIT_RUNTIME,
    Interrupted,
    LanterneError,
)
from lanterne.i18n import lang_from_argv, normalise_lang, set_lang, tr, use_lang
from lanterne.io.std import forget_stdin, stdin_copy

#: Help texts are built at import time, in the language asked for on the command line.
HELP_LANG = lang_from_argv()

#: Width of the lines Rich lays out when writing to a file or a pipe (no wrapping there).
PLAIN_WIDTH = 10_000


class PlainConsole(Console):
    """A Rich console that writes plain, unwrapped lines when its stream is not a terminal.

    On a terminal it behaves as Rich does. Into a file or a pipe, Rich would wrap at 80
    columns (and cut table cells); here lines keep their length (tables are as wide as
    their content) and long texts are not folded (``soft_wrap``). Colour is already off
    there (Rich's own rule). ``COLUMNS`` still sets the width when given.
    """

    @property
    def size(self) -> ConsoleDimensions:
        if self._width is None and not self.is_terminal and "COLUMNS" not in self._environ:
            return ConsoleDimensions(PLAIN_WIDTH, 25)
        return super().size

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        self._width, self._height = new_size

    @property
    def soft_wrap(self) -> bool:
        return self._soft_wrap or not self.is_terminal

    @soft_wrap.setter
    def soft_wrap(self, value: bool) -> None:
        self._soft_wrap = value

    def print(self, *args: Any, **kwargs: Any) -> None:
        """Rich's ``print``; nothing at all (not even laid out) when ``--quiet`` holds."""
        if not self.quiet:
            super().print(*args, **kwargs)

    def rule(self, *args: Any, **kwargs: Any) -> None:
        """A horizontal line; into a file or a pipe, 80 characters rather than the width."""
        if self.quiet:
            return
        if self.is_terminal or self._width is not None:
            super().rule(*args, **kwargs)
            return
        from rich.rule import Rule

        self.print(Rule(*args, **kwargs), width=80)


#: Results (tables, JSON): standard output.
console = PlainConsole(highlight=False)
#: Errors: standard error, always shown.
err_console = PlainConsole(stderr=True, highlight=False)
#: Progress bars and status lines: standard error, silenced by ``--quiet``.
status_console = PlainConsole(stderr=True, highlight=False)
#: Tables nobody asked for (the data goes to standard output): not even laid out.
silent_console = PlainConsole(stderr=True, highlight=False, quiet=True)


def results_console(*outputs: object) -> Console:
    """Where a command prints its tables: standard output, or nowhere when one of
    ``outputs`` is ``-`` (standard output then carries the data alone: JSON, CSV, HTML;
    the tables would say the same for a reader who asked for the data)."""
    if any(out is not None and str(out) == "-" for out in outputs):
        return silent_console
    return console


def tables_off(*outputs: object) -> None:
    """:func:`results_console` for commands printing through :data:`console`: nothing
    more is printed there by this command when one of ``outputs`` is ``-``. :func:`run`
    puts it back."""
    if any(out is not None and str(out) == "-" for out in outputs):
        console.quiet = True


def status(message: str) -> Any:
    """A spinner with ``message`` on standard error while a step runs (``with status(…):``)."""
    return status_console.status(message)


def h(fr: str, en: str) -> str:
    """A help text in the language of this invocation."""
    return tr(fr, en, HELP_LANG)


def _check_lang(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        lang = normalise_lang(value)
    except ValueError:
        raise typer.BadParameter(h("choisir fr ou en", "choose fr or en")) from None
    set_lang(lang)
    return lang


LangOption = Annotated[
    str | None,
    typer.Option(
        "--lang",
        help=h("Langue des messages : fr ou en.", "Language of messages: fr or en."),
        callback=_check_lang,
        is_eager=True,
        metavar="fr|en",
    ),
]

install()  # Click's and Typer's texts in the command's language

app = typer.Typer(
    name="lanterne",
    help=h(
        "Lanterne : reconstruire en boîte de verre les algorithmes de notation des "
        "administrations, mesurer qui ils ciblent, expliquer un score et écrire le courrier "
        "pour en demander compte.",
        "Lanterne: rebuild public agencies' risk-scoring algorithms as glass boxes, measure "
        "whom they target, explain a score and write the letter that asks for an account.",
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from lanterne import __version__

        console.print(f"lanterne {__version__}")
        raise typer.Exit()


def _quiet(ctx: Any, param: Any, value: bool) -> None:
    if value:
        status_console.quiet = True


def quiet_option() -> Any:
    """``--quiet``/``-q``: no progress bar nor status line (errors are still shown)."""
    from typer._coercion import bool_flag_type_descriptor
    from typer.core import TyperOption

    return TyperOption(
        param_decls=["-q", "--quiet"],
        type_descriptor=bool_flag_type_descriptor(),
        is_flag=True,
        default=False,
        expose_value=False,
        is_eager=True,
        callback=_quiet,
        help=h(
            "Ne pas afficher la progression ni les messages d'étape (les erreurs restent).",
            "Show no progress bar nor status message (errors are still shown).",
        ),
    )


@app.callback()
def _root(
    lang: LangOption = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_version,
            is_eager=True,
            help=h("Afficher la version et quitter.", "Show the version and exit."),
        ),
    ] = False,
    debug: Annotated[
        bool,
        typer.Option(
            "--debug",
            help=h(
                "Montrer la trace complète d'une erreur inattendue (aussi : LANTERNE_DEBUG=1).",
                "Show the full traceback of an unexpected error (also: LANTERNE_DEBUG=1).",
            ),
        ),
    ] = False,
) -> None:
    """Lanterne."""
    global debug_mode
    debug_mode = debug_mode or debug


def report_error(exc: LanterneError) -> None:
    """Print every problem of an error on standard error."""
    title = exc.title.render()
    err_console.print(f"[bold red]{title}[/bold red]")
    copy = stdin_copy()
    for problem in exc.problems:
        text = problem.render()
        if copy is not None:  # data read from standard input: say so, not the private copy
            text = text.replace(str(copy), tr("(entrée standard)", "(standard input)"))
        # the text may quote file names or data with brackets: never read as markup
        err_console.print(Text.assemble(("  • ", "red"), text), soft_wrap=True)


#: The arguments of the command being run (reports print the exact command back).
invoked_args: list[str] = []

#: Show tracebacks of unexpected errors (``--debug`` or ``LANTERNE_DEBUG=1``).
debug_mode = False


def invoked_command() -> str:
    """The running command as one shell line: ``lanterne report ...``."""
    from lanterne.io.database import redact  # no password in reports

    return redact(shlex.join(["lanterne", *invoked_args]))


def run(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code (used by ``main`` and by tests).

    2 for bad input or usage (Typer prints its own usage errors; Lanterne's errors are
    printed here with every problem they hold), 1 for a runtime failure (OS error, memory,
    a bug), 130 on Ctrl-C (see :mod:`lanterne.cli.faults`).
    """
    global invoked_args, debug_mode
    invoked_args = list(sys.argv[1:] if argv is None else argv)
    debug_mode = debug_from_env()
    # --lang holds for this invocation only, even when called again in one process
    try:
        with use_lang(None):
            return _run(argv)
    finally:
        forget_stdin()  # the copy of standard input, if a command read one


_commands: dict[str | None, Any] = {}


def command(args: Sequence[str] = ()) -> Any:
    """The Click command behind :data:`app`, built once, with ``--quiet`` on every command
    and the library's errors naming each command's options (:mod:`lanterne.cli.flags`).

    When ``args`` start with a top-level command (``audit population …``), only that
    command's branch is built: reading the options of every other command would cost more
    than some commands take to run. Anything else (help, a misspelt name) gets the whole
    tree, so that help lists every command and errors suggest the right name.
    """
    branch = _branch(args)
    if branch not in _commands:
        import typer.main

        from lanterne.cli.flags import name_flags_everywhere

        whole = app.registered_groups, app.registered_commands
        if branch is not None:
            app.registered_groups = [g for g in whole[0] if g.name == branch]
            app.registered_commands = [c for c in whole[1] if _name(c) == branch]
        try:
            built = typer.main.get_command(app)
        finally:
            app.registered_groups, app.registered_commands = whole
        _add_everywhere(built, quiet_option())
        name_flags_everywhere(built)
        _commands[branch] = built
    return _commands[branch]


def _name(info: Any) -> str | None:
    if info.name is not None or info.callback is None:
        return info.name
    import typer.main

    return typer.main.get_command_name(info.callback.__name__)


def _branch(args: Sequence[str]) -> str | None:
    """The top-level command named first in ``args`` (after ``-q``/``--debug``), if any."""
    for arg in args:
        if arg in ("-q", "--quiet", "--debug"):
            continue
        names = [g.name for g in app.registered_groups]
        names += [_name(c) for c in app.registered_commands]
        return arg if names.count(arg) == 1 else None
    return None


def _add_everywhere(cmd: Any, option: Any) -> None:
    help_at = next((i for i, p in enumerate(cmd.params) if "--help" in p.opts), len(cmd.params))
    cmd.params.insert(help_at, option)
    for sub in getattr(cmd, "commands", {}).values():
        _add_everywhere(sub, option)


def _asks_version_only(args: list[str]) -> bool:
    """``lanterne [-q|--debug] --version``: only options before ``--version``.

    >>> _asks_version_only(["--version"]), _asks_version_only(["score", "--version"])
    (True, False)
    """
    for arg in args:
        if arg == "--version":
            return True
        if arg not in ("-q", "--quiet", "--debug"):
            return False
    return False


def _run(argv: list[str] | None) -> int:
    status_console.quiet = False
    console.quiet = False  # tables_off() holds for one command
    with use_lang(lang_from_argv(invoked_args)):  # Click's own texts in that language too
        return _invoke(argv)


def _invoke(argv: list[str] | None) -> int:
    if _asks_version_only(invoked_args):  # answered before the command tree is built
        from lanterne import __version__

        console.print(f"lanterne {__version__}")
        return 0
    try:
        with unwind_on_signals():
            command(invoked_args).main(args=argv, prog_name="lanterne")
    except SystemExit as exc:
        code = exc.code
        if code is None:
            return 0
        if code == EXIT_INTERRUPTED:  # Typer turns Ctrl-C (KeyboardInterrupt) into this
            err_console.print(interrupted_message())
        return code if isinstance(code, int) else EXIT_BAD_INPUT
    except LanterneError as exc:
        report_error(exc)
        return exc.exit_code
    except KeyboardInterrupt:
        err_console.print(interrupted_message())
        return EXIT_INTERRUPTED
    except Interrupted as exc:
        err_console.print(interrupted_message())
        return exc.exit_code
    except BaseException as exc:  # PanicException (Polars) is not an Exception
        if debug_mode:
            raise
        failure = runtime_failure(exc)
        if failure is not None:
            report_error(failure)
        else:
            lines = unexpected_lines(exc)
            err_console.print(f"[bold red]{lines[0]}[/bold red]")
            for line in lines[1:]:
                err_console.print(line, soft_wrap=True, markup=False)
        return EXIT_RUNTIME
    return 0
