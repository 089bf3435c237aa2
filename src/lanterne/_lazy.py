"""Public names of a package imported on first use (PEP 562), so that importing the
package stays light (``lanterne --help`` starts without Polars or Matplotlib).

Example:
    >>> import types
    >>> module = types.ModuleType("demo")
    >>> module.__getattr__, module.__dir__ = lazy_exports(module.__dict__, {"sqrt": "math"})
    >>> module.__getattr__("sqrt")(9.0), "sqrt" in module.__dir__()
    (3.0, True)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any


def lazy_exports(
    namespace: dict[str, Any], names: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of a package whose public ``names`` (name →
    module holding it) are imported when first asked for, then kept in ``namespace``."""
    package = namespace.get("__name__", "?")

    def __getattr__(name: str) -> Any:
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(module), name)
        namespace[name] = value  # the next access does not come back here
        return value

    def __dir__() -> list[str]:
        return sorted([*namespace, *names])

    return __getattr__, __dir__
