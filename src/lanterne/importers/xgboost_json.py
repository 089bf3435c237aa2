"""Read an XGBoost model saved as JSON (``booster.save_model("model.json")``).

The JSON file is plain data: reading it runs no code and does not need XGBoost. XGBoost
compares float32 values (``value < threshold``; a missing value follows ``default_left``)
and stores thresholds and leaf values as float32: the import keeps those exact values.

Supported: ``gbtree`` boosters with one output, objectives ``binary:logistic``,
``reg:logistic`` and ``binary:logitraw`` (score = logistic of the margin) and the
regression objectives (score = the margin scaled to [0, 1]). Categorical splits and
multi-class models are refused with an explanation.

Example:
    >>> doc = {"learner": {"learner_model_param": {"base_score": "5E-1", "num_class": "0"},
    ...        "objective": {"name": "binary:logistic"}, "feature_names": ["age"],
    ...        "gradient_booster": {"name": "gbtree", "model": {"trees": [
    ...            {"left_children": [1, -1, -1], "right_children": [2, -1, -1],
    ...             "split_indices": [0, 0, 0], "split_conditions": [30.0, -0.2, 0.3],
    ...             "default_left": [1, 0, 0], "split_type": [0, 0, 0],
    ...             "sum_hessian": [10.0, 4.0, 6.0]}]}}}}
    >>> model = from_xgboost_dict(doc, "model.json")
    >>> model.link, model.base_score, model.trees[0]["feature"]
    ('logit', 0.0, ['age', None, None])
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np

from lanterne.i18n import Msg
from lanterne.importers.common import ImportedModel, build_tree, import_error, renumber

LOGIT_OBJECTIVES = {"binary:logistic", "reg:logistic", "binary:logitraw"}
SCALE_OBJECTIVES = {
    "reg:squarederror",
    "reg:squaredlogerror",
    "reg:pseudohubererror",
    "reg:absoluteerror",
    "reg:quantileerror",
    "reg:linear",
}
_TYPES = {"i": "bool", "int": "int", "float": "float", "q": "float"}


def _f32(value: Any) -> float:
    return float(np.float32(float(value)))


def read_xgboost_json(path: str | Path) -> ImportedModel:
    """Read ``path`` (an XGBoost JSON model) as an :class:`ImportedModel`."""
    path = Path(path)
    name = path.name
    if path.suffix.lower() in (".ubj", ".bin", ".model", ".deprecated"):
        raise import_error(
            str(path),
            "seul le format JSON d'XGBoost est lu : enregistrez le modèle avec "
            "booster.save_model('modele.json')",
            "only XGBoost's JSON format is read: save the model with "
            "booster.save_model('model.json')",
        )
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise import_error(str(path), "fichier introuvable", "file not found") from None
    except RecursionError:
        raise import_error(
            str(path),
            "JSON imbriqué trop profondément : ce n'est pas un modèle XGBoost",
            "JSON nested too deep: this is not an XGBoost model",
        ) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise import_error(
            str(path),
            "ce n'est pas un fichier JSON lisible ({e}) ; XGBoost l'écrit avec "
            "booster.save_model('modele.json')",
            "this is not a readable JSON file ({e}); XGBoost writes one with "
            "booster.save_model('model.json')",
            e=exc,
        ) from None
    model = from_xgboost_dict(doc, name, file=str(path))
    model.reference_margin = _reference(path)
    return model


_TREE_ARRAYS = {
    "left_children": int,
    "right_children": int,
    "split_indices": int,
    "split_conditions": float,
    "default_left": int,
    "sum_hessian": float,
}


def _tree_arrays(t: int, tree: Any, n_names: int, bad: Any) -> dict[str, list[Any]]:
    """The node arrays of one tree, each checked: same length, right types, indices in range."""
    if not isinstance(tree, dict):
        raise bad(
            "arbre {t} : un objet JSON est attendu", "tree {t}: a JSON object is expected", t=t
        )
    out: dict[str, list[Any]] = {}
    for key, kind in _TREE_ARRAYS.items():
        raw = tree.get(key)
        values: list[Any] = raw if isinstance(raw, list) else []
        ok = len(values) > 0
        if ok and kind is int:
            ok = all(type(v) is int for v in values)
        elif ok:
            ok = all(type(v) in (int, float) and math.isfinite(v) for v in values)
        if not ok:
            raise bad(
                "arbre {t} : « {k} » doit être une liste non vide de nombres{what}",
                "tree {t}: '{k}' must be a non-empty list of {what}numbers",
                t=t,
                k=key,
                what=Msg(" entiers", "whole ") if kind is int else Msg(" finis", "finite "),
            )
        out[key] = values
    n = len(out["left_children"])
    if any(len(v) != n for v in out.values()):
        raise bad(
            "arbre {t} : les tableaux des nœuds n'ont pas tous la même longueur",
            "tree {t}: the node arrays do not all have the same length",
            t=t,
        )
    if any(c < -1 for c in out["left_children"] + out["right_children"]):
        # XGBoost's leaf is exactly -1: -2 would be followed as a child, outside the tree
        raise bad(
            "arbre {t} : un enfant vaut -1 (feuille) ou un numéro de nœud",
            "tree {t}: a child is -1 (a leaf) or a node number",
            t=t,
        )
    inner = [i for i in range(n) if out["left_children"][i] != -1]
    if any(not 0 <= out["split_indices"][i] < n_names for i in inner):
        raise bad(
            "arbre {t} : numéro de variable (split_indices) hors de 0…{m}",
            "tree {t}: feature number (split_indices) outside 0…{m}",
            t=t,
            m=n_names - 1,
        )
    if any(h < 0 for h in out["sum_hessian"]):
        raise bad("arbre {t} : sum_hessian négatif", "tree {t}: negative sum_hessian", t=t)
    return out


#: Other per-node arrays XGBoost itself reads: a wrong length makes it read out of bounds.
_NATIVE_ARRAYS = ("loss_changes", "base_weights", "parents", "split_type")
_CATEGORY_ARRAYS = ("categories", "categories_nodes", "categories_segments", "categories_sizes")


def _native_arrays(t: int, tree: dict[str, Any], out: dict[str, list[Any]], bad: Any) -> None:
    """What XGBoost's own reader trusts: the tree's id (two trees with one id leave a hole
    that crashes prediction), lengths, parents, no categorical data, tree_param."""
    n = len(out["left_children"])
    param = tree.get("tree_param") or {}
    lengths_ok = all(
        isinstance(tree.get(key, []), list) and len(tree.get(key, [0] * n)) == n
        for key in _NATIVE_ARRAYS
    ) and all(
        str(param.get(key, default)) == default
        for key, default in (("num_nodes", str(n)), ("num_deleted", "0"))
    )
    if not lengths_ok or type(tree.get("id", t)) is not int or tree.get("id", t) != t:
        raise bad(
            "arbre {t} : son id, les tableaux des nœuds ou tree_param ne correspondent pas "
            "(id {t}, {n} nœuds)",
            "tree {t}: its id, the node arrays or tree_param do not match (id {t}, {n} nodes)",
            t=t,
            n=n,
        )
    if any(tree.get(key) for key in _CATEGORY_ARRAYS):
        raise bad(
            "arbre {t} : séparation catégorielle non prise en charge",
            "tree {t}: categorical split not supported",
            t=t,
        )
    left, right = out["left_children"], out["right_children"]
    expected = [2147483647] * n  # XGBoost's "no parent" for the root
    for node in range(n):
        for child in (left[node], right[node]):
            if 0 <= child < n:
                expected[child] = node
    if "parents" in tree and [p & 0x7FFFFFFF for p in tree["parents"]] != expected:
        raise bad(
            "arbre {t} : « parents » ne correspond pas aux enfants",
            "tree {t}: 'parents' does not match the children",
            t=t,
        )


def _check_model_lists(model: dict[str, Any], bad: Any) -> None:
    """The lists XGBoost indexes by tree number: one entry per tree, in order."""
    trees = model["trees"]
    n = len(trees) if isinstance(trees, list) else -1
    info = model.get("tree_info", [0] * n)
    indptr = model.get("iteration_indptr", list(range(n + 1)))
    param = model.get("gbtree_model_param") or {}
    ok = (
        n > 0
        and str(param.get("num_trees", n)) == str(n)
        and info == [0] * n
        and isinstance(indptr, list)
        and all(type(i) is int for i in indptr)
        and indptr[:1] == [0]
        and indptr[-1:] == [n]
        and all(a < b for a, b in pairwise(indptr))
    )
    if not ok:
        raise bad(
            "liste des arbres incohérente (num_trees, tree_info ou iteration_indptr) ou vide",
            "inconsistent or empty list of trees (num_trees, tree_info or iteration_indptr)",
        )


def _reference(path: Path) -> Callable[[np.ndarray], np.ndarray] | None:
    try:
        import xgboost
    except ImportError:
        return None
    try:  # XGBoost reads the file only once Lanterne has checked every tree of it
        booster = xgboost.Booster(model_file=str(path))
    except xgboost.core.XGBoostError as exc:
        raise import_error(
            str(path),
            "XGBoost ne lit pas ce modèle ({e})",
            "XGBoost cannot read this model ({e})",
            e=str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__,
        ) from None
    names = booster.feature_names

    def margin(matrix: np.ndarray) -> np.ndarray:
        data = xgboost.DMatrix(matrix, feature_names=names)
        return booster.predict(data, output_margin=True).astype(np.float64)

    return margin


def from_xgboost_dict(doc: Any, name: str, *, file: str | None = None) -> ImportedModel:
    """An :class:`ImportedModel` from the parsed JSON of an XGBoost model."""
    file = file or name
    try:
        return _from_dict(doc, name, file)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError, OverflowError) as exc:
        # the checks below name what they know; anything else is a structure XGBoost never
        # writes, reported as such rather than as a traceback
        raise import_error(
            file,
            "structure inattendue ({e}) : ce n'est pas un modèle XGBoost enregistré en JSON",
            "unexpected structure ({e}): this is not an XGBoost model saved as JSON",
            e=f"{type(exc).__name__}: {str(exc)[:80]}",
        ) from None


def _from_dict(doc: Any, name: str, file: str) -> ImportedModel:

    def bad(fr: str, en: str, **params: Any) -> Exception:
        return import_error(file, fr, en, **params)

    try:
        learner = doc["learner"]
        params = learner["learner_model_param"]
        objective = learner["objective"]["name"]
        booster = learner["gradient_booster"]
    except (KeyError, TypeError):
        raise bad(
            "structure inattendue : ce n'est pas un modèle XGBoost enregistré en JSON",
            "unexpected structure: this is not an XGBoost model saved as JSON",
        ) from None
    if booster.get("name") != "gbtree":
        raise bad(
            "seuls les boosters « gbtree » sont importés (celui-ci est « {b} »)",
            "only 'gbtree' boosters are imported (this one is '{b}')",
            b=booster.get("name"),
        )
    if int(params.get("num_class", "0") or 0) > 1 or int(params.get("num_target", "1") or 1) > 1:
        raise bad(
            "modèle à plusieurs classes ou sorties : Lanterne importe les modèles à une sortie "
            "(oui/non, ou un nombre)",
            "multi-class or multi-output model: Lanterne imports single-output models "
            "(yes/no, or a number)",
        )
    if objective in LOGIT_OBJECTIVES:
        link = "logit"
    elif objective in SCALE_OBJECTIVES:
        link = "scale"
    else:
        raise bad(
            "objectif « {o} » non pris en charge ; acceptés : {ok}",
            "objective '{o}' is not supported; accepted: {ok}",
            o=objective,
            ok=", ".join(sorted(LOGIT_OBJECTIVES | SCALE_OBJECTIVES)),
        )
    raw_base = str(params.get("base_score", "0.5")).strip("[]").split(",")[0]
    base = float(raw_base)
    if link == "logit" and objective != "binary:logitraw":
        if not 0 < base < 1:
            raise bad("base_score hors de ]0, 1[", "base_score outside ]0, 1[")
        base = _f32(math.log(base / (1.0 - base)))
    else:
        base = _f32(base)
    trees_raw = booster["model"]["trees"]
    _check_model_lists(booster["model"], bad)
    n_features = int(params.get("num_feature", "0") or 0)
    names = list(learner.get("feature_names") or [])
    if not names:
        used = max(
            (max(t["split_indices"], default=-1) for t in trees_raw),
            default=-1,
        )
        names = [f"f{i}" for i in range(max(n_features, used + 1))]
    types = {
        n: _TYPES.get(t, "float")
        for n, t in zip(names, learner.get("feature_types") or [], strict=False)
    }
    if "c" in (learner.get("feature_types") or []):
        raise bad(
            "variables catégorielles (type « c ») : Lanterne lit des arbres qui comparent des "
            "nombres ; encodez les catégories en indicateurs 0/1",
            "categorical features (type 'c'): Lanterne reads trees that compare numbers; "
            "encode categories as 0/1 indicators",
        )
    trees = []
    for t, tree in enumerate(trees_raw):
        if any(tree.get("split_type") or []):
            raise bad(
                "arbre {t} : séparation catégorielle non prise en charge",
                "tree {t}: categorical split not supported",
                t=t,
            )
        size_leaf = int((tree.get("tree_param") or {}).get("size_leaf_vector", "1") or 1)
        if size_leaf > 1:
            raise bad(
                "arbre {t} : feuilles vectorielles (plusieurs sorties) non prises en charge",
                "tree {t}: vector leaves (several outputs) not supported",
                t=t,
            )
        arrays = _tree_arrays(t, tree, len(names), bad)
        left, right = arrays["left_children"], arrays["right_children"]
        try:
            order = renumber(left, right)
        except ValueError:
            raise bad(
                "arbre {t} : les enfants ne forment pas un arbre (numéro hors limites, nœud "
                "partagé ou cycle)",
                "tree {t}: the children do not form a tree (number out of range, shared node "
                "or cycle)",
                t=t,
            ) from None
        _native_arrays(t, tree, arrays, bad)
        conditions = [_f32(c) for c in arrays["split_conditions"]]
        if not all(math.isfinite(c) for c in conditions):
            raise bad(
                "arbre {t} : seuil ou valeur de feuille non fini en float32",
                "tree {t}: threshold or leaf value not finite in float32",
                t=t,
            )
        trees.append(
            build_tree(
                order,
                left=left,
                right=right,
                feature=[names[i] for i in arrays["split_indices"]],
                threshold=conditions,
                value=conditions,  # XGBoost keeps a leaf's value in split_conditions
                cover=arrays["sum_hessian"],
                missing_left=[bool(d) for d in arrays["default_left"]],
            )
        )
    notes = []
    best = (learner.get("attributes") or {}).get("best_iteration")
    if best is not None and int(best) + 1 < len(trees):
        notes.append(
            Msg(
                "le modèle garde {n} arbres mais l'arrêt anticipé a retenu l'itération {b} : "
                "Lanterne, comme booster.predict(), utilise tous les arbres",
                "the model keeps {n} trees but early stopping chose iteration {b}: Lanterne, "
                "like booster.predict(), uses every tree",
                n=len(trees),
                b=best,
            )
        )
    version = doc.get("version")
    return ImportedModel(
        library="xgboost",
        library_version=".".join(map(str, version)) if isinstance(version, list) else None,
        source_file=name,
        kind_note=f"{objective}, {len(trees)} trees",
        feature_names=names,
        trees=trees,
        base_score=base,
        link=link,
        split_rule="<",
        precision="float32",
        feature_types=types,
        notes=notes,
    )
