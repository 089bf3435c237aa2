"""The home page: what Lanterne is, in plain words."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from lanterne.web.render import page, page_lang

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> HTMLResponse:
    state = request.app.state.lanterne
    return page(request, "home.html", page_lang(request), population=state.population_label)
