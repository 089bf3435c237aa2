"""Help pages and usage errors speak the command's language, Typer's and Click's own
texts included ("Usage:", "Show this message and exit.", "Missing argument"...)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lanterne.cli.click_texts import translate_error, translate_type
from lanterne.i18n import use_lang

SRC = str(Path(__file__).resolve().parents[2] / "src")

#: English texts of Typer, Click and Pydantic that a French page must not show.
ENGLISH = (
    "Usage:",
    "Show this message and exit",
    "Show the version and exit",
    "Commands",
    "COMMAND [",
    "[default:",
    "[required]",
    "Try '",
    "for help",
    "Error",
    "No such option",
    "No such command",
    "Missing argument",
    "Missing option",
    "Invalid value",
    "Input should",
    "unexpected extra",
    "<bool>",
    "<str>",
    "<int",
    "<float",
    "<path>",
    "list[",
    " range>",
)

#: Prints every help page, then a usage error of every command, as JSON.
PROBE = """
import json, sys
from lanterne.cli.app import command, run
lang = sys.argv[1]
def walk(cmd, path):
    yield path, cmd
    for name, sub in sorted(getattr(cmd, "commands", {}).items()):
        yield from walk(sub, [*path, name])
import contextlib, io
pages, errors = {}, {}
for path, cmd in walk(command(), []):
    for args, store in (([*path, "--help"], pages), ([*path, "--no-such-option"], errors)):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = run(["--lang", lang, *args])
        store[" ".join(args)] = [code, out.getvalue() + err.getvalue()]
errors["score (missing)"] = [0, ""]
out, err = io.StringIO(), io.StringIO()
with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
    code = run(["--lang", lang, "score", "m.yaml"])
errors["score (missing)"] = [code, err.getvalue()]
with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
    code = run(["--lang", lang, "audit", "population", "-", "x.csv", "-g", "a", "--top-share", "3"])
errors["top share 3"] = [code, err.getvalue()]
print(json.dumps({"pages": pages, "errors": errors}))
"""


def pages(lang: str) -> dict:
    # wide lines: a phrase is never cut by Rich's wrapping (either way)
    env = {**os.environ, "PYTHONPATH": SRC, "COLUMNS": "400", "TERMINAL_WIDTH": "400"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, lang],
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def french() -> dict:
    return pages("fr")


@pytest.fixture(scope="module")
def english() -> dict:
    return pages("en")


def test_french_help_pages_have_no_english_builtin(french) -> None:
    assert len(french["pages"]) > 15
    for args, (code, text) in french["pages"].items():
        assert code == 0, (args, text)
        assert "Utilisation :" in text and "Afficher cette aide et quitter." in text, args
        found = [phrase for phrase in ENGLISH if phrase in text]
        assert found == [], f"lanterne --lang fr {args}: {found}"


def test_french_usage_errors_have_no_english_builtin(french) -> None:
    for args, (code, text) in french["errors"].items():
        assert code == 2, (args, text)
        assert "Erreur" in text, (args, text)
        found = [phrase for phrase in ENGLISH if phrase in text]
        assert found == [], f"lanterne --lang fr {args}: {found}\n{text}"
    assert "Option inconnue : --no-such-option" in french["errors"]["score --no-such-option"][1]
    assert "Argument manquant : 'data'." in french["errors"]["score (missing)"][1]
    assert "la valeur doit être au plus 1" in french["errors"]["top share 3"][1]


def test_english_stays_english(english) -> None:
    for args, (code, text) in english["pages"].items():
        assert code == 0
        assert "Usage:" in text and "Show this message and exit." in text, args
        assert "Utilisation" not in text and "Afficher cette aide" not in text
    assert "No such option: --no-such-option" in english["errors"]["score --no-such-option"][1]
    assert "Missing argument 'data'." in english["errors"]["score (missing)"][1]


def test_translations_of_nested_errors_and_types() -> None:
    message = "Invalid value for '--min-cell': Input should be greater than or equal to 0"
    with use_lang("fr"):
        assert translate_error(message) == (
            "Valeur invalide pour '--min-cell' : la valeur doit être au moins 0"
        )
        assert translate_error("Something Typer never said") == "Something Typer never said"
        assert translate_type("<float range>") == "<nombre>"
        assert translate_type("<list[str]>") == "<liste[texte]>"
    with use_lang("en"):
        assert translate_error(message) == message
        assert translate_type("<float range>") == "<float range>"
