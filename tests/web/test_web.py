"""The web app through FastAPI's TestClient: every page, form, download and error."""

from __future__ import annotations

import io
import json
import re

import numpy as np
import polars as pl
import pytest
from markupsafe import escape

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient

from lanterne.catalog import sample_path
from lanterne.explain import build_household, explain_household
from lanterne.model import load_model
from lanterne.report.selfcontained import external_resources
from lanterne.web import create_app
from lanterne.web.score import _defaults, form_fields

PAGES = [
    "/",
    "/models",
    "/models/fr-cnaf-2014",
    "/models/fr-cnaf-dmde-2026",
    "/models/compare?a=fr-cnaf-2014&b=fr-cnaf-dmde-2026",
    "/score",
    "/score?model=fr-cnaf-dmde-2026&archetype=student",
    "/rights",
    "/archetypes",
    "/archetypes?model=fr-cnaf-dmde-2026",
    "/audit",
]
ROWS = 5_000


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(population_rows=ROWS, max_upload_mb=0.25))


def household_form(model_id: str = "fr-cnaf-2014", archetype: str = "single-mother-rsa"):
    model = load_model(model_id)
    data = {"model": model_id}
    for f in form_fields(model, _defaults(model, archetype), "fr"):
        data[f.name] = f.value
    return data


def outside_resources(html: str) -> list[str]:
    """What a page would load from anywhere but this server (same-origin paths are fine)."""
    found = external_resources(html)
    return [r for r in found if not re.search(r"=/(?!/)", r)]


def visible_text(html: str) -> str:
    html = re.sub(r"<(svg|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders_in_both_languages(client, path, lang):
    sep = "&" if "?" in path else "?"
    response = client.get(f"{path}{sep}lang={lang}")
    assert response.status_code == 200
    assert f'<html lang="{lang}">' in response.text
    # the switch to the other language is on every page, keeping the query
    other = "en" if lang == "fr" else "fr"
    assert f"lang={other}" in response.text
    assert outside_resources(response.text) == []


def test_security_headers_on_every_response(client):
    for path in [*PAGES, "/missing", "/static/lanterne.css"]:
        response = client.get(path)
        csp = response.headers["content-security-policy"]
        assert "default-src 'self'" in csp
        assert "script-src 'self'" in csp and "unsafe-eval" not in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"


def test_french_by_default_and_english_switch(client):
    assert "Mon score" in client.get("/").text
    english = client.get("/?lang=en").text
    assert "My score" in english and "Mon score" not in visible_text(english)


def test_models_page_shows_weights_and_status(client):
    model = load_model("fr-cnaf-2014")
    html = client.get("/models/fr-cnaf-2014?lang=en").text
    for term in model.terms:
        assert str(escape(term.expression)) in html
    assert "illustrative" in html


def test_score_matches_the_explain_api(client):
    """The page shows the score and percentile the Python API computes independently."""
    data = household_form()
    response = client.post("/score?lang=en", data=data)
    assert response.status_code == 200
    model = load_model("fr-cnaf-2014")
    house = build_household(model, archetype="single-mother-rsa")
    scores = client.app.state.lanterne.populations[model.id].scores
    exp = explain_household(
        model, house, population=client.app.state.lanterne.populations[model.id]
    )
    assert f"score of {exp.score * 100:.1f}%" in visible_text(response.text).replace("\xa0", "")
    # percentile checked against NumPy directly
    share = float(np.mean(scores <= exp.score))
    assert f"{share * 100:.1f}" in visible_text(response.text)
    assert "would not be selected" in response.text or "would be selected" in response.text
    assert "<svg" in response.text and "What would change the decision" in response.text


def test_out_of_range_value_is_refused_on_the_form(client):
    data = household_form() | {"months_worked_12m": "40"}
    response = client.post("/score?lang=en", data=data)
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.text
    assert "a whole number from 0 to 12 (months) is expected" in response.text
    assert "Traceback" not in response.text
    # the user's values are kept in the form
    assert 'value="40"' in response.text


def test_unknown_category_and_model(client):
    response = client.post("/score", data=household_form() | {"family_type": "martian"})
    assert response.status_code == 422
    assert client.get("/score?model=nope").status_code == 404
    assert "nope" in client.get("/score?model=nope").text
    assert client.get("/score?archetype=nobody").status_code == 404


@pytest.mark.parametrize(
    ("what", "media", "check"),
    [
        ("explanation.txt", "text/plain", "Score"),
        ("explanation.json", "application/json", None),
        ("letter-explanation.txt", "text/plain", "Camille Martin"),
        ("letter-access.md", "text/markdown", "Camille Martin"),
        ("letter-objection.txt", "text/plain", "Camille Martin"),
    ],
)
def test_downloads(client, what, media, check):
    data = household_form() | {"download": what, "name": "Camille Martin"}
    response = client.post("/score/download?lang=fr", data=data)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)
    assert "attachment" in response.headers["content-disposition"]
    if check is None:
        body = json.loads(response.content)
        model = load_model("fr-cnaf-2014")
        house = build_household(model, archetype="single-mother-rsa")
        assert body["score"] == pytest.approx(explain_household(model, house).score)
    else:
        assert check in response.content.decode()


def test_letter_pdf(client):
    data = household_form() | {"download": "letter-access.pdf"}
    response = client.post("/score/download", data=data)
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def test_unknown_download_is_a_400(client):
    response = client.post("/score/download", data=household_form() | {"download": "x.exe"})
    assert response.status_code == 400


def upload(client, name, content, **fields):
    data = {"kind": "population", "models": ["fr-cnaf-2014"], "groups": "sex", "action": "view"}
    data.update(fields)
    return client.post("/audit?lang=en", data=data, files={"file": (name, content)})


def test_population_audit_upload(client):
    sample = sample_path().read_bytes()
    response = upload(client, "sample.csv", sample, groups="sex, nationality")
    assert response.status_code == 200
    text = visible_text(response.text)
    assert "400" in text and "nationality" in response.text.lower()
    assert 'href="/audit?lang=en"' in response.text  # the way back to the form
    assert external_resources(response.text) == []


def test_population_audit_parquet_and_html_download(client, tmp_path):
    frame = pl.read_csv(sample_path(), infer_schema_length=0)
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    response = upload(client, "sample.parquet", buffer.getvalue(), action="html")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    assert response.text.startswith("<!doctype html") or "<html" in response.text[:200]


def test_selection_audit_upload(client):
    rng = np.random.default_rng(3)
    n = 2_000
    frame = pl.DataFrame(
        {
            "mode": rng.choice(["random", "algo"], n),
            "outcome": rng.choice(["none", "overpayment"], n, p=[0.7, 0.3]),
            "sex": rng.choice(["female", "male"], n),
        }
    )
    response = upload(
        client,
        "controls.csv",
        frame.write_csv().encode(),
        kind="selection",
        selection_col="mode",
        random_value="random",
        outcome_col="outcome",
        negative_values="none",
    )
    assert response.status_code == 200, visible_text(response.text)[:500]
    assert "random" in response.text.lower()


def test_wrong_file_type(client):
    response = upload(client, "notes.txt", b"hello")
    assert response.status_code == 415
    assert "neither a CSV" in response.text


def test_missing_columns_name_the_file_not_the_temp_dir(client):
    response = upload(client, "mine.csv", b"a,b\n1,2\n")
    assert response.status_code == 400
    assert "mine.csv" in response.text and "not found: sex" in response.text
    assert "lanterne-upload-" not in response.text


def test_missing_file_and_fields(client):
    assert client.post("/audit", data={"kind": "population"}).status_code == 400
    response = upload(client, "mine.csv", sample_path().read_bytes(), kind="selection")
    assert response.status_code == 400 and "selection_col" in response.text


def test_oversized_upload_is_refused_while_streaming(client):
    big = b"a,b\n" + b"1,2\n" * 100_000  # 400 kB > 0.25 MB
    response = upload(client, "big.csv", big)
    assert response.status_code == 413
    assert "0.25 MB" in response.text
    assert response.headers["content-security-policy"].startswith("default-src 'self'")


def test_oversized_body_without_content_length(client):
    def chunks():
        for _ in range(100):
            yield b"x" * 10_000

    response = client.post(
        "/audit", content=chunks(), headers={"content-type": "multipart/form-data; boundary=z"}
    )
    assert response.status_code == 413


def test_uploads_leave_no_temporary_file(client, tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    assert upload(client, "sample.csv", sample_path().read_bytes()).status_code == 200
    assert upload(client, "mine.csv", b"a,b\n1,2\n").status_code == 400
    assert list(tmp_path.iterdir()) == []


def test_errors_never_show_a_stack_trace(client, monkeypatch):
    import lanterne.web.models as pages

    def boom(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(pages, "targeting_text", boom)
    crashing = TestClient(client.app, raise_server_exceptions=False)
    response = crashing.get("/models?lang=en")
    assert response.status_code == 500
    assert "secret internals" not in response.text and "Traceback" not in response.text
    assert "unexpected error" in response.text
    assert "default-src 'self'" in response.headers["content-security-policy"]


def test_population_file_is_named_on_the_page(tmp_path):
    path = tmp_path / "households.csv"
    path.write_bytes(sample_path().read_bytes())
    app = create_app(population=path)
    html = TestClient(app).get("/score?lang=en").text
    assert "households.csv" in html and "400 households" in html


def test_cli_serve_help_and_bad_population(cli, tmp_path):
    result = cli("serve", "--help", "--lang", "en")
    assert result.exit_code == 0
    assert "--max-upload-mb" in result.output and "--population" in result.output
    missing = cli("serve", "--population", str(tmp_path / "none.parquet"), "--lang", "en")
    assert missing.exit_code == 2
    assert "does not exist" in missing.output


def test_audit_page_uses_the_default_group_columns(client):
    """Left as pre-filled (or empty), the groups are `lanterne report`'s default: family first."""
    from lanterne.audit.defaults import default_group_cols
    from lanterne.model import load_model

    served = list(client.app.state.lanterne.models.values())
    prefilled = ", ".join(default_group_cols(served))  # the same function as the CLI's
    form = client.get("/audit?lang=en").text
    assert f'value="{prefilled}"' in form and prefilled.startswith("family_type, sex")
    assert set(prefilled.split(", ")) >= {"nationality", "disability"}
    sample = sample_path().read_bytes()
    columns = pl.read_csv(sample_path(), n_rows=1).columns
    expected = default_group_cols([load_model("fr-cnaf-2014")], columns)
    for groups in (prefilled, ""):
        response = upload(client, "sample.csv", sample, groups=groups)
        assert response.status_code == 200, response.text[:500]
        for column in expected:
            assert f'id="fr-cnaf-2014-{column}-deciles"' in response.text
        # and the report ends with the command that remakes it
        assert " -g ".join(["", *expected]) in response.text.replace("&#39;", "'")
