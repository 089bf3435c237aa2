"""``lanterne serve``: the local web application (see :mod:`lanterne.web`)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Annotated, Any

import typer

from lanterne.cli.app import LangOption, app, console, h
from lanterne.errors import Interrupted, UsageError
from lanterne.i18n import Msg, get_lang, tr


@app.command(
    "serve",
    help=h(
        "Lancer l'application web locale (pages « Mon score », modèles, profils-types, "
        "audit de fichiers) sur cet ordinateur. Rien ne quitte la machine.",
        "Start the local web application ('My score', models, archetypes, file audits) on "
        "this computer. Nothing leaves the machine.",
    ),
)
def serve(
    host: Annotated[
        str,
        typer.Option(
            "--host",
            help=h(
                "Adresse d'écoute (127.0.0.1 : cet ordinateur seulement).",
                "Address to listen on (127.0.0.1: this computer only).",
            ),
        ),
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", min=1, max=65535, help=h("Port d'écoute.", "Port."))
    ] = 8000,
    population: Annotated[
        Path | None,
        typer.Option(
            "--population",
            help=h(
                "Population où calculer les rangs (CSV, Parquet ou dossier, par exemple "
                "out/population.parquet de « make demo »). Sans elle, une population "
                "synthétique de 200 000 foyers est générée au démarrage.",
                "Population to compute ranks in (CSV, Parquet or folder, e.g. "
                "out/population.parquet from 'make demo'). Without it, a synthetic "
                "population of 200,000 households is generated at startup.",
            ),
        ),
    ] = None,
    max_upload_mb: Annotated[
        float,
        typer.Option(
            "--max-upload-mb",
            min=0.01,
            help=h("Taille maximale d'un fichier déposé (Mo).", "Largest file upload (MB)."),
        ),
    ] = 200,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            help=h(
                "Processus serveurs (chacun garde sa copie de la population).",
                "Server processes (each keeps its own copy of the population).",
            ),
        ),
    ] = 1,
    lang: LangOption = None,
) -> None:
    """Start the web application."""
    from lanterne.extras import available, require

    require("web")
    from lanterne.web.app import WebConfig, create_app, settled

    if population is not None and not population.exists():
        raise UsageError(
            Msg(
                "--population : « {p} » n'existe pas",
                "--population: '{p}' does not exist",
                p=str(population),
            )
        )
    config = WebConfig(
        population=str(population) if population else None,
        max_upload_mb=max_upload_mb,
        lang=get_lang(),
        warm_rights=available("rights"),  # without it the rights page says what to install
    )
    console.print(
        tr(
            "Lanterne sur http://{h}:{p}/ — Ctrl+C pour arrêter.",
            "Lanterne at http://{h}:{p}/ — Ctrl+C to stop.",
            h=host,
            p=port,
        )
    )
    if workers > 1:
        os.environ.update(config.to_env())
        _serve(
            "lanterne.web.app:app_from_env",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="warning",
        )
        return
    with console.status(tr("Préparation de la population…", "Preparing the population…")):
        web = settled(create_app(config))
    _serve(web, host=host, port=port, log_level="warning")


def _serve(*args: Any, **kwargs: Any) -> None:
    """Run uvicorn until Ctrl+C or SIGTERM: both are the normal way to stop the server
    (exit code 0), once uvicorn has shut it down gracefully and handed the signal back."""
    import uvicorn

    with contextlib.suppress(Interrupted):  # the SIGTERM uvicorn raises after its shutdown
        uvicorn.run(*args, **kwargs)
