"""Plain-words findings from a population audit: who is over- and under-targeted.

The sentences are meant for a reader with no statistics: a group's share of households,
its share of those selected, and how many times its share that is ("single-parent
households are 16 % of households but 35 % of those selected: 2.2 times their share").
They are chosen from the population audit's JSON (see ``docs/audit.md``) and worded by
:mod:`lanterne.report.summary`.

Small samples: a group is a finding only when at least ``min_selected`` (default
:data:`MIN_SELECTED`, 20) of the households selected belong to it, or would belong to it if
it were selected like everyone else (its share of households times the number selected):
"100 % of those selected, 1.7 times their share" resting on 2 households says nothing.
Each finding carries the 95% interval of its ratio (a Wilson interval on its share of
those selected, divided by its share of households); groups left out for lack of data are
listed in :attr:`Findings.unsupported`.

Example:
    >>> audit = {"groups": {"family": [
    ...     {"group": "single_parent", "n": 160, "share_population": 0.16,
    ...      "share_selected": 0.35, "representation_ratio": 2.1875, "selection_rate": 0.11},
    ...     {"group": "couple", "n": 840, "share_population": 0.84,
    ...      "share_selected": 0.65, "representation_ratio": 0.77, "selection_rate": 0.04}]}}
    >>> [(f.group, f.over, round(f.ratio, 2)) for f in findings(audit, n_selected=1000)]
    [('single_parent', True, 2.19), ('couple', False, 0.77)]
    >>> [f.group for f in findings(audit, n_selected=40)]  # single parents: 14 expected, 16 seen
    ['couple']
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lanterne.audit.intervals import wilson
from lanterne.defaults import MIN_SELECTED

#: A group is "over-targeted" from this representation ratio, "under-targeted" below its inverse.
OVER = 1.25
MAX_PER_COLUMN = 2


@dataclass(frozen=True)
class Finding:
    """One group whose share of the selected differs clearly from its share of households."""

    column: str
    group: str
    column_label: str
    group_label: str
    share_population: float
    share_selected: float
    ratio: float
    low: float | None = None
    high: float | None = None
    supported: bool = True

    @property
    def over(self) -> bool:
        return self.ratio >= 1


def findings(
    audit: dict[str, Any],
    *,
    column_label: Callable[[str], str] = lambda c: c,
    group_label: Callable[[str, str], str] = lambda c, g: g.replace("_", " "),
    over: float = OVER,
    per_column: int = MAX_PER_COLUMN,
    n_selected: int | None = None,
    min_selected: int = MIN_SELECTED,
    keep_unsupported: bool = False,
) -> list[Finding]:
    """The most over- and under-represented groups of each column, most extreme first.

    Suppressed groups (rates ``None``) and groups whose ratio lies within
    ``[1 / over, over]`` are left out, and so are groups with fewer than ``min_selected``
    households selected, seen and expected (``n_selected``: all households selected; the
    audit's own figure by default) — unless ``keep_unsupported``, which returns them
    marked ``supported=False``.
    """
    total = int(n_selected if n_selected is not None else audit.get("n_selected") or 0)
    out: list[Finding] = []
    for column, rows in audit.get("groups", {}).items():
        candidates = [
            r
            for r in rows
            if r.get("representation_ratio") is not None and r.get("share_selected") is not None
        ]
        high = sorted(
            (r for r in candidates if r["representation_ratio"] >= over),
            key=lambda r: -r["representation_ratio"],
        )[:per_column]
        low = sorted(
            (r for r in candidates if r["representation_ratio"] <= 1 / over),
            key=lambda r: r["representation_ratio"],
        )[:1]
        for row in [*high, *low]:
            seen = row["share_selected"] * total
            expected = row["share_population"] * total
            supported = max(seen, expected) >= min_selected - 1e-9
            if not supported and not keep_unsupported:
                continue
            ci = wilson(round(seen), total) if total else None
            share = float(row["share_population"])
            out.append(
                Finding(
                    column=column,
                    group=str(row["group"]),
                    column_label=column_label(column),
                    group_label=group_label(column, str(row["group"])),
                    share_population=share,
                    share_selected=float(row["share_selected"]),
                    ratio=float(row["representation_ratio"]),
                    low=ci[0] / share if ci and share else None,
                    high=ci[1] / share if ci and share else None,
                    supported=supported,
                )
            )
    return out
