"""Plain sentences about a contribution, in French and English.

For a logistic model every contribution is a number of *log-odds*: adding ``c`` multiplies
the odds (score / (1 − score)) by ``exp(c)``. A sentence gives that multiplier and the score
the household would have without the contribution, everything else being equal — two
exact statements a reader can check. For a points scorecard, the sentence gives the points
and, likewise, the score without them.

Example:
    >>> text = contribution_sentence("RSA", True, 0.6, link="logit", score=0.2,
    ...                              score_without=0.1207, lang="en")
    >>> text.split(". ")[0]
    'RSA (yes) raises your score: +0.60 in log-odds (the odds are multiplied by 1.82)'
    >>> text.split(". ")[1]
    'All else being equal, without it your score would be 12.1% instead of 20.0%.'
"""

from __future__ import annotations

import math
from typing import Any

from lanterne.i18n import Msg, format_number, format_percent, normalise_lang


def describe_value(value: Any, lang: str | None = None) -> str:
    """A value as a reader expects it: oui/non, 1 200,5, a category as written.

    >>> describe_value(False, "fr"), describe_value(1200.5, "fr"), describe_value(3.0, "en")
    ('non', '1\\u202f200,5', '3')
    >>> describe_value(0.125, "en"), describe_value(2 / 3, "en")
    ('0.125', '0.666667')
    """
    if value is None:
        return "—"
    if isinstance(value, bool):
        return (Msg("oui", "yes") if value else Msg("non", "no")).render(lang)
    if isinstance(value, int | float):
        number = float(value)
        if number == int(number) and abs(number) < 1e15:
            return format_number(number, lang, 0)
        # two decimals, or as many as the value needs up to six (a bin edge such as 0.125)
        digits = (
            2
            if round(number, 2) == number
            else min(6, len(f"{number:.6f}".rstrip("0").split(".")[1]))
        )
        text = format_number(number, lang, digits)
        return text.rstrip("0") if ("," in text or "." in text) else text
    return str(value)


def signed(value: float, lang: str | None = None, digits: int = 2) -> str:
    """``+0,60`` / ``−0,35`` with a true minus sign."""
    text = format_number(abs(value), lang, digits)
    if round(value, digits) == 0:
        return text
    return ("+" if value > 0 else "\u2212") + text


def contribution_sentence(
    label: str,
    value: Any,
    contribution: float,
    *,
    link: str,
    score: float,
    score_without: float,
    lang: str | None = None,
) -> str:
    """One sentence saying what this contribution does to the household's score."""
    lang = normalise_lang(lang) if lang else None
    shown = describe_value(value, lang)
    head = f"{label} ({shown})" if value is not None else label
    if contribution == 0:
        return Msg(
            "{h} ne compte pas dans votre score (contribution nulle).",
            "{h} does not count in your score (zero contribution).",
            h=head,
        ).render(lang)
    without = Msg(
        "À autres éléments égaux, sans cet élément votre score serait de {w} au lieu de {s}.",
        "All else being equal, without it your score would be {w} instead of {s}.",
        w=format_percent(score_without, lang),
        s=format_percent(score, lang),
    )
    if link == "logit":
        return Msg(
            "{h} {verb} votre score : {c} en log-cote (la cote est multipliée par {x}). {w}",
            "{h} {verb} your score: {c} in log-odds (the odds are multiplied by {x}). {w}",
            h=head,
            verb=Msg("fait monter", "raises")
            if contribution > 0
            else Msg("fait baisser", "lowers"),
            c=signed(contribution, lang),
            x=format_number(math.exp(contribution), lang, 2),
            w=without,
        ).render(lang)
    return Msg(
        "{h} {verb} {p} point(s) à votre total. {w}",
        "{h} {verb} {p} point(s) to your total. {w}",
        h=head,
        verb=Msg("ajoute", "adds") if contribution > 0 else Msg("retire", "takes away"),
        p=describe_value(abs(contribution), lang),
        w=without,
    ).render(lang)


def base_sentence(base: float, *, link: str, base_score: float, lang: str | None = None) -> str:
    """What the model's starting point (intercept) means."""
    if link == "logit":
        return Msg(
            "Point de départ du modèle (constante) : {b} en log-cote, soit un score de {s} pour "
            "un foyer qui n'aurait aucun des éléments ci-dessous.",
            "The model's starting point (intercept): {b} in log-odds, a score of {s} for a "
            "household with none of the elements below.",
            b=signed(base, lang),
            s=format_percent(base_score, lang),
        ).render(lang)
    return Msg(
        "Le total des points est ramené à un score entre 0 et 1 ; sans aucun point, le score "
        "serait de {s}.",
        "The total of points is mapped to a score between 0 and 1; with no points at all, the "
        "score would be {s}.",
        s=format_percent(base_score, lang),
    ).render(lang)


def zero_sentence(labels: list[str], lang: str | None = None) -> str:
    """One sentence for every element that does not count for this household."""
    return Msg(
        "Ne comptent pas pour ce foyer (contribution nulle) : {l}.",
        "Do not count for this household (zero contribution): {l}.",
        l=", ".join(labels),
    ).render(lang)
