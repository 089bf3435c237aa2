"""One convention for results exported as JSON, across the Python API.

A result (an audit, an explanation, the counterfactual search, a comparison of two models)
has ``to_dict(...)``: plain Python ready for JSON (dicts, lists, strings, numbers, ``None``);
``to_json(...)``: that as JSON text; ``write_json(path, ...)``: that text written atomically.
Results whose words depend on the language take it as their first argument
(``explanation.to_json("fr")``); audits, made of numbers and the data's own labels, take none.

Example:
    >>> from dataclasses import dataclass
    >>> @dataclass
    ... class Count(JsonResult):
    ...     n: int
    ...     def to_dict(self) -> dict:
    ...         return {"n": self.n, "rate": float("nan")}
    >>> Count(3).to_json(indent=None)
    '{"n": 3, "rate": null}'
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Mapping
from typing import Any

from lanterne.io.atomic import write_json_atomic


def clean(value: Any) -> Any:
    """``value`` with NaN and infinities turned into ``None`` and NumPy scalars into Python.

    >>> clean({"a": float("nan"), "b": [1.0, float("inf")]})
    {'a': None, 'b': [1.0, None]}
    """
    if isinstance(value, Mapping):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str | bytes):  # NumPy scalar
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


class JsonResult:
    """Base of results: ``to_json`` and ``write_json`` from the subclass's ``to_dict``."""

    #: The result as plain Python ready for JSON (defined by each result).
    to_dict: Callable[..., dict[str, Any]]

    def to_json(self, *args: Any, indent: int | None = 2) -> str:
        """:meth:`to_dict` as JSON text (NaN and infinities as ``null``)."""
        data = clean(self.to_dict(*args))
        return json.dumps(data, ensure_ascii=False, indent=indent, allow_nan=False)

    def write_json(self, path: str | os.PathLike[str], *args: Any) -> None:
        """Write :meth:`to_json` to ``path``, atomically."""
        write_json_atomic(path, clean(self.to_dict(*args)))
