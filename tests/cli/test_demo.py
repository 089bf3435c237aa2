"""`lanterne demo` (what `make demo` runs), on a small population to stay fast."""

from __future__ import annotations

import json
import re

import polars as pl
from pypdf import PdfReader

from lanterne.report.selfcontained import external_resources


def test_demo_generates_audits_and_reports(cli, tmp_path):
    result = cli(
        "demo", "--out", tmp_path, "--households", "20000", "--pdf", "--lang", "en",
        "--nonrecours-sample", "600",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    population = pl.read_parquet(tmp_path / "population.parquet")
    assert population.height == 20000
    for model_id in ("fr-cnaf-2014", "fr-cnaf-dmde-2026"):
        audit = json.loads((tmp_path / f"audit-{model_id}.json").read_text())
        assert audit["model"] == model_id and audit["n"] == 20000
        assert {"family_type", "sex", "nationality", "qpv"} <= set(audit["groups"])
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert external_resources(html) == []
    for section in (
        "summary", "provenance", "comparison", "archetypes", "nonrecours", "reproducibility",
    ):  # fmt: skip
        assert f'<section id="{section}"' in html
    nonrecours = json.loads((tmp_path / "nonrecours.json").read_text())
    assert nonrecours["totals"]["households"] == nonrecours["sample"]["sampled"] == 600
    assert nonrecours["sample"]["population"] == 20000 and nonrecours["sample"]["is_sample"]
    assert "random sample of 600 households out of 20,000" in html
    # the selection is the national one: the sample's rate is near the population's 5 %
    assert 0.01 < nonrecours["totals"]["selection_rate"] < 0.1
    assert "seed 2023" in html and "fr-caf-2023" in html
    assert (tmp_path / "report.pdf").stat().st_size > 10_000
    reader = PdfReader(tmp_path / "report.pdf")
    assert len(reader.pages) <= 25
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
    # no cut column: every group table (in the appendix) prints its last column's heading
    tables = html.split('<section id="appendix"')[1].count('<th scope="col">Median score</th>')
    assert tables >= 12 and text.count("Median score") >= tables
    # each source's address once: the citation's end is the link
    sources = re.findall(
        r"<li>(.*?)</li>", "".join(re.findall(r'<ol class="sources">.*?</ol>', html, re.S)), re.S
    )
    assert sources and all(
        len(re.findall(r"https?://", re.sub(r"<[^>]+>", "", s))) <= 1 for s in sources
    )
    assert text.count("https://") <= len(sources)
    assert str((tmp_path / "report.html").resolve()) in result.output.replace("\n", "")

    again = cli("demo", "--out", tmp_path, "--households", "20000", "--nonrecours-sample", "0")
    assert again.exit_code == 0, again.output
    assert "réutilisée" in again.output  # same size and seed: not generated twice


def test_demo_refuses_a_file_as_output_folder(cli, tmp_path):
    target = tmp_path / "file"
    target.write_text("x")
    result = cli("demo", "--out", target, "--households", "1000")
    assert result.exit_code == 2
    assert "--out" in result.output
