"""The archetypes page: typical households and their scores under one model."""

from __future__ import annotations

import numpy as np
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from lanterne.explain.household import archetype_set_for
from lanterne.i18n import Msg, format_percent, pick
from lanterne.model import Model
from lanterne.population.archetypes import load_archetypes
from lanterne.population.experiments import ArchetypeResult, run_archetypes
from lanterne.report.charts import Chart, bar_chart
from lanterne.web.common import app_state, get_model, variable_label
from lanterne.web.render import page, page_lang

router = APIRouter()


@router.get("/archetypes", response_class=HTMLResponse)
async def archetypes_page(request: Request, model: str | None = None) -> HTMLResponse:
    lang = page_lang(request)
    chosen = get_model(request, model)
    state = app_state(request)
    population = state.populations.get(chosen.id)  # None: a model served unranked
    scores = population.scores if population is not None else None
    result, chart = _table(id(state), chosen, lang, scores)
    arch = load_archetypes(archetype_set_for(chosen.id))
    return page(
        request,
        "archetypes.html",
        lang,
        model=chosen,
        models=list(state.models),
        result=result,
        chart=chart,
        set_name=pick(arch.name, lang),
        set_description=pick(arch.description, lang),
        set_status=arch.status,
        population=state.label_for(chosen.id),
        var_label=lambda name: _label(chosen, name, lang),
    )


_CACHE: dict[tuple[int, str, str], tuple[ArchetypeResult, Chart]] = {}


def _table(
    key: int, model: Model, lang: str, scores: np.ndarray | None
) -> tuple[ArchetypeResult, Chart]:
    """Scores and chart, computed once per model and language (they never change)."""
    cached = _CACHE.get((key, model.id, lang))
    if cached is not None:
        return cached
    result = run_archetypes(model, load_archetypes(archetype_set_for(model.id)), scores)
    bases = [r for r in result.rows if r.variation is None]
    chart = bar_chart(
        f"arch-{model.id}",
        [r.label(lang) for r in bases],
        [r.score for r in bases],
        title=Msg("Score de chaque profil-type", "Each archetype's score").render(lang),
        alt=Msg(
            "Score de chaque profil-type ; le seuil de sélection est en pointillés. Les "
            "chiffres sont dans le tableau.",
            "Each archetype's score; the selection threshold is dashed. The figures are in "
            "the table.",
        ).render(lang),
        value_label=Msg("score", "score").render(lang),
        reference=result.threshold,
        reference_label=Msg("seuil", "threshold").render(lang),
        lang=lang,
    )
    _CACHE[(key, model.id, lang)] = (result, chart)
    return result, chart


def percent(value: float | None, lang: str) -> str:
    return "—" if value is None else format_percent(value, lang, 1)


def _label(model: Model, name: str, lang: str) -> str:
    """A variable's label on the page (its name if the spec does not declare it)."""
    var = model.spec.variable(name)
    return variable_label(var, lang) if var is not None else name
