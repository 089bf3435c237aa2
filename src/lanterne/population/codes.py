"""The generator's categories, read once from the catalog, and their codes by name.

The generator draws its category columns as small integer codes: the position of each
category in its declaration in ``catalog/variables/fr-households.yaml``, the file both
French model specs include. Stages name the categories (``FAMILY["single_parent"]``), never
their positions, so the generator, the specs and the populations share one declaration.

Example:
    >>> CATEGORIES["housing_status"][HOUSING["owner"]]
    'owner'
    >>> FAMILY["single_parent"], PARTNER["no_partner"]
    (2, 0)
"""

from __future__ import annotations

from lanterne.spec.include import load_variables

#: The catalog variables file declaring the households the generator draws.
VARIABLES_FILE = "fr-households"
#: The category columns the generator draws.
DRAWN = (
    "sex",
    "age_band",
    "nationality",
    "family_type",
    "oldest_child_activity",
    "head_activity",
    "partner_activity",
    "housing_status",
)


def _categories() -> dict[str, tuple[str, ...]]:
    declared = {v.name: v for v in load_variables(VARIABLES_FILE)}
    return {name: tuple(declared[name].categories or ()) for name in DRAWN}


#: Categories the generator draws, in the order of their declaration.
CATEGORIES: dict[str, tuple[str, ...]] = _categories()


def codes(column: str) -> dict[str, int]:
    """``{category: code}`` of one drawn column.

    >>> codes("sex")
    {'female': 0, 'male': 1}
    """
    return {name: code for code, name in enumerate(CATEGORIES[column])}


SEX = codes("sex")
NATIONALITY = codes("nationality")
FAMILY = codes("family_type")
HEAD = codes("head_activity")
PARTNER = codes("partner_activity")
HOUSING = codes("housing_status")
CHILD = codes("oldest_child_activity")


def by_code(column: str, **shares: float) -> list[float]:
    """Numbers given by category name, in the order of the column's codes.

    >>> by_code("sex", male=0.4, female=0.6)
    [0.6, 0.4]
    """
    return [shares[name] for name in CATEGORIES[column]]


#: Not drawn yet (activity and tenure codes are filled stage by stage).
UNSET = 255
