"""The report's first screen: the three to five findings that matter, with their numbers.

Findings from every model and group column are ranked by how far the group's share of
those selected is from its share of households (the log of the representation ratio),
each said once, with its 95% interval (a finding whose interval contains 1× is left out);
one headline chart shows the column of the first.
Groups too small to support a statement (:data:`~lanterne.report.findings.MIN_SELECTED`)
are named in one sentence saying so, never stated as findings.

Example:
    >>> from lanterne.audit import audit_population
    >>> from lanterne.catalog import sample_path
    >>> from lanterne.model import TargetingRule, load_model
    >>> from lanterne.report.labels import Labels
    >>> model = load_model("fr-cnaf-2014")
    >>> rule = TargetingRule(top_share=0.2)  # 80 of the sample's 400 households
    >>> audit = audit_population(model, sample_path(), group_cols=["family_type"], targeting=rule)
    >>> summary = summary_section([model], [audit], Labels.from_models([model]), "en")
    >>> summary.key[0].split(":")[0]
    'Single-parent family (family situation)'
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from lanterne.audit import PopulationAudit
from lanterne.i18n import Msg, format_number, format_percent, format_ratio, pick
from lanterne.model import Model
from lanterne.report.charts import Chart, bar_chart
from lanterne.report.findings import MIN_SELECTED, Finding, findings
from lanterne.report.labels import Labels

#: Findings on the first screen, at most.
MAX_KEY = 5


@dataclass
class ModelFindings:
    """One model's selection in one line."""

    model: str
    headline: str
    sentences: list[str] = field(default_factory=list)


@dataclass
class Summary:
    """The first screen: an introduction, the key findings, a chart, what cannot be said."""

    intro: list[str] = field(default_factory=list)
    findings: list[ModelFindings] = field(default_factory=list)
    outro: list[str] = field(default_factory=list)
    key: list[str] = field(default_factory=list)
    chart: Chart | None = None
    unsupported: list[str] = field(default_factory=list)


def _clear(f: Finding) -> bool:
    """Is the ratio away from 1× beyond chance (its interval does not contain 1)?"""
    if f.ratio <= 0:
        return False
    if f.low is None or f.high is None:
        return True
    return not f.low <= 1 <= f.high


def _times(value: float, lang: str) -> str:
    return format_number(value, lang, 1 if value < 10 else 0)


def _sentence(f: Finding, who: str, model: str | None, lang: str) -> str:
    """A finding in words; "3.8 times less than their share" rather than "0.26 times"."""
    over = f.ratio >= 1
    r = f.ratio if over else 1 / f.ratio
    lo, hi = f.low, f.high
    if not over:
        lo, hi = (1 / f.high if f.high else None), (1 / f.low if f.low else None)
    interval = ""
    if lo is not None and hi is not None:
        interval = Msg(
            " (intervalle à 95 % : {lo} à {hi})",
            " (95% interval: {lo} to {hi})",
            lo=_times(lo, lang),
            hi=_times(hi, lang),
        ).render(lang)
    fr = "{who} : {pop} des foyers mais {sel} des foyers sélectionnés, soit {r} fois "
    en = "{who}: {pop} of households but {sel} of those selected, {r} times "
    text = Msg(
        fr + ("leur part{ci}." if over else "moins que leur part{ci}."),
        en + ("their share{ci}." if over else "less than their share{ci}."),
        who=who,
        pop=format_percent(f.share_population, lang),
        sel=format_percent(f.share_selected, lang),
        r=_times(r, lang),
        ci=interval,
    ).render(lang)
    return text if model is None else f"{text} ({model})"


def summary_section(
    models: Sequence[Model],
    audits: Sequence[PopulationAudit],
    labels: Labels,
    lang: str,
    *,
    min_selected: int = MIN_SELECTED,
) -> Summary:
    """The key findings of the models' population audits, most striking first."""
    summary = Summary()
    summary.intro.append(
        Msg(
            "Lanterne a appliqué {k} à {n} foyers et regardé, groupe par groupe, qui le modèle "
            "désigne pour un contrôle. « 2 fois leur part » : le groupe pèse deux fois plus "
            "lourd parmi les foyers sélectionnés que parmi tous les foyers.",
            "Lanterne applied {k} to {n} households and looked, group by group, at whom the "
            "model picks for inspection. '2 times their share': the group weighs twice as "
            "much among the households selected as among all households.",
            k=Msg("un modèle", "one model")
            if len(models) == 1
            else Msg("{m} modèles", "{m} models", m=len(models)),
            n=format_number(audits[0].n, lang, 0),
        ).render(lang)
    )
    ranked: list[tuple[float, Finding, int]] = []
    short: dict[str, Finding] = {}
    for i, (model, audit) in enumerate(zip(models, audits, strict=True)):
        found = findings(
            audit.to_dict(),
            column_label=lambda c: labels.column(c, lang),
            group_label=lambda c, g: labels.group(c, g, lang),
            min_selected=min_selected,
            keep_unsupported=True,
        )
        # a key finding is clear: its 95% interval stays on one side of 1×
        ranked += [(abs(math.log(f.ratio)), f, i) for f in found if f.supported and _clear(f)]
        for f in found:
            if not f.supported:
                short.setdefault(labels.described(f.column, f.group, lang), f)
        summary.findings.append(
            ModelFindings(
                model=pick(model.spec.name, lang),
                headline=Msg(
                    "« {m} » sélectionne {k} foyers sur {n}, soit {rate}.",
                    "'{m}' selects {k} households out of {n}, {rate}.",
                    m=pick(model.spec.name, lang),
                    k=format_number(audit.n_selected, lang, 0),
                    n=format_number(audit.n, lang, 0),
                    rate=format_percent(audit.n_selected / audit.n, lang, 2),
                ).render(lang),
            )
        )
    ranked.sort(key=lambda t: -t[0])
    said: set[tuple[str, str]] = set()
    first: tuple[Finding, int] | None = None
    for _, f, i in ranked:
        if (f.column, f.group) in said or len(summary.key) >= MAX_KEY:
            continue
        said.add((f.column, f.group))
        first = first or (f, i)
        # "DMDE 2026 — modèle de …" → "DMDE 2026": the model's name, short
        name = pick(models[i].spec.name, lang).split(" — ")[0] if len(models) > 1 else None
        summary.key.append(_sentence(f, labels.described(f.column, f.group, lang), name, lang))
    if not summary.key:
        summary.key.append(
            Msg(
                "Aucun groupe étudié n'est nettement sur- ou sous-représenté parmi les "
                "foyers sélectionnés (ratio entre {lo} et {hi}), ou les groupes qui le sont "
                "sont trop petits pour le dire.",
                "No group studied is clearly over- or under-represented among the households "
                "selected (ratio between {lo} and {hi}), or those that are are too small to "
                "say so.",
                lo=format_ratio(0.8, lang, 2),
                hi=format_ratio(1.25, lang, 2),
            ).render(lang)
        )
    if short:
        summary.unsupported.append(
            Msg(
                "Les données ne permettent pas de conclure pour : {g}. Moins de {m} foyers "
                "sélectionnés (observés ou attendus) : un écart sur si peu de foyers peut être "
                "dû au hasard.",
                "The data cannot support a statement about: {g}. Fewer than {m} households "
                "selected (seen or expected): a gap on so few households may be chance.",
                g=_some(sorted(short), lang),
                m=min_selected,
            ).render(lang)
        )
    if first is not None:
        summary.chart = headline_chart(first[0], models[first[1]], audits[first[1]], labels, lang)
    return summary


def _some(names: list[str], lang: str, most: int = 5) -> str:
    """At most ``most`` names, then how many more."""
    text = (" ; " if lang == "fr" else "; ").join(names[:most])
    if len(names) > most:
        text += Msg(" et {k} autres", " and {k} others", k=len(names) - most).render(lang)
    return text


def headline_chart(
    finding: Finding, model: Model, audit: PopulationAudit, labels: Labels, lang: str
) -> Chart:
    """The representation ratios of the first finding's column, the finding as title."""
    rows = audit.groups[finding.column]
    ratios = [r.get("representation_ratio") or None for r in rows]
    return bar_chart(
        "headline",
        [labels.group(finding.column, r["group"], lang) for r in rows],
        ratios,
        title=(
            Msg(
                "{g} : {r} fois leur part parmi les foyers sélectionnés",
                "{g}: {r} times their share among the households selected",
                g=finding.group_label,
                r=_times(finding.ratio, lang),
            )
            if finding.ratio >= 1
            else Msg(
                "{g} : {r} fois moins que leur part parmi les foyers sélectionnés",
                "{g}: {r} times less than their share among the households selected",
                g=finding.group_label,
                r=_times(1 / finding.ratio, lang),
            )
        ).render(lang),
        alt=Msg(
            "Ratio de représentation de chaque groupe ({c}) avec « {m} » : à droite de 1×, "
            "le groupe pèse plus parmi les sélectionnés que parmi tous les foyers.",
            "Representation ratio of each group ({c}) under '{m}': right of 1×, the group "
            "weighs more among those selected than among all households.",
            c=finding.column_label,
            m=pick(model.spec.name, lang),
        ).render(lang),
        value_label=Msg(
            "Part des sélectionnés ÷ part des foyers", "Share of selected ÷ share of households"
        ).render(lang),
        percent=False,
        log=True,
        lang=lang,
    )
