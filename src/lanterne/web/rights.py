""" "Mes droits" / "My rights": a form of the household inputs ``lanterne rights`` reads →
each benefit (RSA, activity bonus, housing benefit, AAH), entitled or not, its monthly
amount computed with OpenFisca-France, the rules, where to claim it and the assumptions.

OpenFisca-France takes a few seconds to load and to run its first simulation: the
:class:`RightsEngine` kept in the app state loads it once (at startup under
``lanterne serve``, else on the first request); a household then takes well under a
second. The form is plain HTML and nothing is stored.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import polars as pl
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from lanterne.errors import LanterneError
from lanterne.i18n import Msg, pick
from lanterne.inputs.assemble import MissingValues
from lanterne.inputs.numbers import number_problem, parse_number
from lanterne.io.std import json_text
from lanterne.model import Model, load_model
from lanterne.present.rights import RightsAnswer, household_amounts, rights_answer
from lanterne.rights.catalog import RightsCatalog, load_rights_catalog
from lanterne.rights.household import (
    LABELS_MODEL,
    RightsHousehold,
    archetype_rights_values,
    rights_frame,
    rights_household,
    rights_variables,
)
from lanterne.rights.inputs import INPUT_COLUMNS
from lanterne.rights.simulate import FIRST_MONTH, default_month
from lanterne.web.common import app_state, category_labels, unit_label, variable_label
from lanterne.web.render import page, page_lang
from lanterne.web.score import Field, _text, archetype_choices, chosen_archetype
from lanterne.web.situation import carried_values, household_keys, situation_query
from lanterne.web.state import AppState

router = APIRouter()

#: Inputs of the form, in this order (``head_age`` replaces ``age_band``: RSA turns on 25).
FORM_COLUMNS = tuple(c for c in INPUT_COLUMNS if c != "age_band")


class RightsEngine:
    """What every rights computation reuses: the catalog, and OpenFisca loaded once.

    Thread-safe: the first caller loads OpenFisca-France and runs one small simulation
    (which also builds OpenFisca's caches); the others wait for it.

    >>> engine = RightsEngine()
    >>> engine.catalog.benefits["rsa"].nonrecours.rate
    0.34
    """

    def __init__(self, catalog: RightsCatalog | None = None) -> None:
        self.catalog = catalog or load_rights_catalog()
        self._lock = threading.Lock()
        self._ready = False

    @property
    def ready(self) -> bool:
        return self._ready

    def warm(self) -> None:
        """Load OpenFisca-France and run one household (a few seconds, once)."""
        if self._ready:
            return
        with self._lock:
            if self._ready:
                return
            frame = rights_frame(
                {
                    "family_type": "single_parent",
                    "n_children": 2,
                    "head_age": 40,
                    "head_activity": "inactive",
                    "income_monthly": 0.0,
                    "housing_status": "hosted",
                }
            )
            household_amounts(frame, default_month())
            self._ready = True

    def household(self, frame: pl.DataFrame, month: str) -> dict[str, Any]:
        """Monthly amounts (``<key>_amount``) of the one household of ``frame`` for
        ``month``: the four audited benefits, the family benefits and the CSS."""
        self.warm()
        return household_amounts(frame, month)


def rights_engine(state: AppState) -> RightsEngine:
    """The app's engine (made on first use; :func:`warm_in_background` starts it early)."""
    engine = state.extra.get("rights")
    if engine is None:
        with _ENGINE_LOCK:
            engine = state.extra.get("rights")
            if engine is None:
                engine = RightsEngine()
                state.extra["rights"] = engine
    return engine  # type: ignore[return-value]


_ENGINE_LOCK = threading.Lock()


def warm_in_background(state: AppState) -> threading.Thread:
    """Load OpenFisca in a daemon thread so the first rights check does not wait."""
    thread = threading.Thread(
        target=lambda: rights_engine(state).warm(), name="lanterne-rights-warm", daemon=True
    )
    thread.start()
    return thread


# ---------------------------------------------------------------------- the form


@dataclass
class Inputs:
    """What the form sent, and what is wrong with it (by field)."""

    values: dict[str, str]
    month: str
    errors: dict[str, Msg] = field(default_factory=dict)
    household: RightsHousehold | None = None


def _labels_model(state: AppState) -> Model:
    return state.models.get(LABELS_MODEL) or load_model(LABELS_MODEL)


def archetype_values(archetype: str) -> dict[str, str]:
    """The form's values for a catalog archetype (``head_age`` from its age band)."""
    return dict(_archetype_values(archetype))


@lru_cache(maxsize=64)
def _archetype_values(archetype: str) -> dict[str, str]:
    # the catalog file is read once per archetype: the score page asks on every request
    values = archetype_rights_values(archetype)
    return {c: _text(values[c]) for c in FORM_COLUMNS if c in values}


def form_fields(
    model: Model, values: dict[str, str], lang: str, errors: dict[str, str] | None = None
) -> list[Field]:
    """The inputs of the rights check, labelled as on the score page."""
    errors = errors or {}
    fields = []
    variables = rights_variables()
    for name in FORM_COLUMNS:
        base: dict[str, Any] = {
            "name": name,
            "value": values.get(name, ""),
            "error": errors.get(name),
        }
        var = variables[name]
        label = variable_label(var, lang)
        help_text = pick(var.description, lang)
        if var.type == "category":
            opts = list(category_labels(var, lang).items())
            if name == "department":  # "59 — Nord" rather than a bare code
                names = department_names()
                opts = [
                    (code, f"{code} — {names[code]}" if code in names else label)
                    for code, label in opts
                ]
            fields.append(Field(label=label, help=help_text, kind="select", options=opts, **base))
        elif var.type == "bool":
            yes, no = ("oui", "non") if lang == "fr" else ("yes", "no")
            fields.append(
                Field(
                    label=label,
                    help=help_text,
                    kind="select",
                    options=[("true", yes), ("false", no)],
                    **base,
                )
            )
        else:
            lo, hi = var.range if var.range else (0, None)
            fields.append(
                Field(
                    label=label,
                    help=help_text,
                    kind="number",
                    min=_text(lo),
                    max=None if hi is None else _text(hi),
                    step="1" if var.type == "int" else "any",
                    unit=unit_label(var.unit, lang),
                    **base,
                )
            )
    return fields


@lru_cache(maxsize=1)
def department_names() -> dict[str, str]:
    """Each département's name, read from the catalog's list of Caf ("Caf du Nord" → "Nord").

    >>> department_names()["59"], department_names()["2A"], department_names()["64"]
    ('Nord', 'Corse-du-Sud', 'Pyrénées-Atlantiques')
    """
    from lanterne.contest.agencies import load_agencies

    names = {"64": "Pyrénées-Atlantiques"}  # two Caf there (Béarn et Soule, Pays basque)
    for agency in load_agencies().agencies:
        rest = agency.name.removeprefix("Caf ")
        for article in ("du ", "de la ", "de l'", "des ", "de ", "d'"):
            if rest.startswith(article):
                rest = rest[len(article) :]
                break
        names.setdefault(agency.code, rest[:1].upper() + rest[1:])
    return names


#: Fields the rights check cannot do without (the others have a stated default).
REQUIRED = (*(n for n, (needed, _) in INPUT_COLUMNS.items() if needed), "head_age")


def read_inputs(model: Model, form: FormData) -> Inputs:
    """The form's values read as the rights check reads a household (the same reading as
    ``lanterne rights --set``); what is wrong is said next to its field, in the page's words."""
    values = {c: str(form.get(c, "")).strip() for c in FORM_COLUMNS}
    month = str(form.get("month", "")).strip() or default_month()
    inputs = Inputs(values, month)
    try:
        inputs.household = rights_household(form=values)
    except LanterneError as exc:
        fields = {f.name: f for f in form_fields(model, values, "fr")}
        english = {f.name: f for f in form_fields(model, values, "en")}
        problems = [] if isinstance(exc, MissingValues) else exc.problems
        for problem in problems:
            name = problem.path or ""
            f = fields.get(name)
            if f is None:
                inputs.errors[name] = problem.message
            else:
                inputs.errors[name] = _field_error(f, english[name], values[name])
        for name in REQUIRED:  # every problem at once: the blank ones too
            if not values.get(name):
                inputs.errors[name] = Msg("une valeur est attendue", "a value is expected")
        return inputs
    # "1 500,5" → "1500.5": the form shows what was read
    inputs.values.update({k: _text(v) for k, v in inputs.household.values.items()})
    return inputs


def _field_error(f: Field, english: Field, value: str) -> Msg:
    """What is wrong with a field's value, with its choices by their labels or its range."""
    if f.kind == "select":
        return Msg(
            "« {v} » n'est pas un des choix proposés : {a}",
            "'{v}' is not one of the choices: {a}",
            v=value[:40],
            a=Msg(
                ", ".join(label for _, label in f.options),
                ", ".join(label for _, label in english.options),
            ),
        )
    why = number_problem(value)  # the words of the one number parser
    if why is not None:
        return why
    if f.step == "1" and not parse_number(value).is_integer():
        return Msg("{v} : un nombre entier est attendu", "{v}: a whole number is expected", v=value)
    return Msg(
        "{v} est hors de l'intervalle permis ({lo} – {hi})",
        "{v} is outside the allowed range ({lo} – {hi})",
        v=value,
        lo=f.min or "",
        hi=f.max or "",
    )


# ---------------------------------------------------------------------- pages


@router.get("/rights", response_class=HTMLResponse)
async def rights_form(
    request: Request, archetype: str | None = None, month: str | None = None
) -> Response:
    """The form; with the household's values in the address (a link from "Mon score" or
    from a result), the result at once: the household is not typed again."""
    lang = page_lang(request)
    ref = chosen_archetype(archetype, lang)
    query = request.query_params
    if any(c in query for c in FORM_COLUMNS):
        start = [(k, v) for k, v in archetype_values(ref).items() if k not in query]
        form = FormData([*start, *query.multi_items()])
        return await run_in_threadpool(_rights_result, request, form)
    values = archetype_values(ref)
    score_start = _score_values(request, ref)
    return _render(
        request, lang, values, month or default_month(), ref, carried=_carried(request, score_start)
    )


def _score_values(request: Request, archetype: str) -> dict[str, str]:
    """The French score model's inputs for an archetype (carried as hidden fields)."""
    from lanterne.web.score import _defaults

    model = app_state(request).models.get(LABELS_MODEL)
    if model is None:
        return {}
    return {k: _text(v) for k, v in _defaults(model, archetype).items()}


def _carried(request: Request, source: Any) -> dict[str, str]:
    state = app_state(request)
    keys = state.extra.get("household_keys")
    if keys is None:
        keys = state.extra["household_keys"] = household_keys(state.models)
    return carried_values(source, FORM_COLUMNS, keys)  # type: ignore[arg-type]


@router.post("/rights", response_class=HTMLResponse)
async def rights_result(request: Request) -> Response:
    form = await request.form()
    # OpenFisca runs in a thread: the other pages stay responsive
    return await run_in_threadpool(_rights_result, request, form)


def _rights_result(request: Request, form: FormData) -> Response:
    lang = page_lang(request)
    state = app_state(request)
    inputs = read_inputs(_labels_model(state), form)
    problems: list[str] = []
    from lanterne.rights.simulate import check_month

    try:
        check_month(inputs.month)
    except LanterneError as exc:
        inputs.errors["month"] = exc.problems[0].message
    if inputs.errors:
        labels = {f.name: f.label for f in form_fields(_labels_model(state), {}, lang)}
        labels["month"] = "Mois" if lang == "fr" else "Month"
        for name, message in inputs.errors.items():
            sep = " : " if lang == "fr" else ": "
            problems.append(f"{labels.get(name, name)}{sep}{message.render(lang)}")
        return _render(
            request,
            lang,
            inputs.values,
            inputs.month,
            None,
            errors={k: m.render(lang) for k, m in inputs.errors.items()},
            problems=problems,
            status_code=422,
            carried=_carried(request, form),
        )
    engine = rights_engine(state)
    assert inputs.household is not None  # no errors: the household was read
    try:
        row = engine.household(inputs.household.frame, inputs.month)
    except LanterneError as exc:  # a value the checks above let through
        return _render(
            request,
            lang,
            inputs.values,
            inputs.month,
            None,
            problems=[p.render(lang) for p in exc.problems],
            status_code=422,
            carried=_carried(request, form),
        )
    answer = rights_answer(engine.catalog, row, inputs.month, lang)
    if form.get("download") == "json":  # the same object as ``lanterne rights --json``
        body = json_text(answer.to_dict())
        return Response(
            body.encode("utf-8"),
            media_type="application/json",
            headers={
                "content-disposition": f'attachment; filename="lanterne-rights-{answer.month}.json"'
            },
        )
    return _render(
        request,
        lang,
        inputs.values,
        inputs.month,
        None,
        result=answer,
        carried=_carried(request, form),
    )


def _render(
    request: Request,
    lang: str,
    values: dict[str, str],
    month: str,
    archetype: str | None,
    *,
    result: RightsAnswer | None = None,
    errors: dict[str, str] | None = None,
    problems: list[str] | None = None,
    status_code: int = 200,
    carried: dict[str, str] | None = None,
) -> HTMLResponse:
    state = app_state(request)
    errors = errors or {}
    carried = carried or {}
    situation = {**carried, **values}
    links = {
        "self": "/rights?" + situation_query(situation, month=month, lang=lang) + "#result",
        "score": "/score?" + situation_query(situation, model=LABELS_MODEL, lang=lang) + "#result"
        if LABELS_MODEL in state.models
        else None,
    }
    return page(
        request,
        "rights.html",
        lang,
        status_code=status_code,
        archetypes=archetype_choices(lang),
        archetype=archetype,
        fields=form_fields(_labels_model(state), values, lang, errors),
        month=month,
        first_month=FIRST_MONTH,
        month_error=errors.get("month"),
        result=result,
        problems=problems or [],
        carried=carried,
        links=links,
        repost="household",  # a posted page switches language by posting it again
    )
