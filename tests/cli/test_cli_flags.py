"""Library messages speak of values (Python API, web pages); the CLI names its own options.

Each case raises the library's error through the Python API, checks that neither language
names a CLI option, then checks that the command line says the same thing with its flag —
by running the command where the CLI lets the value through, else by passing the library's
error through the real command's option table (the CLI checks those values itself first).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

from lanterne.catalog import sample_path
from lanterne.errors import LanterneError

SRC = Path(__file__).resolve().parents[2] / "src" / "lanterne"
FLAG = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")
AMSTERDAM = ("nl-amsterdam-slimme-check-2022-prepilot", "nl-amsterdam-slimme-check-2022-reweighed")


def _raised(call: Callable[[], object]) -> LanterneError:
    with pytest.raises(LanterneError) as info:
        call()
    for lang in ("fr", "en"):
        said = info.value.render(lang)
        assert not FLAG.search(said), said  # the library names no CLI option
    return info.value


def _leaf(*names: str):
    from lanterne.cli.app import command

    cmd = command()
    for name in names:
        cmd = cmd.commands[name]
    return cmd


def _through_cli(exc: LanterneError, *names: str) -> str:
    from lanterne.cli.flags import with_flags

    return with_flags(exc, _leaf(*names)).render("en")


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def counts(tmp_path: Path) -> Path:
    path = tmp_path / "counts.csv"
    path.write_text("group,tp,fp,tn,fn\na,1,2,3,4\nb,2,2,2,2\n", encoding="utf-8")
    return path


# --------------------------------------------------- values the CLI checks before the library


def test_population_audit_needs_groups_and_scores() -> None:
    from lanterne.audit import audit_population

    no_groups = _raised(lambda: audit_population("fr-cnaf-2014", sample_path(), group_cols=[]))
    said = no_groups.render("en")
    assert said == "give at least one group column"
    cli_said = _through_cli(no_groups, "audit", "population")
    assert cli_said == "give at least one group column (--group-col)"
    no_scores = _raised(lambda: audit_population(None, sample_path(), group_cols=["sex"]))
    assert _through_cli(no_scores, "audit", "population") == (
        "without a model, name the column holding the scores (--score-col)"
    )


def test_min_cell_is_said_in_words_and_named_by_each_command() -> None:
    from lanterne.audit import audit_population

    bad = _raised(
        lambda: audit_population("fr-cnaf-2014", sample_path(), group_cols=["sex"], min_cell=-1)
    )
    assert "smallest group size to publish" in bad.render("en") and "-1" in bad.render("en")
    for names in (("audit", "population"), ("audit", "selection"), ("audit", "confusion")):
        assert _through_cli(bad, *names).endswith("got -1 (--min-cell)")


def test_selection_audit_names_negative_values_and_bootstrap() -> None:
    from lanterne.audit import audit_selection

    data = pl.DataFrame({"how": ["random", "algo"], "found": ["no", "yes"], "g": ["a", "b"]})
    common = {"selection_col": "how", "random_value": "random", "outcome_col": "found"}
    none = _raised(lambda: audit_selection(data, **common, negative_values=[], group_cols=["g"]))
    assert _through_cli(none, "audit", "selection") == (
        "give at least one negative value (--negative-value)"
    )
    groups = _raised(lambda: audit_selection(data, **common, negative_values=["no"], group_cols=[]))
    assert _through_cli(groups, "audit", "selection").endswith("(--group-col)")
    resamples = _raised(
        lambda: audit_selection(data, **common, negative_values=["no"], group_cols=["g"], level=2)
    )
    # the level has no option in this command: it stays in words, the bootstrap is named
    assert _through_cli(resamples, "audit", "selection") == (
        "the number of bootstrap resamples must be ≥ 0 and the level between 0 and 1 (--bootstrap)"
    )


def test_too_large_grids_ask_for_fewer_values() -> None:
    from lanterne.compare import default_grid
    from lanterne.model import load_model

    models = [load_model(m) for m in AMSTERDAM]
    variable = models[0].used_variables[0]
    big = _raised(lambda: default_grid(models, {variable: list(range(100_000))}))
    assert _through_cli(big, "models", "compare").endswith("give fewer values (--value)")


# ----------------------------------------------------------- values that reach the library


def test_confusion_sheet_and_within(cli, counts: Path) -> None:
    from lanterne.audit import audit_confusion

    sheet = _raised(lambda: audit_confusion(counts, sheet="x"))
    result = cli("--lang", "en", "audit", "confusion", counts, "--sheet", "x")
    assert result.exit_code == 2
    assert f"{sheet.render('en')} (--sheet)" in _flat(result.stderr)
    within = _raised(lambda: audit_confusion(counts, within=["nope"]))
    assert within.render("en").startswith("nope: not a group column")
    result = cli("--lang", "en", "audit", "confusion", counts, "--within", "nope")
    assert result.exit_code == 2
    assert f"--within {within.render('en')}" in _flat(result.stderr)


def test_compare_values(cli) -> None:
    from lanterne.compare.grid import parse_value_options
    from lanterne.model import load_model

    models = [load_model(m) for m in AMSTERDAM]
    shape = _raised(lambda: parse_value_options(["foo"], models))
    value = _raised(lambda: parse_value_options(["has_partner=2"], models))
    assert value.render("en").startswith("has_partner: ")
    result = cli("--lang", "en", "models", "compare", *AMSTERDAM, "--value", "foo")
    assert result.exit_code == 2 and f"{shape.render('en')} (--value)" in _flat(result.stderr)
    result = cli("--lang", "en", "models", "compare", *AMSTERDAM, "--value", "has_partner=2")
    assert result.exit_code == 2 and f"--value {value.render('en')}" in _flat(result.stderr)


def test_cluster_values(cli, tmp_path: Path) -> None:
    from lanterne.scale.cluster import parse_cluster

    for text in ("bad", "local:0"):
        said = _raised(lambda text=text: parse_cluster(text)).render("en")
        out = tmp_path / "s.csv"
        result = cli(
            "--lang", "en", "score", "fr-cnaf-2014", sample_path(), "-o", out, "--cluster", text
        )
        assert result.exit_code == 2 and f"{said} (--cluster)" in _flat(result.stderr)


def test_pickles_are_refused_in_words_and_the_cli_names_its_option(cli, tmp_path: Path) -> None:
    from lanterne.importers.sklearn_models import read_sklearn_pickle

    path = tmp_path / "model.pkl"
    path.write_bytes(b"not read")
    said = _raised(lambda: read_sklearn_pickle(path)).render("en")
    assert said.endswith("allow the pickle explicitly")
    result = cli("--lang", "en", "import", "sklearn", path, "-o", tmp_path / "out.yaml")
    assert result.exit_code == 2 and f"{said} (--trust-pickle)" in _flat(result.stderr)


def test_existing_outputs_are_refused_in_words(tmp_path: Path) -> None:
    from lanterne.importers.writer import exists_error

    said = exists_error(tmp_path / "m.yaml").render("en")
    assert not FLAG.search(said) and "already exists" in said
    # the command line (test_importers) says "(--force)" after it


def test_counterfactual_budget_message(cli) -> None:
    from lanterne.explain import Budget, build_household, counterfactuals
    from lanterne.model import load_model

    model = load_model("fr-cnaf-2014")
    house = build_household(model, archetype="single-mother-rsa")
    found = counterfactuals(model, house, 0.07, Budget(max_evaluations=3))
    for lang in ("fr", "en"):
        assert not FLAG.search(found.message.render(lang))
    assert found.message.render("en").endswith("Narrow the variables to vary or raise the budget.")
    args = ("explain", "fr-cnaf-2014", "--archetype", "single-mother-rsa", "--threshold", "0.07")
    result = cli("--lang", "en", *args, "--counterfactual", "--budget", "3")
    assert result.exit_code == 0, result.output
    assert "raise the budget (--vary --budget)." in _flat(result.stdout)


def test_household_origin_is_said_in_words() -> None:
    from lanterne.explain import build_household
    from lanterne.model import load_model

    house = build_household(
        load_model("fr-cnaf-2014"), archetype="single-mother-rsa", sets=["n_children=2"]
    )
    assert house.describe("en").endswith("+ VARIABLE=VALUE values")
    assert house.describe("fr").endswith("+ valeurs VARIABLE=VALEUR")


# ------------------------------------------------------------------------- the whole library

#: Library texts that may show a flag, because they show a whole command to run.
ALLOWED = {
    ("web/app.py", "--max-upload-mb"): "tells the server's operator the command to restart it",
    ("web/audit.py", "--report"): "the whole 'lanterne audit nonrecours' command for big files",
    ("scale/sample.py", "--cluster"): "the whole 'lanterne demo --cluster' command in a report",
}


def _docstrings(tree: ast.Module) -> set[int]:
    kinds = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    return {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, kinds) and node.body and isinstance(node.body[0], ast.Expr)
    }


def _flags_in_texts() -> set[tuple[str, str]]:
    """Flags in the library's sentences: every string with a space outside docstrings
    (whatever builds the message: Msg, tr, Problem, a page's error helper...). Lone tokens
    such as ``"--report"`` build command lines to show, not sentences."""
    found = set()
    for path in SRC.rglob("*.py"):
        relative = path.relative_to(SRC).as_posix()
        if relative.startswith("cli/"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = _docstrings(tree)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and " " in node.value
                and id(node) not in docs
            ):
                found |= {(relative, flag) for flag in FLAG.findall(node.value)}
    return found


def test_no_library_text_names_a_cli_option() -> None:
    found = _flags_in_texts()
    assert found - set(ALLOWED) == set()
    assert set(ALLOWED) <= found  # the allow-list holds nothing that is gone


def test_the_scan_finds_a_flag_in_a_message(tmp_path: Path, monkeypatch) -> None:
    module = tmp_path / "lanterne" / "audit"
    module.mkdir(parents=True)
    (module / "x.py").write_text(
        'Msg("donnez --group-col", "give a group column (--group-col)")\n', encoding="utf-8"
    )
    monkeypatch.setattr(f"{__name__}.SRC", tmp_path / "lanterne")
    assert _flags_in_texts() == {("audit/x.py", "--group-col")}
