"""Shape functions of additive models, as Lanterne shows them: bins, scores, step charts.

An additive model (an Explainable Boosting Machine or another GAM) adds, on the log-odds
scale, an intercept and one score per feature, looked up in the feature's *shape function*:
for a number, the bin its value falls in (bin ``i`` holds ``edges[i-1] ≤ x < edges[i]``);
for a category, its own score; for a missing value, the missing-value score.
:class:`ShapeView` is the read-only view the explanation, the counterfactual search, the
``models show`` tables and the side-by-side comparison share.

Example:
    >>> view = ShapeView("x", "x", "continuous", (800.0, 1200.0), (-0.2, 0.31, 0.5), {}, 0.0,
    ...                  "published", None)
    >>> view.locate(1000).label("fr"), view.locate(1000).score
    ('[800 ; 1 200[', 0.31)
    >>> view.locate(None).label("en")
    'missing'
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from lanterne.i18n import Msg
from lanterne.model import Model
from lanterne.provenance import Source, Status


@dataclass(frozen=True)
class Bin:
    """Where one value fell in a shape function."""

    index: int  # 0 = missing, -1 = a category the shape does not list, 1.. the bins in order
    low: float | None  # continuous bins: [low ; high[ (None = unbounded)
    high: float | None
    category: str | None
    score: float

    def label(self, lang: str | None = None) -> str:
        if self.index == 0:
            return Msg("manquant", "missing").render(lang)
        if self.index == -1:
            return Msg("autre valeur ({c})", "other value ({c})", c=self.category).render(lang)
        if self.category is not None:
            return self.category
        return interval_label(self.low, self.high, lang)

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        """The bin as JSON: its label, edges (``None`` = unbounded), category and score."""
        return {
            "index": self.index,
            "label": self.label(lang),
            "low": self.low,
            "high": self.high,
            "category": self.category,
            "missing": self.index == 0,
            "score": self.score,
        }


def _edge(value: float, lang: str | None) -> str:
    """The shortest exact-looking writing of a bin edge (``1 200``, ``0,5``)."""
    # float32 edges: 7 significant digits tell them apart; large amounts keep their cents
    text = f"{value:,.7g}" if abs(value) < 1e4 else f"{value:,.2f}".rstrip("0").rstrip(".")
    if (lang or "fr") == "fr":
        text = text.replace(",", " ").replace(".", ",")
    return text


def interval_label(low: float | None, high: float | None, lang: str | None = None) -> str:
    """``[800 ; 1 200[`` (French) or ``[800, 1,200)`` (English); open ends are infinite.

    >>> interval_label(None, 0.5, "en"), interval_label(3, None, "fr")
    ('(-∞, 0.5)', '[3 ; +∞[')
    """
    fr = (lang or "fr") == "fr"
    lo = "-∞" if low is None else _edge(low, lang)
    hi = "+∞" if high is None else _edge(high, lang)
    if fr:
        return f"{']' if low is None else '['}{lo} ; {hi}["
    return f"{'(' if low is None else '['}{lo}, {hi})"


@dataclass(frozen=True)
class ShapeView:
    """One term of an additive model: the feature it reads and its shape function."""

    term: str  # the term's name (the model's feature)
    variable: str  # the input variable whose value is looked up (after pre-processing)
    kind: str  # "continuous" or "categorical"
    edges: tuple[float, ...]  # continuous: ordered cut points
    scores: tuple[float, ...]  # continuous: one per bin, len(edges) + 1
    categories: Mapping[str, float]  # categorical: value → score
    missing: float | None  # the score of a missing value
    status: Status
    source: Source | None
    unknown: float = 0.0  # categorical: the score of a value not listed

    def locate(self, value: Any) -> Bin:
        """The bin ``value`` falls in, and its score."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return Bin(0, None, None, None, float(self.missing or 0.0))
        if self.kind == "categorical":
            key = _category_key(value)
            names = list(self.categories)
            if key in self.categories:
                return Bin(names.index(key) + 1, None, None, key, float(self.categories[key]))
            return Bin(-1, None, None, key, float(self.unknown))
        x = float(value)
        i = int(np.searchsorted(np.asarray(self.edges), x, side="right"))
        low = self.edges[i - 1] if i > 0 else None
        high = self.edges[i] if i < len(self.edges) else None
        return Bin(i + 1, low, high, None, float(self.scores[i]))

    def bins(self) -> list[Bin]:
        """Every bin in order (missing first when it has a score)."""
        out = [] if self.missing is None else [Bin(0, None, None, None, float(self.missing))]
        if self.kind == "categorical":
            return out + [
                Bin(i + 1, None, None, k, float(v))
                for i, (k, v) in enumerate(self.categories.items())
            ]
        bounds = [None, *self.edges, None]
        return out + [
            Bin(i + 1, bounds[i], bounds[i + 1], None, float(s)) for i, s in enumerate(self.scores)
        ]

    def representative(self, b: Bin) -> Any:
        """A value inside bin ``b`` (its lower edge; below the first edge, one unit under)."""
        if b.index == 0:
            return None
        if b.category is not None:
            return b.category
        if b.low is not None:
            return b.low
        assert b.high is not None
        return b.high - 1.0

    def candidate_values(self, integer: bool = False) -> list[Any]:
        """One value per bin: enough to reach every score the shape can give."""
        out = []
        for b in self.bins():
            if b.index == 0 or b.category is not None:
                continue
            v = self.representative(b)
            if integer and b.low is not None:
                v = math.ceil(v)
            elif integer and b.high is not None:  # the open first bin: below its end
                v = math.ceil(b.high) - 1
            out.append(v)
        return out


def _category_key(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def is_additive(model: Model) -> bool:
    """Whether the model is an additive (shape-function) model."""
    return shape_views(model) is not None


def shape_views(model: Model) -> list[ShapeView] | None:
    """The model's shape functions, one per term in the model's order; ``None`` for other
    kinds. Built once per model.

    >>> from lanterne.model import load_model
    >>> views = shape_views(load_model("nl-amsterdam-slimme-check-2022-prepilot"))
    >>> views[0].variable, views[0].locate(1).label("fr")
    ('afspraken_no_show_count_last_year', '[0,5 ; 1,5[')
    """
    from lanterne.model.additive import Additive

    if not isinstance(model, Additive):
        return None
    cached = model.__dict__.get("_shape_views")
    if cached is None:
        cached = [_view(table, term) for table, term in zip(model.shapes, model.terms, strict=True)]
        model.__dict__["_shape_views"] = cached
    return list(cached)


def _view(table: Any, term: Any) -> ShapeView:
    continuous = table.kind == "continuous"
    return ShapeView(
        term=term.name,
        variable=table.name,
        kind=table.kind,
        edges=tuple(float(e) for e in table.edges) if continuous else (),
        scores=tuple(float(v) for v in table.scores) if continuous else (),
        categories={}
        if continuous
        else {
            _category_key(c): float(v) for c, v in zip(table.categories, table.scores, strict=True)
        },
        missing=float(table.missing),
        status=term.status,
        source=term.source,
        unknown=float(table.unknown),
    )


def raw_variable(model: Model, view: ShapeView) -> str | None:
    """The input variable whose value the shape looks up as it is: the shape's own input, or
    the variable an ``impute`` step copies (when present) into it. ``None`` otherwise (an
    indicator, a derived feature)."""
    if model.spec.variable(view.variable) is not None:
        return view.variable
    steps = getattr(model, "_steps", {})
    step = steps.get(view.variable)
    if step is not None and step.output == view.variable:
        return step.impute
    return None


def shape_of(model: Model, variable: str) -> ShapeView | None:
    """The shape function that looks up ``variable``'s value as it is, if any."""
    for view in shape_views(model) or []:
        if raw_variable(model, view) == variable:
            return view
    return None


def grid_values(model: Model, name: str) -> list[Any] | None:
    """Two grid values of a numeric variable: inside the lowest and the highest bin.

    ``None`` when the model is not additive or no shape reads the variable directly.
    """
    view = shape_of(model, name)
    if view is None or view.kind != "continuous":
        return None
    bins = [b for b in view.bins() if b.index > 0]
    low = min(bins, key=lambda b: (b.score, b.index))
    high = max(bins, key=lambda b: (b.score, -b.index))
    var = model.spec.variable(name)
    integer = var is not None and var.type == "int"
    values = sorted({_as(view.representative(b), integer) for b in (low, high)})
    return values


def _as(value: float, integer: bool) -> float | int:
    return math.ceil(value) if integer else float(value)


def paired_shapes(
    first: Sequence[ShapeView], second: Sequence[ShapeView]
) -> list[tuple[ShapeView | None, ShapeView | None]]:
    """The two models' shapes matched by term name, in the first model's order."""
    by_name = {v.term: v for v in second}
    out: list[tuple[ShapeView | None, ShapeView | None]] = [
        (v, by_name.pop(v.term, None)) for v in first
    ]
    out += [(None, v) for v in by_name.values()]
    return out
