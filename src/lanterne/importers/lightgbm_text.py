"""Read a LightGBM model saved as text (``booster.save_model("model.txt")``).

The file is first checked by :mod:`lanterne.importers.lightgbm_check` (LightGBM's C++
parser crashes on malformed text); LightGBM then reads the checked text (plain text: no
code runs) and its JSON dump gives the trees. LightGBM compares doubles
(``value <= threshold``); how a missing value goes depends on each split's
``missing_type``, which the import turns into ``missing_left``.

Supported: one output, objectives ``binary`` and ``cross_entropy`` (score = logistic of
the margin) and regression objectives (score = the margin scaled to [0, 1]), random-forest
mode (``average_output``). Categorical splits, linear trees and multi-class models are
refused with an explanation.

Example:
    >>> import lightgbm, numpy as np
    >>> x = np.arange(40.0).reshape(20, 2); y = (x[:, 0] > 18).astype(int)
    >>> booster = lightgbm.train({"objective": "binary", "verbose": -1, "min_data_in_leaf": 2},
    ...                          lightgbm.Dataset(x, y), num_boost_round=3)
    >>> model = from_lightgbm_booster(booster, "model.txt")
    >>> model.link, model.split_rule, model.n_trees
    ('logit', '<=', 3)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from lanterne.i18n import Msg
from lanterne.importers.common import ImportedModel, build_tree, import_error, renumber
from lanterne.importers.lightgbm_check import (
    LOGIT_OBJECTIVES,
    check_lightgbm_text,
)


def read_lightgbm_text(path: str | Path) -> ImportedModel:
    """Read ``path`` (a LightGBM text model) as an :class:`ImportedModel`."""
    from lanterne.extras import require

    require("trees")
    import lightgbm

    path = Path(path)
    if not path.is_file():
        raise import_error(str(path), "fichier introuvable", "file not found")
    data = path.read_bytes()
    try:
        if not data.startswith(b"tree"):
            raise ValueError("missing 'tree' header")
        text = data.decode("utf-8")
    except (ValueError, UnicodeDecodeError) as exc:
        raise import_error(
            str(path),
            "ce n'est pas un modèle LightGBM au format texte ({e}) ; LightGBM l'écrit avec "
            "booster.save_model('modele.txt')",
            "this is not a LightGBM model in text format ({e}); LightGBM writes one with "
            "booster.save_model('model.txt')",
            e=exc,
        ) from None
    # LightGBM's C++ reader crashes on malformed text: it only sees what passed our check
    checked = check_lightgbm_text(text, str(path))
    try:
        booster = lightgbm.Booster(model_str=checked)
    except lightgbm.basic.LightGBMError as exc:  # pragma: no cover - refused by the check
        raise import_error(
            str(path),
            "LightGBM ne lit pas ce modèle ({e})",
            "LightGBM cannot read this model ({e})",
            e=exc,
        ) from None
    return from_lightgbm_booster(booster, path.name, file=str(path))


def from_lightgbm_booster(booster: Any, name: str, *, file: str | None = None) -> ImportedModel:
    """An :class:`ImportedModel` from a LightGBM ``Booster`` already in memory."""
    import lightgbm

    file = file or name
    dump = booster.dump_model()

    def bad(fr: str, en: str, **params: Any) -> Exception:
        return import_error(file, fr, en, **params)

    if int(dump.get("num_class", 1)) > 1 or int(dump.get("num_tree_per_iteration", 1)) > 1:
        raise bad(
            "modèle à plusieurs classes : Lanterne importe les modèles à une sortie",
            "multi-class model: Lanterne imports single-output models",
        )
    objective_text = str(dump.get("objective", "regression"))
    words = objective_text.split()
    objective = words[0] if words else "regression"
    sigmoid = 1.0
    for word in words[1:]:
        if word.startswith("sigmoid:"):
            sigmoid = float(word.split(":", 1)[1])
    # the check refused any other objective before LightGBM read the file
    link = "logit" if objective in LOGIT_OBJECTIVES else "scale"
    names = list(dump.get("feature_names") or [])
    infos = dump.get("tree_info") or []
    factor = 1.0 / len(infos) if dump.get("average_output") and infos else 1.0
    notes: list[Msg] = []
    if link == "logit" and sigmoid != 1.0:
        factor *= sigmoid
        notes.append(
            Msg(
                "paramètre sigmoid = {s} : les valeurs des feuilles sont multipliées par {s} "
                "pour que le score soit la logistique de la marge",
                "sigmoid parameter = {s}: leaf values are multiplied by {s} so that the "
                "score is the logistic of the margin",
                s=sigmoid,
            )
        )
    trees = [
        _tree(t, info.get("tree_structure") or {}, names, factor, bad)
        for t, info in enumerate(infos)
    ]
    model = ImportedModel(
        library="lightgbm",
        library_version=lightgbm.__version__,
        source_file=name,
        kind_note=f"{objective_text}, {len(trees)} trees",
        feature_names=names,
        trees=trees,
        base_score=0.0,
        link=link,
        split_rule="<=",
        precision="float64",
        notes=notes,
    )

    def margin(matrix: np.ndarray) -> np.ndarray:
        return np.asarray(booster.predict(matrix, raw_score=True), dtype=np.float64) * (
            sigmoid if link == "logit" else 1.0
        )

    model.reference_margin = margin
    return model


def _tree(t: int, root: dict[str, Any], names: list[str], factor: float, bad: Any) -> dict:
    """Flatten LightGBM's nested tree dump into node arrays."""
    flat: list[dict[str, Any]] = []
    left: list[int] = []
    right: list[int] = []
    stack = [(root, -1, "")]
    while stack:  # depth-first; renumber() puts children after parents afterwards
        node, parent, side = stack.pop()
        index = len(flat)
        flat.append(node)
        left.append(-1)
        right.append(-1)
        if parent >= 0:
            (left if side == "L" else right)[parent] = index
        if "split_feature" in node:
            if node.get("decision_type") != "<=":
                raise bad(
                    "arbre {t} : séparation catégorielle non prise en charge (encodez les "
                    "catégories en indicateurs 0/1)",
                    "tree {t}: categorical split not supported (encode categories as 0/1 "
                    "indicators)",
                    t=t,
                )
            stack.append((node["right_child"], index, "R"))
            stack.append((node["left_child"], index, "L"))
        elif "leaf_coeff" in node or "leaf_features" in node:
            raise bad(
                "arbre {t} : arbres linéaires non pris en charge",
                "tree {t}: linear trees are not supported",
                t=t,
            )
    features: list[str | None] = []
    thresholds: list[float | None] = []
    values: list[float | None] = []
    covers: list[float] = []
    missing: list[bool] = []
    for node in flat:
        if "split_feature" in node:
            threshold = float(node["threshold"])
            default_left = bool(node.get("default_left", True))
            kind = node.get("missing_type", "None")
            zero_goes_left = threshold >= 0.0
            if kind == "NaN":
                missing_left = default_left
            elif kind == "Zero":
                if default_left != zero_goes_left:
                    raise bad(
                        "arbre {t} : zéro traité comme valeur manquante (zero_as_missing) "
                        "dans le sens contraire du seuil : non pris en charge",
                        "tree {t}: zero treated as missing (zero_as_missing) against the "
                        "threshold's direction: not supported",
                        t=t,
                    )
                missing_left = default_left
            else:  # None: LightGBM reads a missing value as 0
                missing_left = zero_goes_left
            features.append(names[int(node["split_feature"])])
            thresholds.append(threshold)
            values.append(None)
            covers.append(float(node.get("internal_count", 0)))
            missing.append(missing_left)
        else:
            features.append(None)
            thresholds.append(None)
            values.append(float(node["leaf_value"]) * factor)
            covers.append(float(node.get("leaf_count", 1)))
            missing.append(True)
    if len(flat) == 1:
        covers = [max(covers[0], 1.0)]
    order = renumber(left, right)
    return build_tree(
        order,
        left=left,
        right=right,
        feature=features,
        threshold=thresholds,
        value=values,
        cover=covers,
        missing_left=missing,
    )
