"""The shape shared by audit results: one table of metrics per grouping.

Inspired by fairlearn's ``MetricFrame``: an audit has an ``overall`` block and, for each
grouping (a column, an intersection of columns), a :class:`GroupTable` with one row per
group; :meth:`GroupTable.difference` and :meth:`GroupTable.ratio` compare the groups on one
metric. Rows are plain dictionaries ready for JSON: rates are floats in [0, 1] or ``None``
(suppressed small cell, or zero denominator), never NaN.

Example:
    >>> table = GroupTable("sex", ("sex",), [
    ...     {"group": "female", "n": 60, "selection_rate": 0.10, "suppressed": False},
    ...     {"group": "male", "n": 40, "selection_rate": 0.04, "suppressed": False},
    ...     {"group": "(missing)", "n": 3, "selection_rate": None, "suppressed": True}])
    >>> round(table.difference("selection_rate"), 2), round(table.ratio("selection_rate"), 2)
    (0.06, 0.4)
    >>> table.by_group().columns
    ['group', 'n', 'selection_rate', 'suppressed']
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from lanterne.io.jsonresult import JsonResult, clean


def ratio_or_none(numerator: float, denominator: float) -> float | None:
    """``numerator / denominator``, or ``None`` when the denominator is zero.

    >>> ratio_or_none(1, 4), ratio_or_none(1, 0)
    (0.25, None)
    """
    if denominator == 0:
        return None
    return float(numerator) / float(denominator)


@dataclass(frozen=True)
class GroupTable:
    """The metrics of every group of one grouping (a column or an intersection)."""

    key: str  # "sex" or "sex × family_type"
    columns: tuple[str, ...]
    rows: list[dict[str, Any]]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def row(self, group: str) -> dict[str, Any]:
        """The row of one group, by its label."""
        for row in self.rows:
            if row["group"] == group:
                return row
        raise KeyError(group)

    def values(self, metric: str) -> list[float]:
        """The metric's non-null values (suppressed cells are null, hence left out)."""
        return [float(r[metric]) for r in self.rows if r.get(metric) is not None]

    def difference(self, metric: str) -> float | None:
        """Largest minus smallest value of ``metric`` across groups (None if fewer than 2)."""
        vals = self.values(metric)
        return max(vals) - min(vals) if len(vals) >= 2 else None

    def ratio(self, metric: str) -> float | None:
        """Smallest divided by largest value of ``metric`` (1 = equal; None if undefined)."""
        vals = self.values(metric)
        if len(vals) < 2 or max(vals) == 0:
            return None
        return min(vals) / max(vals)

    def by_group(self) -> pl.DataFrame:
        """The rows as a Polars DataFrame (lists such as decile shares stay lists)."""
        return pl.DataFrame(self.rows, infer_schema_length=None)

    def to_records(self) -> list[dict[str, Any]]:
        return clean(self.rows)


@dataclass
class AuditResult(JsonResult):
    """Base of audit results: ``to_dict()``, ``to_json()`` and ``write_json(path)`` give the
    fixed JSON shape of ``docs/audit.md``; ``extras`` adds keys of the caller's."""

    extras: dict[str, Any] = field(default_factory=dict, kw_only=True)


def tables_to_json(tables: Mapping[str, GroupTable] | Sequence[GroupTable]) -> dict[str, Any]:
    """``{key: [rows]}`` for a set of group tables."""
    items = tables.values() if isinstance(tables, Mapping) else tables
    return {t.key: t.to_records() for t in items}
