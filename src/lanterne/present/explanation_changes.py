"""What would change the decision, as one object: a sentence, one item per set of changes
(each change "before → after", then the new score), how the search went, and the caveat.

``lanterne explain --counterfactual`` prints it and the "My score" page shows it (how the
search went in its technical fold-out): the same changes, values said the same way (a
category by its label, "Au chômage", not ``unemployed``), the same new scores.

Example:
    >>> from lanterne.explain.counterfactual import CounterfactualResult
    >>> below = CounterfactualResult("m", 0.2, 0.1, mutable=(), candidates={})
    >>> changes_view(below).intro.render("en")
    'The score is already below the selection threshold: no change is needed to avoid selection.'
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from lanterne.explain.counterfactual import CAVEAT, CounterfactualResult
from lanterne.explain.sentences import describe_value
from lanterne.i18n import Msg, Num, pick
from lanterne.model import Model
from lanterne.present.explanation import Words


@dataclass(frozen=True)
class Change:
    """One variable changed: its label, its value now and the value that would do."""

    what: Msg
    before: Msg
    after: Msg


@dataclass(frozen=True)
class ChangeSet:
    """Changes made together, and the score they would give."""

    changes: tuple[Change, ...]
    score: Msg  # a percentage, two decimals

    @property
    def line(self) -> Msg:
        """The set on one line: ``Loyer mensuel : 620 → 548 → score 14,19 %``."""
        return Words(
            lambda lang: (
                Msg(" ; ", "; ")
                .render(lang)
                .join(
                    Msg(
                        "{w} : {b} → {a}", "{w}: {b} → {a}", w=c.what, b=c.before, a=c.after
                    ).render(lang)
                    for c in self.changes
                )
                + Msg(" → score {s}", " → score {s}", s=self.score).render(lang)
            )
        )


@dataclass(frozen=True)
class ChangesView:
    """The outcome of the search for what would change the decision."""

    intro: Msg
    sets: tuple[ChangeSet, ...]
    details: tuple[Msg, ...]  # how the search went, what the model's kind allows
    caveat: Msg | None  # facts about the model, not advice


def _percent(value: float) -> Msg:
    return Msg("{p}", "{p}", p=Num(value, "percent", 2))


def _value(model: Model | None, variable: str, value: Any) -> Msg:
    """A value as the reader knows it: a category by its label."""
    var = model.spec.variable(variable) if model is not None else None
    if var is not None and var.type == "category" and value is not None:
        labels = var.category_labels or {}
        code = str(value)
        if code in (var.categories or []):
            return Words(
                lambda lang: pick(labels[code], lang) if code in labels else code.replace("_", " ")
            )
    return Words(lambda lang: describe_value(value, lang))


def changes_view(found: CounterfactualResult, model: Model | None = None) -> ChangesView:
    """The view of ``found``; with ``model``, categories are said by their labels."""
    if found.already_below:
        intro = Msg(
            "Le score est déjà sous le seuil de sélection : aucun changement n'est nécessaire "
            "pour ne pas être sélectionné.",
            "The score is already below the selection threshold: no change is needed to "
            "avoid selection.",
        )
        return ChangesView(intro, (), (), None)
    summary = cache(found.summary)  # each language's sentences, written once

    def line(i: int) -> Msg:
        return Words(lambda lang: summary(lang)[i])

    sets = tuple(
        ChangeSet(
            tuple(
                Change(
                    Words(lambda lang, v=c.variable: found.label(v, lang)),  # type: ignore[misc]
                    _value(model, c.variable, c.before),
                    _value(model, c.variable, c.after),
                )
                for c in s.changes
            ),
            _percent(s.score),
        )
        for s in found.sets
    )
    count = len(summary("fr"))
    if not sets:
        return ChangesView(line(0), (), tuple(line(i) for i in range(1, count - 1)), CAVEAT)
    intro = Msg(
        "Chacun de ces ensembles de changements ferait passer le score ({s}) sous le seuil "
        "de sélection ({t}) :",
        "Each of these sets of changes would bring the score ({s}) below the selection "
        "threshold ({t}):",
        s=_percent(found.score),
        t=_percent(found.threshold),
    )
    # the summary: its first line (how many at a time), one line per set, statistics, caveat
    details = (line(0), *(line(i) for i in range(1 + len(sets), count - 1)))
    return ChangesView(intro, sets, details, CAVEAT)
