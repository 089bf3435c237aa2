"""The explanation as JSON (``lanterne explain --json``, the web page's ``explanation.json``).

Numbers stay numbers (unrounded); texts are those of the
:class:`~lanterne.present.explanation.ExplanationView`, in one language.

Example:
    >>> from lanterne.model import load_model
    >>> from lanterne.explain import build_household, explain_household
    >>> model = load_model("fr-cnaf-2014")
    >>> exp = explain_household(model, build_household(model, archetype="single-mother-rsa"))
    >>> data = explanation_json(exp, "en")
    >>> data["lanterne"], data["format"], data["check"]["additive"]
    ('explanation', 1, True)
"""

from __future__ import annotations

import math
from typing import Any

from lanterne.explain.explanation import Explanation
from lanterne.i18n import pick
from lanterne.io.jsonresult import clean
from lanterne.present.explanation import ExplanationView, explanation_view
from lanterne.provenance import source_citation


def explanation_json(
    exp: Explanation, lang: str | None = None, view: ExplanationView | None = None
) -> dict[str, Any]:
    """A JSON-ready dict of ``exp`` (numbers as numbers, texts in ``lang``); ``view``: its
    view when the caller has built it already."""
    view = view or explanation_view(exp)
    spec = exp.model.spec
    used = set(exp.model.used_variables)
    sentences = {r.term: r.sentence for r in view.table.rows}
    out: dict[str, Any] = {
        "lanterne": "explanation",
        "format": 1,
        "model": {
            "id": spec.id,
            "name": pick(spec.name, lang),
            "agency": spec.agency,
            "kind": exp.model.kind,
            "link": exp.model.link,
            "margin_scale": "log-odds" if exp.model.link == "logit" else "points",
            "status": spec.overall_status(),
            "status_note": pick(spec.status_note, lang) if spec.status_note else None,
        },
        "household": {
            "description": exp.household.describe(lang),
            "archetype": exp.household.archetype,
            "values": {k: v for k, v in exp.household.values.items() if k in used},
            "ignored": list(exp.household.ignored),
        },
        "score": exp.score,
        "margin": exp.margin,
        "base": {
            "value": exp.base,
            "status": exp.base_status,
            "source": source_citation(exp.base_source, lang) or None,
            "score": exp.base_score,
            "sentence": view.table.base.sentence.render(lang),  # type: ignore[union-attr]
        },
        "contributions": [
            {
                "term": c.name,
                "label": c.title(lang),
                "expression": c.expression,
                "variables": list(c.variables),
                "value": clean(c.value),
                "weight": c.weight,
                "contribution": c.contribution,
                "odds_multiplier": math.exp(c.contribution) if exp.model.link == "logit" else None,
                "score_without": c.score_without,
                "bin": c.bin.to_dict(lang) if c.bin is not None else None,
                "status": c.status,
                "source": source_citation(c.source, lang) or None,
                "sentence": sentences[c.name].render(lang),  # type: ignore[union-attr]
            }
            for c in exp.contributions
        ],
        "check": {
            "additive": exp.additive,
            "base_plus_contributions": exp.base + sum(c.contribution for c in exp.contributions),
            "margin": exp.margin,
        },
        "standing": {
            "rule": exp.standing.rule.describe().render(lang),
            "top_share": exp.standing.rule.top_share,
            "population": exp.standing.population,
            "n": exp.standing.n,
            "percentile": exp.standing.percentile,
            "threshold": exp.standing.threshold,
            "selected": exp.standing.selected,
            "sentences": [s.render(lang) for s in view.standing],
        },
        "reference": None,
        "sensitive_variables_not_used": exp.sensitive_variables,
        "warnings": [w.render(lang) for w in exp.warnings],
    }
    if exp.reference is not None:
        out["reference"] = {
            "kind": exp.reference.kind,
            "id": exp.reference.id,
            "label": exp.reference.label.render(lang),
            "score": exp.reference.score,
            "margin": exp.reference.margin,
            "differences": [
                {
                    "term": c.name,
                    "label": c.title(lang),
                    "yours": c.contribution,
                    "reference": c.reference,
                    "difference": c.difference,
                }
                for c in exp.sorted_differences()
            ],
        }
    return out
