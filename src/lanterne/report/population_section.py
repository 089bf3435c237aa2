"""The results of a population audit as report charts and tables, one model at a time.

For each group column: the score distribution by group, the decile plot, selection rates,
representation ratios and the full table of figures. Everything is read from a
:class:`~lanterne.audit.PopulationAudit` (its JSON shape, plus the households' scores when
it was run with ``keep_rows=True`` for the distribution chart).

Example:
    >>> from lanterne.audit import audit_population
    >>> from lanterne.catalog import sample_path
    >>> from lanterne.model import load_model
    >>> from lanterne.report.labels import Labels
    >>> model = load_model("fr-cnaf-2014")
    >>> audit = audit_population(model, sample_path(), group_cols=["sex"], keep_rows=True)
    >>> section = results_section(model, audit, Labels.from_models([model]), "en")
    >>> [chart.id for chart in section.charts]  # doctest: +NORMALIZE_WHITESPACE
    ['fr-cnaf-2014-sex-distribution', 'fr-cnaf-2014-sex-deciles',
     'fr-cnaf-2014-sex-selection', 'fr-cnaf-2014-sex-representation']
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from lanterne.audit import PopulationAudit
from lanterne.audit.intervals import wilson
from lanterne.audit.suppression import mark, suppression_note
from lanterne.htmlsafe import html_id
from lanterne.i18n import Msg, format_number, format_percent, pick
from lanterne.model import Model
from lanterne.report.blocks import Section, Table
from lanterne.report.charts import (
    PALETTE,
    Chart,
    bar_chart,
    distribution_chart,
    line_chart,
)
from lanterne.report.labels import Labels

#: Bins of the score distribution chart.
DISTRIBUTION_BINS = 40
#: Most groups drawn as lines on one chart (one colour each); the table lists all.
MAX_LINES = len(PALETTE)


def shown_rows(audit: PopulationAudit, column: str) -> list[dict[str, Any]]:
    """The rows of a group column whose rates are published (not suppressed)."""
    return [row for row in audit.groups[column] if not row.get("suppressed")]


def _largest(rows: list[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    """At most ``limit`` rows, the largest groups, in the audit's order."""
    if len(rows) <= limit:
        return rows
    keep = {id(r) for r in sorted(rows, key=lambda r: -(r["n"] or 0))[:limit]}
    return [r for r in rows if id(r) in keep]


def distribution(
    audit: PopulationAudit, column: str, groups: list[str], bins: int = DISTRIBUTION_BINS
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Shared bin edges and, per group, the share of its households in each bin.

    The bins cover the scores up to the 99.5th percentile; higher scores are counted in
    the last bin, so that a few extreme scores do not squash the picture.
    """
    assert audit.rows is not None
    scores = audit.rows.scores
    low = float(scores.min())
    high = float(np.quantile(scores, 0.995))
    if high <= low:
        high = float(scores.max()) if scores.max() > low else low + 1.0
    edges = np.linspace(low, high, bins + 1)
    which = np.clip(np.searchsorted(edges, scores, side="right") - 1, 0, bins - 1)
    codes = audit.rows.codes[column].astype(np.int64)
    labels = audit.rows.labels[column]
    counts = np.bincount(codes * bins + which, minlength=len(labels) * bins).reshape(
        len(labels), bins
    )
    shares = {}
    for group in groups:
        row = counts[labels.index(group)]
        total = row.sum()
        shares[group] = row / total if total else row.astype(float)
    return edges, shares


def _format_score(model: Model, value: float | None, lang: str) -> str:
    if value is None:
        return "—"
    digits = 3 if model.link == "logit" else 1
    return format_number(value, lang, digits)


def _pct(value: float | None, lang: str, digits: int = 1) -> str:
    return "—" if value is None else format_percent(value, lang, digits)


def _ratio(value: float | None, lang: str) -> str:
    return "—" if value is None else format_number(value, lang, 2)


def group_table(
    model: Model, audit: PopulationAudit, column: str, labels: Labels, lang: str
) -> Table:
    """Every figure of every group of ``column``, suppressed groups shown as "—"."""
    heads = (
        Msg("Groupe", "Group"),
        Msg("Foyers", "Households"),
        Msg("Part des foyers", "Share of households"),
        Msg("Taux de sélection", "Selection rate"),
        Msg("Part des sélectionnés", "Share of those selected"),
        Msg("Ratio de représentation", "Representation ratio"),
        Msg("Impact disparate", "Disparate impact"),
        Msg("Score moyen", "Mean score"),
        Msg("Score médian", "Median score"),
    )
    rows = []
    for row in audit.groups[column]:
        sign = mark(row.get("suppression"))
        name = labels.group(column, row["group"], lang)
        rows.append(
            (
                f"{name} {sign}" if sign else name,
                "—" if row["n"] is None else format_number(row["n"], lang, 0),
                _pct(row.get("share_population"), lang),
                _pct(row.get("selection_rate"), lang, 2),
                _pct(row.get("share_selected"), lang),
                _ratio(row.get("representation_ratio"), lang),
                _ratio(row.get("disparate_impact"), lang),
                _format_score(model, row.get("mean_score"), lang),
                _format_score(model, row.get("median_score"), lang),
            )
        )
    caption = ""
    if any(row.get("suppressed") for row in audit.groups[column]):
        caption = suppression_note(audit.min_cell).render(lang)
    return Table(
        labels.column(column, lang),
        tuple(h.render(lang) for h in heads),
        tuple(rows),
        caption,
        appendix=True,
    )


def column_charts(
    model: Model, audit: PopulationAudit, column: str, labels: Labels, lang: str
) -> list[Chart]:
    """The four charts of one group column for one model."""
    col_label = labels.column(column, lang)
    rows = shown_rows(audit, column)
    lines = _largest(rows, MAX_LINES)
    # the column's name comes from the data: a safe id (slug and hash) if it is not plain
    base = html_id(f"{model.id}-{column}".replace(" ", "").replace("×", "x"))
    names = {r["group"]: labels.group(column, r["group"], lang) for r in rows}
    charts: list[Chart] = []
    overall_rate = audit.n_selected / audit.n

    if audit.rows is not None and lines:
        edges, shares = distribution(audit, column, [r["group"] for r in lines])
        charts.append(
            distribution_chart(
                f"{base}-distribution",
                edges.tolist(),
                {names[g]: s.tolist() for g, s in shares.items()},
                title=Msg(
                    "Les scores selon : {c} ; au-delà du seuil, les foyers sélectionnés",
                    "Scores by {c}; beyond the threshold, the households selected",
                    c=col_label,
                ).render(lang),
                alt=Msg(
                    "Pour chaque groupe ({c}), la part de ses foyers dans chaque tranche de "
                    "score ; la ligne pointillée marque le seuil de sélection ({t}).",
                    "For each group ({c}), the share of its households in each score band; "
                    "the dashed line marks the selection threshold ({t}).",
                    c=col_label,
                    t=_format_score(model, audit.threshold, lang),
                ).render(lang),
                x_label=Msg("Score", "Score").render(lang),
                value_label=Msg("Part des foyers du groupe", "Share of the group").render(lang),
                threshold=audit.threshold,
                threshold_label=Msg("seuil", "threshold").render(lang),
                lang=lang,
            )
        )

    if lines:
        top = max(lines, key=lambda r: r["decile_shares"][-1])
        charts.append(
            line_chart(
                f"{base}-deciles",
                [str(d) for d in range(1, 11)],
                {names[r["group"]]: r["decile_shares"] for r in lines},
                title=Msg(
                    "« {g} » : {s} de ses foyers dans le décile des scores les plus hauts ({c})",
                    "'{g}': {s} of its households in the top score decile ({c})",
                    g=names[top["group"]],
                    s=format_percent(top["decile_shares"][-1], lang),
                    c=col_label,
                ).render(lang),
                alt=Msg(
                    "Graphique des déciles : 1 = les 10 % de scores les plus bas, 10 = les 10 % "
                    "les plus hauts. Une ligne plate à 10 % veut dire un groupe traité comme "
                    "la moyenne. Le groupe le plus présent dans le décile le plus haut est "
                    "« {g} » ({s} de ses foyers).",
                    "Decile plot: 1 = the 10 % lowest scores, 10 = the 10 % highest. A flat "
                    "line at 10 % means a group treated like the average. The group most "
                    "present in the top decile is '{g}' ({s} of its households).",
                    g=names[top["group"]],
                    s=format_percent(top["decile_shares"][-1], lang),
                ).render(lang)
                + _ties_note(audit, lang),
                x_label=Msg("Décile de score national", "National score decile").render(lang),
                value_label=Msg("Part des foyers du groupe", "Share of the group").render(lang),
                reference=0.1,
                reference_label=format_percent(0.1, lang, 0),
                shaded=_empty_deciles(audit),
                shaded_label=Msg("scores égaux", "tied scores").render(lang),
                lang=lang,
            )
        )

    all_rows = audit.groups[column]
    rates = [r.get("selection_rate") for r in all_rows]
    known = [(r, r["selection_rate"]) for r in rows if r.get("selection_rate") is not None]
    if known:
        high_row, high = max(known, key=lambda p: p[1])
        low_row, low = min(known, key=lambda p: p[1])
        charts.append(
            bar_chart(
                f"{base}-selection",
                [labels.group(column, r["group"], lang) for r in all_rows],
                rates,
                intervals=_intervals(all_rows),
                title=Msg(
                    "Taux de sélection ({c}) : de {lo} ({gl}) à {hi} ({gh})",
                    "Selection rate ({c}): from {lo} ({gl}) to {hi} ({gh})",
                    c=col_label,
                    lo=format_percent(low, lang, 1),
                    gl=names[low_row["group"]],
                    hi=format_percent(high, lang, 1),
                    gh=names[high_row["group"]],
                ).render(lang),
                alt=Msg(
                    "Le taux de sélection va de {lo} ({gl}) à {hi} ({gh}) ; la ligne "
                    "pointillée marque le taux de toute la population ({all}) ; les traits "
                    "aux extrémités des barres, l'intervalle de confiance à 95 %.",
                    "The selection rate ranges from {lo} ({gl}) to {hi} ({gh}); the dashed "
                    "line marks the whole population's rate ({all}); the whiskers, the 95% "
                    "confidence interval.",
                    lo=format_percent(low, lang, 2),
                    gl=names[low_row["group"]],
                    hi=format_percent(high, lang, 2),
                    gh=names[high_row["group"]],
                    all=format_percent(overall_rate, lang, 2),
                ).render(lang),
                value_label=Msg("Taux de sélection", "Selection rate").render(lang),
                reference=overall_rate,
                reference_label=Msg("ensemble", "all").render(lang),
                lang=lang,
            )
        )
        ratios = [r.get("representation_ratio") for r in all_rows]
        positive = [v for v in ratios if v]
        charts.append(
            bar_chart(
                f"{base}-representation",
                [labels.group(column, r["group"], lang) for r in all_rows],
                [v if v else None for v in ratios],
                title=ratio_title(rows, names, col_label, lang),
                alt=Msg(
                    "Part des sélectionnés divisée par part des foyers, sur une échelle "
                    "logarithmique : au-delà de la ligne 1×, le groupe est plus contrôlé que "
                    "son poids ; le ratio va de {lo} à {hi}.",
                    "Share of those selected divided by share of households, on a "
                    "logarithmic scale: beyond the 1× line, the group is inspected more than "
                    "its weight; the ratio ranges from {lo} to {hi}.",
                    lo=format_number(min(positive), lang, 2) if positive else "—",
                    hi=format_number(max(positive), lang, 2) if positive else "—",
                ).render(lang),
                value_label=Msg("Ratio de représentation", "Representation ratio").render(lang),
                reference=1.0,
                reference_label="1×",
                percent=False,
                log=bool(positive),
                lang=lang,
            )
        )
    return charts


def ratio_title(
    rows: list[dict[str, Any]], names: dict[str, str], col_label: str, lang: str
) -> str:
    """The representation chart's message: the group furthest from its share."""
    known = [r for r in rows if r.get("representation_ratio")]
    if not known:
        return Msg(
            "Représentation parmi les sélectionnés ({c})",
            "Representation among those selected ({c})",
            c=col_label,
        ).render(lang)
    far = max(known, key=lambda r: abs(np.log(r["representation_ratio"])))
    ratio = far["representation_ratio"]
    over = ratio >= 1
    times = ratio if over else 1 / ratio
    return Msg(
        "« {g} » : {r} fois sa part parmi les sélectionnés ({c})"
        if over
        else "« {g} » : {r} fois moins que sa part parmi les sélectionnés ({c})",
        "'{g}': {r} times its share among those selected ({c})"
        if over
        else "'{g}': {r} times less than its share among those selected ({c})",
        g=names[far["group"]],
        r=format_number(times, lang, 1 if times < 10 else 0),
        c=col_label,
    ).render(lang)


#: A national decile holding less than this share of households (instead of 10 %) is
#: shaded: many households share one score, so the deciles cannot be equal.
THIN_DECILE = 0.05


def _empty_deciles(audit: PopulationAudit) -> list[int]:
    """The national deciles (1-based) nearly empty because of tied scores."""
    shares = audit.overall["decile_shares"]
    return [d + 1 for d, share in enumerate(shares) if share < THIN_DECILE]


def _ties_note(audit: PopulationAudit, lang: str) -> str:
    """Why a decile can be (nearly) empty: households with equal scores share a decile."""
    empty = [str(d) for d in _empty_deciles(audit)]
    if not empty:
        return ""
    return Msg(
        " Le décile {d} est (presque) vide, grisé sur le graphique : beaucoup de foyers ont "
        "exactement le même score et restent ensemble dans un même décile.",
        " Decile {d} is (nearly) empty, shaded on the chart: many households have exactly "
        "the same score and stay together in one decile.",
        d=", ".join(empty),
    ).render(lang)


def _intervals(rows: Iterable[dict[str, Any]]) -> list[tuple[float, float] | None]:
    """Wilson intervals of each group's selection rate (none for hidden groups)."""
    return [None if r.get("n_selected") is None else wilson(r["n_selected"], r["n"]) for r in rows]


def results_section(model: Model, audit: PopulationAudit, labels: Labels, lang: str) -> Section:
    """The results section of one model: charts then tables, for every group column."""
    short = pick(model.spec.name, lang)
    section = Section(
        id=f"results-{model.id}",
        title=Msg("Résultats — {m}", "Results — {m}", m=short).render(lang),
    )
    rule = (
        Msg(
            "les {k} de scores les plus hauts",
            "the {k} highest scores",
            k=format_percent(audit.top_share, lang, 2),
        )
        if audit.top_share is not None
        else Msg("les scores d'au moins {t}", "scores of at least {t}", t=audit.threshold)
    )
    section.paragraphs.append(
        Msg(
            "Sur {n} foyers, le modèle en sélectionne {k} ({rate}) : {rule} (seuil de score {t}).",
            "Of {n} households, the model selects {k} ({rate}): {rule} (score threshold {t}).",
            n=format_number(audit.n, lang, 0),
            k=format_number(audit.n_selected, lang, 0),
            rate=format_percent(audit.n_selected / audit.n, lang, 2),
            rule=rule,
            t=_format_score(model, audit.threshold, lang),
        ).render(lang)
    )
    for column in audit.groups:
        section.charts.extend(column_charts(model, audit, column, labels, lang))
        section.tables.append(group_table(model, audit, column, labels, lang))
    return section
