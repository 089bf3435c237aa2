"""Tables from Polars, pandas and Arrow at the edge of the Python API.

Lanterne computes with Polars. The public functions that take a table (``Model.score``,
``audit_population``…) accept a Polars ``DataFrame`` or ``LazyFrame``, a pandas
``DataFrame`` or a PyArrow ``Table``/``RecordBatch``: :func:`as_polars` converts it once,
on the way in; :func:`like_input` gives a table or a column back in the kind the caller
passed (pandas keeps its index). Where a column is asked, a
Polars, pandas or Arrow series/array, a NumPy array or a list will do (:func:`to_numpy`).

pandas is never required: it is looked up only in the modules already imported (an object
cannot be a pandas DataFrame if pandas was never imported), so Polars users never load it.

Example:
    >>> import pyarrow as pa
    >>> table = pa.table({"a": [1, 2], "b": ["x", "y"]})
    >>> frame = as_polars(table)
    >>> frame.shape
    (2, 2)
    >>> back = like_input(frame.with_columns(c=pl.col("a") * 10), table)
    >>> type(back).__name__, back.column("c").to_pylist()
    ('Table', [10, 20])
"""

from __future__ import annotations

import sys
from collections import Counter
from typing import Any, TypeAlias

import numpy as np
import polars as pl

from lanterne.errors import DataError, Problem, UsageError, name_list, short_name
from lanterne.i18n import Msg

#: What a public function accepts as a table (pandas and Arrow objects are typed ``Any``:
#: neither library is imported to type them).
TableLike: TypeAlias = pl.DataFrame | pl.LazyFrame | Any
#: What a public function accepts as a column of numbers.
ColumnLike: TypeAlias = pl.Series | np.ndarray | Any


def _pandas() -> Any:
    return sys.modules.get("pandas")


def _arrow() -> Any:
    return sys.modules.get("pyarrow")


def table_kind(data: object) -> str | None:
    """``"polars"``, ``"lazy"``, ``"pandas"`` or ``"arrow"``; ``None`` for anything else.

    >>> table_kind(pl.DataFrame({"a": [1]})), table_kind("households.csv")
    ('polars', None)
    """
    if isinstance(data, pl.DataFrame):
        return "polars"
    if isinstance(data, pl.LazyFrame):
        return "lazy"
    pd = _pandas()
    if pd is not None and isinstance(data, pd.DataFrame):
        return "pandas"
    pa = _arrow()
    if pa is not None and isinstance(data, pa.Table | pa.RecordBatch):
        return "arrow"
    return None


def is_table(data: object) -> bool:
    """Whether ``data`` is a table this module converts (not a path or a URI)."""
    return table_kind(data) is not None


def as_polars(data: TableLike) -> pl.DataFrame:
    """A Polars DataFrame holding ``data`` (itself when it is one; a LazyFrame is collected).

    pandas' index is left out (as when pandas writes a file with ``index=False``); missing
    values (``None``, ``NaN`` of a float column, ``pd.NA``) become Polars nulls; a
    ``category`` column of text becomes an ``Enum`` with the same categories in the same order.

    >>> import pandas as pd
    >>> as_polars(pd.DataFrame({"x": [1.5, None]}))["x"].null_count()
    1
    """
    if isinstance(data, pl.DataFrame):
        return data
    if isinstance(data, pl.LazyFrame):
        return data.collect()
    kind = table_kind(data)
    if kind is not None:
        names = [str(c) for c in (data.columns if kind == "pandas" else data.schema.names)]
        doubles = sorted(n for n, k in Counter(names).items() if k > 1)
        if doubles:
            raise DataError(
                Problem(
                    Msg(
                        "colonnes en double dans le tableau : {c}",
                        "duplicate columns in the table: {c}",
                        c=name_list(doubles),
                    )
                )
            )
        try:
            return _from_pandas(data) if kind == "pandas" else _from_arrow(data)
        except (ValueError, TypeError, pl.exceptions.PolarsError) as exc:  # ArrowInvalid too
            raise DataError(
                Problem(
                    Msg(
                        "tableau {k} illisible : {e}",
                        "cannot read the {k} table: {e}",
                        k=kind,
                        e=short_name(str(exc), 300),
                    )
                )
            ) from None
    raise UsageError(
        Msg(
            "tableau attendu (DataFrame Polars ou pandas, Table Arrow), reçu {t}",
            "a table was expected (Polars or pandas DataFrame, Arrow Table), got {t}",
            t=type(data).__name__,
        )
    )


def _from_pandas(data: Any) -> pl.DataFrame:
    """pandas → Polars, keeping the order of a ``category`` column's categories (an Enum),
    which audits show groups in."""
    frame = pl.from_pandas(data)
    pd = _pandas()
    enums = {
        name: pl.Enum([str(c) for c in dtype.categories])
        for name, dtype in zip(frame.columns, data.dtypes, strict=True)
        if isinstance(dtype, pd.CategoricalDtype)
        and all(isinstance(c, str) for c in dtype.categories)
    }
    return frame.with_columns(pl.col(n).cast(e) for n, e in enums.items()) if enums else frame


def _from_arrow(data: Any) -> pl.DataFrame:
    frame = pl.from_arrow(data)
    assert isinstance(frame, pl.DataFrame)
    return frame


def like_input(result: pl.DataFrame | pl.Series, original: object) -> Any:
    """``result`` (a table or a column computed from the table ``original``) in its kind.

    pandas: a ``DataFrame`` or ``Series``, keeping the input's index when the rows are the
    input's; Arrow: a ``pyarrow.Table`` or ``pyarrow.Array``; Polars: as it is (also for a
    LazyFrame: the rows were computed, so a DataFrame or Series comes back).

    >>> import pandas as pd
    >>> given = pd.DataFrame({"a": [1, 2]}, index=["x", "y"])
    >>> like_input(pl.Series("s", [0.5, 0.25]), given).to_dict()
    {'x': 0.5, 'y': 0.25}
    """
    kind = table_kind(original)
    if kind == "pandas":
        out = result.to_pandas()
        if len(out) == len(original):  # type: ignore[arg-type]
            out.index = original.index  # type: ignore[attr-defined]
        return out
    if kind == "arrow":
        return result.to_arrow(compat_level=pl.CompatLevel.oldest())
    return result


def to_numpy(values: ColumnLike) -> np.ndarray:
    """A column of numbers as a NumPy array: Polars, pandas or Arrow series/arrays, lists.

    >>> import pyarrow as pa
    >>> to_numpy(pa.chunked_array([[0.1], [0.2, 0.3]])).tolist()
    [0.1, 0.2, 0.3]
    """
    if isinstance(values, pl.Series):
        return values.to_numpy()
    pa = _arrow()
    if pa is not None and isinstance(values, pa.Array | pa.ChunkedArray):
        return values.to_numpy(zero_copy_only=False)
    pd = _pandas()
    if pd is not None and isinstance(values, pd.Series | pd.Index):
        return values.to_numpy()
    return np.asarray(values)
