"""Typer's and Click's own texts ("Usage:", "Show this message and exit.", "Missing
argument"...) in the language of the command.

Typer (≥ 0.29) carries its own copy of Click, whose texts are plain English strings, and
checks values with Pydantic, whose messages are English too. :func:`install` wraps the few
places they are made: the help option's text, the usage line, the type shown next to each
option (``<str>``, ``<float range>``..., none for a switch such as ``--quiet``), the titles
of Typer's rich help (constants of ``typer.rich_utils``, set again before each page so that
each run speaks its own language) and the message of a usage error, translated by
:func:`translate_error`. English stays Typer's own text.

``typer.rich_utils`` imports Rich's Markdown and costs as much as Typer itself: it is
wrapped when something imports it (a help page or an error), not before, so that
``lanterne --version`` stays fast.

>>> with use_lang("fr"):
...     translate_error("Missing argument 'model'.")
"Argument manquant : 'model'."
>>> with use_lang("en"):
...     translate_error("Missing argument 'model'.")
"Missing argument 'model'."
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import re
import sys
from collections.abc import Callable
from functools import wraps
from types import ModuleType
from typing import Any

from lanterne.i18n import get_lang, use_lang  # noqa: F401  (use_lang: doctest)

#: Typer's rich-help constants, in English (Typer's) and French.
RICH_TEXTS: dict[str, tuple[str, str]] = {
    "DEPRECATED_STRING": ("(deprecated) ", "(obsolète) "),
    "DEFAULT_STRING": ("[default: {}]", "[défaut : {}]"),
    "ENVVAR_STRING": ("[env var: {}]", "[variable d'environnement : {}]"),
    "REQUIRED_LONG_STRING": ("[required]", "[obligatoire]"),
    "ARGUMENTS_PANEL_TITLE": ("Arguments", "Arguments"),
    "OPTIONS_PANEL_TITLE": ("Options", "Options"),
    "COMMANDS_PANEL_TITLE": ("Commands", "Commandes"),
    "ERRORS_PANEL_TITLE": ("Error", "Erreur"),
    "ABORTED_TEXT": ("Aborted.", "Interrompu."),
    "RICH_HELP": (
        "Try [blue]'{command_path} {help_option}'[/] for help.",
        "Essayez [blue]« {command_path} {help_option} »[/] pour l'aide.",
    ),
}

HELP_OPTION = ("Show this message and exit.", "Afficher cette aide et quitter.")
USAGE = ("Usage: ", "Utilisation : ")
COMMAND_METAVAR = ("COMMAND [ARGS]...", "COMMANDE [ARGS]...")

#: Words of the type shown next to an option (``<float range>``) in French.
TYPE_WORDS = {
    "str": "texte",
    "int": "entier",
    "float": "nombre",
    "bool": "oui/non",
    "path": "chemin",
    "file": "fichier",
    "dir": "dossier",
    "list": "liste",
    "datetime": "date",
}
_TYPE_WORD = re.compile(r"\b(" + "|".join(TYPE_WORDS) + r")\b")

#: Usage errors (Typer's copy of Click, and Pydantic's checks of values): pattern → French.
ERRORS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p, re.S), fr)
    for p, fr in [
        (r"Invalid value for (.+?): (.*)", "Valeur invalide pour {0} : {1}"),
        (r"Invalid value: (.*)", "Valeur invalide : {0}"),
        (r"Missing argument (.+?)\.(?: (.*))?", "Argument manquant : {0}.{1}"),
        (r"Missing option (.+?)\.(?: (.*))?", "Option manquante : {0}.{1}"),
        (r"Missing parameter (.+?)\.(?: (.*))?", "Paramètre manquant : {0}.{1}"),
        (r"Missing parameter: (.*)", "Paramètre manquant : {0}"),
        (
            r"No such option: (\S+) \(Possible options: (.*)\)",
            "Option inconnue : {0} (options proches : {1})",
        ),
        (r"No such option: (.*)", "Option inconnue : {0}"),
        (r"No such command (.*)\.", "Commande inconnue : {0}."),
        (r"Missing command\.", "Commande manquante."),
        (r"Got unexpected extra argument\(s\) \((.*)\)", "Argument(s) en trop : ({0})"),
        (r"Option (.+?) requires an argument\.", "L'option {0} demande une valeur."),
        (r"Option (.+?) requires (\d+) arguments\.", "L'option {0} demande {1} valeurs."),
        (r"Option (.+?) does not take a value\.", "L'option {0} ne prend pas de valeur."),
        (r"Argument (.+?) takes (\d+) values\.", "L'argument {0} prend {1} valeurs."),
        (r"Input should be less than or equal to (.*)", "la valeur doit être au plus {0}"),
        (r"Input should be greater than or equal to (.*)", "la valeur doit être au moins {0}"),
        (r"Input should be less than (.*)", "la valeur doit être inférieure à {0}"),
        (r"Input should be greater than (.*)", "la valeur doit être supérieure à {0}"),
        (r"Input should be a valid integer.*", "un nombre entier est attendu"),
        (r"Input should be a valid number.*", "un nombre est attendu"),
        (r"Input should be a valid boolean.*", "oui/non attendu (true, false, 1, 0…)"),
        (r"Input should be (.*)", "la valeur doit être {0}"),
        (r"Value (.+?) is not a valid (.+?)\.", "la valeur {0} n'est pas un {1} valide."),
        (r"(.+?) is not one of (.*)\.", "{0} n'est pas l'un de {1}."),
        (r"Choose from:\n\t(.*)", "Choisir parmi :\n\t{0}"),
        (r"Could not open file (.+?): (.*)", "Impossible d'ouvrir le fichier {0} : {1}"),
    ]
]


def french() -> bool:
    return get_lang() == "fr"


def pick_text(pair: tuple[str, str]) -> str:
    """The English or the French text of ``pair`` in the current language."""
    return pair[1] if french() else pair[0]


def translate_error(message: str) -> str:
    """A usage error of Typer/Click/Pydantic in the current language (the values it
    quotes kept as they are)."""
    if not french():
        return message
    for pattern, fr in ERRORS:
        match = pattern.fullmatch(message.strip())
        if match is None:
            continue
        parts = [g or "" for g in match.groups()]
        # an error inside an error ("Invalid value for X: Input should be…")
        parts = [translate_error(p) if i == len(parts) - 1 else p for i, p in enumerate(parts)]
        if fr.count("{1}") and fr.endswith(".{1}") and parts[1]:
            parts[1] = " " + parts[1]
        return fr.format(*parts)
    return message


def translate_type(label: str) -> str:
    """``<float range>`` → ``<nombre>``, ``<list[str]>`` → ``<liste[texte]>`` in French."""
    if not french():
        return label
    label = label.replace(" range>", ">")
    return _TYPE_WORD.sub(lambda m: TYPE_WORDS[m.group(1)], label)


def _localise_rich_texts(module: ModuleType) -> None:
    for name, pair in RICH_TEXTS.items():
        setattr(module, name, pick_text(pair))


def _wrap_rich_utils(module: ModuleType) -> None:
    """Set the rich help's texts in the current language before each page or error."""

    def localised(func: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(func)
        def run(*args: Any, **kwargs: Any) -> Any:
            _localise_rich_texts(module)
            return func(*args, **kwargs)

        return run

    original_error: Callable[[Any], None] = getattr(module, "rich_format_error")  # noqa: B009

    @wraps(original_error)
    def format_error(self: Any) -> None:
        english = self.format_message
        self.format_message = lambda: translate_error(english())
        try:
            original_error(self)
        finally:
            del self.format_message

    setattr(module, "rich_format_error", format_error)  # noqa: B010
    for name in ("rich_format_help", "rich_format_error", "rich_abort_error"):
        setattr(module, name, localised(getattr(module, name)))


class _WrapOnImport(importlib.abc.MetaPathFinder):
    """Wrap ``typer.rich_utils`` when it is first imported (see the module's notes)."""

    name = "typer.rich_utils"

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname != self.name:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return None
        loader = spec.loader
        execute = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            execute(module)
            _wrap_rich_utils(module)

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


_installed = False


def install() -> None:
    """Make Typer's texts follow the language of the command (once per process)."""
    global _installed
    if _installed:
        return
    _installed = True
    import typer.core
    from typer._click import core as click_core
    from typer._click import formatting

    get_help_option = click_core.Command.get_help_option

    def help_option(self: Any, ctx: Any) -> Any:
        option = get_help_option(self, ctx)
        if option is not None:
            option.help = pick_text(HELP_OPTION)
        return option

    click_core.Command.get_help_option = help_option  # type: ignore[method-assign]

    write_usage = formatting.HelpFormatter.write_usage

    def usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        if french():
            args = args.replace(COMMAND_METAVAR[0], COMMAND_METAVAR[1])
        write_usage(self, prog, args, pick_text(USAGE) if prefix is None else prefix)

    formatting.HelpFormatter.write_usage = usage  # type: ignore[method-assign]

    display_type = typer.core._TyperParameter.display_type

    def shown_type(self: Any, ctx: Any) -> str:
        if getattr(self, "is_flag", False):  # a switch takes no value: "<bool>" says nothing
            return ""
        return translate_type(display_type(self, ctx))

    typer.core._TyperParameter.display_type = shown_type  # type: ignore[method-assign]

    if "typer.rich_utils" in sys.modules:
        _wrap_rich_utils(sys.modules["typer.rich_utils"])
    else:
        sys.meta_path.insert(0, _WrapOnImport())
