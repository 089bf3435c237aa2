"""The random-baseline audit in a report: what the algorithm finds, compared with chance.

Per group column: the algorithm's hit rate with its Wilson interval against chance's, the
lift with its bootstrap interval, representation among the algorithm's picks, and the
table of figures.

Example:
    >>> import polars as pl
    >>> from lanterne.audit import audit_selection
    >>> data = pl.DataFrame({
    ...     "origin": ["random"] * 40 + ["algo"] * 40,
    ...     "result": (["none"] * 30 + ["error"] * 10) * 2,
    ...     "sex": ["f", "m"] * 40})
    >>> audit = audit_selection(data, selection_col="origin", random_value="random",
    ...     outcome_col="result", negative_values=["none"], group_cols=["sex"], bootstrap=50)
    >>> section = selection_section(audit, Labels({}), "en")
    >>> [chart.id for chart in section.charts]
    ['selection-sex-hits', 'selection-sex-representation']
"""

from __future__ import annotations

from typing import Any

from lanterne.audit import SelectionAudit
from lanterne.audit.suppression import mark, suppression_note
from lanterne.htmlsafe import html_id
from lanterne.i18n import Msg, format_number, format_percent
from lanterne.report.blocks import Section, Table
from lanterne.report.charts import bar_chart
from lanterne.report.labels import Labels
from lanterne.report.population_section import ratio_title


def _pct(value: float | None, lang: str) -> str:
    return "—" if value is None else format_percent(value, lang, 1)


def _ci(ci: list[float] | None, lang: str) -> str:
    return "—" if not ci else f"{_pct(ci[0], lang)} – {_pct(ci[1], lang)}"


def _num(value: float | None, lang: str) -> str:
    return "—" if value is None else format_number(value, lang, 2)


def _count(value: int | None, lang: str) -> str:
    return "—" if value is None else format_number(value, lang, 0)


def _ratio_ci(ci: list[float] | None, lang: str) -> str:
    return "—" if not ci else f"{_num(ci[0], lang)} – {_num(ci[1], lang)}"


def _name(column: str, row: dict[str, Any], labels: Labels, lang: str) -> str:
    name = labels.group(column, row["group"], lang)
    sign = mark(row.get("suppression"))
    return f"{name} {sign}" if sign else name


def _table(
    column: str, rows: list[dict[str, Any]], labels: Labels, lang: str, min_cell: int
) -> Table:
    heads = (
        Msg("Groupe", "Group"),
        Msg("Contrôles au hasard", "Random inspections"),
        Msg("Contrôles de l'algorithme", "Algorithm's inspections"),
        Msg("Taux de détection (hasard)", "Hit rate (random)"),
        Msg("Taux de détection (algorithme)", "Hit rate (algorithm)"),
        Msg("Intervalle à 95 % (algorithme)", "95% interval (algorithm)"),
        Msg("Gain", "Lift"),
        Msg("Intervalle à 95 % (gain)", "95% interval (lift)"),
        Msg("Ratio de représentation", "Representation ratio"),
    )
    body = tuple(
        (
            _name(column, r, labels, lang),
            _count(r["n_random"], lang),
            _count(r["n_algorithm"], lang),
            _pct(r.get("hit_rate_random"), lang),
            _pct(r.get("hit_rate_algorithm"), lang),
            _ci(r.get("hit_rate_algorithm_ci"), lang),
            _num(r.get("lift"), lang),
            _ratio_ci(r.get("lift_ci"), lang),
            _num(r.get("representation_ratio"), lang),
        )
        for r in rows
    )
    caption = ""
    if any(r.get("suppression") for r in rows):
        caption = suppression_note(min_cell).render(lang)
    return Table(labels.column(column, lang), tuple(h.render(lang) for h in heads), body, caption)


def selection_section(audit: SelectionAudit, labels: Labels, lang: str) -> Section:
    """The section of a random-baseline audit."""
    overall = audit.overall
    section = Section(
        id="selection",
        title=Msg(
            "Ce que trouve l'algorithme, comparé au hasard",
            "What the algorithm finds, compared with chance",
        ).render(lang),
    )
    section.paragraphs.append(
        Msg(
            "{nr} contrôles tirés au hasard trouvent une erreur dans {hr} des cas ; {na} "
            "contrôles choisis par l'algorithme, dans {ha} des cas (gain : {lift}).",
            "{nr} randomly drawn inspections find an error in {hr} of cases; {na} inspections "
            "chosen by the algorithm, in {ha} of cases (lift: {lift}).",
            nr=format_number(overall["n_random"], lang, 0),
            hr=_pct(overall.get("hit_rate_random"), lang),
            na=format_number(overall["n_algorithm"], lang, 0),
            ha=_pct(overall.get("hit_rate_algorithm"), lang),
            lift=_num(overall.get("lift"), lang),
        ).render(lang)
    )
    for column, table in audit.groups.items():
        rows = list(table)
        names = [labels.group(column, r["group"], lang) for r in rows]
        col_label = labels.column(column, lang)
        cis = [
            tuple(r["hit_rate_algorithm_ci"]) if r.get("hit_rate_algorithm_ci") else None
            for r in rows
        ]
        safe_id = html_id(column.replace(" ", "").replace("×", "x"))
        section.charts.append(
            bar_chart(
                f"selection-{safe_id}-hits",
                names,
                [r.get("hit_rate_algorithm") for r in rows],
                intervals=cis if any(cis) else None,
                title=_hits_title(rows, names, col_label, lang),
                alt=Msg(
                    "Pour chaque groupe ({c}), la part des contrôles choisis par l'algorithme "
                    "qui trouvent une erreur, avec son intervalle à 95 % ; la ligne pointillée "
                    "marque le taux des contrôles au hasard ({r}).",
                    "For each group ({c}), the share of the algorithm's inspections that find "
                    "an error, with its 95% interval; the dashed line marks the random "
                    "inspections' rate ({r}).",
                    c=col_label,
                    r=_pct(overall.get("hit_rate_random"), lang),
                ).render(lang),
                value_label=Msg("Taux de détection", "Hit rate").render(lang),
                reference=overall.get("hit_rate_random"),
                reference_label=Msg("hasard", "random").render(lang),
                lang=lang,
            )
        )
        ratios = [r.get("representation_ratio") or None for r in rows]
        section.charts.append(
            bar_chart(
                f"selection-{safe_id}-representation",
                names,
                ratios,
                title=ratio_title(
                    rows, {r["group"]: n for r, n in zip(rows, names, strict=True)}, col_label, lang
                ),
                alt=Msg(
                    "Part du groupe parmi les contrôles de l'algorithme divisée par sa part "
                    "parmi les contrôles au hasard ; au-delà de 1×, l'algorithme envoie plus "
                    "de contrôleurs vers ce groupe que son poids.",
                    "The group's share of the algorithm's inspections divided by its share of "
                    "the random ones; beyond 1×, the algorithm sends more inspectors to the "
                    "group than its weight.",
                ).render(lang),
                value_label=Msg("Ratio de représentation", "Representation ratio").render(lang),
                reference=1.0,
                reference_label="1×",
                percent=False,
                log=any(ratios),
                lang=lang,
            )
        )
        section.tables.append(_table(column, rows, labels, lang, audit.min_cell))
    return section


def _hits_title(rows: list[dict[str, Any]], names: list[str], col_label: str, lang: str) -> str:
    """The hit-rate chart's message: from the lowest group's rate to the highest's."""
    known = [
        (r["hit_rate_algorithm"], n)
        for r, n in zip(rows, names, strict=True)
        if r.get("hit_rate_algorithm") is not None
    ]
    if not known:
        return Msg(
            "Taux de détection des contrôles de l'algorithme ({c})",
            "Hit rate of the algorithm's inspections ({c})",
            c=col_label,
        ).render(lang)
    (low, gl), (high, gh) = min(known), max(known)
    return Msg(
        "Les contrôles de l'algorithme trouvent une erreur de {lo} ({gl}) à {hi} ({gh}) ({c})",
        "The algorithm's inspections find an error from {lo} ({gl}) to {hi} ({gh}) ({c})",
        lo=_pct(low, lang),
        gl=gl,
        hi=_pct(high, lang),
        gh=gh,
        c=col_label,
    ).render(lang)
