"""Rich tables for the audit commands: numbers in the reader's language, legends in plain words."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

from lanterne.audit.confusion import ConfusionAudit
from lanterne.audit.glossary import explain
from lanterne.audit.population import PopulationAudit
from lanterne.audit.results import GroupTable
from lanterne.audit.selection import SelectionAudit
from lanterne.audit.suppression import mark, suppression_note
from lanterne.i18n import format_number, format_percent, tr

DASH = "—"


def pct(value: float | None, digits: int = 1) -> str:
    return DASH if value is None else format_percent(value, digits=digits)


def pc(value: float | None, digits: int = 1) -> str:
    """A share as a percentage without the sign (the column header carries "%")."""
    return DASH if value is None else format_number(value * 100, digits=digits)


def num(value: float | None, digits: int = 2) -> str:
    return DASH if value is None else format_number(value, digits=digits)


def count(value: int | None) -> str:
    return DASH if value is None else format_number(value, digits=0)


def _legend(console: Console, keys: Sequence[str], min_cell: int, any_small: bool) -> None:
    console.print(tr("[bold]Lire ces tableaux[/bold]", "[bold]Reading these tables[/bold]"))
    for line in explain(tuple(keys)):
        console.print(f"  • {line}", soft_wrap=True)
    if any_small:
        console.print(f"  • {suppression_note(min_cell).render()}", soft_wrap=True)


def _group_column(out: Table, table: GroupTable) -> None:
    """The group label column: kept at least 14 wide when labels need it, folded beyond 26."""
    longest = max((len(r["group"]) + 3 * bool(r.get("suppressed")) for r in table), default=5)
    out.add_column(
        tr("Groupe", "Group"),
        style="bold",
        min_width=min(longest, 14),
        max_width=26,
        overflow="fold",
    )


def _flag(row: dict[str, Any], label: str | None = None) -> str:
    """The group's label with its suppression mark (* primary, ** secondary)."""
    label = row["group"] if label is None else label
    sign = mark(row.get("suppression"))
    return f"{label} [dim]{sign}[/dim]" if sign else label


# ---------------------------------------------------------------------- population


def _population_table(table: GroupTable, title: str) -> Table:
    out = Table(title=title, title_justify="left")
    _group_column(out, table)
    for head in (
        "n",
        "% pop.",
        tr("Moy.", "Mean"),
        tr("Méd.", "Median"),
        tr("% sél.", "% sel."),
        tr("Part sél.", "Of sel."),
        "Repr.",
        "Impact",
    ):
        out.add_column(head, justify="right")
    for row in table:
        out.add_row(
            _flag(row),
            count(row["n"]),
            pc(row["share_population"]),
            num(row["mean_score"], 3),
            num(row["median_score"], 3),
            pc(row["selection_rate"]),
            pc(row["share_selected"]),
            num(row["representation_ratio"]),
            num(row["disparate_impact"]),
        )
    return out


def _decile_table(table: GroupTable, title: str) -> Table:
    out = Table(title=title, title_justify="left")
    _group_column(out, table)
    for d in range(1, 11):
        out.add_column(f"D{d}", justify="right", no_wrap=True, min_width=3)
    for row in table:
        shares = row["decile_shares"] or [None] * 10
        out.add_row(_flag(row), *(pc(s, 0) for s in shares))
    return out


def render_population(console: Console, audit: PopulationAudit, show_deciles: bool = True) -> None:
    """Header, one table per grouping (and per stratum), then the legend."""
    if audit.model is not None:
        from lanterne.provenance import STATUS_STYLES, status_label  # Pydantic: with a model only

        status = audit.model_status or "illustrative"
        console.print(
            tr(
                "Modèle : {m} — poids {s}",
                "Model: {m} — weights {s}",
                m=audit.model,
                s=f"[{STATUS_STYLES.get(status, 'white')}]{status_label(status)}[/]",
            )
        )
    if audit.top_share is not None:
        rule = tr(
            "les {p} de scores les plus élevés",
            "the {p} highest scores",
            p=format_percent(audit.top_share, digits=2),
        )
    else:
        rule = tr("scores ≥ {t}", "scores ≥ {t}", t=num(audit.threshold, 4))
    console.print(
        tr(
            "{n} foyers — ciblage : {r} (seuil {t}) → {k} sélectionnés ({p}).",
            "{n} households — targeting: {r} (threshold {t}) → {k} selected ({p}).",
            n=count(audit.n),
            r=rule,
            t=num(audit.threshold, 4),
            k=count(audit.n_selected),
            p=pct(audit.n_selected / audit.n, 2),
        ),
        soft_wrap=True,
    )
    any_small = False
    for key, table in audit.groups.items():
        any_small |= any(r["suppressed"] for r in table)
        console.print(_population_table(table, tr("Par {k}", "By {k}", k=key)))
        if show_deciles:
            console.print(
                _decile_table(
                    table,
                    tr(
                        "Par {k} : % du groupe dans chaque décile national de score",
                        "By {k}: % of the group in each national score decile",
                        k=key,
                    ),
                )
            )
    for stratum in audit.strata:
        for key, table in stratum["groups"].items():
            any_small |= any(r["suppressed"] for r in table)
            title = tr(
                "{c} = {s} ({n} foyers) — par {k}",
                "{c} = {s} ({n} households) — by {k}",
                c=audit.condition_col,
                s=stratum["stratum"],
                n=count(stratum["n"]) + mark(stratum.get("suppression")),
                k=key,
            )
            console.print(_population_table(table, title))
    keys = [
        "share_population",
        "mean_score",
        "median_score",
        "selection_rate",
        "share_selected",
        "representation_ratio",
        "disparate_impact",
    ]
    if show_deciles:
        keys.append("decile_shares")
    _legend(console, keys, audit.min_cell, any_small)
    console.print(
        tr(
            "  • « — » : groupe masqué (marqué * ou **) ou taux non défini (un groupe sans "
            "aucun foyer sélectionné n'a pas de ratio d'impact).",
            "  • '—': hidden group (marked * or **) or undefined rate (a group with no "
            "selected household has no impact ratio).",
        ),
        soft_wrap=True,
    )
    if audit.strata:
        console.print(
            tr(
                "  • Par strate : mêmes mesures calculées à l'intérieur de chaque valeur de "
                "{c} (parité statistique conditionnelle) ; le seuil reste national.",
                "  • By stratum: the same measures within each value of {c} (conditional "
                "statistical parity); the threshold stays national.",
                c=audit.condition_col,
            ),
            soft_wrap=True,
        )


# ---------------------------------------------------------------------- selection


def _ci(interval: list[float] | None) -> str:
    if interval is None:
        return DASH
    return f"{pc(interval[0])}–{pc(interval[1])}"


def _ratio_ci(interval: list[float] | None) -> str:
    if interval is None:
        return DASH
    return f"{num(interval[0])}–{num(interval[1])}"


def render_selection(console: Console, audit: SelectionAudit) -> None:
    o = audit.overall
    console.print(
        tr(
            "Échantillon aléatoire : {nr} contrôles, anomalie trouvée dans {hr}. "
            "Sélection de l'algorithme : {na} contrôles, anomalie trouvée dans {ha} {ci}.",
            "Random sample: {nr} inspections, an error found in {hr}. "
            "Algorithm's selection: {na} inspections, an error found in {ha} {ci}.",
            nr=count(o["n_random"]),
            hr=pct(o["hit_rate_random"]),
            na=count(o["n_algorithm"]),
            ha=pct(o["hit_rate_algorithm"]),
            ci=f"({_ci(o['hit_rate_algorithm_ci'])})" if o["hit_rate_algorithm_ci"] else "",
        ),
        soft_wrap=True,
    )
    any_small = False
    for key, table in audit.groups.items():
        any_small |= any(r["suppressed"] for r in table)
        parts = [
            (
                tr("Par {k} : qui est contrôlé", "By {k}: who is inspected", k=key),
                [
                    (tr("n aléat.", "n rand."), lambda r: count(r["n_random"])),
                    ("n algo.", lambda r: count(r["n_algorithm"])),
                    (tr("% aléat.", "% rand."), lambda r: pc(r["share_random"])),
                    ("% algo.", lambda r: pc(r["share_algorithm"])),
                    ("Repr.", lambda r: num(r["representation_ratio"])),
                ],
            ),
            (
                tr(
                    "Par {k} : ce que trouvent les contrôles",
                    "By {k}: what inspections find",
                    k=key,
                ),
                [
                    (tr("Anom. aléat. %", "Hits rand. %"), lambda r: pc(r["hit_rate_random"])),
                    (tr("Anom. algo. %", "Hits algo. %"), lambda r: pc(r["hit_rate_algorithm"])),
                    (
                        tr("IC 95 % algo.", "95% CI algo."),
                        lambda r: _ci(r["hit_rate_algorithm_ci"]),
                    ),
                    (tr("Gain", "Lift"), lambda r: num(r["lift"])),
                    (tr("IC 95 % gain", "95% CI lift"), lambda r: _ratio_ci(r.get("lift_ci"))),
                ],
            ),
            (
                tr(
                    "Par {k} : à qui reviennent les anomalies",
                    "By {k}: whom the errors found concern",
                    k=key,
                ),
                [
                    (
                        tr("Part anom. aléat. %", "Of rand. hits %"),
                        lambda r: pc(r["share_of_random_hits"]),
                    ),
                    (
                        tr("Part anom. algo. %", "Of algo. hits %"),
                        lambda r: pc(r["share_of_algorithm_hits"]),
                    ),
                ],
            ),
        ]
        for title, columns in parts:
            out = Table(title=title, title_justify="left")
            _group_column(out, table)
            for head, _ in columns:
                out.add_column(head, justify="right")
            for row in table:
                out.add_row(_flag(row), *(cell(row) for _, cell in columns))
            console.print(out)
    keys = [
        "share_random",
        "share_algorithm",
        "selection_representation_ratio",
        "hit_rate_random",
        "hit_rate_algorithm",
        "hit_rate_algorithm_ci",
        "share_of_random_hits",
        "share_of_algorithm_hits",
        "lift",
        "lift_ci",
    ]
    _legend(console, keys, audit.min_cell, any_small)
    console.print(
        tr(
            "  • Intervalles : taux d'anomalie par la formule de Wilson ; gain par "
            "{b} rééchantillonnages des dossiers avec remise (graine {s}), centiles 2,5 et "
            "97,5.",
            "  • Intervals: hit rates by Wilson's formula; lift by {b} resamples of the "
            "cases with replacement (seed {s}), 2.5th and 97.5th percentiles.",
            b=count(audit.bootstrap),
            s=audit.seed,
        ),
        soft_wrap=True,
    )


# ---------------------------------------------------------------------- confusion


def render_confusion(console: Console, audit: ConfusionAudit) -> None:
    groups = audit.group_cols
    parts = [
        (
            tr("Taux d'erreur par groupe", "Error rates by group"),
            ["tpr", "tnr", "fpr", "fnr", "error_rate", "share_of_false_positives"],
            ["TPR", "TNR", "FPR", "FNR", tr("Erreurs", "Errors"), tr("Part des FP", "Share of FP")],
        ),
        (
            tr("Valeurs prédictives par groupe", "Predictive values by group"),
            ["ppv", "npv", "fdr", "for", "prevalence", "predicted_positive_rate"],
            ["PPV", "NPV", "FDR", "FOR", tr("Prévalence", "Prevalence"), tr("Signalés", "Flagged")],
        ),
    ]
    for title, keys, heads in parts:
        out = Table(title=title, title_justify="left")
        for g in groups or ["-"]:
            out.add_column(g, style="bold")
        out.add_column("n", justify="right", no_wrap=True)
        for head in heads:
            out.add_column(f"{head} %", justify="right", no_wrap=True)
        for row in audit.rows:
            labels = [str(row[g]) for g in groups] or [tr("tous", "all")]
            labels[-1] = _flag(row, labels[-1])
            out.add_row(*labels, count(row["n"]), *(pc(row[k]) for k in keys))
        console.print(out)
    keys = [
        "tpr",
        "tnr",
        "fpr",
        "fnr",
        "error_rate",
        "share_of_false_positives",
        "ppv",
        "npv",
        "fdr",
        "for",
        "prevalence",
        "predicted_positive_rate",
    ]
    _legend(console, keys, audit.min_cell, any(r["suppressed"] for r in audit.rows))
    if audit.within:
        console.print(
            tr(
                "  • Part des faux positifs calculée à l'intérieur de : {w}.",
                "  • Share of false positives taken within: {w}.",
                w=", ".join(audit.within),
            ),
            soft_wrap=True,
        )
    console.print(
        tr(
            "  • Une valeur « — » : dénominateur nul (taux non défini) ou case masquée.",
            "  • A '—' value: zero denominator (rate undefined) or hidden cell.",
        )
    )
