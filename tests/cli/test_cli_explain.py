"""``lanterne explain`` and ``lanterne letter`` end to end: outputs, errors, exit codes."""

from __future__ import annotations

import io
import json
import math
import re
import textwrap

import numpy as np
from pypdf import PdfReader

from lanterne.catalog import sample_path
from lanterne.io.tables import read_table
from lanterne.model import load_model
from lanterne.population.archetypes import load_archetypes


def _household_yaml(tmp_path, extra: str = "", **changes) -> str:
    model = load_model("fr-cnaf-2014")
    base = load_archetypes("fr-households").household("single-mother-rsa")
    used = {k: v for k, v in base.items() if k in model.used_variables}
    used.update(changes)
    path = tmp_path / "foyer.yaml"
    path.write_text(
        "\n".join(f"{k}: {json.dumps(v)}" for k, v in used.items()) + "\n" + extra,
        encoding="utf-8",
    )
    return path


def test_explain_json_adds_up_and_places_the_household(cli, tmp_path) -> None:
    out = tmp_path / "exp.json"
    house = _household_yaml(tmp_path)
    result = cli(
        "explain",
        "fr-cnaf-2014",
        "--household",
        house,
        "--population",
        sample_path(),
        "--json",
        out,
    )
    assert result.exit_code == 0, result.output
    assert "Ce qui compose le score" in result.stdout
    assert "fait monter votre score" in result.stdout
    assert "foyer médian" in result.stdout
    data = json.loads(out.read_text(encoding="utf-8"))
    total = data["base"]["value"] + sum(c["contribution"] for c in data["contributions"])
    assert math.isclose(total, data["margin"], abs_tol=1e-9)
    assert math.isclose(1 / (1 + math.exp(-data["margin"])), data["score"], rel_tol=1e-12)
    # the percentile, checked against NumPy on the sample scored independently
    model = load_model("fr-cnaf-2014")
    scores = model.scores(model.prepare(read_table(sample_path()))).to_numpy()
    assert data["standing"]["n"] == scores.size
    expected = float(np.mean(scores <= data["score"]))
    assert math.isclose(data["standing"]["percentile"], expected, abs_tol=1e-12)
    assert data["counterfactual"] is None


def test_explain_counterfactual_in_english_crosses_the_threshold(cli, tmp_path) -> None:
    out = tmp_path / "exp.json"
    result = cli(
        "--lang",
        "en",
        "explain",
        "fr-cnaf-2014",
        "--archetype",
        "single-mother-rsa",
        "--threshold",
        "0.07",
        "--counterfactual",
        "--json",
        out,
    )
    assert result.exit_code == 0, result.output
    assert "What the model reacts to" in result.stdout
    assert "not advice" in result.stdout
    found = json.loads(out.read_text(encoding="utf-8"))["counterfactual"]
    assert found["exact"] is True and found["min_changes"] >= 1 and found["sets"]
    assert all(s["score"] < 0.07 for s in found["sets"])


def test_counterfactual_budget_says_the_search_was_cut_short(cli) -> None:
    result = cli(
        "--lang",
        "en",
        "explain",
        "fr-cnaf-2014",
        "--archetype",
        "single-mother-rsa",
        "--threshold",
        "0.07",
        "--counterfactual",
        "--budget",
        "3",
    )
    assert result.exit_code == 0, result.output
    text = re.sub(r"\s+", " ", result.stdout)
    assert "Search stopped: the budget (3 combinations or 60 s) ran out" in text
    assert "may be neither complete nor minimal" in text


def test_counterfactual_without_a_threshold_is_a_usage_error(cli) -> None:
    result = cli("explain", "fr-cnaf-2014", "--archetype", "single-mother-rsa", "--counterfactual")
    assert result.exit_code == 2
    assert "il faut un seuil" in result.stderr


def test_household_file_errors_are_precise(cli, tmp_path) -> None:
    path = _household_yaml(tmp_path, extra="income_montly: 1200\n", months_worked_12m=14)
    result = cli("--lang", "en", "explain", "fr-cnaf-2014", "--household", path)
    assert result.exit_code == 2
    err = re.sub(r"\s+", " ", result.stderr)
    assert "unknown variable 'income_montly'" in err and "did you mean 'income_monthly'?" in err
    assert "'months_worked_12m': 14 is outside the allowed range" in err
    assert f"{path.name}:" in err
    none = cli("--lang", "fr", "explain", "fr-cnaf-2014")
    assert none.exit_code == 2 and "donnez un foyer" in none.stderr


def test_letter_pdf_from_a_household_file_with_a_person_block(cli, tmp_path) -> None:
    person = textwrap.dedent(
        """\
        person:
          nom: Camille Martin
          adresse: "12 rue des Lilas; 59000 Lille"
          numero_allocataire: "0012345"
        """
    )
    house = _household_yaml(tmp_path, extra=person)
    out = tmp_path / "lettre.pdf"
    result = cli(
        "letter",
        "fr-cnaf-2014",
        "--household",
        house,
        "--kind",
        "explanation",
        "--agency",
        "CAF du Nord",
        "--date",
        "2026-11-23",
        "-o",
        out,
    )
    assert result.exit_code == 0, result.output
    assert "pas un conseil juridique" in result.stderr  # advice, beside the letter
    reader = PdfReader(io.BytesIO(out.read_bytes()))
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in reader.pages))
    assert "Camille Martin" in text and "0012345" in text and "CAF du Nord" in text
    assert "article L. 311-3-1 du CRPA" in text and "R. 311-3-1-2" in text
    assert "23 novembre 2026" in text
    assert "Annexe" in text  # the score as Lanterne reconstructs it


def test_letter_with_no_household_has_placeholders_and_errors_exit_2(cli, tmp_path) -> None:
    out = tmp_path / "letter.md"
    result = cli(
        "--lang", "en", "letter", "fr-cnaf-2014", "--kind", "objection", "--name", "Ann", "-o", out
    )
    assert result.exit_code == 0, result.output
    md = out.read_text(encoding="utf-8")
    assert md.startswith("Ann") and "[Address]" in md and "Article 21(1) GDPR" in md
    assert "Fill in the passages in brackets" in result.stderr
    bad_kind = cli(
        "--lang", "fr", "letter", "fr-cnaf-2014", "--kind", "plainte", "-o", tmp_path / "x.md"
    )
    assert bad_kind.exit_code == 2 and "plainte" in bad_kind.stderr
    notes = (tmp_path / "letter-notes.md").read_text(encoding="utf-8")
    assert "not legal advice" in notes and "not legal advice" not in md
    bad_format = cli("letter", "fr-cnaf-2014", "--kind", "access", "-o", tmp_path / "x.rtf")
    assert bad_format.exit_code == 2 and ".rtf" in bad_format.stderr
    bad_date = cli(
        "--lang",
        "fr",
        "letter",
        "fr-cnaf-2014",
        "--kind",
        "access",
        "--date",
        "23/11",
        "-o",
        tmp_path / "y.md",
    )
    assert bad_date.exit_code == 2 and "AAAA-MM-JJ" in bad_date.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["letter-notes.md", "letter.md"]
