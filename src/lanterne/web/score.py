""" "Mon score" / "My score": a form of the model's inputs → score, rank, contributions,
what the model reacts to, and the explanation and letters to download.

The form is plain HTML (no JavaScript): the values travel back with every submit, the
download buttons post the same form to ``/score/download``. Nothing is stored.

``POST /score`` shows the result at once (score, percentile, contributions, sentences);
the search for what would change the decision (:func:`~lanterne.explain.counterfactuals`,
up to a second) is its own request: a button of the result posts the same form to
``/score/search``, which shows the same result plus what the model reacts to. On a result
page the language switch is a button that posts the same form again in the other language,
so the typed values are kept.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from functools import lru_cache, partial
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException

from lanterne.contest.letters import LETTER_KINDS, render_letter
from lanterne.errors import LanterneError
from lanterne.explain import Budget, Explanation, build_household, counterfactuals
from lanterne.explain.counterfactual import CounterfactualResult
from lanterne.explain.explanation import explain_household
from lanterne.explain.household import (
    DEFAULT_ARCHETYPES,
    Household,
    Person,
    archetype_set_for,
)
from lanterne.explain.sentences import describe_value, signed
from lanterne.i18n import Msg, format_percent, pick
from lanterne.model import Model
from lanterne.population.archetypes import load_archetypes
from lanterne.web.chart import contribution_svg
from lanterne.web.common import app_state, category_labels, get_model, variable_label
from lanterne.web.render import page, page_lang

router = APIRouter()

DEFAULT_ARCHETYPE = "single-mother-rsa"
PERSON_FIELDS = ("name", "address", "file_number", "email", "phone", "city")
#: The counterfactual search must not hold a page for long.
SEARCH_BUDGET = Budget(max_evaluations=200_000, seconds=1.0)
DOWNLOADS = (
    "explanation.txt",
    "explanation.json",
    *(f"letter-{k}.{ext}" for k in LETTER_KINDS for ext in ("pdf", "txt", "md")),
)


@dataclass
class Field:
    """One input of the form."""

    name: str
    label: str
    help: str
    kind: str  # "select" or "number"
    value: str
    options: list[tuple[str, str]] = field(default_factory=list)
    min: str | None = None
    max: str | None = None
    step: str = "1"
    unit: str | None = None
    error: str | None = None


@lru_cache(maxsize=16)
def archetype_choices(lang: str, set_id: str = DEFAULT_ARCHETYPES) -> list[tuple[str, str]]:
    """The archetypes a form may start from (the catalog file is read once)."""
    arch = load_archetypes(set_id)
    return [(a.id, pick(a.label, lang)) for a in arch.archetypes]


def chosen_archetype(archetype: str | None, lang: str, set_id: str = DEFAULT_ARCHETYPES) -> str:
    """The archetype a form starts from (the default one if none is asked); 404 if unknown."""
    choices = archetype_choices(lang, set_id)
    default = DEFAULT_ARCHETYPE if set_id == DEFAULT_ARCHETYPES else choices[0][0]
    ref = archetype or default
    valid = {a for a, _ in choices}
    if ref not in valid:
        raise HTTPException(
            404,
            detail=Msg(
                "profil-type inconnu « {a} » : choisissez parmi {v}",
                "unknown archetype '{a}': choose among {v}",
                a=ref,
                v=", ".join(sorted(valid)),
            ),
        )
    return ref


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}" if abs(value) < 1e15 else str(value)
    return str(value)


def form_fields(
    model: Model, values: dict[str, Any], lang: str, errors: dict[str, str] | None = None
) -> list[Field]:
    """The form's inputs: every variable the model reads, in the spec's order."""
    errors = errors or {}
    return [
        replace(f, value=_text(values.get(f.name)), error=errors.get(f.name))
        for f in _blank_fields(model, lang)
    ]


@lru_cache(maxsize=32)
def _blank_fields(model: Model, lang: str) -> tuple[Field, ...]:
    """The inputs without their values: labels, help, options never change for a model."""
    fields = []
    for name in model.used_variables:
        var = model.spec.variable(name)
        if var is None:  # pragma: no cover - used variables are declared
            continue
        base = {
            "name": name,
            "label": variable_label(var, lang),
            "help": pick(var.description, lang),
            "value": "",
        }
        if var.type == "category":
            opts = list(category_labels(var, lang).items())
            fields.append(Field(kind="select", options=opts, **base))
        elif var.type == "bool":
            yes, no = ("oui", "non") if lang == "fr" else ("yes", "no")
            fields.append(Field(kind="select", options=[("true", yes), ("false", no)], **base))
        else:
            lo, hi = var.range if var.range else (None, None)
            fields.append(
                Field(
                    kind="number",
                    min=None if lo is None else _text(lo),
                    max=None if hi is None else _text(hi),
                    step="1" if var.type == "int" else "any",
                    unit=var.unit,
                    **base,
                )
            )
    return tuple(fields)


def _defaults(model: Model, archetype: str) -> dict[str, Any]:
    """The archetype's values (computed once per model and archetype: they never change)."""
    key = (model.id, model.checked.file, archetype)
    if key not in _DEFAULTS:
        house = build_household(model, archetype=archetype, require=())
        _DEFAULTS[key] = dict(house.values)
    return dict(_DEFAULTS[key])


_DEFAULTS: dict[tuple[str, str, str], dict[str, Any]] = {}


def _form_values(model: Model, form: FormData) -> dict[str, str]:
    return {n: str(form.get(n, "")) for n in model.used_variables}


def _person(form: FormData) -> Person:
    return Person(**{f: (str(form.get(f, "")).strip() or None) for f in PERSON_FIELDS})


def _field_errors(model: Model, exc: LanterneError, lang: str) -> tuple[dict[str, str], list[str]]:
    """Problems attached to their form field where the message names it."""
    by_field: dict[str, str] = {}
    general: list[str] = []
    names = sorted(model.used_variables, key=len, reverse=True)
    for problem in exc.problems:
        text = problem.message.render(lang)
        where = f"{problem.path or ''} {text}"
        name = next((n for n in names if n in where), None)
        if name and name not in by_field:
            by_field[name] = text
        general.append(problem.render(lang))
    return by_field, general


@router.get("/score", response_class=HTMLResponse)
async def score_form(
    request: Request, model: str | None = None, archetype: str | None = None
) -> HTMLResponse:
    lang = page_lang(request)
    chosen = get_model(request, model)
    ref = chosen_archetype(archetype, lang, archetype_set_for(chosen.id))
    values = _defaults(chosen, ref)
    return _render(request, lang, chosen, values, ref)


def _render(
    request: Request,
    lang: str,
    model: Model,
    values: dict[str, Any],
    archetype: str | None,
    *,
    result: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    problems: list[str] | None = None,
    person: Person | None = None,
    agency: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    state = app_state(request)
    return page(
        request,
        "score.html",
        lang,
        status_code=status_code,
        model=model,
        models=list(state.models),
        archetypes=archetype_choices(lang, archetype_set_for(model.id)),
        archetype=archetype,
        fields=form_fields(model, values, lang, errors),
        person=person or Person(),
        agency=agency,
        result=result,
        problems=problems or [],
        population=state.population_label if model.id in state.populations else None,
        downloads=DOWNLOADS,
        repost="household",  # a posted page switches language by posting it again
    )


def _household(request: Request, form: FormData) -> tuple[Model, Household | None, Any]:
    model = get_model(request, str(form.get("model", "")) or None)
    values = _form_values(model, form)
    try:
        house = build_household(model, values=values, person=_person(form))
    except LanterneError as exc:
        return model, None, exc
    return model, house, None


def explain(request: Request, model: Model, house: Household) -> Explanation:
    # models served without a population (Amsterdam's) are placed by their threshold only
    population = app_state(request).populations.get(model.id)
    # the page shows no comparison with a reference household: skip computing one
    return explain_household(model, house, population=population, reference="none")


@router.post("/score", response_class=HTMLResponse)
async def score_result(request: Request) -> HTMLResponse:
    form = await request.form()
    # a few milliseconds of work: done here, without the hop to a thread and back
    return _score_result(request, form)


@router.post("/score/search", response_class=HTMLResponse)
async def score_search(request: Request) -> HTMLResponse:
    """The same result, plus the search for what would change the decision."""
    form = await request.form()
    # up to a second of work: in a thread, so that other requests are not held
    return await run_in_threadpool(partial(_score_result, search=True), request, form)


def _score_result(request: Request, form: FormData, *, search: bool = False) -> HTMLResponse:
    lang = page_lang(request)
    model, house, error = _household(request, form)
    person = _person(form)
    agency = str(form.get("agency", ""))
    if house is None:
        errors, problems = _field_errors(model, error, lang)
        return _render(
            request,
            lang,
            model,
            _form_values(model, form),
            None,
            errors=errors,
            problems=problems,
            person=person,
            agency=agency,
            status_code=422,
        )
    exp = explain(request, model, house)
    return _render(
        request,
        lang,
        model,
        house.values,
        None,
        result=result_context(model, house, exp, lang, search=search),
        person=person,
        agency=agency,
    )


def result_context(
    model: Model, house: Household, exp: Explanation, lang: str, *, search: bool = False
) -> dict[str, Any]:
    """Everything the result part of the page shows.

    ``search`` also runs the counterfactual search (within :data:`SEARCH_BUDGET`); without
    it the page offers a button that asks for it.
    """
    ordered = sorted(exp.contributions, key=lambda c: -abs(c.contribution))
    shown = [c for c in ordered if c.contribution]
    comma = lang == "fr"
    svg = contribution_svg(
        [c.title(lang) for c in shown],
        [c.contribution for c in shown],
        title=Msg(
            "Contribution de chaque élément au score", "Each element's contribution to the score"
        ).render(lang),
        description=Msg(
            "Barres vers la droite : l'élément fait monter le score ; vers la gauche : il le "
            "fait baisser. Les mêmes chiffres sont dans le tableau qui suit.",
            "Bars to the right raise the score; bars to the left lower it. The same figures "
            "are in the table that follows.",
        ).render(lang),
        decimal_comma=comma,
    )
    threshold = exp.standing.threshold
    # only a selected household has a decision that changes could reverse
    searchable = threshold is not None and bool(exp.standing.selected)
    found = None
    if search and searchable:
        found = counterfactuals(model, house, threshold, SEARCH_BUDGET).summary(lang)
    elif threshold is not None and not searchable:  # already below: nothing to search
        below = CounterfactualResult(model.id, threshold, exp.score, mutable=(), candidates={})
        found = below.summary(lang)
    return {
        "score": format_percent(exp.score, lang, 1),
        "percentile": exp.standing.percentile,
        "selected": exp.standing.selected,
        "standing": exp.standing_sentences(lang),
        "sentences": exp.sentences(lang),
        "warnings": [w.render(lang) for w in exp.warnings],
        "margin_name": exp.margin_name.render(lang),
        "weight_heading": exp.weight_heading(lang),
        "base": signed(exp.base, lang, 3),
        "base_status": exp.base_status,
        "rows": [
            {
                "title": c.title(lang),
                "value": describe_value(c.value, lang),
                "weight": exp.weight_text(c, lang),
                "contribution": signed(c.contribution, lang, 3),
                "status": c.status,
                "sign": "up" if c.contribution > 0 else ("down" if c.contribution < 0 else ""),
            }
            for c in ordered
        ],
        "total": signed(exp.margin, lang, 3),
        "chart": svg,
        "searchable": searchable,
        "search": found,
    }


@router.post("/score/download")
async def download(request: Request) -> Response:
    form = await request.form()
    return await run_in_threadpool(_download, request, form)


def _download(request: Request, form: FormData) -> Response:
    lang = page_lang(request)
    model, house, error = _household(request, form)
    if house is None:
        raise error
    what = str(form.get("download", ""))
    if what not in DOWNLOADS:
        raise HTTPException(
            400,
            detail=Msg(
                "téléchargement inconnu « {w} » : attendu {v}",
                "unknown download '{w}': expected {v}",
                w=what,
                v=", ".join(DOWNLOADS),
            ),
        )
    stem, ext = what.rsplit(".", 1)
    exp = explain(request, model, house)
    if stem == "explanation":
        if ext == "json":
            body = json.dumps(exp.to_json(lang), ensure_ascii=False, indent=2).encode()
            return _attachment(body, "application/json", f"lanterne-{model.id}-explanation.json")
        return _attachment(
            exp.render(lang).encode(),
            "text/plain; charset=utf-8",
            f"lanterne-{model.id}-explanation.txt",
        )
    kind = stem.removeprefix("letter-")
    letter = render_letter(
        kind,
        model=model,
        person=house.person,
        lang=lang,
        agency=str(form.get("agency", "")).strip() or None,
        explanation=exp if kind == "explanation" else None,
    )
    name = f"lanterne-{kind}-{lang}.{ext}"
    if ext == "pdf":
        return _attachment(letter.pdf(), "application/pdf", name)
    if ext == "md":
        return _attachment(letter.markdown.encode(), "text/markdown; charset=utf-8", name)
    return _attachment(letter.text().encode(), "text/plain; charset=utf-8", name)


def _attachment(body: bytes, media_type: str, filename: str) -> Response:
    return Response(
        body,
        media_type=media_type,
        headers={"content-disposition": f"attachment; filename*=UTF-8''{quote(filename)}"},
    )
