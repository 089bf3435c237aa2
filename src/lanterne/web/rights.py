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
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from lanterne.errors import LanterneError
from lanterne.explain.household import DEFAULT_ARCHETYPES
from lanterne.i18n import Msg, format_number, format_percent, pick
from lanterne.model import Model, load_model
from lanterne.population.archetypes import load_archetypes
from lanterne.rights.catalog import RightsCatalog, load_rights_catalog
from lanterne.rights.inputs import AGE_BANDS, ASSUMPTIONS, INPUT_COLUMNS
from lanterne.rights.simulate import default_month, openfisca_version
from lanterne.web.common import app_state, category_labels, unit_label, variable_label
from lanterne.web.render import page, page_lang
from lanterne.web.score import Field, _text, archetype_choices, chosen_archetype
from lanterne.web.situation import carried_values, household_keys, situation_query
from lanterne.web.state import AppState

router = APIRouter()

#: Month of the rights when the form does not say (same as ``lanterne rights``).
#: Benefits shown, in this order (the catalog's keys): the four the population audits
#: draw take-up for, then the family benefits and the health cover (``family_benefits``).
BENEFITS = ("rsa", "ppa", "housing", "aah", "asf", "af", "cf", "css")
#: The model whose spec gives the labels, help texts and categories of the inputs.
LABELS_MODEL = "fr-cnaf-2014"
#: Inputs of the form, in this order (``head_age`` replaces ``age_band``: RSA turns on 25).
FORM_COLUMNS = tuple(c for c in INPUT_COLUMNS if c != "age_band")
HEAD_AGE = {"fr": "Âge du responsable", "en": "Age of the head of household"}
AGE_RANGE = (16, 110)
HEAD_AGE_HELP = Msg(
    "L'âge de la personne qui demande (le RSA demande 25 ans, sauf avec un enfant à charge).",
    "The age of the person claiming (RSA needs 25, except with a dependent child).",
)


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
            frame = pl.DataFrame(
                {
                    "family_type": ["single_parent"],
                    "n_children": [2],
                    "head_age": [40],
                    "head_activity": ["inactive"],
                    "income_monthly": [0.0],
                    "housing_status": ["hosted"],
                }
            )
            _simulate_one(frame, default_month())
            self._ready = True

    def household(self, frame: pl.DataFrame, month: str) -> dict[str, Any]:
        """Monthly amounts (``<key>_amount``) of the one household of ``frame`` for
        ``month``: the four audited benefits, the family benefits and the CSS."""
        self.warm()
        return _simulate_one(frame, month)


def _simulate_one(frame: pl.DataFrame, month: str) -> dict[str, Any]:
    from lanterne.rights.inputs import derive_situations
    from lanterne.rights.simulate import BENEFITS as AUDITED
    from lanterne.rights.simulate import FAMILY_BENEFITS, simulate

    out = simulate(derive_situations(frame), month, {**AUDITED, **FAMILY_BENEFITS})
    return {f"{k}_amount": float(v[0]) for k, v in out.items()}


def rights_engine(state: AppState) -> RightsEngine:
    """The app's engine (made on first use; :func:`warm_in_background` starts it early)."""
    engine = state.extra.get("rights")
    if not isinstance(engine, RightsEngine):
        with _ENGINE_LOCK:
            engine = state.extra.get("rights")
            if not isinstance(engine, RightsEngine):
                engine = RightsEngine()
                state.extra["rights"] = engine
    return engine


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


def _labels_model(state: AppState) -> Model:
    return state.models.get(LABELS_MODEL) or load_model(LABELS_MODEL)


def archetype_values(archetype: str) -> dict[str, str]:
    """The form's values for a catalog archetype (``head_age`` from its age band)."""
    return dict(_archetype_values(archetype))


@lru_cache(maxsize=64)
def _archetype_values(archetype: str) -> dict[str, str]:
    # the catalog file is read once per archetype: the score page asks on every request
    house = load_archetypes(DEFAULT_ARCHETYPES).household(archetype)
    values = {c: _text(house.get(c)) for c in FORM_COLUMNS if house.get(c) is not None}
    if "head_age" not in values:
        values["head_age"] = str(AGE_BANDS.get(str(house.get("age_band")), 40))
    return values


def form_fields(
    model: Model, values: dict[str, str], lang: str, errors: dict[str, str] | None = None
) -> list[Field]:
    """The inputs of the rights check, labelled as on the score page."""
    errors = errors or {}
    fields = []
    for name in FORM_COLUMNS:
        base: dict[str, Any] = {
            "name": name,
            "value": values.get(name, ""),
            "error": errors.get(name),
        }
        var = model.spec.variable(name)
        if name == "head_age" or var is None:
            youngest, oldest = AGE_RANGE
            fields.append(
                Field(
                    label=HEAD_AGE[lang] if name == "head_age" else name.replace("_", " "),
                    help=HEAD_AGE_HELP.render(lang),
                    kind="number",
                    min=str(youngest),
                    max=str(oldest),
                    unit="ans" if lang == "fr" else "years",
                    **base,
                )
            )
            continue
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


def read_inputs(model: Model, form: FormData) -> Inputs:
    """The form's values, each checked against what the rights computation accepts."""
    values = {c: str(form.get(c, "")).strip() for c in FORM_COLUMNS}
    month = str(form.get("month", "")).strip() or default_month()
    inputs = Inputs(values, month)
    english = {f.name: f for f in form_fields(model, values, "en")}
    for f in form_fields(model, values, "fr"):
        value = values[f.name]
        if f.kind == "select":
            allowed = [v for v, _ in f.options]
            if value not in allowed:
                inputs.errors[f.name] = Msg(
                    "« {v} » n'est pas un des choix proposés : {a}",
                    "'{v}' is not one of the choices: {a}",
                    v=value[:40],
                    a=Msg(
                        ", ".join(label for _, label in f.options),
                        ", ".join(label for _, label in english[f.name].options),
                    ),
                )
            continue
        try:
            number = float(value.replace(",", ".").replace("\u202f", "").replace(" ", ""))
        except ValueError:
            inputs.errors[f.name] = Msg(
                "« {v} » n'est pas un nombre", "'{v}' is not a number", v=value
            )
            continue
        lo = float(f.min) if f.min is not None else None
        hi = float(f.max) if f.max is not None else None
        if number != number or (lo is not None and number < lo) or (hi is not None and number > hi):
            inputs.errors[f.name] = Msg(
                "{v} est hors de l'intervalle permis ({lo} – {hi})",
                "{v} is outside the allowed range ({lo} – {hi})",
                v=value,
                lo=f.min or "",
                hi=f.max or "",
            )
        elif f.step == "1" and not number.is_integer():
            inputs.errors[f.name] = Msg(
                "{v} : un nombre entier est attendu", "{v}: a whole number is expected", v=value
            )
        else:  # "1 500,5" → "1500.5": the text the rights table reads
            values[f.name] = str(int(number)) if number.is_integer() else str(number)
    return inputs


def household_frame(values: dict[str, str]) -> pl.DataFrame:
    """One household as the text table ``lanterne rights`` builds from ``--set``."""
    return pl.DataFrame({k: [v] for k, v in values.items()}, schema={k: pl.String for k in values})


# ---------------------------------------------------------------------- pages


@router.get("/rights", response_class=HTMLResponse)
async def rights_form(
    request: Request, archetype: str | None = None, month: str | None = None
) -> HTMLResponse:
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
    if not isinstance(keys, frozenset):  # first use: computed once per app
        keys = state.extra["household_keys"] = household_keys(state.models)
    return carried_values(source, FORM_COLUMNS, keys)


@router.post("/rights", response_class=HTMLResponse)
async def rights_result(request: Request) -> HTMLResponse:
    form = await request.form()
    # OpenFisca runs in a thread: the other pages stay responsive
    return await run_in_threadpool(_rights_result, request, form)


def _rights_result(request: Request, form: FormData) -> HTMLResponse:
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
    try:
        row = engine.household(household_frame(inputs.values), inputs.month)
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
    return _render(
        request,
        lang,
        inputs.values,
        inputs.month,
        None,
        result=result_context(engine.catalog, row, inputs.month, lang),
        carried=_carried(request, form),
    )


FAMILY_ASSUMPTION = Msg(
    "Allocation de soutien familial : l'autre parent ne verse pas de pension alimentaire "
    "(s'il en verse une, l'ASF la complète seulement jusqu'à son montant) ; les enfants "
    "sont à charge et vivent au foyer.",
    "Family support allowance: the other parent pays no child support (if they pay some, "
    "the ASF only tops it up to its amount); the children are dependants living in the "
    "household.",
)


def month_label(month: str, lang: str) -> str:
    """``2026-12`` → ``décembre 2026`` / ``December 2026``.

    >>> month_label("2026-12", "fr"), month_label("2025-06", "en")
    ('décembre 2026', 'June 2025')
    """
    import datetime as dt

    from lanterne.contest.letters import format_date

    return format_date(dt.date.fromisoformat(f"{month}-01"), lang).split(" ", 1)[1]


def _benefit(catalog: RightsCatalog, key: str) -> Any:
    return catalog.benefit(key) if key in catalog.benefits else catalog.family_benefit(key)


def result_context(
    catalog: RightsCatalog, row: dict[str, Any], month: str, lang: str
) -> dict[str, Any]:
    """Everything the result part of the page shows.

    The CSS is a health cover, not money: free (``css_free``), or with a monthly
    contribution (``css_paid``), and counts for nothing in the total.
    """
    benefits = []
    total = 0.0
    for key in BENEFITS:
        b = _benefit(catalog, key)
        rate = b.nonrecours
        if key == "css":
            free, paid = row["css_free_amount"] > 0, row["css_paid_amount"]
            entitled = free or paid > 0
            if free:
                amount = Msg("gratuite", "free").render(lang)
            elif paid > 0:
                amount = Msg(
                    "participation de {p} € par mois",
                    "contribution of €{p} a month",
                    p=Msg(format_number(paid, "fr", 2), format_number(paid, "en", 2)),
                ).render(lang)
            else:
                amount = "—"
        else:
            value = row[f"{key}_amount"]
            entitled = value > 0
            total += value
            amount = format_number(value, lang, 2)
        apply = b.apply
        benefits.append(
            {
                "key": key,
                "name": pick(b.label, lang),
                "entitled": entitled,
                "amount": amount,
                "rules": pick(b.rules, lang),
                "claim": pick(b.claim, lang),
                "apply_url": apply.url if apply else None,
                "apply_source": catalog.source(apply.source).title if apply else None,
                "nonrecours": None if rate.rate is None else format_percent(rate.rate, lang, 0),
                "nonrecours_status": rate.status,
                "nonrecours_source": catalog.source(rate.source).title,
                "nonrecours_url": catalog.source(rate.source).url,
            }
        )
    return {
        "month": month_label(month, lang),
        "benefits": benefits,
        "total": format_number(total, lang, 2),
        "any": any(b["entitled"] for b in benefits),
        "assumptions": [a.render(lang) for a in (*ASSUMPTIONS, FAMILY_ASSUMPTION)],
        "openfisca": openfisca_version(),
    }


def _render(
    request: Request,
    lang: str,
    values: dict[str, str],
    month: str,
    archetype: str | None,
    *,
    result: dict[str, Any] | None = None,
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
        month_error=errors.get("month"),
        result=result,
        problems=problems or [],
        carried=carried,
        links=links,
        repost="household",  # a posted page switches language by posting it again
    )
