"""`audit nonrecours --report`: the non-take-up section, through the report's rendering."""

from __future__ import annotations

import json

from lanterne.i18n import format_percent
from lanterne.population.generate import generate_frame
from lanterne.report.selfcontained import external_resources


def test_nonrecours_report(cli, tmp_path):
    population = tmp_path / "pop.parquet"
    generate_frame(600, seed=4).write_parquet(population)
    html, data = tmp_path / "nr.html", tmp_path / "nr.json"
    result = cli(
        "audit", "nonrecours", population, "-g", "family_type", "--model", "fr-cnaf-2014",
        "--min-cell", "5", "--json", data, "--report", html, "--lang", "en",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    page = html.read_text(encoding="utf-8")
    assert external_resources(page) == []
    assert '<section id="nonrecours"' in page and 'id="nonrecours-family_type"' in page
    assert "Single-parent family" in page  # groups named with the model's category labels
    audit = json.loads(data.read_text())
    for row in audit["groups"]:
        if row["nonrecours_rate"] is not None:
            assert format_percent(row["nonrecours_rate"], "en") in page
    assert format_percent(audit["totals"]["nonrecours_rate"], "en") in page
    assert "OpenFisca-France" in page


def test_nonrecours_report_needs_an_html_name(cli, tmp_path):
    result = cli("audit", "nonrecours", tmp_path / "x.parquet", "--report", tmp_path / "r.txt")
    assert result.exit_code == 2 and "--report" in result.output
