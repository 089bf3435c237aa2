"""One number parser for everything a person types: files, ``--set`` values, web forms.

French and English spellings are both read: a decimal comma or a decimal point, and
spaces as thousands separators (an ordinary space, a no-break space U+00A0 or a narrow
no-break space U+202F — what French keyboards, word processors and Lanterne's own pages
write). What could be read two ways is refused rather than guessed: ``1,200.50`` and
``1.200,50`` (which mark is the decimal one?), ``1,200,000``, spaces that do not separate
groups of three digits (``12 5``). NaN, infinities and numbers beyond a float are refused.

Example:
    >>> parse_number("1\u202f200,50"), parse_number("1200.5"), parse_number("-3")
    (1200.5, 1200.5, -3.0)
    >>> number_problem("1,200.50").render("en")[:40]
    "'1,200.50' is ambiguous: write the decim"
"""

from __future__ import annotations

import math
import re

import polars as pl

from lanterne.i18n import Msg

#: Characters read as a thousands separator (between groups of three digits only).
SPACES = " \u00a0\u202f\u2009"
_SPACE_CLASS = "[" + SPACES + "]"
#: An integer part: digits, or groups of three digits separated by one space.
_INTEGER = rf"(?:\d+|\d{{1,3}}(?:{_SPACE_CLASS}\d{{3}})+)"
_NUMBER = re.compile(rf"[+-]?(?:{_INTEGER}(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")
#: Minus signs typed or pasted from a text (hyphen-minus, U+2212 minus, en dash).
#: ``1,200`` or ``2.500``: a thousands mark in one language, a decimal mark in the other.
_THOUSANDS_OR_DECIMAL = re.compile(r"[+-]?[1-9]\d{0,2}[.,]\d{3}")
_MINUS = str.maketrans({"\u2212": "-", "\u2013": "-"})


def number_problem(text: str) -> Msg | None:
    """Why ``text`` is not a number, or ``None`` when :func:`parse_number` reads it.

    >>> number_problem("1 200,50") is None
    True
    >>> number_problem("nan").render("en")
    "'nan' is not a finite number"
    """
    try:
        parse_number(text)
    except NumberError as exc:
        return exc.message
    return None


class NumberError(ValueError):
    """A text that is not a number; ``message`` says why, in French and English."""

    def __init__(self, message: Msg) -> None:
        self.message = message
        super().__init__(message.render("en"))


def parse_number(text: str) -> float:
    """``text`` read as a number, French or English spelling; :class:`NumberError` if not.

    >>> parse_number("4 200,50"), parse_number(" 0,5 "), parse_number("1e3")
    (4200.5, 0.5, 1000.0)
    >>> parse_number("1.200,50")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    lanterne.inputs.numbers.NumberError: '1.200,50' is ambiguous: write the decimal mark once...
    """
    shown = text.strip()[:40]
    cleaned = text.strip().translate(_MINUS)
    if cleaned.lower().lstrip("+-") in ("nan", "inf", "infinity", "infinite"):
        raise NumberError(
            Msg("« {v} » n'est pas un nombre fini", "'{v}' is not a finite number", v=shown)
        )
    if not _NUMBER.fullmatch(cleaned):
        marks = sum(cleaned.count(c) for c in ",.")
        if marks > 1 and re.fullmatch(rf"[+-]?[\d.,{SPACES}]+", cleaned):
            raise NumberError(
                Msg(
                    "« {v} » est ambigu : écrivez la marque décimale une seule fois (1200,50 "
                    "ou 1200.50), sans autre marque entre les milliers",
                    "'{v}' is ambiguous: write the decimal mark once (1200.50 or 1200,50), "
                    "without another mark between thousands",
                    v=shown,
                )
            )
        if re.fullmatch(rf"[+-]?[\d{SPACES}]+(?:[.,]\d*)?", cleaned):
            raise NumberError(
                Msg(
                    "« {v} » est ambigu : une espace ne sépare que des groupes de trois "
                    "chiffres (1 200,50)",
                    "'{v}' is ambiguous: a space only separates groups of three digits (1 200.50)",
                    v=shown,
                )
            )
        raise NumberError(Msg("« {v} » n'est pas un nombre", "'{v}' is not a number", v=shown))
    if _THOUSANDS_OR_DECIMAL.fullmatch(cleaned):
        raise NumberError(
            Msg(
                "« {v} » est ambigu : séparateur de milliers ou marque décimale ? Écrivez "
                "{a} ou {b}",
                "'{v}' is ambiguous: a thousands separator or a decimal mark? Write {a} or {b}",
                v=shown,
                a=re.sub(r"[.,]", "", cleaned),
                b=Msg(_decimal(cleaned, ","), _decimal(cleaned, ".")),
            )
        )
    try:
        value = float(re.sub(_SPACE_CLASS, "", cleaned).replace(",", "."))
    except OverflowError:  # pragma: no cover - float() gives inf rather than raising
        value = math.inf
    if not math.isfinite(value):
        raise NumberError(
            Msg("« {v} » n'est pas un nombre fini", "'{v}' is not a finite number", v=shown)
        )
    return value


def _decimal(text: str, mark: str) -> str:
    """``1,200`` read with a decimal ``mark``: ``1,2`` or ``1.2`` (for a message)."""
    whole, part = re.split(r"[.,]", text)
    part = part.rstrip("0")
    return whole + (mark + part if part else "")


def number_column(series: pl.Series) -> pl.Series:
    """:func:`parse_number` for a whole column, vectorised: ``Float64``, null where
    :func:`parse_number` refuses (numeric columns are only cast).

    >>> number_column(pl.Series(["1 200,50", "1200.5", "1,200", "nan", None])).to_list()
    [1200.5, 1200.5, None, None, None]
    """
    if series.dtype.is_numeric():
        values = pl.DataFrame({"v": series.cast(pl.Float64)})
        return values.select(pl.when(pl.col("v").is_finite()).then(pl.col("v")))["v"].rename(
            series.name
        )
    frame = pl.DataFrame({"t": series.cast(pl.String)})
    text = pl.col("t").str.strip_chars().str.replace_all("[\u2212\u2013]", "-")
    ok = text.str.contains(f"^(?:{_NUMBER.pattern})$") & ~text.str.contains(
        f"^(?:{_THOUSANDS_OR_DECIMAL.pattern})$"
    )
    cleaned = text.str.replace_all(_SPACE_CLASS, "").str.replace(",", ".", literal=True)
    value = cleaned.cast(pl.Float64, strict=False)
    out = frame.select(pl.when(ok & value.is_finite()).then(value).alias("v"))["v"]
    return out.rename(series.name)
