"""Non-take-up audit: per group, the rights people miss, next to who the model inspects.

For each group (one or more columns of the population), :func:`nonrecours_table` counts
the households entitled to RSA, the activity bonus or housing benefit (OpenFisca-France),
those who do not claim at least one of them (take-up draw), the non-take-up rate, the
unclaimed amount per month, and the share of the group the scoring model selects for
inspection. :func:`compare_rankings` then says whether the groups most inspected are the
groups missing the most rights (Spearman rank correlation over groups large enough to be
shown).

Example:
    >>> import polars as pl
    >>> rights = pl.DataFrame({"g": ["a", "a", "b"],
    ...     "rsa_amount": [500.0, 0.0, 300.0], "rsa_entitled": [True, False, True],
    ...     "rsa_claimed": [False, False, True],
    ...     "ppa_amount": [0.0] * 3, "ppa_entitled": [False] * 3, "ppa_claimed": [False] * 3,
    ...     "housing_amount": [0.0] * 3, "housing_entitled": [False] * 3,
    ...     "housing_claimed": [False] * 3, "selected": [True, False, False]})
    >>> t = nonrecours_table(rights, ["g"], min_cell=0)
    >>> t.select("g", "entitled", "missing", "nonrecours_rate", "unclaimed_monthly").rows()
    [('a', 1, 1, 1.0, 500.0), ('b', 1, 0, 0.0, 0.0)]
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from lanterne.audit.suppression import suppress
from lanterne.defaults import DEFAULT_MIN_CELL
from lanterne.i18n import Msg, format_number, format_percent, tr

#: Benefits counted in non-take-up (the AAH is not: no published model, see the catalog).
COUNTED = ("rsa", "ppa", "housing")


def _missed(b: str) -> pl.Expr:
    return pl.col(f"{b}_entitled") & ~pl.col(f"{b}_claimed")


def nonrecours_table(
    rights: pl.DataFrame,
    group_cols: list[str],
    *,
    min_cell: int = DEFAULT_MIN_CELL,
) -> pl.DataFrame:
    """One row per group: households, entitlement, non-take-up and selection.

    ``rights`` holds the group columns, the ``<b>_amount/_entitled/_claimed`` columns of
    :func:`lanterne.rights.compute.compute_rights` and optionally ``selected``. Groups
    with fewer than ``min_cell`` households, and the complementary groups that would give
    them away (the groups add up to the published totals), show no figure at all: every
    count and rate is null and ``suppression`` says ``primary`` or ``secondary``
    (:mod:`lanterne.audit.suppression`).
    """
    entitled_any = pl.any_horizontal([pl.col(f"{b}_entitled") for b in COUNTED])
    missing_any = pl.any_horizontal([_missed(b) for b in COUNTED])
    unclaimed = pl.sum_horizontal(
        [pl.when(_missed(b)).then(pl.col(f"{b}_amount")).otherwise(0.0) for b in COUNTED]
    )
    has_selection = "selected" in rights.columns
    aggs = [
        pl.len().alias("households"),
        entitled_any.sum().alias("entitled"),
        missing_any.sum().alias("missing"),
        unclaimed.sum().alias("unclaimed_monthly"),
    ]
    for b in COUNTED:
        aggs += [
            pl.col(f"{b}_entitled").sum().alias(f"{b}_entitled"),
            _missed(b).sum().alias(f"{b}_missing"),
        ]
    if has_selection:
        aggs.append(pl.col("selected").cast(pl.Int64).sum().alias("selected"))
    table = rights.group_by(group_cols).agg(aggs).sort(group_cols)
    sizes: dict[Hashable, int] = {"all": int(table["households"].sum())}
    sizes.update({i: int(k) for i, k in enumerate(table["households"].to_list())})
    counted = [c for c in table.columns if c not in group_cols and c != "households"]
    counts = [
        {"all": float(table[c].sum()), **dict(enumerate(table[c].cast(pl.Float64).to_list()))}
        for c in counted
    ]
    hidden = suppress(
        sizes,
        [("all", list(range(table.height)))],
        min_cell=min_cell,
        published={"all"},
        counts=counts,
    )
    status = pl.Series("suppression", [hidden.get(i) for i in range(table.height)], pl.String)
    shown = status.is_null()
    rates = [
        pl.when(pl.col("entitled") > 0)
        .then(pl.col("missing") / pl.col("entitled"))
        .alias("nonrecours_rate")
    ]
    for b in COUNTED:
        rates.append(
            pl.when(pl.col(f"{b}_entitled") > 0)
            .then(pl.col(f"{b}_missing") / pl.col(f"{b}_entitled"))
            .alias(f"{b}_nonrecours_rate")
        )
    if has_selection:
        rates.append((pl.col("selected") / pl.col("households")).alias("selection_rate"))
    table = table.with_columns(rates).with_columns(pl.col("unclaimed_monthly").round(2))
    figures = [c for c in table.columns if c not in group_cols]
    table = table.with_columns(
        [pl.when(pl.lit(shown)).then(pl.col(c)).alias(c) for c in figures]
    ).with_columns(status)
    return table


def _ranks(values: np.ndarray) -> np.ndarray:
    order = values.argsort(kind="stable")
    ranks = np.empty(len(values))
    ranks[order] = np.arange(len(values), dtype=float)
    for v in np.unique(values):  # average ranks for ties
        ties = values == v
        ranks[ties] = ranks[ties].mean()
    return ranks


def spearman(x: np.ndarray, y: np.ndarray) -> float | None:
    """Spearman rank correlation (average ranks for ties); None if undefined.

    >>> spearman(np.array([1.0, 2.0, 3.0]), np.array([10.0, 30.0, 20.0]))
    0.5
    """
    if len(x) < 3:
        return None
    rx, ry = _ranks(np.asarray(x, float)), _ranks(np.asarray(y, float))
    if rx.std() == 0 or ry.std() == 0:
        return None
    return float(np.corrcoef(rx, ry)[0, 1])


#: Fewest groups a rank correlation is stated over (over 3 groups, +1.00 is chance 1 time in 6).
MIN_RANKED_GROUPS = 5


@dataclass(frozen=True)
class RankingComparison:
    """How the groups' selection rates and non-take-up rates rank against each other."""

    correlation: float | None
    most_selected: str | None
    most_missing: str | None
    groups: int
    sentence: Msg = field(compare=False)


def _signed(value: float) -> Msg:
    sign = "+" if value >= 0 else "−"
    return Msg(sign + format_number(abs(value), "fr", 2), sign + format_number(abs(value), "en", 2))


def _label(row: dict[str, Any], group_cols: list[str]) -> str:
    return " · ".join(str(row[c]) for c in group_cols)


def compare_rankings(table: pl.DataFrame, group_cols: list[str]) -> RankingComparison:
    """Compare the ranking of groups by selection rate and by non-take-up rate."""
    if "selection_rate" not in table.columns:
        return RankingComparison(
            None,
            None,
            None,
            0,
            Msg("Aucun modèle de notation choisi.", "No scoring model chosen."),
        )
    usable = table.filter(
        pl.col("selection_rate").is_not_null() & pl.col("nonrecours_rate").is_not_null()
    )
    if usable.height < MIN_RANKED_GROUPS:
        return RankingComparison(
            None,
            None,
            None,
            usable.height,
            Msg(
                "Pas de corrélation des rangs sur {k} groupe(s) affichable(s) : il en faut au "
                "moins {m} pour que l'ordre des groupes dise quelque chose.",
                "No rank correlation over {k} group(s) that can be shown: it takes at least "
                "{m} for the groups' order to mean anything.",
                k=usable.height,
                m=MIN_RANKED_GROUPS,
            ),
        )
    rows = usable.to_dicts()
    sel = max(rows, key=lambda r: (r["selection_rate"], r["households"]))
    miss = max(rows, key=lambda r: (r["nonrecours_rate"], r["households"]))
    rho = spearman(usable["selection_rate"].to_numpy(), usable["nonrecours_rate"].to_numpy())
    same_top = _label(sel, group_cols) == _label(miss, group_cols)
    if rho is not None and rho >= 0.5:
        verdict = Msg(
            "Les groupes les plus contrôlés pour trop-perçu sont aussi ceux qui manquent le "
            "plus de droits (corrélation des rangs : {r}).",
            "The groups most inspected for overpayments are also the groups missing the "
            "most rights (rank correlation: {r}).",
            r=_signed(rho),
        )
    else:
        verdict = Msg(
            "Les groupes les plus contrôlés pour trop-perçu ne sont pas ceux qui manquent le "
            "plus de droits (corrélation des rangs : {r}).",
            "The groups most inspected for overpayments are not the groups missing the "
            "most rights (rank correlation: {r}).",
            r="—" if rho is None else _signed(rho),
        )
    texts = {}
    for lang in ("fr", "en"):
        same = tr(" — le même groupe", " — the same group", lang) if same_top else ""
        texts[lang] = tr(
            "{verdict} Le plus ciblé : {s} ({sr} sélectionnés) ; le plus de non-recours : "
            "{m} ({mr} des foyers ayant droit){same}.",
            "{verdict} Most targeted: {s} ({sr} selected); most non-take-up: {m} ({mr} of "
            "entitled households){same}.",
            lang,
            verdict=verdict.render(lang),
            s=_label(sel, group_cols),
            sr=format_percent(sel["selection_rate"], lang),
            m=_label(miss, group_cols),
            mr=format_percent(miss["nonrecours_rate"], lang),
            same=same,
        )
    detail = Msg(texts["fr"], texts["en"])  # no parameters: rendered as is
    return RankingComparison(
        rho, _label(sel, group_cols), _label(miss, group_cols), usable.height, detail
    )


@dataclass(frozen=True)
class NonRecoursAudit:
    """The result of :func:`audit_nonrecours`."""

    month: str
    group_cols: list[str]
    model: str | None
    min_cell: int
    table: pl.DataFrame
    comparison: RankingComparison
    totals: dict[str, float]
    rates: dict[str, dict[str, Any]]

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        """A JSON-ready summary (rates with their provenance)."""
        return {
            "month": self.month,
            "group_cols": self.group_cols,
            "model": self.model,
            "min_cell": self.min_cell,
            "totals": self.totals,
            "groups": self.table.to_dicts(),
            "comparison": {
                "spearman": self.comparison.correlation,
                "most_selected": self.comparison.most_selected,
                "most_missing": self.comparison.most_missing,
                "groups_compared": self.comparison.groups,
                "sentence": self.comparison.sentence.render(lang),
            },
            "nonrecours_rates": self.rates,
        }


def audit_nonrecours(
    frame: pl.DataFrame,
    month: str,
    *,
    group_cols: list[str],
    model: str | None = None,
    targeting: Any = None,
    min_cell: int = DEFAULT_MIN_CELL,
    chunk_rows: int | None = None,
    seed: int = 0,
    catalog: str = "fr-nonrecours",
    progress: bool = True,
    workers: int = 1,
    calibrate: bool = True,
    file: str | None = None,
    client: Any = None,
) -> NonRecoursAudit:
    """Rights computed with OpenFisca-France, take-up drawn, grouped, next to selection."""
    from lanterne.errors import DataError, Problem
    from lanterne.model import load_model
    from lanterne.rights.catalog import load_rights_catalog
    from lanterne.rights.compute import DEFAULT_CHUNK_ROWS, compute_rights, takeup_scales
    from lanterne.rights.simulate import check_month

    check_month(month)
    missing = [c for c in group_cols if c not in frame.columns]
    if missing:
        raise DataError(
            [
                Problem(
                    Msg(
                        "colonne de groupe « {c} » absente ; colonnes : {a}",
                        "group column '{c}' not found; columns: {a}",
                        c=c,
                        a=", ".join(frame.columns),
                    ),
                    file=file,
                )
                for c in missing
            ]
        )
    cat = load_rights_catalog(catalog)
    selected = None
    if model is not None:
        loaded = load_model(model)
        selected = loaded.score(frame, targeting=targeting, file=file)["selected"]
    rights = compute_rights(
        frame,
        month,
        catalog=cat,
        chunk_rows=chunk_rows or DEFAULT_CHUNK_ROWS,
        seed=seed,
        progress=progress,
        workers=workers,
        calibrate=calibrate,
        client=client,
    )
    groups = frame.select([pl.col(c).cast(pl.String) for c in group_cols])
    joined = pl.concat([groups, rights.drop("household_id")], how="horizontal")
    if selected is not None:
        joined = joined.with_columns(selected.alias("selected"))
    table = nonrecours_table(joined, group_cols, min_cell=min_cell)
    comparison = compare_rankings(table, group_cols)
    whole = nonrecours_table(joined.with_columns(pl.lit("all").alias("_all")), ["_all"], min_cell=0)
    row = whole.row(0, named=True)
    totals = {
        "households": row["households"],
        "entitled": row["entitled"],
        "missing": row["missing"],
        "nonrecours_rate": row["nonrecours_rate"],
        "unclaimed_monthly": row["unclaimed_monthly"],
        **{f"{b}_nonrecours_rate": row[f"{b}_nonrecours_rate"] for b in COUNTED},
        **({"selection_rate": row["selection_rate"]} if selected is not None else {}),
    }
    scales = takeup_scales(rights, frame, cat) if calibrate else dict.fromkeys(COUNTED, 1.0)
    rates = {
        b: {
            "rate": cat.benefit(b).nonrecours.rate,
            "status": cat.benefit(b).nonrecours.status,
            "source": cat.source(cat.benefit(b).nonrecours.source).title,
            "calibrated": calibrate,
            "scale": round(scales[b], 4),
        }
        for b in COUNTED
    }
    return NonRecoursAudit(
        month, list(group_cols), model, min_cell, table, comparison, totals, rates
    )
