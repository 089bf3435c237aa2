"""Lanterne: rebuild public-sector risk-scoring models as glass boxes and audit them.

``import lanterne`` is light: the names below are imported on first use (PEP 562), so
that ``lanterne --help`` and ``lanterne --version`` start without Polars or Matplotlib.

Example:
    >>> import lanterne
    >>> model = lanterne.load_model("fr-cnaf-2014")
    >>> model.spec.id
    'fr-cnaf-2014'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lanterne._version import __version__
    from lanterne.errors import DataError, LanterneError, SpecError
    from lanterne.model import Model, load_model

__all__ = ["DataError", "LanterneError", "Model", "SpecError", "__version__", "load_model"]

#: Where each public name lives (imported when first asked for).
_LAZY = {
    "__version__": "lanterne._version",  # read from the package metadata: 40 ms
    "DataError": "lanterne.errors",
    "LanterneError": "lanterne.errors",
    "SpecError": "lanterne.errors",
    "Model": "lanterne.model",
    "load_model": "lanterne.model",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'lanterne' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(module), name)
    globals()[name] = value  # the next access does not come back here
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])
