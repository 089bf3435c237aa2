"""Lanterne: rebuild public-sector risk-scoring models as glass boxes and audit them.

The public Python API (``docs/api.md``): load a model, score a table (Polars, pandas or
Arrow), audit whom it targets, explain one household's score.
``import lanterne`` is light: the names below are imported on first use (PEP 562), so
that ``lanterne --help`` and ``lanterne --version`` start without Polars or Matplotlib.

Example:
    >>> import lanterne
    >>> model = lanterne.load_model("fr-cnaf-2014")
    >>> model.spec.id
    'fr-cnaf-2014'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lanterne._lazy import lazy_exports

if TYPE_CHECKING:
    from lanterne._version import __version__
    from lanterne.audit import audit_confusion, audit_population, audit_selection
    from lanterne.errors import DataError, LanterneError, SpecError, UsageError
    from lanterne.explain import (
        build_household,
        counterfactuals,
        explain_household,
        score_population,
    )
    from lanterne.model import Model, TargetingRule, load_model

__all__ = [
    "DataError",
    "LanterneError",
    "Model",
    "SpecError",
    "TargetingRule",
    "UsageError",
    "__version__",
    "audit_confusion",
    "audit_population",
    "audit_selection",
    "build_household",
    "counterfactuals",
    "explain_household",
    "load_model",
    "score_population",
]

#: Where each public name lives (imported when first asked for).
_LAZY = {
    "__version__": "lanterne._version",
    "DataError": "lanterne.errors",
    "LanterneError": "lanterne.errors",
    "SpecError": "lanterne.errors",
    "UsageError": "lanterne.errors",
    "Model": "lanterne.model",
    "TargetingRule": "lanterne.model",
    "load_model": "lanterne.model",
    "audit_confusion": "lanterne.audit",
    "audit_population": "lanterne.audit",
    "audit_selection": "lanterne.audit",
    "build_household": "lanterne.explain",
    "counterfactuals": "lanterne.explain",
    "explain_household": "lanterne.explain",
    "score_population": "lanterne.explain",
}


__getattr__, __dir__ = lazy_exports(globals(), _LAZY)
