"""Tree ensembles as data: read, check and pack the node arrays of a ``trees`` model.

The trees of a ``trees`` model are written inline in the spec (small ensembles) or in a
JSON file next to it (``ensemble: {file: name.trees.json}``), which loads much faster
than YAML for thousands of nodes. Both hold the same thing, one object per tree::

    {"lanterne_trees": 1,
     "trees": [{"feature": ["age", null, null], "threshold": [30, null, null],
                "left": [1, -1, -1], "right": [2, -1, -1],
                "value": [null, -0.2, 0.3], "cover": [100, 40, 60]}]}

Reading a trees file runs no code: it is plain JSON, checked node by node. Every problem
is reported with the tree and node it concerns. Nodes are numbered so that children come
after their parent (as XGBoost, LightGBM and scikit-learn number them).

Example:
    >>> raw = [{"feature": ["age", None, None], "threshold": [30, None, None],
    ...         "left": [1, -1, -1], "right": [2, -1, -1],
    ...         "value": [None, -0.2, 0.3], "cover": [100, 40, 60]}]
    >>> ensemble, problems = pack_trees(raw, order=["age"])
    >>> problems, ensemble.n_trees, ensemble.names
    ([], 1, ('age',))
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np

from lanterne.errors import Problem
from lanterne.i18n import Msg

TREES_FORMAT = 1
ARRAY_KEYS = ("feature", "threshold", "left", "right", "value", "cover")
OPTIONAL_KEYS = ("missing_left",)
#: At most this many problems are listed for one ensemble (the rest are counted).
MAX_PROBLEMS = 20

#: Trees may be at most this deep (a chain of a hundred thousand nodes would overflow the
#: native stack of LightGBM's recursive TreeSHAP).
MAX_DEPTH = 500

#: A function turning (tree index, key or None, node index or None, message) into a Problem.
Locate = Callable[[int, str | None, int | None, Msg], Problem]
#: Records a problem at one node of one array of the tree being checked.
Bad = Callable[[str, int, Msg], None]


@dataclass(frozen=True, eq=False)
class EnsembleData:
    """Every node of every tree, packed in flat NumPy arrays.

    Tree ``t`` owns nodes ``offsets[t]`` to ``offsets[t + 1] - 1``; ``left`` and ``right``
    are indices within the tree (-1 at a leaf); ``feature`` indexes ``names`` (-1 at a
    leaf). ``value`` is 0 at internal nodes and ``threshold`` NaN at leaves.
    """

    names: tuple[str, ...]
    offsets: np.ndarray
    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray
    cover: np.ndarray
    missing_left: np.ndarray

    @property
    def n_trees(self) -> int:
        return int(self.offsets.size - 1)

    @property
    def n_nodes(self) -> int:
        return int(self.feature.size)

    def tree(self, t: int) -> dict[str, np.ndarray]:
        """The arrays of tree ``t`` (views)."""
        a, b = int(self.offsets[t]), int(self.offsets[t + 1])
        return {
            "feature": self.feature[a:b],
            "threshold": self.threshold[a:b],
            "left": self.left[a:b],
            "right": self.right[a:b],
            "value": self.value[a:b],
            "cover": self.cover[a:b],
            "missing_left": self.missing_left[a:b],
        }

    def split_counts(self) -> dict[str, int]:
        """How many splits read each input."""
        counts = np.bincount(self.feature[self.feature >= 0], minlength=len(self.names))
        return {name: int(c) for name, c in zip(self.names, counts, strict=True)}

    def leaf_bounds(self) -> tuple[float, float]:
        """The lowest and highest sum of leaf values any input can reach (an upper bound)."""
        low = high = 0.0
        for t in range(self.n_trees):
            nodes = self.tree(t)
            leaves = nodes["value"][nodes["left"] < 0]
            low += float(leaves.min())
            high += float(leaves.max())
        return low, high

    def expected_value(self) -> float:
        """TreeSHAP's base value: Σ over trees of the cover-weighted mean of leaf values.

        Covers are taken from the leaves (an internal node's cover is the sum of its
        leaves'), so that inconsistent rounding in an imported model cannot matter.
        """
        total = 0.0
        for t in range(self.n_trees):
            nodes = self.tree(t)
            leaf = nodes["left"] < 0
            weights = nodes["cover"][leaf]
            values = nodes["value"][leaf]
            mass = weights.sum()
            total += float(values @ weights / mass) if mass > 0 else float(values.mean())
        return total


# --------------------------------------------------------------------------- checking


def pack_trees(
    raw: Any,
    *,
    order: Sequence[str],
    locate: Locate | None = None,
) -> tuple[EnsembleData | None, list[Problem]]:
    """Check a list of trees (as read from YAML or JSON) and pack them.

    ``order`` gives the order of the input names (the spec's variables then features);
    names outside it are reported by the spec checker, not here. Returns the packed
    ensemble, or ``None`` with the problems found (at most :data:`MAX_PROBLEMS`).
    """
    locate = locate or _plain_locate
    problems: list[Problem] = []
    if not isinstance(raw, list) or not raw:
        return None, [locate(0, None, None, Msg("aucun arbre", "no tree"))]
    rank = {name: i for i, name in enumerate(order)}
    used: set[str] = set()
    packed: list[dict[str, np.ndarray]] = []
    for t, tree in enumerate(raw):
        if len(problems) >= MAX_PROBLEMS:
            break
        nodes = _check_tree(t, tree, locate, problems)
        if nodes is not None:
            used.update(n for n in nodes["names"] if n is not None)
            packed.append(nodes)
    if problems:
        if len(problems) >= MAX_PROBLEMS:
            problems.append(
                locate(
                    0,
                    None,
                    None,
                    Msg(
                        "… arrêt après {n} problèmes",
                        "… stopped after {n} problems",
                        n=MAX_PROBLEMS,
                    ),
                )
            )
        return None, problems
    names = tuple(sorted(used, key=lambda n: (rank.get(n, len(rank)), n)))
    index = {name: i for i, name in enumerate(names)}
    sizes = [p["left"].size for p in packed]
    offsets = np.zeros(len(packed) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum(sizes)
    feature = np.concatenate(
        [
            np.array([index[n] if n is not None else -1 for n in p["names"]], np.int32)
            for p in packed
        ]
    )
    return (
        EnsembleData(
            names=names,
            offsets=offsets,
            feature=feature,
            threshold=np.concatenate([p["threshold"] for p in packed]),
            left=np.concatenate([p["left"] for p in packed]).astype(np.int32),
            right=np.concatenate([p["right"] for p in packed]).astype(np.int32),
            value=np.concatenate([p["value"] for p in packed]),
            cover=np.concatenate([p["cover"] for p in packed]),
            missing_left=np.concatenate([p["missing_left"] for p in packed]),
        ),
        [],
    )


def _plain_locate(t: int, key: str | None, node: int | None, message: Msg) -> Problem:
    return Problem(_where(t, key, node, message))


def _where(t: int, key: str | None, node: int | None, message: Msg) -> Msg:
    if node is not None:
        return Msg(
            "arbre {t}, nœud {n} ({k}) : {m}",
            "tree {t}, node {n} ({k}): {m}",
            t=t,
            n=node,
            k=key,
            m=message,
        )
    if key is not None:
        return Msg("arbre {t} ({k}) : {m}", "tree {t} ({k}): {m}", t=t, k=key, m=message)
    return Msg("arbre {t} : {m}", "tree {t}: {m}", t=t, m=message)


def _numbers(values: list[Any], allow_null: bool) -> tuple[np.ndarray, int | None]:
    """Values as float64 (null → NaN); the index of the first value that is not a number."""
    out = np.empty(len(values), dtype=np.float64)
    for i, v in enumerate(values):
        if v is None and allow_null:
            out[i] = math.nan
        elif isinstance(v, int | float) and not isinstance(v, bool):
            out[i] = float(v)
        else:
            return out, i
    return out, None


def _check_tree(
    t: int, tree: Any, locate: Locate, problems: list[Problem]
) -> dict[str, Any] | None:
    """A tree's arrays, checked node by node (vectorised), or None after recording why not."""
    n = _tree_size(t, tree, locate, problems)
    if n is None:
        return None

    def bad(key: str, node: int, message: Msg) -> None:
        problems.append(locate(t, key, node, message))

    a = _tree_arrays(tree, n, bad)
    if a is None:
        return None
    found = False
    for key, mask, message in _node_problems(a, n):
        hits = np.flatnonzero(mask)
        if hits.size:
            bad(key, int(hits[0]), message)
            found = True
    if found or not _links_ok(a["left"], a["right"], a["cover"], bad):
        return None
    leaf = a["left"] == -1
    return {
        **a,
        "threshold": np.where(leaf, np.nan, a["threshold"]),
        "value": np.where(leaf, a["value"], 0.0),
    }


def _tree_size(t: int, tree: Any, locate: Locate, problems: list[Problem]) -> int | None:
    """A tree's keys and arrays of one length: its number of nodes, or None (problems)."""
    start = len(problems)
    if not isinstance(tree, dict):
        problems.append(locate(t, None, None, Msg("un arbre est un objet", "a tree is an object")))
        return None
    unknown = sorted(set(tree) - set(ARRAY_KEYS) - set(OPTIONAL_KEYS))
    for key in unknown:
        problems.append(
            locate(t, key, None, Msg("clé inconnue « {k} »", "unknown key '{k}'", k=key))
        )
    lengths: dict[str, int] = {}
    for key in (*ARRAY_KEYS, *OPTIONAL_KEYS):
        if key not in tree:
            if key in ARRAY_KEYS:
                problems.append(locate(t, key, None, Msg("tableau manquant", "missing array")))
            continue
        if not isinstance(tree[key], list):
            problems.append(locate(t, key, None, Msg("doit être une liste", "must be a list")))
            continue
        lengths[key] = len(tree[key])
    if len(problems) > start:
        return None
    n = lengths["left"]
    if n == 0:
        problems.append(locate(t, None, None, Msg("arbre vide", "empty tree")))
        return None
    for key, size in lengths.items():
        if size != n:
            problems.append(
                locate(
                    t,
                    key,
                    None,
                    Msg(
                        "{s} valeurs, mais « left » en a {n} : un arbre a une valeur par nœud "
                        "dans chaque tableau",
                        "{s} values but 'left' has {n}: a tree has one value per node in every "
                        "array",
                        s=size,
                        n=n,
                    ),
                )
            )
    if len(problems) > start:
        return None
    return n


def _tree_arrays(tree: dict[str, Any], n: int, bad: Bad) -> dict[str, Any] | None:
    """The tree's values as typed arrays, or None after recording the first wrong value."""
    ints: dict[str, np.ndarray] = {}
    for key in ("left", "right"):
        values = tree[key]
        wrong = next(
            (i for i, v in enumerate(values) if not isinstance(v, int) or isinstance(v, bool)),
            None,
        )
        if wrong is not None:
            bad(
                key, wrong, Msg("un numéro de nœud entier est attendu", "a node number is expected")
            )
            return None
        ints[key] = np.asarray(values, dtype=np.int64)
    failed = False
    threshold, wrong = _numbers(tree["threshold"], allow_null=True)
    if wrong is not None:
        bad("threshold", wrong, Msg("un nombre est attendu", "a number is expected"))
        failed = True
    value, wrong = _numbers(tree["value"], allow_null=True)
    if wrong is not None:
        bad("value", wrong, Msg("un nombre est attendu", "a number is expected"))
        failed = True
    cover, wrong = _numbers(tree["cover"], allow_null=False)
    if wrong is not None:
        bad("cover", wrong, Msg("un nombre est attendu", "a number is expected"))
        failed = True
    missing = tree.get("missing_left")
    if missing is None:
        missing_left = np.ones(n, dtype=bool)
    else:
        wrong = next((i for i, v in enumerate(missing) if not isinstance(v, bool)), None)
        if wrong is not None:
            bad("missing_left", wrong, Msg("true ou false est attendu", "true or false expected"))
            failed = True
        missing_left = np.asarray([v is True for v in missing], dtype=bool)
    names = tree["feature"]
    wrong = next((i for i, v in enumerate(names) if v is not None and not isinstance(v, str)), None)
    if wrong is not None:
        bad("feature", wrong, Msg("un nom de variable est attendu", "a variable name is expected"))
        failed = True
    if failed:
        return None
    return {
        "names": names,
        "left": ints["left"],
        "right": ints["right"],
        "threshold": threshold,
        "value": value,
        "cover": cover,
        "missing_left": missing_left,
    }


def _node_problems(a: dict[str, Any], n: int) -> list[tuple[str, np.ndarray, Msg]]:
    """The rules every node must follow, as (array, nodes breaking the rule, why)."""
    left, right, names = a["left"], a["right"], a["names"]
    threshold, value, cover = a["threshold"], a["value"], a["cover"]
    leaf = left == -1
    ids = np.arange(n)
    return [
        (
            "right",
            leaf != (right == -1),
            Msg(
                "une feuille a left = right = -1 ; un nœud interne a deux enfants",
                "a leaf has left = right = -1; an internal node has two children",
            ),
        ),
        (
            "left",
            ~leaf & ((left <= ids) | (left >= n)),
            Msg(
                "un enfant doit être un nœud de cet arbre numéroté après son parent",
                "a child must be a node of this tree numbered after its parent",
            ),
        ),
        (
            "right",
            (right != -1) & ((right <= ids) | (right >= n)),
            Msg(
                "un enfant doit être un nœud de cet arbre numéroté après son parent",
                "a child must be a node of this tree numbered after its parent",
            ),
        ),
        (
            "feature",
            np.array(
                [(v is None) != bool(is_leaf) for v, is_leaf in zip(names, leaf, strict=True)]
            ),
            Msg(
                "un nœud interne lit une variable (feature), une feuille n'en lit aucune (null)",
                "an internal node reads a variable (feature), a leaf reads none (null)",
            ),
        ),
        (
            "threshold",
            ~leaf & ~np.isfinite(threshold),
            Msg("un nœud interne a un seuil fini", "an internal node has a finite threshold"),
        ),
        (
            "value",
            leaf & ~np.isfinite(value),
            Msg("une feuille a une valeur finie", "a leaf has a finite value"),
        ),
        (
            "cover",
            ~np.isfinite(cover) | (cover < 0),
            Msg("la couverture est un nombre positif ou nul", "the cover is a number ≥ 0"),
        ),
    ]


def _links_ok(left: np.ndarray, right: np.ndarray, cover: np.ndarray, bad: Bad) -> bool:
    """The root covers someone, every other node has one parent, the tree is not too deep:
    False after recording the first problem."""
    n = len(left)
    leaf = left == -1
    if not cover[0] > 0:
        bad("cover", 0, Msg("la racine a une couverture > 0", "the root has a cover > 0"))
        return False
    children = np.concatenate([left[~leaf], right[~leaf]])
    parents = np.bincount(children, minlength=n)
    orphan = np.flatnonzero(parents[1:] != 1)
    if orphan.size:
        node = int(orphan[0]) + 1
        bad(
            "left",
            node,
            Msg(
                "ce nœud a {k} parents : chaque nœud sauf la racine en a exactement un",
                "this node has {k} parents: every node but the root has exactly one",
                k=int(parents[node]),
            ),
        )
        return False
    depth = _depth(left, right)
    if depth > MAX_DEPTH:
        bad(
            "left",
            0,
            Msg(
                "arbre profond de plus de {m} niveaux : refusé (LightGBM, qui calcule les "
                "contributions, parcourt les arbres récursivement)",
                "tree deeper than {m} levels: refused (LightGBM, which computes the "
                "contributions, walks trees recursively)",
                m=MAX_DEPTH,
            ),
        )
        return False
    return True


def _depth(left: np.ndarray, right: np.ndarray) -> int:
    """Levels below the root (a checked tree), level by level: stops past :data:`MAX_DEPTH`.

    >>> int(_depth(np.array([1, -1, -1]), np.array([2, -1, -1])))
    1
    """
    frontier = np.array([0])
    depth = 0
    while depth <= MAX_DEPTH:
        inner = frontier[left[frontier] != -1]
        if inner.size == 0:
            return depth
        frontier = np.concatenate([left[inner], right[inner]])
        depth += 1
    return depth


# --------------------------------------------------------------------------- files


def trees_file_path(ref: str, spec_file: str) -> tuple[Path | None, Msg | None]:
    """The trees file named in a spec: a relative path in the spec's folder or below."""
    pure = PurePosixPath(ref.replace("\\", "/"))
    if pure.is_absolute() or ".." in pure.parts or not ref.strip():
        return None, Msg(
            "le fichier des arbres doit être un chemin relatif dans le dossier de la "
            "spécification (sans « .. »)",
            "the trees file must be a relative path in the spec's folder (without '..')",
        )
    if pure.suffix.lower() != ".json":
        return None, Msg(
            "le fichier des arbres est un fichier JSON (.json)",
            "the trees file is a JSON file (.json)",
        )
    base = Path(spec_file).parent if spec_file and not spec_file.startswith("<") else Path()
    path = base / Path(*pure.parts)
    # a symbolic link (of the file or of a folder on the way) may lead anywhere: what is
    # read must stay in the spec's folder once every link is followed
    try:
        inside = path.resolve().is_relative_to(base.resolve())
    except (OSError, RuntimeError):  # a loop of links
        inside = False
    if not inside:
        return None, Msg(
            "le fichier des arbres sort du dossier de la spécification (lien symbolique) : "
            "copiez-le à côté de la spécification",
            "the trees file leads out of the spec's folder (symbolic link): copy it next to "
            "the spec",
        )
    return path, None


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, in hexadecimal."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_trees_file(
    path: Path, sha256: str | None = None
) -> tuple[list[Any] | None, list[Problem]]:
    """The list of trees of a JSON trees file, or the problems that prevent reading it."""
    where = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None, [Problem(Msg("fichier des arbres introuvable", "trees file not found"), where)]
    except OSError as exc:
        return None, [Problem(Msg("lecture impossible : {e}", "cannot read: {e}", e=exc), where)]
    if sha256 is not None:
        actual = hashlib.sha256(data).hexdigest()
        if actual != sha256:
            return None, [
                Problem(
                    Msg(
                        "l'empreinte SHA-256 du fichier ({a}…) ne correspond pas à celle de la "
                        "spécification ({e}…) : le fichier a changé depuis que la spécification "
                        "a été écrite",
                        "the file's SHA-256 ({a}…) does not match the spec's ({e}…): the file "
                        "changed since the spec was written",
                        a=actual[:12],
                        e=sha256[:12],
                    ),
                    where,
                )
            ]
    try:
        doc = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        return None, [
            Problem(
                Msg(
                    "le fichier n'est pas en UTF-8 (octet {p})",
                    "the file is not UTF-8 (byte {p})",
                    p=exc.start,
                ),
                where,
            )
        ]
    except RecursionError:
        return None, [
            Problem(Msg("JSON imbriqué trop profondément", "JSON nested too deep"), where)
        ]
    except json.JSONDecodeError as exc:
        return None, [
            Problem(
                Msg("JSON invalide : {e}", "invalid JSON: {e}", e=exc.msg),
                where,
                line=exc.lineno,
                column=exc.colno,
            )
        ]
    if not isinstance(doc, dict) or doc.get("lanterne_trees") != TREES_FORMAT:
        return None, [
            Problem(
                Msg(
                    "un fichier d'arbres Lanterne est un objet JSON avec « lanterne_trees »: {v} "
                    "et « trees »",
                    "a Lanterne trees file is a JSON object with 'lanterne_trees': {v} and 'trees'",
                    v=TREES_FORMAT,
                ),
                where,
            )
        ]
    return doc.get("trees"), []


def trees_file_text(trees: list[dict[str, Any]]) -> str:
    """A trees file's JSON text: one tree per line, so that a change shows as a small diff."""
    lines = [json.dumps(tree, separators=(",", ":"), allow_nan=False) for tree in trees]
    return (
        '{"lanterne_trees": ' + str(TREES_FORMAT) + ', "trees": [\n' + ",\n".join(lines) + "\n]}\n"
    )
