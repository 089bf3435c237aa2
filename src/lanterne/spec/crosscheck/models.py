"""Cross-checks of a spec's model: the kind's own checks (logistic coefficients, scorecard
items and bands here; trees, profiles and additive shapes in their modules), and the
sources of the model's numbers and published performance figures.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import pairwise
from typing import Any

from lanterne.i18n import Msg
from lanterne.spec.crosscheck.additive import check_additive
from lanterne.spec.crosscheck.checker import Checker, suggest
from lanterne.spec.crosscheck.profiles import check_profiles
from lanterne.spec.crosscheck.trees import check_trees_model
from lanterne.spec.yamlpos import PathKey


def check_model(c: Checker) -> None:
    """The model's default source, then the checks of its kind."""
    model = c.data.get("model")
    if not isinstance(model, dict):
        return
    c.check_source_ref(("model",), model)
    has_default_source = isinstance(model.get("source"), str)
    kind = model.get("kind")
    if kind == "logistic":
        _logistic(c, model, has_default_source)
    elif kind == "trees":
        check_trees_model(c, model, has_default_source)
    elif kind == "additive":
        check_additive(c, model, has_default_source)
    elif kind == "scorecard":
        check_scorecard(c, model, has_default_source)


def _logistic(c: Checker, model: Mapping[str, Any], has_default_source: bool) -> None:
    """Each coefficient has a source and applies once to a declared number or condition."""
    intercept = model.get("intercept")
    if isinstance(intercept, dict):
        c.number_source(("model", "intercept"), intercept, has_default_source)
    coefficients = model.get("coefficients")
    seen: set[str] = set()
    for i, coef in enumerate(coefficients if isinstance(coefficients, list) else []):
        if not isinstance(coef, dict):
            continue
        path: PathKey = ("model", "coefficients", i)
        c.number_source(path, coef, has_default_source)
        feature = coef.get("feature")
        if not isinstance(feature, str):
            continue
        if feature in seen:
            c.add(
                (*path, "feature"),
                Msg(
                    "deux coefficients pour « {n} »",
                    "two coefficients for '{n}'",
                    n=feature,
                ),
            )
        seen.add(feature)
        if feature in c.sensitive:
            c.add(
                (*path, "feature"),
                Msg(
                    "coefficient sur la variable sensible « {n} » : un modèle ne doit "
                    "pas l'utiliser",
                    "coefficient on the sensitive variable '{n}': a model must not use it",
                    n=feature,
                ),
            )
        elif feature not in c.env:
            c.add(
                (*path, "feature"),
                Msg(
                    "coefficient pour « {n} », qui n'est ni une variable ni une "
                    "caractéristique déclarée{hint}",
                    "coefficient for '{n}', which is not a declared variable or feature{hint}",
                    n=feature,
                    hint=suggest(feature, c.env),
                ),
            )
        elif c.env[feature].type == "category":
            c.add(
                (*path, "feature"),
                Msg(
                    "« {n} » est une catégorie : un coefficient porte sur un nombre ou "
                    "une condition, par exemple une caractéristique {n} == '...'",
                    "'{n}' is a category: a coefficient applies to a number or a "
                    "condition, e.g. a feature {n} == '...'",
                    n=feature,
                ),
            )


def check_scorecard(c: Checker, model: Mapping[str, Any], has_default_source: bool) -> None:
    """Each item has a source and a condition or a number; bands in increasing order."""
    items = model.get("items")
    for i, item in enumerate(items if isinstance(items, list) else []):
        if not isinstance(item, dict):
            continue
        path = ("model", "items", i)
        c.number_source(path, item, has_default_source)
        if "when" in item:
            result = c.expression((*path, "when"), item["when"], expect="bool")
        elif "per" in item:
            result = c.expression((*path, "per"), item["per"], expect="number")
        else:
            result = None
        if result is not None:
            c.item_trees.append(result[0])
    check_profiles(c, model, has_default_source)
    bands = model.get("bands")
    if isinstance(bands, list):
        mins = [b.get("min_points") for b in bands if isinstance(b, dict)]
        numbers = [m for m in mins if isinstance(m, int | float)]
        if len(numbers) == len(mins) and any(b <= a for a, b in pairwise(numbers)):
            c.add(
                ("model", "bands"),
                Msg(
                    "les bandes doivent être rangées par min_points strictement croissant",
                    "bands must be in strictly increasing order of min_points",
                ),
            )
        profiles = [b.get("profile") for b in bands if isinstance(b, dict)]
        if len(set(profiles)) != len(profiles):
            c.add(("model", "bands"), Msg("profil en double", "duplicate profile"))


def check_performance(c: Checker) -> None:
    """Every recorded performance figure cites a declared source."""
    for i, figure in c.items("performance"):
        c.number_source(("performance", i), figure, False)
