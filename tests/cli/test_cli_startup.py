"""``lanterne --help``, ``--version`` and every ``<command> --help`` start without the
heavy libraries: the import graph is checked (in a fresh process), not the clock
(``benchmarks/bench_cli_startup.py`` measures the time)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SRC = str(Path(__file__).resolve().parents[2] / "src")

#: Libraries a help page or the version must not import (top-level package names).
HEAVY = (
    "polars",
    "numpy",
    "pyarrow",
    "pandas",
    "matplotlib",
    "jinja2",
    "scipy",
    "sklearn",
    "openfisca_core",
    "openfisca_france",
    "lightgbm",
    "xgboost",
    "numba",
    "weasyprint",
    "fastapi",
    "uvicorn",
    "dask",
    "duckdb",
    "yaml",
)

#: Runs in a fresh interpreter: every help page in turn, then the heavy modules loaded.
PROBE = """
import json, sys
HEAVY = set(sys.argv[1].split(","))
def heavy():
    return sorted({m.split(".")[0] for m in sys.modules} & HEAVY)
import lanterne
after_import = heavy()
from lanterne.cli.app import command, run
def walk(cmd, path):
    yield path
    for name, sub in sorted(getattr(cmd, "commands", {}).items()):
        yield from walk(sub, [*path, name])
pages = {}
codes = {}
for lang in ("fr", "en"):
    for path in walk(command(), []):
        args = ["--lang", lang, *path, "--help"]
        codes[" ".join(args)] = run(args)
        pages[" ".join(args)] = heavy()
codes["--version"] = run(["--version"])
pages["--version"] = heavy()
print(json.dumps({"import": after_import, "pages": pages, "codes": codes}))
"""


def probe() -> dict:
    env = {**os.environ, "PYTHONPATH": SRC, "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, ",".join(HEAVY)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_help_and_version_import_no_heavy_library() -> None:
    result = probe()
    assert result["import"] == [], "import lanterne loads " + ", ".join(result["import"])
    pages = result["pages"]
    # every command and sub-command was shown (the walk found the whole tree)
    assert {"--lang fr audit population --help", "--lang en models compare --help"} <= set(pages)
    assert "--lang fr import xgboost --help" in pages or any(" import " in p for p in pages)
    assert len(pages) > 30
    assert set(result["codes"].values()) == {0}
    loaded = {page: mods for page, mods in pages.items() if mods}
    assert loaded == {}, f"help pages importing heavy libraries: {loaded}"


def test_python_m_version_is_light() -> None:
    env = {**os.environ, "PYTHONPATH": SRC}
    code = (
        "import runpy, sys; sys.argv = ['lanterne', '--version']\n"
        "try:\n    runpy.run_module('lanterne', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({list(HEAVY)!r})))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    version, modules = done.stdout.strip().splitlines()[-2:]
    assert version.startswith("lanterne ")
    assert modules == "[]"


def test_the_lazy_names_of_the_package_still_work() -> None:
    import lanterne

    assert lanterne.load_model("fr-cnaf-2014").spec.id == "fr-cnaf-2014"
    assert issubclass(lanterne.SpecError, lanterne.LanterneError)
    assert "load_model" in dir(lanterne)
    try:
        lanterne.no_such_name  # noqa: B018
    except AttributeError as exc:
        assert "no_such_name" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("an unknown name must raise AttributeError")
