"""Scoring runtimes: one class per model kind behind a common :class:`Model` interface."""

from lanterne.model import additive as _additive  # noqa: F401  (registers the kind)
from lanterne.model import logistic as _logistic  # noqa: F401  (registers the kind)
from lanterne.model import scorecard as _scorecard  # noqa: F401  (registers the kind)
from lanterne.model import trees as _trees  # noqa: F401  (registers the kind)
from lanterne.model.base import Model, Term, load_model, model_from_checked, register_kind
from lanterne.model.targeting import TargetingRule

__all__ = ["Model", "TargetingRule", "Term", "load_model", "model_from_checked", "register_kind"]
