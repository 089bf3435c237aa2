"""Lanterne: rebuild public-sector risk-scoring models as glass boxes and audit them.

Example:
    >>> import lanterne
    >>> model = lanterne.load_model("fr-cnaf-2014")
    >>> model.spec.id
    'fr-cnaf-2014'
"""

from lanterne._version import __version__
from lanterne.errors import DataError, LanterneError, SpecError
from lanterne.model import Model, load_model

__all__ = ["DataError", "LanterneError", "Model", "SpecError", "__version__", "load_model"]
