"""One household for both answers: the values typed on "Mon score" and on "Mes droits",
carried between the two pages and kept in the address (query string), never on the server.

Each page shows the inputs it needs and carries the others as hidden fields, so a value
typed on one page is there on the other; a result offers the address of the same
situation on the other page (and of itself, to keep or share). Only household values
travel in addresses: the person's name and address, used for letters, never do.

Example:
    >>> situation_query({"n_children": "2", "family_type": "single_parent"}, model="fr-cnaf-2014")
    'model=fr-cnaf-2014&family_type=single_parent&n_children=2'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from lanterne.model import Model
from lanterne.rights.inputs import INPUT_COLUMNS

#: What the rights check reads (``head_age`` rather than the score models' age band).
RIGHTS_KEYS: tuple[str, ...] = tuple(c for c in INPUT_COLUMNS if c != "age_band")
#: Longest value carried (a number or a category code; anything longer is dropped).
MAX_VALUE = 40


def household_keys(models: Mapping[str, Model]) -> frozenset[str]:
    """Every household input a page may carry: the rights inputs and the French models'
    variables (the rights check is French: other countries' values are not carried)."""
    keys = set(RIGHTS_KEYS)
    for mid, model in models.items():
        if mid.startswith("fr-"):
            keys.update(model.used_variables)
    return frozenset(keys)


def carried_values(
    source: Mapping[str, Any], shown: tuple[str, ...] | set[str], keys: frozenset[str]
) -> dict[str, str]:
    """The household values of ``source`` (a form or a query) the page does not show.

    >>> carried_values({"qpv": "true", "x": "1", "n_children": "2"}, {"n_children"},
    ...                frozenset({"qpv", "n_children"}))
    {'qpv': 'true'}
    """
    out = {}
    for key in sorted(keys - set(shown)):
        value = source.get(key)
        if value is None:
            continue
        text = str(value).strip()
        if text and len(text) <= MAX_VALUE:
            out[key] = text
    return out


def situation_query(values: Mapping[str, Any], **first: str | None) -> str:
    """The query string of a situation: ``first`` (``model``, ``lang``…) then the values,
    sorted by name so that the same situation always has the same address."""
    pairs = [(k, v) for k, v in first.items() if v]
    pairs += [(k, str(v)) for k, v in sorted(values.items()) if v is not None and str(v) != ""]
    return urlencode(pairs)
