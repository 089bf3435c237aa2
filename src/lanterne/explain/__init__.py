"""Explain one household's score: contributions, standing, what the model reacts to.

The functions the CLI, the report and the web app call:

- :func:`build_household` — one validated household from an archetype, a file, a mapping
  of values (a web form) and ``VAR=VALUE`` strings;
- :func:`score_population` — a population to place the household in;
- :func:`explain_household` — the :class:`Explanation` (score, exact contributions,
  standing, reference; ``to_dict(lang)``, ``to_json(lang)``); what is shown of it, in words
  and tables, is its view, :func:`lanterne.present.explanation.explanation_view`;
- :func:`counterfactuals` — the smallest sets of changes that cross the threshold
  (:class:`CounterfactualResult`, ``summary(lang)``, ``to_dict(lang)``, ``to_json(lang)``).
"""

from lanterne.explain.counterfactual import (
    CAVEAT,
    Budget,
    CounterfactualResult,
    counterfactuals,
)
from lanterne.explain.explanation import Explanation, explain_household
from lanterne.explain.household import Household, build_household
from lanterne.explain.population import Population, score_population

__all__ = [
    "CAVEAT",
    "Budget",
    "CounterfactualResult",
    "Explanation",
    "Household",
    "Population",
    "build_household",
    "counterfactuals",
    "explain_household",
    "score_population",
]
