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


def _reference(path: Path):  # type: ignore[no-untyped-def]
    try:
        import xgboost
    except ImportError:
        return None
    booster = xgboost.Booster(model_file=str(path))
    names = booster.feature_names

    def margin(matrix: np.ndarray) -> np.ndarray:
        data = xgboost.DMatrix(matrix, feature_names=names)
        return booster.predict(data, output_margin=True).astype(np.float64)

    return margin


def from_xgboost_dict(doc: Any, name: str, *, file: str | None = None) -> ImportedModel:
    """An :class:`ImportedModel` from the parsed JSON of an XGBoost model."""
    file = file or name

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
        left, right = tree["left_children"], tree["right_children"]
        order = renumber(left, right)
        conditions = [_f32(c) for c in tree["split_conditions"]]
        trees.append(
            build_tree(
                order,
                left=left,
                right=right,
                feature=[names[i] if 0 <= i < len(names) else None for i in tree["split_indices"]],
                threshold=conditions,
                value=conditions,  # XGBoost keeps a leaf's value in split_conditions
                cover=[float(h) for h in tree["sum_hessian"]],
                missing_left=[bool(d) for d in tree["default_left"]],
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
