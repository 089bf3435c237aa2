"""Targeting rules: which scored households the agency would inspect.

Two rules exist: the top ``k`` share of scores (e.g. the 5 % highest), or every score at or
above a threshold. For a top share, ``m = round(k × n)`` households (at least one) are
wanted; the threshold is the ``m``-th highest score and every household at that score is
selected, so ties can select slightly more than ``m``: audits report the actual count.

Example:
    >>> import numpy as np
    >>> rule = TargetingRule(top_share=0.5)
    >>> rule.threshold_for(np.array([0.1, 0.9, 0.4, 0.7]))
    0.7
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lanterne.errors import UsageError
from lanterne.i18n import Msg
from lanterne.io.frames import ColumnLike, to_numpy


@dataclass(frozen=True)
class TargetingRule:
    """Exactly one of ``top_share`` (0 < k ≤ 1) or ``threshold`` (0 ≤ t ≤ 1)."""

    top_share: float | None = None
    threshold: float | None = None

    def __post_init__(self) -> None:
        if (self.top_share is None) == (self.threshold is None):
            raise UsageError(
                Msg(
                    "choisissez soit une part ciblée (top share), soit un seuil",
                    "choose either a targeted share (top share) or a threshold",
                )
            )
        if self.top_share is not None and not 0 < self.top_share <= 1:
            raise UsageError(
                Msg(
                    "la part ciblée doit être comprise entre 0 (exclu) et 1, reçu {v}",
                    "the targeted share must be between 0 (excluded) and 1, got {v}",
                    v=self.top_share,
                )
            )
        if self.threshold is not None and not 0 <= self.threshold <= 1:
            raise UsageError(
                Msg(
                    "le seuil doit être compris entre 0 et 1, reçu {v}",
                    "the threshold must be between 0 and 1, got {v}",
                    v=self.threshold,
                )
            )

    def wanted(self, n: int) -> int:
        """How many households a top-share rule wants among ``n``."""
        assert self.top_share is not None
        return min(n, max(1, int(np.floor(self.top_share * n + 0.5))))

    def threshold_for(self, scores: ColumnLike) -> float:
        """The score from which households are selected, for these scores (a Polars, pandas
        or Arrow column, a NumPy array or a list)."""
        if self.threshold is not None:
            return float(self.threshold)
        values = to_numpy(scores)
        if values.size == 0:
            return float("inf")
        m = self.wanted(values.size)
        # np.partition finds the m-th largest in linear time
        return float(np.partition(values, values.size - m)[values.size - m])

    def select(self, scores: ColumnLike) -> tuple[float, np.ndarray]:
        """``(threshold, selected)`` where ``selected`` is a boolean NumPy array."""
        values = to_numpy(scores)
        threshold = self.threshold_for(values)
        return threshold, values >= threshold

    def describe(self) -> Msg:
        if self.top_share is not None:
            return Msg(
                "les {p} % de scores les plus élevés",
                "the {p} % highest scores",
                p=_number(round(self.top_share * 100, 4)),
            )
        return Msg(
            "les scores supérieurs ou égaux à {t}",
            "scores at or above {t}",
            t=_number(self.threshold),
        )


def _number(value: float | None) -> Msg:
    """A short number with a decimal comma in French (``1,2``) and a point in English.

    >>> TargetingRule(top_share=0.012).describe().render("fr")  # no-break space before %
    'les 1,2\xa0% de scores les plus élevés'
    """
    text = f"{value:g}"
    return Msg(text.replace(".", ","), text)
