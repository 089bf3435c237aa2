"""Shared fixtures: the embedded sample, a CLI runner, and a small spec to break on purpose."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest

from lanterne.catalog import sample_path
from lanterne.cli.app import run
from lanterne.i18n import use_lang
from lanterne.io.tables import read_table


@pytest.fixture(autouse=True)
def _french_by_default(monkeypatch: pytest.MonkeyPatch):
    """Tests start in French, the default, whatever the developer's environment says
    (the locale too: commands run in a subprocess read it)."""
    for name in ("LANTERNE_LANG", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    with use_lang("fr"):
        yield


@pytest.fixture(scope="session")
def sample() -> pl.DataFrame:
    """The embedded synthetic sample, as read from its CSV (text columns)."""
    return read_table(sample_path())


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run ``lanterne`` in-process with arguments; returns exit code and captured output."""

    def invoke(*args: str | Path) -> CliResult:
        capsys.readouterr()
        code = run([str(a) for a in args])
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return invoke


MINIMAL_SPEC = textwrap.dedent(
    """\
    lanterne_spec: 1
    id: tiny
    name: {fr: Petit modèle, en: Tiny model}
    agency: Test agency
    country: FR
    years: [2020, null]
    description: {fr: Un modèle de test., en: A test model.}
    status: illustrative
    sources:
      - id: doc
        title: Test document
        url: https://example.org/doc
    variables:
      - name: income
        type: float
        range: [0, 10000]
        mutable: true
        description: {fr: Revenu, en: Income}
      - name: kids
        type: int
        range: [0, 10]
        description: {fr: Enfants, en: Children}
      - name: rsa
        type: bool
        description: {fr: RSA, en: RSA}
      - name: family
        type: category
        categories: [single, couple, single_parent]
        description: {fr: Famille, en: Family}
      - name: sex
        type: category
        categories: [female, male]
        sensitive: true
        description: {fr: Sexe, en: Sex}
    features:
      - name: low_income
        expr: "income < 800"
        description: {fr: Faible revenu, en: Low income}
      - name: single_parent
        expr: "family == 'single_parent'"
        description: {fr: Parent isolé, en: Single parent}
    model:
      kind: logistic
      source: doc
      intercept: {value: -2.0}
      coefficients:
        - {feature: low_income, value: 0.9}
        - {feature: single_parent, value: 0.5}
        - {feature: rsa, value: 0.7}
        - {feature: kids, value: 0.1}
    targeting:
      top_share: 0.25
    """
)


@pytest.fixture
def write_spec(tmp_path: Path) -> Callable[[str], Path]:
    """Write spec text to a file and return its path."""

    def write(text: str, name: str = "spec.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def tiny_data() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "income": [500.0, 1200.0, 0.0, 3000.0],
            "kids": [2, 0, 1, 3],
            "rsa": [True, False, True, False],
            "family": ["single_parent", "single", "single_parent", "couple"],
            "sex": ["female", "male", "female", "male"],
        }
    )
