"""Attacks on the report: script through a column name or a group value, a javascript: source.

Each test replays an attack with a small input. The report must show the hostile text as
text, carry no attacker-made element or attribute, link only http(s) sources, carry its own
Content-Security-Policy, and run no script in a real browser — with the CSP, and also
without it (the escaping alone must hold).
"""

from __future__ import annotations

import copy
import re
import shutil
import time
from pathlib import Path

import html5lib
import polars as pl
import pytest

from lanterne.audit import audit_population
from lanterne.catalog import sample_path
from lanterne.htmlsafe import html_id, link_url
from lanterne.io.tables import read_table
from lanterne.model import load_model
from lanterne.provenance import Source
from lanterne.report import population_report, render_html, write_pdf
from lanterne.report.charts import bar_chart, line_chart
from lanterne.report.provenance_box import source_lines
from lanterne.report.render import CSP

pytestmark = pytest.mark.hostile  # an attack: `pytest -m hostile` runs them all

#: Column names as an attacker would write them in a CSV header or a Parquet schema.
COLUMN = 'c"><svg/onload=window.pwned=1>'
BACKSLASH_COLUMN = "b\\s$x$"
#: Group values: markup, mathtext that crashed Matplotlib, quotes and a backslash.
VALUES = (
    "<img src=x onerror=window.pwned=2>",
    "$\\frac{a}$",
    "a&b\"'<",
    "x\\y</title><script>window.pwned=4</script>",
)
JS_URL = "javascript:window.pwned=3"
ID = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*\Z")


@pytest.fixture(scope="module")
def hostile_data(tmp_path_factory) -> Path:
    frame = read_table(sample_path()).head(400)
    n = frame.height
    frame = frame.with_columns(
        pl.Series(COLUMN, [VALUES[i % 4] for i in range(n)]),
        pl.Series(BACKSLASH_COLUMN, [VALUES[(i + 1) % 4] for i in range(n)]),
    )
    path = tmp_path_factory.mktemp("hostile") / "households.parquet"
    frame.write_parquet(path)
    return path


@pytest.fixture(scope="module")
def model():
    """A catalog model whose spec also cites a source with a ``javascript:`` address."""
    model = copy.deepcopy(load_model("fr-cnaf-2014"))
    # built without validation: whatever the spec loader accepts, the report must not link it
    evil = Source.model_construct(
        id="evil",
        title="Evil",
        publisher=None,
        date=None,
        url=JS_URL,
        legal_reference=None,
        document=None,
        note=None,
    )
    model.spec.sources.append(evil)
    return model


@pytest.fixture(scope="module")
def html(model, hostile_data) -> str:
    audit = audit_population(
        model, hostile_data, group_cols=[COLUMN, BACKSLASH_COLUMN], keep_rows=True, min_cell=5
    )
    report = population_report([model], [audit], data=hostile_data, lang="en")
    return render_html(report)


def _elements(html: str):
    tree = html5lib.HTMLParser(namespaceHTMLElements=False).parse(html)
    return list(tree.iter())


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1]


def test_no_attacker_element_or_attribute(html):
    elements = _elements(html)
    tags = [_local(e.tag) for e in elements if isinstance(e.tag, str)]
    assert "script" not in tags
    assert tags.count("svg") == html.count('<svg role="img"')  # only the charts' own
    for element in elements:
        for name, value in element.attrib.items():
            name = _local(name)
            assert not name.lower().startswith("on"), (element.tag, name, value)
            if name == "id":
                assert ID.match(value), value
            if name in ("aria-labelledby", "aria-describedby"):
                assert all(ID.match(v) for v in value.split()), value
            if name == "href":
                assert value.startswith("#") or link_url(value) == value, value
    values = [v for e in elements for v in e.attrib.values() if isinstance(v, str)]
    assert not [v for v in values if re.search(r"on\w+=|[<>]", v)]  # no payload in any attribute


def test_hostile_text_is_shown_as_text(html):
    elements = _elements(html)
    texts = {"".join(e.itertext()).strip() for e in elements if _local(e.tag) in ("th", "td")}
    for value in VALUES:
        assert value in texts, value  # escaped, not dropped: the reader sees the real name
    titles = {"".join(e.itertext()) for e in elements if _local(e.tag) == "title"}
    assert any(COLUMN in t for t in titles)  # a chart title, as text
    # Matplotlib drew the labels literally (mathtext off) and escaped them in the SVG
    assert "$\\frac{a}$" in html and "&lt;img src=x onerror" in html


def test_csp_meta_is_first_in_head(html):
    tree = html5lib.HTMLParser(namespaceHTMLElements=False).parse(html)
    head = tree.find("head")
    assert [_local(e.tag) for e in head][:2] == ["meta", "meta"]
    assert head[0].attrib == {"charset": "utf-8"}
    assert head[1].attrib == {"http-equiv": "Content-Security-Policy", "content": CSP}
    policy = dict(p.strip().split(" ", 1) for p in CSP.split(";"))
    assert policy["default-src"] == "'none'" and policy["script-src"] == "'none'"
    assert policy["img-src"] == "data:" and "unsafe-eval" not in CSP


def test_javascript_source_is_text_not_link(html):
    elements = _elements(html)
    hrefs = [e.attrib.get("href", "") for e in elements if _local(e.tag) == "a"]
    assert not any("javascript" in h.lower() for h in hrefs)
    items = ["".join(e.itertext()) for e in elements if _local(e.tag) == "li"]
    assert any(JS_URL in text for text in items)  # still cited, as plain text
    assert any(h.startswith("https://") for h in hrefs)  # real sources stay links


def test_pdf_has_no_script_and_only_web_links(html, tmp_path):
    from pypdf import PdfReader

    reader = PdfReader(write_pdf(html, tmp_path / "r.pdf"))
    uris = []
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            action = annot.get_object().get("/A") or {}
            assert action.get("/S") in (None, "/URI", "/GoTo"), action
            if "/URI" in action:
                uris.append(str(action["/URI"]))
    assert "/JavaScript" not in reader.trailer["/Root"].get("/Names", {})
    assert uris and all(link_url(u) == u for u in uris), uris
    assert "$\\frac{a}$" in " ".join(page.extract_text() for page in reader.pages)


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html,<script>alert(1)</script>",
        "file:///etc/passwd",
        "//evil.example/x",
        "https://ok.example@evil.example/",
        "http:/x",
    ],
)
def test_only_web_addresses_are_linked(url):
    source = Source.model_construct(
        id="s",
        title="T",
        url=url,
        publisher=None,
        date=None,
        legal_reference=None,
        document=None,
        note=None,
    )
    assert source_lines([source], "fr")[0].url is None


def test_chart_ids_are_safe_and_distinct():
    names = [COLUMN, "sex", "sex ", "$\\frac{a}$", "é", "", "1abc", "a" * 300]
    ids = [html_id(n) for n in names]
    assert len(set(ids)) == len(ids)
    assert all(ID.match(i) for i in ids)
    assert html_id("sex") == "sex"  # plain names keep readable, stable anchors


def test_mathtext_and_backslashes_draw_as_text():
    labels = ["$\\frac{a}$", "\\", "x\\y", "$$", "50$ & 30$"]
    chart = bar_chart(
        f"{BACKSLASH_COLUMN}-rates",
        labels,
        [0.1, 0.2, 0.3, 0.4, 0.5],
        title="$\\frac{a}$",
        alt="",
        value_label="%",
    )
    for label in labels:
        escaped = label.replace("&", "&amp;")
        assert f">{escaped}</text>" in chart.svg or f">{escaped} " in chart.svg, label
    line = line_chart(
        "x\\1",
        ["1", "2"],
        {"$\\frac{a}$": [0.1, 0.2]},
        title="t",
        alt="",
        x_label="$x$",
        value_label="\\",
    )
    assert ID.match(line.id) and "$\\frac{a}$" in line.svg
    control = bar_chart("c", ["a\x01b", "\x00"], [0.1, 0.2], title="t", alt="", value_label="%")
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", control.svg)  # valid XML
    assert "a\ufffdb" in control.svg


# ----------------------------------------------------------------- a real browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")


@pytest.fixture(scope="module")
def browser():
    if not (CHROMIUM and DRIVER):
        pytest.skip("needs Debian chromium + chromium-driver (make system-deps)")
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    yield driver
    driver.quit()


def _ran(browser, path: Path) -> object:
    """Open ``path`` from disk; what the payloads set (``None``: nothing ran)."""
    browser.get(path.resolve().as_uri())
    time.sleep(0.3)  # onload/onerror handlers fire after load
    return browser.execute_script("return window.pwned === undefined ? null : window.pwned")


def test_no_script_runs_in_chromium(browser, html, model, hostile_data, tmp_path):
    control = tmp_path / "control.html"  # the check itself can fail: a live payload is seen
    control.write_text(f"<!DOCTYPE html><body>{VALUES[0]}</body>", encoding="utf-8")
    assert _ran(browser, control) == 2
    page = tmp_path / "report.html"
    page.write_text(html, encoding="utf-8")
    assert _ran(browser, page) is None
    assert browser.execute_script("return document.querySelectorAll('figure svg').length") > 0
    # the escaping alone holds: the same report without its CSP runs nothing either
    bare = tmp_path / "report-without-csp.html"
    bare.write_text(re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", html))
    assert "Content-Security-Policy" not in bare.read_text()
    assert _ran(browser, bare) is None
    # the CSP alone holds: a script planted into the report file does not run
    planted = tmp_path / "report-planted.html"
    planted.write_text(
        html.replace("<main>", "<main><script>window.pwned=5</script>" + VALUES[0], 1)
    )
    assert _ran(browser, planted) is None


def test_cli_report_from_a_hostile_csv_header(cli, tmp_path):
    """The same attack through a CSV header, end to end through ``lanterne report``."""
    column = "<svg onload=window.pwned=6>"
    frame = read_table(sample_path()).head(300)
    frame = frame.with_columns(pl.Series(column, [VALUES[i % 4] for i in range(frame.height)]))
    data = tmp_path / "households.csv"
    frame.write_csv(data)
    out = tmp_path / "r.html"
    result = cli(
        "report", "fr-cnaf-2014", data, "-g", column, "--min-cell", "5", "-o", out, "--lang", "en"
    )
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "<script" not in page and "<svg onload" not in page
    assert CSP.replace("'", "&#39;") in page
    elements = _elements(page)
    assert not [
        (e.tag, n) for e in elements for n in e.attrib if _local(n).lower().startswith("on")
    ]
    assert column in {"".join(e.itertext()) for e in elements if _local(e.tag) == "h2"} or any(
        column in "".join(e.itertext()) for e in elements if _local(e.tag) == "title"
    )
