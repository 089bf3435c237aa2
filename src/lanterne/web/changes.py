"""What would change the decision, as the "My score" page lists it: one plain sentence, then
one list item per set of changes (each change "before → after", then the new score); how
the search went (combinations scored, bounds, seconds) goes to the technical fold-out.

Example:
    >>> from lanterne.explain.counterfactual import CounterfactualResult
    >>> below = CounterfactualResult("m", 0.2, 0.1, mutable=(), candidates={})
    >>> changes_view(below, "en")["intro"]
    'The score is already below the selection threshold: no change is needed to avoid selection.'
"""

from __future__ import annotations

from typing import Any

from lanterne.explain.counterfactual import CAVEAT, CounterfactualResult
from lanterne.explain.sentences import describe_value
from lanterne.i18n import Msg, format_percent
from lanterne.model import Model
from lanterne.web.common import category_labels


def changes_view(
    found: CounterfactualResult, lang: str, model: Model | None = None
) -> dict[str, Any]:
    """``intro`` (a sentence), ``sets`` (each a list of changes and the new score),
    ``details`` (how the search went, for the fold-out) and ``caveat``. With ``model``,
    a category is shown by its label ("Au chômage", not ``unemployed``)."""

    def shown(variable: str, value: Any) -> str:
        var = model.spec.variable(variable) if model is not None else None
        if var is not None and var.type == "category" and value is not None:
            return category_labels(var, lang).get(str(value), describe_value(value, lang))
        return describe_value(value, lang)

    pct = lambda v: format_percent(v, lang, 1)  # noqa: E731 - a local shorthand
    if found.already_below:
        already = Msg(
            "Le score est déjà sous le seuil de sélection : aucun changement n'est nécessaire "
            "pour ne pas être sélectionné.",
            "The score is already below the selection threshold: no change is needed to "
            "avoid selection.",
        )
        return {"intro": already.render(lang), "sets": [], "details": [], "caveat": None}
    summary = found.summary(lang)
    sets = [
        {
            "changes": [
                {
                    "what": found.label(c.variable, lang),
                    "before": shown(c.variable, c.before),
                    "after": shown(c.variable, c.after),
                }
                for c in s.changes
            ],
            "score": pct(s.score),
        }
        for s in found.sets
    ]
    if sets:
        intro = Msg(
            "Chacun de ces ensembles de changements ferait passer le score ({s}) sous le seuil "
            "de sélection ({t}) :",
            "Each of these sets of changes would bring the score ({s}) below the selection "
            "threshold ({t}):",
            s=pct(found.score),
            t=pct(found.threshold),
        ).render(lang)
        details = summary[1 + len(sets) : -1]  # search statistics, model caveats
    else:
        intro = summary[0]
        details = summary[1:-1]
    return {"intro": intro, "sets": sets, "details": details, "caveat": CAVEAT.render(lang)}
