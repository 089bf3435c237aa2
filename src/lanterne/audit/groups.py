"""Turn group columns into small integer codes that stay the same from chunk to chunk.

Audits count households per group with ``np.bincount``, which needs every group value as an
integer ``0 … G-1``. A :class:`GroupEncoder` keeps one dictionary per column: values seen in
a later chunk get the next free code, so codes never change once given and partial sums
computed on different chunks can be added. Missing values (null) form their own group,
labelled :data:`MISSING`. Group values are always reported as text (``true``, ``06``,
``2``), in a stable order: a category column's declared order (an Enum), ``false`` before
``true``, numbers by value, other text alphabetically; the missing group comes last.

Example:
    >>> import polars as pl
    >>> enc = GroupEncoder("family")
    >>> enc.encode(pl.Series(["couple", None, "single"])).tolist()
    [0, 2, 1]
    >>> enc.encode(pl.Series(["single", "other"])).tolist()
    [1, 3]
    >>> enc.labels
    ['couple', 'single', '(missing)', 'other']
    >>> [enc.labels[i] for i in enc.display_order()]
    ['couple', 'other', 'single', '(missing)']
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import polars as pl

#: Label of the group of households whose value is missing.
MISSING = "(missing)"
#: Separator between the values of an intersection ("female × single_parent").
CROSS = " × "


def _number(label: str) -> float | None:
    try:
        value = float(label)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


class GroupEncoder:
    """Stable integer codes for the values of one column, chunk after chunk."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.labels: list[str] = []
        self._index: dict[str, int] = {}
        self._declared: list[str] | None = None  # an Enum's categories, in declared order
        self._boolean = False

    @property
    def size(self) -> int:
        """How many distinct groups (codes) were seen so far."""
        return len(self.labels)

    def _add(self, label: str) -> int:
        code = self._index.get(label)
        if code is None:
            code = len(self.labels)
            self.labels.append(label)
            self._index[label] = code
        return code

    def encode(self, column: pl.Series) -> np.ndarray:
        """Codes of one chunk's values (``uint32``); new values get new codes."""
        dtype = column.dtype
        if isinstance(dtype, pl.Enum):
            cats = list(dtype.categories.to_list())
            if self._declared is None and not self.labels:
                self._declared = cats
                for label in cats:
                    self._add(label)
            if cats == self._declared:  # codes are the Enum's own: no lookup needed
                physical = column.to_physical().cast(pl.UInt32)
                if column.null_count():
                    physical = physical.fill_null(self._add(MISSING))
                return physical.to_numpy()
            column = column.cast(pl.String)  # another Enum: go through text
        elif isinstance(dtype, pl.Categorical):
            return self._encode_categorical(column)
        elif dtype == pl.Boolean:
            self._boolean = True
            column = column.cast(pl.String)
        elif dtype != pl.String:
            column = column.cast(pl.String)
        present = column.drop_nulls().unique(maintain_order=True).to_list()
        for label in present:
            self._add(label)
        if self.labels:
            codes = column.cast(pl.Enum(self.labels)).to_physical().cast(pl.UInt32)
        else:
            codes = pl.Series(column.name, [None] * column.len(), dtype=pl.UInt32)
        if codes.null_count():
            codes = codes.fill_null(self._add(MISSING))
        return codes.to_numpy()

    def _encode_categorical(self, column: pl.Series) -> np.ndarray:
        """Codes of a Categorical chunk (as a Parquet dictionary column is read) from its
        physical codes: only the distinct values are read as text, not every row. The
        same codes as through text: labels are added in order of first appearance."""
        physical = column.to_physical()
        firsts = physical.arg_unique()  # first row of each distinct value, in row order
        distinct = physical.gather(firsts)
        labels = column.gather(firsts).cast(pl.String).to_list()
        present = [
            (int(p), label) for p, label in zip(distinct, labels, strict=True) if p is not None
        ]
        lookup = np.zeros(max((p for p, _ in present), default=0) + 1, dtype=np.uint32)
        for p, label in present:
            lookup[p] = self._add(label)
        if column.null_count():
            missing = self._add(MISSING)
            return np.where(
                physical.is_null().to_numpy(),
                np.uint32(missing),
                lookup[physical.fill_null(0).to_numpy()],
            )
        return lookup[physical.to_numpy()]

    def display_order(self) -> list[int]:
        """Codes in reading order: declared, boolean, numeric or alphabetical; missing last."""
        codes = [i for i, label in enumerate(self.labels) if label != MISSING]
        if self._declared is not None:
            rank = {label: i for i, label in enumerate(self._declared)}
            codes.sort(key=lambda i: (rank.get(self.labels[i], len(rank)), self.labels[i]))
        elif self._boolean:
            codes.sort(key=lambda i: {"false": 0, "true": 1}.get(self.labels[i], 2))
        else:
            numbers = [_number(self.labels[i]) for i in codes]
            if all(v is not None for v in numbers):
                codes = [i for _, i in sorted(zip(numbers, codes, strict=True))]
            else:
                codes.sort(key=lambda i: self.labels[i])
        if MISSING in self._index:
            codes.append(self._index[MISSING])
        return codes


def combine_codes(codes: list[np.ndarray], sizes: list[int]) -> np.ndarray:
    """One code per row for the intersection of several columns (mixed radix).

    >>> combine_codes([np.array([0, 1, 1]), np.array([2, 0, 1])], [2, 3]).tolist()
    [2, 3, 4]
    """
    if not codes:
        raise ValueError("at least one column is needed")
    total = int(np.prod(sizes, dtype=np.float64))
    dtype: type[np.signedinteger[Any]] = np.int32 if total < 2**31 else np.int64
    out = codes[0].astype(dtype, copy=True)
    for code, size in zip(codes[1:], sizes[1:], strict=True):
        out *= size
        out += code
    return out


def split_code(cell: int, sizes: list[int]) -> list[int]:
    """The per-column codes of an intersection code (inverse of :func:`combine_codes`).

    >>> split_code(4, [2, 3])
    [1, 1]
    """
    parts = []
    for size in reversed(sizes):
        cell, part = divmod(cell, size)
        parts.append(part)
    return parts[::-1]


def absorb(target: GroupEncoder, other: GroupEncoder) -> np.ndarray:
    """Add ``other``'s labels to ``target``; return the map from its codes to ``target``'s.

    Encoders filled on separate partitions (one per worker task) merge into one, in the
    order the partitions are absorbed, as if one encoder had read them in turn.

    >>> a, b = GroupEncoder("g"), GroupEncoder("g")
    >>> _ = a.encode(pl.Series(["x", "y"])); _ = b.encode(pl.Series(["z", "x"]))
    >>> absorb(a, b).tolist(), a.labels
    ([2, 0], ['x', 'y', 'z'])
    """
    if other._declared is not None and target._declared is None and not target.labels:
        target._declared = list(other._declared)
    target._boolean = target._boolean or other._boolean
    return np.array([target._add(label) for label in other.labels], dtype=np.uint32)
