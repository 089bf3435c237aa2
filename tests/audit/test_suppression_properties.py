"""Property tests of the suppression rule: random tables, the same attacker, nothing found.

Hypothesis draws two- and three-way count tables, publishes every margin, runs
:func:`lanterne.audit.suppression.suppress` and attacks the result with
``suppression_attacker`` (subtraction, then an integer program for each hidden cell's
smallest and largest possible size).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the attacker, next to this file

from collections.abc import Hashable, Sequence
from itertools import product

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from suppression_attacker import Relation, peel, ranges, small_hidden_sums

from lanterne.audit import audit_population
from lanterne.audit.suppression import margin_relations, suppress
from lanterne.catalog import sample_path

pytestmark = pytest.mark.hostile  # an attack: `pytest -m hostile` runs them all


def _margins(cube: np.ndarray, names: Sequence[str]) -> dict[tuple[str, ...], dict]:
    """Every margin of a count cube (all subsets of its dimensions), as published tables."""
    tables = {}
    dims = range(cube.ndim)
    for mask in product((0, 1), repeat=cube.ndim):
        keep = tuple(d for d in dims if mask[d])
        summed = cube.sum(axis=tuple(d for d in dims if not mask[d]))
        cells = {}
        for index in np.ndindex(summed.shape):
            cells[tuple(f"{names[d]}{i}" for d, i in zip(keep, index, strict=True))] = int(
                summed[index]
            )
        tables[tuple(names[d] for d in keep)] = cells
    return tables


def _attack_cube(cube: np.ndarray, min_cell: int) -> dict:
    names = [chr(ord("a") + d) for d in range(cube.ndim)]
    tables = _margins(cube, names)
    sizes, relations = margin_relations(tables)
    hidden = suppress(sizes, relations, min_cell=min_cell, published={((), ())})
    # the attacker's own relations, from the cube's shape only
    mine: list[Relation] = []
    for small, large in product(tables, tables):
        if len(large) == len(small) + 1 and set(small) < set(large):
            extra = next(c for c in large if c not in small)
            for values in tables[small]:
                fixed = dict(zip(small, values, strict=True))
                members = [
                    (large, v)
                    for v in tables[large]
                    if all(dict(zip(large, v, strict=True))[c] == fixed[c] for c in small)
                    and tables[large][v] > 0
                ]
                assert extra
                mine.append(((small, values), members))
    mine = [(t, m) for t, m in mine if sizes[t] > 0]
    known = {k: v for k, v in sizes.items() if k not in hidden and v > 0}
    if cube.sum() >= min_cell:  # primary suppression is complete
        assert all(k in hidden for k, v in sizes.items() if 0 < v < min_cell and k != ((), ()))
    return {"relations": mine, "known": known, "hidden": hidden, "total": int(cube.sum())}


cube_2d = st.tuples(st.integers(1, 4), st.integers(2, 4)).flatmap(
    lambda shape: st.lists(
        st.integers(0, 30), min_size=shape[0] * shape[1], max_size=shape[0] * shape[1]
    ).map(lambda values: np.array(values).reshape(shape))
)
cube_3d = st.tuples(st.integers(2, 3), st.integers(2, 3), st.integers(2, 3)).flatmap(
    lambda shape: st.lists(
        st.integers(0, 12), min_size=int(np.prod(shape)), max_size=int(np.prod(shape))
    ).map(lambda values: np.array(values).reshape(shape))
)


def _assert_no_hidden_cell_is_derivable(cube: np.ndarray, min_cell: int) -> None:
    found = _attack_cube(cube, min_cell)
    margins = _margins(cube, "abc").items()
    singletons = any(all(v == 1 for v in t.values() if v) for cols, t in margins if cols)
    if found["total"] < min_cell or singletons:
        # the whole population is below the threshold, or a table lists only groups of one
        # household (their number is the published total): nothing can protect them
        return
    relations, known = found["relations"], found["known"]
    assert peel(relations, known) == {}
    assert small_hidden_sums(relations, known, min_cell) == []
    for key, (low, high) in ranges({"n": relations}, {"n": known}, found["total"]).items():
        assert low < high, (key, low, high)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cube=st.one_of(cube_2d, cube_3d), min_cell=st.sampled_from([3, 5, 10]))
def test_random_tables_no_hidden_cell_is_derivable(cube: np.ndarray, min_cell: int) -> None:
    _assert_no_hidden_cell_is_derivable(cube, min_cell)


def test_a_cell_only_an_integer_program_pins_is_protected() -> None:
    """A 2 × 3 × 2 table found by the property above: the rule applied relation by
    relation, the linear system and the narrowed ranges all let the hidden cell (a0, b1,
    c1) through, while the attacker's integer program pinned it to exactly 1."""
    cube = np.array([3, 2, 2, 1, 3, 1, 2, 3, 0, 3, 0, 2]).reshape((2, 3, 2))
    _assert_no_hidden_cell_is_derivable(cube, 3)
    found = _attack_cube(cube, 3)
    assert (("a", "b", "c"), ("a0", "b1", "c1")) in found["hidden"]


@settings(max_examples=60, deadline=None)
@given(sizes=st.lists(st.integers(1, 40), min_size=2, max_size=8))
def test_one_column_hides_at_least_two_with_enough_households(sizes: list[int]) -> None:
    cells = {"all": sum(sizes)} | {i: k for i, k in enumerate(sizes)}
    hidden = suppress(cells, [("all", list(range(len(sizes))))], min_cell=10, published={"all"})
    primary = {i for i, k in enumerate(sizes) if k < 10}
    assert {k for k, v in hidden.items() if v == "primary"} == primary
    if hidden and sum(sizes) >= 10:
        assert len(hidden) >= 2 and sum(sizes[i] for i in hidden) >= 10
        # the complement is the smallest visible group each time: no larger group is
        # hidden while a smaller one stays shown
        second = [sizes[i] for i, v in hidden.items() if v == "secondary"]
        shown = [k for i, k in enumerate(sizes) if i not in hidden]
        assert not second or not shown or max(second) <= min(shown)
    assert suppress(cells, [("all", list(range(len(sizes))))], min_cell=0) == {}


def test_min_cell_zero_hides_nothing_anywhere() -> None:
    audit = audit_population("fr-cnaf-2014", sample_path(), group_cols=["nationality"], min_cell=0)
    assert all(
        not r["suppressed"] and r["suppression"] is None for r in audit.groups["nationality"]
    )
    assert sum(r["n"] for r in audit.groups["nationality"]) == 400


def test_cells_named_by_numbers_are_protected_alike() -> None:
    """Which cells are hidden does not depend on their names: a group numbered 0 is a
    group like the others (it used to be skipped when picking a cell to hide)."""
    rows, cols = [9, 10, 11], [12, 13, 14]  # a 3 × 3 table: cells 0–8, its two margins
    relations: list[Relation] = [(rows[r], [3 * r + c for c in range(3)]) for r in range(3)]
    relations += [(cols[c], [3 * r + c for r in range(3)]) for c in range(3)]
    relations += [("all", rows), ("all", cols)]
    inner = [60, 8, 8, 20, 8, 15, 1, 12, 8]
    chosen = [0, 0, 0, 0, 0, 0, 1, 1, 0]

    def with_margins(values: list[int]) -> dict[Hashable, int]:
        out: dict[Hashable, int] = dict(enumerate(values))
        for r in range(3):
            out[rows[r]] = sum(values[3 * r : 3 * r + 3])
        for c in range(3):
            out[cols[c]] = sum(values[c::3])
        out["all"] = sum(values)
        return out

    sizes, selected = with_margins(inner), with_margins(chosen)
    by_number = suppress(sizes, relations, min_cell=10, published={"all"}, counts=[selected])
    renamed = {k: f"cell {k}" for k in sizes if k != "all"} | {"all": "all"}
    by_name = suppress(
        {renamed[k]: v for k, v in sizes.items()},
        [(renamed[t], [renamed[m] for m in ms]) for t, ms in relations],
        min_cell=10,
        published={"all"},
        counts=[{renamed[k]: v for k, v in selected.items()}],
    )
    assert {renamed[k]: v for k, v in by_number.items()} == by_name
