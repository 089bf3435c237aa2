"""The exact check of hidden sizes against a second computation: every solution, enumerated.

On small tables, all whole-number assignments of the hidden cells within their bounds (at
least one household; below ``min_cell`` when marked primary, at least ``min_cell`` when
secondary) are listed by brute force; a hidden cell is determined when every assignment
satisfying the relations gives it the same size. :func:`determined` must find exactly those.
"""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lanterne.audit.suppression_exact as exact
from lanterne.audit.suppression import margin_relations
from lanterne.audit.suppression_exact import determined

pytestmark = pytest.mark.hostile  # an attack: `pytest -m hostile` runs them all


def _brute_force(cube: np.ndarray, hidden: dict, min_cell: int) -> set[Hashable]:
    """Hidden cells of a 2 × 2 table with margins that every solution gives one size.

    Every table of whole numbers (each inner cell from 1 to the total) is listed; one is a
    solution when its total is the published one, its shown cells are the shown sizes and
    its hidden cells lie within their marks' bounds.
    """
    top = int(cube.sum())
    grid = np.stack(np.meshgrid(*[np.arange(1, top + 1)] * 4, indexing="ij"), -1).reshape(-1, 4)
    inner = grid.reshape(-1, 2, 2)
    value = {((), ()): inner.sum(axis=(1, 2))}
    for i in range(2):
        value[(("r",), (f"r{i}",))] = inner[:, i].sum(axis=1)
        value[(("c",), (f"c{i}",))] = inner[:, :, i].sum(axis=1)
        for j in range(2):
            value[(("r", "c"), (f"r{i}", f"c{j}"))] = inner[:, i, j]
    truth = {k: v[0] for k, v in _cells(cube).items()}
    ok = np.ones(len(grid), dtype=bool)
    for key, v in value.items():
        if key not in hidden:
            ok &= v == truth[key]
        elif hidden[key] == "primary":
            ok &= v < min_cell
        else:
            ok &= v >= min_cell
    return {k for k in hidden if len(np.unique(value[k][ok])) == 1}


def _cells(cube: np.ndarray) -> dict:
    """Each cell of the table and its margins, as ``margin_relations`` names them."""
    out = {((), ()): [int(cube.sum())]}
    for i in range(2):
        out[(("r",), (f"r{i}",))] = [int(cube[i].sum())]
        out[(("c",), (f"c{i}",))] = [int(cube[:, i].sum())]
        for j in range(2):
            out[(("r", "c"), (f"r{i}", f"c{j}"))] = [int(cube[i, j])]
    return out


@settings(max_examples=40, deadline=None)
@given(
    values=st.lists(st.integers(1, 7), min_size=4, max_size=4),
    chosen=st.lists(st.booleans(), min_size=8, max_size=8),
    min_cell=st.sampled_from([3, 5]),
)
def test_determined_sizes_are_those_every_solution_agrees_on(values, chosen, min_cell) -> None:
    cube = np.array(values).reshape(2, 2)
    tables = {
        (): {(): int(cube.sum())},
        ("r",): {(f"r{i}",): int(cube[i].sum()) for i in range(2)},
        ("c",): {(f"c{j}",): int(cube[:, j].sum()) for j in range(2)},
        ("r", "c"): {(f"r{i}", f"c{j}"): int(cube[i, j]) for i in range(2) for j in range(2)},
    }
    sizes, relations = margin_relations(tables)
    candidates = [k for k in sizes if k != ((), ())]
    hidden = {
        k: "primary" if sizes[k] < min_cell else "secondary"
        for k, pick in zip(candidates, chosen, strict=True)
        if pick
    }
    found = {c for cells in determined(sizes, relations, hidden, min_cell=min_cell) for c in cells}
    assert found == _brute_force(cube, hidden, min_cell)


def test_the_marks_count() -> None:
    """Two primary groups of 2 in a total of 4 (``min_cell=3``): each has 1 or 2, so both
    have 2; without the marks (one of them secondary, so at least 3) nothing is pinned."""
    sizes = {"all": 4, "a": 2, "b": 2}
    both = {"a": "primary", "b": "primary"}
    assert determined(sizes, [("all", ["a", "b"])], both, min_cell=3) == [["a", "b"]]
    sizes = {"all": 7, "a": 2, "b": 5}
    mixed = {"a": "primary", "b": "secondary"}
    assert determined(sizes, [("all", ["a", "b"])], mixed, min_cell=3) == []


def test_sets_over_the_limit_are_not_solved(monkeypatch) -> None:
    sizes = {"all": 4, "a": 2, "b": 2}
    both = {"a": "primary", "b": "primary"}
    monkeypatch.setattr(exact, "MAX_EXACT", 1)
    assert determined(sizes, [("all", ["a", "b"])], both, min_cell=3) == []
