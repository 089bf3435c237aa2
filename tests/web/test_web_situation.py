"""One household for both answers: the situation travels in the address, the person's
details never do, and what comes from an address is treated as typed input."""

from __future__ import annotations

import html
import re

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient
from test_web import household_form

from lanterne.explain import build_household, explain_household
from lanterne.i18n import format_percent
from lanterne.web import create_app


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(population_rows=3_000))


def _links(page: str, path: str) -> list[str]:
    return [html.unescape(u) for u in re.findall(rf'href="({path}\?[^"]+)"', page)]


def test_the_address_of_a_result_gives_the_same_result(client) -> None:
    data = household_form() | {"months_worked_12m": "5", "name": "Awa Diallo"}
    posted = client.post("/score", data=data).text
    own = [u for u in _links(posted, "/score") if "months_worked_12m=5" in u]
    assert len(own) == 1 and "Awa" not in own[0]  # the name never goes in an address
    rights = [u for u in _links(posted, "/rights") if "family_type" in u]
    assert len(rights) == 1 and "Awa" not in rights[0]
    again = client.get(own[0].split("#")[0]).text
    # the score the API gives for these values, shown by both pages
    model = client.app.state.lanterne.models["fr-cnaf-2014"]
    values = {k: v for k, v in data.items() if k in model.used_variables}
    exp = explain_household(
        model,
        build_household(model, values=values),
        population=client.app.state.lanterne.populations[model.id],
    )
    expected = f"score de {format_percent(exp.score, 'fr', 1)}"
    for page in (posted, again):
        assert expected in html.unescape(page)


def test_values_from_an_address_are_checked_and_escaped(client) -> None:
    page = client.get(
        "/score?model=fr-cnaf-2014&n_children=2&housing_status=%22%3E%3Cscript%3Ex%3C/script%3E"
    ).text
    assert "<script>x" not in page  # carried as a hidden field, escaped
    bad = client.get("/score?model=fr-cnaf-2014&n_children=99")
    assert bad.status_code == 422 and 'aria-invalid="true"' in bad.text
    long = client.get("/score?model=fr-cnaf-2014&n_children=2&department=" + "9" * 500).text
    assert 'type="hidden" name="department"' not in long  # an overlong value is not carried
    short = client.get("/score?model=fr-cnaf-2014&n_children=2&department=59").text
    assert '<input type="hidden" name="department" value="59">' in short
