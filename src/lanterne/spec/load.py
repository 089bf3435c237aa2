"""Load a model specification and report every problem in it, with file, line and column.

Two passes run on the same document so that one mistake never hides another: the
structural check (Pydantic: field names, types, allowed values) and the cross-reference
check (expressions parse and type-check, every name, source and coefficient points at
something declared, sensitive variables are not used by the model).

Example:
    >>> from lanterne.spec import load_spec
    >>> from lanterne.catalog import model_path
    >>> spec = load_spec(model_path("fr-cnaf-2014"))
    >>> spec.model.kind
    'logistic'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from lanterne.errors import Problem, SpecError
from lanterne.i18n import Msg
from lanterne.spec.crosscheck import cross_check
from lanterne.spec.expr import NameInfo, Node
from lanterne.spec.include import resolve_includes
from lanterne.spec.problems import dedupe, pydantic_problems
from lanterne.spec.schema import ModelSpec
from lanterne.spec.trees import EnsembleData
from lanterne.spec.yamlpos import load_yaml_with_positions


@dataclass
class CheckedSpec:
    """A valid spec with the parsed expression trees and the type of every name."""

    spec: ModelSpec
    env: dict[str, NameInfo]
    feature_trees: dict[str, Node]
    item_trees: list[Node] = field(default_factory=list)  # scorecard items, in order
    file: str = "<text>"
    profile_trees: list[Node | None] = field(default_factory=list)  # scorecard profile rules
    ensemble: EnsembleData | None = None  # a tree ensemble's nodes


def load_spec(path: str | Path) -> ModelSpec:
    """Read and validate a spec file; raise :class:`SpecError` listing every problem."""
    return check_spec_file(path).spec


def check_spec_file(path: str | Path) -> CheckedSpec:
    """Like :func:`load_spec` but also returns the parsed expressions."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError(
            Problem(Msg("fichier introuvable", "file not found"), file=str(path))
        ) from None
    except UnicodeDecodeError as exc:
        raise SpecError(
            Problem(
                Msg(
                    "le fichier n'est pas en UTF-8 (octet {pos})",
                    "the file is not UTF-8 (byte {pos})",
                    pos=exc.start,
                ),
                file=str(path),
            )
        ) from None
    except OSError as exc:
        raise SpecError(
            Problem(Msg("lecture impossible : {e}", "cannot read: {e}", e=exc), file=str(path))
        ) from None
    return check_spec_text(text, str(path))


def load_spec_text(text: str, file: str = "<text>") -> ModelSpec:
    """Validate a spec given as YAML text (the web app and tests use it)."""
    return check_spec_text(text, file).spec


def check_spec_text(text: str, file: str = "<text>") -> CheckedSpec:
    doc = load_yaml_with_positions(text, file)
    if not isinstance(doc.data, dict):
        raise SpecError(
            doc.problem(
                (),
                Msg(
                    "une spécification est un dictionnaire YAML (clé: valeur)",
                    "a specification is a YAML mapping (key: value)",
                ),
            )
        )
    doc = resolve_includes(doc)  # variables declared once in the catalog (spec/include.py)
    checker = cross_check(doc)
    problems = list(doc.duplicates)
    problems += checker.problems
    spec: ModelSpec | None = None
    try:
        spec = ModelSpec.model_validate(doc.data)
    except ValidationError as exc:
        problems += pydantic_problems(doc, exc)
    if problems:
        problems = dedupe(problems)
        problems.sort(key=lambda p: (p.line or 0, p.column or 0))
        raise SpecError(problems)
    assert spec is not None
    return CheckedSpec(
        spec,
        checker.env,
        checker.feature_trees,
        checker.item_trees,
        file,
        profile_trees=checker.profile_trees,
        ensemble=checker.ensemble,
    )
