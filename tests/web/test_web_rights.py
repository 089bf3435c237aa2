"""The rights page and the non-take-up audit of the web app, through FastAPI's TestClient.

Amounts are checked against the catalog's legal amounts (hand-checkable) and the audit's
figures against :func:`lanterne.rights.audit.audit_nonrecours` called directly.
"""

from __future__ import annotations

import html as htmllib
import re
import time

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient

from lanterne.i18n import format_number, format_percent
from lanterne.io.tables import read_table
from lanterne.population.generate import generate_frame
from lanterne.report.selfcontained import external_resources
from lanterne.rights.audit import audit_nonrecours
from lanterne.rights.catalog import load_rights_catalog
from lanterne.web import create_app
from lanterne.web.rights import archetype_values

MONTH = "2025-06"
#: forfait logement of a single person housed free of charge: 12 % of the base amount
HOUSING_FLAT_RATE = 0.12


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(population_rows=2_000, max_upload_mb=1))


def outside_resources(html: str) -> list[str]:
    """What a page would load from anywhere but this server (as in test_web.py)."""
    return [r for r in external_resources(html) if not re.search(r"=/(?!/)", r)]


def visible_text(html: str) -> str:
    html = re.sub(r"<(svg|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def single_without_income() -> dict[str, str]:
    return archetype_values("single-mother-rsa") | {
        "month": MONTH,
        "family_type": "single",
        "n_children": "0",
        "oldest_child_activity": "no_child",
        "head_age": "40",
        "head_activity": "inactive",
        "income_monthly": "0",
        "housing_status": "hosted",
        "rent_monthly": "0",
    }


def text_of(html: str) -> str:
    return htmllib.unescape(visible_text(html)).replace("\u202f", " ").replace("\xa0", " ")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_rights_page_in_both_languages(client, lang):
    response = client.get(f"/rights?lang={lang}&archetype=student")
    assert response.status_code == 200
    assert f'<html lang="{lang}">' in response.text
    assert ("Mes droits" if lang == "fr" else "My rights") in response.text
    assert outside_resources(response.text) == []
    assert "default-src 'self'" in response.headers["content-security-policy"]
    # the page is in the navigation of every page, and the form starts from the archetype
    assert 'href="/rights?lang=' in client.get(f"/?lang={lang}").text
    assert re.search(r'id="f-head_activity".*?value="student" selected', response.text, re.S)


def test_french_first(client):
    text = text_of(client.get("/rights").text)
    assert "Calculer mes droits" in text and "Compute my rights" not in text


def test_single_person_without_income_gets_rsa(client):
    """RSA = the legal base amount of the month less the housing flat rate (housed free)."""
    legal = load_rights_catalog().legal_amount("rsa_base_single", MONTH)
    assert legal == 646.52
    expected = round(legal * (1 - HOUSING_FLAT_RATE), 2)
    response = client.post("/rights?lang=fr", data=single_without_income())
    assert response.status_code == 200
    text = text_of(response.text)
    row = re.search(r"Revenu de solidarité active \(RSA\) (oui|non) ([\d ,]+)", text)
    assert row is not None, text[:2000]
    assert row.group(1) == "oui"
    assert row.group(2).strip() == format_number(expected, "fr", 2).replace("\u202f", " ")
    # no earnings: no activity bonus; housed free: no housing benefit; no disability: no AAH
    for name in ("Prime d'activité", r"Aides au logement \(APL, ALF, ALS\)", r"\(AAH\)"):
        assert re.search(name + r" non 0,00", text), name
    # the rules, where to claim, and one outside link per benefit: its official page
    # (followed only on a click, without telling the site the page's address, which holds
    # the household)
    assert "Où le demander" in text and "caf.fr" in text
    outside = re.findall(r'<a href="(http[^"]+)"([^>]*)>', response.text)
    assert len(outside) == 8
    assert all(
        u.startswith("https://www.service-public.fr/particuliers/vosdroits/F") for u, _ in outside
    )
    assert all('rel="noopener noreferrer"' in attrs for _, attrs in outside)
    assert "Hypothèses du calcul" in text and "OpenFisca" in text
    assert outside_resources(response.text) == []


def test_openfisca_is_loaded_once_not_per_request(client):
    # What made a household's answer slow was building the tax-benefit system (seconds):
    # it must be built once per process and reused (timings live in benchmarks/).
    from lanterne.rights.simulate import tax_benefit_system

    client.post("/rights", data=single_without_income())  # loads OpenFisca if needed
    before = tax_benefit_system.cache_info()
    for _ in range(2):
        assert client.post("/rights", data=single_without_income()).status_code == 200
    after = tax_benefit_system.cache_info()
    assert after.misses == before.misses  # no second build
    assert after.hits > before.hits


def test_more_income_gives_less_rsa_and_an_activity_bonus(client):
    # French number typing is accepted: "900,0"
    data = single_without_income() | {"head_activity": "employed", "income_monthly": "900,0"}
    text = text_of(client.post("/rights?lang=en", data=data).text)
    ppa = re.search(r"Activity bonus \(prime d'activité\) (yes|no) ([\d,.]+)", text)
    assert ppa is not None and ppa.group(1) == "yes"
    assert float(ppa.group(2).replace(",", "")) > 0


def test_bad_input_is_refused_on_the_form(client):
    data = single_without_income() | {
        "income_monthly": "abc",
        "family_type": "martian",
        "n_children": "-1",
        "month": "2025-13",
    }
    response = client.post("/rights?lang=en", data=data)
    assert response.status_code == 422
    text = text_of(response.text)
    assert "'abc' is not a number" in text
    assert "'martian' is not one of the choices" in text
    assert "outside the allowed range" in text
    assert "invalid month '2025-13'" in text
    assert response.text.count('aria-invalid="true"') == 4
    assert 'value="abc"' in response.text  # what was typed is kept
    assert "Traceback" not in response.text
    french = client.post("/rights?lang=fr", data=data)
    assert french.status_code == 422 and "n'est pas un nombre" in text_of(french.text)


def test_unknown_archetype_is_a_404(client):
    response = client.get("/rights?archetype=nobody&lang=en")
    assert response.status_code == 404 and "nobody" in response.text


def test_serve_loads_openfisca_in_the_background(monkeypatch):
    from lanterne.web.app import WebConfig
    from lanterne.web.rights import rights_engine

    config = WebConfig(population_rows=500, warm_rights=True)
    for name, value in config.to_env().items():  # the flag also reaches uvicorn's workers
        monkeypatch.setenv(name, value)
    assert WebConfig.from_env() == config
    app = create_app(config)
    engine = rights_engine(app.state.lanterne)
    deadline = time.monotonic() + 120
    while not engine.ready and time.monotonic() < deadline:
        time.sleep(0.1)
    assert engine.ready
    assert not rights_engine(create_app(population_rows=500).state.lanterne).ready


# ---------------------------------------------------------------------- audit


def table_rows(html: str) -> list[list[str]]:
    rows = []
    for tr in re.findall(r"<tr\b.*?</tr>", html, flags=re.S):
        cells = re.findall(r"<t[hd]\b[^>]*>(.*?)</t[hd]>", tr, flags=re.S)
        rows.append([text_of(c).strip() for c in cells])
    return rows


def test_nonrecours_audit_upload_matches_the_api(client, tmp_path):
    path = tmp_path / "pop.csv"
    generate_frame(300, seed=5).write_csv(path)
    data = {
        "kind": "nonrecours",
        "groups": "family_type",
        "nonrecours_model": "fr-cnaf-2014",
        "month": MONTH,
        "action": "view",
    }
    response = client.post(
        "/audit?lang=en", data=data, files={"file": ("pop.csv", path.read_bytes())}
    )
    assert response.status_code == 200, text_of(response.text)[:800]
    assert outside_resources(response.text) == []
    assert 'href="/audit?lang=en"' in response.text
    direct = audit_nonrecours(
        read_table(path),
        MONTH,
        group_cols=["family_type"],
        model="fr-cnaf-2014",
        progress=False,
        workers=1,
    )
    shown = [r[1:] for r in table_rows(response.text)]
    checked = 0
    for r in direct.table.to_dicts():
        if r["nonrecours_rate"] is None:
            continue
        expected = [
            format_number(r["households"], "en", 0),
            format_number(r["entitled"], "en", 0),
            format_percent(r["nonrecours_rate"], "en", 1),
            format_number(r["unclaimed_monthly"], "en", 0) + " €",
            format_percent(r["selection_rate"], "en", 1),
        ]
        assert [e.replace("\u202f", " ") for e in expected] in shown, (expected, shown)
        checked += 1
    assert checked >= 2
    total = format_percent(direct.totals["nonrecours_rate"], "en", 1).replace("\u202f", " ")
    assert total in text_of(response.text)


def test_nonrecours_audit_errors(client):
    frame = generate_frame(50, seed=1)
    body = frame.write_csv().encode()
    data = {"kind": "nonrecours", "groups": "nope", "action": "view"}
    response = client.post("/audit?lang=en", data=data, files={"file": ("p.csv", body)})
    assert response.status_code == 400
    assert "group column 'nope' not found" in text_of(response.text)
    assert "lanterne-upload-" not in response.text
    data = {"kind": "nonrecours", "groups": "sex", "month": "1999-01", "action": "view"}
    response = client.post("/audit?lang=en", data=data, files={"file": ("p.csv", body)})
    assert response.status_code == 400 and "invalid month" in text_of(response.text)


def test_nonrecours_audit_row_limit(client, monkeypatch):
    import lanterne.web.audit as audit_page

    monkeypatch.setattr(audit_page, "NONRECOURS_MAX_ROWS", 10)
    body = generate_frame(20, seed=1).write_csv().encode()
    data = {"kind": "nonrecours", "groups": "sex", "action": "view"}
    response = client.post("/audit?lang=en", data=data, files={"file": ("p.csv", body)})
    assert response.status_code == 413
    assert "at most 10 households" in response.text and "lanterne audit nonrecours" in response.text


def test_audit_form_explains_the_nonrecours_limit(client):
    text = text_of(client.get("/audit?lang=en").text)
    assert "Non-take-up" in text and "at most 100,000 households" in text
