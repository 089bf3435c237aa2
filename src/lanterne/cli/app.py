"""The Typer application, shared options and error handling for every command."""

from __future__ import annotations

import shlex
import sys
from typing import Annotated

import typer
from rich.console import Console

from lanterne import __version__
from lanterne.errors import EXIT_BAD_INPUT, LanterneError
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
) -> None:
    """Lanterne."""


def report_error(exc: LanterneError) -> None:
    """Print every problem of an error on standard error."""
    title = exc.title.render()
    err_console.print(f"[bold red]{title}[/bold red]")
    for problem in exc.problems:
        err_console.print(f"  [red]•[/red] {problem.render()}", soft_wrap=True)


#: The arguments of the command being run (reports print the exact command back).
invoked_args: list[str] = []


def invoked_command() -> str:
    """The running command as one shell line: ``lanterne report ...``."""
    from lanterne.io.database import redact  # no password in reports

    return redact(shlex.join(["lanterne", *invoked_args]))


def run(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code (used by ``main`` and by tests).

    Typer prints usage errors itself (exit code 2); Lanterne's own errors are printed here
    with every problem they hold.
    """
    global invoked_args
    invoked_args = list(sys.argv[1:] if argv is None else argv)
    # --lang holds for this invocation only, even when called again in one process
    with use_lang(None):
        return _run(argv)


def _run(argv: list[str] | None) -> int:
    try:
        app(args=argv, prog_name="lanterne")
    except SystemExit as exc:
        code = exc.code
        if code is None:
            return 0
        return code if isinstance(code, int) else EXIT_BAD_INPUT
    except LanterneError as exc:
        report_error(exc)
        return exc.exit_code
    except KeyboardInterrupt:
        err_console.print(tr("Interrompu.", "Interrupted."))
        return 130
    return 0
