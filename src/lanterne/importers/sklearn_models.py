"""Import scikit-learn's gradient boosting and random forest classifiers.

scikit-learn models are saved with pickle (or joblib, which uses pickle). **Loading a
pickle runs code written in the file**: a malicious or corrupted file can do anything your
account can. Lanterne therefore refuses pickles unless the user passes ``--trust-pickle``
(``trust_pickle=True`` here). An estimator already in memory is converted without any
pickle by :func:`from_sklearn`.

Supported: binary ``GradientBoostingClassifier`` (log-loss; score = logistic of the
margin) and binary ``RandomForestClassifier`` (score = the average of the trees'
probabilities). scikit-learn compares float32 inputs with ``value <= threshold``.

Example:
    >>> from sklearn.ensemble import RandomForestClassifier
    >>> forest = RandomForestClassifier(n_estimators=2, max_depth=2, random_state=0)
    >>> forest = forest.fit([[0, 1], [1, 0], [2, 2], [3, 1]], [0, 0, 1, 1])
    >>> model = from_sklearn(forest, "forest.pkl")
    >>> model.link, model.split_rule, model.precision
    ('identity', '<=', 'float32')
"""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from lanterne.errors import Problem, UsageError
from lanterne.i18n import Msg
from lanterne.importers.common import ImportedModel, build_tree, import_error, renumber

PICKLE_WARNING = Msg(
    "Attention : charger un fichier pickle exécute du code qu'il contient. Ne le faites "
    "qu'avec un fichier dont vous connaissez et approuvez la provenance.",
    "Warning: loading a pickle file runs code it contains. Only do so with a file whose "
    "origin you know and trust.",
)


def pickle_refusal(path: str) -> UsageError:
    """The error given when a pickle is offered without ``--trust-pickle``."""
    return UsageError(
        Problem(
            Msg(
                "refus de charger un fichier pickle : charger un pickle exécute du code "
                "contenu dans le fichier, qui peut faire tout ce que votre compte peut faire. "
                "Demandez le modèle dans un format de données (XGBoost JSON, LightGBM texte) "
                "ou convertissez-le en Python avec lanterne.importers.from_sklearn(estimateur) ; "
                "si vous connaissez et approuvez la provenance de ce fichier, autorisez "
                "explicitement le pickle",
                "refusing to load a pickle file: loading a pickle runs code contained in the "
                "file, which can do anything your account can. Ask for the model in a data "
                "format (XGBoost JSON, LightGBM text) or convert it in Python with "
                "lanterne.importers.from_sklearn(estimator); if you know and trust where this "
                "file comes from, allow the pickle explicitly",
            ),
            file=path,
            params=("trust_pickle",),
        )
    )


def read_sklearn_pickle(
    path: str | Path,
    *,
    trust_pickle: bool = False,
    feature_names: Sequence[str] | None = None,
) -> ImportedModel:
    """Load a pickled (or joblib) scikit-learn estimator — only with ``trust_pickle``."""
    path = Path(path)
    if not trust_pickle:
        raise pickle_refusal(str(path))
    if not path.is_file():
        raise import_error(str(path), "fichier introuvable", "file not found")
    try:
        try:
            import joblib

            estimator = joblib.load(path)
        except ImportError:  # pragma: no cover - joblib comes with scikit-learn
            with path.open("rb") as handle:
                estimator = pickle.load(handle)
    except Exception as exc:  # a pickle can raise anything
        raise import_error(
            str(path),
            "impossible de charger ce fichier pickle : {e}",
            "cannot load this pickle file: {e}",
            e=f"{type(exc).__name__}: {exc}",
        ) from None
    return from_sklearn(estimator, path.name, feature_names=feature_names, file=str(path))


def from_sklearn(
    estimator: Any,
    name: str = "scikit-learn estimator",
    *,
    feature_names: Sequence[str] | None = None,
    file: str | None = None,
) -> ImportedModel:
    """An :class:`ImportedModel` from a fitted scikit-learn estimator (no pickle involved)."""
    file = file or name
    kind = type(estimator).__name__
    supported = ("GradientBoostingClassifier", "RandomForestClassifier")
    if kind not in supported:
        raise import_error(
            file,
            "estimateur « {k} » non pris en charge ; acceptés : {ok}",
            "estimator '{k}' is not supported; accepted: {ok}",
            k=kind,
            ok=", ".join(supported),
        )
    classes = list(getattr(estimator, "classes_", []))
    if len(classes) != 2:
        raise import_error(
            file,
            "seuls les classifieurs à deux classes sont importés ({n} classes ici)",
            "only two-class classifiers are imported ({n} classes here)",
            n=len(classes),
        )
    n_features = int(estimator.n_features_in_)
    names = list(feature_names or getattr(estimator, "feature_names_in_", []) or [])
    if not names:
        names = [f"x{i}" for i in range(n_features)]
    if len(names) != n_features:
        raise import_error(
            file,
            "{g} noms de variables donnés pour {n} variables du modèle",
            "{g} feature names given for the model's {n} features",
            g=len(names),
            n=n_features,
        )
    names = [str(n) for n in names]
    import sklearn

    try:
        if kind == "GradientBoostingClassifier":
            model = _gradient_boosting(estimator, names, file)
        else:
            model = _forest(estimator, names)
    except (ValueError, IndexError) as exc:  # renumber() refuses children that form no tree
        raise import_error(
            file,
            "les arbres de l'estimateur sont incohérents ({e})",
            "the estimator's trees are inconsistent ({e})",
            e=exc,
        ) from None
    model.library_version = sklearn.__version__
    model.source_file = name
    return model


def _tree(tree: Any, names: list[str], leaf_values: np.ndarray) -> dict[str, Any]:
    state = tree.tree_
    left, right = state.children_left.tolist(), state.children_right.tolist()
    missing = getattr(state, "missing_go_to_left", None)
    order = renumber(left, right)
    return build_tree(
        order,
        left=left,
        right=right,
        feature=[names[f] if f >= 0 else None for f in state.feature.tolist()],
        threshold=state.threshold.tolist(),
        value=leaf_values.tolist(),
        cover=state.weighted_n_node_samples.tolist(),
        missing_left=(
            [bool(m) for m in missing.tolist()] if missing is not None else [True] * len(left)
        ),
    )


def _gradient_boosting(estimator: Any, names: list[str], file: str) -> ImportedModel:
    from sklearn.dummy import DummyClassifier

    loss = getattr(estimator, "loss", "log_loss")
    if loss not in ("log_loss", "deviance"):
        raise import_error(
            file,
            "perte « {l} » non prise en charge (seule log_loss l'est)",
            "loss '{l}' is not supported (only log_loss is)",
            l=loss,
        )
    init = estimator.init_
    if isinstance(init, str) and init == "zero":
        base = 0.0
    elif isinstance(init, DummyClassifier) and init.strategy == "prior":
        p = float(init.class_prior_[1])
        base = float(np.log(p / (1.0 - p)))
    else:
        raise import_error(
            file,
            "estimateur initial « {i} » non pris en charge (seuls 'zero' et l'a priori le sont)",
            "initial estimator '{i}' is not supported (only 'zero' and the prior are)",
            i=type(init).__name__,
        )
    rate = float(estimator.learning_rate)
    trees = [
        _tree(stage[0], names, stage[0].tree_.value[:, 0, 0] * rate)
        for stage in estimator.estimators_
    ]
    return ImportedModel(
        library="scikit-learn",
        library_version=None,
        source_file="",
        kind_note=f"GradientBoostingClassifier, {len(trees)} trees",
        feature_names=names,
        trees=trees,
        base_score=base,
        link="logit",
        split_rule="<=",
        precision="float32",
        reference_margin=lambda m: np.asarray(estimator.decision_function(m), dtype=np.float64),
    )


def _forest(estimator: Any, names: list[str]) -> ImportedModel:
    n = len(estimator.estimators_)
    trees = []
    for tree in estimator.estimators_:
        value = tree.tree_.value[:, 0, :]
        totals = value.sum(axis=1)
        share = np.divide(value[:, 1], totals, out=np.zeros_like(totals), where=totals > 0)
        trees.append(_tree(tree, names, share / n))
    return ImportedModel(
        library="scikit-learn",
        library_version=None,
        source_file="",
        kind_note=f"RandomForestClassifier, {n} trees",
        feature_names=names,
        trees=trees,
        base_score=0.0,
        link="identity",
        split_rule="<=",
        precision="float32",
        reference_margin=lambda m: np.asarray(estimator.predict_proba(m)[:, 1], np.float64),
    )
