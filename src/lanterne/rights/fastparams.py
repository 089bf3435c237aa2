"""A faster fancy indexing of OpenFisca parameters, with the same results.

OpenFisca-Core looks parameters up per element when a formula indexes a parameter node
with an array (``parameters.zones[zone_apl]``): one Python call per household, per
lookup. Households share few distinct keys (three rent zones, a dozen family sizes), so
:func:`install` makes the lookup per *distinct* key and spreads the results with NumPy
(``np.unique(..., return_inverse=True)``). Keys of another kind (object arrays) keep
OpenFisca's own code. ``tests/rights/test_rights.py`` checks that every benefit of the sample
is identical with and without it.

Example:
    >>> install()
    >>> installed()
    True
"""

from __future__ import annotations

from typing import Any

import numpy as np

_original: dict[str, Any] = {}


def _fast_class() -> type[Any]:
    from openfisca_core import parameters
    from openfisca_core.parameters import VectorialParameterNodeAtInstant as Base

    class FastVector(Base):
        """A vector of parameter nodes stored as distinct nodes + an index per element."""

        def __init__(self, uniques: list[Any], inverse: np.ndarray, name: str, instant: str):
            object.__setattr__(self, "_uniques", uniques)
            object.__setattr__(self, "_inverse", inverse)
            object.__setattr__(self, "_name", name)
            object.__setattr__(self, "_instant_str", instant)

        @property
        def vector(self) -> list[Any]:  # materialised only if OpenFisca's code needs it
            return [self._uniques[i] for i in self._inverse]

        def __getattr__(self, attribute: str) -> Any:
            if attribute.startswith("__"):
                raise AttributeError(attribute)
            return self[attribute]

        def __getitem__(self, key: Any) -> Any:
            if isinstance(key, str):
                return _spread([u[key] for u in self._uniques], self._inverse, self)
            keys = _plain_keys(key)
            if keys is None:
                return Base.__getitem__(self, key)
            kuniq, kinv = np.unique(keys, return_inverse=True)
            combined = self._inverse.astype(np.int64) * len(kuniq) + kinv.reshape(-1)
            cuniq, cinv = np.unique(combined, return_inverse=True)
            nodes = [self._uniques[c // len(kuniq)][kuniq[c % len(kuniq)]] for c in cuniq]
            return _spread(nodes, cinv.reshape(-1), self)

    def _spread(nodes: list[Any], inverse: np.ndarray, like: Any) -> Any:
        if isinstance(nodes[0], parameters.ParameterNodeAtInstant):
            return FastVector(nodes, inverse, like._name, like._instant_str)
        return np.array(nodes)[inverse]

    def _plain_keys(key: Any) -> np.ndarray | None:
        from openfisca_core.indexed_enums import EnumArray

        if isinstance(key, EnumArray):
            enum = key.possible_values
            if enum is None:  # OpenFisca builds every EnumArray of a variable with its Enum
                raise TypeError("an EnumArray without its Enum")
            names = np.array(enum.names)
            return names[np.asarray(key)]
        arr = np.asarray(key)
        if arr.dtype.kind in "US":
            return arr
        return None

    def build_from_node_name(node: Any, key: Any) -> Any:
        keys = _plain_keys(key) if len(key) else None
        if keys is None and len(key) and np.asarray(key).dtype.kind in "iu":
            keys = np.asarray(key)  # OpenFisca looks integer keys up as str(k)
        if keys is None:
            return _original["build"](node, key)
        Base.check_node_vectorisable(node)
        kuniq, kinv = np.unique(keys, return_inverse=True)
        nodes = [node[str(k)] for k in kuniq.tolist()]
        return _spread(nodes, kinv.reshape(-1), node)

    FastVector.build_from_node_name = staticmethod(build_from_node_name)
    return FastVector


def install() -> None:
    """Replace OpenFisca's per-element fancy indexing by the per-distinct-key one."""
    if _original:
        return
    from openfisca_core.parameters import VectorialParameterNodeAtInstant as Base

    _original["build"] = Base.build_from_node_name
    fast = _fast_class()
    Base.build_from_node_name = staticmethod(fast.build_from_node_name)


def uninstall() -> None:
    """Restore OpenFisca's own fancy indexing (used by the tests to compare)."""
    if not _original:
        return
    from openfisca_core.parameters import VectorialParameterNodeAtInstant as Base

    Base.build_from_node_name = staticmethod(_original.pop("build"))


def installed() -> bool:
    """Whether :func:`install` is in force."""
    return bool(_original)
