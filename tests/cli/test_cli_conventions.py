"""Command-line conventions: ``python -m lanterne``, and the language chosen by ``--lang``,
then ``LANTERNE_LANG``, then the system locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``)."""

from __future__ import annotations

import contextvars
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lanterne import __version__
from lanterne.i18n import get_lang, locale_lang

SRC = str(Path(__file__).resolve().parents[2] / "src")
LOCALE_VARS = ("LANTERNE_LANG", "LC_ALL", "LC_MESSAGES", "LANG")
FRENCH = "n'est ni un fichier ni un identifiant du catalogue"
ENGLISH = "is neither a file nor a catalog id"


def python_m(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in LOCALE_VARS}
    return subprocess.run(
        [sys.executable, "-m", "lanterne", *args],
        env={**clean, "PYTHONPATH": SRC, "PYTHONIOENCODING": "utf-8", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_python_m_lanterne_is_the_lanterne_command() -> None:
    version = python_m("--version")
    assert (version.returncode, version.stdout.strip()) == (0, f"lanterne {__version__}")
    # exit codes come through, and the locale chooses English here (no LANTERNE_LANG)
    bad = python_m("score", "nope.yaml", "nope.csv", "-o", "x.parquet", LANG="en_GB.UTF-8")
    assert bad.returncode == 2
    assert ENGLISH in bad.stderr and "Traceback" not in bad.stderr


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "fr_FR.UTF-8"}, "fr"),
        ({"LANG": "de_DE.UTF-8"}, "fr"),  # neither: the default
        ({"LANG": "C.UTF-8"}, "fr"),
        ({"LANG": "POSIX"}, "fr"),
        ({}, "fr"),
        ({"LC_ALL": "fr_CA.UTF-8", "LANG": "en_US.UTF-8"}, "fr"),  # LC_ALL first
        ({"LC_ALL": "C", "LC_MESSAGES": "en_US", "LANG": "en_US"}, "fr"),  # even when C
        ({"LC_ALL": "", "LC_MESSAGES": "en_IE.UTF-8", "LANG": "fr_FR"}, "en"),  # empty: unset
        ({"LC_MESSAGES": "fr_BE", "LANG": "en_US"}, "fr"),
        ({"LANTERNE_LANG": "en", "LANG": "fr_FR.UTF-8"}, "en"),  # LANTERNE_LANG first
        ({"LANTERNE_LANG": "fr", "LC_ALL": "en_US.UTF-8"}, "fr"),
        ({"LANTERNE_LANG": "en-GB", "LANG": "fr_FR"}, "en"),
        ({"LANTERNE_LANG": "xx", "LANG": "en_US"}, "fr"),  # a wrong value is not guessed
    ],
)
def test_language_from_the_environment(monkeypatch, env, expected) -> None:
    for name in LOCALE_VARS:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    # a fresh context: nothing chose the language yet (the test fixture chose French)
    assert contextvars.Context().run(get_lang) == expected
    if "LANTERNE_LANG" not in env:
        assert locale_lang(env) == expected


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (["--lang", "en"], {"LANTERNE_LANG": "fr", "LANG": "fr_FR.UTF-8"}, ENGLISH),
        (["--lang", "fr"], {"LANTERNE_LANG": "en", "LANG": "en_US.UTF-8"}, FRENCH),
        ([], {"LANTERNE_LANG": "en", "LANG": "fr_FR.UTF-8"}, ENGLISH),
        ([], {"LANTERNE_LANG": "fr", "LANG": "en_US.UTF-8"}, FRENCH),
        ([], {"LANG": "en_US.UTF-8"}, ENGLISH),
        ([], {"LC_ALL": "fr_FR.UTF-8", "LANG": "en_US.UTF-8"}, FRENCH),
        ([], {"LANG": "C.UTF-8"}, FRENCH),
    ],
)
def test_cli_language_precedence(cli, monkeypatch, args, env, expected) -> None:
    for name in LOCALE_VARS:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = contextvars.Context().run(
        cli, *args, "score", "nope.yaml", "nope.csv", "-o", "x.parquet"
    )
    assert result.exit_code == 2
    assert expected in result.stderr, result.stderr
    assert (FRENCH if expected == ENGLISH else ENGLISH) not in result.stderr
