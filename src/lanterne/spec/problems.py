r"""Turn Pydantic validation errors into located, bilingual problems.

Used by every loader of YAML catalog files (model specs, archetypes, populations...), so
that a typo anywhere is reported the same way: file, line, column, plain message.

Example:
    >>> from pydantic import BaseModel, ValidationError
    >>> from lanterne.spec.yamlpos import load_yaml_with_positions
    >>> class Point(BaseModel):
    ...     x: float
    >>> doc = load_yaml_with_positions("x: abc\n", "p.yaml")
    >>> try:
    ...     Point.model_validate(doc.data)
    ... except ValidationError as exc:
    ...     print(pydantic_problems(doc, exc)[0].render("en"))
    p.yaml:1:4: a number was expected, found 'abc'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from lanterne.errors import Problem, SpecError
from lanterne.i18n import Msg
from lanterne.spec.yamlpos import YamlDocument, load_yaml_with_positions

_M = TypeVar("_M", bound=BaseModel)


def validate_yaml(text: str, file: str, schema: type[_M]) -> _M:
    r"""Parse YAML text and validate it against ``schema``; every problem is located.

    Raises :class:`~lanterne.errors.SpecError` with the duplicate keys and validation
    errors, each reported once.

    >>> class Point(BaseModel):
    ...     x: float
    >>> validate_yaml("x: 2\n", "p.yaml", Point).x
    2.0
    """
    doc = load_yaml_with_positions(text, file)
    problems = list(doc.duplicates)
    try:
        result = schema.model_validate(doc.data)
    except ValidationError as exc:
        problems += pydantic_problems(doc, exc)
        result = None
    if problems or result is None:
        raise SpecError(dedupe(problems))
    return result


def pydantic_problems(doc: YamlDocument, exc: ValidationError) -> list[Problem]:
    """Every error of a Pydantic validation, located in the YAML document."""
    return [pydantic_problem(doc, err) for err in exc.errors()]


def dedupe(problems: list[Problem]) -> list[Problem]:
    """Drop problems reported twice at the same place with the same message."""
    seen: set[tuple[Any, ...]] = set()
    out = []
    for p in problems:
        key = (p.line, p.column, p.message.render("en"))
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


def pydantic_problem(doc: YamlDocument, err: Mapping[str, Any]) -> Problem:
    path: list[str | int] = []
    node: Any = doc.data
    loc = list(err["loc"])
    missing_field: str | None = None
    for i, part in enumerate(loc):
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        ):
            node = node[part]
            path.append(part)
        elif i == len(loc) - 1 and err["type"] == "missing":
            missing_field = str(part)
        # other parts are Pydantic's union tags ("logistic"): not in the document
    message = _translate(err, missing_field)
    problem = doc.problem(tuple(path), message, key=err["type"] == "extra_forbidden")
    if missing_field:
        problem = Problem(
            problem.message,
            problem.file,
            problem.line,
            problem.column,
            ".".join(filter(None, [problem.path, missing_field])),
        )
    return problem


def _translate(err: Mapping[str, Any], missing_field: str | None) -> Msg:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    value = err.get("input")
    if kind == "missing":
        return Msg(
            "champ obligatoire « {f} » manquant",
            "required field '{f}' is missing",
            f=missing_field or "?",
        )
    if kind == "extra_forbidden":
        return Msg(
            "champ inconnu « {f} » (faute de frappe ?)",
            "unknown field '{f}' (a typo?)",
            f=err["loc"][-1],
        )
    if kind == "literal_error":
        return Msg(
            "valeur {v!r} non reconnue : attendu {exp}",
            "value {v!r} not recognised: expected {exp}",
            v=value,
            exp=ctx.get("expected", "?"),
        )
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        return Msg(
            "type de modèle (kind) {v!r} non reconnu : attendu 'logistic' ou 'scorecard'",
            "model kind {v!r} not recognised: expected 'logistic' or 'scorecard'",
            v=ctx.get("tag", value if not isinstance(value, dict) else None),
        )
    if kind == "string_pattern_mismatch":
        return Msg(
            "{v!r} ne convient pas : lettres, chiffres et _ (ou - pour un identifiant), "
            "en commençant par une lettre",
            "{v!r} does not fit: letters, digits and _ (or - for an id), starting with a letter",
            v=value,
        )
    if kind in ("float_parsing", "float_type", "int_parsing", "int_type", "int_from_float"):
        return Msg("nombre attendu, trouvé {v!r}", "a number was expected, found {v!r}", v=value)
    if kind == "finite_number":
        return Msg(
            "nombre fini attendu, trouvé {v!r}",
            "a finite number was expected, found {v!r}",
            v=value,
        )
    if kind in ("bool_parsing", "bool_type"):
        return Msg(
            "true ou false attendu, trouvé {v!r}",
            "true or false was expected, found {v!r}",
            v=value,
        )
    if kind == "string_type":
        if isinstance(value, int | float | bool):
            return Msg(
                "texte attendu, trouvé {v!r} : écrivez la valeur entre guillemets "
                "(YAML lit 25_34, 01 ou yes comme des nombres ou des booléens)",
                "a text was expected, found {v!r}: put the value in quotes "
                "(YAML reads 25_34, 01 or yes as numbers or booleans)",
                v=value,
            )
        return Msg("texte attendu, trouvé {v!r}", "a text was expected, found {v!r}", v=value)
    if kind in ("list_type", "tuple_type"):
        return Msg("liste attendue", "a list was expected")
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return Msg(
            "dictionnaire attendu (clé: valeur), trouvé {v!r}",
            "a mapping (key: value) was expected, found {v!r}",
            v=value,
        )
    if kind in ("too_short", "string_too_short"):
        return Msg("ne doit pas être vide", "must not be empty")
    if kind == "too_long":
        return Msg("trop d'éléments", "too many items")
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        bound = next(iter(ctx.values()), "?")
        words = {
            "greater_than": ("> {b}", "> {b}"),
            "greater_than_equal": ("≥ {b}", "≥ {b}"),
            "less_than": ("< {b}", "< {b}"),
            "less_than_equal": ("≤ {b}", "≤ {b}"),
        }[kind]
        return Msg(
            "{v!r} hors limites : doit être " + words[0],
            "{v!r} out of bounds: must be " + words[1],
            v=value,
            b=bound,
        )
    if kind == "value_error":
        text = str(ctx.get("error", err["msg"]))
        return Msg(_VALUE_ERRORS_FR.get(text, text), text)
    return Msg(err["msg"], err["msg"])


_VALUE_ERRORS_FR = {
    "a source needs a url, a legal_reference or a document so that readers can find it": (
        "une source doit avoir une url, une legal_reference ou un document pour que l'on "
        "puisse la retrouver"
    ),
    "a scorecard item needs exactly one of 'when' (a condition) or 'per'": (
        "une ligne de barème a exactement un « when » (une condition) ou un « per »"
    ),
    "scale.max must be greater than scale.min": "scale.max doit être supérieur à scale.min",
    "targeting needs exactly one of top_share or threshold": (
        "le ciblage a exactement un top_share ou un threshold"
    ),
}
