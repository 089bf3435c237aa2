"""Confusion-matrix audit: rates by hand and with fairlearn, wide/long, CSV/Excel, errors."""

from __future__ import annotations

import json

import numpy as np
import polars as pl
import pytest
from fairlearn.metrics import (
    MetricFrame,
    false_negative_rate,
    false_positive_rate,
    selection_rate,
    true_negative_rate,
    true_positive_rate,
)
from sklearn.metrics import precision_score

from lanterne.audit import audit_confusion, read_counts
from lanterne.errors import DataError

COUNTS = pl.DataFrame(
    {
        "variable": ["sex", "sex", "family", "family", "family"],
        "group": ["female", "male", "single", "couple", "single_parent"],
        "TN": [800, 900, 500, 700, 300],
        "Fp": [120, 60, 50, 30, 100],
        "fn": [30, 40, 20, 30, 20],
        "TP": [50, 0, 30, 40, 30],
    }
)
RATE_KEYS = {
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
    "share_of_false_positives",
}


def expand(tn: int, fp: int, fn: int, tp: int) -> tuple[np.ndarray, np.ndarray]:
    """Individual cases from counts, to compute rates with fairlearn and scikit-learn."""
    y_true = np.array([0] * tn + [0] * fp + [1] * fn + [1] * tp)
    y_pred = np.array([0] * tn + [1] * fp + [0] * fn + [1] * tp)
    return y_true, y_pred


def test_rates_match_fairlearn_metricframe() -> None:
    audit = audit_confusion(COUNTS, min_cell=0)
    truths, preds, groups = [], [], []
    for row in COUNTS.iter_rows(named=True):
        t, p = expand(row["TN"], row["Fp"], row["fn"], row["TP"])
        truths.append(t)
        preds.append(p)
        groups += [f"{row['variable']}={row['group']}"] * t.size
    frame = MetricFrame(
        metrics={
            "tpr": true_positive_rate,
            "tnr": true_negative_rate,
            "fpr": false_positive_rate,
            "fnr": false_negative_rate,
            "predicted_positive_rate": selection_rate,
        },
        y_true=np.concatenate(truths),
        y_pred=np.concatenate(preds),
        sensitive_features=np.array(groups),
    )
    for row in audit.rows:
        key = f"{row['variable']}={row['group']}"
        for metric in ("tpr", "tnr", "fpr", "fnr", "predicted_positive_rate"):
            expected = frame.by_group.loc[key, metric]
            if row[metric] is None:
                assert row["tp"] + row["fn"] == 0 and metric in ("tpr", "fnr")
            else:
                assert row[metric] == pytest.approx(expected), (key, metric)
        t, p = expand(row["tn"], row["fp"], row["fn"], row["tp"])
        assert row["ppv"] == pytest.approx(precision_score(t, p, zero_division=np.nan))


def test_rates_by_hand_and_share_of_false_positives_within_variable() -> None:
    audit = audit_confusion(COUNTS, min_cell=0)
    female = audit.rows[0]
    assert (female["n"], female["tn"], female["fp"], female["fn"], female["tp"]) == (
        1000,
        800,
        120,
        30,
        50,
    )
    assert female["npv"] == pytest.approx(800 / 830)
    assert female["fdr"] == pytest.approx(120 / 170)
    assert female["for"] == pytest.approx(30 / 830)
    assert female["prevalence"] == pytest.approx(80 / 1000)
    assert female["error_rate"] == pytest.approx(150 / 1000)
    assert female["share_of_false_positives"] == pytest.approx(120 / 180)  # within "sex"
    single_parent = audit.rows[4]
    assert single_parent["share_of_false_positives"] == pytest.approx(100 / 180)
    male = audit.rows[1]
    assert male["ppv"] == 0.0 and male["tpr"] == 0.0
    everywhere = audit_confusion(COUNTS, min_cell=0, within=[])
    assert everywhere.rows[0]["share_of_false_positives"] == pytest.approx(120 / 360)


def test_zero_denominators_give_null_not_errors() -> None:
    audit = audit_confusion(
        pl.DataFrame({"g": ["x"], "tn": [50], "fp": [0], "fn": [0], "tp": [0]}), min_cell=0
    )
    row = audit.rows[0]
    assert row["tpr"] is None and row["ppv"] is None and row["fdr"] is None
    assert row["fnr"] is None and row["share_of_false_positives"] is None
    assert row["tnr"] == 1.0 and row["error_rate"] == 0.0
    doc = json.loads(audit.to_json())
    assert doc["rows"][0]["tpr"] is None


def test_long_form_csv_and_excel_give_the_same_result(tmp_path) -> None:
    long = COUNTS.unpivot(index=["variable", "group"], variable_name="metric", value_name="value")
    csv = tmp_path / "long.csv"
    long.with_columns(pl.col("value").cast(pl.String)).write_csv(csv, separator=";")
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "counts"
    sheet.append(COUNTS.columns)
    for row in COUNTS.iter_rows():
        sheet.append(list(row))
    book.create_sheet("other").append(["nothing"])
    xlsx = tmp_path / "wide.xlsx"
    book.save(xlsx)
    wide = audit_confusion(COUNTS, min_cell=0).rows
    assert audit_confusion(csv, long=True, min_cell=0).rows == wide
    assert audit_confusion(xlsx, sheet="counts", min_cell=0).rows == wide


def test_small_cells_are_suppressed() -> None:
    counts = {"tn": [3, 50, 40], "fp": [1, 5, 5], "fn": [1, 5, 5], "tp": [2, 40, 10]}
    audit = audit_confusion(pl.DataFrame({"g": ["a", "b", "c"], **counts}))
    small, big, other = audit.rows
    assert small["suppression"] == "primary" and small["fpr"] is None
    # the shares of false positives publish the total of fp: "c" is hidden with "a"
    assert other["suppression"] == "secondary"
    for row in (small, other):
        assert row["suppressed"] is True
        hidden = ("n", "tn", "fp", "fn", "tp", "share_of_false_positives")
        assert all(row[k] is None for k in hidden)
    assert big["suppressed"] is False and big["fpr"] == pytest.approx(5 / 55)


def test_bad_counts_are_located(tmp_path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("group,tn,fp,fn,tp\na,10,x,1,2\nb,5,-1,0,1.5\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        audit_confusion(bad)
    text = err.value.render("en")
    assert "column 'fp': not a number (rows 1; values: 'x')" in text
    assert "column 'fp': negative number (rows 2" in text
    assert "column 'tp': not a whole number (rows 2" in text
    missing = tmp_path / "missing.csv"
    missing.write_text("group,tn,fp,tp\na,1,2,3\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        audit_confusion(missing)
    assert "missing count column(s): fn" in err.value.render("en")
    long = pl.DataFrame({"g": ["a", "a", "a"], "metric": ["tn", "fp", "fn"], "value": [1, 2, 3]})
    with pytest.raises(DataError) as err:
        read_counts(long, long=True)
    assert "tp" in err.value.render("en")
    with pytest.raises(DataError):
        audit_confusion(tmp_path / "none.xlsx")


def test_layout_errors_name_columns_in_the_library_and_options_in_the_cli(tmp_path, cli) -> None:
    from lanterne.audit.confusion import LayoutError, read_counts

    path = tmp_path / "long.csv"
    path.write_text("group,what,count\na,tp,3\na,fp,2\n", encoding="utf-8")
    for kwargs, flags in (({"long": True}, "(--metric-col --value-col)"), ({}, "(--long)")):
        with pytest.raises(LayoutError) as info:
            read_counts(path, **kwargs)
        said = info.value.render("en")
        assert "--" not in said and "columns present: group, what, count" in said
        result = cli("--lang", "en", "audit", "confusion", path, *(["--long"] if kwargs else []))
        assert result.exit_code == 2
        assert said in " ".join(result.stderr.split()).replace(" " + flags, "")
        assert flags in result.stderr
