"""Options shared by several commands (targeting rule, output files...)."""

from __future__ import annotations

from typing import Annotated

import typer

from lanterne.cli.app import h
from lanterne.model import Model, TargetingRule

TopShareOption = Annotated[
    float | None,
    typer.Option(
        "--top-share",
        min=0.0,
        max=1.0,
        help=h(
            "Cibler cette part des scores les plus élevés (0.05 = les 5 %). "
            "Par défaut : la règle du modèle.",
            "Target this share of the highest scores (0.05 = the top 5 %). "
            "Default: the model's own rule.",
        ),
    ),
]
ThresholdOption = Annotated[
    float | None,
    typer.Option(
        "--threshold",
        min=0.0,
        max=1.0,
        help=h(
            "Cibler les scores supérieurs ou égaux à ce seuil.",
            "Target scores at or above this threshold.",
        ),
    ),
]


def targeting_rule(
    model: Model | None, top_share: float | None, threshold: float | None
) -> TargetingRule:
    """The rule given on the command line, or the model's own."""
    if top_share is not None or threshold is not None:
        return TargetingRule(top_share=top_share, threshold=threshold)
    if model is None:
        return TargetingRule(top_share=0.05)
    return model.targeting
