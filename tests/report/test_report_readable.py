"""A report a journalist reads in ten seconds: key findings first, honest charts, French numbers.

The chart checker (:mod:`lanterne.report.chartcheck`) is hooked into every chart a report
draws; the locale scan reads a French report and a French CLI run for English-style numbers.
"""

from __future__ import annotations

import html as htmllib
import math
import re
import shlex
import shutil

import matplotlib.pyplot as plt
import pytest
from matplotlib.patches import Rectangle
from matplotlib.ticker import FixedLocator, PercentFormatter

from lanterne.audit import audit_population
from lanterne.audit.defaults import default_group_cols
from lanterne.catalog import sample_path
from lanterne.model import TargetingRule, load_model
from lanterne.population.archetypes import load_archetypes
from lanterne.report import charts, population_report, render_html
from lanterne.report.chartcheck import check_figure, parse_label
from lanterne.report.findings import findings
from lanterne.web.audit import reproduce_command

GROUPS = ["family_type", "sex", "age_band", "nationality"]


@pytest.fixture(scope="module")
def drawn():
    """Every chart of a two-model French and English report, checked before it is saved."""
    problems: list[str] = []
    figures: list[plt.Figure] = []

    def hook(fig):
        problems.extend(check_figure(fig))
        figures.append(fig)

    models = [load_model("fr-cnaf-2014"), load_model("fr-cnaf-dmde-2026")]
    rule = TargetingRule(top_share=0.2)  # enough selected households for findings
    audits = [
        audit_population(
            m, sample_path(), group_cols=GROUPS, keep_rows=True, min_cell=5, targeting=rule
        )
        for m in models
    ]
    charts.on_figure = hook
    try:
        reports = {
            lang: population_report(
                models,
                audits,
                data=sample_path(),
                lang=lang,
                archetypes=load_archetypes("fr-households"),
                command="lanterne x",
            )
            for lang in ("fr", "en")
        }
    finally:
        charts.on_figure = None
    return {"problems": problems, "figures": len(figures), "reports": reports, "audits": audits}


def test_every_chart_passes_the_checker(drawn):
    assert drawn["figures"] >= 2 * 2 * len(GROUPS) * 4  # both languages, every chart
    assert drawn["problems"] == []


def test_checker_catches_the_old_faults():
    """Overlapping labels, a "2 %" tick at 2.5 %, 7 px text on a phone: each is reported."""
    fig, ax = plt.subplots(figsize=(6.4, 3))
    ax.set_xlim(0, 0.1)
    ax.xaxis.set_major_locator(FixedLocator([0, 0.025, 0.05, 0.075, 0.1]))
    ax.xaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    ax.text(0.5, 0.5, "0.2×", transform=ax.transAxes, fontsize=10)
    ax.text(0.52, 0.5, "0.25×", transform=ax.transAxes, fontsize=10)
    problems = check_figure(fig)
    plt.close(fig)
    assert any(p.startswith("overlapping text") for p in problems)
    assert any(p.startswith("tick label '2%'") for p in problems)
    assert any(p.startswith("tick label '8%'") for p in problems)
    assert any("px on a phone" in p for p in problems)


@pytest.mark.parametrize(
    ("label", "value"),
    [
        ("25,6\u00a0%", 0.256),
        ("2\u202f474", 2474),
        ("0,069", 0.069),
        ("2,474", 2474),
        ("25.6%", 0.256),
        ("0,5×", 0.5),
        ("−1", -1),
        ("Femme", None),
    ],
)
def test_parse_label(label, value):
    assert parse_label(label) == (pytest.approx(value) if value is not None else None)


def test_ratio_bars_start_at_one_on_a_log_axis():
    captured = []
    charts.on_figure = captured.append
    try:
        charts.bar_chart(
            "r",
            ["a", "b", "c"],
            [0.51, 0.88, 2.5],
            title="t",
            alt="a",
            value_label="v",
            percent=False,
            log=True,
            lang="fr",
        )
    finally:
        charts.on_figure = None
    ax = captured[0].axes[0]
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert ax.get_xscale() == "log"
    # every bar runs from 1× to its value (a width of value - 1 from a left edge of 1)
    ends = sorted(round(b.get_x() + b.get_width(), 6) for b in bars)
    assert ends == [0.51, 0.88, 2.5]
    assert all(b.get_x() == 1 for b in bars)
    assert {t.get_text() for t in ax.texts} >= {"0,51×", "0,88×", "2,50×"}
    low, high = ax.get_xlim()
    assert (
        low < 0.51
        and high > 2.5
        and math.isclose(ax.xaxis.get_major_locator()().tolist().count(1.0), 1)
    )
    plt.close(captured[0])


def test_empty_decile_is_a_gap_with_a_note_not_a_dip():
    captured = []
    charts.on_figure = captured.append
    try:
        charts.line_chart(
            "d",
            [str(i) for i in range(1, 11)],
            {"g": [0.1] * 8 + [0.0, 0.2]},
            title="t",
            alt="a",
            x_label="x",
            value_label="y",
            shaded=[9],
            shaded_label="vide : scores égaux",
            lang="fr",
        )
    finally:
        charts.on_figure = None
    ax = captured[0].axes[0]
    ys = ax.lines[0].get_ydata()
    assert math.isnan(ys[8]) and ys[9] == 0.2
    assert "vide : scores égaux" in [t.get_text() for t in ax.texts]
    plt.close(captured[0])


def test_findings_need_twenty_selected_households():
    """A group's 100 % of 2 selected is not a finding; the same shares on 200 are."""
    f = {"group": "f", "share_population": 0.6, "share_selected": 1.0}
    m = {"group": "m", "share_population": 0.4, "share_selected": 0.0}
    rows = {"sex": [{**f, "representation_ratio": 1 / 0.6}, {**m, "representation_ratio": 0.0}]}
    assert findings({"groups": rows, "n_selected": 2}) == []
    kept = findings({"groups": rows, "n_selected": 200})
    assert [f.group for f in kept] == ["f", "m"] or [f.group for f in kept] == ["f"]
    # the interval: a Wilson interval on 200 of 200, divided by the population share
    assert kept[0].low == pytest.approx((1 - 1.96**2 / (200 + 1.96**2)) / 0.6, rel=1e-3)
    unsupported = findings({"groups": rows, "n_selected": 2}, keep_unsupported=True)
    assert unsupported and not any(f.supported for f in unsupported)
    assert findings({"groups": rows, "n_selected": 10}, min_selected=5)


def test_key_findings_first_and_sorted_by_distance_from_one(drawn):
    report = drawn["reports"]["en"]
    key = report.summary.key
    assert 3 <= len(key) <= 5
    ratios = []
    for sentence in key:
        match = re.search(r", ([0-9.]+) times (less than )?their share", sentence)
        assert match, sentence
        ratios.append(float(match[1]))
    assert ratios == sorted(ratios, reverse=True)  # each as "n times" more or less
    html = render_html(report)
    assert html.index('class="key"') < html.index('class="toc"') < html.index('id="provenance"')
    assert html.count('class="warning"') == 1  # one merged notice, two illustrative models


def test_small_sample_report_says_the_data_cannot_support_it():
    model = load_model("fr-cnaf-2014")  # selects 6 of the sample's 400 households
    audit = audit_population(model, sample_path(), group_cols=["family_type"], min_cell=1)
    report = population_report([model], [audit], data=None, lang="fr", command="x")
    assert not any("fois leur part" in s for s in report.summary.key)
    assert "ne permettent pas de conclure" in report.summary.unsupported[0]
    assert "moins de 20 foyers" in report.summary.unsupported[0].lower()


def test_default_groups_put_family_situation_first():
    model = load_model("fr-cnaf-2014")
    cols = default_group_cols([model], ["disability", "sex", "family_type", "income"])
    assert cols[:2] == ["family_type", "sex"] and "income" not in cols


ENGLISH_STYLE = {
    "decimal point": re.compile(r"(?<![\w.])\d+\.\d+(?![\w.])"),
    "comma thousands": re.compile(r"(?<![\d,])[1-9]\d{0,2}(,\d{3})+(?![\d,])"),
    "percent without space": re.compile(r"\d%"),
    "percent with a breaking space": re.compile(r"\d %"),
    "other thousands space": re.compile(r"(?<!\d)\d{1,3}[ \u00a0]\d{3}(?!\d)"),
}


def english_numbers(text: str) -> list[str]:
    """English-style numbers in a French text (with the kind of each)."""
    return [
        f"{kind}: {m[0]!r} in …{text[max(0, m.start() - 30) : m.end() + 10]}…"
        for kind, pattern in ENGLISH_STYLE.items()
        for m in pattern.finditer(text)
    ]


def visible_text(html: str, version: str) -> str:
    """What a reader sees: text, chart labels, tables; not code, styles or checksums."""
    html = re.sub(r"<(style|pre|code|title)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<a [^>]*>https?://[^<]*</a>", " ", html)  # addresses
    text = htmllib.unescape(re.sub(r"<[^>]+>", " ", html))
    return text.replace(version, "")


def test_french_report_has_no_english_numbers(drawn):
    report = drawn["reports"]["fr"]
    found = english_numbers(visible_text(render_html(report), report.repro.version))
    assert found == []


def test_the_scan_catches_english_numbers():
    found = english_numbers("25.64% des foyers, 2,474 sur 200 000, 3 %")
    assert [f.split(":")[0] for f in found] == list(ENGLISH_STYLE)


def test_french_cli_run_has_no_english_numbers(cli, tmp_path):
    out = tmp_path / "r.html"
    result = cli("report", "fr-cnaf-2014", sample_path(), "-o", out)
    assert result.exit_code == 0, result.output
    scored = cli("score", "fr-cnaf-2014", sample_path(), "-o", tmp_path / "s.csv")
    assert scored.exit_code == 0, scored.output
    text = (result.output + scored.output).replace(str(tmp_path), "")
    assert "foyers" in text
    assert english_numbers(text) == []


def _key_and_appendix(html: str) -> tuple[str, str]:
    key = re.search(r'<ol class="key">.*?</ol>', html, flags=re.S)
    appendix = re.search(r'<section id="appendix".*?</section>', html, flags=re.S)
    assert key and appendix
    return key[0], appendix[0]


def test_the_reports_command_reproduces_it(cli, tmp_path, monkeypatch):
    """The command printed at the end of a CLI report, run as written, makes the same report."""
    monkeypatch.chdir(tmp_path)
    shutil.copy(sample_path(), tmp_path / "households.csv")
    first = cli("report", "fr-cnaf-2014", "households.csv", "-g", "family_type", "-o", "a.html")
    assert first.exit_code == 0, first.output
    html = (tmp_path / "a.html").read_text(encoding="utf-8")
    command = htmllib.unescape(re.search(r"<pre><code>(.*?)</code></pre>", html, re.S)[1])
    args = shlex.split(command)
    assert args[:2] == ["lanterne", "report"]
    (tmp_path / "a.html").unlink()
    again = cli(*args[1:])
    assert again.exit_code == 0, again.output
    assert (tmp_path / "a.html").read_text(encoding="utf-8") == html


def test_the_web_reports_command_reproduces_it(cli, tmp_path, monkeypatch):
    """The web audit page's report ends with a `lanterne report` line giving the same figures."""
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "mon fichier.csv"
    shutil.copy(sample_path(), path)
    model = load_model("fr-cnaf-2014")
    groups = ["family_type", "sex"]
    command = reproduce_command([model.id], path.name, groups, "fr")
    audit = audit_population(model, path, group_cols=groups, keep_rows=True)  # as the page does
    web = render_html(population_report([model], [audit], data=path, lang="fr", command=command))
    shown = htmllib.unescape(re.search(r"<pre><code>(.*?)</code></pre>", web, re.S)[1])
    assert shown == command
    args = shlex.split(command)
    assert args[:2] == ["lanterne", "report"]
    result = cli(*args[1:])
    assert result.exit_code == 0, result.output
    again = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert _key_and_appendix(again) == _key_and_appendix(web)


def test_no_rank_correlation_over_fewer_than_five_groups():
    """+1.00 over 3 groups happens by chance one time in six: not stated."""
    import polars as pl

    from lanterne.rights.audit import MIN_RANKED_GROUPS, compare_rankings

    def table(k):
        return pl.DataFrame(
            {
                "g": [str(i) for i in range(k)],
                "households": [100] * k,
                "selection_rate": [0.01 * (i + 1) for i in range(k)],
                "nonrecours_rate": [0.1 * (i + 1) for i in range(k)],
            }
        )

    few = compare_rankings(table(3), ["g"])
    assert few.correlation is None and "rank correlation" in few.sentence.render("en")
    enough = compare_rankings(table(MIN_RANKED_GROUPS), ["g"])
    assert enough.correlation == pytest.approx(1.0)


def test_the_web_selection_reports_command_reproduces_it(cli, tmp_path, monkeypatch):
    """A random-baseline report made on the web page ends with a `lanterne audit selection`
    line that, run as written, gives the same figures."""
    import numpy as np
    import polars as pl
    from fastapi.testclient import TestClient

    from lanterne.web import create_app

    monkeypatch.chdir(tmp_path)
    rng = np.random.default_rng(3)
    n = 2_000
    frame = pl.DataFrame(
        {
            "mode": rng.choice(["random", "algo"], n),
            "outcome": rng.choice(["none", "overpayment"], n, p=[0.7, 0.3]),
            "sex": rng.choice(["female", "male"], n),
        }
    )
    frame.write_csv(tmp_path / "controls.csv")
    client = TestClient(create_app(population_rows=1_000))
    fields = {
        "kind": "selection",
        "groups": "sex",
        "action": "view",
        "selection_col": "mode",
        "random_value": "random",
        "outcome_col": "outcome",
        "negative_values": "none",
    }
    page = client.post(
        "/audit?lang=fr", data=fields, files={"file": ("controls.csv", frame.write_csv().encode())}
    ).text
    command = htmllib.unescape(re.search(r"<pre><code>(.*?)</code></pre>", page, re.S)[1])
    args = shlex.split(command)
    assert args[:3] == ["lanterne", "audit", "selection"]
    result = cli(*args[1:])
    assert result.exit_code == 0, result.output
    again = (tmp_path / "report.html").read_text(encoding="utf-8")
    tables = re.findall(r"<tbody>.*?</tbody>", page, re.S)
    assert tables and tables == re.findall(r"<tbody>.*?</tbody>", again, re.S)[: len(tables)]


def test_min_selected_is_an_option(cli, tmp_path):
    """80 households selected support findings at the default 20, none when 100 are asked."""
    strict, lax = tmp_path / "strict.html", tmp_path / "lax.html"
    args = ("report", "fr-cnaf-2014", sample_path(), "-g", "family_type", "--top-share", "0.2")
    assert cli(*args, "--lang", "en", "-o", strict, "--min-selected", "100").exit_code == 0
    assert cli(*args, "--lang", "en", "-o", lax).exit_code == 0
    key = re.compile(r'<ol class="key">(.*?)</ol>', re.S)
    assert "times" not in key.search(strict.read_text(encoding="utf-8"))[1]
    assert "times" in key.search(lax.read_text(encoding="utf-8"))[1]


def test_random_baseline_and_web_archetype_charts_pass_the_checker(tmp_path):
    import numpy as np
    import polars as pl

    from lanterne.audit import audit_selection
    from lanterne.io.tables import read_table
    from lanterne.report import selection_report
    from lanterne.web.archetypes import _table

    problems: list[str] = []
    drawn: list[int] = []

    def hook(fig):
        drawn.append(1)
        problems.extend(check_figure(fig))

    charts.on_figure = hook
    try:
        model = load_model("fr-cnaf-2014")
        scores = model.scores(model.prepare(read_table(sample_path()))).to_numpy()
        for lang in ("fr", "en"):
            _table(-1, model, lang, scores)  # a key no page uses: drawn, not cached before
        rng = np.random.default_rng(3)
        n = 2_000
        frame = pl.DataFrame(
            {
                "mode": rng.choice(["random", "algo"], n),
                "outcome": rng.choice(["none", "overpayment"], n, p=[0.7, 0.3]),
                "family_type": rng.choice(["single", "couple", "single_parent"], n),
            }
        )
        frame.write_csv(tmp_path / "controls.csv")
        audit = audit_selection(
            tmp_path / "controls.csv",
            selection_col="mode",
            random_value="random",
            outcome_col="outcome",
            negative_values=["none"],
            group_cols=["family_type"],
            bootstrap=50,
        )
        for lang in ("fr", "en"):
            selection_report(audit, data=None, lang=lang, models=[model])
    finally:
        charts.on_figure = None
    assert len(drawn) == 2 + 2 * 2  # two archetype charts, two charts per report
    assert problems == []


def _tables(html: str) -> list[str]:
    """Every table of a report, as its text with the spacing folded."""
    tables = re.findall(r"<table.*?</table>", html, flags=re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", t).split()) for t in tables]


def test_the_web_nonrecours_reports_command_reproduces_it(cli, tmp_path, monkeypatch):
    """A non-take-up report made on the web page ends with a `lanterne audit nonrecours`
    line that, run as written, gives the same tables."""
    from fastapi.testclient import TestClient

    from lanterne.web import create_app

    monkeypatch.chdir(tmp_path)
    shutil.copy(sample_path(), tmp_path / "households.csv")
    client = TestClient(create_app(population_rows=1_000))
    fields = {
        "kind": "nonrecours",
        "groups": "family_type",
        "action": "view",
        "nonrecours_model": "fr-cnaf-2014",
        "month": "2025-06",
    }
    data = (tmp_path / "households.csv").read_bytes()
    page = client.post("/audit?lang=fr", data=fields, files={"file": ("households.csv", data)})
    assert page.status_code == 200, page.text[-2000:]
    command = htmllib.unescape(re.search(r"<pre><code>(.*?)</code></pre>", page.text, re.S)[1])
    args = shlex.split(command)
    assert args[:3] == ["lanterne", "audit", "nonrecours"]
    assert "--month" in args and "2025-06" in args
    result = cli(*args[1:])
    assert result.exit_code == 0, result.output
    again = (tmp_path / "report.html").read_text(encoding="utf-8")
    web_tables, cli_tables = _tables(page.text), _tables(again)
    assert web_tables and web_tables == cli_tables
