"""Small-cell suppression: rates of groups too small to publish are hidden.

A rate computed on a handful of households can reveal something about one of them, and
is too noisy to mean anything. Every audit table replaces the rates of a group with fewer
than ``min_cell`` households (default 10) by ``None`` and flags the row
``"suppressed": true``; the group's size stays visible so readers know why. ``min_cell=0``
turns suppression off.

Example:
    >>> row = {"group": "x", "n": 4, "selection_rate": 0.25}
    >>> suppress_row(row, 4, 10, ["selection_rate"])
    {'group': 'x', 'n': 4, 'selection_rate': None, 'suppressed': True}
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lanterne.errors import UsageError
from lanterne.i18n import Msg

DEFAULT_MIN_CELL = 10


def suppression_note(min_cell: int) -> Msg:
    """The sentence printed under a table that has suppressed cells."""
    return Msg(
        "Groupes de moins de {k} foyers (marqués *) : taux masqués (—) pour protéger les "
        "personnes et parce qu'ils ne seraient pas fiables.",
        "Groups of fewer than {k} households (marked *): rates hidden (—) to protect the "
        "people concerned and because they would not be reliable.",
        k=min_cell,
    )


def check_min_cell(min_cell: int) -> int:
    """``min_cell`` if it is a whole number ≥ 0, else a :class:`UsageError`."""
    if isinstance(min_cell, bool) or not isinstance(min_cell, int) or min_cell < 0:
        raise UsageError(
            Msg(
                "--min-cell doit être un entier positif ou nul, reçu {v}",
                "--min-cell must be a whole number ≥ 0, got {v}",
                v=min_cell,
            )
        )
    return min_cell


def is_small(n: int, min_cell: int) -> bool:
    """Whether a group of ``n`` is below the threshold (never when ``min_cell`` is 0).

    >>> is_small(9, 10), is_small(10, 10), is_small(1, 0)
    (True, False, False)
    """
    return min_cell > 0 and n < min_cell


def suppress_row(
    row: dict[str, Any], n: int, min_cell: int, fields: Iterable[str], flag: str = "suppressed"
) -> dict[str, Any]:
    """Set ``fields`` of ``row`` to ``None`` when ``n`` is small; record the flag."""
    small = is_small(n, min_cell)
    if small:
        for name in fields:
            row[name] = None
    row[flag] = small
    return row
