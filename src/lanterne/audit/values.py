"""Match values given on the command line (always text) against a column of any type.

``--random-value 1`` must find ``1`` in an integer column, ``"1"`` in a CSV text column and
``1.0`` in a float column; ``--random-value true`` must find ``True`` in a boolean column.

Example:
    >>> import polars as pl
    >>> matches(pl.Series([1, 2, 1]), ["1"]).to_list()
    [True, False, True]
    >>> matches(pl.Series(["a ", "b"]), ["a"]).to_list()
    [True, False]
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

_TRUE = {"true", "1", "yes", "oui", "vrai"}
_FALSE = {"false", "0", "no", "non", "faux"}


def _as_number(text: str) -> float | None:
    try:
        return float(text.strip().replace(",", "."))
    except ValueError:
        return None


def matches(column: pl.Series, values: Sequence[str]) -> pl.Series:
    """Boolean mask of the rows equal to any of ``values`` (nulls never match)."""
    dtype = column.dtype
    if dtype == pl.Boolean:
        wanted = set()
        for v in values:
            low = v.strip().lower()
            if low in _TRUE:
                wanted.add(True)
            elif low in _FALSE:
                wanted.add(False)
        mask = column.is_in(list(wanted)) if wanted else pl.Series([False] * column.len())
    elif dtype.is_numeric():
        numbers = [n for n in (_as_number(v) for v in values) if n is not None]
        mask = column.cast(pl.Float64).is_in(numbers)
    else:
        mask = column.cast(pl.String).str.strip_chars().is_in([v.strip() for v in values])
    return mask.fill_null(False).alias(column.name)


def present_values(column: pl.Series, limit: int = 10) -> str:
    """The first distinct values of a column, for error messages."""
    uniques = column.drop_nulls().unique(maintain_order=True)
    shown = [repr(v) for v in uniques.head(limit).to_list()]
    if uniques.len() > limit:
        shown.append("…")
    return ", ".join(shown) or "-"
