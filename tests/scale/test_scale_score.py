"""`lanterne score` partition by partition: a folder of Parquet files in, a folder out.

The reference is the ordinary in-memory scoring of the same rows (``Model.score``): the
scores, the selection (exact top-share threshold) and every input column must be equal.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from lanterne.errors import DataError
from lanterne.i18n import format_number
from lanterne.model import TargetingRule, load_model
from lanterne.population.generate import generate_frame
from lanterne.scale.score import score_dataset


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("in")
    frame = generate_frame(2400, seed=8)
    for i in range(3):
        frame.slice(i * 800, 800).write_parquet(out / f"m{i}.parquet", row_group_size=200)
    return out


def _reference(folder: Path, rule: TargetingRule) -> pl.DataFrame:
    return load_model("fr-cnaf-2014").score(pl.read_parquet(folder), targeting=rule)


@pytest.mark.parametrize("rule", [TargetingRule(top_share=0.05), TargetingRule(threshold=0.3)])
def test_partitioned_output_equals_in_memory_scoring(folder, tmp_path, rule) -> None:
    out = tmp_path / "scores"
    summary = score_dataset(load_model("fr-cnaf-2014"), folder, out, rule, batch_rows=300)
    parts = sorted(out.glob("*.parquet"))
    assert len(parts) == 6  # 3 files of 800 rows, in partitions of 2 row groups (400 rows)
    written = pl.read_parquet(parts)
    expected = _reference(folder, rule)
    assert written.equals(expected)
    assert summary.n_selected == expected["selected"].sum()
    assert summary.threshold == rule.threshold_for(expected["score"])
    assert abs(summary.mean - expected["score"].mean()) < 1e-12
    assert abs(summary.median - expected["score"].median()) < 1e-5
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no work folder


def test_one_file_outputs_and_cluster(folder, tmp_path) -> None:
    from distributed import Client, LocalCluster

    rule = TargetingRule(top_share=0.1)
    expected = _reference(folder, rule)
    model = load_model("fr-cnaf-2014")
    score_dataset(model, folder, tmp_path / "s.parquet", rule, batch_rows=500)
    assert pl.read_parquet(tmp_path / "s.parquet").equals(expected)
    score_dataset(model, folder, tmp_path / "s.csv", rule, batch_rows=500)
    csv = pl.read_csv(tmp_path / "s.csv")
    assert csv["score"].to_list() == pytest.approx(expected["score"].to_list(), abs=1e-15)
    assert csv["selected"].to_list() == expected["selected"].to_list()
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0") as cluster,
        Client(cluster) as client,
    ):
        score_dataset(model, folder, tmp_path / "c", rule, batch_rows=200, client=client)
    assert pl.read_parquet(sorted((tmp_path / "c").glob("*.parquet"))).equals(expected)


def test_bad_rows_leave_nothing_behind(folder, tmp_path) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    for p in folder.glob("*.parquet"):
        (bad / p.name).write_bytes(p.read_bytes())
    broken = pl.read_parquet(bad / "m2.parquet").with_columns(pl.lit(-5).alias("n_children"))
    broken.write_parquet(bad / "m2.parquet", row_group_size=200)
    out = tmp_path / "out" / "scores"
    out.parent.mkdir()
    with pytest.raises(DataError) as err:
        score_dataset(load_model("fr-cnaf-2014"), bad, out, TargetingRule(top_share=0.05))
    assert "1601" in err.value.render("en")  # the file's rows are named, from row 1601
    assert list(out.parent.iterdir()) == []


def test_cli_scores_a_folder_into_a_folder(cli, folder, tmp_path) -> None:
    result = cli("score", "fr-cnaf-2014", folder, "-o", tmp_path / "scores", "--top-share", "0.05")
    assert result.exit_code == 0, result.output
    written = pl.read_parquet(sorted((tmp_path / "scores").glob("*.parquet")))
    assert written.equals(_reference(folder, TargetingRule(top_share=0.05)))
    assert (
        f"{format_number(2400, lang='fr', digits=0)} foyers" in result.output
    )  # the French format
