"""The last check of small-cell suppression: each hidden size's exact range, as a reader's.

After the rule of :mod:`lanterne.audit.suppression` has hidden its cells, a reader still
knows every shown size, every relation (a total is the sum of its cells), that a listed
group has at least one household and, from the marks, that a ``primary`` cell has fewer
than ``min_cell`` households and a ``secondary`` one at least ``min_cell`` (every cell
hidden to protect another was shown, so was not small). :func:`determined` solves, for
each hidden cell, the integer programs "smallest size" and "largest size" under all of
that (SciPy's HiGHS), and returns the cells left with a single possible size: the same
attack as an auditor with an integer-programming solver, who can combine relations in ways
a rule applied relation by relation misses.

The true sizes are one solution: a cell is determined when no other solution moves it.
Each solution found moves many cells at once, so far fewer programs are solved than two
per cell. Sets of more than :data:`MAX_EXACT` linked hidden cells are not solved (the
other checks still apply); the limit is documented in ``docs/security.md``.

Example: 4 households in two hidden groups with ``min_cell=3``: both marked primary, each
has 1 or 2 households, and they add up to 4: both have 2. With 5 households, 2 + 3 or 3 + 2
are both possible (the 3 marked secondary).

    >>> determined({"all": 4, "a": 2, "b": 2}, [("all", ["a", "b"])],
    ...            {"a": "primary", "b": "primary"}, min_cell=3)
    [['a', 'b']]
    >>> determined({"all": 5, "a": 2, "b": 3}, [("all", ["a", "b"])],
    ...            {"a": "primary", "b": "secondary"}, min_cell=3)
    []
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence

import numpy as np

#: Largest set of linked hidden cells whose exact ranges are solved (each program has
#: one variable per cell; 200 cells take about a second in all; the check is
#: repeated after each cell hidden, so larger sets could take minutes).
MAX_EXACT = 200


def components(
    relations: Sequence[tuple[Hashable, Sequence[Hashable]]], hidden: Mapping[Hashable, str]
) -> list[list[Hashable]]:
    """Hidden cells grouped by the relations that link them (shown cells are constants).

    >>> components([("t", ["a", "b"]), ("u", ["c", "d"])], dict.fromkeys("abd", "primary"))
    [['a', 'b'], ['d']]
    """
    parent = {cell: cell for cell in hidden}

    def find(cell: Hashable) -> Hashable:
        while parent[cell] != cell:
            parent[cell] = parent[parent[cell]]
            cell = parent[cell]
        return cell

    for total, members in relations:
        linked = [c for c in (total, *members) if c in hidden]
        for other in linked[1:]:
            parent[find(other)] = find(linked[0])
    groups: dict[Hashable, list[Hashable]] = defaultdict(list)
    for cell in hidden:
        groups[find(cell)].append(cell)
    return list(groups.values())


def determined(
    sizes: Mapping[Hashable, int],
    relations: Sequence[tuple[Hashable, Sequence[Hashable]]],
    hidden: Mapping[Hashable, str],
    *,
    min_cell: int,
) -> list[list[Hashable]]:
    """Hidden cells whose size the shown cells, the relations and the marks pin down.

    ``relations`` list only cells of at least one household (cells of 0 are known to be 0);
    ``hidden`` maps each hidden cell to its mark. Returns, per set of linked hidden cells
    solved, the cells left with one possible size (sets over :data:`MAX_EXACT` skipped).
    """
    top = max(sizes.values(), default=0)
    by_cell: dict[Hashable, list[int]] = defaultdict(list)
    for i, (total, members) in enumerate(relations):
        for cell in (total, *members):
            if cell in hidden:
                by_cell[cell].append(i)
    out = []
    for component in components(relations, hidden):
        if len(component) > MAX_EXACT:
            continue
        rows = sorted({i for cell in component for i in by_cell[cell]})
        fixed = _solve(sizes, [relations[i] for i in rows], component, hidden, min_cell, top)
        if fixed:
            out.append(fixed)
    return out


def _solve(
    sizes: Mapping[Hashable, int],
    relations: Sequence[tuple[Hashable, Sequence[Hashable]]],
    cells: list[Hashable],
    hidden: Mapping[Hashable, str],
    min_cell: int,
    top: int,
) -> list[Hashable]:
    """The cells of one linked set that no integer solution moves from their true size."""
    from scipy.optimize import Bounds, LinearConstraint, milp  # only when cells are hidden

    column = {cell: j for j, cell in enumerate(cells)}
    matrix = np.zeros((len(relations), len(cells)))
    rhs = np.zeros(len(relations))
    for r, (total, members) in enumerate(relations):
        for cell, sign in ((total, 1.0), *((m, -1.0) for m in members)):
            if cell in column:
                matrix[r, column[cell]] += sign
            else:
                rhs[r] -= sign * sizes[cell]
    truth = np.array([float(sizes[c]) for c in cells])
    primary = np.array([hidden[c] == "primary" for c in cells])
    low = np.where(primary, 1.0, float(min_cell))
    high = np.where(primary, float(min_cell - 1), float(top))
    low, high = np.minimum(low, truth), np.maximum(high, truth)  # marks never contradict
    constraint = LinearConstraint(matrix, rhs, rhs)
    integral = np.ones(len(cells))
    moved = np.zeros(len(cells), dtype=bool)
    for j in range(len(cells)):
        for sign in (-1.0, 1.0):  # largest, then smallest size of cell j
            if moved[j]:
                break
            cost = np.zeros(len(cells))
            cost[j] = sign
            result = milp(
                cost,
                integrality=integral,
                bounds=Bounds(low, high),
                constraints=constraint,
            )
            if result.status != 0 or result.x is None:  # no answer: count it as pinned
                break
            moved |= np.abs(np.round(result.x) - truth) > 0.5
    return [cell for cell, ok in zip(cells, moved, strict=True) if not ok]
