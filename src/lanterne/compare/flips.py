"""Score one grid of profiles with two models: who changes side of the threshold, and why.

A profile *flips up* when the second model selects it (score ≥ threshold) and the first
does not; it *flips down* in the other direction. For each value of each variable, the
result counts the profiles with that value and how many flip each way: a value over-
represented among the flips characterises them ("7 of the 9 profiles that become selected
have a partner, against half of the grid").

The counts are about a *grid* — each combination of values once — not about people.

Example:
    >>> from lanterne.model import load_model
    >>> from lanterne.explain.household import build_household
    >>> model = load_model("fr-cnaf-2014")
    >>> house = build_household(model, archetype="single-mother-rsa").values
    >>> values = {n: [house[n]] for n in model.used_variables}
    >>> values["n_children"] = [0, 2, 4]
    >>> result = compare_on_grid(model, model, ProfileGrid(values, origin=None), 0.1)
    >>> result.counts()["profiles"], result.counts()["flip_total"]
    (3, 0)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from lanterne.compare.grid import ProfileGrid
from lanterne.i18n import Msg, format_number, format_percent, pick
from lanterne.io.jsonresult import JsonResult
from lanterne.model import Model


@dataclass(frozen=True)
class ValueCount:
    """Profiles of the grid with one value of one variable, and how many flip."""

    variable: str
    value: Any
    n: int
    up: int
    down: int


@dataclass
class FlipResult(JsonResult):
    """Two models on one grid of profiles."""

    first: Model
    second: Model
    threshold: float
    grid: ProfileGrid
    frame: pl.DataFrame  # the profiles, as scored
    scores_first: np.ndarray
    scores_second: np.ndarray
    by_value: list[ValueCount] = field(default_factory=list)

    @property
    def n(self) -> int:
        return int(self.scores_first.size)

    @property
    def selected_first(self) -> np.ndarray:
        return self.scores_first >= self.threshold

    @property
    def selected_second(self) -> np.ndarray:
        return self.scores_second >= self.threshold

    @property
    def up(self) -> np.ndarray:
        """Profiles selected by the second model only."""
        return self.selected_second & ~self.selected_first

    @property
    def down(self) -> np.ndarray:
        """Profiles selected by the first model only."""
        return self.selected_first & ~self.selected_second

    def counts(self) -> dict[str, int]:
        return {
            "profiles": self.n,
            "selected_first": int(self.selected_first.sum()),
            "selected_second": int(self.selected_second.sum()),
            "flip_up": int(self.up.sum()),
            "flip_down": int(self.down.sum()),
            "flip_total": int((self.up | self.down).sum()),
        }

    def characteristic(self, direction: str, limit: int = 3) -> list[ValueCount]:
        """Values over-represented among the flips of one direction (``up`` or ``down``).

        Ranked by lift: the share of those profiles having the value, divided by the share
        of the grid having it. Only values with a lift above 1 are kept.
        """
        total = int(getattr(self, direction).sum())
        if total == 0:
            return []
        scored = []
        for vc in self.by_value:
            k = vc.up if direction == "up" else vc.down
            if k == 0 or vc.n == self.n:
                continue
            lift = (k / total) / (vc.n / self.n)
            if lift > 1 + 1e-12:
                scored.append((-lift, -k, vc.variable, str(vc.value), vc))
        scored.sort(key=lambda t: t[:4])
        return [t[-1] for t in scored[:limit]]

    def constant_values(self, direction: str) -> list[ValueCount]:
        """Values shared by every profile that flips in ``direction`` (and not by the grid)."""
        total = int(getattr(self, direction).sum())
        if total == 0:
            return []
        return [
            vc
            for vc in self.by_value
            if (vc.up if direction == "up" else vc.down) == total and vc.n < self.n
        ]

    def sentences(self, lang: str | None = None) -> list[str]:
        """The counts and who flips, in plain words."""
        c = self.counts()
        a, b = self.first.id, self.second.id
        out = [
            Msg(
                "Sur une grille construite de {n} profils (chaque combinaison compte une fois : "
                "ce n'est pas une population), avec le seuil {t} : « {a} » en sélectionne {sa}, "
                "« {b} » {sb}. {f} profils changent de côté : {u} deviennent sélectionnés, "
                "{d} ne le sont plus.",
                "On a constructed grid of {n} profiles (each combination counts once: this is "
                "not a population), with the threshold {t}: '{a}' selects {sa}, '{b}' {sb}. "
                "{f} profiles change side: {u} become selected, {d} are no longer selected.",
                n=format_number(c["profiles"], lang, 0),
                t=format_number(self.threshold, lang, 4),
                a=a,
                b=b,
                sa=format_number(c["selected_first"], lang, 0),
                sb=format_number(c["selected_second"], lang, 0),
                f=format_number(c["flip_total"], lang, 0),
                u=format_number(c["flip_up"], lang, 0),
                d=format_number(c["flip_down"], lang, 0),
            ).render(lang)
        ]
        for direction, words in (
            ("up", Msg("deviennent sélectionnés", "become selected")),
            ("down", Msg("ne sont plus sélectionnés", "are no longer selected")),
        ):
            total = int(getattr(self, direction).sum())
            for vc in self.characteristic(direction):
                k = vc.up if direction == "up" else vc.down
                out.append(
                    Msg(
                        "Parmi les {t} profils qui {w}, {k} ({p}) ont {v} = {x}, contre {q} de "
                        "la grille.",
                        "Of the {t} profiles that {w}, {k} ({p}) have {v} = {x}, against {q} "
                        "of the grid.",
                        t=format_number(total, lang, 0),
                        w=words,
                        k=format_number(k, lang, 0),
                        p=format_percent(k / total, lang),
                        v=self.label(vc.variable, lang),
                        x=_show(vc.value, lang),
                        q=format_percent(vc.n / self.n, lang),
                    ).render(lang)
                )
        return out

    def label(self, name: str, lang: str | None = None) -> str:
        var = self.first.spec.variable(name) or self.second.spec.variable(name)
        return pick(var.label, lang) if var is not None and var.label else name

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        values = (
            {n: [_plain(v) for v in vs] for n, vs in self.grid.values.items()}
            if self.grid.rows is None
            else None
        )
        return {
            "first": self.first.id,
            "second": self.second.id,
            "threshold": self.threshold,
            "grid": {
                "construction": True,
                "origin": self.grid.origin.render(lang) if self.grid.origin else None,
                "values": values,
                "note": Msg(
                    "Une grille construite, pas une population : chaque combinaison compte "
                    "une fois.",
                    "A constructed grid, not a population: each combination counts once.",
                ).render(lang),
            },
            "counts": self.counts(),
            "by_value": [
                {
                    "variable": vc.variable,
                    "value": _plain(vc.value),
                    "profiles": vc.n,
                    "flip_up": vc.up,
                    "flip_down": vc.down,
                }
                for vc in self.by_value
            ],
            "sentences": self.sentences(lang),
        }


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _show(value: Any, lang: str | None = None) -> str:
    """A grid value as shown: 0/1 for yes/no, whole numbers without decimals.

    >>> _show(None, "en"), _show(True), _show(2000.0)
    ('empty', '1', '2000')
    """
    if value is None:
        return Msg("vide", "empty").render(lang)
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return f"{value:g}"
    return str(value)


def _value_counts(frame: pl.DataFrame, up: np.ndarray, down: np.ndarray) -> list[ValueCount]:
    """Profiles, flips up and flips down per value of each column (grouped with Polars)."""
    marks = pl.DataFrame({"_up": up.astype(np.int64), "_down": down.astype(np.int64)})
    both = pl.concat([frame, marks], how="horizontal")
    out: list[ValueCount] = []
    for name in frame.columns:
        grouped = (
            both.group_by(name)
            .agg(pl.len().alias("n"), pl.col("_up").sum(), pl.col("_down").sum())
            .sort(name, nulls_last=False)
        )
        for value, n, u, d in grouped.iter_rows():
            out.append(ValueCount(name, value, int(n), int(u), int(d)))
    return out


def compare_on_grid(first: Model, second: Model, grid: ProfileGrid, threshold: float) -> FlipResult:
    """Score every profile of ``grid`` with both models and count who changes side.

    Both models score the same rows (vectorised); a profile is selected when its score is
    at or above ``threshold``.
    """
    frame = grid.frame()
    scores = [
        model.scores(model.prepare(frame, file=grid.name)).to_numpy() for model in (first, second)
    ]
    result = FlipResult(first, second, float(threshold), grid, frame, scores[0], scores[1])
    used = [c for c in frame.columns if c in first.used_variables or c in second.used_variables]
    result.by_value = _value_counts(frame.select(used), result.up, result.down)
    return result
