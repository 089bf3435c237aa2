"""Lanterne: rebuild public-sector risk-scoring models as glass boxes and audit them.

The public Python API (``docs/api.md``): load a model, score a table (Polars, pandas or
Arrow), audit whom it targets, explain one household's score.

Example:
    >>> import lanterne
    >>> model = lanterne.load_model("fr-cnaf-2014")
    >>> model.spec.id
    'fr-cnaf-2014'
"""

from lanterne._version import __version__
from lanterne.audit import audit_confusion, audit_population, audit_selection
from lanterne.errors import DataError, LanterneError, SpecError, UsageError
from lanterne.explain import build_household, counterfactuals, explain_household, score_population
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
