"""The audit example in the README is real output of the current code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lanterne.audit import audit_population
from lanterne.catalog import sample_path
from lanterne.model import TargetingRule

ROOT = Path(__file__).resolve().parents[2]


def readme_rows(lang_marker: str) -> dict[str, list[str]]:
    """The table rows of the README's audit example after ``lang_marker``."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text[text.index(lang_marker) :]
    block = block[: block.index("```", block.index("```text") + 7)]
    rows = {}
    for line in block.splitlines():
        if line.startswith("│"):
            cells = [c.strip() for c in line.strip("│").split("│")]
            rows[cells[0]] = cells[1:]
    return rows


@pytest.mark.parametrize(
    ("marker", "decimal"), [("### Auditer : qui est ciblé ?", ","), ("### Auditing:", ".")]
)
def test_readme_audit_example_matches_the_api(marker: str, decimal: str) -> None:
    audit = audit_population(
        "fr-cnaf-2014",
        sample_path(),
        group_cols=["family_type"],
        targeting=TargetingRule(top_share=0.05),
    )
    rows = readme_rows(marker)
    assert set(rows) == {r["group"] for r in audit.groups["family_type"]}
    for row in audit.groups["family_type"]:
        n, pop, mean, median, sel, of_sel, repr_, impact = rows[row["group"]]

        def shown(value: float | None, digits: int) -> str:
            return "—" if value is None else f"{value:.{digits}f}".replace(".", decimal)

        assert int(n) == row["n"]
        assert pop == shown(100 * row["share_population"], 1)
        assert mean == shown(row["mean_score"], 3)
        assert median == shown(row["median_score"], 3)
        assert sel == shown(100 * row["selection_rate"], 1)
        assert of_sel == shown(100 * row["share_selected"], 1)
        assert repr_ == shown(row["representation_ratio"], 2)
        assert impact == shown(row["disparate_impact"], 2)
    assert re.search(r"\(docs/audit\.md\)", (ROOT / "README.md").read_text(encoding="utf-8"))


def test_python_api_example_in_docs_runs(tmp_path, monkeypatch) -> None:
    """The ``Python API`` block of docs/audit.md runs on real files of the same names."""
    import polars as pl
    from openpyxl import Workbook

    text = (ROOT / "docs" / "audit.md").read_text(encoding="utf-8")
    code = re.findall(r"```python\n(.*?)```", text, flags=re.S)[0]
    pl.read_csv(sample_path(), infer_schema_length=None).write_parquet(
        tmp_path / "households.parquet"
    )
    pl.DataFrame(
        {
            "origin": ["random", "algo"] * 30,
            "result": ["none", "overpaid", "none"] * 20,
            "sex": ["female"] * 30 + ["male"] * 30,
        }
    ).write_csv(tmp_path / "inspections.csv")
    book = Workbook()
    sheet = book.active
    sheet.title = "2023"
    for row in [["sex", "tn", "fp", "fn", "tp"], ["female", 50, 5, 3, 9], ["male", 40, 2, 1, 4]]:
        sheet.append(row)
    book.save(tmp_path / "counts.xlsx")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(code, "docs/audit.md", "exec"), namespace)
    audit, sel, conf = namespace["audit"], namespace["sel"], namespace["conf"]
    assert "sex × family_type" in audit.groups
    assert (tmp_path / "audit.json").exists()
    assert {"overall", "groups"} <= set(sel.to_dict())
    assert [r["sex"] for r in conf.to_dict()["rows"]] == ["female", "male"]
