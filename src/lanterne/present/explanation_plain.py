"""What the score means for the household, in three or four short sentences: what it
predicts, how the agency uses it, and how far the household is from selection.

These open the "You are here" part of the "My score" page (:attr:`ExplanationView.plain
<lanterne.present.explanation.ExplanationView>`).

Example:
    >>> from lanterne.model import load_model
    >>> from lanterne.explain import build_household, explain_household
    >>> model = load_model("fr-cnaf-2014")
    >>> exp = explain_household(model, build_household(model, archetype="single-mother-rsa"),
    ...                         population="catalog/samples/fr-households-sample.csv")
    >>> plain_lines(exp)[-1].render("en").startswith("Out of 1,000 households")
    True
"""

from __future__ import annotations

from lanterne.explain.explanation import Explanation
from lanterne.i18n import Msg, Num, pick


def _text(text: object) -> Msg:
    return Msg(pick(text, "fr"), pick(text, "en"))


def plain_lines(exp: Explanation) -> tuple[Msg, ...]:
    """The household's score in plain words (nothing about the distance without a threshold)."""
    spec = exp.model.spec
    st = exp.standing
    out = []
    if spec.predicts is not None:
        out.append(Msg("Le score estime {p}.", "The score estimates {p}.", p=_text(spec.predicts)))
    if spec.targeting.description is not None:
        out.append(_text(spec.targeting.description))
    if st.threshold is None:
        return tuple(out)
    score, threshold = Num(exp.score, "percent", 1), Num(st.threshold, "percent", 1)
    gap = st.threshold - exp.score
    if st.selected:
        out.append(
            Msg(
                "Ce foyer a un score de {s}, au-dessus du seuil de sélection ({t}) : il serait "
                "dans la liste des dossiers à contrôler.",
                "This household's score is {s}, above the selection threshold ({t}): it "
                "would be on the list of files to inspect.",
                s=score,
                t=threshold,
            )
        )
    elif getattr(spec.model, "kind", "") == "scorecard":
        # a scorecard's score is a profile, not a probability: no distance in percentage points
        out.append(
            Msg(
                "Ce dossier n'atteint pas le seuil de sélection du modèle.",
                "This file does not reach the model's selection threshold.",
            )
        )
    else:
        out.append(
            Msg(
                "Ce foyer a un score de {s} ; le seuil de sélection est de {t} : il lui manque "
                "{g} {pts} de pourcentage pour être sélectionné.",
                "This household's score is {s}; the selection threshold is {t}: it is {g} "
                "percentage points short of selection.",
                s=score,
                t=threshold,
                g=Num(gap * 100, digits=1),
                pts="point" if round(gap * 100, 1) < 2 else "points",
            )
        )
    if st.percentile is not None:
        out.append(
            Msg(
                "Sur 1 000 foyers de la population de comparaison, environ {n} ont un score plus "
                "élevé que celui-ci.",
                "Out of 1,000 households of the comparison population, about {n} have a higher "
                "score than this one.",
                n=Num(round((1 - st.percentile) * 1000)),
            )
        )
    return tuple(out)
