"""Calibration targets of a synthetic population: the published figures it must reproduce.

A targets file lives in ``catalog/populations/<id>.yaml`` (documented in
``docs/population.md``)::

    lanterne_population: 1
    id: fr-caf-2023
    name: {fr: ..., en: ...}
    description: {fr: ..., en: ...}
    country: FR
    reference_date: "2023-12"
    models: [fr-cnaf-2014, fr-cnaf-dmde-2026]   # the population carries their variables
    tolerance: {share: 0.01, count: 0.01}       # ±1 percentage point, ±1 %
    sources: [...]                              # as in a model spec
    targets:
      - id: rsa
        label: {fr: Foyers au RSA, en: Households on RSA}
        kind: share                             # or count
        where: "receives_rsa"                   # a condition in the expression language
        among: null                             # optional: the share is taken among these
        value: 0.132
        status: secondary                       # published | secondary | reconstructed | assumption
        source: insee-focus-348
        date: "2023-12"
    generator: {students: {value: {...}, unit: weight, stage: benefits, ...}}   # rules' numbers
    departments: {source: ..., population: {"01": 652432, ...}}

Every figure carries its source, the date it describes and a status: ``published`` (read in
the publisher's own document), ``secondary`` (a figure quoted by a third party: press,
association, another administration), ``reconstructed`` (computed by Lanterne from
published figures) or ``assumption`` (not found: Lanterne's choice, to be replaced).

Example:
    >>> targets = load_targets("fr-caf-2023")
    >>> targets.target("rsa").value
    0.132
    >>> targets.households
    13800000
"""

from __future__ import annotations

import os
import re
from functools import cached_property
from typing import Annotated, Any, Literal

import polars as pl
from pydantic import Field, ValidationError, model_validator

from lanterne.catalog import catalog_path, read_text
from lanterne.errors import LanterneError, Problem, SpecError
from lanterne.i18n import Msg
from lanterne.population.columns import Column, population_columns
from lanterne.provenance import SLUG, TARGET_STATUSES, Source, Strict, TargetStatus, Text
from lanterne.spec.expr import ExprError, Node, check_types, parse
from lanterne.spec.expr.compile_polars import to_polars
from lanterne.spec.problems import dedupe, pydantic_problems
from lanterne.spec.yamlpos import PathKey, YamlDocument, load_yaml_with_positions

#: The id of the count target giving the size of the real population.
HOUSEHOLDS_TARGET = "households"


class Tolerance(Strict):
    """How far an achieved figure may be from its target."""

    share: Annotated[float, Field(gt=0, le=1)] = 0.01  # absolute, in share points
    count: Annotated[float, Field(gt=0, le=1)] = 0.01  # relative


class Target(Strict):
    """One figure the population must reproduce."""

    id: Annotated[str, Field(pattern=SLUG)]
    label: Text
    kind: Literal["share", "count"] = "share"
    where: Annotated[str, Field(min_length=1)]
    among: str | None = None
    value: Annotated[float, Field(ge=0)]
    status: TargetStatus
    source: Annotated[str, Field(min_length=1)]
    date: Annotated[str, Field(min_length=4)]
    group: str | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Target:
        if self.kind == "share" and self.value > 1:
            raise ValueError("a share is a number between 0 and 1 (0.132 for 13.2 %)")
        if self.kind == "count" and self.among is not None:
            raise ValueError("'among' only applies to a share")
        return self


GeneratorValue = float | list[float] | list[list[float]] | dict[str, float | list[float]]


class GeneratorNumber(Strict):
    """Numbers one rule of the generator reads (a share, a weight, a distribution).

    ``value`` is a number, a list, a table (list of lists) or named numbers (a mapping);
    ``stage`` names the generator stage that reads it.
    """

    value: GeneratorValue
    unit: Annotated[str, Field(min_length=1)]
    label: Text
    stage: Literal["people", "benefits", "activity", "housing", "income", "neighbourhood", "other"]
    status: TargetStatus
    source: Annotated[str, Field(min_length=1)]
    date: Annotated[str, Field(min_length=4)]
    note: Text | None = None

    def count(self) -> int:
        """How many numbers the entry holds."""
        value = self.value
        if isinstance(value, dict):
            return sum(len(v) if isinstance(v, list) else 1 for v in value.values())
        if isinstance(value, list):
            return sum(len(v) if isinstance(v, list) else 1 for v in value)
        return 1


class Departments(Strict):
    """Weights used to spread households over départements (e.g. legal populations)."""

    label: Text
    status: TargetStatus
    source: Annotated[str, Field(min_length=1)]
    date: Annotated[str, Field(min_length=4)]
    note: Text | None = None
    population: Annotated[dict[str, Annotated[int, Field(gt=0)]], Field(min_length=1)]


class PopulationTargets(Strict):
    """A calibration file: the figures, the generator's numbers and the départements."""

    lanterne_population: Literal[1]
    id: Annotated[str, Field(pattern=SLUG)]
    name: Text
    description: Text
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
    reference_date: Annotated[str, Field(min_length=4)]
    models: Annotated[list[str], Field(min_length=1)]
    tolerance: Tolerance = Field(default_factory=Tolerance)
    sources: Annotated[list[Source], Field(min_length=1)]
    targets: Annotated[list[Target], Field(min_length=1)]
    generator: dict[str, GeneratorNumber] = Field(default_factory=dict)
    departments: Departments | None = None

    def target(self, target_id: str) -> Target:
        found = next((t for t in self.targets if t.id == target_id), None)
        if found is None:
            raise KeyError(target_id)
        return found

    def value(self, target_id: str) -> float:
        """The value of a target, by id."""
        return self.target(target_id).value

    def source(self, source_id: str) -> Source | None:
        return next((s for s in self.sources if s.id == source_id), None)

    @property
    def households(self) -> int:
        """Size of the real population the counts refer to (the ``households`` target)."""
        return int(self.value(HOUSEHOLDS_TARGET))

    @cached_property
    def columns(self) -> dict[str, Column]:
        """The columns of a population built for this file's models."""
        return population_columns(self.models)

    def condition(self, expression: str) -> pl.Expr:
        """A target condition as a Polars expression (checked when the file was loaded)."""
        env = {name: col.name_info for name, col in self.columns.items()}
        return to_polars(parse(expression), env)

    def status_counts(self) -> dict[str, int]:
        counts: dict[str, int] = dict.fromkeys(TARGET_STATUSES, 0)
        for target in self.targets:
            counts[target.status] += 1
        return counts

    def generator_status_counts(self) -> dict[str, int]:
        """How many of the generator's numbers have each status (a table counts each cell)."""
        counts: dict[str, int] = dict.fromkeys(TARGET_STATUSES, 0)
        for number in self.generator.values():
            counts[number.status] += number.count()
        if self.departments is not None:
            counts[self.departments.status] += len(self.departments.population)
        return counts


def load_targets(ref: str | os.PathLike[str]) -> PopulationTargets:
    """Read and validate a targets file (a path or a catalog id), reporting every problem."""
    path = catalog_path("populations", ref)
    text = read_text(path)
    return load_targets_text(text, str(path))


def load_targets_text(text: str, file: str = "<text>") -> PopulationTargets:
    """Validate a targets file given as YAML text."""
    doc = load_yaml_with_positions(text, file)
    if not isinstance(doc.data, dict):
        raise SpecError(
            doc.problem(
                (),
                Msg(
                    "un fichier de cibles est un dictionnaire YAML (clé: valeur)",
                    "a targets file is a YAML mapping (key: value)",
                ),
            )
        )
    problems = list(doc.duplicates)
    result: PopulationTargets | None = None
    try:
        result = PopulationTargets.model_validate(doc.data)
    except ValidationError as exc:
        problems += pydantic_problems(doc, exc)
    if result is not None:
        problems += _cross_check(doc, result)
    if problems or result is None:
        problems = dedupe(problems)
        problems.sort(key=lambda p: (p.line or 0, p.column or 0))
        raise SpecError(problems)
    return result


# ---------------------------------------------------------------------------- cross checks


def _cross_check(doc: YamlDocument, targets: PopulationTargets) -> list[Problem]:
    problems: list[Problem] = []
    source_ids = [s.id for s in targets.sources]
    for i, sid in enumerate(source_ids):
        if sid in source_ids[:i]:
            problems.append(
                doc.problem(
                    ("sources", i, "id"),
                    Msg("source « {s} » déclarée deux fois", "source '{s}' declared twice", s=sid),
                )
            )

    def check_source(path: PathKey, ref: str) -> None:
        if ref not in source_ids:
            problems.append(
                doc.problem(
                    (*path, "source"),
                    Msg(
                        "source « {s} » non déclarée dans « sources »",
                        "source '{s}' is not declared under 'sources'",
                        s=ref,
                    ),
                )
            )

    try:
        columns = targets.columns
    except LanterneError as exc:
        return [*problems, *(_at(doc, ("models",), p) for p in exc.problems)]
    env = {name: col.name_info for name, col in columns.items()}

    seen: set[str] = set()
    for i, target in enumerate(targets.targets):
        path: PathKey = ("targets", i)
        if target.id in seen:
            problems.append(
                doc.problem(
                    (*path, "id"),
                    Msg(
                        "cible « {t} » déclarée deux fois",
                        "target '{t}' declared twice",
                        t=target.id,
                    ),
                )
            )
        seen.add(target.id)
        check_source(path, target.source)
        for key in ("where", "among"):
            source = getattr(target, key)
            if source is not None:
                problem = _check_condition(doc, (*path, key), source, env)
                if problem is not None:
                    problems.append(problem)
    if HOUSEHOLDS_TARGET not in seen:
        problems.append(
            doc.problem(
                ("targets",),
                Msg(
                    "il manque la cible de comptage « households » (nombre de foyers réels)",
                    "the count target 'households' (number of real households) is missing",
                ),
            )
        )
    else:
        households = targets.target(HOUSEHOLDS_TARGET)
        if households.kind != "count" or households.value < 1:
            index = next(i for i, t in enumerate(targets.targets) if t.id == HOUSEHOLDS_TARGET)
            problems.append(
                doc.problem(
                    ("targets", index, "kind"),
                    Msg(
                        "« households » doit être un comptage (kind: count) d'au moins 1",
                        "'households' must be a count (kind: count) of at least 1",
                    ),
                )
            )
    for name, number in targets.generator.items():
        check_source(("generator", name), number.source)
    if targets.departments is not None:
        check_source(("departments",), targets.departments.source)
        declared = columns.get("department")
        if declared is not None and declared.categories is not None:
            missing = [d for d in declared.categories if d not in targets.departments.population]
            unknown = [d for d in targets.departments.population if d not in declared.categories]
            if missing or unknown:
                problems.append(
                    doc.problem(
                        ("departments", "population"),
                        Msg(
                            "les départements doivent être ceux des modèles ; manquants : {m} ; "
                            "inconnus : {u}",
                            "the départements must be the models' own; missing: {m}; unknown: {u}",
                            m=", ".join(missing) or "-",
                            u=", ".join(unknown) or "-",
                        ),
                    )
                )
    return problems


def _check_condition(
    doc: YamlDocument, path: PathKey, source: str, env: dict[str, Any]
) -> Problem | None:
    """A located problem if ``source`` is not a valid condition on the population's columns."""
    try:
        tree: Node = parse(source)
        kind = check_types(tree, env)
    except ExprError as exc:
        return _expr_problem(doc, path, source, exc)
    if kind != "bool":
        return doc.problem(
            path,
            Msg(
                "une condition (vrai/faux) est attendue, par exemple « receives_rsa » ou "
                "« n_children >= 3 »",
                "a condition (true/false) is expected, e.g. 'receives_rsa' or 'n_children >= 3'",
            ),
        )
    return None


def _expr_problem(doc: YamlDocument, path: PathKey, source: str, exc: ExprError) -> Problem:
    """Point at the character of a one-line expression where the problem is."""
    problem = doc.problem(path, exc.message)
    pos = doc.positions.get(path)
    if pos is None or problem.line is None or problem.column is None:
        return problem
    if pos.style in (None, "'", '"') and "\n" not in source:
        shift = exc.offset + (1 if pos.style else 0)
        return Problem(
            exc.message, problem.file, problem.line, problem.column + shift, problem.path
        )
    return problem


def _at(doc: YamlDocument, path: PathKey, problem: Problem) -> Problem:
    located = doc.problem(path, problem.message)
    return located


def canonical(expression: str | None) -> str | None:
    """An expression with its spaces normalised, to compare two spellings of a condition.

    >>> canonical("n_children>=  4")
    'n_children >= 4'
    """
    if expression is None:
        return None
    spaced = re.sub(r"\s*(==|!=|<=|>=|<|>|,)\s*", r" \1 ", expression)
    spaced = re.sub(r"\s+", " ", spaced).strip()
    return spaced.replace(" ,", ",")
