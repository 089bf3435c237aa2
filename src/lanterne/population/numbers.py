"""The generator's own numbers, read from the ``generator`` section of a targets file.

Every share, weight and distribution the generator's stages apply lives in the catalog
with its description, source and status (``catalog/populations/<id>.yaml``); the stages
read them by name through :class:`Numbers`, which can record which names were read (the
tests check that every number read has a source and a status, and that none is unused).

Example:
    >>> from lanterne.population.targets import load_targets
    >>> numbers = Numbers.of(load_targets("fr-caf-2023"))
    >>> numbers.value("benefits.rsa_weight")["non_eu"]
    0.7
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from lanterne.errors import Problem, SpecError
from lanterne.i18n import Msg
from lanterne.population.targets import PopulationTargets


@dataclass
class Numbers:
    """Named numbers of the generator; ``used`` collects the names read when recording."""

    values: dict[str, Any]
    file: str = "<targets>"
    recording: bool = False
    used: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, targets: PopulationTargets) -> Numbers:
        return cls(
            {name: number.value for name, number in targets.generator.items()},
            file=f"populations/{targets.id}.yaml",
        )

    def value(self, name: str) -> Any:
        """The raw value: a float, a list, a table or a mapping."""
        if name not in self.values:
            raise SpecError(
                [
                    Problem(
                        Msg(
                            "le générateur a besoin du nombre « {n} » (section generator)",
                            "the generator needs the number '{n}' (generator section)",
                            n=name,
                        ),
                        file=self.file,
                    )
                ]
            )
        if self.recording:
            self.used.add(name)
        return self.values[name]

    def __getitem__(self, name: str) -> float:
        """A single number."""
        return float(self.value(name))

    def array(self, name: str, key: str | None = None) -> NDArray[np.float64]:
        """A list (or a list under ``key`` of a mapping) as a NumPy array."""
        value = self.value(name)
        return np.asarray(value[key] if key is not None else value, dtype=np.float64)

    def linear(self, name: str, **terms: Any) -> Any:
        """``base + Σ coefficient × term`` for the mapping ``name`` (every term must be there).

        >>> n = Numbers({"w": {"base": 1.0, "rsa": 2.0}})
        >>> n.linear("w", rsa=np.array([True, False])).tolist()
        [3.0, 1.0]
        """
        coefficients = self.value(name)
        out: Any = coefficients.get("base", 0.0)
        for term, flag in terms.items():
            out = out + coefficients[term] * flag
        return out
