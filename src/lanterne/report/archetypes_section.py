"""The archetype table of a report: example households, their scores and percentiles.

Each base household and each of its variations is scored by every model; its percentile
is its rank among the audited population's scores and "selected" applies the audit's own
threshold, so the table reads against the rest of the report.

Example:
    >>> from lanterne.audit import audit_population
    >>> from lanterne.catalog import sample_path
    >>> from lanterne.model import load_model
    >>> from lanterne.population.archetypes import load_archetypes
    >>> model = load_model("fr-cnaf-2014")
    >>> audit = audit_population(model, sample_path(), group_cols=["sex"], keep_rows=True)
    >>> rows = archetype_rows(model, load_archetypes("fr-households"), audit)
    >>> rows[0]["delta"] is None and rows[1]["delta"] is not None
    True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from lanterne.audit import PopulationAudit
from lanterne.i18n import Msg, format_number, format_percent, pick, tr
from lanterne.model import Model
from lanterne.population.archetypes import META_COLUMNS, ArchetypeSet
from lanterne.report.blocks import Section, Table
from lanterne.scoring import percentile_rank


def archetype_rows(
    model: Model, archetypes: ArchetypeSet, audit: PopulationAudit
) -> list[dict[str, Any]]:
    """Each household's label, score, change against its base, percentile and selection."""
    table = archetypes.households()
    variables = table.drop([c for c in META_COLUMNS if c in table.columns])
    scores = model.scores(variables).to_numpy()
    base_score = {
        arch: score
        for arch, variation, score in zip(table["base"], table["variation"], scores, strict=True)
        if variation is None
    }
    percentiles = (
        percentile_rank(audit.rows.scores, scores)
        if audit.rows is not None
        else np.full(scores.size, np.nan)
    )
    rows = []
    for i, record in enumerate(table.select(META_COLUMNS).iter_rows(named=True)):
        delta = None if record["variation"] is None else scores[i] - base_score[record["base"]]
        rows.append(
            {
                **record,
                "score": float(scores[i]),
                "delta": None if delta is None else float(delta),
                "percentile": None if np.isnan(percentiles[i]) else float(percentiles[i]),
                "selected": bool(scores[i] >= audit.threshold),
            }
        )
    return rows


def archetypes_section(
    models: Sequence[Model],
    audits: Sequence[PopulationAudit],
    archetypes: ArchetypeSet,
    lang: str,
) -> Section:
    """One table per model of the archetype households, variations under their base."""
    section = Section(
        id="archetypes",
        title=Msg("Profils-types", "Example households").render(lang),
        paragraphs=[
            pick(archetypes.description, lang),
            Msg(
                "Chaque variation change un ou plusieurs traits du foyer de base ; l'écart "
                "montre ce que le modèle fait de ce seul changement. Le percentile situe le "
                "foyer parmi tous les foyers étudiés (99 : plus haut que 99 % d'entre eux).",
                "Each variation changes one or more traits of the base household; the change "
                "shows what the model does with that change alone. The percentile places the "
                "household among all the households studied (99: higher than 99 % of them).",
            ).render(lang),
        ],
    )
    for model, audit in zip(models, audits, strict=True):
        digits = 3 if model.link == "logit" else 1
        rows = []
        for row in archetype_rows(model, archetypes, audit):
            label = row["label_fr"] if lang == "fr" else row["label_en"]
            rows.append(
                (
                    f"↳ {label}" if row["variation"] is not None else label,
                    format_number(row["score"], lang, digits),
                    ""
                    if row["delta"] is None
                    else f"{row['delta']:+.{digits}f}".replace(".", "," if lang == "fr" else "."),
                    "—"
                    if row["percentile"] is None
                    else format_percent(row["percentile"], lang, 1)
                    .replace(" %", "")
                    .replace("%", ""),
                    tr("oui", "yes", lang) if row["selected"] else tr("non", "no", lang),
                )
            )
        section.tables.append(
            Table(
                pick(model.spec.name, lang),
                (
                    Msg("Foyer", "Household").render(lang),
                    Msg("Score", "Score").render(lang),
                    Msg("Écart au foyer de base", "Change from base").render(lang),
                    Msg("Percentile", "Percentile").render(lang),
                    Msg("Sélectionné", "Selected").render(lang),
                ),
                tuple(rows),
            )
        )
    return section
