"""Cross-checks of a scorecard's dimensions and profile rules: items name declared
dimensions; profile rules are conditions on the dimension totals, the last one without
``when`` (it catches everyone left).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lanterne.i18n import Msg
from lanterne.spec.crosscheck.checker import Checker, suggest
from lanterne.spec.expr import NameInfo
from lanterne.spec.yamlpos import PathKey


def check_profiles(c: Checker, model: Mapping[str, Any], has_default_source: bool) -> None:
    """Dimensions named by items exist; profile rules parse over the dimension totals."""
    dimensions = model.get("dimensions")
    names: dict[str, NameInfo] = {}
    for i, dim in enumerate(dimensions if isinstance(dimensions, list) else []):
        name = dim.get("name") if isinstance(dim, dict) else None
        if not isinstance(name, str):
            continue
        if name in names:
            c.add(
                ("model", "dimensions", i, "name"),
                Msg(
                    "dimension « {n} » déclarée deux fois",
                    "dimension '{n}' declared twice",
                    n=name,
                ),
            )
        if f"points_{name}" in c.env:
            c.add(
                ("model", "dimensions", i, "name"),
                Msg(
                    "la colonne de sortie « points_{n} » porte le nom d'une variable",
                    "the output column 'points_{n}' has the name of a variable",
                    n=name,
                ),
            )
        names[name] = NameInfo("number")
    items = model.get("items")
    for i, item in enumerate(items if isinstance(items, list) else []):
        if not isinstance(item, dict):
            continue
        dim = item.get("dimension")
        if isinstance(dim, str) and dim not in names:
            c.add(
                ("model", "items", i, "dimension"),
                Msg(
                    "dimension « {d} » non déclarée dans « dimensions »{hint}",
                    "dimension '{d}' is not declared under 'dimensions'{hint}",
                    d=dim,
                    hint=suggest(dim, names),
                ),
            )
        elif dim is None and names:
            c.add(
                ("model", "items", i),
                Msg(
                    "avec des « dimensions », chaque ligne du barème dit sa « dimension »",
                    "with 'dimensions', every scorecard item names its 'dimension'",
                ),
            )
    profiles = model.get("profiles")
    if not isinstance(profiles, list):
        return
    seen: set[str] = set()
    saved_env = c.env
    c.env = names  # profile rules read the dimension totals, nothing else
    try:
        for i, rule in enumerate(profiles):
            if not isinstance(rule, dict):
                c.profile_trees.append(None)
                continue
            path: PathKey = ("model", "profiles", i)
            c.number_source(path, rule, has_default_source)
            profile = rule.get("profile")
            if isinstance(profile, str):
                if profile in seen:
                    c.add((*path, "profile"), Msg("profil en double", "duplicate profile"))
                seen.add(profile)
            last = i == len(profiles) - 1
            if "when" not in rule:
                if not last:
                    c.add(
                        path,
                        Msg(
                            "seule la dernière règle de profil peut n'avoir pas de « when »",
                            "only the last profile rule may have no 'when'",
                        ),
                    )
                c.profile_trees.append(None)
                continue
            if last:
                c.add(
                    (*path, "when"),
                    Msg(
                        "la dernière règle de profil n'a pas de « when » : elle donne le "
                        "profil de toutes les personnes que les autres règles laissent",
                        "the last profile rule has no 'when': it gives the profile of "
                        "everyone the other rules leave",
                    ),
                    key=True,
                )
            result = c.expression((*path, "when"), rule["when"], expect="bool")
            c.profile_trees.append(result[0] if result else None)
    finally:
        c.env = saved_env
