"""Import models of other libraries (XGBoost, LightGBM, scikit-learn, InterpretML) as specs.

Each reader returns an :class:`ImportedModel` (the trees as data); :func:`write_import`
writes it as a spec with placeholders the user completes, and :func:`check_import`
compares Lanterne's margins with the original library's on random inputs.

Example:
    >>> from lanterne.importers import read_xgboost_json, read_lightgbm_text, from_sklearn
    >>> callable(read_xgboost_json) and callable(read_lightgbm_text) and callable(from_sklearn)
    True
"""

from lanterne.importers.check import check_import
from lanterne.importers.common import ImportedModel
from lanterne.importers.ebm import AdditiveImport, from_interpret, read_ebm
from lanterne.importers.lightgbm_text import from_lightgbm_booster, read_lightgbm_text
from lanterne.importers.sklearn_models import from_sklearn, read_sklearn_pickle
from lanterne.importers.writer import ImportOptions, ImportResult, is_placeholder, write_import
from lanterne.importers.xgboost_json import from_xgboost_dict, read_xgboost_json

__all__ = [
    "AdditiveImport",
    "ImportOptions",
    "ImportResult",
    "ImportedModel",
    "check_import",
    "from_interpret",
    "from_lightgbm_booster",
    "from_sklearn",
    "from_xgboost_dict",
    "is_placeholder",
    "read_ebm",
    "read_lightgbm_text",
    "read_sklearn_pickle",
    "read_xgboost_json",
    "write_import",
]
