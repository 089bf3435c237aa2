"""``lanterne score`` end to end: outputs, errors, exit codes, nothing half-written."""

from __future__ import annotations

import polars as pl
from tests.conftest import MINIMAL_SPEC

from lanterne.catalog import sample_path


def test_score_writes_parquet_with_all_inputs(cli, tmp_path) -> None:
    out = tmp_path / "out.parquet"
    result = cli("score", "fr-cnaf-2014", sample_path(), "-o", out)
    assert result.exit_code == 0, result.output
    scored = pl.read_parquet(out)
    source = pl.read_csv(sample_path())
    assert scored.height == source.height
    assert set(source.columns) <= set(scored.columns)
    assert {"score", "selected"} <= set(scored.columns)
    assert "foyers notés" in result.stdout
    assert list(tmp_path.iterdir()) == [out]  # no temporary file left


def test_score_to_csv_in_english_with_top_share(cli, tmp_path) -> None:
    out = tmp_path / "out.csv"
    result = cli(
        "score", "fr-cnaf-dmde-2026", sample_path(), "-o", out, "--top-share", "0.1", "--lang", "en"
    )
    assert result.exit_code == 0, result.output
    scored = pl.read_csv(out)
    assert 0.09 <= scored["selected"].mean() <= 0.12
    assert "households scored" in result.stdout


def test_bad_data_exits_2_and_leaves_no_file(cli, tmp_path) -> None:
    bad = tmp_path / "bad.csv"
    pl.read_csv(sample_path(), infer_schema=False).with_columns(
        pl.when(pl.int_range(pl.len()) == 3)
        .then(pl.lit("lots"))
        .otherwise(pl.col("income_monthly"))
        .alias("income_monthly")
    ).drop("receives_rsa").write_csv(bad)
    out = tmp_path / "out.parquet"
    result = cli("--lang", "en", "score", "fr-cnaf-2014", bad, "-o", out)
    assert result.exit_code == 2
    assert "missing column(s): receives_rsa" in result.stderr
    assert "column 'income_monthly': row 4 do not hold a number (values: 'lots')" in result.stderr
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv"]


def test_bad_spec_exits_2(cli, tmp_path, write_spec) -> None:
    spec = write_spec(MINIMAL_SPEC.replace("kind: logistic", "kind: magic"))
    out = tmp_path / "out.parquet"
    result = cli("score", spec, sample_path(), "-o", out)
    assert result.exit_code == 2
    assert "spec.yaml:" in result.stderr
    assert not out.exists()


def test_unknown_model_and_missing_data(cli, tmp_path) -> None:
    result = cli("--lang", "en", "score", "no-such-model", sample_path(), "-o", tmp_path / "o.csv")
    assert result.exit_code == 2
    assert "fr-cnaf-2014" in result.stderr  # lists what is available
    result = cli(
        "--lang", "en", "score", "fr-cnaf-2014", tmp_path / "none.csv", "-o", tmp_path / "o.csv"
    )
    assert result.exit_code == 2
    assert "file not found" in result.stderr


def test_bad_output_format_and_conflicting_rules(cli, tmp_path) -> None:
    result = cli("--lang", "en", "score", "fr-cnaf-2014", sample_path(), "-o", tmp_path / "o.xlsx")
    assert result.exit_code == 2
    assert "unrecognised format" in result.stderr
    result = cli(
        "score",
        "fr-cnaf-2014",
        sample_path(),
        "-o",
        tmp_path / "o.csv",
        "--top-share",
        "0.1",
        "--threshold",
        "0.5",
    )
    assert result.exit_code == 2


def test_usage_error_exit_code(cli) -> None:
    assert cli("score").exit_code == 2
    assert cli("--lang", "de", "models").exit_code == 2


def test_models_list_and_show(cli) -> None:
    result = cli("models")
    assert result.exit_code == 0
    assert "fr-cnaf-2014" in result.stdout and "fr-cnaf-dmde-2026" in result.stdout
    result = cli("--lang", "en", "models", "show", "fr-cnaf-2014")
    assert result.exit_code == 0
    assert "illustrative" in result.stdout
    assert "laquadrature.net" in result.stdout
    assert "sensitive" in result.stdout


def test_version_and_help(cli) -> None:
    assert cli("--version").stdout.startswith("lanterne ")
    assert cli("--help").exit_code == 0
