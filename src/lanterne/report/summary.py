"""The report's first section, in plain words: who is targeted more than their share.

Example:
    >>> from lanterne.audit import audit_population
    >>> from lanterne.catalog import sample_path
    >>> from lanterne.model import load_model
    >>> from lanterne.report.labels import Labels
    >>> model = load_model("fr-cnaf-2014")
    >>> audit = audit_population(model, sample_path(), group_cols=["family_type"])
    >>> summary = summary_section([model], [audit], Labels.from_models([model]), "en")
    >>> summary.findings[0].sentences[0].split(":")[0]
    'Single-parent family (family situation)'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from lanterne.audit import PopulationAudit
from lanterne.i18n import Msg, format_number, format_percent, pick
from lanterne.model import Model
from lanterne.report.findings import findings
from lanterne.report.labels import Labels


@dataclass
class ModelFindings:
    """The plain-words findings about one model."""

    model: str
    headline: str
    sentences: list[str]


@dataclass
class Summary:
    """The summary: an introduction, findings per model, a closing caution."""

    intro: list[str] = field(default_factory=list)
    findings: list[ModelFindings] = field(default_factory=list)
    outro: list[str] = field(default_factory=list)


def summary_section(
    models: Sequence[Model], audits: Sequence[PopulationAudit], labels: Labels, lang: str
) -> Summary:
    """Plain-words findings of each model's population audit."""
    summary = Summary()
    first = audits[0]
    summary.intro.append(
        Msg(
            "Lanterne a appliqué {k} à {n} foyers et regardé, groupe par groupe, qui le modèle "
            "désigne pour un contrôle. Un groupe « sur-ciblé » pèse plus lourd parmi les foyers "
            "sélectionnés que parmi tous les foyers.",
            "Lanterne applied {k} to {n} households and looked, group by group, at whom the "
            'model picks for inspection. An "over-targeted" group weighs more among the '
            "households selected than among all households.",
            k=Msg("un modèle", "one model")
            if len(models) == 1
            else Msg("{m} modèles", "{m} models", m=len(models)),
            n=format_number(first.n, lang, 0),
        ).render(lang)
    )
    for model, audit in zip(models, audits, strict=True):
        found = findings(
            audit.to_dict(),
            column_label=lambda c: labels.column(c, lang),
            group_label=lambda c, g: labels.group(c, g, lang),
        )
        sentences = []
        for f in found:
            who = labels.described(f.column, f.group, lang)
            sentences.append(
                (
                    Msg(
                        "{who} : {pop} des foyers mais {sel} des foyers sélectionnés, soit {r} "
                        "fois leur part.",
                        "{who}: {pop} of households but {sel} of those selected, {r} times "
                        "their share.",
                        who=who,
                        pop=format_percent(f.share_population, lang),
                        sel=format_percent(f.share_selected, lang),
                        r=format_number(f.ratio, lang, 1),
                    )
                    if f.over
                    else Msg(
                        "{who} : {pop} des foyers mais seulement {sel} des foyers "
                        "sélectionnés ({r} fois leur part).",
                        "{who}: {pop} of households but only {sel} of those selected ({r} "
                        "times their share).",
                        who=who,
                        pop=format_percent(f.share_population, lang),
                        sel=format_percent(f.share_selected, lang),
                        r=format_number(f.ratio, lang, 2),
                    )
                ).render(lang)
            )
        if not sentences:
            sentences.append(
                Msg(
                    "Aucun groupe étudié n'est nettement sur- ou sous-représenté parmi les "
                    "foyers sélectionnés (ratio entre 0,8 et 1,25).",
                    "No group studied is clearly over- or under-represented among the "
                    "households selected (ratio between 0.8 and 1.25).",
                ).render(lang)
            )
        summary.findings.append(
            ModelFindings(
                model=pick(model.spec.name, lang),
                headline=Msg(
                    "Le modèle sélectionne {k} foyers, soit {rate}.",
                    "The model selects {k} households, {rate}.",
                    k=format_number(audit.n_selected, lang, 0),
                    rate=format_percent(audit.n_selected / audit.n, lang, 2),
                ).render(lang),
                sentences=sentences,
            )
        )
    if any(m.spec.overall_status() != "published" for m in models):
        summary.outro.append(
            Msg(
                "Ces chiffres décrivent des modèles reconstruits à partir de descriptions "
                "publiques, dont certains poids sont illustratifs (voir l'encadré « D'où "
                "viennent ces chiffres ») : ils montrent le mécanisme du ciblage, pas les "
                "décisions réelles de l'administration.",
                "These figures describe models rebuilt from public descriptions, some of "
                'whose weights are illustrative (see "Where these figures come from"): they '
                "show how the targeting works, not the agency's real decisions.",
            ).render(lang)
        )
    return summary
