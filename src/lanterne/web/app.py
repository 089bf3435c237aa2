"""The application factory: state, middleware, error pages and the page routers."""

from __future__ import annotations

import gc
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException
from starlette.types import Scope

from lanterne.errors import LanterneError
from lanterne.i18n import Msg, format_number, normalise_lang
from lanterne.web import archetypes, audit, home, letters, models, rights, score
from lanterne.web.common import PageError
from lanterne.web.origin import RequestGuard
from lanterne.web.render import page, page_lang
from lanterne.web.security import HEADERS, SecurityMiddleware, UploadTooLarge
from lanterne.web.state import DEFAULT_POPULATION_ROWS, DEFAULT_SEED, AppState, load_state
from lanterne.web.uploads import remove_stale_uploads

log = logging.getLogger("lanterne.web")

CSS = Path(__file__).parent / "static" / "lanterne.css"


@dataclass(frozen=True)
class WebConfig:
    """How ``lanterne serve`` was started (also read from ``LANTERNE_WEB_*`` variables)."""

    population: str | None = None
    population_rows: int = DEFAULT_POPULATION_ROWS
    seed: int = DEFAULT_SEED
    max_upload_mb: float = 200
    lang: str = "fr"
    #: load OpenFisca-France in the background at startup (the rights page is then quick)
    warm_rights: bool = False
    #: the address the server listens on: requests must name it (or this computer) in
    #: their ``Host`` header. ``None``: an app not served by ``lanterne serve`` (a program,
    #: a test), which also answers to the in-process test client.
    host: str | None = None

    def to_env(self) -> dict[str, str]:
        """Environment variables that give the same config to uvicorn's worker processes."""
        env = {
            "LANTERNE_WEB_ROWS": str(self.population_rows),
            "LANTERNE_WEB_SEED": str(self.seed),
            "LANTERNE_WEB_MAX_UPLOAD_MB": str(self.max_upload_mb),
            "LANTERNE_WEB_LANG": self.lang,
            "LANTERNE_WEB_WARM_RIGHTS": "1" if self.warm_rights else "0",
        }
        if self.population:
            env["LANTERNE_WEB_POPULATION"] = str(self.population)
        if self.host is not None:
            env["LANTERNE_WEB_HOST"] = self.host
        return env

    @classmethod
    def from_env(cls) -> WebConfig:
        env = os.environ
        return cls(
            population=env.get("LANTERNE_WEB_POPULATION") or None,
            population_rows=int(env.get("LANTERNE_WEB_ROWS", DEFAULT_POPULATION_ROWS)),
            seed=int(env.get("LANTERNE_WEB_SEED", DEFAULT_SEED)),
            max_upload_mb=float(env.get("LANTERNE_WEB_MAX_UPLOAD_MB", 200)),
            lang=env.get("LANTERNE_WEB_LANG", "fr"),
            warm_rights=env.get("LANTERNE_WEB_WARM_RIGHTS", "0") == "1",
            host=env.get("LANTERNE_WEB_HOST"),
        )


def create_app(
    config: WebConfig | None = None,
    *,
    population: str | os.PathLike[str] | None = None,
    population_rows: int | None = None,
    max_upload_mb: float | None = None,
    lang: str | None = None,
    state: AppState | None = None,
    host: str | None = None,
) -> FastAPI:
    """Build the web application (keyword arguments override ``config``).

    The population is scored once here; every request reuses it. ``host``: the address
    the app will be served on (``uvicorn.run(app, host=...)``), whose name requests must
    carry (:mod:`lanterne.web.origin`).
    """
    config = config or WebConfig()
    pop = population if population is not None else config.population
    limit = max_upload_mb if max_upload_mb is not None else config.max_upload_mb
    language = normalise_lang(lang or config.lang)
    if state is None:
        state = load_state(
            pop,
            rows=population_rows or config.population_rows,
            seed=config.seed,
            max_upload_mb=limit,
            lang=language,
        )
    app = FastAPI(title="Lanterne", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.lanterne = state
    app.add_middleware(
        SecurityMiddleware,
        max_bytes=state.max_upload_bytes,
        guard=RequestGuard.for_host(host if host is not None else config.host),
        refuse=_refusal_page,
    )
    _error_pages(app)

    css = CSS.read_bytes()

    @app.get("/static/lanterne.css", include_in_schema=False)
    async def stylesheet() -> Response:
        return Response(
            css,
            media_type="text/css",
            headers={"cache-control": "public, max-age=3600"},
        )

    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon() -> Response:
        return Response(status_code=204)

    for module in (home, models, score, letters, rights, archetypes, audit):
        app.include_router(module.router)
    remove_stale_uploads()  # left behind by a server that was killed mid-upload
    if config.warm_rights:
        rights.warm_in_background(state)
    return app


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory`` (several workers): config from the environment."""
    return settled(create_app(WebConfig.from_env()))


def settled(app: FastAPI) -> FastAPI:
    """``app``, with what startup loaded set aside from Python's garbage collector.

    The models, the population's scores, the templates and the libraries stay for the life
    of the server; scanning them again at each full collection holds a request for tens of
    milliseconds (the long tail of the latency under load). :func:`gc.freeze` moves them
    out of the collector's sight once; what requests create is collected as before.
    """
    gc.collect()
    gc.freeze()
    return app


# ---------------------------------------------------------------------- error pages

TITLES: dict[int, Msg] = {
    400: Msg("Données refusées", "Data refused"),
    403: Msg("Accès refusé", "Access refused"),
    404: Msg("Page introuvable", "Page not found"),
    405: Msg("Méthode non permise", "Method not allowed"),
    413: Msg("Fichier trop volumineux", "File too large"),
    415: Msg("Type de fichier non pris en charge", "Unsupported file type"),
    422: Msg("Valeur refusée", "Value refused"),
    500: Msg("Erreur interne", "Internal error"),
}


MAX_MESSAGES = 50

REFUSAL_TITLES: dict[int, Msg] = {
    400: Msg("Adresse refusée", "Address refused"),
    403: Msg("Envoi refusé", "Submission refused"),
}


def _refusal_page(scope: Scope, status: int, message: Msg) -> Response:
    """The page of a request refused by the Host or Origin check (in both languages)."""
    return error_page(Request(scope), status, [message], title=REFUSAL_TITLES.get(status))


def error_page(
    request: Request, status: int, messages: list[Msg], *, title: Msg | None = None
) -> HTMLResponse:
    """A friendly error page in the page's language (never a stack trace).

    At most :data:`MAX_MESSAGES` messages, each cut at 2,000 characters by the template: a
    file with a million bad columns gets a short page, not one as large as the file.
    """
    if len(messages) > MAX_MESSAGES:
        more = len(messages) - MAX_MESSAGES
        messages = [
            *messages[:MAX_MESSAGES],
            Msg("… et {n} autres problèmes.", "… and {n} more problems.", n=more),
        ]
    lang = page_lang(request)
    return page(
        request,
        "error.html",
        lang,
        status_code=status,
        code=status,
        title=title or TITLES.get(status, Msg("Erreur", "Error")),
        messages=messages,
    )


def too_large_message(limit: int) -> Msg:
    mb = limit / (1024 * 1024)
    digits = 0 if mb >= 1 else 2
    return Msg(
        "le fichier dépasse la limite de {m} Mo de ce serveur ; rien n'a été gardé. "
        "Réduisez le fichier (moins de lignes ou de colonnes, ou au format Parquet) ou "
        "relancez le serveur avec une limite plus haute (lanterne serve --max-upload-mb).",
        "the file is over this server's {m} MB limit; nothing was kept. Make the file "
        "smaller (fewer rows or columns, or as Parquet) or restart the server with a "
        "higher limit (lanterne serve --max-upload-mb).",
        m=Msg(format_number(mb, "fr", digits), format_number(mb, "en", digits)),
    )


def _error_pages(app: FastAPI) -> None:
    @app.exception_handler(UploadTooLarge)
    async def _too_large(request: Request, exc: UploadTooLarge) -> HTMLResponse:
        response = error_page(request, 413, [too_large_message(exc.limit)])
        response.headers["connection"] = "close"
        return response

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> HTMLResponse:
        if isinstance(exc, UploadTooLarge):
            return await _too_large(request, exc)
        if isinstance(exc, PageError):
            return error_page(request, exc.status_code, exc.problems)
        if exc.status_code == 404:
            detail = Msg(
                "aucune page à cette adresse : revenez à l'accueil.",
                "no page at this address: go back to the home page.",
            )
        else:
            detail = Msg("la requête n'a pas pu être traitée.", "the request could not be served.")
        return error_page(request, exc.status_code, [detail])

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> HTMLResponse:
        problems = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err.get("loc", ())[1:]) or "?"
            problems.append(
                Msg(
                    "champ « {f} » : valeur manquante ou invalide",
                    "field '{f}': missing or invalid value",
                    f=where,
                )
            )
        return error_page(request, 422, problems)

    @app.exception_handler(LanterneError)
    async def _lanterne(request: Request, exc: LanterneError) -> HTMLResponse:
        return error_page(request, 400, [Msg(p.render("fr"), p.render("en")) for p in exc.problems])

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> HTMLResponse:
        log.exception("unexpected error on %s", request.url.path)
        response = error_page(
            request,
            500,
            [
                Msg(
                    "une erreur inattendue s'est produite ; le détail est dans la console "
                    "du serveur. Aucune donnée n'a été gardée.",
                    "an unexpected error occurred; the details are in the server's console. "
                    "No data was kept.",
                )
            ],
        )
        # this handler runs outside SecurityMiddleware: add its headers here
        for name, value in HEADERS:
            response.headers[name.decode()] = value.decode()
        return response
