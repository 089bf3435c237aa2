"""The shape of a model specification, as Pydantic models.

This module only describes fields and their local constraints; cross-references
(an expression naming an undeclared variable, a coefficient citing an unknown source...)
are checked in :mod:`lanterne.spec.load`, which knows where each value was written.
The format is documented for humans in ``docs/spec.md``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field, model_validator

from lanterne.provenance import SLUG, STATUSES, Source, Status, Strict, Text

VariableType = Literal["bool", "int", "float", "category"]

IDENTIFIER = r"^[A-Za-z][A-Za-z0-9_]*$"

#: Columns that scoring writes; a spec cannot use these names for its own variables.
RESERVED_NAMES = frozenset({"score", "selected", "profile", "log_odds", "points", "row"})


class Variable(Strict):
    """An input column of the data the model reads (or an attribute audits group by).

    ``missing: allowed`` accepts empty cells (the model says what a missing value means,
    e.g. an additive model's ``impute`` step or a shape's ``missing`` score).
    """

    name: Annotated[str, Field(pattern=IDENTIFIER)]
    type: VariableType
    label: Text | None = None
    description: Text
    unit: str | None = None
    range: tuple[float, float] | None = None
    categories: list[Annotated[str, Field(min_length=1)]] | None = None
    category_labels: dict[str, Text] | None = None  # words shown for each category
    mutable: bool = False
    sensitive: bool = False
    missing: Literal["refused", "allowed"] = "refused"
    source: str | None = None
    status: Status | None = None


class Feature(Strict):
    """A value derived from variables with the safe expression language."""

    name: Annotated[str, Field(pattern=IDENTIFIER)]
    expr: Annotated[str, Field(min_length=1)]
    label: Text | None = None
    description: Text
    source: str | None = None
    status: Status | None = None


class Number(Strict):
    """A number taken from the outside world, with where it comes from."""

    value: float
    status: Status | None = None
    source: str | None = None
    note: Text | None = None


class Coefficient(Number):
    """A logistic-regression weight on a variable or a feature."""

    feature: Annotated[str, Field(pattern=IDENTIFIER)]


class LogisticModel(Strict):
    """score = 1 / (1 + exp(-(intercept + Σ coefficient × feature)))."""

    kind: Literal["logistic"]
    source: str | None = None
    intercept: Number
    coefficients: Annotated[list[Coefficient], Field(min_length=1)]


class ScorecardItem(Strict):
    """Points given when a condition holds, or points per unit of a numeric expression."""

    when: str | None = None
    per: str | None = None
    points: float
    dimension: Annotated[str, Field(pattern=IDENTIFIER)] | None = None
    label: Text | None = None
    status: Status | None = None
    source: str | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _one_rule(self) -> ScorecardItem:
        if (self.when is None) == (self.per is None):
            raise ValueError("a scorecard item needs exactly one of 'when' (a condition) or 'per'")
        return self


class Band(Strict):
    """Households whose total points reach ``min_points`` fall in this profile (or higher)."""

    min_points: float
    profile: Annotated[str, Field(min_length=1)]
    label: Text | None = None


class Scale(Strict):
    """Points mapped linearly to a score in [0, 1]: ``min`` → 0 and ``max`` → 1 (clipped)."""

    min: float
    max: float

    @model_validator(mode="after")
    def _ordered(self) -> Scale:
        if self.max <= self.min:
            raise ValueError("scale.max must be greater than scale.min")
        return self


class Dimension(Strict):
    """A named sub-total of a scorecard: the points of the items that name it."""

    name: Annotated[str, Field(pattern=IDENTIFIER)]
    label: Text | None = None
    description: Text


class ProfileRule(Strict):
    """A profile given when a condition on the dimension totals holds (first match wins).

    The last rule has no ``when``: it is the profile of everyone the others leave.
    ``score`` is the score every person of that profile gets.
    """

    profile: Annotated[str, Field(min_length=1)]
    when: str | None = None
    score: Annotated[float, Field(ge=0, le=1)]
    label: Text | None = None
    description: Text | None = None
    status: Status | None = None
    source: str | None = None
    note: Text | None = None


class ScorecardModel(Strict):
    """score = (Σ points − scale.min) / (scale.max − scale.min), clipped to [0, 1].

    With ``dimensions`` and ``profiles``, items add to named sub-totals and a rule table on
    those totals gives each person a profile, whose ``score`` is the person's score.
    """

    kind: Literal["scorecard"]
    source: str | None = None
    items: Annotated[list[ScorecardItem], Field(min_length=1)]
    scale: Scale | None = None
    bands: list[Band] | None = None
    dimensions: list[Dimension] | None = None
    profiles: list[ProfileRule] | None = None

    @model_validator(mode="after")
    def _profiles_or_bands(self) -> ScorecardModel:
        if self.profiles is not None and self.bands is not None:
            raise ValueError("a scorecard has either 'bands' (one total) or 'profiles', not both")
        if self.profiles is not None and not self.dimensions:
            raise ValueError("'profiles' are rules on 'dimensions': declare the dimensions")
        return self


# ---------------------------------------------------------------- tree ensembles


class TreeNodes(Strict):
    """One decision tree as parallel arrays, one entry per node (node 0 is the root).

    An internal node sends a value to ``left`` when it is below its ``threshold`` (see the
    model's ``split_rule``), else to ``right``; a missing value goes left when
    ``missing_left``. A leaf has ``left`` = ``right`` = -1, no ``feature`` and a ``value``.
    ``cover`` is how much training data reached the node (TreeSHAP weighs paths by it).
    """

    feature: list[str | None]
    threshold: list[float | None]
    left: list[int]
    right: list[int]
    value: list[float | None]
    cover: list[float]
    missing_left: list[bool] | None = None


class Ensemble(Strict):
    """The trees, inline or in a JSON file next to the spec, with their provenance."""

    file: str | None = None
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")] | None = None
    trees: list[TreeNodes] | None = None
    status: Status | None = None
    source: str | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _one_place(self) -> Ensemble:
        if (self.file is None) == (self.trees is None):
            raise ValueError("the ensemble needs exactly one of 'file' (a JSON file) or 'trees'")
        if self.sha256 is not None and self.file is None:
            raise ValueError("'sha256' checks a 'file': inline trees need none")
        return self


class TreesModel(Strict):
    """A tree ensemble: margin = base_score + Σ tree leaf values; score by the ``link``."""

    kind: Literal["trees"]
    source: str | None = None
    link: Literal["logit", "identity", "scale"]
    scale: Scale | None = None
    base_score: Number
    split_rule: Literal["<", "<="]
    precision: Literal["float32", "float64"] = "float64"
    ensemble: Ensemble

    @model_validator(mode="after")
    def _scale_with_scale_link(self) -> TreesModel:
        if self.scale is not None and self.link != "scale":
            raise ValueError("'scale' only applies with 'link: scale'")
        return self


# ---------------------------------------------------------------- additive models (GAM, EBM)


class ImputeStep(Strict):
    """Fill a missing (empty) input with ``value`` and, optionally, flag that it was filled.

    ``output`` is the filled number; ``indicator`` (if given) is 1 where the input was
    missing, else 0. Both are names the model's shapes can read.
    """

    impute: Annotated[str, Field(pattern=IDENTIFIER)]  # the input variable
    value: Number
    output: Annotated[str, Field(pattern=IDENTIFIER)]
    indicator: Annotated[str, Field(pattern=IDENTIFIER)] | None = None
    note: Text | None = None


class Shape(Strict):
    """One shape function of an additive model: the score one input adds to the margin.

    ``continuous``: ``edges`` sorted increasingly, ``scores`` one more than the edges. A value
    ``x`` falls in bin ``i`` = the number of edges ≤ ``x`` (a value equal to an edge goes to
    the bin above it) and adds ``scores[i]``.
    ``categorical``: ``categories`` and one score each; a value not listed adds ``unknown``.
    Both: a missing value adds ``missing``.
    """

    input: Annotated[str, Field(pattern=IDENTIFIER)]
    type: Literal["continuous", "categorical"]
    edges: list[float] | None = None
    categories: list[bool | float | str] | None = None
    scores: Annotated[list[float], Field(min_length=1)]
    missing: float = 0.0
    unknown: float = 0.0
    label: Text | None = None
    status: Status | None = None
    source: str | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Shape:
        if self.type == "continuous":
            if self.edges is None or self.categories is not None:
                raise ValueError("a continuous shape has 'edges' (and no 'categories')")
            if len(self.scores) != len(self.edges) + 1:
                raise ValueError(
                    f"a continuous shape has one score more than edges: {len(self.edges)} "
                    f"edges need {len(self.edges) + 1} scores, not {len(self.scores)}"
                )
            if any(b <= a for a, b in zip(self.edges, self.edges[1:], strict=False)):
                raise ValueError("'edges' must be strictly increasing")
        else:
            if self.categories is None or self.edges is not None:
                raise ValueError("a categorical shape has 'categories' (and no 'edges')")
            if len(self.scores) != len(self.categories):
                raise ValueError(
                    f"a categorical shape has one score per category: {len(self.categories)} "
                    f"categories, {len(self.scores)} scores"
                )
            if len({repr(c) for c in self.categories}) != len(self.categories):
                raise ValueError("duplicate category")
        return self


class AdditiveModel(Strict):
    """A generalised additive model (e.g. an Explainable Boosting Machine).

    margin = intercept + Σ shape(input); score = 1 / (1 + exp(-margin)) for ``link: logit``.
    ``preprocess`` derives shape inputs from raw variables first (in order).
    """

    kind: Literal["additive"]
    source: str | None = None
    link: Literal["logit"] = "logit"
    intercept: Number
    preprocess: list[ImputeStep] = Field(default_factory=list)
    shapes: Annotated[list[Shape], Field(min_length=1)]


class PerformanceFigure(Number):
    """A performance figure the model's authors recorded (precision, recall, AUC...)."""

    name: Annotated[str, Field(pattern=IDENTIFIER)]
    dataset: Annotated[str, Field(min_length=1)]  # e.g. "test", "train"
    label: Text | None = None


ModelKind = Annotated[
    LogisticModel | ScorecardModel | TreesModel | AdditiveModel, Field(discriminator="kind")
]


class Targeting(Strict):
    """Which households the agency inspects: the top share of scores, or above a threshold."""

    # the validator below, said to editors through the JSON Schema
    model_config = ConfigDict(
        json_schema_extra={"oneOf": [{"required": ["top_share"]}, {"required": ["threshold"]}]}
    )

    top_share: Annotated[float, Field(gt=0, le=1)] | None = None
    threshold: Annotated[float, Field(ge=0, le=1)] | None = None
    description: Text | None = None
    source: str | None = None
    status: Status | None = None

    @model_validator(mode="after")
    def _one_rule(self) -> Targeting:
        if (self.top_share is None) == (self.threshold is None):
            raise ValueError("targeting needs exactly one of top_share or threshold")
        return self


#: Anything of a model that carries its own status and source.
Sourced = Number | ScorecardItem | ProfileRule | Ensemble | Shape


class ModelSpec(Strict):
    """A whole model: who uses it, what it reads, how it scores, whom it selects."""

    lanterne_spec: Literal[1]
    id: Annotated[str, Field(pattern=SLUG)]
    name: Text
    agency: Annotated[str, Field(min_length=1)]
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
    years: tuple[int, int | None]
    description: Text
    #: what the score estimates, in a sentence a person understands ("the chance that
    #: an inspection finds an overpayment"): the "My score" page starts with it
    predicts: Text | None = None
    status: Status
    status_note: Text | None = None
    sources: Annotated[list[Source], Field(min_length=1)]
    variables: Annotated[list[Variable], Field(min_length=1)]
    features: list[Feature] = Field(default_factory=list)
    model: ModelKind
    targeting: Targeting
    performance: list[PerformanceFigure] = Field(default_factory=list)

    # ---------------------------------------------------------------- lookups

    def variable(self, name: str) -> Variable | None:
        return next((v for v in self.variables if v.name == name), None)

    def feature(self, name: str) -> Feature | None:
        return next((f for f in self.features if f.name == name), None)

    def source(self, source_id: str | None) -> Source | None:
        return next((s for s in self.sources if s.id == source_id), None)

    def category_label(self, variable: str, value: str, lang: str) -> str:
        """The words for a category value (the value itself when none are declared).

        >>> spec = ModelSpec.model_construct(variables=[])
        >>> spec.category_label("family", "single_parent", "en")
        'single parent'
        """
        var = self.variable(variable)
        labels = (var.category_labels or {}) if var else {}
        if value in labels:
            return labels[value].get(lang)
        return value.replace("_", " ")

    @property
    def model_variables(self) -> list[Variable]:
        """Variables the model may read (sensitive ones are only for audits)."""
        return [v for v in self.variables if not v.sensitive]

    @property
    def sensitive_variables(self) -> list[Variable]:
        return [v for v in self.variables if v.sensitive]

    def status_of(self, number: Sourced | Feature | Variable | Targeting) -> Status:
        """A number's own status, or the spec's default."""
        return number.status or self.status

    def source_of(self, number: Sourced) -> Source | None:
        """A number's own source, or the model's default source."""
        return self.source(number.source or self.model.source)

    def numbers(self) -> list[Sourced]:
        """Every number of the model in order: intercept and coefficients; points (and
        profile rules); a tree ensemble's base score and its trees (one unit); or an
        additive model's intercept, imputed values and shapes (one unit each)."""
        if isinstance(self.model, LogisticModel):
            return [self.model.intercept, *self.model.coefficients]
        if isinstance(self.model, TreesModel):
            return [self.model.base_score, self.model.ensemble]
        if isinstance(self.model, AdditiveModel):
            steps = [step.value for step in self.model.preprocess]
            return [self.model.intercept, *steps, *self.model.shapes]
        return [*self.model.items, *(self.model.profiles or [])]

    def status_counts(self) -> dict[Status, int]:
        """How many of the model's numbers are published, reconstructed or illustrative."""
        counts: dict[Status, int] = dict.fromkeys(STATUSES, 0)
        for number in self.numbers():
            counts[self.status_of(number)] += 1
        return counts

    def overall_status(self) -> Status:
        """The weakest status among the model's numbers: one illustrative number taints all."""
        counts = self.status_counts()
        for status in reversed(STATUSES):
            if counts[status]:
                return status
        return self.status
