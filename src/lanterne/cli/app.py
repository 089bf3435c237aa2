"""The Typer application, shared options and error handling for every command."""

from __future__ import annotations

import shlex
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from lanterne import __version__
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

#: Help texts are built at import time, in the language asked for on the command line.
HELP_LANG = lang_from_argv()

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


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
        console.print(f"lanterne {__version__}")
        raise typer.Exit()


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
    for problem in exc.problems:
        # the text may quote file names or data with brackets: never read as markup
        err_console.print(Text.assemble(("  • ", "red"), problem.render()), soft_wrap=True)


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
    with use_lang(None):
        return _run(argv)


def _run(argv: list[str] | None) -> int:
    try:
        with unwind_on_signals():
            app(args=argv, prog_name="lanterne")
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
