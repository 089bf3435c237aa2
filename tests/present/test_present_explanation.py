"""One explanation, three renderers: the terminal (``lanterne explain``), the "My score" web
page and the Markdown download show the same table for every kind of model in the catalog.

Each renderer's table is read back from its own output (Rich box drawing, HTML, Markdown),
compared cell by cell with the others, and its numbers are checked against the Python API
and added up: a renderer that drifts from the others (a header, the starting row's label, a
rounding) fails here.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient

from lanterne.catalog import sample_path
from lanterne.explain import build_household, explain_household
from lanterne.explain.sentences import signed
from lanterne.model import load_model
from lanterne.provenance import status_label
from lanterne.web import create_app
from lanterne.web.score import _defaults, form_fields

#: One model of each kind in the catalog, with an archetype of its own set.
KINDS = {
    "logistic": ("fr-cnaf-2014", "single-mother-rsa"),
    "scorecard": ("pl-profiling-2014", "rural-mother"),
    "trees": ("nl-rotterdam-2017", "mother-learning-dutch"),
    "additive": ("nl-amsterdam-slimme-check-2022-prepilot", "part-time-worker"),
}
#: What each kind's weight column and starting row are called (fr, en).
EXPECTED = {
    "logistic": (("Poids", "Weight"), ("Constante", "Intercept")),
    "scorecard": (("Poids", "Weight"), ("Constante", "Intercept")),
    "trees": (("Divisions", "Splits"), ("Valeur moyenne (départ)", "Average value (start)")),
    "additive": (("Classe", "Bin"), ("Constante", "Intercept")),
}


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(population=sample_path()))


def _clean(text: str) -> str:
    return re.sub(r"[ \t\n]+", " ", text).strip()


def cli_table(output: str) -> list[list[str]]:
    """The rows of the first Rich table of ``output`` (header first), wrapped cells joined."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("┏"))
    rows: list[list[str]] = []
    for line in lines[start + 1 :]:
        if line.startswith("└"):
            break
        if line[0] not in "│┃":
            continue
        cells = [c.strip() for c in line[1:-1].split(line[0])]
        # a body row starts where the contribution column is filled; other lines continue it
        header = line[0] == "┃"
        if not rows or (not header and len(rows) == 1) or (not header and cells[3]):
            rows.append(cells)
        else:
            rows[-1] = [f"{a} {b}".strip() for a, b in zip(rows[-1], cells, strict=True)]
    return [[_clean(c) for c in row] for row in rows]


class _Tables(HTMLParser):
    """Every table of a page: rows of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th") and self.tables:
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.cell is not None:
            self.tables[-1][-1].append(_clean("".join(self.cell)))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def web_table(html: str, headers: list[str]) -> list[list[str]]:
    parser = _Tables()
    parser.feed(html)
    return next(t for t in parser.tables if t and t[0] == headers)


def markdown_table(text: str) -> list[list[str]]:
    lines = text.split("\n## ", 2)[1].splitlines()  # the section "What makes up the score"
    rows = [line for line in lines if line.startswith("|") and not line.startswith("|---")]
    return [[_clean(c.replace("**", "")) for c in row.strip("|").split(" | ")] for row in rows]


def _number(text: str) -> float:
    text = text.replace("\u2212", "-").replace("\u202f", "").replace(",", ".")
    return float(text) if text else 0.0


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("kind", list(KINDS))
def test_terminal_page_and_download_show_the_same_table(
    cli, client, monkeypatch, kind, lang
) -> None:
    monkeypatch.setenv("COLUMNS", "250")  # the terminal's table on one line per row
    model_id, archetype = KINDS[kind]
    model = load_model(model_id)
    assert model.kind == kind
    exp = explain_household(model, build_household(model, archetype=archetype))

    result = cli("--lang", lang, "explain", model_id, "--archetype", archetype)
    assert result.exit_code == 0, result.output
    terminal = cli_table(result.stdout)

    form = {"model": model_id}
    form |= {f.name: f.value for f in form_fields(model, _defaults(model, archetype), lang)}
    page = client.post(f"/score?lang={lang}", data=form)
    assert page.status_code == 200, page.text[:500]
    download = client.post(
        f"/score/download?lang={lang}", data=form | {"download": "explanation.txt"}
    )
    assert download.status_code == 200
    markdown = markdown_table(download.content.decode())
    web = web_table(page.text, terminal[0])

    # the same headers, starting row, rows and total, cell by cell
    assert terminal == web == markdown
    heading, base = EXPECTED[kind]
    pick = 0 if lang == "fr" else 1
    assert terminal[0][2] == heading[pick]
    assert terminal[1][0] == base[pick]

    # the numbers are the Python API's, and the rows add up to the total
    rows, total = terminal[2:-1], terminal[-1]
    assert terminal[1][3] == signed(exp.base, lang, 3)
    assert terminal[1][4] == status_label(exp.base_status, lang)
    assert len(rows) == len(exp.contributions)
    for row, c in zip(rows, exp.contributions, strict=True):
        assert row[3] == signed(c.contribution, lang, 3), row
        assert row[4] == status_label(c.status, lang)
    assert total[3] == signed(exp.margin, lang, 3)
    assert total[4] == ("✓" if exp.additive else "≈")
    added = _number(terminal[1][3]) + sum(_number(r[3]) for r in rows)
    assert added == pytest.approx(_number(total[3]), abs=0.0005 * (len(rows) + 2))


def test_terminal_and_page_list_the_same_changes(cli, client, monkeypatch) -> None:
    """``--counterfactual`` and the page's search show the same sets, said the same way."""
    import polars as pl

    from lanterne.io.tables import read_table
    from lanterne.web import score

    monkeypatch.setenv("COLUMNS", "250")
    monkeypatch.setattr(score, "SEARCH_BUDGET", score.Budget(seconds=60.0))
    model = load_model("fr-cnaf-2014")
    row = read_table(sample_path()).filter(pl.col("household_id") == "360")  # selected
    values = {k: str(v) for k, v in row.select(model.used_variables).row(0, named=True).items()}
    sets = [a for k, v in values.items() for a in ("--set", f"{k}={v}")]
    result = cli(
        "--lang",
        "en",
        "explain",
        model.id,
        *sets,
        "--population",
        sample_path(),
        "--counterfactual",
    )
    assert result.exit_code == 0, result.output
    terminal = re.findall(r"^\d+\. (.+)$", result.stdout, flags=re.M)

    page = client.post("/score/search?lang=en", data={"model": model.id, **values}).text
    listed = re.findall(r'<ol class="changes">(.*?)</ol>', page, flags=re.S)[0]
    web = []
    for changes, new_score in re.findall(
        r"<li><ul>(.*?)</ul>\s*<p class=\"help\">new score: (.*?)</p></li>", listed, re.S
    ):
        items = [_clean(re.sub(r"<[^>]+>", "", c)) for c in re.findall(r"<li>(.*?)</li>", changes)]
        web.append(f"{'; '.join(items)} → score {new_score}")
    assert terminal  # the comparison below means something
    assert [_clean(t) for t in terminal] == [html.unescape(w) for w in web]
