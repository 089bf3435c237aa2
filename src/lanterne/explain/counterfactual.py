"""What the model reacts to: the smallest changes that bring a score under the threshold.

The search only moves the variables the spec marks ``mutable`` (the ones a person's
situation could change) and only among their candidate values
(:mod:`lanterne.explain.candidates`). It looks at sets of 1 changed variable, then 2,
then 3..., and stops after the first size at which some set brings the score *strictly*
below the selection threshold: every set of that size is examined, so the answer lists
**all** the smallest sets, each with its smallest change (numbers move the least across
their range; a change of category or of yes/no counts as 1). Results are ordered by
number of variables changed, then by that magnitude.

Exact for additive models: the margin is the starting point plus one contribution per
term, and a term only depends on its own variables, so the lowest margin a set of changes
can reach is bounded by the current margin minus, for every term the set touches, the
largest decrease that term can make over the candidate values. A set (or a whole size)
whose bound cannot cross the threshold is skipped without being scored; the others are
scored in vectorised batches with ``model.scores``. A budget (number of combinations,
seconds) bounds the work; when it runs out the result says so, in both languages.

These are facts about the model, not advice: no one should change their life to please an
algorithm.

Example:
    >>> from lanterne.model import load_model
    >>> from lanterne.explain.household import build_household
    >>> model = load_model("fr-cnaf-2014")
    >>> house = build_household(model, archetype="single-mother-rsa")
    >>> result = counterfactuals(model, house, threshold=0.10)
    >>> result.min_changes, all(s.score < 0.10 for s in result.sets)
    (1, True)
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from lanterne.defaults import COUNTERFACTUAL_EVALUATIONS, COUNTERFACTUAL_SECONDS
from lanterne.errors import Problem, UsageError
from lanterne.explain.candidates import candidate_values, with_values
from lanterne.explain.household import Household
from lanterne.explain.sentences import describe_value
from lanterne.explain.shapes import is_additive
from lanterne.i18n import Msg, format_number, pick
from lanterne.io.jsonresult import JsonResult
from lanterne.model import Model
from lanterne.model.onerow import scores_of_margins

CAVEAT = Msg(
    "Ce sont des faits sur le modèle, pas des conseils : personne ne devrait changer sa vie "
    "pour plaire à un algorithme. Ils montrent à quoi le modèle réagit — ce que "
    "l'administration doit pouvoir justifier.",
    "These are facts about the model, not advice: no one should change their life to please "
    "an algorithm. They show what the model reacts to — which the agency must be able to "
    "justify.",
)


@dataclass(frozen=True)
class Budget:
    """Limits of the search: combinations scored, seconds, rows per batch."""

    max_evaluations: int = COUNTERFACTUAL_EVALUATIONS
    seconds: float = COUNTERFACTUAL_SECONDS
    batch: int = 200_000


@dataclass(frozen=True)
class Change:
    variable: str
    before: Any
    after: Any


@dataclass(frozen=True)
class ChangeSet:
    """One set of changes that brings the score below the threshold."""

    changes: tuple[Change, ...]
    score: float
    magnitude: float
    alternatives: int  # how many candidate combinations of these variables also work

    @property
    def variables(self) -> tuple[str, ...]:
        return tuple(c.variable for c in self.changes)


def _count(n: int, fr1: str, frn: str, en1: str, enn: str) -> Msg:
    """``n`` with its noun in the singular or plural (French: singular for 0 and 1).

    >>> _count(2, "variable", "variables", "variable", "variables").render("fr")
    '2 variables'
    """
    return Msg(f"{n} {fr1 if n < 2 else frn}", f"{n} {en1 if n == 1 else enn}")


@dataclass
class CounterfactualResult(JsonResult):
    """The smallest sets of changes found, and how the search went."""

    model_id: str
    threshold: float
    score: float
    mutable: tuple[str, ...]
    candidates: dict[str, list[Any]]
    sets: list[ChangeSet] = field(default_factory=list)
    min_changes: int | None = None
    complete: bool = True
    additive: bool = True
    evaluated: int = 0
    pruned: int = 0
    seconds: float = 0.0
    message: Msg | None = None
    #: The parameters ``message`` asks to change (a front end names its own way to set them).
    message_params: tuple[str, ...] = ()
    labels: dict[str, Any] = field(default_factory=dict)

    @property
    def already_below(self) -> bool:
        return self.score < self.threshold

    @property
    def exact(self) -> bool:
        return self.complete and self.additive

    def label(self, name: str, lang: str | None = None) -> str:
        text = self.labels.get(name)
        return pick(text, lang) if text else name

    def summary(self, lang: str | None = None) -> list[str]:
        """Sentences: the outcome, then one line per set of changes, then the caveat."""
        t = format_number(self.threshold, lang, 4)
        s = format_number(self.score, lang, 4)
        if self.already_below:
            return [
                Msg(
                    "Le score ({s}) est déjà sous le seuil de sélection ({t}) : rien à chercher.",
                    "The score ({s}) is already below the selection threshold ({t}): nothing "
                    "to look for.",
                    s=s,
                    t=t,
                ).render(lang)
            ]
        out: list[str] = []
        if not self.mutable:
            out.append(
                Msg(
                    "Aucune variable lue par ce modèle n'est marquée modifiable dans sa "
                    "spécification : rien à chercher.",
                    "No variable this model reads is marked changeable in its specification: "
                    "nothing to look for.",
                ).render(lang)
            )
        elif self.min_changes is None and self.complete:
            out.append(
                Msg(
                    "Aucune combinaison des variables modifiables ({v}) ne fait passer le score "
                    "({s}) sous le seuil ({t}) : ce score tient à des éléments que la personne "
                    "ne peut pas changer.",
                    "No combination of the changeable variables ({v}) brings the score ({s}) "
                    "below the threshold ({t}): this score comes from elements the person "
                    "cannot change.",
                    v=", ".join(self.label(v, lang) for v in self.mutable),
                    s=s,
                    t=t,
                ).render(lang)
            )
        elif self.min_changes is not None:
            out.append(
                Msg(
                    "Plus petits ensembles de changements qui feraient passer le score ({s}) "
                    "sous le seuil ({t}) : {k} à la fois, {n}.",
                    "Smallest sets of changes that would bring the score ({s}) below the "
                    "threshold ({t}): {k} at a time, {n}.",
                    s=s,
                    t=t,
                    k=_count(self.min_changes, "variable", "variables", "variable", "variables"),
                    n=_count(len(self.sets), "ensemble", "ensembles", "set", "sets"),
                ).render(lang)
            )
            for i, found in enumerate(self.sets, start=1):
                parts = [
                    f"{self.label(c.variable, lang)} : {describe_value(c.before, lang)} → "
                    f"{describe_value(c.after, lang)}"
                    if (lang or "fr") == "fr"
                    else f"{self.label(c.variable, lang)}: {describe_value(c.before, lang)} → "
                    f"{describe_value(c.after, lang)}"
                    for c in found.changes
                ]
                out.append(
                    f"{i}. "
                    + Msg(" ; ", "; ").render(lang).join(parts)
                    + Msg(
                        " → score {s}", " → score {s}", s=format_number(found.score, lang, 4)
                    ).render(lang)
                )
        if self.message is not None:
            out.append(self.message.render(lang))
        elif self.mutable:
            out.append(
                Msg(
                    "Recherche {e} : {n} combinaisons notées, {p} ensembles écartés sans calcul "
                    "(bornes), {sec} s.",
                    "{E} search: {n} combinations scored, {p} sets skipped without scoring "
                    "(bounds), {sec} s.",
                    e=Msg("exacte", "exact")
                    if self.exact
                    else Msg("complète", "complete")
                    if self.additive
                    else Msg("heuristique", "heuristic"),
                    E=Msg("exacte", "Exact")
                    if self.exact
                    else Msg("complète", "Complete")
                    if self.additive
                    else Msg("heuristique", "Heuristic"),
                    n=format_number(self.evaluated, lang, 0),
                    p=format_number(self.pruned, lang, 0),
                    sec=format_number(self.seconds, lang, 2),
                ).render(lang)
            )
        if self.mutable and not self.additive:
            out.append(
                Msg(
                    "Modèle non additif (arbres) : seules des valeurs candidates ont été "
                    "essayées ; d'autres changements, plus petits, peuvent exister entre elles.",
                    "Non-additive model (trees): only candidate values were tried; other, "
                    "smaller changes may exist between them.",
                ).render(lang)
            )
        out.append(CAVEAT.render(lang))
        return out

    def render(self, lang: str | None = None) -> str:
        title = Msg("Ce à quoi le modèle réagit", "What the model reacts to").render(lang)
        return "\n".join([f"## {title}", "", *self.summary(lang)]) + "\n"

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        return {
            "threshold": self.threshold,
            "score": self.score,
            "already_below": self.already_below,
            "mutable_variables": list(self.mutable),
            "candidates": {k: [_plain(v) for v in vs] for k, vs in self.candidates.items()},
            "min_changes": self.min_changes,
            "sets": [
                {
                    "changes": [
                        {"variable": c.variable, "from": _plain(c.before), "to": _plain(c.after)}
                        for c in s.changes
                    ],
                    "score": s.score,
                    "magnitude": s.magnitude,
                    "alternatives": s.alternatives,
                }
                for s in self.sets
            ],
            "complete": self.complete,
            "exact": self.exact,
            "evaluated": self.evaluated,
            "pruned": self.pruned,
            "seconds": self.seconds,
            "message": self.message.render(lang) if self.message else None,
            "summary": self.summary(lang),
            "caveat": CAVEAT.render(lang),
        }


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def mutable_variables(model: Model, only: list[str] | None = None) -> list[str]:
    """Variables the model reads that its spec marks mutable (optionally a subset of them)."""
    used = set(model.used_variables)
    names = [v.name for v in model.spec.variables if v.mutable and v.name in used]
    if only is None:
        return names
    problems = []
    for name in only:
        var = model.spec.variable(name)
        if var is None or name not in used:
            problems.append(
                Problem(
                    Msg(
                        "« {n} » n'est pas une variable lue par le modèle {m}",
                        "'{n}' is not a variable read by model {m}",
                        n=name,
                        m=model.id,
                    )
                )
            )
        elif not var.mutable:
            problems.append(
                Problem(
                    Msg(
                        "« {n} » n'est pas marquée modifiable (mutable) dans la spécification",
                        "'{n}' is not marked changeable (mutable) in the specification",
                        n=name,
                    )
                )
            )
    if problems:
        raise UsageError(problems)
    return [n for n in names if n in only]


def _magnitude(model: Model, name: str, before: Any, after: Any) -> float:
    var = model.spec.variable(name)
    assert var is not None
    if var.type in ("int", "float"):
        low, high = var.range if var.range is not None else (0.0, max(abs(before), 1.0) * 2)
        return abs(float(after) - float(before)) / max(high - low, 1e-12)
    return 1.0


def counterfactuals(
    model: Model,
    household: Household | pl.DataFrame,
    threshold: float,
    budget: Budget | None = None,
    *,
    variables: list[str] | None = None,
    max_changes: int | None = None,
) -> CounterfactualResult:
    """Every smallest set of changes to mutable variables that brings the score below
    ``threshold`` (strictly), within ``budget``.

    ``household`` is a :class:`Household` or a one-row table already checked by
    ``model.prepare``. ``variables`` restricts the search to some mutable variables;
    ``max_changes`` caps the number of variables changed together. When the budget runs
    out, ``complete`` is false and ``message`` says so in both languages.
    """
    budget = budget or Budget()
    started = time.perf_counter()
    row = household.frame if isinstance(household, Household) else household
    names = mutable_variables(model, variables)
    score = float(model.scores(row, prepared=True)[0])
    labels = {n: var.label or None for n in names if (var := model.spec.variable(n)) is not None}
    result = CounterfactualResult(
        model_id=model.id,
        threshold=float(threshold),
        score=score,
        mutable=tuple(names),
        candidates={},
        additive=model.kind in ("logistic", "scorecard") or is_additive(model),
        labels=labels,
    )
    if result.already_below or not names:
        return result
    candidates = candidate_values(model, row, names)
    result.candidates = candidates
    names = [n for n in names if len(candidates[n]) > 1]
    result.mutable = tuple(names)

    base_contrib = model.contributions(row, prepared=True).to_numpy()[0]
    margin0 = float(model.margins(row, prepared=True)[0])
    decrease = _term_decreases(model, row, names, candidates, base_contrib)
    touching = {n: {j for j, t in enumerate(model.terms) if n in t.variables} for n in names}
    per_variable = {n: sum(decrease[j] for j in touching[n]) for n in names}

    def cannot_cross(total_decrease: float) -> bool:
        best = scores_of_margins(model, [margin0 - total_decrease])[0]
        return bool(best >= threshold)

    limit = len(names) if max_changes is None else min(max_changes, len(names))
    for k in range(1, limit + 1):
        best_k = sum(sorted(per_variable.values(), reverse=True)[:k])
        if cannot_cross(best_k):
            result.pruned += math.comb(len(names), k)
            continue
        found: list[ChangeSet] = []
        for subset in itertools.combinations(names, k):
            bound = sum(decrease[j] for j in set().union(*(touching[n] for n in subset)))
            if cannot_cross(bound):
                result.pruned += 1
                continue
            outcome = _search_subset(
                model, row, subset, candidates, threshold, budget, result, started
            )
            if outcome is not None:
                found.append(outcome)
            if not result.complete:
                break
        if found or not result.complete:
            found.sort(key=lambda s: (s.magnitude, s.score, s.variables))
            result.sets = found
            result.min_changes = k if found else None
            break
    result.seconds = time.perf_counter() - started
    if not result.complete:
        result.message = Msg(
            "Recherche arrêtée : le budget ({n} combinaisons ou {s} s) est épuisé. Les "
            "ensembles listés sont réels mais la liste n'est peut-être pas complète ni "
            "minimale. Réduisez les variables à faire varier ou augmentez le budget.",
            "Search stopped: the budget ({n} combinations or {s} s) ran out. The sets listed "
            "are real but the list may be neither complete nor minimal. Narrow the variables "
            "to vary or raise the budget.",
            n=format_number(budget.max_evaluations, None, 0),
            s=format_number(budget.seconds, None, 0),
        )
        result.message_params = ("variables", "budget")
    return result


def _term_decreases(
    model: Model,
    row: pl.DataFrame,
    names: list[str],
    candidates: dict[str, list[Any]],
    base: np.ndarray,
    limit: int = 200_000,
) -> np.ndarray:
    """For each term, the largest decrease its contribution can make over the candidates."""
    out = np.zeros(len(model.terms))
    for j, term in enumerate(model.terms):
        own = [n for n in names if n in term.variables]
        if not own:
            continue
        size = math.prod(len(candidates[n]) for n in own)
        if size > limit:
            out[j] = math.inf  # too many joint values to bound: never skip sets touching it
            continue
        grid = list(itertools.product(*(candidates[n] for n in own)))
        frame = with_values(row, {n: [g[i] for g in grid] for i, n in enumerate(own)}, len(grid))
        column = model.contributions(frame, prepared=True).to_numpy()[:, j]
        out[j] = max(0.0, float(base[j] - column.min()))
    return out


def _search_subset(
    model: Model,
    row: pl.DataFrame,
    subset: tuple[str, ...],
    candidates: dict[str, list[Any]],
    threshold: float,
    budget: Budget,
    result: CounterfactualResult,
    started: float,
) -> ChangeSet | None:
    """Score every combination of changed values of ``subset``; keep the smallest success."""
    current = {n: row[n][0] for n in subset}
    options = [[v for v in candidates[n] if v != current[n]] for n in subset]
    shape = tuple(len(o) for o in options)
    total = math.prod(shape)
    magnitudes = [
        np.array([_magnitude(model, n, current[n], v) for v in opts])
        for n, opts in zip(subset, options, strict=True)
    ]
    best: tuple[float, float, tuple[int, ...]] | None = None
    successes = 0
    start = 0
    while start < total:
        remaining = budget.max_evaluations - result.evaluated
        if remaining <= 0 or time.perf_counter() - started > budget.seconds:
            result.complete = False
            break
        stop = min(total, start + budget.batch, start + remaining)
        index = np.unravel_index(np.arange(start, stop), shape)
        columns = {
            n: [opts[i] for i in idx.tolist()]
            for n, opts, idx in zip(subset, options, index, strict=True)
        }
        frame = with_values(row, columns, stop - start)
        scores = model.scores(frame, prepared=True).to_numpy()
        result.evaluated += stop - start
        start = stop
        ok = scores < threshold
        if not ok.any():
            continue
        successes += int(ok.sum())
        parts = [m[idx] for m, idx in zip(magnitudes, index, strict=True)]
        size = sum(parts[1:], parts[0])  # an array: each candidate's total change
        candidates_ok = np.flatnonzero(ok)
        order = np.lexsort((scores[candidates_ok], size[candidates_ok]))
        pick_i = int(candidates_ok[order[0]])
        key = (float(size[pick_i]), float(scores[pick_i]), tuple(int(i[pick_i]) for i in index))
        if best is None or key[:2] < best[:2]:
            best = key
    if best is None:
        return None
    choice = best[2]
    changes = tuple(
        Change(n, _plain(current[n]), _plain(options[k][choice[k]])) for k, n in enumerate(subset)
    )
    return ChangeSet(changes=changes, score=best[1], magnitude=best[0], alternatives=successes)
