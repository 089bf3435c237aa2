"""The columns of a synthetic population: every variable the French models read, and more.

A population carries ``household_id``, every variable declared by the model specs it is
built for (same names, types, categories and ranges, sensitive attributes included) and
``head_age`` (the age in years behind ``age_band``). Columns are stored in compact types so
that 13.8 million rows stay small: an Enum for each category (in the spec's order), the
smallest unsigned integer that holds the declared range, Float32 for amounts in euros,
Boolean for flags.

Example:
    >>> columns = population_columns(["fr-cnaf-2014", "fr-cnaf-dmde-2026"])
    >>> columns["household_id"].dtype, columns["n_children"].dtype
    (UInt32, UInt8)
    >>> columns["housing_status"].categories
    ('tenant_social', 'tenant_private', 'owner', 'hosted')
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl

from lanterne.errors import Problem, SpecError
from lanterne.i18n import Msg
from lanterne.model import load_model
from lanterne.spec.expr import ExprType, NameInfo
from lanterne.spec.schema import Variable

#: Columns every population has besides the models' variables.
EXTRA_COLUMNS = ("household_id", "head_age")


@dataclass(frozen=True)
class Column:
    """One column of a population: its name, storage type and what values it may hold."""

    name: str
    kind: str  # "bool", "int", "float", "category" (as in a model spec)
    dtype: pl.DataType
    categories: tuple[str, ...] | None = None
    range: tuple[float, float] | None = None

    @property
    def name_info(self) -> NameInfo:
        """How the expression language sees this column (for target conditions)."""
        kind: dict[str, ExprType] = {
            "bool": "bool",
            "int": "number",
            "float": "number",
            "category": "category",
        }
        return NameInfo(kind[self.kind], self.categories)


def _int_dtype(low: float, high: float) -> pl.DataType:
    if low >= 0:
        for dtype, top in ((pl.UInt8(), 255), (pl.UInt16(), 65_535), (pl.UInt32(), 4_294_967_295)):
            if high <= top:
                return dtype
        return pl.UInt64()
    signed = ((pl.Int8(), 127), (pl.Int16(), 32_767), (pl.Int32(), 2_147_483_647))
    for signed_dtype, top in signed:
        if -top - 1 <= low and high <= top:
            return signed_dtype
    return pl.Int64()


def column_of(var: Variable) -> Column:
    """The storage column for a model variable."""
    if var.type == "bool":
        return Column(var.name, "bool", pl.Boolean())
    if var.type == "float":
        return Column(var.name, "float", pl.Float32(), range=var.range)
    if var.type == "int":
        low, high = var.range or (-(2**31), 2**31 - 1)
        return Column(var.name, "int", _int_dtype(low, high), range=var.range)
    cats = tuple(var.categories or ())
    return Column(var.name, "category", pl.Enum(list(cats)), categories=cats)


def population_columns(model_ids: Iterable[str]) -> dict[str, Column]:
    """``{name: Column}`` for a population serving these models, in a stable order.

    ``household_id`` comes first and ``head_age`` right after ``age_band``; then the
    variables in the order the models declare them. A variable declared differently by two
    models (type, categories or range) is an error: one column cannot serve both.
    """
    seen: dict[str, tuple[Column, str]] = {}
    problems: list[Problem] = []
    for model_id in model_ids:
        model = load_model(model_id)
        for var in model.spec.variables:
            column = column_of(var)
            previous = seen.get(var.name)
            if previous is None:
                seen[var.name] = (column, model_id)
            elif previous[0] != column:
                problems.append(
                    Problem(
                        Msg(
                            "la variable « {v} » est déclarée différemment par {a} et {b}",
                            "variable '{v}' is declared differently by {a} and {b}",
                            v=var.name,
                            a=previous[1],
                            b=model_id,
                        )
                    )
                )
    if problems:
        raise SpecError(problems)
    columns: dict[str, Column] = {"household_id": Column("household_id", "int", pl.UInt32())}
    for name, (column, _) in seen.items():
        columns[name] = column
        if name == "age_band":
            columns["head_age"] = Column("head_age", "int", pl.UInt8(), range=(16, 110))
    columns.setdefault("head_age", Column("head_age", "int", pl.UInt8(), range=(16, 110)))
    return columns
