"""Small-cell suppression, primary and secondary: no hidden group can be recomputed.

A figure computed on a handful of households can reveal something about one of them. Every
published table (audits, reports, the web page, non-take-up) goes through this module:

* **primary suppression** hides every cell (a group's row) of fewer than ``min_cell``
  households (default 10; ``min_cell=0`` hides nothing);
* **secondary suppression** then hides as many *complementary* cells as needed so that no
  hidden cell can be recomputed from published totals. A table's cells add up to a total
  that is published (the groups of a column add up to the whole population; the groups
  within a stratum add up to the stratum; a stratum's groups add up, over the strata, to the
  group in the whole population). In every such relation, the hidden cells must be either
  none, or at least two whose combined size is at least ``min_cell`` (and not all of one
  household each); when a relation's total is itself hidden, at least one of its cells
  must be hidden too. The smallest
  visible cell of the relation is hidden until the rule holds, relation after relation,
  until nothing changes; a last check solves the relations as a linear system and hides
  one more cell next to any hidden cell whose value the system still fixes, or that the
  ranges a reader can work out (each listed group has at least one household, no count is
  negative) pin down. The other counts (selected, hits…) are checked the same way; a count
  pinned at 0 ("none in these hidden groups") is accepted, as statistical offices do.
  Last, :mod:`lanterne.audit.suppression_exact` solves each hidden size's smallest and
  largest value as integer programs (knowing the marks: a primary cell is small, a
  secondary one is not) and hides one more cell next to any size left with one value.

A hidden cell publishes no count at all (size, selected, hits, outcomes, matrix cells…)
and no figure derived from one (rates, shares, ratios, intervals, means, medians): only
its label and whether it is hidden for its own size (``"primary"``) or to protect another
cell (``"secondary"``).

Example: 20 households, 19 in the visible group: hiding the group of 1 alone would leave
it at ``20 − 19``; the other group is hidden too.

    >>> sizes = {"all": 20, "f": 1, "m": 19}
    >>> suppress(sizes, [("all", ["f", "m"])], min_cell=10, published={"all"})
    {'f': 'primary', 'm': 'secondary'}
    >>> row = {"group": "f", "n": 1, "selection_rate": 1.0}
    >>> hide_row(row, "primary", ["n", "selection_rate"])
    {'group': 'f', 'n': None, 'selection_rate': None, 'suppressed': True, 'suppression': 'primary'}
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from lanterne.audit.suppression_exact import components, determined
from lanterne.errors import Problem, UsageError
from lanterne.i18n import Msg

PRIMARY = "primary"
SECONDARY = "secondary"

#: Largest set of linked hidden cells whose relations are solved together (memory: its
#: square in 8-byte floats, 200 MB); beyond, only the rule and the ranges are checked.
MAX_SOLVED = 5000
#: Ranges of at most this many values are probed value by value (see ``pinned``).
PROBED = 3
#: One relation: a total and the cells that add up to it.
Relation = tuple[Hashable, Sequence[Hashable]]


def suppression_note(min_cell: int) -> Msg:
    """The sentence printed under a table that has hidden cells."""
    return Msg(
        "Groupes masqués (—) : * moins de {k} foyers (secret primaire) ; ** groupe masqué "
        "en plus pour qu'aucun groupe masqué ne se déduise des totaux publiés (secret "
        "secondaire). Aucun chiffre n'est publié pour eux, pour protéger les personnes.",
        "Hidden groups (—): * fewer than {k} households (primary suppression); ** group "
        "also hidden so that no hidden group can be worked out from the published totals "
        "(secondary suppression). No figure is published for them, to protect the people "
        "concerned.",
        k=min_cell,
    )


def mark(status: str | None) -> str:
    """The mark of a hidden cell: ``*`` primary, ``**`` secondary, ``""`` shown.

    >>> mark("primary"), mark("secondary"), mark(None)
    ('*', '**', '')
    """
    return {PRIMARY: "*", SECONDARY: "**"}.get(status or "", "")


def check_min_cell(min_cell: int) -> int:
    """``min_cell`` if it is a whole number ≥ 0, else a :class:`UsageError`."""
    if isinstance(min_cell, bool) or not isinstance(min_cell, int) or min_cell < 0:
        raise UsageError(
            Problem(
                Msg(
                    "la taille minimale d'un groupe publié doit être un entier positif ou nul, "
                    "reçu {v}",
                    "the smallest group size to publish must be a whole number ≥ 0, got {v}",
                    v=min_cell,
                ),
                params=("min_cell",),
            )
        )
    return min_cell


def is_small(n: int, min_cell: int) -> bool:
    """Whether a group of ``n`` is below the threshold (never when ``min_cell`` is 0).

    >>> is_small(9, 10), is_small(10, 10), is_small(1, 0)
    (True, False, False)
    """
    return min_cell > 0 and n < min_cell


def hide_row(row: dict[str, Any], status: str | None, fields: Iterable[str]) -> dict[str, Any]:
    """Set ``fields`` of ``row`` to ``None`` when ``status`` says hidden; record the marks."""
    if status is not None:
        for name in fields:
            row[name] = None
    row["suppressed"] = status is not None
    row["suppression"] = status
    return row


# ---------------------------------------------------------------------- the rule


class _Problem:
    """Cells, their sizes and the relations between them, with the hidden set."""

    def __init__(
        self,
        sizes: Mapping[Hashable, int],
        relations: Iterable[Relation],
        min_cell: int,
        published: Collection[Hashable],
    ) -> None:
        self.sizes = sizes
        self.min_cell = min_cell
        self.published = set(published)
        # cells of size 0 are not listed: known to be 0, they play no part
        self.relations = [
            (total, [m for m in members if sizes.get(m, 0) > 0])
            for total, members in relations
            if sizes.get(total, 0) > 0
        ]
        self.by_cell: dict[Hashable, list[int]] = defaultdict(list)
        for i, (total, members) in enumerate(self.relations):
            self.by_cell[total].append(i)
            for m in members:
                self.by_cell[m].append(i)
        self._spread_published()
        self.hidden: dict[Hashable, str] = {
            k: PRIMARY for k, n in sizes.items() if n > 0 and is_small(n, min_cell)
        }
        for k in self.published:
            self.hidden.pop(k, None)

    def _spread_published(self) -> None:
        """A total with a single cell equals it: if either is always shown, so is the other.

        (A column where every household has the same value: its one group is the whole
        population; hiding it would protect nothing.)
        """
        changed = True
        while changed:
            changed = False
            for total, members in self.relations:
                if len(members) != 1:
                    continue
                pair = {total, members[0]}
                if pair & self.published and not pair <= self.published:
                    self.published |= pair
                    changed = True

    def _smallest_visible(self, cells: Iterable[Hashable]) -> Hashable | None:
        best = None
        for cell in cells:
            if cell in self.hidden or cell in self.published:
                continue
            if best is None or self.sizes[cell] < self.sizes[best]:
                best = cell
        return best

    def complement(self, index: int) -> Hashable | None:
        """The cell to hide so that relation ``index`` follows the rule (None: it does)."""
        total, members = self.relations[index]
        hid = [m for m in members if m in self.hidden]
        if total in self.hidden:
            if hid or not members:
                return None
        else:
            combined = sum(self.sizes[m] for m in hid)
            # several hidden cells of at least min_cell together, and not all of size 1
            # (a listed group has at least one household: k cells adding up to k are 1 each)
            if not hid or (len(hid) >= 2 and combined >= self.min_cell and combined > len(hid)):
                return None
        pick = self._smallest_visible(members)
        if pick is None and total not in self.hidden and total not in self.published:
            pick = total  # every cell is hidden already: hide the total with them
        return pick

    def settle(self, queue: list[int]) -> None:
        """Apply the rule relation by relation until nothing changes."""
        pending = set(queue)
        while queue:
            index = queue.pop()
            pending.discard(index)
            pick = self.complement(index)
            if pick is None:
                continue
            self.hidden[pick] = SECONDARY
            for other in (*self.by_cell[pick], index):
                if other not in pending:
                    pending.add(other)
                    queue.append(other)

    def fixed_cells(self) -> list[Hashable]:
        """Hidden cells whose value the published relations still determine exactly."""
        out: list[Hashable] = []
        for component in self._components():
            if len(component) > MAX_SOLVED:
                continue  # too large to solve in memory: the rule and the ranges still apply
            column = {cell: j for j, cell in enumerate(component)}
            gram = np.zeros((len(component), len(component)))
            for i in {i for cell in component for i in self.by_cell[cell]}:
                total, members = self.relations[i]
                row: dict[int, float] = defaultdict(float)
                if total in column:
                    row[column[total]] += 1.0
                for m in members:
                    if m in column:
                        row[column[m]] -= 1.0
                index = np.fromiter(row, dtype=np.int64, count=len(row))
                coeff = np.fromiter(row.values(), dtype=np.float64, count=len(row))
                gram[np.ix_(index, index)] += np.outer(coeff, coeff)  # AᵀA, row by row
            if not gram.any():
                continue
            # a cell is fixed when every solution of the homogeneous system leaves it at 0:
            # its row of the null space (eigenvectors of AᵀA with eigenvalue 0) is zero
            values, vectors = np.linalg.eigh(gram)
            free = vectors[:, values < 1e-9 * max(1.0, float(values[-1]))]
            movable = np.abs(free).sum(axis=1) > 1e-6
            out.extend(cell for cell, ok in zip(component, movable, strict=True) if not ok)
        return out

    def _components(self) -> list[list[Hashable]]:
        """Hidden cells grouped by the relations that link them."""
        return components(self.relations, self.hidden)

    def _narrow(self, low: dict[Hashable, float], high: dict[Hashable, float]) -> bool:
        """Narrow the ranges in place through every relation; False if one becomes empty."""
        for _ in range(64):  # ranges only shrink; a few passes settle real tables
            moved = False
            for total, members in self.relations:
                sum_low = sum(low[m] for m in members)
                sum_high = sum(high[m] for m in members)
                if sum_low > low[total] or sum_high < high[total]:
                    low[total], high[total] = max(low[total], sum_low), min(high[total], sum_high)
                    moved = True
                for m in members:
                    lo = low[total] - (sum_high - high[m])
                    hi = high[total] - (sum_low - low[m])
                    if lo > low[m] or hi < high[m]:
                        low[m], high[m] = max(low[m], lo), min(high[m], hi)
                        moved = True
                    if low[m] > high[m]:
                        return False
                if low[total] > high[total]:
                    return False
            if not moved:
                break
        return True

    def pinned(self) -> list[Hashable]:
        """Hidden cells whose size a reader can pin down from the shown cells.

        The reader knows the shown sizes and that every hidden group has between 1 and the
        whole population's households; each relation narrows these ranges (a total lies
        between the sums of its cells' lowest and highest sizes, a cell between the total
        minus the others' highest and lowest), until nothing moves. A range left with a
        few values is then probed value by value: a value that makes another range empty
        is impossible.
        """
        top = float(max(self.sizes.values(), default=0))
        low = {c: float(n) for c, n in self.sizes.items() if c not in self.hidden}
        high = dict(low)
        for cell in self.hidden:
            low[cell], high[cell] = 1.0, top
        self._narrow(low, high)
        out = []
        for cell in self.hidden:
            if low[cell] < high[cell] <= low[cell] + PROBED - 1 and len(self.hidden) <= 2000:
                possible = []
                for value in range(int(low[cell]), int(high[cell]) + 1):
                    trial_low, trial_high = dict(low), dict(high)
                    trial_low[cell] = trial_high[cell] = float(value)
                    if self._narrow(trial_low, trial_high):
                        possible.append(value)
                if len(possible) == 1:
                    low[cell] = high[cell] = float(possible[0])
            if low[cell] == high[cell]:
                out.append(cell)
        return out

    def leaks(self, values: Mapping[Hashable, float]) -> list[tuple[int, Hashable]]:
        """Hidden cells whose ``values`` (another count: selected, hits…) can be worked out.

        A reader knows the shown cells; a relation with one unknown gives it by
        subtraction; a relation whose hidden cells add up to 0 tells that each of them is 0
        (accepted, as statistical offices do: nothing is learnt about anyone in particular
        beyond "none of these groups"), and those zeros then count as known. Returns
        ``(relation, cell)`` for every positive value recovered.
        """
        known = {c: values.get(c, 0) for c in self.sizes if c not in self.hidden}
        found: list[tuple[int, Hashable]] = []
        changed = True
        while changed:
            changed = False
            for i, (total, members) in enumerate(self.relations):
                unknown = [c for c in (total, *members) if c not in known]
                if not unknown:
                    continue
                if len(unknown) == 1:
                    cell = unknown[0]
                    known[cell] = values.get(cell, 0)
                    if known[cell] > 0:
                        found.append((i, cell))
                    changed = True
                elif total in known:
                    rest = known[total] - sum(known[m] for m in members if m in known)
                    if rest == 0:
                        known.update(dict.fromkeys(unknown, 0))
                        changed = True
        return found

    def cover(self, index: int, values: Mapping[Hashable, float]) -> Hashable | None:
        """A visible cell of relation ``index`` to hide, one with a positive value first."""
        total, members = self.relations[index]
        pick = self._smallest_visible(m for m in members if values.get(m, 0) > 0)
        if pick is None:
            pick = self._smallest_visible(members)
        if pick is None and total not in self.hidden and total not in self.published:
            pick = total
        return pick

    def partner(self, cell: Hashable) -> Hashable | None:
        """The smallest visible cell sharing a relation with ``cell``.

        When every cell around it is hidden already, the search goes on through those
        hidden cells' relations, nearest first.
        """
        seen = {cell}
        frontier = [cell]
        while frontier:
            candidates = []
            for here in frontier:
                for i in self.by_cell[here]:
                    total, members = self.relations[i]
                    candidates.extend([total, *members])
            pick = self._smallest_visible(candidates)
            if pick is not None:
                return pick
            frontier = [c for c in dict.fromkeys(candidates) if c not in seen]
            seen.update(frontier)
        return None


def suppress(
    sizes: Mapping[Hashable, int],
    relations: Iterable[Relation],
    *,
    min_cell: int,
    published: Collection[Hashable] = (),
    counts: Iterable[Mapping[Hashable, float]] = (),
) -> dict[Hashable, str]:
    """Which cells to hide: ``{cell: "primary" | "secondary"}`` (cells not listed are shown).

    ``sizes`` gives every cell's number of households; ``relations`` lists ``(total,
    [cells])`` where the cells add up to the total; ``published`` cells are always shown
    (the whole population). ``counts`` are the other counts published per cell (selected,
    hits…, ``{cell: value}`` each): when zeros elsewhere would give a hidden cell's count
    away, one more cell is hidden. See the module's doc for the rule.

    >>> sizes = {"all": 30, "a": 3, "b": 4, "c": 23}
    >>> suppress(sizes, [("all", ["a", "b", "c"])], min_cell=10, published={"all"})
    {'a': 'primary', 'b': 'primary', 'c': 'secondary'}
    >>> suppress(sizes, [("all", ["a", "b", "c"])], min_cell=0)
    {}
    """
    if min_cell <= 0:
        return {}
    problem = _Problem(sizes, relations, min_cell, published)
    problem.settle(list(range(len(problem.relations))))
    counts = list(counts)
    given_up: set[Hashable] = set()
    while True:
        picks = [problem.partner(cell) for cell in problem.fixed_cells()]
        picks += [problem.partner(cell) for cell in problem.pinned()]
        picks = [p for p in dict.fromkeys(picks) if p is not None and p not in problem.hidden]
        for pick in picks:
            problem.hidden[pick] = SECONDARY
            problem.settle(list(problem.by_cell[pick]))
        if picks or _protect_counts(problem, counts, given_up):
            continue
        if not _protect_exactly(problem):
            break
    order = {cell: i for i, cell in enumerate(sizes)}
    return dict(sorted(problem.hidden.items(), key=lambda kv: order[kv[0]]))


def _protect_exactly(problem: _Problem) -> bool:
    """Hide one more cell next to each hidden cell whose exact range is a single size.

    Returns whether a cell was hidden (False: every hidden size has several possible
    values, or nothing more can be hidden next to the pinned ones).
    """
    fixed = determined(problem.sizes, problem.relations, problem.hidden, min_cell=problem.min_cell)
    picks = [problem.partner(cell) for cells in fixed for cell in cells]
    picks = [p for p in dict.fromkeys(picks) if p is not None and p not in problem.hidden]
    for pick in picks:
        problem.hidden[pick] = SECONDARY
        problem.settle(list(problem.by_cell[pick]))
    return bool(picks)


def _protect_counts(
    problem: _Problem, counts: list[Mapping[Hashable, float]], given_up: set[Hashable]
) -> bool:
    """Hide one more cell so that zeros no longer give a hidden count away; False if none.

    The cell is kept hidden only if the count it protects is then safe: when zeros around a
    count give it away whatever is hidden next to it, hiding more would only cost figures.
    """
    for values in counts:
        for index, cell in problem.leaks(values):
            if cell in given_up:
                continue
            pick = problem.cover(index, values)
            if pick is None:  # not `or`: cell 0 (the first group) is a valid pick
                pick = problem.partner(cell)
            if pick is None:
                given_up.add(cell)
                continue
            saved = dict(problem.hidden)
            problem.hidden[pick] = SECONDARY
            problem.settle(list(problem.by_cell[pick]))
            if any(c == cell for _, c in problem.leaks(values)):
                problem.hidden = saved
                given_up.add(cell)
                continue
            return True
    return False


def margin_relations(
    tables: Mapping[tuple[str, ...], Mapping[tuple[Any, ...], int]],
) -> tuple[dict[Hashable, int], list[Relation]]:
    """Cells and relations of a set of published margins of one cross-classification.

    ``tables`` maps the columns of each published table (``()`` for the whole
    population, ``("sex",)``, ``("region", "sex")``…) to its cells: ``{values: size}``,
    values in the order of the columns. A table's cell is the sum of the cells of every
    larger published table (one with more columns) that agree with it; only the nearest
    larger tables are linked (the others follow). Cells are keyed ``(columns, values)``.

    >>> sizes, rel = margin_relations({(): {(): 5}, ("s",): {("f",): 2, ("m",): 3}})
    >>> rel
    [(((), ()), [(('s',), ('f',)), (('s',), ('m',))])]
    """
    sizes: dict[Hashable, int] = {}
    for cols, cells in tables.items():
        for values, n in cells.items():
            sizes[(cols, tuple(values))] = int(n)
    keys = list(tables)
    relations: list[Relation] = []
    for small in keys:
        for large in keys:
            if not set(small) < set(large):
                continue
            between = any(set(small) < set(mid) < set(large) for mid in keys)
            if between:
                continue
            where = [large.index(c) for c in small]
            members: dict[tuple[Any, ...], list[Hashable]] = defaultdict(list)
            for values in tables[large]:
                members[tuple(values[j] for j in where)].append((large, tuple(values)))
            for values in tables[small]:
                relations.append(((small, tuple(values)), members.get(tuple(values), [])))
    return sizes, relations
