"""Points scorecards: each condition met adds points; the total maps to a score and a profile.

score = (total − scale.min) / (scale.max − scale.min), clipped to [0, 1]. Without an
explicit ``scale`` the lowest and highest totals the items allow are used. With ``bands``,
each household also gets the profile of the highest band whose ``min_points`` its total
reaches (the first band if it reaches none).

With ``dimensions`` and ``profiles`` (the Polish profiling of the unemployed), each item
adds its points to one dimension; the output has one ``points_<dimension>`` column per
dimension, and the first profile rule whose condition on the dimension totals holds gives
the household its ``profile`` and its ``score`` (the rule's ``score``). The margin stays the
total of all points, so ``base + Σ contributions == margin`` as for every kind; but the
score is then a function of the dimension totals, not of the margin.

Example:
    >>> from lanterne.model.scorecard import Scorecard
    >>> Scorecard.kind
    'scorecard'
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

import polars as pl

from lanterne.errors import Problem, SpecError
from lanterne.i18n import Msg
from lanterne.io.frames import TableLike, as_polars, like_input
from lanterne.model.base import Model, Term, register_kind
from lanterne.spec.expr import Name, NameInfo, names_in
from lanterne.spec.expr.compile_polars import to_polars
from lanterne.spec.load import CheckedSpec
from lanterne.spec.schema import Scale, ScorecardModel


@register_kind("scorecard")
class Scorecard(Model):
    kind = "scorecard"
    link = "scale"

    def __init__(self, checked: CheckedSpec) -> None:
        super().__init__(checked)
        self._item_exprs = [to_polars(tree, checked.env) for tree in checked.item_trees]
        self.scale = self._model.scale or self._natural_scale()

    @property
    def _model(self) -> ScorecardModel:
        assert isinstance(self.spec.model, ScorecardModel)
        return self.spec.model

    @property
    def base(self) -> float:
        return 0.0

    @cached_property
    def terms(self) -> list[Term]:
        out = []
        for i, (item, tree) in enumerate(
            zip(self._model.items, self.checked.item_trees, strict=True)
        ):
            out.append(
                Term(
                    name=f"item_{i + 1}",
                    label=item.label,
                    expression=item.when if item.when is not None else f"{item.per} × points",
                    variables=self.variables_of(names_in(tree)),
                    weight=item.points,
                    status=self.spec.status_of(item),
                    source=self.spec.source_of(item),
                    dimension=item.dimension,
                )
            )
        return out

    def _natural_scale(self) -> Scale:
        low = high = 0.0
        for item, tree in zip(self._model.items, self.checked.item_trees, strict=True):
            if item.when is not None:
                low += min(0.0, item.points)
                high += max(0.0, item.points)
                continue
            variable = self.spec.variable(tree.name) if isinstance(tree, Name) else None
            if variable is None or variable.range is None:
                raise SpecError(
                    Problem(
                        Msg(
                            "barème : la ligne « per: {e} » ne porte pas sur une variable "
                            "bornée ; indiquez une échelle « scale: {{min, max}} »",
                            "scorecard: the item 'per: {e}' is not a bounded variable; "
                            "give an explicit 'scale: {{min, max}}'",
                            e=item.per,
                        ),
                        file=self.checked.file,
                    )
                )
            ends = (variable.range[0] * item.points, variable.range[1] * item.points)
            low += min(ends)
            high += max(ends)
        if high <= low:
            high = low + 1.0
        return Scale(min=low, max=high)

    def term_exprs(self) -> list[pl.Expr]:
        out = []
        for item, expr, term in zip(self._model.items, self._item_exprs, self.terms, strict=True):
            points = pl.lit(item.points, dtype=pl.Float64)
            if item.when is not None:
                out.append(pl.when(expr).then(points).otherwise(0.0).alias(term.name))
            else:
                out.append((expr.cast(pl.Float64) * points).alias(term.name))
        return out

    def score_from_margin(self, margin: pl.Expr) -> pl.Expr:
        low, high = self.scale.min, self.scale.max
        return ((margin - low) / (high - low)).clip(0.0, 1.0)

    # ---------------------------------------------------------------- dimensions, profiles

    @property
    def dimension_names(self) -> list[str]:
        """The declared dimensions, in the spec's order (empty without dimensions)."""
        return [d.name for d in self._model.dimensions or []]

    def dimension_exprs(self) -> dict[str, pl.Expr]:
        """Each dimension's total points, as an expression over a table with features."""
        out: dict[str, pl.Expr] = {}
        exprs = self.term_exprs()
        for name in self.dimension_names:
            parts = [e for e, t in zip(exprs, self.terms, strict=True) if t.dimension == name]
            out[name] = pl.sum_horizontal(pl.lit(0.0, dtype=pl.Float64), *parts)
        return out

    def _profile_exprs(self) -> tuple[pl.Expr, pl.Expr]:
        """The profile and the score, over a table holding one column per dimension total."""
        rules = self._model.profiles or []
        names = [r.profile for r in rules]
        profile: pl.Expr = pl.lit(rules[-1].profile)
        score: pl.Expr = pl.lit(rules[-1].score, dtype=pl.Float64)
        pairs = list(zip(rules, self.checked.profile_trees, strict=True))
        for rule, tree in reversed(pairs[:-1]):
            assert tree is not None  # the loader requires a 'when' on every rule but the last
            condition = to_polars(tree, {d: NameInfo("number") for d in self.dimension_names})
            profile = pl.when(condition).then(pl.lit(rule.profile)).otherwise(profile)
            score = pl.when(condition).then(pl.lit(rule.score)).otherwise(score)
        return profile.cast(pl.Enum(names)), score.cast(pl.Float64)

    def dimension_totals(self, data: pl.DataFrame, *, prepared: bool = False) -> pl.DataFrame:
        """One column per dimension: the household's points on it.

        >>> from lanterne.model import load_model
        >>> load_model("pl-profiling-2014").dimension_names
        ['distance', 'readiness']
        """
        frame = data if prepared else self.prepare(data)
        exprs = self.dimension_exprs()
        return self.with_features(frame).select([e.alias(n) for n, e in exprs.items()]).collect()

    def outputs(self, frame: pl.DataFrame) -> pl.DataFrame:
        if not self._model.profiles:
            return (
                super()
                .outputs(frame)
                .with_columns(
                    self.dimension_totals(frame, prepared=True)
                    .rename(lambda n: f"points_{n}")
                    .get_columns()
                )
            )
        totals = self.dimension_totals(frame, prepared=True)
        profile, score = self._profile_exprs()
        return totals.select(
            score.alias("score"),
            profile.alias("profile"),
            *[pl.col(n).alias(f"points_{n}") for n in self.dimension_names],
        )

    def scores(self, data: TableLike, *, prepared: bool = False) -> Any:
        if not self._model.profiles:
            return super().scores(data, prepared=prepared)
        frame = as_polars(data) if prepared else self.prepare(data)
        return like_input(self.outputs(frame)["score"], data)

    def extra_outputs(self, margin: pl.Expr) -> list[pl.Expr]:
        bands = self._model.bands
        if not bands:
            return []
        profile: pl.Expr = pl.lit(bands[0].profile)
        for band in bands[1:]:
            profile = (
                pl.when(margin >= band.min_points).then(pl.lit(band.profile)).otherwise(profile)
            )
        return [profile.cast(pl.Enum([b.profile for b in bands])).alias("profile")]
