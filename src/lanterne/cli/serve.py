"""``lanterne serve``: the local web application (see :mod:`lanterne.web`)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Annotated, Any

import typer

from lanterne.cli.app import LangOption, app, console, err_console, h, status
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
                "Adresse d'écoute (127.0.0.1 : cet ordinateur seulement ; toute autre "
                "adresse ouvre l'application, sans mot de passe, au réseau).",
                "Address to listen on (127.0.0.1: this computer only; any other address "
                "opens the application, without a password, to the network).",
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
        host=host,
    )
    from lanterne.web.origin import is_loopback  # lazily: the web extra may be missing

    if not is_loopback(host):
        _network_warning(host, port)
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
    with status(tr("Préparation de la population…", "Preparing the population…")):
        web = settled(create_app(config))
    _serve(web, host=host, port=port, log_level="warning")


def _serve(*args: Any, **kwargs: Any) -> None:
    """Run uvicorn until Ctrl+C or SIGTERM: both are the normal way to stop the server
    (exit code 0), once uvicorn has shut it down gracefully and handed the signal back."""
    import uvicorn

    with contextlib.suppress(Interrupted):  # the SIGTERM uvicorn raises after its shutdown
        uvicorn.run(*args, **kwargs)


def _network_warning(host: str, port: int) -> None:
    """Say loudly that the app is open to the network (it has no accounts, no passwords)."""
    from rich.panel import Panel

    text = tr(
        "Lanterne écoute sur {h}:{p} : d'autres ordinateurs du réseau peuvent ouvrir "
        "l'application, sans mot de passe, y déposer des fichiers et voir les résultats, "
        "et les échanges ne sont pas chiffrés (http). N'utilisez cette adresse que sur un "
        "réseau de confiance, jamais avec des données personnelles réelles ; sinon "
        "relancez avec --host 127.0.0.1 (cet ordinateur seulement).",
        "Lanterne listens on {h}:{p}: other computers on the network can open the "
        "application, without a password, upload files and see the results, and traffic "
        "is not encrypted (http). Use this address only on a trusted network, never with "
        "real personal data; otherwise restart with --host 127.0.0.1 (this computer only).",
        h=host,
        p=port,
    )
    title = tr(
        "Attention : application ouverte au réseau", "Warning: application open to the network"
    )
    err_console.print(Panel(text, title=title, border_style="bold red"), style="bold")
