"""The cross-reference checks of a model spec: what Pydantic cannot see on one field.

Expressions parse and type-check, every name, source and coefficient points at something
declared, sensitive variables are not used by the model. Each part of the spec has its
module (declarations, models, profiles, trees, additive); they record their problems on
one :class:`~lanterne.spec.crosscheck.checker.Checker`, with file, line and column.

Example:
    >>> from lanterne.spec.yamlpos import load_yaml_with_positions
    >>> doc = load_yaml_with_positions("variables: [{name: row, type: int}]", "s.yaml")
    >>> [p.location() for p in cross_check(doc).problems]
    ['s.yaml:1:20']
"""

from __future__ import annotations

from lanterne.spec.crosscheck.checker import Checker
from lanterne.spec.crosscheck.declarations import (
    check_features,
    check_sources,
    check_targeting,
    check_variables,
)
from lanterne.spec.crosscheck.models import check_model, check_performance
from lanterne.spec.yamlpos import YamlDocument


def cross_check(doc: YamlDocument) -> Checker:
    """Run every cross-check on a spec's document, in the order names become known."""
    checker = Checker(doc)
    check_sources(checker)
    check_variables(checker)
    check_features(checker)
    check_model(checker)
    check_targeting(checker)
    check_performance(checker)
    return checker


__all__ = ["Checker", "cross_check"]
