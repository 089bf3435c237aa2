"""Optional parts (``lanterne[trees]``, ``[rights]``, ``[pdf]``, ``[web]``, ``[scale]``): a
command that needs a missing one names the extra to install and exits with code 2, in both
languages.

A missing library is simulated the way Python itself reports one: ``sys.modules[name] =
None`` makes ``import name`` fail with ``ModuleNotFoundError``.
"""

from __future__ import annotations

import os
import sys
import tomllib
from pathlib import Path

import pytest

from lanterne.catalog import sample_path
from lanterne.extras import EXTRAS, MissingExtra, available, require

ROOT = Path(__file__).resolve().parents[1]


def hide(monkeypatch: pytest.MonkeyPatch, module: str) -> None:
    """Make ``module`` look not installed for the rest of the test."""
    monkeypatch.setitem(sys.modules, module, None)
    with pytest.raises(ImportError):
        __import__(module)


def expect_missing(result, extra: str, module: str, lang: str) -> None:
    assert result.exit_code == 2, result.output
    install = f"pip install 'lanterne[{extra}]'"
    assert install in result.stderr, result.output
    if lang == "fr":
        assert f"Cette commande a besoin de l'option « {extra} » ({module}" in result.stderr
    else:
        assert f"This command needs the optional part '{extra}' ({module}" in result.stderr
    assert "Traceback" not in result.output


def test_every_extra_is_declared_in_pyproject_and_dev_installs_them_all() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    optional = project["optional-dependencies"]
    assert set(EXTRAS) <= set(optional)
    assert optional["all"] == ["lanterne[trees,rights,pdf,web,scale]"]
    assert "lanterne[all]" in optional["dev"]  # `make demo` and `make test` install .[dev]
    core = " ".join(project["dependencies"])
    for extra in EXTRAS:
        for requirement in optional[extra]:
            name = requirement.split(">")[0].split(";")[0].split("[")[0].strip()
            assert name not in core, f"{name} is both core and in [{extra}]"
    assert any(r.startswith("xgboost-cpu") for r in optional["dev"])
    assert any(r.startswith("openfisca-core>=44.7,<45") for r in optional["rights"])


def test_require_names_the_first_missing_module(monkeypatch) -> None:
    for extra in EXTRAS:
        assert available(extra), extra  # the test environment has everything
        require(extra)
    hide(monkeypatch, "numba")
    assert not available("trees") and available("rights")
    with pytest.raises(MissingExtra) as info:
        require("trees")
    assert (info.value.extra, info.value.module, info.value.exit_code) == ("trees", "numba", 2)
    assert info.value.render("en") == (
        "This command needs the optional part 'trees' (numba is not installed): "
        "pip install 'lanterne[trees]'"
    )


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_rights_without_openfisca(cli, monkeypatch, lang) -> None:
    from lanterne.rights import compute, simulate

    # the tax-benefit system is cached once loaded: call the loader itself
    loader = simulate.tax_benefit_system.__wrapped__
    monkeypatch.setattr(simulate, "tax_benefit_system", loader)
    monkeypatch.setattr(compute, "tax_benefit_system", loader)
    hide(monkeypatch, "openfisca_france")
    result = cli("--lang", lang, "rights", "--set", "income_monthly=0")
    expect_missing(result, "rights", "openfisca_france", lang)


def test_nonrecours_audit_without_openfisca(cli, monkeypatch, tmp_path) -> None:
    from lanterne.rights import compute, simulate

    loader = simulate.tax_benefit_system.__wrapped__
    monkeypatch.setattr(simulate, "tax_benefit_system", loader)
    monkeypatch.setattr(compute, "tax_benefit_system", loader)
    hide(monkeypatch, "openfisca_core")
    result = cli("--lang", "en", "audit", "nonrecours", sample_path(), "-g", "sex")
    expect_missing(result, "rights", "openfisca_core", "en")


@pytest.mark.parametrize("module", ["numba", "lightgbm"])
def test_tree_model_without_trees(cli, monkeypatch, tmp_path, module) -> None:
    hide(monkeypatch, module)
    sample = sample_path("nl-rotterdam-sample.csv")
    out = tmp_path / "scored.parquet"
    result = cli("--lang", "en", "score", "nl-rotterdam-2017", sample, "-o", out)
    expect_missing(result, "trees", module, "en")
    assert not out.exists()


def test_lightgbm_import_without_trees(monkeypatch, tmp_path) -> None:
    from lanterne.importers.lightgbm_text import read_lightgbm_text

    hide(monkeypatch, "lightgbm")
    with pytest.raises(MissingExtra, match=r"lanterne\[trees\]"):
        read_lightgbm_text(tmp_path / "model.txt")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_pdf_letter_and_report_without_weasyprint(cli, monkeypatch, tmp_path, lang) -> None:
    hide(monkeypatch, "weasyprint")
    letter = tmp_path / "lettre.pdf"
    result = cli("--lang", lang, "letter", "fr-cnaf-2014", "--kind", "access", "-o", letter)
    expect_missing(result, "pdf", "weasyprint", lang)
    assert list(tmp_path.iterdir()) == []
    html, pdf = tmp_path / "audit.html", tmp_path / "audit.pdf"
    result = cli(
        "--lang", lang, "audit", "population", "fr-cnaf-2014", sample_path(), "-g", "sex",
        "--report", html, "--pdf", pdf,
    )  # fmt: skip
    expect_missing(result, "pdf", "weasyprint", lang)
    assert list(tmp_path.iterdir()) == []  # refused before the audit: nothing written


def test_demo_pdf_without_weasyprint_stops_before_generating(cli, monkeypatch, tmp_path) -> None:
    hide(monkeypatch, "weasyprint")
    out = tmp_path / "out"
    result = cli("--lang", "en", "demo", "--out", out, "--households", "1000", "--pdf")
    expect_missing(result, "pdf", "weasyprint", "en")
    assert not out.exists()


@pytest.mark.parametrize(("module", "lang"), [("fastapi", "fr"), ("uvicorn", "en")])
def test_serve_without_web(cli, monkeypatch, module, lang) -> None:
    from lanterne.cli import serve

    def never(*args, **kwargs):  # pragma: no cover - reached only if the check failed
        raise AssertionError("the server must not start")

    monkeypatch.setattr(serve, "_serve", never)
    hide(monkeypatch, module)
    expect_missing(cli("--lang", lang, "serve"), "web", module, lang)


def test_serve_without_rights_does_not_load_openfisca(cli, monkeypatch) -> None:
    """The web app starts without ``[rights]``; only its rights page asks for it."""
    from lanterne.cli import serve
    from lanterne.web import app as web_app

    made = []
    monkeypatch.setattr(web_app, "create_app", lambda config: made.append(config))
    monkeypatch.setattr(web_app, "settled", lambda app: app)
    monkeypatch.setattr(serve, "_serve", lambda *a, **k: None)
    hide(monkeypatch, "openfisca_france")
    assert cli("serve").exit_code == 0
    assert [c.warm_rights for c in made] == [False]
    monkeypatch.delitem(sys.modules, "openfisca_france")
    made.clear()
    assert cli("serve").exit_code == 0
    assert [c.warm_rights for c in made] == [True]


BLOCKED = (
    "lightgbm", "numba", "llvmlite", "openfisca_core", "openfisca_france", "weasyprint",
    "fastapi", "starlette", "uvicorn", "python_multipart", "xgboost",
    "dask", "distributed", "duckdb", "adbc_driver_manager", "adbc_driver_postgresql",
)  # fmt: skip


def test_core_commands_need_no_extra(tmp_path) -> None:
    """Scoring, auditing, the HTML report, an explanation and a letter run in a process where
    none of the optional libraries can be imported (as after ``pip install lanterne``)."""
    import subprocess

    sample = sample_path()
    script = f"""
import sys
sys.modules.update(dict.fromkeys({BLOCKED!r}))
from lanterne.cli.app import run
codes = [
    run(["score", "fr-cnaf-2014", {str(sample)!r}, "-o", {str(tmp_path / "s.parquet")!r}]),
    run(["report", "fr-cnaf-2014", {str(sample)!r}, "-g", "sex", "-o",
         {str(tmp_path / "r.html")!r}]),
    run(["explain", "fr-cnaf-2014", "--archetype", "single-mother-rsa"]),
    run(["letter", "fr-cnaf-2014", "--kind", "access", "-o", {str(tmp_path / "l.md")!r}]),
    run(["--help"]),
]
print("CODES", codes)
print("LOADED", sorted(m for m in {BLOCKED!r} if sys.modules.get(m) is not None))
"""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "LANTERNE_LANG": "en"}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=600
    )
    assert "CODES [0, 0, 0, 0, 0]" in done.stdout, done.stdout[-2000:] + done.stderr[-2000:]
    assert "LOADED []" in done.stdout
    # the letter and, in a file of their own, the notes for the person (not to be sent)
    assert {p.name for p in tmp_path.iterdir()} == {"s.parquet", "r.html", "l.md", "l-notes.md"}


def test_web_rights_page_without_openfisca(monkeypatch) -> None:
    """The rest of the site works; the rights page answers with the extra to install."""
    from fastapi.testclient import TestClient

    from lanterne.rights import compute, simulate
    from lanterne.web.app import create_app
    from lanterne.web.rights import archetype_values

    loader = simulate.tax_benefit_system.__wrapped__
    monkeypatch.setattr(simulate, "tax_benefit_system", loader)
    monkeypatch.setattr(compute, "tax_benefit_system", loader)
    hide(monkeypatch, "openfisca_france")
    client = TestClient(create_app(population_rows=500))
    assert client.get("/rights?lang=en").status_code == 200  # the form needs no OpenFisca
    form = archetype_values("single-mother-rsa") | {"month": "2025-06", "income_monthly": "0"}
    response = client.post("/rights?lang=en", data=form)
    assert response.status_code == 422
    assert "pip install &#39;lanterne[rights]&#39;" in response.text  # escaped HTML
    assert "This command needs the optional part" in response.text


@pytest.mark.parametrize("module", ["distributed", "duckdb"])
def test_cluster_and_databases_without_scale(cli, monkeypatch, tmp_path, module) -> None:
    hide(monkeypatch, module)
    out = tmp_path / "scored.parquet"
    if module == "distributed":
        args = ("score", "fr-cnaf-2014", sample_path(), "-o", out, "--cluster", "local:1")
    else:
        (tmp_path / "h.duckdb").write_bytes(b"")
        uri = f"duckdb:///{tmp_path / 'h.duckdb'}?table=households"
        args = ("score", "fr-cnaf-2014", uri, "-o", out)
    expect_missing(cli("--lang", "en", *args), "scale", module, "en")
    assert not out.exists()
