"""Cross-checks of an additive model (``kind: additive``) that Pydantic cannot make.

Pydantic checks each shape on its own (edges increasing, one score per bin or category);
here we check the names: every ``impute`` step reads a declared numeric variable and
writes new names, every shape reads a variable, a feature or a pre-processing output, at
most one shape per input, no sensitive variable, categories that can match the input.

Example:
    >>> from lanterne.spec.load import check_spec_text
    >>> text = '''
    ... lanterne_spec: 1
    ... id: toy
    ... name: {fr: Jouet, en: Toy}
    ... agency: A
    ... country: FR
    ... years: [2020, null]
    ... description: {fr: d, en: d}
    ... status: illustrative
    ... sources: [{id: s, title: t, url: "https://example.org"}]
    ... variables:
    ...   - {name: age, type: float, description: {fr: a, en: a}}
    ... model:
    ...   kind: additive
    ...   source: s
    ...   intercept: {value: 0.5}
    ...   shapes:
    ...     - {input: agee, type: continuous, edges: [30], scores: [0.1, -0.1]}
    ... targeting: {threshold: 0.5}
    ... '''
    >>> try:
    ...     check_spec_text(text, "toy.yaml")
    ... except Exception as exc:
    ...     print(exc.problems[0].location(), "did you mean 'age'" in str(exc))
    toy.yaml:18:15 True
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from lanterne.i18n import Msg
from lanterne.spec.crosscheck.checker import Checker


def check_additive(checker: Checker, model: Mapping[str, Any], default: bool) -> None:
    """Record every problem of an additive model's names and provenance on ``checker``."""
    intercept = model.get("intercept")
    if isinstance(intercept, dict):
        checker.number_source(("model", "intercept"), intercept, default)
    outputs = _preprocess(checker, model.get("preprocess"), default)
    shapes = model.get("shapes")
    seen: set[str] = set()
    for i, shape in enumerate(shapes if isinstance(shapes, list) else []):
        if not isinstance(shape, dict):
            continue
        path = ("model", "shapes", i)
        checker.number_source(path, shape, default)
        name = shape.get("input")
        if not isinstance(name, str):
            continue
        if name in seen:
            checker.add(
                (*path, "input"),
                Msg("deux formes pour « {n} »", "two shapes for '{n}'", n=name),
            )
        seen.add(name)
        kind = outputs.get(name) or _input_type(checker, (*path, "input"), name, outputs)
        if kind is None:
            continue
        if shape.get("type") == "continuous" and kind == "category":
            checker.add(
                (*path, "type"),
                Msg(
                    "« {n} » est une catégorie : sa forme est « categorical »",
                    "'{n}' is a category: its shape is 'categorical'",
                    n=name,
                ),
            )
        categories = shape.get("categories")
        if shape.get("type") == "categorical" and isinstance(categories, list):
            _check_categories(checker, path, name, kind, categories)


def _preprocess(checker: Checker, steps: Any, default: bool) -> dict[str, str]:
    """Check the ``impute`` steps; return the names they create (all numbers)."""
    outputs: dict[str, str] = {}
    for i, step in enumerate(steps if isinstance(steps, list) else []):
        if not isinstance(step, dict):
            continue
        path = ("model", "preprocess", i)
        value = step.get("value")
        if isinstance(value, dict):
            checker.number_source((*path, "value"), value, default)
        source = step.get("impute")
        if isinstance(source, str):
            kind = _input_type(checker, (*path, "impute"), source, {})
            if kind == "category":
                checker.add(
                    (*path, "impute"),
                    Msg(
                        "« {n} » est une catégorie : seules les valeurs numériques sont imputées",
                        "'{n}' is a category: only numeric values are imputed",
                        n=source,
                    ),
                )
        for key in ("output", "indicator"):
            name = step.get(key)
            if not isinstance(name, str):
                continue
            if name in checker.env or name in outputs:
                checker.add(
                    (*path, key),
                    Msg(
                        "le nom « {n} » est déjà pris",
                        "the name '{n}' is already used",
                        n=name,
                    ),
                )
            outputs[name] = "number"
    return outputs


def _input_type(
    checker: Checker, path: tuple[Any, ...], name: str, outputs: Mapping[str, str]
) -> str | None:
    """The expression type of a name a shape or step reads, or None (problem recorded)."""
    if name in checker.sensitive:
        checker.add(
            path,
            Msg(
                "« {n} » est une variable sensible : un modèle ne doit pas l'utiliser "
                "(elle ne sert qu'aux audits)",
                "'{n}' is a sensitive variable: a model must not use it (it only serves audits)",
                n=name,
            ),
        )
        return None
    if name not in checker.env:
        known = [*checker.env, *outputs]
        close = difflib.get_close_matches(name, known, n=1)
        hint: Msg | str = (
            Msg(" (vouliez-vous dire « {c} » ?)", " (did you mean '{c}'?)", c=close[0])
            if close
            else ""
        )
        checker.add(
            path,
            Msg(
                "la forme lit « {n} », qui n'est ni une variable, ni une caractéristique, ni "
                "une sortie du pré-traitement déclarée{hint}",
                "the shape reads '{n}', which is not a declared variable, feature or "
                "pre-processing output{hint}",
                n=name,
                hint=hint,
            ),
        )
        return None
    return checker.env[name].type


def _check_categories(
    checker: Checker, path: tuple[Any, ...], name: str, kind: str, categories: list[Any]
) -> None:
    if kind == "category":
        declared = checker.env[name].categories or ()
        for j, value in enumerate(categories):
            if not isinstance(value, str) or value not in declared:
                checker.add(
                    (*path, "categories", j),
                    Msg(
                        "« {v} » n'est pas une des catégories de « {n} »",
                        "'{v}' is not one of the categories of '{n}'",
                        v=value,
                        n=name,
                    ),
                )
        return
    for j, value in enumerate(categories):
        if isinstance(value, str):
            checker.add(
                (*path, "categories", j),
                Msg(
                    "« {n} » est un nombre : ses catégories sont des nombres, pas « {v} »",
                    "'{n}' is a number: its categories are numbers, not '{v}'",
                    n=name,
                    v=value,
                ),
            )
