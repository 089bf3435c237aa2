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

from dataclasses import dataclass, field, replace
from functools import lru_cache, partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from lanterne.contest.letters import LETTER_KINDS
from lanterne.errors import LanterneError
from lanterne.explain import Budget, Explanation, build_household, counterfactuals
from lanterne.explain.counterfactual import CounterfactualResult
from lanterne.explain.explanation import explain_household
from lanterne.explain.household import DEFAULT_ARCHETYPES, Household
from lanterne.explain.household import archetype_set_for as _archetype_set_for
from lanterne.explain.population import Population
from lanterne.i18n import Msg, format_number, pick
from lanterne.inputs.sources import Person
from lanterne.model import Model
from lanterne.population.archetypes import load_archetypes
from lanterne.present.explanation import explanation_view
from lanterne.present.explanation_changes import changes_view
from lanterne.web.chart import contribution_svg
from lanterne.web.common import (
    PageError,
    app_state,
    category_labels,
    get_model,
    unit_label,
    variable_label,
)
from lanterne.web.letters import letter_form, letter_form_values
from lanterne.web.render import page, page_lang
from lanterne.web.situation import carried_values, household_keys, situation_query
from lanterne.web.standing import score_quantiles, standing_svg

router = APIRouter()

DEFAULT_ARCHETYPE = "single-mother-rsa"
PERSON_FIELDS = ("name", "address", "file_number", "email", "phone", "city")
#: The counterfactual search must not hold a page for long.
SEARCH_BUDGET = Budget(max_evaluations=200_000, seconds=1.0)
#: Letter formats offered on the page (the kind is chosen by a radio button).
LETTER_FORMATS = ("pdf", "docx", "odt", "html", "txt", "md")
#: What the download buttons may ask: the explanation, a letter of the chosen kind, its
#: notes, or (older links) a letter named with its kind.
DOWNLOADS = (
    "explanation.txt",
    "explanation.json",
    *(f"letter.{ext}" for ext in LETTER_FORMATS),
    "notes.html",
    "notes.pdf",
    "notes.txt",
    *(f"letter-{k}.{ext}" for k in LETTER_KINDS for ext in LETTER_FORMATS),
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


@lru_cache(maxsize=64)
def archetype_set_for(model_id: str) -> str:
    """The model's archetype set (the catalog folder is listed once per model, not per
    request)."""
    return _archetype_set_for(model_id)


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
        raise PageError(
            404,
            Msg(
                "profil-type inconnu « {a} » : choisissez dans la liste de la page (par "
                "exemple « {v} »)",
                "unknown archetype '{a}': choose one from the page's list (for instance '{w}')",
                a=ref[:40],
                v=dict(archetype_choices("fr", set_id))[default],
                w=dict(archetype_choices("en", set_id))[default],
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
        base: dict[str, Any] = {  # the arguments every kind of field takes
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
                    unit=unit_label(var.unit, lang),
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


def _field_errors(
    model: Model, exc: LanterneError, lang: str, values: dict[str, str] | None = None
) -> tuple[dict[str, str], list[str]]:
    """Problems attached to their form field where the message names it, said with the
    field's label, its choices or its range and unit in words (never a code)."""
    by_field: dict[str, str] = {}
    general: list[str] = []
    names = sorted(model.used_variables, key=len, reverse=True)
    fields = {f.name: f for f in _blank_fields(model, lang)}
    sep = " : " if lang == "fr" else ": "
    for problem in exc.problems:
        text = problem.message.render(lang)
        where = f"{problem.path or ''} {text}"
        name = next((n for n in names if n in where), None)
        if name is None or name not in fields:
            general.append(text)
            continue
        plain = field_message(fields[name], (values or {}).get(name, ""), lang)
        if name not in by_field:
            by_field[name] = plain
            general.append(f"{fields[name].label}{sep}{plain}")
    return by_field, general


def _number(text: str | None, lang: str) -> str | None:
    """A bound as the page writes numbers ("100 000")."""
    if text is None:
        return None
    value = float(text)
    return format_number(value, lang, 0 if value.is_integer() else 2)


def field_message(f: Field, value: str, lang: str) -> str:
    """What a form field expects, in words: its choices or its range and unit.

    >>> f = Field("n", "Enfants", "", "number", "", min="0", max="12", unit="enfants")
    >>> field_message(f, "15", "fr")
    '« 15 » ne convient pas : un nombre entier de 0 à 12 (enfants) est attendu.'
    """
    shown = value.strip()[:40]
    if not shown:
        return Msg("une valeur est attendue.", "a value is expected.").render(lang)
    if f.kind == "select":
        return Msg(
            "« {v} » n'est pas un des choix proposés : {c}.",
            "'{v}' is not one of the choices: {c}.",
            v=shown,
            c=", ".join(label for _, label in f.options),
        ).render(lang)
    whole = (
        Msg("un nombre entier", "a whole number") if f.step == "1" else Msg("un nombre", "a number")
    )
    unit = f" ({f.unit})" if f.unit else ""
    lo, hi = _number(f.min, lang), _number(f.max, lang)
    if lo is not None and hi is not None:
        expected = Msg("{w} de {a} à {b}{u}", "{w} from {a} to {b}{u}", w=whole, a=lo, b=hi, u=unit)
    elif lo is not None:
        expected = Msg("{w} d'au moins {a}{u}", "{w} of at least {a}{u}", w=whole, a=lo, u=unit)
    else:
        expected = Msg("{w}{u}", "{w}{u}", w=whole, u=unit)
    return Msg(
        "« {v} » ne convient pas : {e} est attendu.",
        "'{v}' does not fit: {e} is expected.",
        v=shown,
        e=expected,
    ).render(lang)


def _carried(request: Request, source: Any, model: Model) -> dict[str, str]:
    """The household values the score page does not show but keeps (the rights inputs)."""
    state = app_state(request)
    keys = state.extra.get("household_keys")
    if not isinstance(keys, frozenset):  # first use: computed once per app
        keys = state.extra["household_keys"] = household_keys(state.models)
    return carried_values(source, model.used_variables, keys)


@router.get("/score", response_class=HTMLResponse)
async def score_form(
    request: Request,
    model: str | None = None,
    archetype: str | None = None,
    search: str | None = None,
) -> HTMLResponse:
    """The form; with the household's values in the address (a link from a result or from
    "Mes droits"), the result at once."""
    lang = page_lang(request)
    chosen = get_model(request, model)
    query = request.query_params
    if any(n in query for n in chosen.used_variables):
        values: dict[str, Any] = {n: _text(v) for n, v in _start_values(chosen, archetype).items()}
        items = [(k, v) for k, v in values.items() if k not in query]
        form = FormData([*items, *query.multi_items()])
        return await run_in_threadpool(partial(_score_result, search=search == "1"), request, form)
    ref = chosen_archetype(archetype, lang, archetype_set_for(chosen.id))
    values = _defaults(chosen, ref)
    start = _rights_start(chosen, ref)
    return _render(request, lang, chosen, values, ref, carried=_carried(request, start, chosen))


def _start_values(model: Model, archetype: str | None) -> dict[str, Any]:
    """The values a household given in an address starts from (then overridden)."""
    ref = archetype or (
        DEFAULT_ARCHETYPE
        if archetype_set_for(model.id) == DEFAULT_ARCHETYPES
        else archetype_choices("fr", archetype_set_for(model.id))[0][0]
    )
    return {**_rights_start(model, ref), **_defaults(model, ref)}


def _rights_start(model: Model, archetype: str) -> dict[str, str]:
    """The rights inputs of a French archetype (carried as hidden fields), else nothing."""
    if archetype_set_for(model.id) != DEFAULT_ARCHETYPES:
        return {}
    from lanterne.web.rights import archetype_values

    return archetype_values(archetype)


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
    carried: dict[str, str] | None = None,
    letter_fields: dict[str, str] | None = None,
) -> HTMLResponse:
    state = app_state(request)
    carried = carried or {}
    situation = {**carried, **{k: _text(v) for k, v in values.items()}}
    links = {
        "self": "/score?" + situation_query(situation, model=model.id, lang=lang) + "#result",
        "rights": "/rights?" + situation_query(situation, lang=lang) + "#result"
        if archetype_set_for(model.id) == DEFAULT_ARCHETYPES
        else None,
    }
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
        population=state.label_for(model.id),
        letter_form=letter_form(
            lang,
            model.spec.country,
            {k: getattr(person, k) for k in PERSON_FIELDS} if person else {},
            letter_fields or {},
            agency,
        ),
        carried=carried,
        links=links,
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
        errors, problems = _field_errors(model, error, lang, _form_values(model, form))
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
            carried=_carried(request, form, model),
        )
    exp = explain(request, model, house)
    population = app_state(request).populations.get(model.id)
    return _render(
        request,
        lang,
        model,
        house.values,
        None,
        result=result_context(model, house, exp, lang, search=search, population=population),
        person=person,
        agency=agency,
        carried=_carried(request, form, model),
        letter_fields=letter_form_values(form),
    )


def result_context(
    model: Model,
    house: Household,
    exp: Explanation,
    lang: str,
    *,
    search: bool = False,
    population: Population | None = None,
) -> dict[str, Any]:
    """Everything the result part of the page shows.

    ``search`` also runs the counterfactual search (within :data:`SEARCH_BUDGET`); without
    it the page offers a button that asks for it. ``population``: the one the household is
    ranked in, drawn in "You are here".
    """
    view = explanation_view(exp)
    table = view.table
    shown = [r for r in table.rows if r.number]
    comma = lang == "fr"
    svg = contribution_svg(
        [r.title.render(lang) for r in shown],
        [r.number for r in shown],
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
    if search and searchable and threshold is not None:
        search_result = counterfactuals(model, house, threshold, SEARCH_BUDGET)
        found = changes_view(search_result, model)
    elif threshold is not None and not searchable:  # already below: nothing to search
        below = CounterfactualResult(model.id, threshold, exp.score, mutable=(), candidates={})
        found = changes_view(below)
    quantiles = _quantiles(population) if population is not None else None
    return {
        "here": standing_svg(
            quantiles,
            score=exp.score,
            percentile=view.percentile,
            threshold=threshold,
            lang=lang,
        ),
        "top": view.top(3),
        "score": view.score_percent.render(lang),
        "percentile": view.percentile,
        "selected": view.selected,
        "view": view,
        "table": table,
        "chart": svg,
        "searchable": searchable,
        "search": found,
    }


_QUANTILES: dict[int, Any] = {}


def _quantiles(population: Population) -> Any:
    """The population's score quantiles (computed once per population)."""
    key = id(population)
    if key not in _QUANTILES:
        _QUANTILES[key] = score_quantiles(population.scores)
    return _QUANTILES[key]
