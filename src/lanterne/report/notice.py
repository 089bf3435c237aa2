"""One compact warning at the top of a report, whatever the number of illustrative models.

Each model's provenance box explains its own status at length; the first screen needs one
short, unmissable notice naming every model whose weights are illustrative.

Example:
    >>> from lanterne.model import load_model
    >>> from lanterne.report.provenance_box import model_box
    >>> boxes = [model_box(load_model(m), "en") for m in ("fr-cnaf-2014", "fr-cnaf-dmde-2026")]
    >>> title, text = provenance_notice(boxes, "en")
    >>> title
    'Warning: illustrative models'
"""

from __future__ import annotations

from collections.abc import Sequence

from lanterne.i18n import Msg
from lanterne.report.provenance_box import ModelBox


def provenance_notice(boxes: Sequence[ModelBox], lang: str) -> tuple[str, str] | None:
    """The notice's title and sentence, or ``None`` when no model is illustrative."""
    shown = [b for b in boxes if b.warning]
    if not shown:
        return None
    names = [f"« {b.name} »" if lang == "fr" else f"'{b.name}'" for b in shown]
    joined = (
        names[0]
        if len(names) == 1
        else Msg("{a} et {b}", "{a} and {b}", a=", ".join(names[:-1]), b=names[-1]).render(lang)
    )
    agencies = sorted({b.agency for b in shown})
    one = len(shown) == 1
    return (
        Msg("Attention : modèle illustratif", "Warning: illustrative model").render(lang)
        if one
        else Msg("Attention : modèles illustratifs", "Warning: illustrative models").render(lang),
        Msg(
            "Les poids de {m} sont illustratifs : ce ne sont pas ceux de l'organisme ({a}), "
            "qui ne les a pas publiés. Les écarts entre groupes montrent le mécanisme du "
            "ciblage, pas leur taille réelle. Détails : « D'où viennent ces chiffres ».",
            "The weights of {m} are illustrative: they are not those of the agency ({a}), "
            "which has not published them. The gaps between groups show how the targeting "
            "works, not their real size. Details: 'Where these figures come from'.",
            m=joined,
            a=", ".join(agencies),
        ).render(lang),
    )
