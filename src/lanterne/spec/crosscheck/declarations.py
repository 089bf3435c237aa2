"""Cross-checks of what a spec declares: sources, variables, features and the targeting's
source. Variables and features fill the checker's table of names, which the model's
checks read.
"""

from __future__ import annotations

from typing import Any

from lanterne.i18n import Msg
from lanterne.spec.crosscheck.checker import Checker
from lanterne.spec.expr import ExprType, NameInfo
from lanterne.spec.yamlpos import PathKey

#: How a variable's declared type reads in expressions.
VAR_TYPES: dict[str, ExprType] = {
    "bool": "bool",
    "int": "number",
    "float": "number",
    "category": "category",
}


def check_sources(c: Checker) -> None:
    """Every source id is declared once."""
    for i, source in c.items("sources"):
        sid = source.get("id")
        if isinstance(sid, str):
            if sid in c.source_ids:
                c.add(
                    ("sources", i, "id"),
                    Msg(
                        "source « {s} » déclarée deux fois",
                        "source '{s}' declared twice",
                        s=sid,
                    ),
                )
            c.source_ids.add(sid)


def check_variables(c: Checker) -> None:
    """Variables: new names, types with their categories or range; each enters the table."""
    for i, var in c.items("variables"):
        path: PathKey = ("variables", i)
        name, vtype = var.get("name"), var.get("type")
        if isinstance(name, str):
            c.check_new_name(
                path,
                name,
                Msg("variable « {n} » déclarée deux fois", "variable '{n}' declared twice", n=name),
            )
        c.check_source_ref(path, var)
        if not isinstance(vtype, str) or vtype not in VAR_TYPES:
            continue  # Pydantic reports the bad type
        categories = var.get("categories")
        _categories(c, path, vtype, categories, var.get("category_labels"))
        _range(c, path, vtype, var.get("range"))
        if isinstance(name, str):
            cats = tuple(map(str, categories)) if isinstance(categories, list) else None
            c.env[name] = NameInfo(VAR_TYPES[vtype], cats)
            if var.get("sensitive") is True:
                c.sensitive.add(name)


def _categories(c: Checker, path: PathKey, vtype: str, categories: Any, labels: Any) -> None:
    """A category variable lists distinct categories; only it has categories and labels."""
    if vtype == "category":
        if not categories:
            c.add(
                path,
                Msg(
                    "une variable de type category doit lister ses « categories »",
                    "a category variable must list its 'categories'",
                ),
            )
        elif isinstance(categories, list) and len(set(map(str, categories))) != len(categories):
            c.add(
                (*path, "categories"),
                Msg("catégorie en double", "duplicate category"),
            )
    elif categories is not None:
        c.add(
            (*path, "categories"),
            Msg(
                "seules les variables de type category ont des « categories »",
                "only category variables have 'categories'",
            ),
            key=True,
        )
    if isinstance(labels, dict) and isinstance(categories, list):
        for key in labels:
            if key not in map(str, categories):
                c.add(
                    (*path, "category_labels", key),
                    Msg(
                        "« {k} » n'est pas une des categories déclarées",
                        "'{k}' is not one of the declared categories",
                        k=key,
                    ),
                    key=True,
                )


def _range(c: Checker, path: PathKey, vtype: str, rng: Any) -> None:
    """Only numbers have a range, and its minimum is not above its maximum."""
    if rng is not None:
        if vtype not in ("int", "float"):
            c.add(
                (*path, "range"),
                Msg(
                    "seules les variables int ou float ont un « range »",
                    "only int or float variables have a 'range'",
                ),
                key=True,
            )
        elif (
            isinstance(rng, list)
            and len(rng) == 2
            and all(isinstance(x, int | float) for x in rng)
            and rng[0] > rng[1]
        ):
            c.add(
                (*path, "range"),
                Msg(
                    "range [min, max] avec min > max",
                    "range [min, max] has min > max",
                ),
            )


def check_features(c: Checker) -> None:
    """Features: new names, expressions reading only names declared before them."""
    declared = [f.get("name") for _, f in c.items("features")]
    pending = {n for n in declared if isinstance(n, str)}
    for i, feat in c.items("features"):
        path: PathKey = ("features", i)
        name = feat.get("name")
        if isinstance(name, str):
            pending.discard(name)
            c.check_new_name(
                path,
                name,
                Msg(
                    "le nom « {n} » est déjà pris par une variable ou une caractéristique",
                    "the name '{n}' is already used by a variable or a feature",
                    n=name,
                ),
            )
        c.check_source_ref(path, feat)
        c.later_features = pending
        result = c.expression((*path, "expr"), feat.get("expr"))
        if isinstance(name, str) and name not in c.env and result is not None:
            tree, kind = result
            c.feature_trees[name] = tree
            c.env[name] = NameInfo(kind)
    c.later_features = set()


def check_targeting(c: Checker) -> None:
    """The targeting rule cites a declared source."""
    targeting = c.data.get("targeting")
    if isinstance(targeting, dict):
        c.check_source_ref(("targeting",), targeting)
