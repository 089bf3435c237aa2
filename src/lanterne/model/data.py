"""Check a data table against a model's variables and convert it to their types.

Every column is checked at once and every problem reported together: a missing column,
values that are not numbers, unknown categories, values out of the declared range, missing
values — each with how many rows and the row numbers of the first examples (row 1 is the
first data row; in a CSV file that is line 2, after the header).

Example:
    >>> import polars as pl

import polars as pl
    >>> from lanterne.model import load_model
    >>> model = load_model("fr-cnaf-2014")
    >>> bad = pl.DataFrame({"income_monthly": ["abc"]})
    >>> try:
    ...     prepare_table(model.spec, bad)
    ... except DataError as err:
    ...     print(len(err.problems) > 1)
    True
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from functools import lru_cache

import polars as pl

from lanterne.errors import DataError, Problem, name_list, short_name
from lanterne.i18n import Msg, Num
from lanterne.spec.schema import ModelSpec, Variable

EXAMPLES = 5
#: Tables of at most this many rows (one household of a form or a file) are first checked
#: value by value in plain Python; a column that passes as it is skips the column-wise
#: Polars checks, which cost far more than the check itself on a handful of rows.
SMALL_ROWS = 64
_TRUE = ["true", "1", "yes", "oui", "vrai", "t", "y", "o"]
_FALSE = ["false", "0", "no", "non", "faux", "f", "n"]


def _is_numeric(dtype: pl.DataType) -> bool:
    return dtype.is_numeric()


def _text_to_number(column: pl.Series) -> pl.Series:
    """Text → Float64, accepting a decimal comma ("12,5") and surrounding spaces."""
    cleaned = column.str.strip_chars().str.replace(r"^(-?\d+),(\d+)$", "${1}.${2}")
    return cleaned.replace("", None).cast(pl.Float64, strict=False)


def _convert(var: Variable, column: pl.Series) -> pl.Series:
    """The column converted to the variable's type; unconvertible values become null."""
    dtype = column.dtype
    if var.type in ("int", "float"):
        if dtype == pl.String:
            return _text_to_number(column)
        if dtype == pl.Boolean or _is_numeric(dtype):
            return column
        return pl.Series(column.name, [None] * column.len(), dtype=pl.Float64)
    if var.type == "bool":
        if dtype == pl.Boolean:
            return column
        if dtype == pl.String:
            low = column.str.strip_chars().str.to_lowercase()
            return (
                pl.select(pl.when(low.is_in(_TRUE)).then(True).when(low.is_in(_FALSE)).then(False))
                .to_series()
                .alias(column.name)
            )
        if _is_numeric(dtype):
            return (
                pl.select(pl.when(column == 1).then(True).when(column == 0).then(False))
                .to_series()
                .alias(column.name)
            )
        return pl.Series(column.name, [None] * column.len(), dtype=pl.Boolean)
    # category: an Enum with exactly the declared categories is already right
    if isinstance(dtype, pl.Enum) and list(dtype.categories) == list(var.categories or []):
        return column
    text = column.cast(pl.String)
    return text.str.strip_chars() if dtype == pl.String else text


def _example_rows(mask: pl.Series) -> tuple[int, list[int]]:
    """How many rows match ``mask``, and the 1-based numbers of the first few."""
    return int(mask.sum()), (mask.arg_true().head(EXAMPLES) + 1).to_list()


def _format_rows(n: int, rows: list[int]) -> Msg:
    listed = ", ".join(map(str, rows))
    if n > len(rows):
        return Msg(
            "{n} lignes, dont les lignes {rows}",
            "{n} rows, including rows {rows}",
            n=n,
            rows=listed,
        )
    if n == 1:
        return Msg("ligne {rows}", "row {rows}", rows=listed)
    return Msg("lignes {rows}", "rows {rows}", rows=listed)


def prepare_table(
    spec: ModelSpec,
    data: pl.DataFrame,
    *,
    file: str | None = None,
    required: Iterable[str] | None = None,
) -> pl.DataFrame:
    """Return ``data`` with the spec's columns converted to their declared types.

    ``required`` names the variables that must be present (default: every variable that is
    not sensitive); the others are checked when present — audits group by sensitive ones.
    Other columns pass through untouched. Checks run on whole columns; row numbers are only
    looked for when a check fails. Raises :class:`DataError` with every problem found.
    """
    problems: list[Problem] = []
    needed = (
        {v.name for v in spec.variables if not v.sensitive} if required is None else set(required)
    )
    columns = set(data.columns)
    missing = [v.name for v in spec.variables if v.name in needed and v.name not in columns]
    if missing:
        problems.append(
            Problem(
                Msg(
                    "colonne(s) manquante(s) : {cols}",
                    "missing column(s): {cols}",
                    cols=name_list(missing),
                ),
                file=file,
            )
        )
    if data.height == 0:
        problems.append(Problem(Msg("le tableau est vide", "the table is empty"), file=file))
        raise DataError(problems)

    updates: list[pl.Series] = []
    small = data.height <= SMALL_ROWS
    quick = 0
    for var in (v for v in spec.variables if v.name in columns):
        original = data.get_column(var.name)
        if small:
            clean = _clean_small(var, original)
            if clean is not None:  # exactly what the checks below would give, no problem
                quick += 1
                if clean is not original:
                    updates.append(clean)
                continue
        value = _convert(var, original)
        for kind, mask in _failures(var, original, value):
            n, rows = _example_rows(mask)
            problems.append(
                Problem(
                    _describe(var, kind, _format_rows(n, rows), value, mask, original), file=file
                )
            )
        if not problems:
            updates.append(_final_type(var, value))
    if problems:
        raise DataError(problems)
    if small and quick == sum(v.name in columns for v in spec.variables):
        # every column passed as it is: the same table, assembled without a query
        replaced = {s.name: s for s in updates}
        return pl.DataFrame([replaced.get(name, data[name]) for name in data.columns])
    return data.with_columns(updates)


def _clean_small(var: Variable, column: pl.Series) -> pl.Series | None:
    """The column in its checked type when its values plainly pass every check, else ``None``.

    Only the usual cases are decided here — numbers in a numeric column, booleans in a
    Boolean column, categories spelled exactly in a text column — and only when every value
    is present and in range. Anything else (text to convert, a missing value, NaN, an
    unknown category...) returns ``None``: the column-wise checks then decide and word the
    problems, so a table is accepted, converted and refused exactly as they would.
    """
    dtype = column.dtype
    values = column.to_list()
    if None in values:
        return None
    if var.type in ("int", "float"):
        if not (dtype.is_integer() or (var.type == "float" and dtype.is_float())):
            return None
        if var.type == "float" and not all(math.isfinite(v) for v in values):  # NaN, inf
            return None
        if var.range is not None:
            low, high = var.range
            if not all(low <= v <= high for v in values):
                return None
        return column  # _final_type keeps integer and float columns as they are
    if var.type == "bool":
        return column if dtype == pl.Boolean else None
    categories = var.categories or []
    if isinstance(dtype, pl.Enum):
        return column if list(dtype.categories) == list(categories) else None
    if dtype != pl.String or not set(values) <= _plain_categories(var):
        return None
    return column.cast(_enum(tuple(categories)))


def _plain_categories(var: Variable) -> frozenset[str]:
    """Categories that stripping spaces leaves as they are (the text a check compares)."""
    return _stripped(tuple(var.categories or []))


@lru_cache(maxsize=256)
def _stripped(categories: tuple[str, ...]) -> frozenset[str]:
    return frozenset(c for c in categories if c == c.strip())


@lru_cache(maxsize=256)
def _enum(categories: tuple[str, ...]) -> pl.Enum:
    """The Enum type of these categories (made once: building one takes a while)."""
    return pl.Enum(list(categories))


def _failures(var: Variable, original: pl.Series, value: pl.Series) -> list[tuple[str, pl.Series]]:
    """The checks that fail for one column, each with its row mask (cheap tests first)."""
    out: list[tuple[str, pl.Series]] = []
    converted_nulls = value.null_count()
    bad_type = None
    if converted_nulls > original.null_count():
        bad_type = value.is_null() & original.is_not_null()
        if original.dtype == pl.String:
            bad_type = bad_type & (original.str.strip_chars() != "")
        if bad_type.any():
            out.append(("type", bad_type))
    if converted_nulls and var.missing != "allowed":  # allowed: the model handles them
        missing = value.is_null() if bad_type is None else value.is_null() & ~bad_type
        if missing.any():
            out.append(("null", missing))
    if var.type in ("int", "float") and value.len() > converted_nulls:
        number = value.cast(pl.Float64)
        # NaN, inf: scores would be NaN; a NaN counts as missing where missing is allowed
        nan_is_missing = var.type == "float" and var.missing == "allowed"
        bad = number.is_infinite() if nan_is_missing else ~number.is_finite()
        nonfinite = bad.fill_null(False)
        if nonfinite.any():
            out.append(("nan", nonfinite))
            return out
        if var.type == "int" and not original.dtype.is_integer() and original.dtype != pl.Boolean:
            # beyond 2⁵³ a float is no longer a whole number one can trust (nor fits Int64)
            fractional = ((number != number.floor()) | (number.abs() > 2.0**53)).fill_null(False)
            if fractional.any():
                out.append(("int", fractional))
        if var.range is not None:
            low, high = var.range
            minimum, maximum = number.min(), number.max()  # floats, None when all are null
            if (isinstance(minimum, float) and minimum < low) or (
                isinstance(maximum, float) and maximum > high
            ):
                out.append(("range", ((number < low) | (number > high)).fill_null(False)))
    elif var.type == "category" and not isinstance(value.dtype, pl.Enum):
        allowed = var.categories or []
        uniques = value.drop_nulls().unique()
        if not uniques.is_in(allowed).all():
            out.append(("category", (~value.is_in(allowed)).fill_null(False) & value.is_not_null()))
    return out


def _final_type(var: Variable, value: pl.Series) -> pl.Series:
    """The column in its checked type; compact numeric types are kept to save memory."""
    if var.type == "float":
        return value if value.dtype.is_numeric() else value.cast(pl.Float64)
    if var.type == "int":
        return value if value.dtype.is_integer() else value.cast(pl.Int64)
    if var.type == "bool":
        return value.cast(pl.Boolean)
    if isinstance(value.dtype, pl.Enum):
        return value
    return value.cast(pl.Enum(var.categories or []))


def _describe(
    var: Variable, kind: str, where: Msg, value: pl.Series, mask: pl.Series, original: pl.Series
) -> Msg:
    name = var.name
    if kind == "type":
        expected = {
            "int": Msg("un nombre entier", "a whole number"),
            "float": Msg("un nombre", "a number"),
            "bool": Msg("vrai/faux (true/false, 1/0, oui/non)", "true/false (1/0, yes/no)"),
            "category": Msg("une catégorie", "a category"),
        }[var.type]
        sample = original.filter(mask).head(3).to_list()
        return Msg(
            "colonne « {c} » : {w} ne contiennent pas {exp} (valeurs : {vals})",
            "column '{c}': {w} do not hold {exp} (values: {vals})",
            c=name,
            w=where,
            exp=expected,
            vals=", ".join(short_name(repr(v)) for v in sample),
        )
    if kind == "null":
        return Msg(
            "colonne « {c} » : valeurs manquantes, {w}",
            "column '{c}': missing values, {w}",
            c=name,
            w=where,
        )
    if kind == "int":
        return Msg(
            "colonne « {c} » : nombres entiers attendus, {w}",
            "column '{c}': whole numbers expected, {w}",
            c=name,
            w=where,
        )
    if kind == "nan":
        return Msg(
            "colonne « {c} » : valeurs non numériques ou infinies (NaN, inf), {w}",
            "column '{c}': not-a-number or infinite values (NaN, inf), {w}",
            c=name,
            w=where,
        )
    if kind == "range" and var.range is not None:  # "range" is only found with a range
        low, high = var.range
        return Msg(
            "colonne « {c} » : valeurs hors de l'intervalle autorisé (de {lo} à {hi}), {w}",
            "column '{c}': values outside the allowed range ({lo} to {hi}), {w}",
            c=name,
            lo=Num(low, "sig", 6),
            hi=Num(high, "sig", 6),
            w=where,
        )
    if kind == "category":
        unknown = value.filter(mask).unique(maintain_order=True).head(5).to_list()
        return Msg(
            "colonne « {c} » : catégories inconnues {vals}, {w} (attendu : {cats})",
            "column '{c}': unknown categories {vals}, {w} (expected one of: {cats})",
            c=name,
            vals=", ".join(short_name(repr(v)) for v in unknown),
            w=where,
            cats=", ".join(var.categories or []),
        )
    raise AssertionError(kind)  # pragma: no cover
