"""Click's and Typer's own texts ("Usage:", "Show this message and exit.", "Missing
argument"...) in the language of the command.

Click writes its messages through :mod:`gettext` (``_("…")`` and ``ngettext`` looked up in
each of its modules when the message is made); Typer's rich help keeps its panel titles in
constants of :mod:`typer.rich_utils`. :func:`install` replaces both by lookups in
:data:`FRENCH` when the language is French; English stays Click's own text.

>>> with use_lang("fr"):
...     translate("Show this message and exit.")
'Afficher cette aide et quitter.'
>>> with use_lang("en"):
...     translate("Show this message and exit.")
'Show this message and exit.'
"""

from __future__ import annotations

import importlib
from typing import Any

from lanterne.i18n import get_lang, use_lang  # noqa: F401  (use_lang: doctest)

#: Click's and Typer's messages (the ones a Lanterne user can meet) in French.
FRENCH: dict[str, str] = {
    # help pages
    "Usage:": "Utilisation :",
    "Show this message and exit.": "Afficher cette aide et quitter.",
    "Show the version and exit.": "Afficher la version et quitter.",
    "Options": "Options",
    "Arguments": "Arguments",
    "Positional arguments": "Arguments",
    "Commands": "Commandes",
    "default: {default}": "défaut : {default}",
    "env var: {var}": "variable d'environnement : {var}",
    "required": "obligatoire",
    "(dynamic)": "(calculé)",
    "(deprecated) ": "(obsolète) ",
    "deprecated": "obsolète",
    "[default: {}]": "[défaut : {}]",
    "[env var: {}]": "[variable d'environnement : {}]",
    "[required]": "[obligatoire]",
    # errors
    "Error": "Erreur",
    "Error: {message}": "Erreur : {message}",
    "Aborted!": "Interrompu.",
    "Aborted.": "Interrompu.",
    "Try '{command} {option}' for help.": "Essayez « {command} {option} » pour l'aide.",
    "Try [blue]'{command_path} {help_option}'[/] for help.": (
        "Essayez [blue]« {command_path} {help_option} »[/] pour l'aide."
    ),
    "Missing command.": "Commande manquante.",
    "No such command {name!r}.": "Commande inconnue : {name!r}.",
    "No such option {name!r}.": "Option inconnue : {name!r}.",
    "No such option: {name}": "Option inconnue : {name}",
    "Missing argument": "Argument manquant",
    "Missing option": "Option manquante",
    "Missing parameter": "Paramètre manquant",
    "Missing {param_type}": "{param_type} manquant",
    "Missing parameter: {param_name}": "Paramètre manquant : {param_name}",
    "Invalid value: {message}": "Valeur invalide : {message}",
    "Invalid value for {param_hint}: {message}": "Valeur invalide pour {param_hint} : {message}",
    "Option {name!r} does not take a value.": "L'option {name!r} ne prend pas de valeur.",
    "Option {name!r} requires an argument.": "L'option {name!r} demande une valeur.",
    "Option {name!r} requires {nargs} arguments.": "L'option {name!r} demande {nargs} valeurs.",
    "Argument {name!r} takes {nargs} values.": "L'argument {name!r} prend {nargs} valeurs.",
    "Got unexpected extra argument ({args})": "Argument en trop : ({args})",
    "Got unexpected extra arguments ({args})": "Arguments en trop : ({args})",
    "Did you mean {possibility}?": "Vouliez-vous dire {possibility} ?",
    "(Did you mean one of: {possibilities}?)": "(Vouliez-vous dire l'un de : {possibilities} ?)",
    "{value!r} is not a valid {number_type}.": "{value!r} n'est pas un {number_type} valide.",
    "{value} is not in the range {range}.": "{value} n'est pas dans l'intervalle {range}.",
    "{value!r} is not {choice}.": "{value!r} n'est pas {choice}.",
    "{value!r} is not one of {choices}.": "{value!r} n'est pas l'un de {choices}.",
    "{value!r} is not a valid boolean.": "{value!r} n'est pas un booléen valide.",
    "{value!r} is not a valid UUID.": "{value!r} n'est pas un UUID valide.",
    "{value!r} does not match the format {format}.": (
        "{value!r} ne correspond pas au format {format}."
    ),
    "{value!r} does not match the formats {formats}.": (
        "{value!r} ne correspond à aucun des formats {formats}."
    ),
    "Value must be an iterable.": "La valeur doit être une liste.",
    "Takes {nargs} values but 1 was given.": "Prend {nargs} valeurs mais 1 a été donnée.",
    "Takes {nargs} values but {len} were given.": (
        "Prend {nargs} valeurs mais {len} ont été données."
    ),
    "file": "fichier",
    "directory": "dossier",
    "path": "chemin",
    "{name} {filename!r} does not exist.": "{name} {filename!r} introuvable.",
    "{name} {filename!r} is a file.": "{name} {filename!r} est un fichier.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} est un dossier.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} illisible.",
    "Could not open file {filename!r}: {message}": (
        "Impossible d'ouvrir le fichier {filename!r} : {message}"
    ),
    "Choose from:\n\t{choices}": "Choisir parmi :\n\t{choices}",
}

#: Click's names of types, shown in "… is not a valid integer."
FRENCH_TYPE_NAMES = {"integer": "entier", "float": "nombre", "boolean": "booléen"}

#: Modules that look their messages up with ``_`` / ``ngettext``.
_MODULES = (
    "click.core",
    "click.exceptions",
    "click.parser",
    "click.types",
    "click.decorators",
    "click.formatting",
    "click.termui",
    "typer.core",
)
#: Typer's rich-help constants and the English text they start from.
_TYPER_CONSTANTS = {
    "DEPRECATED_STRING": "(deprecated) ",
    "DEFAULT_STRING": "[default: {}]",
    "ENVVAR_STRING": "[env var: {}]",
    "REQUIRED_LONG_STRING": "[required]",
    "ARGUMENTS_PANEL_TITLE": "Arguments",
    "OPTIONS_PANEL_TITLE": "Options",
    "COMMANDS_PANEL_TITLE": "Commands",
    "ERRORS_PANEL_TITLE": "Error",
    "ABORTED_TEXT": "Aborted.",
    "RICH_HELP": "Try [blue]'{command_path} {help_option}'[/] for help.",
}


def translate(message: str) -> str:
    """``message`` in the current language (Click's English when there is no French)."""
    if get_lang() == "fr":
        return FRENCH.get(message, message)
    return message


def ntranslate(singular: str, plural: str, n: int) -> str:
    """:func:`gettext.ngettext` in the current language."""
    return translate(singular if n == 1 else plural)


class _TypeName(str):
    """A Click type name ("integer") that reads in French when shown in French."""

    def __format__(self, spec: str) -> str:
        return format(
            FRENCH_TYPE_NAMES.get(str(self), str(self)) if get_lang() == "fr" else str(self), spec
        )


_installed = False


def install() -> None:
    """Make Click and Typer look their texts up here (once per process)."""
    global _installed
    if _installed:
        return
    for name in _MODULES:
        module: Any = importlib.import_module(name)
        if hasattr(module, "_"):
            module._ = translate
        if hasattr(module, "ngettext"):
            module.ngettext = ntranslate
    import click.types

    for cls in (click.types.IntParamType, click.types.FloatParamType, click.types.BoolParamType):
        cls.name = _TypeName(cls.name)
    _installed = True


def localise_rich_help() -> None:
    """Set Typer's rich-help titles in the current language (read when help is drawn)."""
    import typer.rich_utils

    for name, english in _TYPER_CONSTANTS.items():
        setattr(typer.rich_utils, name, translate(english))
