"""Non-take-up in a report: the rights people miss, next to who the model inspects.

Built from :func:`lanterne.rights.audit.audit_nonrecours`: per group, the households entitled
to RSA, the activity bonus or housing benefit (computed with OpenFisca-France), the share of
them not claiming, the amount left unclaimed each month, and the model's selection rate —
"are the groups most inspected for overpayments the groups missing the most rights?".

Example:
    >>> import polars as pl
    >>> from lanterne.rights.audit import NonRecoursAudit, RankingComparison
    >>> from lanterne.i18n import Msg
    >>> table = pl.DataFrame({"sex": ["female", "male"], "households": [60, 40],
    ...     "entitled": [30, 10], "missing": [12, 2], "unclaimed_monthly": [4000.0, 500.0],
    ...     "nonrecours_rate": [0.4, 0.2], "selection_rate": [0.05, 0.01]})
    >>> audit = NonRecoursAudit("2024-01", ["sex"], "fr-cnaf-2014", 10, table,
    ...     RankingComparison(1.0, "female", "female", 2, Msg("a", "b")),
    ...     {"households": 100, "entitled": 40, "missing": 14, "nonrecours_rate": 0.35,
    ...      "unclaimed_monthly": 4500.0, "selection_rate": 0.034}, {})
    >>> section = nonrecours_section(audit, Labels({}), "en")
    >>> [chart.id for chart in section.charts], len(section.tables[0].rows)
    (['nonrecours-sex'], 2)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lanterne.audit.suppression import mark, suppression_note
from lanterne.i18n import Msg, format_number, format_percent
from lanterne.report.blocks import Section, Table
from lanterne.report.charts import grouped_bar_chart
from lanterne.report.labels import Labels

if TYPE_CHECKING:
    from lanterne.rights.audit import NonRecoursAudit


def _pct(value: float | None, lang: str) -> str:
    return "—" if value is None else format_percent(value, lang, 1)


def _euros(value: float | None, lang: str) -> str:
    return "—" if value is None else format_number(value, lang, 0) + " €"


def _group_label(row: dict[str, Any], columns: list[str], labels: Labels, lang: str) -> str:
    name = " × ".join(labels.group(c, str(row[c]), lang) for c in columns)
    sign = mark(row.get("suppression"))
    return f"{name} {sign}" if sign else name


def _count(value: int | None, lang: str) -> str:
    return "—" if value is None else format_number(value, lang, 0)


def nonrecours_section(audit: NonRecoursAudit, labels: Labels, lang: str) -> Section:
    """The non-take-up section: totals, the comparison with inspection, chart and table."""
    totals = audit.totals
    columns = list(audit.group_cols)
    section = Section(
        id="nonrecours",
        title=Msg(
            "Les droits non réclamés (non-recours)", "Rights left unclaimed (non-take-up)"
        ).render(lang),
    )
    section.paragraphs.append(
        Msg(
            "Mois de {m}. Sur {n} foyers, {e} ont droit au RSA, à la prime d'activité ou à une "
            "aide au logement (calcul OpenFisca-France) ; {k} d'entre eux ne réclament pas au "
            "moins l'un de ces droits ({r}), soit {u} non versés chaque mois.",
            "Month of {m}. Of {n} households, {e} are entitled to RSA, the activity bonus or "
            "housing benefit (computed with OpenFisca-France); {k} of them do not claim at "
            "least one of these rights ({r}), {u} left unpaid each month.",
            m=audit.month,
            n=format_number(totals["households"], lang, 0),
            e=format_number(totals["entitled"], lang, 0),
            k=format_number(totals["missing"], lang, 0),
            r=_pct(totals.get("nonrecours_rate"), lang),
            u=_euros(totals.get("unclaimed_monthly"), lang),
        ).render(lang)
    )
    section.paragraphs.append(audit.comparison.sentence.render(lang))
    for benefit, rate in audit.rates.items():
        section.bullets.append(
            Msg(
                "Taux de non-recours retenu pour {b} : {r} ({s}, source : {src}).",
                "Non-take-up rate used for {b}: {r} ({s}, source: {src}).",
                b=benefit.upper() if benefit != "housing" else Msg("le logement", "housing"),
                r=_pct(rate.get("rate"), lang),
                s=rate.get("status", "?"),
                src=rate.get("source", "?"),
            ).render(lang)
        )
    rows = audit.table.to_dicts()
    names = [_group_label(r, columns, labels, lang) for r in rows]
    series: dict[str, list[float | None]] = {
        Msg("Non-recours", "Non-take-up").render(lang): [r.get("nonrecours_rate") for r in rows]
    }
    if "selection_rate" in audit.table.columns:
        series[Msg("Sélection pour contrôle", "Selection for inspection").render(lang)] = [
            r.get("selection_rate") for r in rows
        ]
    col_label = " × ".join(labels.column(c, lang) for c in columns)
    section.charts.append(
        grouped_bar_chart(
            "nonrecours-" + "-".join(columns),
            names,
            series,
            title=Msg(
                "Non-recours et sélection pour contrôle ({c})",
                "Non-take-up and selection for inspection ({c})",
                c=col_label,
            ).render(lang),
            alt=Msg(
                "Pour chaque groupe ({c}), la part des foyers ayant droit qui ne réclament pas "
                "un droit, à côté de la part des foyers que le modèle sélectionne pour un "
                "contrôle.",
                "For each group ({c}), the share of entitled households not claiming a right, "
                "next to the share of households the model selects for inspection.",
                c=col_label,
            ).render(lang),
            value_label=Msg("Part des foyers", "Share of households").render(lang),
            percent=True,
            lang=lang,
        )
    )
    heads = [
        Msg("Groupe", "Group"),
        Msg("Foyers", "Households"),
        Msg("Ayant droit", "Entitled"),
        Msg("Non-recours", "Non-take-up"),
        Msg("Non versé par mois", "Unclaimed per month"),
    ]
    if "selection_rate" in audit.table.columns:
        heads.append(Msg("Taux de sélection", "Selection rate"))
    body = []
    for name, r in zip(names, rows, strict=True):
        cells = [
            name,
            _count(r["households"], lang),
            _count(r["entitled"], lang),
            _pct(r.get("nonrecours_rate"), lang),
            _euros(r.get("unclaimed_monthly"), lang),
        ]
        if "selection_rate" in audit.table.columns:
            cells.append(_pct(r.get("selection_rate"), lang))
        body.append(tuple(cells))
    caption = ""
    if any(r.get("suppression") for r in rows):
        caption = suppression_note(audit.min_cell).render(lang)
    section.tables.append(
        Table(col_label, tuple(h.render(lang) for h in heads), tuple(body), caption)
    )
    return section
