"""Every page and every error of the web app, in French, speaks the reader's language: no
internal identifier (``single_parent``, ``months_worked_12m``), no unit or word in English,
no "(s)" plural, no article glued to an agency's name.

Technical text shown on purpose is in ``<code>`` (a formula, the columns a file must have)
and is left out, as are sources cited by their titles and the agencies' own column names
cited as the source of a variable ("Nom de la ville : total_vermogen", "Colonne
« adres_dagen_op_adres »"), which a reader needs to find the variable in the agency's
documents.
"""

from __future__ import annotations

import re

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient
from test_web import household_form, visible_text

from lanterne.catalog import model_ids
from lanterne.web import create_app

#: an identifier: lower-case words joined by underscores (not inside a URL or a file name)
IDENTIFIER = re.compile(r"(?<![\w/.=&?«-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w/.-])")
#: the agencies' own column names, cited as the source of a variable
CITED_COLUMN = re.compile(r"(Nom de la ville : [a-z0-9_]+|Colonne « [a-z0-9_]+ »)")
ENGLISH = ("(children)", "(months)", "(years)", "EUR/month", "(changes)",
           "true/false", "synthetic", "Smallest sets", "households")  # fmt: skip
SLIPS = ("(s)", "ceux de Caisse", "de Caisse nationale", "population «")


#: the French models' category codes that are English words (their labels are French)
CODES = re.compile(
    r"(?<![\w/.-])(unemployed|employed|inactive|retired|apprentice|student|owner|hosted)(?![\w/.-])"
)


def problems_of(html: str) -> list[str]:
    html = re.sub(r"<code>.*?</code>", " ", html, flags=re.S)
    # a model's sources are cited by their titles, in the language they were published in
    html = re.sub(r"<h2>Sources</h2>\s*<ul>.*?</ul>", " ", html, flags=re.S)
    text = CITED_COLUMN.sub(" ", visible_text(html))
    found = [f"identifier {m!r}" for m in sorted(set(IDENTIFIER.findall(text)))]
    found += [f"code {m!r}" for m in sorted(set(CODES.findall(text)))]
    found += [f"English {w!r}" for w in ENGLISH if w in text]
    found += [f"slip {w!r}" for w in SLIPS if w in text]
    return found


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(population_rows=3_000))


def test_the_checker_catches_what_it_looks_for() -> None:
    bad = "<p>Famille : single_parent (EUR/month), 2 variable(s)</p><code>a_b</code>"
    assert problems_of(bad) == [
        "identifier 'single_parent'",
        "English 'EUR/month'",
        "slip '(s)'",
    ]
    assert problems_of("<p>Nom de la ville : total_vermogen ; caf.fr/ma_caf</p>") == []


def _pages() -> list[str]:
    pages = ["/", "/models", "/models/compare", "/score", "/rights", "/archetypes", "/audit"]
    pages += ["/nowhere", "/score?model=nope", "/score?archetype=nope", "/rights?archetype=nope"]
    for mid in model_ids():
        pages += [f"/score?model={mid}", f"/archetypes?model={mid}"]
        # the Dutch models' specification pages name each city column as the files do,
        # and cite their English sources by title: checked for slips only (below)
        if not mid.startswith("nl-"):
            pages.append(f"/models/{mid}")
    return pages


@pytest.mark.parametrize("mid", [m for m in model_ids() if m.startswith("nl-")])
def test_dutch_specification_pages_have_no_french_slip(client, mid) -> None:
    text = visible_text(client.get(f"/models/{mid}").text)
    assert [w for w in ("(s)", "ceux de Caisse", "EUR/month") if w in text] == []


@pytest.mark.parametrize("path", _pages())
def test_every_page_in_plain_french(client, path) -> None:
    response = client.get(path)
    assert response.status_code in (200, 404), path
    assert problems_of(response.text) == []


BAD_SCORE_VALUES = [
    {"months_worked_12m": "15"},
    {"family_type": "zz"},
    {"income_monthly": "abc"},
    {"qpv": "maybe"},
    {"n_children": ""},
]


@pytest.mark.parametrize("bad", BAD_SCORE_VALUES, ids=lambda b: next(iter(b)))
def test_every_score_error_in_plain_french(client, bad) -> None:
    response = client.post("/score", data=household_form() | bad)
    assert response.status_code == 422
    alert = re.search(r'<div class="problems".*?</div>', response.text, re.S).group(0)
    name = next(iter(bad))
    assert name not in visible_text(alert)  # the field is named by its label
    assert problems_of(response.text) == []


@pytest.mark.parametrize("model_id", [m for m in model_ids()])
def test_every_score_result_in_plain_french(client, model_id) -> None:
    page = client.get(f"/score?model={model_id}").text
    data = {"model": model_id}
    data |= dict(
        re.findall(r'<input id="f-\w+" name="(\w+)" type="number"[^>]* value="([^"]*)"', page)
    )
    data |= dict(re.findall(r'<select id="f-(\w+)".*?<option value="([^"]*)" selected', page, re.S))
    response = client.post("/score/search", data=data)
    assert response.status_code == 200, visible_text(response.text)[:500]
    assert "Vous êtes ici" in response.text
    assert problems_of(response.text) == []


def test_what_would_change_the_decision_in_plain_french(client) -> None:
    """A selected household: the changes found are said with the labels of the choices."""
    data = household_form() | {"months_worked_12m": "5", "income_changes_12m": "5"}
    response = client.post("/score/search", data=data | {"income_monthly": "420"})
    assert 'class="changes"' in response.text  # the premise: sets of changes are listed
    assert problems_of(response.text) == []


def test_download_and_letter_errors_in_plain_french(client) -> None:
    unknown = client.post("/score/download", data=household_form() | {"download": "x.exe"})
    bad_date = client.post(
        "/score/download",
        data=household_form() | {"download": "letter.txt", "decision_date": "02/10/2026"},
    )
    for response in (unknown, bad_date):
        assert response.status_code == 400
        assert problems_of(response.text) == []
    assert "AAAA-MM-JJ" in visible_text(bad_date.text)


def test_rights_errors_and_result_in_plain_french(client) -> None:
    bad = client.post("/rights", data={"family_type": "zz", "n_children": "-1", "month": "2025-13"})
    assert bad.status_code == 422
    assert problems_of(bad.text) == []
    assert "Personne seule" in visible_text(bad.text)  # the choices by their labels
    # the household of the score page, carried in the address: computed at once
    result = client.get("/rights?family_type=single_parent&n_children=2&income_monthly=0")
    assert result.status_code == 200 and "Droits probables" in result.text
    assert problems_of(result.text) == []
