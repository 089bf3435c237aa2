"""Did a new model change who is targeted? Two or more population audits side by side.

Each model is compared with the first on the same households: how many of the households
the first selects the other also selects, and, group by group, their representation among
those selected.

Example:
    >>> from lanterne.audit import audit_population
    >>> from lanterne.catalog import sample_path
    >>> from lanterne.model import load_model
    >>> from lanterne.report.labels import Labels
    >>> models = [load_model("fr-cnaf-2014"), load_model("fr-cnaf-dmde-2026")]
    >>> audits = [audit_population(m, sample_path(), group_cols=["sex"], keep_rows=True)
    ...           for m in models]
    >>> section = comparison_section(models, audits, Labels.from_models(models), "en")
    >>> [chart.id for chart in section.charts]
    ['comparison-sex']
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from lanterne.audit import PopulationAudit
from lanterne.i18n import Msg, format_number, format_percent, pick
from lanterne.model import Model
from lanterne.report.blocks import Section
from lanterne.report.charts import grouped_bar_chart
from lanterne.report.labels import Labels


def selected_mask(audit: PopulationAudit) -> np.ndarray:
    """Which households the audit's targeting rule selected (ties at the threshold included)."""
    assert audit.rows is not None
    return audit.rows.scores >= audit.threshold


def overlap(first: PopulationAudit, other: PopulationAudit) -> tuple[int, int]:
    """``(selected by both, selected by the first)`` — same households in the same order.

    >>> from lanterne.audit.population import HouseholdRows
    >>> def audit(scores):
    ...     rows = HouseholdRows(np.array(scores), {}, {})
    ...     return PopulationAudit("m", None, 4, 2, 0.5, 0.5, [], 0, {}, {}, rows=rows)
    >>> overlap(audit([0.9, 0.6, 0.1, 0.2]), audit([0.9, 0.1, 0.6, 0.2]))
    (1, 2)
    """
    a, b = selected_mask(first), selected_mask(other)
    if a.size != b.size:
        raise ValueError("the audits cover different households")
    return int(np.count_nonzero(a & b)), int(np.count_nonzero(a))


def comparison_section(
    models: Sequence[Model], audits: Sequence[PopulationAudit], labels: Labels, lang: str
) -> Section:
    """The comparison section (needs at least two models audited with ``keep_rows=True``)."""
    names = [pick(m.spec.name, lang) for m in models]
    section = Section(
        id="comparison", title=Msg("Comparaison des modèles", "Comparing the models").render(lang)
    )
    first, first_name = audits[0], names[0]
    for audit, name in zip(audits[1:], names[1:], strict=True):
        if first.rows is not None and audit.rows is not None:
            both, selected = overlap(first, audit)
            section.paragraphs.append(
                Msg(
                    "Des {k} foyers sélectionnés par « {a} », {both} ({share}) le sont aussi "
                    "par « {b} » ; {new} foyers sélectionnés par « {b} » ne l'étaient pas "
                    "par « {a} ».",
                    "Of the {k} households selected by '{a}', {both} ({share}) are also "
                    "selected by '{b}'; {new} households selected by '{b}' were not selected "
                    "by '{a}'.",
                    k=format_number(selected, lang, 0),
                    a=first_name,
                    b=name,
                    both=format_number(both, lang, 0),
                    share=format_percent(both / selected if selected else 0.0, lang),
                    new=format_number(audit.n_selected - both, lang, 0),
                ).render(lang)
            )
    for column in first.groups:
        if not all(column in a.groups for a in audits):
            continue
        groups = [r["group"] for r in first.groups[column]]
        rows = [{r["group"]: r for r in audit.groups[column]} for audit in audits]
        series: dict[str, list[float | None]] = {
            name: [by_group.get(g, {}).get("representation_ratio") or None for g in groups]
            for name, by_group in zip(names, rows, strict=True)
        }
        changes = []
        for g in groups:
            values = [by_group.get(g, {}).get("share_selected") for by_group in rows]
            known = [v for v in values if v is not None]
            if len(known) == len(values):
                changes.append((abs(known[-1] - known[0]), g, known))
        changes.sort(reverse=True)
        col_label = labels.column(column, lang)
        for _, g, values in changes[:2]:
            if abs(values[-1] - values[0]) < 0.005:
                continue
            section.bullets.append(
                Msg(
                    "{g} : {a} des sélectionnés avec « {ma} », {b} avec « {mb} ».",
                    "{g}: {a} of those selected by '{ma}', {b} by '{mb}'.",
                    g=labels.described(column, g, lang),
                    a=format_percent(values[0], lang),
                    ma=first_name,
                    b=format_percent(values[-1], lang),
                    mb=names[-1],
                ).render(lang)
            )
        positive = [v for s in series.values() for v in s if v]
        section.charts.append(
            grouped_bar_chart(
                f"comparison-{column}".replace(" ", "").replace("×", "x"),
                [labels.group(column, g, lang) for g in groups],
                series,
                title=(
                    Msg(
                        "{g} : {a} des sélectionnés avec « {ma} », {b} avec « {mb} » ({c})",
                        "{g}: {a} of those selected by '{ma}', {b} by '{mb}' ({c})",
                        g=labels.group(column, changes[0][1], lang),
                        a=format_percent(changes[0][2][0], lang),
                        ma=first_name.split(" — ")[0],
                        b=format_percent(changes[0][2][-1], lang),
                        mb=names[-1].split(" — ")[0],
                        c=col_label,
                    )
                    if changes
                    else Msg(
                        "Ratio de représentation selon le modèle ({c})",
                        "Representation ratio by model ({c})",
                        c=col_label,
                    )
                ).render(lang),
                alt=Msg(
                    "Pour chaque groupe ({c}), sa part des sélectionnés divisée par sa part "
                    "des foyers, avec chaque modèle (une couleur et une trame par modèle) ; "
                    "la ligne pointillée marque 1×, un ciblage proportionnel.",
                    "For each group ({c}), its share of those selected divided by its share of "
                    "households, under each model (one colour and pattern per model); the "
                    "dashed line marks 1×, proportional targeting.",
                    c=col_label,
                ).render(lang),
                value_label=Msg("Ratio de représentation", "Representation ratio").render(lang),
                reference=1.0,
                log=bool(positive),
                lang=lang,
            )
        )
    if not section.bullets:
        section.bullets.append(
            Msg(
                "Aucun groupe ne voit sa part des sélectionnés changer d'un demi-point ou plus.",
                "No group's share of those selected changes by half a point or more.",
            ).render(lang)
        )
    return section
