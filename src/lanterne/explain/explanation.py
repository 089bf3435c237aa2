"""Explain one household's score: what each element adds, where the household stands.

:func:`explain_household` works on any :class:`~lanterne.model.Model`: it asks the model
for its per-term contributions on the margin scale (``model.contributions``), its starting
point (``model.base``) and how the margin becomes a score (``model.link``: ``"logit"`` for
log-odds, ``"scale"`` for scorecard points). For additive models the contributions plus
the starting point equal the margin exactly; the explanation checks it and says so.

Every weight keeps its provenance status: an illustrative weight must never be taken for
the agency's. This module holds the facts; what the terminal, the web page, the downloads
and the letters show of them is :mod:`lanterne.present.explanation`.

Example:
    >>> from lanterne.model import load_model
    >>> from lanterne.explain.household import build_household
    >>> model = load_model("fr-cnaf-2014")
    >>> house = build_household(model, archetype="single-mother-rsa")
    >>> exp = explain_household(model, house)
    >>> abs(exp.base + sum(c.contribution for c in exp.contributions) - exp.margin) < 1e-9
    True
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from typing import Any, Literal

import polars as pl

from lanterne.errors import Problem, SpecError
from lanterne.explain.household import Household, build_household
from lanterne.explain.population import Population, score_population
from lanterne.explain.sentences import describe_value
from lanterne.explain.shapes import Bin, shape_views
from lanterne.i18n import Msg, pick
from lanterne.io.jsonresult import JsonResult, clean
from lanterne.model import Model, TargetingRule
from lanterne.model.onerow import one_row, scores_of_margins
from lanterne.provenance import Source, Status, Text
from lanterne.spec.schema import Number

#: Tolerance of the check "starting point + contributions == margin".
ADDITIVE_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Contribution:
    """One term of the model applied to the household."""

    name: str
    label: Text | None
    expression: str
    variables: tuple[str, ...]
    value: Any  # the term's feature value for this household (None if unknown)
    weight: float
    contribution: float
    status: Status
    source: Source | None
    score_without: float  # the score with this contribution removed, all else equal
    reference: float | None = None  # the reference household's contribution
    bin: Bin | None = None  # additive models: the bin of the shape function the value fell in

    def title(self, lang: str | None = None) -> str:
        return pick(self.label, lang) if self.label else self.name

    def shown_value(self, lang: str | None = None) -> Any:
        """The value as a sentence shows it: with its bin for an additive model.

        >>> c = Contribution("x", None, "x", ("x",), 1000, 0.0, 0.31, "published", None, 0.5,
        ...                  bin=Bin(3, 800.0, 1200.0, None, 0.31))
        >>> c.shown_value("fr")
        '1\u202f000 → classe [800 ; 1 200['
        """
        if self.bin is None:
            return self.value
        return Msg(
            "{v} → classe {b}",
            "{v} → bin {b}",
            v=describe_value(self.value, lang),
            b=self.bin.label(lang),
        ).render(lang)

    @property
    def difference(self) -> float | None:
        return None if self.reference is None else self.contribution - self.reference


@dataclass(frozen=True)
class Standing:
    """Where the household stands in a population, and whether the rule selects it."""

    rule: TargetingRule
    population: str | None
    n: int | None
    percentile: float | None  # share of the population scoring at or below
    threshold: float | None
    selected: bool | None


@dataclass(frozen=True)
class Reference:
    """The household the explanation compares with."""

    kind: Literal["median", "archetype"]
    id: str | None
    label: Msg
    score: float
    margin: float


@dataclass
class Explanation(JsonResult):
    """Everything :func:`explain_household` found, ready to render or serialise."""

    model: Model
    household: Household
    score: float
    margin: float
    base: float
    base_status: Status
    base_source: Source | None
    base_score: float
    contributions: list[Contribution]
    standing: Standing
    reference: Reference | None = None
    additive: bool = True  # base + contributions == margin (within ADDITIVE_TOLERANCE)
    warnings: list[Msg] = field(default_factory=list)

    # ------------------------------------------------------------------ facts

    @property
    def margin_name(self) -> Msg:
        if self.model.link == "logit":
            return Msg("log-cote", "log-odds")
        return Msg("points", "points")

    @property
    def sensitive_variables(self) -> list[str]:
        """Variables the spec marks sensitive: never read by the model."""
        return [v.name for v in self.model.spec.sensitive_variables]

    def sorted_differences(self) -> list[Contribution]:
        """Contributions ordered by the size of their difference with the reference."""
        return sorted(
            (c for c in self.contributions if c.reference is not None),
            key=lambda c: (-abs(c.difference or 0.0), c.name),
        )

    def provenance_warning(self) -> Msg | None:
        """A warning when some weights are not the agency's published figures."""
        statuses = [c.status for c in self.contributions] + [self.base_status]
        weak = [s for s in statuses if s != "published"]
        if not weak:
            return None
        illustrative = sum(s == "illustrative" for s in statuses)
        return Msg(
            "Attention : {k} des {n} nombres de ce modèle (constante comprise) ne sont pas "
            "publiés par l'administration ({i} illustratifs, inventés pour montrer le "
            "mécanisme). Ce ne sont pas les poids de l'organisme ({a}) : ne les citez pas comme "
            "tels.",
            "Warning: {k} of the {n} numbers of this model (intercept included) are not "
            "published by the agency ({i} illustrative, invented to show the mechanics). They "
            "are not the weights of the agency ({a}): do not quote them as such.",
            k=len(weak),
            n=len(statuses),
            i=illustrative,
            a=self.model.spec.agency,
        )

    @property
    def tree_model(self) -> bool:
        """Tree ensembles have no weights: their terms count how often a variable splits."""
        return self.model.kind == "trees"

    @property
    def shape_model(self) -> bool:
        """Additive (shape-function) models have no weights: each value falls in a bin."""
        return any(c.bin is not None for c in self.contributions)

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        """A JSON-ready dict (numbers as numbers, texts in ``lang``): see
        :func:`lanterne.present.explanation_json.explanation_json`."""
        from lanterne.present.explanation_json import explanation_json

        return explanation_json(self, lang)


# --------------------------------------------------------------------------- computing


def term_values(model: Model, frame: pl.DataFrame) -> list[Any] | None:
    """Each term's feature value for the first row of ``frame`` (additive models only)."""
    from lanterne.model.logistic import Logistic
    from lanterne.model.scorecard import Scorecard

    features = model.with_features(frame)
    if isinstance(model, Logistic):
        row = features.select([pl.col(t.name) for t in model.terms]).collect().row(0)
        return list(row)
    if isinstance(model, Scorecard):
        exprs = [e.alias(t.name) for e, t in zip(model._item_exprs, model.terms, strict=True)]
        return list(features.select(exprs).collect().row(0))
    if shape_views(model) is not None:  # additive: the value each shape function looks up
        return list(model.input_frame(frame).row(0))  # type: ignore[attr-defined]
    names = [t.name for t in model.terms]  # tree ensembles: each term is an input it reads
    available = set(features.collect_schema().names())
    if names and all(n in available for n in names):
        return list(features.select(names).collect().row(0))
    return None


def check_no_sensitive(model: Model) -> None:
    """Refuse a model whose terms read a sensitive variable (the loader also refuses it)."""
    sensitive = {v.name for v in model.spec.sensitive_variables}
    problems = [
        Problem(
            Msg(
                "le terme « {t} » du modèle {m} lit la variable sensible « {v} » : un modèle ne "
                "doit jamais utiliser une variable sensible ; Lanterne refuse de l'expliquer",
                "term '{t}' of model {m} reads the sensitive variable '{v}': a model must "
                "never use a sensitive variable; Lanterne refuses to explain it",
                t=term.name,
                m=model.id,
                v=name,
            )
        )
        for term in model.terms
        for name in term.variables
        if name in sensitive
    ]
    if problems:
        raise SpecError(problems)


def _base_provenance(model: Model) -> tuple[Status, Source | None]:
    spec = model.spec
    intercept = getattr(spec.model, "intercept", None)
    if isinstance(intercept, Number):  # a logistic model's, or an additive model's
        return spec.status_of(intercept), spec.source_of(intercept)
    if model.kind == "trees" and model.terms:  # the average comes from the trees themselves
        return model.terms[0].status, model.terms[0].source
    return spec.status, spec.source(spec.model.source)


def _standing(score: float, rule: TargetingRule, population: Population | None) -> Standing:
    if population is None:
        threshold = rule.threshold if rule.threshold is not None else None
        return Standing(
            rule=rule,
            population=None,
            n=None,
            percentile=None,
            threshold=threshold,
            selected=None if threshold is None else bool(score >= threshold),
        )
    threshold = population.threshold(rule)
    return Standing(
        rule=rule,
        population=population.name,
        n=population.n,
        percentile=population.percentile(score),
        threshold=threshold,
        selected=bool(score >= threshold),
    )


def explain_household(
    model: Model,
    household: Household,
    *,
    population: Population | str | os.PathLike[str] | pl.DataFrame | None = None,
    reference: str | Household | None = None,
    rule: TargetingRule | None = None,
    archetype_set: str | None = None,
    fast_path: bool = True,
) -> Explanation:
    """Explain ``household``'s score under ``model``.

    ``population`` (a scored :class:`Population`, a file or a table) gives the percentile
    and the selection threshold of a top-share rule. ``reference`` is ``"median"`` (the
    population's household at the median score), an archetype id of ``archetype_set`` (by
    default the model's own set, see :func:`~lanterne.explain.household.archetype_set_for`), or a
    :class:`Household`; ``None`` means the median when a population is given. ``rule``
    overrides the model's targeting rule. ``fast_path=False`` computes the household's
    numbers with Polars even where :mod:`lanterne.model.onerow` gives the same bits in
    plain Python (the tests compare both).
    """
    check_no_sensitive(model)
    rule = rule or model.targeting
    pop = (
        population
        if isinstance(population, Population) or population is None
        else score_population(model, population)
    )
    frame = household.frame
    base = float(model.base)
    # one row: the same numbers in plain Python (exactly Polars' bits), else Polars
    fast = one_row(model, frame) if fast_path else None
    if fast is not None:
        contributions, margin, score = fast.contributions, fast.margin, fast.score
        values, without = fast.values, fast.without
    else:
        contributions = model.contributions(frame, prepared=True).row(0)
        margin = float(model.margins(frame, prepared=True)[0])
        values = term_values(model, frame) or [None] * len(model.terms)
        without = scores_of_margins(model, [margin - c for c in contributions] + [base]).tolist()
        score = float(model.scores(frame, prepared=True)[0])
    additive = abs(base + math.fsum(contributions) - margin) <= ADDITIVE_TOLERANCE * max(
        1.0, abs(margin)
    )
    base_score = float(without[-1])
    bins = _bins(model, values)
    ref, ref_contributions = _reference(model, household, pop, reference, archetype_set)
    items = [
        Contribution(
            name=term.name,
            label=term.label,
            expression=term.expression,
            variables=term.variables,
            value=clean(value),
            weight=term.weight,
            contribution=float(c),
            status=term.status,
            source=term.source,
            score_without=float(s),
            reference=None if ref_contributions is None else float(ref_contributions[i]),
            bin=bins[i] if bins else None,
        )
        for i, (term, c, value, s) in enumerate(
            zip(model.terms, contributions, values, without, strict=False)
        )
    ]
    items.sort(key=lambda c: (c.contribution == 0, -abs(c.contribution), c.name))
    base_status, base_source = _base_provenance(model)
    explanation = Explanation(
        model=model,
        household=household,
        score=score,
        margin=margin,
        base=base,
        base_status=base_status,
        base_source=base_source,
        base_score=base_score,
        contributions=items,
        standing=_standing(score, rule, pop),
        reference=ref,
        additive=additive,
    )
    warning = explanation.provenance_warning()
    if warning is not None:
        explanation.warnings.append(warning)
    if model.spec.status_note is not None:
        explanation.warnings.append(Msg(model.spec.status_note.fr, model.spec.status_note.en))
    if not additive:
        explanation.warnings.append(
            Msg(
                "Les contributions de ce modèle ne s'additionnent pas exactement à son score : "
                "lisez-les comme des ordres de grandeur.",
                "This model's contributions do not add up exactly to its score: read them as "
                "orders of magnitude.",
            )
        )
    return explanation


def _bins(model: Model, values: list[Any]) -> list[Bin] | None:
    """Additive models: the bin each term's value fell in (checked against its contribution)."""
    views = shape_views(model)
    if views is None:
        return None
    return [view.locate(value) for view, value in zip(views, values, strict=True)]


def _reference(
    model: Model,
    household: Household,
    population: Population | None,
    reference: str | Household | None,
    archetype_set: str | None,
) -> tuple[Reference | None, tuple[float, ...] | None]:
    if reference is None and population is not None:
        reference = "median"
    if reference is None or reference == "none":
        return None, None
    if reference == "median":
        if population is None:
            raise SpecError(
                Problem(
                    Msg(
                        "la référence « median » demande une population de comparaison",
                        "the 'median' reference needs a comparison population",
                    )
                )
            )
        position = population.median_position()
        row = population.frame.slice(position, 1)
        score = float(population.scores[position])
        label = Msg(
            "le foyer médian de la population « {p} » (rang {r} sur {n} par score)",
            "the median household of the population '{p}' (rank {r} of {n} by score)",
            p=population.name,
            r=(population.n - 1) // 2 + 1,
            n=population.n,
        )
        kind: Literal["median", "archetype"] = "median"
        ref_id = None
    else:
        other = (
            reference
            if isinstance(reference, Household)
            else build_household(model, archetype=reference, archetype_set=archetype_set)
        )
        row = other.frame
        score = float(model.scores(row, prepared=True)[0])
        ref_id = other.archetype
        text = other.label
        label = Msg(
            "le profil-type « {i} » ({f})" if text else "le profil-type « {i} »",
            "the archetype '{i}' ({e})" if text else "the archetype '{i}'",
            i=ref_id or "?",
            f=text.fr if text else "",
            e=text.en if text else "",
        )
        kind = "archetype"
    ref_contributions = model.contributions(row, prepared=True).row(0)
    margin = float(model.margins(row, prepared=True)[0])
    return Reference(kind, ref_id, label, score, margin), ref_contributions
