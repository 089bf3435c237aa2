"""The tables of a population audit, from the merged partial sums.

:func:`group_table` turns one :class:`~lanterne.audit.passes.Grouping`'s partials into a
:class:`~lanterne.audit.results.GroupTable` (one row of metrics per group, in display
order); :func:`hidden_cells` decides which cells every published table hides at once
(primary and secondary suppression); :func:`overall_row` and :func:`strata_tables` give the
whole population's row and the tables within each value of the conditioning column.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lanterne.audit.groups import CROSS, GroupEncoder, split_code
from lanterne.audit.partials import GroupPartials, ScoreBins
from lanterne.audit.passes import Grouping
from lanterne.audit.results import GroupTable, ratio_or_none
from lanterne.audit.suppression import hide_row, margin_relations, suppress

#: Metrics hidden for a suppressed group.
RATE_FIELDS = (
    "n",
    "share_population",
    "mean_score",
    "median_score",
    "selection_rate",
    "n_selected",
    "share_selected",
    "representation_ratio",
    "disparate_impact",
    "decile_shares",
)
#: What an entry of ``strata`` says of the stratum itself.
_STRATUM_FIELDS = ("n", "n_selected", "selection_rate", "suppressed", "suppression")


def _rows(
    partials: GroupPartials,
    medians: np.ndarray,
    bins: ScoreBins,
    cells: np.ndarray,
    labels: list[str],
    status: list[str | None],
    extra: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Metric rows for ``cells`` (codes of one grouping), compared among themselves.

    ``status`` says, cell by cell, whether it is hidden (see :mod:`~lanterne.audit.suppression`).
    """
    counts = partials.counts[cells]
    selected = partials.selected_counts(bins)[cells]
    deciles = partials.decile_counts(bins)[cells]
    means = partials.means()[cells]
    total, total_selected = int(counts.sum()), int(selected.sum())
    small = np.array([st is not None for st in status], dtype=bool)
    rates = np.where(counts > 0, selected / np.maximum(counts, 1), np.nan)
    eligible = rates[(~small) & (rates > 0)]
    reference = float(eligible.min()) if eligible.size else None
    rows = []
    for i, label in enumerate(labels):
        k, s = int(counts[i]), int(selected[i])
        share_pop = k / total if total else None
        share_sel = ratio_or_none(s, total_selected)
        rate = s / k if k else None
        row: dict[str, Any] = {
            "group": label,
            "n": k,
            "share_population": share_pop,
            "mean_score": float(means[i]),
            "median_score": float(medians[cells[i]]),
            "selection_rate": rate,
            "share_selected": share_sel,
            "representation_ratio": (
                share_sel / share_pop if share_sel is not None and share_pop else None
            ),
            "disparate_impact": (rate / reference if reference is not None and rate else None),
            "decile_shares": (deciles[i] / k).tolist() if k else None,
            "n_selected": s,
        }
        if extra is not None:
            row.update(extra[i])
        rows.append(hide_row(row, status[i], RATE_FIELDS))
    return rows


def _ordered_cells(
    grouping: Grouping, partials: GroupPartials, encoders: dict[str, GroupEncoder]
) -> tuple[np.ndarray, list[list[int]]]:
    """Non-empty cells of a grouping in reading order, with their per-column codes."""
    cols = grouping.columns
    sizes = [encoders[c].size for c in cols]
    cells = np.flatnonzero(partials.counts > 0)
    parts = [split_code(int(c), sizes) for c in cells]
    ranks = []
    for j, c in enumerate(cols):
        order = encoders[c].display_order()
        rank = {code: r for r, code in enumerate(order)}
        ranks.append([rank[p[j]] for p in parts])
    order = sorted(range(len(cells)), key=lambda i: tuple(r[i] for r in ranks))
    return cells[order], [parts[i] for i in order]


def group_table(
    grouping: Grouping,
    key: str,
    result: tuple[GroupPartials, np.ndarray],
    bins: ScoreBins,
    encoders: dict[str, GroupEncoder],
    hidden: dict[Any, str],
    *,
    within: int | None = None,  # for a conditional grouping: the stratum's code
) -> GroupTable:
    partials, medians = result
    cells, parts = _ordered_cells(grouping, partials, encoders)
    cols = grouping.columns
    status = [hidden.get((cols, tuple(p))) for p in parts]
    if within is not None:
        keep = [i for i, p in enumerate(parts) if p[0] == within]
        cells, parts = cells[keep], [parts[i] for i in keep]
        status = [status[i] for i in keep]
        cols = cols[1:]
        parts = [p[1:] for p in parts]
    labels = [CROSS.join(encoders[c].labels[p[j]] for j, c in enumerate(cols)) for p in parts]
    extra = None
    if len(cols) > 1:
        extra = [
            {"values": {c: encoders[c].labels[p[j]] for j, c in enumerate(cols)}} for p in parts
        ]
    rows = _rows(partials, medians, bins, cells, labels, status, extra)
    return GroupTable(key, tuple(cols), rows)


def hidden_cells(
    reduced: dict[Grouping, tuple[GroupPartials, np.ndarray]],
    bins: ScoreBins,
    encoders: dict[str, GroupEncoder],
    min_cell: int,
) -> dict[Any, str]:
    """Primary and secondary suppression over every published table at once.

    The tables are margins of one cross-classification (overall, each column, the
    intersection, the strata and each column within them): see
    :func:`~lanterne.audit.suppression.margin_relations`. Selected counts are published
    too (as rates × sizes) and checked alongside.
    """
    tables: dict[tuple[str, ...], dict[tuple[int, ...], int]] = {}
    selected: dict[Any, float] = {}
    for grouping, (partials, _) in reduced.items():
        sizes = [encoders[c].size for c in grouping.columns]
        cells = np.flatnonzero(partials.counts > 0)
        parts = [tuple(split_code(int(c), sizes)) if sizes else () for c in cells]
        tables[grouping.columns] = {
            p: int(partials.counts[c]) for p, c in zip(parts, cells, strict=True)
        }
        chosen = partials.selected_counts(bins)[cells]
        selected.update({(grouping.columns, p): int(k) for p, k in zip(parts, chosen, strict=True)})
    sizes_by_cell, relations = margin_relations(tables)
    return suppress(
        sizes_by_cell, relations, min_cell=min_cell, published={((), ())}, counts=[selected]
    )


def overall_row(
    result: tuple[GroupPartials, np.ndarray], bins: ScoreBins, n: int
) -> dict[str, Any]:
    """The whole population's row: size, selection, mean and median score, decile shares."""
    partials, medians = result
    n_selected = int(partials.selected_counts(bins)[0])
    return {
        "n": n,
        "n_selected": n_selected,
        "selection_rate": n_selected / n,
        "mean_score": float(partials.means()[0]),
        "median_score": float(medians[0]),
        "decile_shares": (partials.decile_counts(bins)[0] / n).tolist(),
    }


def strata_tables(
    condition_col: str,
    within: dict[str, Grouping],
    reduced: dict[Grouping, tuple[GroupPartials, np.ndarray]],
    bins: ScoreBins,
    encoders: dict[str, GroupEncoder],
    hidden: dict[Any, str],
) -> list[dict[str, Any]]:
    """One entry per value (stratum) of ``condition_col``: its size and selection, and the
    tables of ``within`` (each group column, and the intersection) among its households."""
    stratum = Grouping((condition_col,))
    stratum_table = group_table(stratum, condition_col, reduced[stratum], bins, encoders, hidden)
    labels = encoders[condition_col].labels
    strata = []
    for row in stratum_table.rows:
        code = labels.index(row["group"])
        tables = {
            key: group_table(g, key, reduced[g], bins, encoders, hidden, within=code)
            for key, g in within.items()
        }
        strata.append(
            {
                "stratum": row["group"],
                **{k: row[k] for k in _STRATUM_FIELDS},
                "groups": tables,
            }
        )
    return strata
