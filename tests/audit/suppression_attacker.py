"""The attacker of the suppression tests: what a reader can recompute from published tables.

Written without Lanterne's suppression code. Given the relations a reader writes down (a
published total equals the sum of its cells) and the published values, it

* **peels**: a relation with one unknown gives it by subtraction, repeated until nothing
  more comes out;
* **solves**: for each hidden count, the smallest and largest whole value compatible with
  every relation (an integer program solved with SciPy's HiGHS);
* lists relations whose published total minus its visible cells is a small positive sum.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import numpy as np
from scipy.optimize import linprog

Relation = tuple[Hashable, list[Hashable]]
MIN_CELL = 10

# ---------------------------------------------------------------------- the attacker


def peel(relations: Sequence[Relation], known: Mapping[Hashable, float]) -> dict:
    """Every unknown that repeated subtraction recovers: ``{key: value}``."""
    values = dict(known)
    found = {}
    changed = True
    while changed:
        changed = False
        for total, members in relations:
            unknown = [k for k in (total, *members) if k not in values]
            if len(unknown) != 1:
                continue
            key = unknown[0]
            if key == total:
                value = sum(values[m] for m in members)
            else:
                value = values[total] - sum(values[m] for m in members if m != key)
            values[key] = found[key] = value
            changed = True
    return found


def small_hidden_sums(
    relations: Sequence[Relation], known: Mapping[Hashable, float], min_cell: int
) -> list[tuple[Hashable, float]]:
    """Relations whose published total minus its visible cells is a small positive sum."""
    out = []
    for total, members in relations:
        hidden = [m for m in members if m not in known]
        if total not in known or not hidden:
            continue
        rest = known[total] - sum(known[m] for m in members if m in known)
        if 0 < rest < min_cell:
            out.append((total, rest))
    return out


def ranges(
    relations: dict[str, Sequence[Relation]],
    known: dict[str, Mapping[Hashable, float]],
    upper: float,
    bounded: bool = True,
) -> dict[tuple[str, Hashable], tuple[float, float]]:
    """Smallest and largest whole value of every hidden count, given everything published.

    ``relations`` and ``known`` are per quantity (``"n"`` and, when published,
    ``"selected"``); a listed group has at least one household; a group's selected count
    lies between 0 and its size. ``bounded=False`` keeps the relations alone (values may
    be negative): what subtraction and its combinations give, without using zeros.
    """
    variables: list[tuple[str, Hashable]] = []
    for quantity, rels in relations.items():
        keys = {k for total, members in rels for k in (total, *members)}
        variables += sorted(((quantity, k) for k in keys if k not in known[quantity]), key=repr)
    if not variables:
        return {}
    index = {v: i for i, v in enumerate(variables)}
    rows, rhs = [], []
    for quantity, rels in relations.items():
        for total, members in rels:
            row = np.zeros(len(variables))
            constant = 0.0
            for key, sign in ((total, 1.0), *((m, -1.0) for m in members)):
                if (quantity, key) in index:
                    row[index[(quantity, key)]] += sign
                else:
                    constant -= sign * known[quantity][key]
            if row.any():
                rows.append(row)
                rhs.append(constant)
    bounds = [(1 if q == "n" else 0, upper) for q, _ in variables]
    if not bounded:
        bounds = [(-upper, upper) for _ in variables]
    ub_rows, ub_rhs = [], []
    if bounded and "selected" in relations:  # selected ≤ size
        for (q, key), i in index.items():
            if q != "selected":
                continue
            row = np.zeros(len(variables))
            row[i] = 1
            if ("n", key) in index:
                row[index[("n", key)]] = -1
                ub_rows.append(row)
                ub_rhs.append(0.0)
            elif key in known["n"]:
                bounds[i] = (0, known["n"][key])
    out = {}
    for variable, i in index.items():
        found = []
        for sign in (1.0, -1.0):
            cost = np.zeros(len(variables))
            cost[i] = sign
            result = linprog(
                cost,
                A_ub=np.array(ub_rows) if ub_rows else None,
                b_ub=np.array(ub_rhs) if ub_rhs else None,
                A_eq=np.array(rows) if rows else None,
                b_eq=np.array(rhs) if rhs else None,
                bounds=bounds,
                integrality=np.ones(len(variables)),
                method="highs",
            )
            assert result.status == 0, (variable, result.message)
            found.append(sign * result.fun)
        out[variable] = (round(found[0]), round(found[1]))
    return out


def assert_nothing_recovered(
    relations: dict[str, Sequence[Relation]],
    known: dict[str, dict[Hashable, float]],
    upper: float,
    min_cell: int = MIN_CELL,
) -> None:
    """The attack, on every quantity: peeling, small hidden sums, then exact ranges.

    A hidden size's range must not collapse, whatever the reader uses. A hidden count
    (selected, hits) must not follow from the relations; a count pinned only because
    other hidden counts are known to be 0 is the limit documented in docs/security.md —
    they are reported by :func:`zero_pinned`.
    """
    for quantity, rels in relations.items():
        assert peel(rels, known[quantity]) == {}, quantity
    assert small_hidden_sums(relations["n"], known["n"], min_cell) == []
    for (quantity, key), (low, high) in ranges(relations, known, upper).items():
        if quantity == "n":
            assert low < high, (quantity, key, low, high)
    for (quantity, key), (low, high) in ranges(relations, known, upper, False).items():
        assert low < high, (quantity, key, low, high)


def zero_pinned(
    relations: dict[str, Sequence[Relation]],
    known: dict[str, Mapping[Hashable, float]],
    upper: float,
) -> list[tuple[Hashable, float]]:
    """Hidden positive counts pinned down once zeros are used: ``[(cell, value)]``."""
    return [
        (key, low)
        for (quantity, key), (low, high) in ranges(relations, known, upper).items()
        if quantity != "n" and low == high and high > 0
    ]
