"""The models pages: the catalog, one model in full, and two models side by side."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from lanterne.explain.shape_rows import shape_rows
from lanterne.explain.shapes import shape_views
from lanterne.i18n import Msg, format_sig, pick
from lanterne.model import Model
from lanterne.web.common import app_state, describe_range, get_model, variable_label
from lanterne.web.render import page, page_lang

router = APIRouter()


def targeting_text(model: Model, lang: str) -> str:
    rule = model.targeting
    if rule.top_share is not None:
        return Msg(
            "les {p} % de scores les plus élevés sont contrôlés",
            "the top {p}% of scores are inspected",
            p=format_sig(rule.top_share * 100, lang, 4),
        ).render(lang)
    if rule.threshold is not None:
        return Msg(
            "les foyers dont le score atteint {t} sont contrôlés",
            "households scoring {t} or more are inspected",
            t=format_sig(rule.threshold, lang, 4),
        ).render(lang)
    raise AssertionError("a targeting rule has a share or a threshold")  # pragma: no cover


@router.get("/models", response_class=HTMLResponse)
async def catalog(request: Request) -> HTMLResponse:
    state = app_state(request)
    lang = page_lang(request)
    rows = [
        {
            "model": m,
            "name": pick(m.spec.name, lang),
            "description": pick(m.spec.description, lang),
            "status": m.spec.overall_status(),
            "targeting": targeting_text(m, lang),
            "n_used": len(m.used_variables),
        }
        for m in state.models.values()
    ]
    ids = list(state.models)
    return page(request, "models.html", lang, rows=rows, ids=ids)


@router.get("/models/compare", response_class=HTMLResponse)
async def compare(request: Request, a: str | None = None, b: str | None = None) -> HTMLResponse:
    state = app_state(request)
    lang = page_lang(request)
    ids = list(state.models)
    left = get_model(request, a or ids[0])
    right = get_model(request, b or ids[-1])
    names: list[str] = []
    for m in (left, right):
        for v in m.used_variables:
            if v not in names:
                names.append(v)
    rows = []
    for name in names:
        var = left.spec.variable(name) or right.spec.variable(name)
        rows.append(
            {
                "name": name,
                "label": variable_label(var, lang) if var else name,
                "left": [t for t in left.terms if name in t.variables],
                "right": [t for t in right.terms if name in t.variables],
            }
        )
    return page(
        request,
        "compare.html",
        lang,
        ids=ids,
        left=left,
        right=right,
        rows=rows,
        targeting={m.id: targeting_text(m, lang) for m in (left, right)},
        additive=any(shape_views(m) is not None for m in (left, right)),
    )


@router.get("/models/{model_id}", response_class=HTMLResponse)
async def model_page(request: Request, model_id: str) -> HTMLResponse:
    lang = page_lang(request)
    model = get_model(request, model_id)
    spec = model.spec
    used = set(model.used_variables)
    variables = [
        {
            "var": v,
            "label": variable_label(v, lang),
            "description": pick(v.description, lang),
            "accepts": describe_range(v, lang),
            "used": v.name in used,
        }
        for v in spec.variables
    ]
    return page(
        request,
        "model.html",
        lang,
        model=model,
        spec=spec,
        variables=variables,
        terms=model.terms,
        counts=spec.status_counts(),
        targeting=targeting_text(model, lang),
        logistic=model.link == "logit",
        shapes=shape_tables(model, lang),
    )


def shape_tables(model: Model, lang: str) -> list[dict[str, object]] | None:
    """An additive model's shape functions as small tables with text bars (else ``None``)."""
    views = shape_views(model)
    if views is None:
        return None
    scale = max((abs(b.score) for v in views for b in v.bins()), default=1.0)
    labels = {t.name: t.label for t in model.terms}
    out: list[dict[str, object]] = []
    for view in views:
        rows, bins = shape_rows(view, lang, scale=scale)
        label = labels.get(view.term)
        out.append(
            {
                "title": f"{pick(label, lang)} ({view.term})" if label else view.term,
                "status": view.status,
                "source": view.source.title if view.source else None,
                "rows": rows,
                "grouped": len(rows) < bins,
                "bins": bins,
            }
        )
    return out
