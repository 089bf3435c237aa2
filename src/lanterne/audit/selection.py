"""Random-baseline audit: what does the algorithm's selection find, and for whom?

Some agencies inspect a random sample alongside the cases their algorithm picks (the
Swedish social insurance agency, the French family-benefits agency's yearly random
survey). The random sample shows how often errors really occur in each group; the
algorithm's sample shows whom it sends inspectors to and how often they find something.
:func:`audit_selection` puts the two side by side, group by group, with Wilson confidence
intervals on the hit rates (:mod:`lanterne.audit.intervals`) and a bootstrap interval on
the lift (:mod:`lanterne.audit.bootstrap`).

Example:
    >>> import polars as pl
    >>> data = pl.DataFrame({
    ...     "how": ["random"] * 4 + ["model"] * 4,
    ...     "result": ["ok", "ok", "ok", "overpaid", "overpaid", "ok", "overpaid", "ok"],
    ...     "sex": ["f", "m", "f", "m", "f", "f", "f", "m"]})
    >>> audit = audit_selection(data, selection_col="how", random_value="random",
    ...                         outcome_col="result", negative_values=["ok"],
    ...                         group_cols=["sex"], min_cell=0, bootstrap=200)
    >>> audit.overall["hit_rate_random"], audit.overall["hit_rate_algorithm"]
    (0.25, 0.5)
    >>> [(r["group"], r["hit_rate_algorithm"]) for r in audit.groups["sex"]]
    [('f', 0.6666666666666666), ('m', 0.0)]
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from lanterne.audit.bootstrap import bootstrap_ratio
from lanterne.audit.chunks import open_source
from lanterne.audit.groups import GroupEncoder
from lanterne.audit.intervals import interval_or_none
from lanterne.audit.results import AuditResult, GroupTable, ratio_or_none, tables_to_json
from lanterne.audit.suppression import (
    PRIMARY,
    check_min_cell,
    hide_row,
    margin_relations,
    suppress,
)
from lanterne.audit.values import matches, present_values
from lanterne.defaults import DEFAULT_MIN_CELL
from lanterne.errors import DataError, Problem, UsageError
from lanterne.i18n import Msg
from lanterne.io.frames import TableLike

SAMPLES = ("random", "algorithm")
RANDOM_FIELDS = (
    "n_random",
    "share_random",
    "hit_rate_random",
    "share_of_random_hits",
    "hits_random",
    "hit_rate_random_ci",
)
ALGORITHM_FIELDS = (
    "n_algorithm",
    "share_algorithm",
    "hit_rate_algorithm",
    "share_of_algorithm_hits",
    "hits_algorithm",
    "hit_rate_algorithm_ci",
)
BOTH_FIELDS = ("lift", "lift_ci", "representation_ratio")


@dataclass
class SelectionAudit(AuditResult):
    """Result of :func:`audit_selection`; ``to_json()`` gives the fixed JSON shape."""

    overall: dict[str, Any]
    groups: dict[str, GroupTable]
    bootstrap: int
    seed: int | None
    min_cell: int
    level: float = 0.95

    def by_group(self, key: str) -> pl.DataFrame:
        return self.groups[key].by_group()

    def difference(
        self, metric: str = "hit_rate_algorithm", key: str | None = None
    ) -> float | None:
        return self.groups[key or next(iter(self.groups))].difference(metric)

    def ratio(self, metric: str = "hit_rate_algorithm", key: str | None = None) -> float | None:
        return self.groups[key or next(iter(self.groups))].ratio(metric)

    def to_dict(self) -> dict[str, Any]:
        out = {
            "overall": self.overall,
            "groups": tables_to_json(self.groups),
            "bootstrap": self.bootstrap,
            "seed": self.seed,
            "confidence_level": self.level,
            "min_cell": self.min_cell,
        }
        out.update(self.extras)
        return out


def _bad_rows(mask: pl.Series) -> str:
    rows = (mask.arg_true().head(5) + 1).to_list()
    return ", ".join(map(str, rows))


def _never_occurs(column: pl.Series, the_value: Msg, label: str | None) -> Problem:
    """A value the caller named (``the_value``: "the value 'x' (…)") that ``column`` lacks."""
    return Problem(
        Msg(
            "colonne « {c} » : {value} n'apparaît jamais ; valeurs présentes : {vals}",
            "column '{c}': {value} never occurs; values present: {vals}",
            c=column.name,
            value=the_value,
            vals=present_values(column),
        ),
        file=label,
    )


def _check(
    frame: pl.DataFrame,
    label: str | None,
    selection_col: str,
    random_value: str,
    outcome_col: str,
    negative_values: Sequence[str],
) -> tuple[np.ndarray, np.ndarray]:
    """``(is_random, is_positive)`` masks, after checking every value; all problems at once."""
    problems: list[Problem] = []
    if frame.height == 0:
        raise DataError(Problem(Msg("le tableau est vide", "the table is empty"), file=label))
    for col in (selection_col, outcome_col):
        nulls = frame[col].is_null()
        if frame[col].dtype == pl.String:
            nulls = nulls | (frame[col].str.strip_chars() == "").fill_null(False)
        if nulls.any():
            problems.append(
                Problem(
                    Msg(
                        "colonne « {c} » : {k} valeur(s) manquante(s) (lignes {rows})",
                        "column '{c}': {k} missing value(s) (rows {rows})",
                        c=col,
                        k=int(nulls.sum()),
                        rows=_bad_rows(nulls),
                    ),
                    file=label,
                )
            )
    is_random = matches(frame[selection_col], [random_value])
    if not is_random.any():
        the_value = Msg(
            "la valeur « {v} » (échantillon aléatoire)",
            "the value '{v}' (random sample)",
            v=random_value,
        )
        problems.append(_never_occurs(frame[selection_col], the_value, label))
    elif is_random.all():
        problems.append(
            Problem(
                Msg(
                    "colonne « {c} » : toutes les lignes valent « {v} » : aucun dossier choisi "
                    "par l'algorithme à comparer",
                    "column '{c}': every row is '{v}': no case chosen by the algorithm to "
                    "compare with",
                    c=selection_col,
                    v=random_value,
                ),
                file=label,
            )
        )
    negatives = pl.Series([False] * frame.height)
    for value in negative_values:
        found = matches(frame[outcome_col], [value])
        if not found.any():
            the_value = Msg("la valeur négative « {v} »", "the negative value '{v}'", v=value)
            problems.append(_never_occurs(frame[outcome_col], the_value, label))
        negatives = negatives | found
    if problems:
        raise DataError(problems)
    positive = (~negatives) & frame[outcome_col].is_not_null()
    return is_random.to_numpy(), positive.to_numpy()


def _sample_stats(codes: np.ndarray, hits: np.ndarray, n_groups: int) -> dict[str, np.ndarray]:
    return {
        "rows": np.bincount(codes, minlength=n_groups),
        "positives": np.bincount(codes[hits], minlength=n_groups),
    }


def _interval(low: float, high: float) -> list[float] | None:
    if np.isnan(low) or np.isnan(high):
        return None
    return [float(low), float(high)]


@dataclass(frozen=True)
class _Column:
    """One group column: its encoder and, per sample, rows and hits by group code."""

    encoder: GroupEncoder
    codes: np.ndarray
    stats: dict[str, dict[str, np.ndarray]]


def _hidden(
    columns: dict[str, _Column], overall: dict[str, Any], min_cell: int
) -> dict[str, dict[Any, str]]:
    """Primary and secondary suppression, sample by sample (each adds up on its own)."""
    out = {}
    for name in SAMPLES:
        tables: dict[tuple[str, ...], dict[tuple[Any, ...], int]] = {(): {(): overall[f"n_{name}"]}}
        hits: dict[Any, float] = {((), ()): overall[f"hits_{name}"]}
        for col, column in columns.items():
            rows = column.stats[name]["rows"]
            tables[(col,)] = {(code,): int(k) for code, k in enumerate(rows) if k > 0}
            for code, h in enumerate(column.stats[name]["positives"]):
                hits[((col,), (code,))] = int(h)
        sizes, relations = margin_relations(tables)
        out[name] = suppress(
            sizes, relations, min_cell=min_cell, published={((), ())}, counts=[hits]
        )
    return out


def _status(random: str | None, algorithm: str | None) -> str | None:
    """The row's mark: primary if either sample's cell is, else secondary, else shown."""
    if PRIMARY in (random, algorithm):
        return PRIMARY
    return random or algorithm


def _group_row(
    label: str,
    code: int,
    column: _Column,
    overall: dict[str, Any],
    lift_ci: tuple[np.ndarray, np.ndarray],
    status: dict[str, str | None],
    level: float,
) -> dict[str, Any]:
    r, a = column.stats["random"], column.stats["algorithm"]
    n_r, n_a = int(r["rows"][code]), int(a["rows"][code])
    h_r, h_a = int(r["positives"][code]), int(a["positives"][code])
    row: dict[str, Any] = {
        "group": label,
        "n_random": n_r,
        "n_algorithm": n_a,
        "share_random": ratio_or_none(n_r, overall["n_random"]),
        "share_algorithm": ratio_or_none(n_a, overall["n_algorithm"]),
        "hit_rate_random": ratio_or_none(h_r, n_r),
        "hit_rate_algorithm": ratio_or_none(h_a, n_a),
        "share_of_random_hits": ratio_or_none(h_r, overall["hits_random"]),
        "share_of_algorithm_hits": ratio_or_none(h_a, overall["hits_algorithm"]),
        "hit_rate_algorithm_ci": interval_or_none(h_a, n_a, level),
        "hit_rate_random_ci": interval_or_none(h_r, n_r, level),
        "hits_random": h_r,
        "hits_algorithm": h_a,
    }
    row["lift"] = (
        row["hit_rate_algorithm"] / row["hit_rate_random"]
        if row["hit_rate_random"] and row["hit_rate_algorithm"] is not None
        else None
    )
    row["lift_ci"] = (
        _interval(lift_ci[0][code], lift_ci[1][code]) if row["lift"] is not None else None
    )
    row["representation_ratio"] = (
        row["share_algorithm"] / row["share_random"]
        if row["share_random"] and row["share_algorithm"] is not None
        else None
    )
    st_r, st_a = status["random"], status["algorithm"]
    if st_r is not None:
        row.update(dict.fromkeys(RANDOM_FIELDS))
    if st_a is not None:
        row.update(dict.fromkeys(ALGORITHM_FIELDS))
    hide_row(row, _status(st_r, st_a), BOTH_FIELDS)
    row["suppressed_random"] = st_r is not None
    row["suppressed_algorithm"] = st_a is not None
    row["suppression_random"] = st_r
    row["suppression_algorithm"] = st_a
    return row


def audit_selection(
    data: TableLike | str | os.PathLike[str],
    *,
    selection_col: str,
    random_value: str,
    outcome_col: str,
    negative_values: Sequence[str],
    group_cols: Sequence[str],
    bootstrap: int = 1000,
    seed: int | None = 0,
    min_cell: int = DEFAULT_MIN_CELL,
    level: float = 0.95,
) -> SelectionAudit:
    """Compare, group by group, a random inspection sample with the algorithm's selection.

    ``data`` is a table (Polars, pandas, Arrow) or a CSV/Parquet file. Rows whose
    ``selection_col`` equals ``random_value`` form the random sample; the others,
    the algorithm's. Rows whose ``outcome_col`` equals one of ``negative_values`` found no
    error (negatives); any other outcome is a positive (a "hit").
    Hit rates get the ``level`` Wilson interval; ``bootstrap`` resamples give the
    percentile interval of the lift (0 resamples: no lift interval). Small groups are
    hidden, with the complementary groups that would give them away, sample by sample.
    """
    min_cell = check_min_cell(min_cell)
    if isinstance(group_cols, str):
        group_cols = [group_cols]
    cols = list(dict.fromkeys(group_cols))
    if isinstance(negative_values, str):
        negative_values = [negative_values]
    if not cols:
        raise UsageError(
            Problem(
                Msg("indiquez au moins une colonne de groupe", "give at least one group column"),
                params=("group_cols",),
            )
        )
    if not negative_values:
        raise UsageError(
            Problem(
                Msg(
                    "indiquez au moins une valeur négative",
                    "give at least one negative value",
                ),
                params=("negative_values",),
            )
        )
    if bootstrap < 0 or not 0 < level < 1:
        raise UsageError(
            Problem(
                Msg(
                    "le nombre de rééchantillonnages (bootstrap) doit être ≥ 0 et le niveau "
                    "entre 0 et 1",
                    "the number of bootstrap resamples must be ≥ 0 and the level between 0 and 1",
                ),
                params=("bootstrap", "level"),
            )
        )
    source = open_source(data)
    source.require([selection_col, outcome_col, *cols])
    frame = (
        source.frame
        if isinstance(source.frame, pl.DataFrame)
        else pl.concat([c for _, c in source.chunks([selection_col, outcome_col, *cols])])
    )
    is_random, positive = _check(
        frame, source.label, selection_col, random_value, outcome_col, negative_values
    )
    samples = {"random": is_random, "algorithm": ~is_random}
    overall: dict[str, Any] = {}
    for name, mask in samples.items():
        n_s, h_s = int(mask.sum()), int(positive[mask].sum())
        overall[f"n_{name}"] = n_s
        overall[f"hit_rate_{name}"] = ratio_or_none(h_s, n_s)
        overall[f"hits_{name}"] = h_s
        overall[f"hit_rate_{name}_ci"] = interval_or_none(h_s, n_s, level)
    overall["lift"] = (
        overall["hit_rate_algorithm"] / overall["hit_rate_random"]
        if overall["hit_rate_random"]
        else None
    )

    def lift_interval(codes: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
        return bootstrap_ratio(
            (codes[~is_random], positive[~is_random]),
            (codes[is_random], positive[is_random]),
            size,
            resamples=bootstrap,
            seed=seed,
            level=level,
        )

    whole = lift_interval(np.zeros(frame.height, np.int64), 1)
    overall["lift_ci"] = _interval(whole[0][0], whole[1][0]) if overall["lift"] else None
    columns: dict[str, _Column] = {}
    for col in cols:
        enc = GroupEncoder(col)
        codes = enc.encode(frame[col]).astype(np.int64)
        stats = {
            name: _sample_stats(codes[mask], positive[mask], enc.size)
            for name, mask in samples.items()
        }
        columns[col] = _Column(enc, codes, stats)
    hidden = _hidden(columns, overall, min_cell)
    tables: dict[str, GroupTable] = {}
    for col, column in columns.items():
        enc = column.encoder
        lift_ci = lift_interval(column.codes, enc.size)
        rows = []
        for code in enc.display_order():
            sizes = [int(column.stats[name]["rows"][code]) for name in SAMPLES]
            if not any(sizes):
                continue
            status = {name: hidden[name].get(((col,), (code,))) for name in SAMPLES}
            rows.append(_group_row(enc.labels[code], code, column, overall, lift_ci, status, level))
        tables[col] = GroupTable(col, (col,), rows)
    return SelectionAudit(
        overall=overall,
        groups=tables,
        bootstrap=bootstrap,
        seed=seed,
        min_cell=min_cell,
        level=level,
    )
