""" "Vous êtes ici" / "You are here": the household's place among the population's scores,
against the selection threshold, drawn as a light inline SVG (the same place in plain words
is :func:`lanterne.present.explanation_plain.plain_lines`).

The curve is the population's scores sorted from lowest to highest (101 quantiles, computed
once per population); the household is a dot on it, the threshold a dashed line. A model
served without a population (Amsterdam's, Poland's) gets a plain 0-to-threshold scale.

Example:
    >>> import numpy as np
    >>> q = score_quantiles(np.linspace(0, 1, 1001))
    >>> svg = standing_svg(q, score=0.9, percentile=0.9, threshold=0.95, lang="en")
    >>> "You are here" in svg and svg.startswith("<svg")
    True
"""

from __future__ import annotations

from html import escape

import numpy as np

from lanterne.i18n import Msg, format_percent
from lanterne.web.chart import TEXT, UP

HERE = "#1f4e9c"
CURVE = "#5a5a5a"


def score_quantiles(scores: np.ndarray) -> np.ndarray:
    """The 101 quantiles (0 %, 1 %, … 100 %) of a population's scores."""
    return np.quantile(np.asarray(scores, dtype=float), np.linspace(0, 1, 101))


def standing_svg(
    quantiles: np.ndarray | None,
    *,
    score: float,
    percentile: float | None,
    threshold: float | None,
    lang: str,
) -> str:
    """The population's sorted scores (or a plain scale), the threshold and the household."""
    w, h, left, right, top, bottom = 640, 230, 56, 16, 16, 44
    pw, ph = w - left - right, h - top - bottom
    hi = max(float(quantiles[-1]) if quantiles is not None else 0.0, score, threshold or 0.0)
    hi = hi * 1.05 or 1.0

    def y(v: float) -> float:
        return top + ph * (1 - v / hi)

    def x(share: float) -> float:
        return left + pw * share

    t = Msg
    title = t("Vous êtes ici", "You are here").render(lang)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" role="img" '
        f'class="standing" aria-labelledby="st-title st-desc">',
        f'<title id="st-title">{escape(title)}</title>',
    ]
    pct = lambda v: format_percent(v, lang, 1)  # noqa: E731 - a local shorthand
    if quantiles is not None and percentile is not None:
        desc = t(
            "Les scores de la population triés du plus bas au plus haut ; le point bleu est "
            "ce foyer ({s}, plus élevé que {p} des foyers){th}.",
            "The population's scores sorted from lowest to highest; the blue dot is this "
            "household ({s}, higher than {p} of households){th}.",
            s=pct(score),
            p=pct(percentile),
            th=_threshold_words(threshold, lang),
        ).render(lang)
        points = " ".join(f"{x(i / 100):.1f},{y(float(v)):.1f}" for i, v in enumerate(quantiles))
        parts.append(f'<desc id="st-desc">{escape(desc)}</desc>')
        parts.append(f'<polyline points="{points}" fill="none" stroke="{CURVE}" stroke-width="2"/>')
        dot_x = x(percentile)
        axis = t(
            "foyers, du score le plus bas (à gauche) au plus haut (à droite)",
            "households, from the lowest score (left) to the highest (right)",
        ).render(lang)
    else:
        desc = t(
            "Une échelle de score ; le point bleu est ce foyer ({s}){th}.",
            "A score scale; the blue dot is this household ({s}){th}.",
            s=pct(score),
            th=_threshold_words(threshold, lang),
        ).render(lang)
        parts.append(f'<desc id="st-desc">{escape(desc)}</desc>')
        dot_x = left + pw / 2
        axis = t("score de ce dossier", "this file's score").render(lang)
        parts.append(
            f'<line x1="{dot_x:.1f}" y1="{top}" x2="{dot_x:.1f}" y2="{top + ph}" '
            f'stroke="{CURVE}" stroke-width="6" stroke-linecap="round" opacity="0.35"/>'
        )
    # axes
    parts.append(
        f'<line x1="{left}" y1="{top + ph}" x2="{left + pw}" y2="{top + ph}" stroke="{TEXT}"/>'
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + ph}" stroke="{TEXT}"/>'
    )
    for v in (0.0, hi / 2, hi / 1.05):
        parts.append(
            f'<text x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end" font-size="12" '
            f'fill="{TEXT}">{escape(pct(v))}</text>'
        )
    parts.append(
        f'<text x="{left + pw / 2}" y="{h - 12}" text-anchor="middle" font-size="13" '
        f'fill="{TEXT}">{escape(axis)}</text>'
    )
    if threshold is not None:
        label = t("seuil de sélection {s}", "selection threshold {s}", s=pct(threshold))
        parts.append(
            f'<line x1="{left}" y1="{y(threshold):.1f}" x2="{left + pw}" y2="{y(threshold):.1f}" '
            f'stroke="{UP}" stroke-width="2" stroke-dasharray="6 4"/>'
            f'<text x="{left + 6}" y="{y(threshold) - 6:.1f}" font-size="13" fill="{UP}">'
            f"{escape(label.render(lang))}</text>"
        )
    # the label sits above the dot, on the side with room, clear of the rising curve
    anchor = "end" if dot_x > left + pw * 0.6 else "start"
    shift = -14 if anchor == "end" else 14
    label_y = max(y(score) - 14, top + 12)
    parts.append(
        f'<circle cx="{dot_x:.1f}" cy="{y(score):.1f}" r="7" fill="{HERE}" stroke="#fff" '
        f'stroke-width="2"/>'
        f'<text x="{dot_x + shift:.1f}" y="{label_y:.1f}" text-anchor="{anchor}" '
        f'font-size="14" font-weight="bold" fill="{HERE}" stroke="#fff" stroke-width="4" '
        f'paint-order="stroke">{escape(title)}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


def _threshold_words(threshold: float | None, lang: str) -> Msg:
    if threshold is None:
        return Msg("", "")
    s = format_percent(threshold, lang, 1)
    return Msg(
        " ; la ligne pointillée est le seuil de sélection ({t})",
        "; the dashed line is the selection threshold ({t})",
        t=s,
    )
