"""Optional parts of Lanterne and the message shown when one is missing.

The core install scores, audits, explains and writes reports and letters. A few commands
need heavy libraries that most users never load; they come as *extras* of the package
(``pip install 'lanterne[rights]'``, see ``pyproject.toml``):

========  ==========================================  ===============================
extra     what needs it                               libraries
========  ==========================================  ===============================
trees     tree-ensemble models (Rotterdam, imports)   LightGBM, Numba
rights    ``rights``, ``nonrecours``, generation   OpenFisca-France
pdf       PDF reports and letters                     WeasyPrint
web       ``serve``                                   FastAPI, Uvicorn
scale     ``--cluster``, database URIs                Dask, ADBC (PostgreSQL), DuckDB
========  ==========================================  ===============================

Code about to import one of these libraries calls :func:`require` first: when the library
is missing, the user reads which extra to install (exit code 2, like any input the
installation cannot serve) instead of a traceback.

Example:
    >>> require("pdf")  # installed here: nothing happens
    >>> try:
    ...     require("rights", modules={"rights": ("surely_not_installed_module",)})
    ... except MissingExtra as err:
    ...     print(err.render("en"))
    This command needs the optional part 'rights' (surely_not_installed_module is not installed): pip install 'lanterne[rights]'
"""  # noqa: E501

from __future__ import annotations

import importlib.util
from collections.abc import Mapping

from lanterne.errors import LanterneError
from lanterne.i18n import Msg

#: For each extra, the modules its commands import (the first missing one is named).
EXTRAS: dict[str, tuple[str, ...]] = {
    "trees": ("lightgbm", "numba"),
    "rights": ("openfisca_core", "openfisca_france"),
    "pdf": ("weasyprint",),
    "web": ("fastapi", "uvicorn", "python_multipart"),
    "scale": ("distributed", "adbc_driver_manager", "adbc_driver_postgresql", "duckdb"),
}


class MissingExtra(LanterneError):
    """A command needs an optional part of Lanterne that is not installed."""

    title = Msg("Partie optionnelle manquante", "Optional part missing")

    def __init__(self, extra: str, module: str) -> None:
        self.extra = extra
        self.module = module
        super().__init__(
            Msg(
                "Cette commande a besoin de l'option « {x} » ({m} n'est pas installé) : "
                "pip install 'lanterne[{x}]'",
                "This command needs the optional part '{x}' ({m} is not installed): "
                "pip install 'lanterne[{x}]'",
                x=extra,
                m=module,
            )
        )


def require(extra: str, *, modules: Mapping[str, tuple[str, ...]] = EXTRAS) -> None:
    """Raise :class:`MissingExtra` naming ``extra`` unless each of its libraries is installed.

    Looks the modules up without importing them (a few file lookups), so callers keep
    importing lazily what they use. A library that is installed but fails to load (WeasyPrint
    without the Pango system library) still fails at its import, where the caller explains it.
    """
    for name in modules[extra]:
        if not _installed(name):
            raise MissingExtra(extra, name)


def available(extra: str) -> bool:
    """Whether every library of ``extra`` is installed (nothing is imported).

    >>> available("web")
    True
    """
    return all(_installed(name) for name in EXTRAS[extra])


def _installed(name: str) -> bool:
    try:  # None also when the module is blocked (``sys.modules[name] = None``)
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):  # a broken parent package, or no __spec__
        return False
