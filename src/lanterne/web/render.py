"""Templates, the page language and the language switch shared by every page."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse

from lanterne.i18n import LANGS, Msg, format_number, format_percent, normalise_lang, pick, tr
from lanterne.provenance import status_label

TEMPLATES = Path(__file__).parent / "templates"


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    return env


def page_lang(request: Request) -> str:
    """The language asked for by ``?lang=`` (or a form field), else the server's default."""
    asked = request.query_params.get("lang")
    if asked:
        try:
            return normalise_lang(asked)
        except ValueError:
            pass
    return request.app.state.lanterne.lang


def switch_url(request: Request, lang: str) -> str:
    """This page's address in the other language (GET; a form result goes back to the form)."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    params.append(("lang", lang))
    return f"{request.url.path}?{urlencode(params)}"


def page(
    request: Request,
    template: str,
    lang: str,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """Render a page of the app in ``lang``.

    ``repost`` (the id of a form on the page): when the page answers that form's POST, the
    language switch is a button that posts the form again to this address in the other
    language, so a result page keeps the values typed, without JavaScript.
    """
    other = next(x for x in LANGS if x != lang)
    repost = context.pop("repost", None)
    if request.method != "POST":
        repost = None  # a page reached by a link switches language by a link

    def t(fr: str, en: str, /, **params: Any) -> str:
        return tr(fr, en, lang, **params)

    html = (
        environment()
        .get_template(template)
        .render(
            request=request,
            lang=lang,
            other_lang=other,
            switch=switch_url(request, other),
            repost=repost,
            t=t,
            pick=lambda text: pick(text, lang),
            msg=lambda m: m.render(lang) if isinstance(m, Msg) else str(m),
            num=lambda v, d=2: format_number(v, lang, d),
            pct=lambda v, d=1: format_percent(v, lang, d),
            status=lambda s: status_label(s, lang),
            link=lambda path, **q: _link(path, lang, **q),
            model_name=lambda mid: _model_name(request, mid, lang),
            **context,
        )
    )
    return HTMLResponse(html, status_code=status_code)


def _model_name(request: Request, model_id: str, lang: str) -> str:
    """A served model's name in the page's language (its id if it is not served)."""
    model = request.app.state.lanterne.models.get(model_id)
    return pick(model.spec.name, lang) if model is not None else model_id


def _link(path: str, lang: str, **query: Any) -> str:
    pairs = [(k, v) for k, v in query.items() if v is not None]
    pairs.append(("lang", lang))
    return f"{path}?{urlencode(pairs)}"
