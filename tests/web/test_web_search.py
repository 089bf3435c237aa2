"""The "My score" result: the counterfactual search as its own request, and the language
switch that keeps the typed values (both without JavaScript)."""

from __future__ import annotations

import html
import re
from dataclasses import replace

import polars as pl
import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient

from lanterne.catalog import sample_path
from lanterne.explain import build_household, counterfactuals, explain_household
from lanterne.explain.sentences import describe_value
from lanterne.i18n import format_number, format_percent
from lanterne.io.tables import read_table
from lanterne.model import load_model
from lanterne.web import create_app, score
from lanterne.web.score import SEARCH_BUDGET, _defaults, form_fields

#: The sample's household the 2014 model scores highest: selected in the sample.
SELECTED_ID = "360"


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(population=str(sample_path())))


@pytest.fixture(autouse=True)
def _patient_search(monkeypatch):
    """A search that never runs out of time, so that its answer is the API's."""
    monkeypatch.setattr(score, "SEARCH_BUDGET", replace(SEARCH_BUDGET, seconds=60.0))


def selected_form(model_id: str = "fr-cnaf-2014") -> dict[str, str]:
    model = load_model(model_id)
    row = read_table(sample_path()).filter(pl.col("household_id") == SELECTED_ID)
    values = row.select(model.used_variables).row(0, named=True)
    return {"model": model_id, **{k: str(v) for k, v in values.items()}}


def form(archetype: str = "couple-two-earners", model_id: str = "fr-cnaf-2014", **changes):
    model = load_model(model_id)
    data = {"model": model_id}
    for f in form_fields(model, _defaults(model, archetype), "fr"):
        data[f.name] = f.value
    return data | changes


def items(page: str, heading_id: str) -> list[str]:
    """The list items that follow the heading ``heading_id`` (tags and entities removed)."""
    part = page.split(f'id="{heading_id}"', 1)[1].split("</ul>", 1)[0]
    found = re.findall(r"<li>(.*?)</li>", part, flags=re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", f)).strip() for f in found]


def in_words(model, variable: str, value) -> str:
    """A value as the page should write it: a category by its label in the spec."""
    var = model.spec.variable(variable)
    if var.type == "category" and var.category_labels and str(value) in var.category_labels:
        return var.category_labels[str(value)].en
    return describe_value(value, "en")


def explained(client: TestClient, data: dict[str, str]):
    model = load_model(data["model"])
    values = {k: v for k, v in data.items() if k != "model"}
    house = build_household(model, values=values)
    population = client.app.state.lanterne.populations[model.id]
    return model, house, explain_household(model, house, population=population)


def test_result_offers_the_search_without_running_it(client):
    data = selected_form()
    exp = explained(client, data)[2]
    assert exp.standing.selected  # the premise of this test
    page = client.post("/score?lang=en", data=data).text
    assert "selected for an inspection" in page
    assert (
        '<button type="submit" form="household" formaction="/score/search?lang=en#search">'
        "Find what would change the decision</button>" in page
    )
    # the search itself has not run: none of its sentences is on the page
    assert "Smallest sets of changes" not in page and "combinations scored" not in page
    assert "Chercher ce qui changerait la décision" in client.post("/score", data=data).text


def test_search_request_shows_the_api_counterfactuals(client):
    data = selected_form()
    model, house, exp = explained(client, data)
    response = client.post("/score/search?lang=en", data=data)
    assert response.status_code == 200
    page = response.text
    # the same result as /score, plus the search and no button
    assert "selected for an inspection" in page and "<svg" in page
    assert "Find what would change the decision" not in page
    # the page's own budget (patched to 60 s above): a loaded machine must not cut it short
    expected = counterfactuals(model, house, exp.standing.threshold, score.SEARCH_BUDGET)
    assert expected.complete and expected.sets  # the comparison below means something
    # each set the API found is one item of the list: every change "before → after", in
    # the API's order, then the new score
    sets = re.findall(r'<ol class="changes">(.*?)</ol>', page, flags=re.S)
    assert len(sets) == 1
    shown = re.findall(r"<li><ul>(.*?)</ul>\s*<p class=\"help\">(.*?)</p></li>", sets[0], re.S)
    assert len(shown) == len(expected.sets)
    for (changes, new_score), found in zip(shown, expected.sets, strict=True):
        lines = [
            html.unescape(re.sub(r"<[^>]+>", "", c)) for c in re.findall(r"<li>(.*?)</li>", changes)
        ]
        assert lines == [
            f"{expected.label(c.variable, 'en')}: {in_words(model, c.variable, c.before)} → "
            f"{in_words(model, c.variable, c.after)}"
            for c in found.changes
        ]
        assert new_score == f"new score: {format_percent(found.score, 'en', 2)}"
    # how the search went is in the technical fold-out, with the API's figures
    assert f"{format_number(expected.evaluated, 'en', 0)} combinations scored" in page


def test_household_below_the_threshold_needs_no_search(client):
    data = form("single-mother-rsa")
    model, house, exp = explained(client, data)
    assert exp.standing.selected is False
    page = client.post("/score?lang=en", data=data).text
    assert "Find what would change the decision" not in page
    part = page.split('id="search"', 1)[1].split("</p>", 1)[0]
    assert "already below the selection threshold: no change is needed" in part
    # the API says the same
    found = counterfactuals(model, house, exp.standing.threshold, score.SEARCH_BUDGET)
    assert found.already_below


def test_search_errors_are_shown_on_the_form(client):
    response = client.post("/score/search?lang=en", data=form(months_worked_12m="40"))
    assert response.status_code == 422
    assert "a whole number from 0 to 12 (months) is expected" in response.text
    assert 'value="40"' in response.text


@pytest.mark.parametrize("path", ["/score", "/score/search"])
def test_language_switch_on_a_result_reposts_the_values(client, path):
    data = selected_form() | {"name": "Camille Martin"}
    french = client.post(f"{path}?lang=fr", data=data).text
    # the switch is a button of the household form, sent to the same address in English
    switch = re.search(r'<p class="lang"><button ([^>]*)>English</button>', french)
    assert switch is not None
    attributes = dict(re.findall(r'(\w+)="([^"]*)"', switch.group(1)))
    assert attributes["form"] == "household" and attributes["type"] == "submit"
    assert attributes["formaction"] == f"{path}?lang=en"
    assert 'id="household"' in french
    # what the browser sends on a click: the form's fields, to the formaction
    english = client.post(attributes["formaction"], data=data)
    assert english.status_code == 200
    page = english.text
    assert '<html lang="en">' in page and "selected for an inspection" in page
    assert 'id="f-income_monthly" name="income_monthly" type="number"' in page
    for name, value in data.items():
        if name in ("model", "name"):
            continue
        typed = rf'id="f-{name}"[^>]*value="{value}"'
        options = r"\s*(<option[^>]*>[^<]*</option>)*?"
        chosen = rf'<select id="f-{name}"[^>]*>{options}<option value="{value}" selected>'
        assert re.search(typed, page) or re.search(chosen, page), name
    assert 'value="Camille Martin"' in page
    # and back to French
    assert '<p class="lang"><button' in page and f'formaction="{path}?lang=fr"' in page


def test_language_switch_on_a_form_with_errors_keeps_them(client):
    data = form(months_worked_12m="40")
    french = client.post("/score?lang=fr", data=data)
    assert french.status_code == 422 and 'formaction="/score?lang=en"' in french.text
    english = client.post("/score?lang=en", data=data)
    assert english.status_code == 422 and "a whole number from 0 to 12" in english.text


def test_pages_reached_by_get_keep_the_link(client):
    page = client.get("/score?model=fr-cnaf-dmde-2026&archetype=student&lang=fr").text
    link = '<a href="/score?model=fr-cnaf-dmde-2026&amp;archetype=student&amp;lang=en"'
    assert link in page
    assert '<p class="lang"><button' not in page


def test_language_switch_on_the_rights_form_keeps_the_values(client):
    """The rights page's posted form switches language the same way (checked on a refused
    value: the page answers before any rights computation)."""
    page = client.get("/rights?lang=fr").text
    fields = dict(re.findall(r'<input id="f-[^"]+" name="([^"]+)"[^>]*value="([^"]*)"', page))
    data = fields | {"income_monthly": "beaucoup"}
    french = client.post("/rights?lang=fr", data=data)
    assert french.status_code == 422
    assert re.search(r'<button [^>]*form="household" formaction="/rights\?lang=en"', french.text)
    english = client.post("/rights?lang=en", data=data)
    assert english.status_code == 422 and '<html lang="en">' in english.text
    assert 'value="beaucoup"' in english.text
