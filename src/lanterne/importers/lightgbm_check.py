"""Check a LightGBM text model in Python before LightGBM's own parser sees it.

LightGBM's C++ reader trusts its input: a truncated file, a wrong ``tree_sizes`` or a child
index out of range makes it read outside its buffers and abort or crash the process, with
no message. This module reads the text format itself (header, one block per tree, ``end
of trees``) and refuses anything LightGBM could not read safely, with the tree and the field
concerned: counts of every array, node numbers that form a tree, finite numbers, feature
indices within ``max_feature_idx``, and ``tree_sizes`` that match the blocks byte for byte.

Only the part that passed (the header and the trees) is handed to LightGBM: what follows
``end of trees`` (feature importances, training parameters) plays no part in a prediction
and is left out rather than parsed by C++.

Example:
    >>> text = (
    ...     "tree\\nversion=v4\\nnum_class=1\\nnum_tree_per_iteration=1\\nlabel_index=0\\n"
    ...     "max_feature_idx=0\\nobjective=binary sigmoid:1\\nfeature_names=x\\n"
    ...     "feature_infos=[0:1]\\n\\nTree=0\\nnum_leaves=2\\nnum_cat=0\\nsplit_feature=0\\n"
    ...     "threshold=0.5\\ndecision_type=2\\nleft_child=-1\\nright_child=-2\\n"
    ...     "leaf_value=-1 1\\nshrinkage=1\\n\\n\\nend of trees\\n")
    >>> check_lightgbm_text(text, "m.txt").splitlines()[-3:]
    ['end of trees', '', 'pandas_categorical:null']
    >>> check_lightgbm_text(text.replace("right_child=-2", "right_child=-3"), "m.txt")
    Traceback (most recent call last):
      ...
    lanterne.errors.UsageError: m.txt: tree 0 (right_child): ...
"""

from __future__ import annotations

import math
import re
from itertools import pairwise

from lanterne.errors import Problem, UsageError
from lanterne.i18n import Msg

#: Objectives Lanterne imports: a logistic link, or a regression output scaled to [0, 1].
LOGIT_OBJECTIVES = {"binary", "cross_entropy", "xentropy"}
SCALE_OBJECTIVES = {
    "regression",
    "regression_l1",
    "huber",
    "fair",
    "quantile",
    "mape",
    "poisson",
    "gamma",
    "tweedie",
    "cross_entropy_lambda",
}


#: LightGBM reads at most this many ``key=value`` lines per tree block.
MAX_TREE_LINES = 22
#: Deeper trees are refused: LightGBM's JSON dump of them would nest too deep to read back.
MAX_TREE_DEPTH = 500
_HEADER_KEYS = ("num_class", "num_tree_per_iteration", "label_index", "max_feature_idx")
_TREE_KEYS = {
    "num_leaves",
    "num_cat",
    "split_feature",
    "split_gain",
    "threshold",
    "decision_type",
    "left_child",
    "right_child",
    "leaf_value",
    "leaf_weight",
    "leaf_count",
    "internal_value",
    "internal_weight",
    "internal_count",
    "is_linear",
    "shrinkage",
    "cat_boundaries",
    "cat_threshold",
    "leaf_const",
    "num_features",
    "leaf_features",
    "leaf_coeff",
}
#: Arrays with one value per internal node (``n - 1``) or per leaf (``n``).
_INTERNAL = ("split_feature", "split_gain", "threshold", "decision_type", "left_child",
             "right_child", "internal_value", "internal_weight", "internal_count")  # fmt: skip
_LEAF = ("leaf_value", "leaf_weight", "leaf_count")
_REQUIRED_SPLIT = ("split_feature", "threshold", "decision_type", "left_child", "right_child")
_INT_RE = re.compile(r"[+-]?\d{1,10}")


class _Bad(Exception):
    def __init__(self, message: Msg) -> None:
        super().__init__(message.render("en"))
        self.message = message


def _fail(fr: str, en: str, **params: object) -> _Bad:
    return _Bad(Msg(fr, en, **params))


def check_lightgbm_text(text: str, file: str) -> str:
    """Check ``text`` (a LightGBM text model); return the part LightGBM may read.

    Raises :class:`~lanterne.errors.UsageError` with one located message otherwise.
    """
    try:
        end = _check(text)
    except _Bad as exc:
        raise UsageError(Problem(exc.message, file=file)) from None
    head = text.encode("utf-8")[:end].decode("utf-8")
    return head + "end of trees\n\npandas_categorical:null\n"


def _lines(text: str) -> list[tuple[int, str]]:
    """Each line with the byte offset where it starts (LightGBM counts bytes)."""
    out: list[tuple[int, str]] = []
    offset = 0
    for raw in text.splitlines(keepends=True):
        out.append((offset, raw.rstrip("\r\n")))
        offset += len(raw.encode("utf-8"))
    out.append((offset, ""))  # the end, as a sentinel
    return out


def _check(text: str) -> int:
    """The byte offset of the ``end of trees`` line of a text that LightGBM can read."""
    if "\0" in text:
        raise _fail("octet nul dans le fichier", "NUL byte in the file")
    lines = _lines(text)
    if not lines or lines[0][1] != "tree":
        raise _fail(
            "la première ligne d'un modèle LightGBM texte est « tree »",
            "the first line of a LightGBM text model is 'tree'",
        )
    header, i = _header(lines)
    names = header["feature_names"].split(" ")
    n_features = _int(header["max_feature_idx"], "max_feature_idx") + 1
    if (
        n_features < 1
        or len(names) != n_features
        or not all(re.fullmatch(r"\S+", n) for n in names)
    ):
        raise _fail(
            "feature_names compte {n} noms, max_feature_idx en annonce {m}",
            "feature_names has {n} names, max_feature_idx announces {m}",
            n=len(names),
            m=n_features,
        )
    infos = header["feature_infos"].split(" ")
    if len(infos) != n_features or not all(re.fullmatch(r"\S+", i) for i in infos):
        raise _fail(
            "feature_infos n'a pas une valeur par variable",
            "feature_infos does not have one value per feature",
        )
    _objective(header.get("objective", "regression"))
    for key in ("num_class", "num_tree_per_iteration"):
        if _int(header[key], key) != 1:
            raise _fail(
                "modèle à plusieurs classes : Lanterne importe les modèles à une sortie",
                "multi-class model: Lanterne imports single-output models",
            )
    starts: list[int] = []
    t = 0
    while lines[i][1].startswith("Tree="):
        if lines[i][1] != f"Tree={t}":
            raise _fail(
                "« Tree={t} » attendu, trouvé « {got} »",
                "'Tree={t}' expected, found '{got}'",
                t=t,
                got=lines[i][1][:60],
            )
        starts.append(lines[i][0])
        i = _tree(lines, i + 1, t, n_features)
        while i < len(lines) - 1 and lines[i][1] == "":
            i += 1
        t += 1
    if t == 0:
        raise _fail(
            "le modèle n'a aucun arbre (fichier tronqué ?)",
            "the model has no tree (truncated file?)",
        )
    if lines[i][1] != "end of trees":
        raise _fail(
            "« end of trees » attendu après l'arbre {t} (fichier tronqué ?)",
            "'end of trees' expected after tree {t} (truncated file?)",
            t=t - 1,
        )
    if "tree_sizes" in header:
        _tree_sizes(header["tree_sizes"], [*starts, lines[i][0]])
    return lines[i][0]


def _header(lines: list[tuple[int, str]]) -> tuple[dict[str, str], int]:
    header: dict[str, str] = {}
    i = 1
    while i < len(lines) - 1 and not lines[i][1].startswith("Tree="):
        line = lines[i][1]
        if line == "end of trees":
            break
        if line:
            key, _, value = line.partition("=")
            if value.count("=") and key not in ("feature_names", "monotone_constraints"):
                raise _fail(
                    "ligne {n} illisible : « {l} »",
                    "line {n} cannot be read: '{l}'",
                    n=i + 1,
                    l=line[:60],
                )
            if key in header:  # LightGBM and this check could read different lines
                raise _fail(
                    "« {k} » apparaît deux fois dans l'en-tête (ligne {n})",
                    "'{k}' appears twice in the header (line {n})",
                    k=key[:60],
                    n=i + 1,
                )
            header[key] = value
        i += 1
    for key in (*_HEADER_KEYS, "feature_names", "feature_infos"):
        if key not in header:
            raise _fail(
                "« {k} » manque dans l'en-tête (ce n'est pas un modèle LightGBM complet)",
                "'{k}' is missing from the header (this is not a complete LightGBM model)",
                k=key,
            )
    return header, i


def _objective(value: str) -> None:
    """``binary sigmoid:1``: a name, then ``parameter:number`` words."""
    words = value.split(" ")
    ok = re.fullmatch(r"[a-z_]+", words[0]) is not None
    for word in words[1:]:
        name, _, number = word.partition(":")
        try:
            ok = ok and re.fullmatch(r"[a-z_]+", name) is not None and math.isfinite(float(number))
        except ValueError:
            ok = False
    if not ok:
        raise _fail(
            "objectif illisible : « {o} »", "the objective cannot be read: '{o}'", o=value[:60]
        )
    if words[0] not in LOGIT_OBJECTIVES | SCALE_OBJECTIVES:  # LightGBM stops on unknown ones
        raise _fail(
            "objectif « {o} » non pris en charge ; acceptés : {ok}",
            "objective '{o}' is not supported; accepted: {ok}",
            o=words[0],
            ok=", ".join(sorted(LOGIT_OBJECTIVES | SCALE_OBJECTIVES)),
        )


def _tree_sizes(value: str, starts: list[int]) -> None:
    sizes = [b - a for a, b in pairwise(starts)]
    written = value.split(" ")
    if written != [str(s) for s in sizes]:
        raise _fail(
            "tree_sizes ne correspond pas à la taille des arbres du fichier (fichier tronqué "
            "ou modifié ?)",
            "tree_sizes does not match the size of the file's trees (truncated or edited file?)",
        )


def _tree(lines: list[tuple[int, str]], i: int, t: int, n_features: int) -> int:
    """Check the block of tree ``t`` starting at line ``i``; return the line after it."""
    fields: dict[str, str] = {}
    while lines[i][1] != "":
        line = lines[i][1]
        key, eq, value = line.partition("=")
        if not eq or key not in _TREE_KEYS or key in fields:
            raise _fail(
                "arbre {t} : ligne « {l} » inattendue",
                "tree {t}: unexpected line '{l}'",
                t=t,
                l=line[:60],
            )
        fields[key] = value
        i += 1
        if len(fields) > MAX_TREE_LINES:
            raise _fail("arbre {t} : trop de lignes", "tree {t}: too many lines", t=t)
    if i >= len(lines) - 1:
        raise _fail(
            "arbre {t} : fin du fichier au milieu de l'arbre (fichier tronqué ?)",
            "tree {t}: the file ends inside the tree (truncated file?)",
            t=t,
        )
    _tree_fields(fields, t, n_features)
    return i


def _tree_fields(fields: dict[str, str], t: int, n_features: int) -> None:
    for key in ("num_leaves", "num_cat", "leaf_value"):
        if key not in fields:
            raise _fail("arbre {t} : « {k} » manque", "tree {t}: '{k}' is missing", t=t, k=key)
    n = _int(fields["num_leaves"], "num_leaves", t)
    if not 1 <= n <= 10_000_000:
        raise _fail("arbre {t} : num_leaves hors limites", "tree {t}: num_leaves out of range", t=t)
    if _int(fields.get("num_cat", "0"), "num_cat", t) != 0:
        raise _fail(
            "arbre {t} : séparation catégorielle non prise en charge (encodez les catégories "
            "en indicateurs 0/1)",
            "tree {t}: categorical split not supported (encode categories as 0/1 indicators)",
            t=t,
        )
    if _int(fields.get("is_linear", "0"), "is_linear", t) != 0:
        raise _fail(
            "arbre {t} : arbres linéaires non pris en charge",
            "tree {t}: linear trees are not supported",
            t=t,
        )
    _floats(fields.get("shrinkage", "1"), 1, "shrinkage", t)
    if n == 1:
        extra = sorted(k for k in _INTERNAL if k in fields and fields[k].strip())
        if extra:
            raise _fail(
                "arbre {t} : une seule feuille mais un champ « {k} »",
                "tree {t}: a single leaf but a '{k}' field",
                t=t,
                k=extra[0],
            )
        _floats(fields["leaf_value"], 1, "leaf_value", t)
        return
    for key in _REQUIRED_SPLIT:
        if key not in fields:
            raise _fail("arbre {t} : « {k} » manque", "tree {t}: '{k}' is missing", t=t, k=key)
    for key in _INTERNAL:
        if key in fields:
            _floats(fields[key], n - 1, key, t)
    for key in _LEAF:
        if key in fields:
            _floats(fields[key], n, key, t)
    for key in ("leaf_count", "internal_count"):  # LightGBM reads them as whole numbers
        if key in fields and any(c < 0 for c in _ints(fields[key], key, t)):
            raise _not_number(key, t, fields[key])
    features = _ints(fields["split_feature"], "split_feature", t)
    if any(not 0 <= f < n_features for f in features):
        raise _fail(
            "arbre {t} (split_feature) : numéro de variable hors de 0…{m}",
            "tree {t} (split_feature): feature number outside 0…{m}",
            t=t,
            m=n_features - 1,
        )
    decisions = _ints(fields["decision_type"], "decision_type", t)
    if any(not 0 <= d <= 15 or d & 12 == 12 for d in decisions):  # missing type 3: none
        raise _fail(
            "arbre {t} (decision_type) : valeur inconnue",
            "tree {t} (decision_type): unknown value",
            t=t,
        )
    if any(d & 1 for d in decisions):
        raise _fail(
            "arbre {t} : séparation catégorielle non prise en charge (encodez les catégories "
            "en indicateurs 0/1)",
            "tree {t}: categorical split not supported (encode categories as 0/1 indicators)",
            t=t,
        )
    left = _ints(fields["left_child"], "left_child", t)
    right = _ints(fields["right_child"], "right_child", t)
    _shape(left, right, n, t)


def _shape(left: list[int], right: list[int], n: int, t: int) -> None:
    """Internal nodes 0…n-2 and leaves ~0…~(n-1) reached exactly once from node 0."""
    seen_internal = [False] * (n - 1)
    seen_leaf = [False] * n
    seen_internal[0] = True
    stack = [(0, 1)]
    deepest = 1
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        for side, child in (("left_child", left[node]), ("right_child", right[node])):
            if child >= 0:
                ok = 0 < child < n - 1 and not seen_internal[child]
                if ok:
                    seen_internal[child] = True
                    stack.append((child, depth + 1))
            else:
                leaf = ~child
                ok = leaf < n and not seen_leaf[leaf]
                if ok:
                    seen_leaf[leaf] = True
            if not ok:
                raise _fail(
                    "arbre {t} ({s}) : le nœud {i} désigne un enfant {c} qui n'existe pas ou "
                    "a déjà un parent (les nœuds doivent former un arbre)",
                    "tree {t} ({s}): node {i} points to a child {c} that does not exist or "
                    "already has a parent (the nodes must form a tree)",
                    t=t,
                    s=side,
                    i=node,
                    c=child,
                )
    if deepest > MAX_TREE_DEPTH:
        raise _fail(
            "arbre {t} : profondeur {d} au-delà de la limite de {m}",
            "tree {t}: depth {d} beyond the limit of {m}",
            t=t,
            d=deepest,
            m=MAX_TREE_DEPTH,
        )
    if not all(seen_internal) or not all(seen_leaf):
        raise _fail(
            "arbre {t} : des nœuds ne sont pas reliés à la racine",
            "tree {t}: some nodes are not connected to the root",
            t=t,
        )


def _int(value: str, key: str, t: int | None = None) -> int:
    if not _INT_RE.fullmatch(value.strip()):
        raise _not_number(key, t, value)
    return int(value)


def _ints(value: str, key: str, t: int) -> list[int]:
    return [_int(v, key, t) for v in value.split(" ")]


def _floats(value: str, count: int, key: str, t: int) -> None:
    parts = value.split(" ")
    if len(parts) != count:
        raise _fail(
            "arbre {t} ({k}) : {n} valeurs au lieu de {c}",
            "tree {t} ({k}): {n} values instead of {c}",
            t=t,
            k=key,
            n=len(parts),
            c=count,
        )
    for part in parts:
        try:
            number = float(part)
        except ValueError:
            raise _not_number(key, t, part) from None
        if not math.isfinite(number) or "_" in part:
            raise _not_number(key, t, part)


def _not_number(key: str, t: int | None, value: str) -> _Bad:
    if t is None:
        return _fail("{k} : nombre attendu", "{k}: a number is expected", k=key)
    return _fail(
        "arbre {t} ({k}) : nombre fini attendu, trouvé « {v} »",
        "tree {t} ({k}): a finite number is expected, found '{v}'",
        t=t,
        k=key,
        v=value[:40],
    )
