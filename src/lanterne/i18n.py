"""Bilingual text: every user-facing message exists in French and English.

French is the default. The language is chosen, in order, by an explicit argument, by
:func:`use_lang` (the CLI sets it from ``--lang``), by the ``LANTERNE_LANG`` environment
variable, then by the system locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``: ``fr_*`` gives
French, ``en_*`` English, anything else French).

Example:
    >>> from lanterne.i18n import Msg, use_lang
    >>> msg = Msg("{n} foyers", "{n} households", n=3)
    >>> with use_lang("en"):
    ...     str(msg)
    '3 households'
    >>> msg.render("fr")
    '3 foyers'
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Literal

Lang = Literal["fr", "en"]
LANGS: tuple[Lang, ...] = ("fr", "en")
DEFAULT_LANG: Lang = "fr"

_PERCENT_SPACE = re.compile(r"(?<=[\d}]) %")
_THOUSANDS_SPACE = re.compile(r"(?<![\d,.])(\d{1,3})(?:[ \u00a0]\d{3})+(?![\d])")
_current: ContextVar[Lang | None] = ContextVar("lanterne_lang", default=None)
_LANG_OF: dict[str, Lang] = {lang: lang for lang in LANGS}  # a code, typed as a Lang


def normalise_lang(value: str | None) -> Lang:
    """Return ``"fr"`` or ``"en"`` for a user-supplied language code.

    Accepts regional forms such as ``fr_FR.UTF-8`` or ``en-GB``.

    >>> normalise_lang("en-GB")
    'en'
    """
    if not value:
        return DEFAULT_LANG
    lang = _LANG_OF.get(value)  # already a code (the common case: pages call this per text)
    if lang is not None:
        return lang
    code = value.strip().lower().replace("-", "_").split("_")[0].split(".")[0]
    lang = _LANG_OF.get(code)
    if lang is not None:
        return lang
    raise ValueError(f"unknown language {value!r}: expected one of {', '.join(LANGS)}")


def get_lang() -> Lang:
    """The language in force: :func:`use_lang`, else ``LANTERNE_LANG``, else the locale."""
    lang = _current.get()
    if lang is not None:
        return lang
    try:
        return normalise_lang(os.environ.get("LANTERNE_LANG") or locale_lang())
    except ValueError:
        return DEFAULT_LANG


def locale_lang(environ: Mapping[str, str] | None = None) -> Lang:
    """The language of the system locale, as POSIX reads it: the first set of ``LC_ALL``,
    ``LC_MESSAGES`` and ``LANG`` decides; French unless it is English.

    >>> locale_lang({"LANG": "en_GB.UTF-8"})
    'en'
    >>> locale_lang({"LC_ALL": "C.UTF-8", "LANG": "en_US.UTF-8"})  # LC_ALL wins: not English
    'fr'
    """
    env = os.environ if environ is None else environ
    value = next((env[k] for k in ("LC_ALL", "LC_MESSAGES", "LANG") if env.get(k)), "")
    try:
        return normalise_lang(value)
    except ValueError:  # C, POSIX, de_DE...: the default
        return DEFAULT_LANG


def set_lang(lang: str) -> None:
    """Set the language for the rest of this context (the CLI calls it once)."""
    _current.set(normalise_lang(lang))


@contextmanager
def use_lang(lang: str | None) -> Iterator[Lang]:
    """Temporarily use ``lang`` (``None`` keeps the current language)."""
    token = _current.set(normalise_lang(lang) if lang else get_lang())
    try:
        yield get_lang()
    finally:
        _current.reset(token)


def lang_from_argv(argv: list[str] | None = None) -> Lang:
    """Find ``--lang X`` on the command line before Typer parses it.

    Help texts are built when the CLI is imported, so the language must be known then.

    >>> lang_from_argv(["lanterne", "score", "--lang", "en"])
    'en'
    """
    args = sys.argv if argv is None else argv
    for i, arg in enumerate(args):
        value = None
        if arg == "--lang" and i + 1 < len(args):
            value = args[i + 1]
        elif arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
        if value is not None:
            try:
                return normalise_lang(value)
            except ValueError:
                return DEFAULT_LANG
    return get_lang()


def tr(fr: str, en: str, lang: str | None = None, /, **params: Any) -> str:
    """Pick the French or English text and fill its ``{placeholders}``.

    >>> tr("Bonjour {name}", "Hello {name}", "en", name="Ana")
    'Hello Ana'
    """
    french = (normalise_lang(lang) if lang else get_lang()) == "fr"
    chosen = fr if french else en
    if french and " %" in chosen:  # "10 %": the space never breaks, as in format_percent
        chosen = _PERCENT_SPACE.sub("\u00a0%", chosen)
    return chosen.format(**params) if params else chosen


@dataclass(frozen=True)
class Msg:
    """A message kept in both languages until it is shown.

    Errors are created deep inside the library but shown by the CLI, the web app or a
    report, each in its own language: keeping both texts defers the choice.
    """

    fr: str
    en: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __init__(self, fr: str, en: str, /, **params: Any) -> None:
        object.__setattr__(self, "fr", fr)
        object.__setattr__(self, "en", en)
        object.__setattr__(self, "params", params)

    def render(self, lang: str | None = None) -> str:
        """The message in ``lang`` (default: the current language).

        Parameters that are themselves messages or numbers (:class:`Num`) are shown in the
        same language.
        """
        params = {
            k: v.render(lang) if isinstance(v, Msg | Num) else v for k, v in self.params.items()
        }
        return tr(self.fr, self.en, lang, **params)

    def __str__(self) -> str:
        return self.render()


def pick(text: Any, lang: str | None = None) -> str:
    """Choose a language from a ``{"fr": ..., "en": ...}`` mapping or a bilingual object.

    Falls back to the other language when one is missing.

    >>> pick({"fr": "Revenu", "en": "Income"}, "en")
    'Income'
    """
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    if isinstance(text, Msg):
        return text.render(lang)
    if not isinstance(text, Mapping) and hasattr(text, "fr") and hasattr(text, "en"):
        text = {"fr": text.fr, "en": text.en}
    lang = normalise_lang(lang) if lang else get_lang()
    return text.get(lang) or next((v for v in text.values() if v), "")


def format_number(value: float | int, lang: str | None = None, digits: int = 2) -> str:
    """A number written the way readers of ``lang`` expect.

    French uses a decimal comma and a narrow no-break space between thousands.

    >>> format_number(13800000, "fr", 0)
    '13\\u202f800\\u202f000'
    >>> format_number(0.1234, "en", 3)
    '0.123'
    """
    lang = normalise_lang(lang) if lang else get_lang()
    text = f"{value:,.{digits}f}"
    if lang == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text


def format_percent(share: float, lang: str | None = None, digits: int = 1) -> str:
    """A share in [0, 1] as a percentage (``0.163`` → ``16,3 %`` in French).

    >>> format_percent(0.163, "fr") == "16,3\u00a0%"
    True
    >>> format_percent(0.163, "en")
    '16.3%'
    """
    lang = normalise_lang(lang) if lang else get_lang()
    number = format_number(share * 100, lang, digits)
    return f"{number}\u00a0%" if lang == "fr" else f"{number}%"


def format_sig(value: float | int, lang: str | None = None, significant: int = 3) -> str:
    """A number with at most ``significant`` significant digits, trailing zeros dropped
    (the ``:g`` of Python, written the reader's way; never in scientific notation).

    >>> format_sig(0.069123, "fr"), format_sig(2474.4, "fr"), format_sig(1.5, "en")
    ('0,0691', '2\\u202f474', '1.5')
    """
    if value == 0 or value != value:  # zero, NaN
        return format_number(value, lang, 0)
    import math

    digits = max(0, significant - 1 - math.floor(math.log10(abs(value))))
    text = format_number(round(value, digits), lang, digits)
    decimal = "," if (normalise_lang(lang) if lang else get_lang()) == "fr" else "."
    if decimal in text:
        text = text.rstrip("0").rstrip(decimal)
    return text


def format_ratio(value: float, lang: str | None = None, digits: int = 2) -> str:
    """A ratio to 1 as "times" (``1.7×``; ``0,88×`` in French).

    >>> format_ratio(0.875, "fr"), format_ratio(2, "en", 1)
    ('0,88×', '2.0×')
    """
    return f"{format_number(value, lang, digits)}×"


@dataclass(frozen=True)
class Num:
    """A number kept as a number until its message is shown, then written the reader's way.

    ``kind`` is ``"number"`` (``digits`` decimals), ``"sig"`` (``digits`` significant
    digits) or ``"percent"`` (a share, ``digits`` decimals).

    >>> msg = Msg("{n} foyers, {p}", "{n} households, {p}", n=Num(2474), p=Num(0.256, "percent"))
    >>> msg.render("fr") == "2\u202f474 foyers, 25,6\u00a0%", msg.render("en")
    (True, '2,474 households, 25.6%')
    """

    value: float | int
    kind: Literal["number", "sig", "percent"] = "number"
    digits: int | None = None

    def render(self, lang: str | None = None) -> str:
        if self.kind == "percent":
            return format_percent(self.value, lang, 1 if self.digits is None else self.digits)
        if self.kind == "sig":
            return format_sig(self.value, lang, 3 if self.digits is None else self.digits)
        return format_number(self.value, lang, self.digits or 0)

    def __str__(self) -> str:
        return self.render()


def french_spacing(text: str) -> str:
    """French text from outside (a source's title, a catalog note) spaced like ours: a
    no-break space before "%" and a narrow no-break space between thousands.

    >>> french_spacing("25 % de familles, 1 766,92 € brut") == (
    ...     "25\u00a0% de familles, 1\u202f766,92 € brut")
    True
    """
    if " %" in text:
        text = _PERCENT_SPACE.sub("\u00a0%", text)
    return _THOUSANDS_SPACE.sub(lambda m: re.sub(r"[ \u00a0]", "\u202f", m[0]), text)


_MONTHS_FR = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip
_MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def format_date(day: dt.date, lang: str | None = None) -> str:
    """``23 novembre 2026`` / ``23 November 2026`` (``1er`` for the first of a month in French).

    >>> format_date(dt.date(2026, 5, 1), "fr"), format_date(dt.date(2026, 5, 1), "en")
    ('1er mai 2026', '1 May 2026')
    """
    if normalise_lang(lang) == "fr":
        first = "1er" if day.day == 1 else str(day.day)
        return f"{first} {_MONTHS_FR[day.month - 1]} {day.year}"
    return f"{day.day} {_MONTHS_EN[day.month - 1]} {day.year}"


def format_iso_date(text: str, lang: str | None = None) -> str:
    """An ISO date (``2023-12-01``) in words; any other text as it is.

    >>> format_iso_date("2023-12-01", "fr"), format_iso_date("2023-12-01", "en")
    ('1er décembre 2023', '1 December 2023')
    >>> format_iso_date("2026-01", "fr")
    '2026-01'
    """
    try:
        return format_date(dt.date.fromisoformat(text), lang)
    except ValueError:
        return text


def format_month(month: str, lang: str | None = None) -> str:
    """A month written ``YYYY-MM`` in words: ``décembre 2026`` / ``December 2026``.

    >>> format_month("2026-12", "fr"), format_month("2025-06", "en")
    ('décembre 2026', 'June 2025')
    """
    year, number = (int(part) for part in month.split("-"))
    if normalise_lang(lang) == "fr":
        return f"{_MONTHS_FR[number - 1]} {year}"
    return f"{_MONTHS_EN[number - 1]} {year}"
