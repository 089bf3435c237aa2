"""The audit example in the README is real output of the current code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lanterne.audit import audit_population
from lanterne.catalog import sample_path
from lanterne.model import TargetingRule

ROOT = Path(__file__).resolve().parents[1]


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
