"""The group columns an audit compares when the user names none: one list for every entry point.

``lanterne report``, ``lanterne demo`` and the web audit page (both the list its form shows
and the columns it audits) all call :func:`default_group_cols`, so that the same data gives
the same report whichever way it is made. Family situation comes first whenever the data
has it: on the CAF models, single parents are the central finding, and leaving the column
out hides it.

Example:
    >>> default_group_cols([], ["income", "sex", "family_type"])
    ['family_type', 'sex']
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lanterne.model import Model

#: Compared by default, in this order, when the data has them: family situation, then the
#: characteristics discrimination law protects (sex, age, nationality, disability, place).
DEFAULT_GROUP_ORDER = ("family_type", "sex", "age_band", "nationality", "disability", "qpv")
#: A model's other sensitive variables join the default when they have at most this many values.
MAX_DEFAULT_GROUPS = 12


def default_group_cols(
    models: Sequence[Model], available: Iterable[str] | None = None
) -> list[str]:
    """The columns of :data:`DEFAULT_GROUP_ORDER` the data has, then the models' sensitive
    variables with few values that the data has. Without ``available`` (the data is not
    known yet, as on the web form), every column that would be compared if present.

    >>> from lanterne.model import load_model
    >>> default_group_cols([load_model("fr-cnaf-2014")], ["sex", "disability", "family_type"])
    ['family_type', 'sex', 'disability']
    >>> default_group_cols([])
    ['family_type', 'sex', 'age_band', 'nationality', 'disability', 'qpv']
    """
    present = None if available is None else set(available)
    out = [c for c in DEFAULT_GROUP_ORDER if present is None or c in present]
    for model in models:
        for var in model.spec.variables:
            small = var.type == "bool" or (
                var.type == "category" and len(var.categories or ()) <= MAX_DEFAULT_GROUPS
            )
            there = present is None or var.name in present
            if var.sensitive and small and there and var.name not in out:
                out.append(var.name)
    return out
