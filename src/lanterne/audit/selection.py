"""Random-baseline audit: what does the algorithm's selection find, and for whom?

Some agencies inspect a random sample alongside the cases their algorithm picks (the
Swedish social insurance agency, the French family-benefits agency's yearly random
survey). The random sample shows how often errors really occur in each group; the
algorithm's sample shows whom it sends inspectors to and how often they find something.
:func:`audit_selection` puts the two side by side, group by group, with a bootstrap
confidence interval on the algorithm's hit rate (see :mod:`lanterne.audit.bootstrap`).

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

from lanterne.audit.bootstrap import bootstrap_rates
from lanterne.audit.chunks import open_source
from lanterne.audit.groups import GroupEncoder
from lanterne.audit.results import AuditResult, GroupTable, ratio_or_none, tables_to_json
from lanterne.audit.suppression import DEFAULT_MIN_CELL, check_min_cell, is_small
from lanterne.audit.values import matches, present_values
from lanterne.errors import DataError, Problem, UsageError
from lanterne.i18n import Msg

RANDOM_FIELDS = (
    "share_random",
    "hit_rate_random",
    "share_of_random_hits",
    "hits_random",
    "hit_rate_random_ci",
)
ALGORITHM_FIELDS = (
    "share_algorithm",
    "hit_rate_algorithm",
    "share_of_algorithm_hits",
    "hits_algorithm",
    "hit_rate_algorithm_ci",
)
BOTH_FIELDS = ("lift", "representation_ratio")


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
        problems.append(
            Problem(
                Msg(
                    "colonne « {c} » : la valeur « {v} » (échantillon aléatoire) n'apparaît "
                    "jamais ; valeurs présentes : {vals}",
                    "column '{c}': the value '{v}' (random sample) never occurs; "
                    "values present: {vals}",
                    c=selection_col,
                    v=random_value,
                    vals=present_values(frame[selection_col]),
                ),
                file=label,
            )
        )
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
            problems.append(
                Problem(
                    Msg(
                        "colonne « {c} » : la valeur négative « {v} » n'apparaît jamais ; "
                        "valeurs présentes : {vals}",
                        "column '{c}': the negative value '{v}' never occurs; values "
                        "present: {vals}",
                        c=outcome_col,
                        v=value,
                        vals=present_values(frame[outcome_col]),
                    ),
                    file=label,
                )
            )
        negatives = negatives | found
    if problems:
        raise DataError(problems)
    positive = (~negatives) & frame[outcome_col].is_not_null()
    return is_random.to_numpy(), positive.to_numpy()


def _sample_stats(
    codes: np.ndarray,
    hits: np.ndarray,
    n_groups: int,
    resamples: int,
    seed: int | None,
    level: float,
) -> dict[str, np.ndarray]:
    rows = np.bincount(codes, minlength=n_groups)
    positives = np.bincount(codes[hits], minlength=n_groups)
    low, high = bootstrap_rates(codes, hits, n_groups, resamples=resamples, seed=seed, level=level)
    return {"rows": rows, "positives": positives, "low": low, "high": high}


def _interval(low: float, high: float) -> list[float] | None:
    if np.isnan(low) or np.isnan(high):
        return None
    return [float(low), float(high)]


def audit_selection(
    data: pl.DataFrame | str | os.PathLike[str],
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

    Rows whose ``selection_col`` equals ``random_value`` form the random sample; the others,
    the algorithm's. Rows whose ``outcome_col`` equals one of ``negative_values`` found no
    error (negatives); any other outcome is a positive (a "hit").
    ``bootstrap`` resamples give the ``level`` percentile interval of each hit rate
    (0 resamples: no interval).
    """
    min_cell = check_min_cell(min_cell)
    if isinstance(group_cols, str):
        group_cols = [group_cols]
    cols = list(dict.fromkeys(group_cols))
    if isinstance(negative_values, str):
        negative_values = [negative_values]
    if not cols:
        raise UsageError(
            Msg("indiquez au moins une colonne de groupe", "give at least one group column")
        )
    if not negative_values:
        raise UsageError(
            Msg(
                "indiquez au moins une valeur négative (--negative-value)",
                "give at least one negative value (--negative-value)",
            )
        )
    if bootstrap < 0 or not 0 < level < 1:
        raise UsageError(
            Msg(
                "--bootstrap doit être ≥ 0 et le niveau entre 0 et 1",
                "--bootstrap must be ≥ 0 and the level between 0 and 1",
            )
        )
    source = open_source(data)
    source.require([selection_col, outcome_col, *cols])
    frame = (
        source.frame
        if source.frame is not None
        else pl.concat([c for _, c in source.chunks([selection_col, outcome_col, *cols])])
    )
    is_random, positive = _check(
        frame, source.label, selection_col, random_value, outcome_col, negative_values
    )
    algorithm = ~is_random
    samples = {"random": is_random, "algorithm": algorithm}
    overall: dict[str, Any] = {}
    for name, mask in samples.items():
        stats = _sample_stats(
            np.zeros(int(mask.sum()), np.int64), positive[mask], 1, bootstrap, seed, level
        )
        overall[f"n_{name}"] = int(stats["rows"][0])
        overall[f"hit_rate_{name}"] = ratio_or_none(stats["positives"][0], stats["rows"][0])
        overall[f"hits_{name}"] = int(stats["positives"][0])
        overall[f"hit_rate_{name}_ci"] = _interval(stats["low"][0], stats["high"][0])
    overall["lift"] = (
        overall["hit_rate_algorithm"] / overall["hit_rate_random"]
        if overall["hit_rate_random"]
        else None
    )
    tables: dict[str, GroupTable] = {}
    for col in cols:
        enc = GroupEncoder(col)
        codes = enc.encode(frame[col]).astype(np.int64)
        size = enc.size
        per = {
            name: _sample_stats(codes[mask], positive[mask], size, bootstrap, seed, level)
            for name, mask in samples.items()
        }
        rows = []
        for code in enc.display_order():
            r, a = per["random"], per["algorithm"]
            n_r, n_a = int(r["rows"][code]), int(a["rows"][code])
            if n_r == 0 and n_a == 0:
                continue
            h_r, h_a = int(r["positives"][code]), int(a["positives"][code])
            row: dict[str, Any] = {
                "group": enc.labels[code],
                "n_random": n_r,
                "n_algorithm": n_a,
                "share_random": ratio_or_none(n_r, overall["n_random"]),
                "share_algorithm": ratio_or_none(n_a, overall["n_algorithm"]),
                "hit_rate_random": ratio_or_none(h_r, n_r),
                "hit_rate_algorithm": ratio_or_none(h_a, n_a),
                "share_of_random_hits": ratio_or_none(h_r, overall["hits_random"]),
                "share_of_algorithm_hits": ratio_or_none(h_a, overall["hits_algorithm"]),
                "hit_rate_algorithm_ci": _interval(a["low"][code], a["high"][code]),
                "hit_rate_random_ci": _interval(r["low"][code], r["high"][code]),
                "hits_random": h_r,
                "hits_algorithm": h_a,
            }
            row["lift"] = (
                row["hit_rate_algorithm"] / row["hit_rate_random"]
                if row["hit_rate_random"] and row["hit_rate_algorithm"] is not None
                else None
            )
            row["representation_ratio"] = (
                row["share_algorithm"] / row["share_random"]
                if row["share_random"] and row["share_algorithm"] is not None
                else None
            )
            small_r, small_a = is_small(n_r, min_cell), is_small(n_a, min_cell)
            if small_r:
                row.update(dict.fromkeys(RANDOM_FIELDS))
            if small_a:
                row.update(dict.fromkeys(ALGORITHM_FIELDS))
            if small_r or small_a:
                row.update(dict.fromkeys(BOTH_FIELDS))
            row["suppressed_random"] = small_r
            row["suppressed_algorithm"] = small_a
            row["suppressed"] = small_r or small_a
            rows.append(row)
        tables[col] = GroupTable(col, (col,), rows)
    return SelectionAudit(
        overall=overall,
        groups=tables,
        bootstrap=bootstrap,
        seed=seed,
        min_cell=min_cell,
        level=level,
    )
