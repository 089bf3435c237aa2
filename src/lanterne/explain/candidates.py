"""Candidate values of the variables a person could change, for the counterfactual search.

Booleans take both values and categories every category. For a number, the candidates are
the values where some term of the model changes, found without reading the model's code
(so that any model kind works):

1. a vectorised scan of the declared range on a grid (1 025 points, or every whole number
   when there are fewer), plus the constants written in the expressions that read the
   variable (comparison thresholds, ``bin`` edges, ``between`` bounds) and their
   neighbours;
2. every term that takes few distinct values on the grid (a *step*, such as
   ``income < 600`` or ``bin(x, [...])``) marks the grid intervals where it changes; each is
   bisected, in vectorised rounds, down to the variable's resolution (1 for whole numbers,
   0.01 for amounts) — an interval that hides several changes is split until each is
   found;
3. the candidates are both sides of every change, the ends of the range and the current
   value. Between two changes the step terms are constant and the other terms are
   monotone in practice (linear coefficients, points per unit), so the lowest score of an
   interval is at one of its ends.

When two changeable variables meet in the same term (rent and income in a rent-to-income
ratio), the changes of one are looked for again at each candidate value of the other, so
that the joint search sees every combination of regions.

Example:
    >>> from lanterne.model import load_model
    >>> from lanterne.explain.household import build_household
    >>> model = load_model("fr-cnaf-2014")
    >>> house = build_household(model, archetype="single-mother-rsa")
    >>> values = candidate_values(model, house.frame, ["months_worked_12m"])
    >>> values["months_worked_12m"]
    [0, 1, 9, 10, 12]
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import polars as pl

from lanterne.explain.shapes import shape_of
from lanterne.model import Model
from lanterne.spec.expr import Call, Number, walk
from lanterne.spec.schema import Variable

GRID = 1025
#: A term taking at most this many distinct values over the grid is treated as a step.
STEP_MAX_VALUES = 64


def repeat_row(row: pl.DataFrame, n: int) -> pl.DataFrame:
    """``n`` copies of a one-row table, keeping every column's type."""
    return pl.DataFrame([row[c].new_from_index(0, n) for c in row.columns])


def with_values(row: pl.DataFrame, columns: Mapping[str, Iterable[Any]], n: int) -> pl.DataFrame:
    """``n`` copies of ``row`` with some columns replaced by the given values."""
    frame = repeat_row(row, n)
    updates = [
        pl.Series(name, list(values), dtype=row[name].dtype) for name, values in columns.items()
    ]
    return frame.with_columns(updates) if updates else frame


def resolution(var: Variable, low: float, high: float) -> float:
    """The step at which a number is searched: 1 for whole numbers, 0.01 for amounts."""
    if var.type == "int":
        return 1.0
    width = high - low
    return 0.01 if width >= 10 else max(width * 1e-4, 1e-9)


def constants_for(model: Model, name: str) -> list[float]:
    """Numbers written in the expressions that read ``name`` (thresholds, bin edges...)."""
    out: list[float] = []
    trees = [
        tree
        for feature, tree in model.checked.feature_trees.items()
        if name in model.variables_of({feature})
    ]
    trees += list(model.checked.item_trees)
    for tree in trees:
        for node in walk(tree):
            if isinstance(node, Number):
                out.append(float(node.value))
            elif isinstance(node, Call) and node.func == "bin":
                out += [float(e) for e in node.edges]
    return sorted(set(out))


def bounds(var: Variable, current: float, constants: list[float]) -> tuple[float, float]:
    """The declared range, or a range around the current value and the constants."""
    if var.range is not None:
        return float(var.range[0]), float(var.range[1])
    low = min([0.0, current, *constants])
    high = max([current, *constants, 1.0]) * 2
    return low, high


def _decimals(step: float) -> int:
    return max(0, -math.floor(math.log10(step))) if step < 1 else 0


def _vectors(
    model: Model, row: pl.DataFrame, name: str, values: np.ndarray, fixed: Mapping[str, Any]
) -> np.ndarray:
    columns: dict[str, Iterable[Any]] = {k: [v] * len(values) for k, v in fixed.items()}
    columns[name] = values.tolist()
    frame = with_values(row, columns, len(values))
    return model.contributions(frame, prepared=True).to_numpy()


def numeric_candidates(
    model: Model,
    row: pl.DataFrame,
    var: Variable,
    fixed: Mapping[str, Any] | None = None,
    *,
    grid: int = GRID,
) -> list[float | int]:
    """Values of a numeric variable on both sides of every change of a step term."""
    fixed = dict(fixed or {})
    current = float(row[var.name][0])
    consts = constants_for(model, var.name)
    low, high = bounds(var, current, consts)
    step = resolution(var, low, high)
    digits = _decimals(step)
    top = round((high - low) / step)

    def value(ticks: np.ndarray) -> np.ndarray:
        x = np.minimum(low + ticks.astype(float) * step, high)
        return x.round().astype(np.int64) if var.type == "int" else x.round(digits)

    ticks = set(np.linspace(0, top, min(grid, top + 1)).round().astype(np.int64).tolist())
    for c in consts:
        k = (c - low) / step
        for t in (math.floor(k) - 1, math.floor(k), math.ceil(k), math.ceil(k) + 1):
            if 0 <= t <= top:
                ticks.add(t)
    grid_ticks = np.array(sorted(ticks), dtype=np.int64)
    vectors = _vectors(model, row, var.name, value(grid_ticks), fixed)
    steps = [j for j in range(vectors.shape[1]) if np.unique(vectors[:, j]).size <= STEP_MAX_VALUES]
    known: dict[int, tuple[float, ...]] = {
        int(t): tuple(vectors[i, steps]) for i, t in enumerate(grid_ticks)
    }
    intervals = [
        (int(grid_ticks[i]), int(grid_ticks[i + 1]))
        for i in range(grid_ticks.size - 1)
        if known[int(grid_ticks[i])] != known[int(grid_ticks[i + 1])]
    ]
    changes: set[tuple[int, int]] = set()
    while intervals:
        done = [iv for iv in intervals if iv[1] - iv[0] <= 1]
        changes.update(done)
        open_ = [iv for iv in intervals if iv[1] - iv[0] > 1]
        if not open_:
            break
        mids = np.array([(a + b) // 2 for a, b in open_], dtype=np.int64)
        mid_vectors = _vectors(model, row, var.name, value(mids), fixed)
        intervals = []
        for (a, b), m, vec in zip(open_, mids.tolist(), mid_vectors, strict=True):
            known[m] = tuple(vec[steps])
            if known[m] != known[a]:
                intervals.append((a, m))
            if known[m] != known[b]:
                intervals.append((m, b))
    picked = {0, top}
    for a, b in changes:
        picked.update((a, b))
    values = value(np.array(sorted(picked), dtype=np.int64)).tolist()
    current_value: float | int = int(current) if var.type == "int" else current
    return sorted(set(values) | {current_value})


def shape_candidates(model: Model, row: pl.DataFrame, var: Variable) -> list[Any] | None:
    """Additive models, exactly: for each other bin of the variable's shape function, the
    value of that bin nearest to the current one (its lower edge when above, the last value
    before its upper edge when below; the last whole number when the edges all fall on
    halves, as for counts). ``None`` when no shape function reads the variable directly, or
    its value is missing: the general scan is used then.

    >>> from lanterne.model import load_model
    >>> model = load_model("nl-amsterdam-slimme-check-2022-prepilot")
    >>> var = model.spec.variable("active_address_count")  # edges 0.5, 1.5, 2.5
    >>> shape_candidates(model, pl.DataFrame({"active_address_count": [1.0]}), var)
    [0.0, 1.0, 2.0, 3.0]
    """
    view = shape_of(model, var.name)
    current = row[var.name][0]
    if view is None or view.kind != "continuous" or current is None:
        return None
    x = float(current)
    low, high = var.range if var.range is not None else (-math.inf, math.inf)
    step = resolution(var, low, high) if math.isfinite(high - low) else 0.01
    # edges all on halves: the model learnt from whole numbers (counts, days): stay whole
    whole = var.type == "int" or all(float(2 * e).is_integer() for e in view.edges)
    out: set[Any] = {current}
    for b in view.bins():
        if b.index <= 0:
            continue
        lo = -math.inf if b.low is None else b.low
        hi = math.inf if b.high is None else b.high
        if lo <= x < hi:
            continue
        if x < lo:  # up to the bin's lower edge (an edge belongs to the bin above it)
            value = math.ceil(lo) if whole else lo
        elif whole:  # down to the last whole number before the bin's upper edge
            value = math.ceil(hi) - 1
        else:
            value = round(hi - step, _decimals(step)) if hi - step >= lo else (lo + hi) / 2
        if lo <= value < hi and low <= value <= high:
            out.add(int(value) if var.type == "int" else float(value))
    return sorted(out)


def candidate_values(model: Model, row: pl.DataFrame, names: Iterable[str]) -> dict[str, list[Any]]:
    """Candidate values of each named variable (the current value included).

    Numbers sharing a term with another named variable are rescanned at each candidate
    value of that variable.
    """
    names = list(names)
    variables = {n: model.spec.variable(n) for n in names}
    out: dict[str, list[Any]] = {}
    for name, var in variables.items():
        assert var is not None
        current = row[name][0]
        if var.type == "bool":
            out[name] = [bool(current), not bool(current)]
        elif var.type == "category":
            cats = list(var.categories or [])
            out[name] = [current, *[c for c in cats if c != current]]
        else:
            exact = shape_candidates(model, row, var)
            out[name] = exact if exact is not None else numeric_candidates(model, row, var)
    shared = _shared(model, names)
    for name, var in variables.items():
        assert var is not None
        if var.type not in ("int", "float"):
            continue
        extra: set[Any] = set(out[name])
        for other in shared.get(name, ()):
            for value in out[other]:
                if value != row[other][0]:
                    extra.update(numeric_candidates(model, row, var, {other: value}))
        out[name] = sorted(extra)
    return out


def _shared(model: Model, names: list[str]) -> dict[str, set[str]]:
    """For each named variable, the other named variables it meets in some term."""
    wanted = set(names)
    out: dict[str, set[str]] = {n: set() for n in names}
    for term in model.terms:
        inside = wanted & set(term.variables)
        for n in inside:
            out[n] |= inside - {n}
    return out
