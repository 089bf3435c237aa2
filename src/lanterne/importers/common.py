"""What every importer produces: the trees of a model as Lanterne data, plus what is known.

An importer reads a model file of another library and returns an :class:`ImportedModel`:
the trees as node arrays (children numbered after their parent), the base score, the
link from margin to score, the split rule and precision of the library, and whatever the
file says about its input columns. :mod:`lanterne.importers.writer` turns it into a spec.

Example:
    >>> tree = renumber(left=[2, -1, -1], right=[1, -1, -1], root=0)
    >>> tree
    [0, 2, 1]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lanterne.errors import Problem, UsageError
from lanterne.i18n import Msg

Link = str  # "logit" | "identity" | "scale"


@dataclass
class ImportedModel:
    """A tree ensemble read from another library, ready to be written as a spec."""

    library: str  # "xgboost", "lightgbm", "scikit-learn"
    library_version: str | None
    source_file: str  # the file it was read from (its name only)
    kind_note: str  # e.g. "binary:logistic, 500 trees"
    feature_names: list[str]  # the model's input columns, in the library's order
    trees: list[dict[str, Any]]  # node arrays with feature *names*
    base_score: float
    link: Link
    split_rule: str  # "<" or "<="
    precision: str  # "float32" or "float64"
    feature_types: dict[str, str] = field(default_factory=dict)  # name → bool|int|float
    notes: list[Msg] = field(default_factory=list)  # things the user should know
    #: the original library's margin for a matrix of inputs (columns in feature_names
    #: order), used to check the import; None when the library is not installed
    reference_margin: Callable[[np.ndarray], np.ndarray] | None = None

    @property
    def n_trees(self) -> int:
        return len(self.trees)

    def used_features(self) -> list[str]:
        """Input columns at least one split reads, in the library's order."""
        used = {n for tree in self.trees for n in tree["feature"] if n is not None}
        return [n for n in self.feature_names if n in used]


def import_error(file: str, fr: str, en: str, **params: Any) -> UsageError:
    """A bad model file: exit code 2 with one located message."""
    return UsageError(Problem(Msg(fr, en, **params), file=file))


def renumber(left: Sequence[int], right: Sequence[int], root: int = 0) -> list[int]:
    """Node ids in breadth-first order from ``root``: children always after their parent.

    Returns the old id of each new node; nodes the root does not reach are dropped. Raises
    :class:`ValueError` when a child is out of range or reached twice (a cycle, a shared
    node): a model file can say anything.
    """
    n = len(left)
    if len(right) != n or not 0 <= root < n:
        raise ValueError("left and right children differ in length")
    seen = [False] * n
    seen[root] = True
    order = [root]
    i = 0
    while i < len(order):
        node = order[i]
        if left[node] != -1 or right[node] != -1:  # a leaf is exactly -1, -1
            for child in (int(left[node]), int(right[node])):
                if not 0 <= child < n or seen[child]:
                    raise ValueError(f"node {node}: child {child} is not a new node of the tree")
                seen[child] = True
                order.append(child)
        i += 1
    return order


def build_tree(
    order: Sequence[int],
    *,
    left: Sequence[int],
    right: Sequence[int],
    feature: Sequence[str | None],
    threshold: Sequence[float | None],
    value: Sequence[float | None],
    cover: Sequence[float],
    missing_left: Sequence[bool],
) -> dict[str, Any]:
    """One Lanterne tree from a library's arrays, nodes renumbered by ``order``."""
    new = {old: i for i, old in enumerate(order)}
    out: dict[str, list[Any]] = {
        k: [] for k in ("feature", "threshold", "left", "right", "value", "cover", "missing_left")
    }
    for old in order:
        leaf = left[old] < 0
        out["feature"].append(None if leaf else feature[old])
        out["threshold"].append(None if leaf else _given(threshold[old], "split", old))
        out["left"].append(-1 if leaf else new[int(left[old])])
        out["right"].append(-1 if leaf else new[int(right[old])])
        out["value"].append(_given(value[old], "leaf value", old) if leaf else None)
        out["cover"].append(float(cover[old]))
        out["missing_left"].append(bool(missing_left[old]))
    return out


def _given(number: float | None, what: str, node: int) -> float:
    """A number a node must have (a split its threshold, a leaf its value)."""
    if number is None:
        raise ValueError(f"node {node} has no {what}")
    return float(number)


def random_inputs(
    model: ImportedModel, n: int, seed: int = 0, types: Mapping[str, str] | None = None
) -> np.ndarray:
    """Random rows that exercise the splits: values at, just around and between thresholds.

    Columns follow ``model.feature_names``; booleans are 0/1, integers whole numbers.
    """
    rng = np.random.default_rng(seed)
    thresholds: dict[str, list[float]] = {name: [] for name in model.feature_names}
    for tree in model.trees:
        for name, t in zip(tree["feature"], tree["threshold"], strict=True):
            if name is not None:
                thresholds[name].append(float(t))
    out = np.empty((n, len(model.feature_names)))
    for j, name in enumerate(model.feature_names):
        kind = (types or model.feature_types).get(name, "float")
        cuts = np.array(thresholds[name] or [0.0])
        if kind == "bool":
            out[:, j] = rng.integers(0, 2, n)
            continue
        low, high = cuts.min() - 1.0, cuts.max() + 1.0
        uniform = rng.uniform(low, high, n)
        near = rng.choice(cuts, n) + rng.choice([-1e-6, 0.0, 1e-6], n)
        column = np.where(rng.random(n) < 0.5, uniform, near)
        out[:, j] = np.round(column) if kind == "int" else column
    return out
