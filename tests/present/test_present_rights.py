"""The rights answer is one object: the command line, its JSON and the web page agree."""

from __future__ import annotations

import html as htmllib
import json
import re

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient

from lanterne.i18n import format_number
from lanterne.present.rights import BENEFITS
from lanterne.rights.catalog import load_rights_catalog
from lanterne.web import create_app

MONTH = "2025-06"
#: A couple with two children, one low wage, renting privately in Lille.
HOUSEHOLD = {
    "family_type": "couple_children",
    "n_children": "2",
    "oldest_child_activity": "under_16",
    "head_age": "38",
    "head_activity": "employed",
    "partner_activity": "inactive",
    "income_monthly": "1 150,00",
    "housing_status": "tenant_private",
    "rent_monthly": "640",
    "department": "59",
    "nationality": "french",
    "disability": "false",
    "receives_aah": "false",
    "separated_recently": "false",
}


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(population_rows=500))


def _page_rows(html: str) -> dict[str, tuple[str, str]]:
    """Benefit name → (entitled, amount) from the result table of the page."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = [
            htmllib.unescape(re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        rows[cells[0]] = (cells[1], cells[2])
    return rows


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_cli_and_web_show_the_same_benefits_amounts_and_links(cli, client, tmp_path, lang) -> None:
    out = tmp_path / "r.json"
    pairs = [a for k, v in HOUSEHOLD.items() for a in ("--set", f"{k}={v}")]
    result = cli("--lang", lang, "rights", *pairs, "--month", MONTH, "--json", out)
    assert result.exit_code == 0, result.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    page = client.post(f"/rights?lang={lang}", data=HOUSEHOLD | {"month": MONTH})
    assert page.status_code == 200
    rows = _page_rows(page.text)
    catalog = load_rights_catalog()
    assert list(data["benefits"]) == list(BENEFITS)
    assert [b["name"] for b in data["benefits"].values()] == list(rows)
    yes = "oui" if lang == "fr" else "yes"
    some = 0
    for key, b in data["benefits"].items():
        entitled, amount = rows[b["name"]]
        assert (entitled == yes) == b["entitled"], key
        assert amount == b["amount_text"], key
        if b["amount_monthly"] is not None:  # the amount as this language writes it
            assert amount == format_number(b["amount_monthly"], lang, 2)
            some += b["amount_monthly"] > 0
        assert b["amount_text"] in result.stdout  # the terminal's table
        official = (catalog.benefits.get(key) or catalog.family_benefits[key]).apply
        assert b["apply_url"] == (official.url if official else None)
        if b["apply_url"]:
            assert f'href="{b["apply_url"]}"' in page.text
            if b["entitled"]:
                assert b["apply_url"] in result.stdout
    assert some >= 2  # the household is entitled to something: the check is not vacuous
    download = client.post(
        f"/rights?lang={lang}", data=HOUSEHOLD | {"month": MONTH, "download": "json"}
    )
    assert download.headers["content-type"].startswith("application/json")
    assert "attachment" in download.headers["content-disposition"]
    assert download.json() == data  # the page's download is the command's JSON
    assert data["benefits"]["ppa"]["entitled"] and data["benefits"]["ppa"]["amount_monthly"] > 0
    decimal = "," if lang == "fr" else "."
    assert decimal in data["benefits"]["ppa"]["amount_text"]


def test_the_cli_names_its_options_the_web_page_does_not(cli, client) -> None:
    result = cli("--lang", "en", "rights", "--set", "income_monthly=abc", "--set", "oops")
    err = " ".join(result.stderr.split())
    assert result.exit_code == 2
    assert "--set income_monthly=abc: 'income_monthly': 'abc' does not fit" in err, err
    assert "--set oops: expected VARIABLE=VALUE" in err, err
    for change, said in (
        ({"income_monthly": "abc"}, "'abc' is not a number"),
        ({"n_children": ""}, "a value is expected"),
    ):
        page = client.post("/rights?lang=en", data=HOUSEHOLD | {"month": MONTH} | change)
        assert page.status_code == 422
        assert said in page.text.replace("&#39;", "'")
        assert "--set" not in page.text and "--archetype" not in page.text


def test_the_score_page_asks_for_missing_values_without_cli_options(client) -> None:
    from lanterne.web.rights import archetype_values

    start = client.get("/score?lang=en&model=fr-cnaf-2014")
    assert start.status_code == 200
    form = archetype_values("single-mother-rsa") | {"model": "fr-cnaf-2014", "receives_rsa": ""}
    page = client.post("/score?lang=en", data=form)
    assert page.status_code == 422
    assert "receives_rsa" in page.text or "RSA" in page.text
    assert (
        "--set" not in page.text
        and "--archetype" not in page.text
        and "--household" not in page.text
    )
