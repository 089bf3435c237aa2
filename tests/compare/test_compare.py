"""Two models on a grid of profiles: the grid, the flips (against a plain loop), the CLI."""

from __future__ import annotations

import itertools
import json

import numpy as np
import polars as pl
import pytest

from lanterne.compare import ProfileGrid, compare_on_grid, default_grid
from lanterne.compare.grid import parse_value_options
from lanterne.errors import UsageError
from lanterne.explain.household import build_household
from lanterne.explain.shapes import ShapeView
from lanterne.model import load_model


@pytest.fixture(scope="module")
def pair():
    return load_model("fr-cnaf-2014"), load_model("fr-cnaf-dmde-2026")


def small_grid(models) -> ProfileGrid:
    """The union of both models' inputs: an archetype's values, and a few varied."""
    house = build_household(models[0], archetype="single-mother-rsa").values
    names = []
    for m in models:
        names += [n for n in m.used_variables if n not in names]
    fixed = {**{"avg_rsa_12m": 600.0, "avg_ppa_12m": 0.0, "avg_af_12m": 140.0}, **house}
    values = {n: [fixed.get(n, False)] for n in names}
    values["avg_cf_12m"] = [0.0]
    values["income_monthly"] = [0.0, 900.0, 2500.0]
    values["legal_guardian"] = [False, True]
    values["receives_rsa"] = [False, True]
    values["head_activity"] = ["employed", "unemployed"]
    return ProfileGrid(values, origin=None)


def test_grid_frame_is_every_combination_in_order() -> None:
    values = {"a": [0, 1], "b": ["x", "y", "z"], "c": [None, 2.5]}
    frame = ProfileGrid(values, origin=None).frame()
    expected = list(itertools.product(*values.values()))
    assert [tuple(r) for r in frame.iter_rows()] == expected


def test_flips_match_a_plain_loop(pair) -> None:
    first, second = pair
    grid = small_grid(pair)
    house = {n: v[0] for n, v in grid.values.items()}
    # a threshold between the two models' scores of some profile, so that flips exist
    probe = pl.DataFrame([house])
    cut = float(
        (first.scores(first.prepare(probe))[0] + second.scores(second.prepare(probe))[0]) / 2
    )
    result = compare_on_grid(first, second, grid, cut)
    up = down = 0
    per_value: dict[tuple[str, object], list[int]] = {}
    for combo in itertools.product(*grid.values.values()):
        row = pl.DataFrame([dict(zip(grid.values, combo, strict=True))])
        a = float(first.scores(first.prepare(row))[0]) >= cut
        b = float(second.scores(second.prepare(row))[0]) >= cut
        up += b and not a
        down += a and not b
        for name, value in zip(grid.values, combo, strict=True):
            cell = per_value.setdefault((name, value), [0, 0, 0])
            cell[0] += 1
            cell[1] += b and not a
            cell[2] += a and not b
    counts = result.counts()
    assert counts["profiles"] == grid.size == 24
    assert (counts["flip_up"], counts["flip_down"]) == (up, down)
    assert up + down > 0
    got = {(vc.variable, vc.value): [vc.n, vc.up, vc.down] for vc in result.by_value}
    assert got == per_value


def test_characteristic_values_are_over_represented(pair) -> None:
    first, second = pair
    grid = small_grid(pair)
    result = compare_on_grid(first, second, grid, 0.05)
    for direction in ("up", "down"):
        total = int(getattr(result, direction).sum())
        for vc in result.characteristic(direction):
            k = vc.up if direction == "up" else vc.down
            assert k / total > vc.n / result.n
        for vc in result.constant_values(direction):
            assert (vc.up if direction == "up" else vc.down) == total


def test_value_options_are_checked(pair) -> None:
    assert parse_value_options(["income_monthly=0; 1 200,5", "n_children=0,2"], pair) == {
        "income_monthly": [0.0, 1200.5],
        "n_children": [0, 2],
    }
    with pytest.raises(UsageError) as err:
        parse_value_options(["nope=1", "n_children=abc"], pair)
    assert len(err.value.problems) == 2


def test_default_grid_refuses_a_huge_grid(pair) -> None:
    with pytest.raises(UsageError, match="5000000"):
        default_grid(pair)  # every category of every variable: far too many combinations


def test_shape_view_bins_follow_digitize() -> None:
    """Bin i holds edges[i-1] <= x < edges[i], as numpy.digitize (right=False) says."""
    rng = np.random.default_rng(3)
    edges = tuple(sorted(rng.uniform(-50, 50, 9).round(2)))
    scores = tuple(rng.normal(size=10))
    view = ShapeView("x", "x", "continuous", edges, scores, {}, -9.0, "published", None)
    xs = np.concatenate([rng.uniform(-80, 80, 500), np.array(edges)])
    for x, i in zip(xs, np.digitize(xs, edges), strict=True):
        found = view.locate(float(x))
        assert found.score == scores[i]
        assert (found.low is None or found.low <= x) and (found.high is None or x < found.high)
    assert view.locate(None).score == -9.0


def test_cli_compare_json_and_html(cli, tmp_path) -> None:
    out, html = tmp_path / "c.json", tmp_path / "c.html"
    args = ["pl-profiling-2014", "pl-profiling-2014"]
    result = cli(
        "models",
        "compare",
        *args,
        "--value",
        "education=secondary",
        "--value",
        "registration_reason=find_job",
        "--json",
        out,
        "--html",
        html,
    )
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["grid"]["construction"] is True
    assert data["counts"]["flip_total"] == 0
    assert data["counts"]["profiles"] == 18432
    text = html.read_text(encoding="utf-8")
    assert "pas une population" in text


def test_cli_compare_needs_a_threshold_for_top_share_models(cli, tmp_path) -> None:
    out = tmp_path / "c.json"
    result = cli("models", "compare", "fr-cnaf-2014", "fr-cnaf-dmde-2026", "--json", out)
    assert result.exit_code == 2
    assert "--threshold" in result.output
    assert not out.exists()


def test_cli_report_shows_confusion_matrices(cli, tmp_path) -> None:
    counts = tmp_path / "counts.csv"
    counts.write_text(
        "variable,group,tn,fp,fn,tp\norigin,western,800,120,30,50\n"
        "origin,non_western,700,200,40,60\n",
        encoding="utf-8",
    )
    html = tmp_path / "r.html"
    from lanterne.catalog import sample_path

    result = cli(
        "report",
        "fr-cnaf-2014",
        sample_path(),
        "--compare",
        "fr-cnaf-dmde-2026",
        "--confusion",
        counts,
        "-o",
        html,
        "--min-cell",
        "0",
    )
    assert result.exit_code == 0, result.output
    text = html.read_text(encoding="utf-8")
    assert 'id="confusion"' in text
    # false positive rate of the non-western group: 200 / (200 + 700)
    assert "22,2" in text


def test_cli_compare_bad_inputs_are_located_errors(cli, tmp_path) -> None:
    out = tmp_path / "c.json"
    bad = tmp_path / "profiles.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    pair = ("nl-amsterdam-slimme-check-2022-prepilot", "nl-amsterdam-slimme-check-2022-reweighed")
    result = cli("models", "compare", *pair, "--grid", bad, "--json", out)
    assert result.exit_code == 2 and "profiles.csv" in result.output
    assert "has_partner" in result.output  # the missing columns are named
    result = cli("models", "compare", *pair, "--value", "has_partner=2", "--json", out)
    assert result.exit_code == 2 and "has_partner" in result.output
    result = cli("models", "compare", *pair, "--grid", bad, "--value", "has_partner=1")
    assert result.exit_code == 2 and "--grid" in result.output
    assert not out.exists()


def test_shape_chart_table_groups_long_shapes_with_exact_spans() -> None:
    from lanterne.report.shape_charts import shape_chart

    rng = np.random.default_rng(5)
    edges = tuple(float(e) for e in np.sort(rng.choice(np.arange(1000), 199, replace=False)))
    scores = tuple(float(s) for s in rng.normal(size=200))
    view = ShapeView("x", "x", "continuous", edges, scores, {}, None, "published", None)
    chart = shape_chart("x", {"A": view}, title="t", alt="a", x_label="x", lang="en")
    assert len(chart.rows) == 40
    total = 0
    for label, cell in chart.rows:
        k = int(label.rsplit("(", 1)[1].split()[0])
        group = scores[total : total + k]
        total += k
        low, high = f"{min(group):+.3f}", f"{max(group):+.3f}"
        expected = low if low == high else f"{low} … {high}"
        assert cell == expected.replace("-", "\u2212")
    assert total == 200
