"""Scoring runtimes: one class per model kind behind a common :class:`Model` interface.

:class:`TargetingRule` is light; the rest (the spec machinery behind :class:`Model`) is
imported on first use (PEP 562), so that auditing scores already computed does not load it.

>>> from lanterne.model import TargetingRule, load_model
>>> load_model("fr-cnaf-2014").kind
'logistic'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lanterne.model.targeting import TargetingRule

if TYPE_CHECKING:
    from lanterne.model.base import Model, Term, load_model, model_from_checked, register_kind

__all__ = ["Model", "TargetingRule", "Term", "load_model", "model_from_checked", "register_kind"]

_FROM_BASE = frozenset(__all__) - {"TargetingRule"}


def __getattr__(name: str) -> Any:
    if name not in _FROM_BASE:
        raise AttributeError(f"module 'lanterne.model' has no attribute {name!r}")
    from lanterne.model import base

    base.register_kinds()
    value = getattr(base, name)
    globals()[name] = value  # the next access does not come back here
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
