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

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from lanterne.errors import Problem, SpecError
from lanterne.i18n import Msg
from lanterne.spec.additive import check_additive, check_performance
from lanterne.spec.expr import ExprError, ExprType, NameInfo, Node, check_types, names_in, parse
from lanterne.spec.problems import dedupe, pydantic_problems
from lanterne.spec.schema import RESERVED_NAMES, ModelSpec
from lanterne.spec.trees import EnsembleData, pack_trees, read_trees_file, trees_file_path
from lanterne.spec.yamlpos import PathKey, YamlDocument, load_yaml_with_positions

_VAR_TYPES: dict[str, ExprType] = {
    "bool": "bool",
    "int": "number",
    "float": "number",
    "category": "category",
}


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
    checker = _CrossChecker(doc)
    problems = list(doc.duplicates)
    problems += checker.run()
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


# --------------------------------------------------------------------------- references


class _CrossChecker:
    """Checks what Pydantic cannot: names, references and expressions, on the raw document."""

    def __init__(self, doc: YamlDocument) -> None:
        self.doc = doc
        self.data: dict[str, Any] = doc.data
        self.problems: list[Problem] = []
        self.env: dict[str, NameInfo] = {}
        self.sensitive: set[str] = set()
        self.feature_trees: dict[str, Node] = {}
        self.item_trees: list[Node] = []
        self.source_ids: set[str] = set()
        self.later_features: set[str] = set()
        self.profile_trees: list[Node | None] = []
        self.ensemble: EnsembleData | None = None

    def add(self, path: PathKey, message: Msg, *, key: bool = False) -> None:
        self.problems.append(self.doc.problem(path, message, key=key))

    def items(self, key: str) -> list[tuple[int, dict[str, Any]]]:
        value = self.data.get(key)
        if not isinstance(value, list):
            return []
        return [(i, item) for i, item in enumerate(value) if isinstance(item, dict)]

    def run(self) -> list[Problem]:
        self.sources()
        self.variables()
        self.features()
        self.model()
        self.targeting()
        check_performance(self)
        return self.problems

    # ------------------------------------------------------------ sources

    def sources(self) -> None:
        for i, source in self.items("sources"):
            sid = source.get("id")
            if isinstance(sid, str):
                if sid in self.source_ids:
                    self.add(
                        ("sources", i, "id"),
                        Msg(
                            "source « {s} » déclarée deux fois",
                            "source '{s}' declared twice",
                            s=sid,
                        ),
                    )
                self.source_ids.add(sid)

    def check_source_ref(self, path: PathKey, item: Mapping[str, Any]) -> None:
        ref = item.get("source")
        if isinstance(ref, str) and ref not in self.source_ids:
            self.add(
                (*path, "source"),
                Msg(
                    "source « {s} » non déclarée dans « sources »{hint}",
                    "source '{s}' is not declared under 'sources'{hint}",
                    s=ref,
                    hint=_suggest(ref, self.source_ids),
                ),
            )

    # ------------------------------------------------------------ variables

    def variables(self) -> None:
        for i, var in self.items("variables"):
            path: PathKey = ("variables", i)
            name, vtype = var.get("name"), var.get("type")
            if isinstance(name, str):
                if name in RESERVED_NAMES:
                    self.add(
                        (*path, "name"),
                        Msg(
                            "« {n} » est un nom réservé aux colonnes produites par Lanterne",
                            "'{n}' is reserved for columns that Lanterne writes",
                            n=name,
                        ),
                    )
                if name in self.env:
                    self.add(
                        (*path, "name"),
                        Msg(
                            "variable « {n} » déclarée deux fois",
                            "variable '{n}' declared twice",
                            n=name,
                        ),
                    )
            self.check_source_ref(path, var)
            if not isinstance(vtype, str) or vtype not in _VAR_TYPES:
                continue  # Pydantic reports the bad type
            categories = var.get("categories")
            if vtype == "category":
                if not categories:
                    self.add(
                        path,
                        Msg(
                            "une variable de type category doit lister ses « categories »",
                            "a category variable must list its 'categories'",
                        ),
                    )
                elif isinstance(categories, list) and len(set(map(str, categories))) != len(
                    categories
                ):
                    self.add(
                        (*path, "categories"),
                        Msg("catégorie en double", "duplicate category"),
                    )
            elif categories is not None:
                self.add(
                    (*path, "categories"),
                    Msg(
                        "seules les variables de type category ont des « categories »",
                        "only category variables have 'categories'",
                    ),
                    key=True,
                )
            labels = var.get("category_labels")
            if isinstance(labels, dict) and isinstance(categories, list):
                for key in labels:
                    if key not in map(str, categories):
                        self.add(
                            (*path, "category_labels", key),
                            Msg(
                                "« {k} » n'est pas une des categories déclarées",
                                "'{k}' is not one of the declared categories",
                                k=key,
                            ),
                            key=True,
                        )
            rng = var.get("range")
            if rng is not None:
                if vtype not in ("int", "float"):
                    self.add(
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
                    self.add(
                        (*path, "range"),
                        Msg(
                            "range [min, max] avec min > max",
                            "range [min, max] has min > max",
                        ),
                    )
            if isinstance(name, str):
                cats = tuple(map(str, categories)) if isinstance(categories, list) else None
                self.env[name] = NameInfo(_VAR_TYPES[vtype], cats)
                if var.get("sensitive") is True:
                    self.sensitive.add(name)

    # ------------------------------------------------------------ features

    def features(self) -> None:
        declared = [f.get("name") for _, f in self.items("features")]
        pending = {n for n in declared if isinstance(n, str)}
        for i, feat in self.items("features"):
            path: PathKey = ("features", i)
            name = feat.get("name")
            if isinstance(name, str):
                pending.discard(name)
                if name in RESERVED_NAMES:
                    self.add(
                        (*path, "name"),
                        Msg(
                            "« {n} » est un nom réservé aux colonnes produites par Lanterne",
                            "'{n}' is reserved for columns that Lanterne writes",
                            n=name,
                        ),
                    )
                if name in self.env:
                    self.add(
                        (*path, "name"),
                        Msg(
                            "le nom « {n} » est déjà pris par une variable ou une caractéristique",
                            "the name '{n}' is already used by a variable or a feature",
                            n=name,
                        ),
                    )
            self.check_source_ref(path, feat)
            self.later_features = pending
            result = self.expression((*path, "expr"), feat.get("expr"))
            if isinstance(name, str) and name not in self.env and result is not None:
                tree, kind = result
                self.feature_trees[name] = tree
                self.env[name] = NameInfo(kind)
        self.later_features = set()

    def expression(
        self, path: PathKey, source: Any, expect: ExprType | None = None
    ) -> tuple[Node, ExprType] | None:
        """Parse and type-check one expression; record a located problem if it fails."""
        if not isinstance(source, str):
            return None  # Pydantic reports the missing or non-text expression
        try:
            tree = parse(source)
            for name in sorted(names_in(tree)):
                self.check_name_use(name)
            kind = check_types(tree, self.env)
        except ExprError as exc:
            self.problems.append(self._expr_problem(path, source, exc))
            return None
        except _NameUseError as exc:
            self.problems.append(self._expr_problem(path, source, exc.as_expr_error(source)))
            return None
        if expect is not None and kind != expect and not (expect == "number" and kind == "bool"):
            want = {
                "bool": Msg("une condition (vrai/faux)", "a condition (true/false)"),
                "number": Msg("un nombre", "a number"),
                "category": Msg("une catégorie", "a category"),
            }[expect]
            self.add(
                path,
                Msg(
                    "cette expression doit donner {want}",
                    "this expression must give {want}",
                    want=want,
                ),
            )
            return None
        return tree, kind

    def check_name_use(self, name: str) -> None:
        if name in self.sensitive:
            raise _NameUseError(
                name,
                Msg(
                    "« {n} » est une variable sensible : un modèle ne doit pas l'utiliser "
                    "(elle ne sert qu'aux audits)",
                    "'{n}' is a sensitive variable: a model must not use it "
                    "(it only serves audits)",
                    n=name,
                ),
            )
        if name in self.later_features:
            raise _NameUseError(
                name,
                Msg(
                    "la caractéristique « {n} » est utilisée avant d'être définie "
                    "(les caractéristiques sont calculées dans l'ordre)",
                    "feature '{n}' is used before it is defined "
                    "(features are computed in the order written)",
                    n=name,
                ),
            )
        if name not in self.env:
            raise _NameUseError(
                name,
                Msg(
                    "nom inconnu « {n} » : ni variable ni caractéristique déclarée{hint}",
                    "unknown name '{n}': not a declared variable or feature{hint}",
                    n=name,
                    hint=_suggest(name, self.env),
                ),
            )

    def _expr_problem(self, path: PathKey, source: str, exc: ExprError) -> Problem:
        pos = self.doc.positions.get(path)
        problem = self.doc.problem(path, exc.message)
        if pos is None:
            return problem
        single_line = pos.end_line in (None, pos.line) and "\n" not in source
        if pos.style in (None, "'", '"') and single_line:
            shift = exc.offset + (1 if pos.style else 0)
            return Problem(exc.message, problem.file, pos.line, pos.column + shift, problem.path)
        return Problem(
            Msg(
                "{m} (caractère {k} de l'expression)",
                "{m} (character {k} of the expression)",
                m=exc.message,
                k=exc.offset + 1,
            ),
            problem.file,
            problem.line,
            problem.column,
            problem.path,
        )

    # ------------------------------------------------------------ model

    def model(self) -> None:
        model = self.data.get("model")
        if not isinstance(model, dict):
            return
        self.check_source_ref(("model",), model)
        has_default_source = isinstance(model.get("source"), str)
        kind = model.get("kind")
        if kind == "logistic":
            intercept = model.get("intercept")
            if isinstance(intercept, dict):
                self.number_source(("model", "intercept"), intercept, has_default_source)
            coefficients = model.get("coefficients")
            seen: set[str] = set()
            for i, coef in enumerate(coefficients if isinstance(coefficients, list) else []):
                if not isinstance(coef, dict):
                    continue
                path: PathKey = ("model", "coefficients", i)
                self.number_source(path, coef, has_default_source)
                feature = coef.get("feature")
                if not isinstance(feature, str):
                    continue
                if feature in seen:
                    self.add(
                        (*path, "feature"),
                        Msg(
                            "deux coefficients pour « {n} »",
                            "two coefficients for '{n}'",
                            n=feature,
                        ),
                    )
                seen.add(feature)
                if feature in self.sensitive:
                    self.add(
                        (*path, "feature"),
                        Msg(
                            "coefficient sur la variable sensible « {n} » : un modèle ne doit "
                            "pas l'utiliser",
                            "coefficient on the sensitive variable '{n}': a model must not use it",
                            n=feature,
                        ),
                    )
                elif feature not in self.env:
                    self.add(
                        (*path, "feature"),
                        Msg(
                            "coefficient pour « {n} », qui n'est ni une variable ni une "
                            "caractéristique déclarée{hint}",
                            "coefficient for '{n}', which is not a declared variable or feature"
                            "{hint}",
                            n=feature,
                            hint=_suggest(feature, self.env),
                        ),
                    )
                elif self.env[feature].type == "category":
                    self.add(
                        (*path, "feature"),
                        Msg(
                            "« {n} » est une catégorie : un coefficient porte sur un nombre ou "
                            "une condition, par exemple une caractéristique {n} == '...'",
                            "'{n}' is a category: a coefficient applies to a number or a "
                            "condition, e.g. a feature {n} == '...'",
                            n=feature,
                        ),
                    )
        elif kind == "trees":
            self.trees_model(model, has_default_source)
        elif kind == "additive":
            check_additive(self, model, has_default_source)
        elif kind == "scorecard":
            items = model.get("items")
            for i, item in enumerate(items if isinstance(items, list) else []):
                if not isinstance(item, dict):
                    continue
                path = ("model", "items", i)
                self.number_source(path, item, has_default_source)
                if "when" in item:
                    result = self.expression((*path, "when"), item["when"], expect="bool")
                elif "per" in item:
                    result = self.expression((*path, "per"), item["per"], expect="number")
                else:
                    result = None
                if result is not None:
                    self.item_trees.append(result[0])
            self.scorecard_profiles(model, has_default_source)
            bands = model.get("bands")
            if isinstance(bands, list):
                mins = [b.get("min_points") for b in bands if isinstance(b, dict)]
                numbers = [m for m in mins if isinstance(m, int | float)]
                if len(numbers) == len(mins) and any(b <= a for a, b in pairwise(numbers)):
                    self.add(
                        ("model", "bands"),
                        Msg(
                            "les bandes doivent être rangées par min_points strictement croissant",
                            "bands must be in strictly increasing order of min_points",
                        ),
                    )
                profiles = [b.get("profile") for b in bands if isinstance(b, dict)]
                if len(set(profiles)) != len(profiles):
                    self.add(("model", "bands"), Msg("profil en double", "duplicate profile"))

    def scorecard_profiles(self, model: Mapping[str, Any], has_default_source: bool) -> None:
        """Dimensions named by items exist; profile rules parse over the dimension totals."""
        dimensions = model.get("dimensions")
        names: dict[str, NameInfo] = {}
        for i, dim in enumerate(dimensions if isinstance(dimensions, list) else []):
            name = dim.get("name") if isinstance(dim, dict) else None
            if not isinstance(name, str):
                continue
            if name in names:
                self.add(
                    ("model", "dimensions", i, "name"),
                    Msg(
                        "dimension « {n} » déclarée deux fois",
                        "dimension '{n}' declared twice",
                        n=name,
                    ),
                )
            if f"points_{name}" in self.env:
                self.add(
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
                self.add(
                    ("model", "items", i, "dimension"),
                    Msg(
                        "dimension « {d} » non déclarée dans « dimensions »{hint}",
                        "dimension '{d}' is not declared under 'dimensions'{hint}",
                        d=dim,
                        hint=_suggest(dim, names),
                    ),
                )
            elif dim is None and names:
                self.add(
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
        saved_env = self.env
        self.env = names  # profile rules read the dimension totals, nothing else
        try:
            for i, rule in enumerate(profiles):
                if not isinstance(rule, dict):
                    self.profile_trees.append(None)
                    continue
                path: PathKey = ("model", "profiles", i)
                self.number_source(path, rule, has_default_source)
                profile = rule.get("profile")
                if isinstance(profile, str):
                    if profile in seen:
                        self.add((*path, "profile"), Msg("profil en double", "duplicate profile"))
                    seen.add(profile)
                last = i == len(profiles) - 1
                if "when" not in rule:
                    if not last:
                        self.add(
                            path,
                            Msg(
                                "seule la dernière règle de profil peut n'avoir pas de « when »",
                                "only the last profile rule may have no 'when'",
                            ),
                        )
                    self.profile_trees.append(None)
                    continue
                if last:
                    self.add(
                        (*path, "when"),
                        Msg(
                            "la dernière règle de profil n'a pas de « when » : elle donne le "
                            "profil de toutes les personnes que les autres règles laissent",
                            "the last profile rule has no 'when': it gives the profile of "
                            "everyone the other rules leave",
                        ),
                        key=True,
                    )
                result = self.expression((*path, "when"), rule["when"], expect="bool")
                self.profile_trees.append(result[0] if result else None)
        finally:
            self.env = saved_env

    def trees_model(self, model: Mapping[str, Any], has_default_source: bool) -> None:
        """A tree ensemble: provenance, the trees themselves, and the names they split on."""
        base = model.get("base_score")
        if isinstance(base, dict):
            self.number_source(("model", "base_score"), base, has_default_source)
        ensemble = model.get("ensemble")
        if not isinstance(ensemble, dict):
            return
        path: PathKey = ("model", "ensemble")
        self.number_source(path, ensemble, has_default_source)
        order = list(self.env)
        if isinstance(ensemble.get("trees"), list) and "file" not in ensemble:
            doc = self.doc

            def locate(t: int, key: str | None, node: int | None, message: Msg) -> Problem:
                where: PathKey = (*path, "trees", t)
                if key is not None:
                    where = (*where, key)
                if node is not None:
                    where = (*where, node)
                return doc.problem(where, message)

            packed, problems = pack_trees(ensemble["trees"], order=order, locate=locate)
            self.problems += problems
            if packed is not None:
                reported: set[str] = set()
                for t, raw in enumerate(ensemble["trees"]):
                    names = raw.get("feature") if isinstance(raw, dict) else None
                    for j, name in enumerate(names or []):
                        if not isinstance(name, str) or name in reported:
                            continue
                        message = self.bad_split_name(name)
                        if message is not None:
                            reported.add(name)
                            self.add((*path, "trees", t, "feature", j), message)
                if reported:
                    return
        elif isinstance(ensemble.get("file"), str) and "trees" not in ensemble:
            file, message = trees_file_path(ensemble["file"], self.doc.file)
            if file is None:
                self.add((*path, "file"), message or Msg("", ""))
                return
            sha = ensemble.get("sha256")
            raw, problems = read_trees_file(file, sha if isinstance(sha, str) else None)
            if problems:
                self.problems += [
                    Problem(
                        Msg(
                            "{m} (fichier des arbres nommé en {at})",
                            "{m} (trees file named at {at})",
                            m=p.message,
                            at=self.doc.problem((*path, "file"), Msg("", "")).location(),
                        ),
                        p.file,
                        p.line,
                        p.column,
                    )
                    for p in problems
                ]
                return
            packed, problems = pack_trees(raw, order=order)
            self.problems += [Problem(p.message, str(file)) for p in problems]
            if packed is not None:
                bad = [m for m in map(self.bad_split_name, packed.names) if m is not None]
                for message in bad:
                    self.add((*path, "file"), message)
                if bad:
                    return
        else:
            return  # Pydantic reports a missing or doubled place
        if packed is not None:
            self.ensemble = packed

    def bad_split_name(self, name: str) -> Msg | None:
        """Why a tree may not split on ``name``, or None if it may."""
        if name in self.sensitive:
            return Msg(
                "les arbres lisent « {n} », une variable sensible : un modèle ne doit pas "
                "l'utiliser (elle ne sert qu'aux audits)",
                "the trees read '{n}', a sensitive variable: a model must not use it "
                "(it only serves audits)",
                n=name,
            )
        if name not in self.env:
            return Msg(
                "les arbres lisent « {n} », qui n'est ni une variable ni une caractéristique "
                "déclarée{hint}",
                "the trees read '{n}', which is not a declared variable or feature{hint}",
                n=name,
                hint=_suggest(name, self.env),
            )
        if self.env[name].type == "category":
            return Msg(
                "les arbres lisent « {n} », une catégorie : un arbre compare des nombres ; "
                "déclarez des indicateurs, par exemple une caractéristique {n} == '...'",
                "the trees read '{n}', a category: a tree compares numbers; declare "
                "indicators, e.g. a feature {n} == '...'",
                n=name,
            )
        return None

    def number_source(self, path: PathKey, item: Mapping[str, Any], default: bool) -> None:
        self.check_source_ref(path, item)
        if not default and not isinstance(item.get("source"), str):
            self.add(
                path,
                Msg(
                    "source manquante : chaque nombre dit d'où il vient (« source » ici, "
                    "ou une source par défaut dans « model »)",
                    "missing source: every number says where it comes from ('source' here, "
                    "or a default source under 'model')",
                ),
            )

    # ------------------------------------------------------------ targeting

    def targeting(self) -> None:
        targeting = self.data.get("targeting")
        if isinstance(targeting, dict):
            self.check_source_ref(("targeting",), targeting)


class _NameUseError(Exception):
    def __init__(self, name: str, message: Msg) -> None:
        self.name = name
        self.message = message

    def as_expr_error(self, source: str) -> ExprError:
        match = re.search(rf"(?<![A-Za-z0-9_]){re.escape(self.name)}(?![A-Za-z0-9_])", source)
        return ExprError(self.message, match.start() if match else 0)


def _suggest(name: str, known: Mapping[str, Any] | set[str]) -> Msg | str:
    close = difflib.get_close_matches(name, list(known), n=1)
    if close:
        return Msg(" (vouliez-vous dire « {c} » ?)", " (did you mean '{c}'?)", c=close[0])
    return ""
