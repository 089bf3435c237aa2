"""Helpers shared by the page modules: finding a model, describing variables."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from starlette.exceptions import HTTPException

from lanterne.i18n import Msg, pick
from lanterne.model import Model
from lanterne.spec.schema import Variable
from lanterne.web.state import AppState


class PageError(HTTPException):
    """A request refused with a page that says why, in both languages (``problems``)."""

    def __init__(self, status_code: int, problems: Msg | list[Msg]) -> None:
        super().__init__(status_code)
        self.problems = problems if isinstance(problems, list) else [problems]


def app_state(request: Request) -> AppState:
    return request.app.state.lanterne


def get_model(request: Request, model_id: str | None) -> Model:
    """The catalog model ``model_id`` (the first one when not given), or a 404 page."""
    state = app_state(request)
    if not model_id:
        return next(iter(state.models.values()))
    found = state.model(model_id)
    if found is None:
        raise PageError(
            404,
            Msg(
                "modèle inconnu « {m} » : choisissez parmi {ms}",
                "unknown model '{m}': choose among {ms}",
                m=model_id,
                ms=", ".join(state.models),
            ),
        )
    return found


def variable_label(var: Variable, lang: str) -> str:
    return pick(var.label, lang) if var.label else var.name.replace("_", " ")


def describe_range(var: Variable, lang: str) -> str:
    """ "0 – 12 months" style summary of what a variable accepts."""
    if var.type == "category" and var.categories:
        return ", ".join(category_labels(var, lang).values())
    if var.type == "bool":
        return "oui / non" if lang == "fr" else "yes / no"
    if var.range is not None:
        lo, hi = var.range
        unit = f" {unit_label(var.unit, lang)}" if var.unit else ""
        return f"{_n(lo)} – {_n(hi)}{unit}"
    return unit_label(var.unit, lang)


def category_labels(var: Variable, lang: str) -> dict[str, str]:
    labels = var.category_labels or {}
    return {
        c: (pick(labels[c], lang) if c in labels else c.replace("_", " "))
        for c in var.categories or []
    }


#: The catalog's units in words ("EUR/month" → "€ par mois"); an unknown unit is shown as
#: written, so a new one is never hidden (the page test flags it).
UNITS: dict[str, Msg] = {
    "EUR/month": Msg("€ par mois", "€ a month"),
    "EUR": Msg("€", "€"),
    "months": Msg("mois", "months"),
    "years": Msg("ans", "years"),
    "days": Msg("jours", "days"),
    "children": Msg("enfants", "children"),
    "changes": Msg("changements", "changes"),
    "contacts": Msg("contacts", "contacts"),
    "percent": Msg("%", "%"),
    "%": Msg("%", "%"),
}


def unit_label(unit: str | None, lang: str) -> str:
    """A unit in the page's language.

    >>> unit_label("EUR/month", "fr"), unit_label("months", "en"), unit_label(None, "fr")
    ('€ par mois', 'months', '')
    """
    if not unit:
        return ""
    known = UNITS.get(unit)
    return known.render(lang) if known else unit


def _n(value: Any) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
