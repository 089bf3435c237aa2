"""One value typed by a person, read as a value of a declared variable.

The same reading serves every way a household is given (file, ``--set``, web form,
archetype): numbers through :func:`lanterne.inputs.numbers.parse_number`, yes/no in
French and English, categories with a suggestion for a near miss.

Example:
    >>> from lanterne.provenance import Text
    >>> from lanterne.spec.schema import Variable
    >>> income = Variable(name="income", type="float", range=(0, 10000),
    ...                   description=Text(fr="Revenu", en="Income"))
    >>> parse_value(income, "1\u00a0200,50")
    (1200.5, None)
    >>> parse_value(income, "12 5")[1].render("en")[:57]
    "'12 5' does not fit: a number between 0 and 10,000 ('12 5"
"""

from __future__ import annotations

import difflib
import math
from typing import Any

import polars as pl

from lanterne.i18n import Msg, Num
from lanterne.inputs.numbers import NumberError, parse_number
from lanterne.model.data import _FALSE, _TRUE
from lanterne.spec.schema import Variable

#: The column type of each variable type in a one-row household table (categories: text).
POLARS_TYPES = {"bool": pl.Boolean, "int": pl.Int64, "float": pl.Float64}
#: Whole numbers beyond 2⁵³ are no longer exact as floats (and overflow 64-bit columns soon).
MAX_EXACT_INT = 2**53


def expected(var: Variable) -> Msg:
    """What a variable accepts, in words.

    >>> from lanterne.provenance import Text
    >>> from lanterne.spec.schema import Variable
    >>> v = Variable(name="n", type="int", range=(0, 10), description=Text(fr="n", en="n"))
    >>> expected(v).render("fr")
    'un nombre entier entre 0 et 10'
    """
    unit = f" ({var.unit})" if var.unit else ""
    if var.type in ("int", "float"):
        kind = (
            Msg("un nombre entier", "a whole number")
            if var.type == "int"
            else Msg("un nombre", "a number")
        )
        if var.range is not None:
            return Msg(
                "{k} entre {lo} et {hi}{u}",
                "{k} between {lo} and {hi}{u}",
                k=kind,
                lo=Num(var.range[0], "sig", 6),
                hi=Num(var.range[1], "sig", 6),
                u=unit,
            )
        return Msg("{k}{u}", "{k}{u}", k=kind, u=unit)
    if var.type == "bool":
        return Msg("oui ou non (true/false, 1/0)", "yes or no (true/false, 1/0)")
    return Msg("l'une des valeurs : {c}", "one of: {c}", c=", ".join(var.categories or []))


def is_blank(raw: Any) -> bool:
    """No value: ``None`` or a text of spaces only."""
    return raw is None or (isinstance(raw, str) and not raw.strip())


def parse_value(var: Variable, raw: Any) -> tuple[Any, Msg | None]:
    """Read ``raw`` as a value of ``var``: ``(value, None)`` or ``(None, why not)``.

    >>> from lanterne.provenance import Text
    >>> from lanterne.spec.schema import Variable
    >>> v = Variable(name="n", type="int", range=(0, 10), description=Text(fr="n", en="n"))
    >>> parse_value(v, "3")
    (3, None)
    >>> parse_value(v, "12")[1].render("en")
    "'12' is outside the allowed range: a whole number between 0 and 10"
    """
    if is_blank(raw):
        return None, Msg("valeur manquante", "missing value")
    if var.type in ("int", "float"):
        return _number(var, raw)
    if var.type == "bool":
        if isinstance(raw, bool):
            return raw, None
        if isinstance(raw, int | float) and raw in (0, 1):
            return bool(raw), None
        low = str(raw).strip().lower()
        if low in _TRUE:
            return True, None
        if low in _FALSE:
            return False, None
        return None, _not_a(var, raw)
    return _category(var, raw)


def _number(var: Variable, raw: Any) -> tuple[Any, Msg | None]:
    if isinstance(raw, bool):
        return None, _not_a(var, raw)
    why: Msg | None = None
    number: float | None
    try:
        number = float(raw) if isinstance(raw, int | float) else parse_number(str(raw))
    except OverflowError:  # an integer beyond every float
        number = None
    except NumberError as exc:
        number, why = None, exc.message
    if number is None or not math.isfinite(number):  # NaN, inf, 1e400
        return None, _not_a(var, raw, why)
    if var.type == "int":
        if number != int(number) or abs(number) > MAX_EXACT_INT:
            return None, _not_a(var, raw)
        value: Any = int(number)
    else:
        value = number
    if var.range is not None and not var.range[0] <= number <= var.range[1]:
        return None, Msg(
            "{v} est hors de l'intervalle autorisé : {exp}",
            "{v} is outside the allowed range: {exp}",
            v=_show(raw),
            exp=expected(var),
        )
    return value, None


def _category(var: Variable, raw: Any) -> tuple[Any, Msg | None]:
    text = raw.strip() if isinstance(raw, str) else None
    if text is not None and text in (var.categories or []):
        return text, None
    if text is None and not isinstance(raw, bool) and str(raw) in (var.categories or []):
        return str(raw), None  # YAML read 59 as a number: the category "59"
    hint: Msg | str = ""
    if text is None:
        hint = Msg(
            " ; écrivez la valeur entre guillemets (YAML lit 01, 25_34 ou yes comme des "
            "nombres ou des booléens)",
            "; put the value in quotes (YAML reads 01, 25_34 or yes as numbers or booleans)",
        )
    else:
        close = difflib.get_close_matches(text, var.categories or [], n=1)
        if close:
            hint = Msg(" (vouliez-vous dire « {c} » ?)", " (did you mean '{c}'?)", c=close[0])
    return None, Msg(
        "{v} n'est pas une valeur possible : {exp}{hint}",
        "{v} is not a possible value: {exp}{hint}",
        v=_show(raw),
        exp=expected(var),
        hint=hint,
    )


def _show(raw: Any) -> Msg | str:
    return Msg("« {v} »", "'{v}'", v=raw) if isinstance(raw, str) else repr(raw)


def _not_a(var: Variable, raw: Any, why: Msg | None = None) -> Msg:
    detail: Msg | str = Msg(" ({w})", " ({w})", w=why) if why is not None else ""
    return Msg(
        "{v} ne convient pas : {exp}{d}",
        "{v} does not fit: {exp}{d}",
        v=_show(raw),
        exp=expected(var),
        d=detail,
    )
