"""Confusion-matrix audit: error rates per group from published counts.

Agencies sometimes disclose only, for each group, how many cases were true negatives
(``tn``), false positives (``fp``), false negatives (``fn``) and true positives (``tp``).
:func:`read_counts` reads such a table from CSV or Excel — *wide* (group columns plus
``tn``, ``fp``, ``fn``, ``tp``, in any letter case) or *long* (group columns plus a column
naming the count and a column holding it) — and :func:`audit_confusion` derives every
error rate. A rate whose denominator is zero is ``None``, never an error.

Each row's share of false positives is taken *within its group column*: among the rows
sharing the same values of every group column but the last (so a table with columns
``variable, group`` shares within each ``variable``, and a table with a single group column
shares over all rows); ``within=[...]`` chooses other columns.

Example:
    >>> import polars as pl
    >>> counts = pl.DataFrame({"sex": ["f", "m"], "TN": [80, 90], "FP": [20, 10],
    ...                        "FN": [5, 0], "TP": [15, 0]})
    >>> audit = audit_confusion(counts, min_cell=0)
    >>> row = audit.rows[0]
    >>> row["sex"], row["fpr"], row["share_of_false_positives"]
    ('f', 0.2, 0.6666666666666666)
    >>> audit.rows[1]["tpr"] is None     # no positive case among men: rate undefined
    True
"""

from __future__ import annotations

import os
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import polars as pl

from lanterne.audit.groups import MISSING
from lanterne.audit.results import AuditResult, ratio_or_none
from lanterne.audit.suppression import check_min_cell, hide_row, suppress
from lanterne.defaults import DEFAULT_MIN_CELL
from lanterne.errors import DataError, Problem, UsageError, name_list, short_name
from lanterne.i18n import Msg
from lanterne.io.frames import TableLike, as_polars, is_table
from lanterne.io.tables import read_table

COUNTS = ("tn", "fp", "fn", "tp")
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"}
#: Other names accepted for the four counts (compared in lower case).
ALIASES = {
    "true_negative": "tn",
    "true_negatives": "tn",
    "false_positive": "fp",
    "false_positives": "fp",
    "false_negative": "fn",
    "false_negatives": "fn",
    "true_positive": "tp",
    "true_positives": "tp",
    "vn": "tn",
    "vp": "tp",
}
RATES = (
    "tpr",
    "tnr",
    "fpr",
    "fnr",
    "ppv",
    "npv",
    "fdr",
    "for",
    "prevalence",
    "predicted_positive_rate",
    "error_rate",
    "accuracy",
    "share_of_false_positives",
)
#: Every figure of a hidden row: its counts and the rates made from them.
HIDDEN = ("n", *COUNTS, *RATES)


def _count_name(name: str) -> str | None:
    low = name.strip().lower().replace(" ", "_").replace("-", "_")
    return low if low in COUNTS else ALIASES.get(low)


def _read_any(path: Path, sheet: str | None) -> pl.DataFrame:
    if path.suffix.lower() in EXCEL_SUFFIXES:
        if not path.exists():
            raise DataError(Problem(Msg("fichier introuvable", "file not found"), file=str(path)))
        try:
            return pl.read_excel(path, engine="calamine", sheet_name=sheet, infer_schema_length=0)
        except Exception as exc:  # calamine and fastexcel raise many kinds of errors
            raise DataError(
                Problem(
                    Msg(
                        "lecture du classeur impossible : {e}",
                        "cannot read the workbook: {e}",
                        e=str(exc).splitlines()[0] if str(exc) else type(exc).__name__,
                    ),
                    file=str(path),
                )
            ) from None
    if sheet is not None:
        raise UsageError(
            Problem(
                Msg(
                    "une feuille ne se choisit que dans un classeur Excel ou ODS",
                    "a sheet can only be chosen in an Excel or ODS workbook",
                ),
                params=("sheet",),
            )
        )
    return read_table(path)


def _numbers(frame: pl.DataFrame, name: str, label: str | None) -> tuple[pl.Series, list[Problem]]:
    """A count column as Int64, with a problem for each kind of bad value."""
    column = frame[name]
    if column.dtype == pl.String:
        text = column.str.strip_chars().str.replace_all(r"[\s\u00a0\u202f]", "")
        text = text.str.replace(r"^(-?\d*),(\d+)$", "${1}.${2}")
        values = text.replace("", None).cast(pl.Float64, strict=False)
    elif column.dtype.is_numeric():
        values = column.cast(pl.Float64)
    else:
        values = pl.Series(name, [None] * column.len(), dtype=pl.Float64)
    problems = []
    checks = [
        (
            values.is_null() | values.is_nan().fill_null(False),
            Msg("pas un nombre", "not a number"),
        ),
        ((values < 0).fill_null(False), Msg("nombre négatif", "negative number")),
        (
            (values != values.floor()).fill_null(False) & values.is_not_nan().fill_null(False),
            Msg("pas un nombre entier", "not a whole number"),
        ),
    ]
    for mask, what in checks:
        if mask.any():
            rows = (mask.arg_true().head(5) + 1).to_list()
            shown = ", ".join(short_name(repr(v)) for v in column.filter(mask).head(3).to_list())
            problems.append(
                Problem(
                    Msg(
                        "colonne « {c} » : {what} (lignes {rows} ; valeurs : {vals})",
                        "column '{c}': {what} (rows {rows}; values: {vals})",
                        c=name,
                        what=what,
                        rows=", ".join(map(str, rows)),
                        vals=shown,
                    ),
                    file=label,
                )
            )
    return values.fill_nan(None).cast(pl.Int64, strict=False), problems


class LayoutError(DataError):
    """The table's layout was not recognised. Its problem's ``params`` name the parameters
    of :func:`read_counts` that would tell it (``long``, ``metric_col``, ``value_col``): the
    message speaks of the table, a front end says how its user sets them."""


def _from_long(
    frame: pl.DataFrame, metric_col: str | None, value_col: str | None, label: str | None
) -> tuple[pl.DataFrame, list[str]]:
    lower = {c.strip().lower(): c for c in frame.columns}
    metric = metric_col or lower.get("metric")
    value = value_col or lower.get("value")
    missing = [
        want
        for want, got in (("metric", metric), ("value", value))
        if got is None or got not in frame.columns
    ]
    if missing:
        raise LayoutError(
            Problem(
                Msg(
                    "forme longue : colonne(s) {m} introuvable(s) (colonnes présentes : {a}) ; "
                    "nommez la colonne de la mesure et celle de la valeur",
                    "long form: column(s) {m} not found (columns present: {a}); "
                    "name the column of the metric and the column of the value",
                    m=name_list(missing),
                    a=name_list(frame.columns),
                ),
                file=label,
                params=("metric_col", "value_col"),
            )
        )
    assert metric is not None and value is not None
    groups = [c for c in frame.columns if c not in (metric, value)]
    names = (
        frame[metric]
        .cast(pl.String)
        .map_elements(lambda v: _count_name(v) or "", return_dtype=pl.String)
    )
    unknown = names == ""
    if unknown.any():
        bad = frame[metric].filter(unknown).unique(maintain_order=True).head(5).to_list()
        raise DataError(
            Problem(
                Msg(
                    "colonne « {c} » : noms de comptes inconnus {v} (attendu : tn, fp, fn, tp)",
                    "column '{c}': unknown count names {v} (expected: tn, fp, fn, tp)",
                    c=metric,
                    v=", ".join(repr(b) for b in bad),
                ),
                file=label,
            )
        )
    tidy = frame.with_columns(names.alias("__count"))
    keys = [pl.col(g).cast(pl.String).fill_null(MISSING) for g in groups]
    tidy = tidy.with_columns(keys) if groups else tidy
    dupes = tidy.group_by([*groups, "__count"]).len().filter(pl.col("len") > 1)
    if dupes.height:
        first = dupes.row(0, named=True)
        raise DataError(
            Problem(
                Msg(
                    "le compte « {k} » apparaît {n} fois pour le groupe {g}",
                    "the count '{k}' appears {n} times for the group {g}",
                    k=first["__count"],
                    n=first["len"],
                    g=" / ".join(str(first[g]) for g in groups) or "-",
                ),
                file=label,
            )
        )
    if groups:
        wide = tidy.pivot(
            on="__count",
            index=groups,
            values=value,
            aggregate_function=None,
            maintain_order=True,
        )
    else:
        wide = pl.DataFrame({r["__count"]: [r[value]] for r in tidy.iter_rows(named=True)})
    absent = [c for c in COUNTS if c not in wide.columns]
    incomplete = (
        wide.select(pl.any_horizontal(pl.col(c).is_null() for c in COUNTS if c in wide.columns))
        .to_series()
        .any()
    )
    if absent or incomplete:
        raise DataError(
            Problem(
                Msg(
                    "forme longue : chaque groupe doit avoir ses quatre comptes tn, fp, fn, tp "
                    "(manquant : {m})",
                    "long form: every group needs its four counts tn, fp, fn, tp (missing: {m})",
                    m=", ".join(absent) or Msg("certains groupes", "some groups"),
                ),
                file=label,
            )
        )
    return wide.select([*groups, *COUNTS]), groups


def read_counts(
    counts: TableLike | str | os.PathLike[str],
    *,
    long: bool = False,
    metric_col: str | None = None,
    value_col: str | None = None,
    sheet: str | None = None,
) -> tuple[pl.DataFrame, list[str]]:
    """``(table, group columns)``: one row per group with Int64 ``tn fp fn tp`` columns.

    >>> table, groups = read_counts(pl.DataFrame({"g": ["a", "a", "a", "a"],
    ...     "metric": ["TN", "FP", "FN", "TP"], "value": ["5", "1", "0", "2"]}), long=True)
    >>> groups, table.row(0)
    (['g'], ('a', 5, 1, 0, 2))
    """
    if is_table(counts):
        label, frame = None, as_polars(counts)
    else:
        path = Path(cast("str | os.PathLike[str]", counts))
        label, frame = str(counts), _read_any(path, sheet)
    if frame.height == 0:
        raise DataError(Problem(Msg("le tableau est vide", "the table is empty"), file=label))
    if long:
        frame, groups = _from_long(frame, metric_col, value_col, label)
    else:
        found: dict[str, str] = {}
        for col in frame.columns:
            name = _count_name(col)
            if name is not None and name not in found:
                found[name] = col
        missing = [c for c in COUNTS if c not in found]
        if missing:
            raise LayoutError(
                Problem(
                    Msg(
                        "colonne(s) de comptes manquante(s) : {m} (colonnes présentes : {a}) ; "
                        "un tableau en forme longue (une ligne par compte) se lit comme tel",
                        "missing count column(s): {m} (columns present: {a}); a table in "
                        "long form (one row per count) is read as such",
                        m=name_list(missing),
                        a=name_list(frame.columns),
                    ),
                    file=label,
                    params=("long",),
                )
            )
        groups = [c for c in frame.columns if c not in found.values()]
        frame = frame.rename({v: k for k, v in found.items() if v != k}).select([*groups, *COUNTS])
    problems: list[Problem] = []
    converted = []
    for name in COUNTS:
        values, found_problems = _numbers(frame, name, label)
        problems.extend(found_problems)
        converted.append(values.alias(name))
    if problems:
        raise DataError(problems)
    keys = [frame[g].cast(pl.String).fill_null(MISSING).alias(g) for g in groups]
    return pl.DataFrame([*keys, *converted]), groups


@dataclass
class ConfusionAudit(AuditResult):
    """Result of :func:`audit_confusion`: one row per input row, rates added."""

    group_cols: list[str]
    rows: list[dict[str, Any]]
    min_cell: int
    within: list[str]

    def by_group(self) -> pl.DataFrame:
        return pl.DataFrame(self.rows, infer_schema_length=None)

    def to_dict(self) -> dict[str, Any]:
        out = {
            "rows": self.rows,
            "group_cols": self.group_cols,
            "share_within": self.within,
            "min_cell": self.min_cell,
        }
        out.update(self.extras)
        return out


def rates(tn: int, fp: int, fn: int, tp: int) -> dict[str, float | None]:
    """Every rate of one confusion matrix (``None`` for a zero denominator).

    >>> rates(50, 10, 5, 35)["ppv"]
    0.7777777777777778
    """
    n = tn + fp + fn + tp
    return {
        "tpr": ratio_or_none(tp, tp + fn),
        "tnr": ratio_or_none(tn, tn + fp),
        "fpr": ratio_or_none(fp, fp + tn),
        "fnr": ratio_or_none(fn, fn + tp),
        "ppv": ratio_or_none(tp, tp + fp),
        "npv": ratio_or_none(tn, tn + fn),
        "fdr": ratio_or_none(fp, fp + tp),
        "for": ratio_or_none(fn, fn + tn),
        "prevalence": ratio_or_none(tp + fn, n),
        "predicted_positive_rate": ratio_or_none(tp + fp, n),
        "error_rate": ratio_or_none(fp + fn, n),
        "accuracy": ratio_or_none(tp + tn, n),
    }


def audit_confusion(
    counts: TableLike | str | os.PathLike[str],
    *,
    long: bool = False,
    metric_col: str | None = None,
    value_col: str | None = None,
    sheet: str | None = None,
    within: Sequence[str] | None = None,
    min_cell: int = DEFAULT_MIN_CELL,
) -> ConfusionAudit:
    """Error rates of each row of a table of confusion-matrix counts (see module doc)."""
    min_cell = check_min_cell(min_cell)
    table, groups = read_counts(
        counts, long=long, metric_col=metric_col, value_col=value_col, sheet=sheet
    )
    if within is None:
        within = groups[:-1]
    within = list(within)
    unknown = [w for w in within if w not in groups]
    if unknown:
        raise UsageError(
            Problem(
                Msg(
                    "pas une colonne de groupe : les taux ne peuvent pas y être comparés "
                    "(colonnes de groupe : {g})",
                    "not a group column: rates cannot be compared within it (group columns: {g})",
                    g=", ".join(groups) or "-",
                ),
                path=", ".join(unknown),
                params=("within",),
            )
        )
    fp_total = table.group_by(within, maintain_order=True).agg(pl.col("fp").sum().alias("__fp"))
    if within:
        table = table.join(fp_total, on=within, how="left", maintain_order="left")
    else:
        table = table.with_columns(pl.lit(int(table["fp"].sum())).alias("__fp"))
    rows = []
    blocks: dict[tuple[Any, ...], list[int]] = {}
    for i, record in enumerate(table.iter_rows(named=True)):
        tn, fp, fn, tp = (int(record[c]) for c in COUNTS)
        n = tn + fp + fn + tp
        row: dict[str, Any] = {g: record[g] for g in groups}
        row.update({"n": n, "tn": tn, "fp": fp, "fn": fn, "tp": tp})
        row.update(rates(tn, fp, fn, tp))
        row["share_of_false_positives"] = ratio_or_none(fp, int(record["__fp"]))
        rows.append(row)
        blocks.setdefault(tuple(record[w] for w in within), []).append(i)
    # the shares of false positives publish each block's total: rows of a block add up to it
    sizes: dict[Any, int] = {("row", i): r["n"] for i, r in enumerate(rows)}
    relations = []
    for key, members in blocks.items():
        sizes[("block", key)] = sum(rows[i]["n"] for i in members)
        relations.append((("block", key), [("row", i) for i in members]))
    published = {k for k in sizes if k[0] == "block"}
    fps: dict[Hashable, float] = {("row", i): r["fp"] for i, r in enumerate(rows)}
    fps.update({b: sum(fps[m] for m in members) for b, members in relations})
    hidden = suppress(sizes, relations, min_cell=min_cell, published=published, counts=[fps])
    for i, row in enumerate(rows):
        hide_row(row, hidden.get(("row", i)), HIDDEN)
    return ConfusionAudit(group_cols=groups, rows=rows, min_cell=min_cell, within=within)
