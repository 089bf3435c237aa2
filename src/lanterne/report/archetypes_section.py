"""The archetype table of a report: example households, their scores and percentiles.

Each base household and each of its variations is scored by every model
(:func:`~lanterne.population.experiments.run_archetypes`); its percentile is its rank among
the audited population's scores and "selected" applies the audit's own rule, so the table
reads against the rest of the report.

Example:
    >>> from lanterne.audit import audit_population
    >>> from lanterne.catalog import sample_path
    >>> from lanterne.model import load_model
    >>> from lanterne.population.archetypes import load_archetypes
    >>> model = load_model("fr-cnaf-2014")
    >>> audit = audit_population(model, sample_path(), group_cols=["sex"], keep_rows=True)
    >>> result = archetype_result(model, load_archetypes("fr-households"), audit)
    >>> result.threshold == audit.threshold
    True
"""

from __future__ import annotations

from collections.abc import Sequence

from lanterne.audit import PopulationAudit
from lanterne.i18n import Msg, format_number, pick, tr
from lanterne.model import Model, TargetingRule
from lanterne.population.archetypes import ArchetypeSet
from lanterne.population.experiments import ArchetypeResult, run_archetypes
from lanterne.report.blocks import Section, Table


def archetype_result(
    model: Model, archetypes: ArchetypeSet, audit: PopulationAudit
) -> ArchetypeResult:
    """The archetypes scored against the audit's population and targeting rule."""
    rule = (
        TargetingRule(top_share=audit.top_share)
        if audit.top_share is not None
        else TargetingRule(threshold=audit.threshold)
    )
    population = audit.rows.scores if audit.rows is not None else None
    return run_archetypes(model, archetypes, population, targeting=rule)


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
        for row in archetype_result(model, archetypes, audit).rows:
            label = row.label(lang)
            if row.selected is None:
                selected = "—"
            else:
                selected = tr("oui", "yes", lang) if row.selected else tr("non", "no", lang)
            rows.append(
                (
                    f"↳ {label}" if row.variation is not None else label,
                    format_number(row.score, lang, digits),
                    ""
                    if row.variation is None
                    else f"{row.delta:+.{digits}f}".replace(".", "," if lang == "fr" else "."),
                    "—" if row.percentile is None else format_number(100 * row.percentile, lang, 1),
                    selected,
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
