"""Hostile model files: truncated or forged LightGBM texts, XGBoost JSON with cycles, bad
indices, text thresholds or deep nesting, trees files that lead out of their folder.

Every attack must end with exit code 2 and one clear message, never a native crash (exit
134/139), a hang or a traceback, and leave no output behind. Commands run in a separate
process, where a crash inside LightGBM or XGBoost would show as a return code instead of
taking the test run down. The fuzzing at the end mutates valid model files at random:
Lanterne's checks must accept or refuse each one, and whatever they accept must then load
in LightGBM or XGBoost without crashing.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lanterne
from lanterne.errors import LanterneError
from lanterne.importers import from_xgboost_dict
from lanterne.importers.lightgbm_check import check_lightgbm_text

pytestmark = pytest.mark.hostile  # an attack: `pytest -m hostile` runs them all

lightgbm = pytest.importorskip("lightgbm")
xgboost = pytest.importorskip("xgboost")

SRC = str(Path(lanterne.__file__).resolve().parents[1])

#: Runs CLI commands in-process, one after the other, inside the child process.
_RUNNER = textwrap.dedent(
    """
    import contextlib, io, json, sys
    from lanterne.cli.app import run
    results = []
    for args in json.loads(sys.argv[1]):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = run(args)
        results.append({"code": code, "output": out.getvalue() + err.getvalue()})
    print(json.dumps(results))
    """
)


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = SRC + os.pathsep + env.get("PYTHONPATH", "")
    env["LANTERNE_LANG"] = "en"
    env["COLUMNS"] = "200"
    return env


def run_commands(commands: list[list[str]], timeout: float = 180) -> list[dict]:
    """Each command's exit code and output; fails if the child process itself crashed."""
    proc = subprocess.run(
        [sys.executable, "-c", _RUNNER, json.dumps(commands)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=child_env(),
    )
    assert proc.returncode == 0, f"child crashed: {proc.returncode}\n{proc.stderr[-3000:]}"
    return json.loads(proc.stdout.strip().splitlines()[-1])


def assert_refused(result: dict, *words: str) -> None:
    assert result["code"] == 2, result
    assert "Traceback" not in result["output"], result["output"]
    for word in words:
        assert word in result["output"], (word, result["output"])


# --------------------------------------------------------------------------- models


@pytest.fixture(scope="module")
def lgb_text(tmp_path_factory: pytest.TempPathFactory) -> str:
    x = np.arange(120.0).reshape(40, 3)
    y = ((x[:, 0] > 38) ^ (x[:, 1] < 20)).astype(int)
    booster = lightgbm.train(
        {"objective": "binary", "verbose": -1, "min_data_in_leaf": 2, "num_leaves": 5},
        lightgbm.Dataset(x, y, feature_name=["age", "rent", "kids"]),
        num_boost_round=3,
    )
    return booster.model_to_string()


@pytest.fixture(scope="module")
def xgb_doc() -> dict:
    x = np.arange(120.0).reshape(40, 3)
    y = ((x[:, 0] > 38) ^ (x[:, 1] < 20)).astype(int)
    booster = xgboost.train(
        {"objective": "binary:logistic", "max_depth": 2},
        xgboost.DMatrix(x, label=y, feature_names=["age", "rent", "kids"]),
        num_boost_round=2,
    )
    return json.loads(booster.save_raw("json"))


def lgb_attacks(text: str) -> dict[str, str]:
    """Forged variants of a valid LightGBM text model, each a known way to crash LightGBM."""
    end = text.index("end of trees")
    tree1 = text.index("Tree=1")
    out = {f"cut at {n}": text[:n] for n in (150, 400, tree1 - 5, tree1 + 60, end - 3)}
    out["no end of trees"] = text[:end]
    sizes = next(line for line in text.splitlines() if line.startswith("tree_sizes="))
    out["tree_sizes wrong"] = text.replace(sizes, "tree_sizes=5 5 5")
    first = text.index("left_child=", text.index("Tree=0"))
    line_end = text.index("\n", first)
    children = text[first:line_end].split("=")[1].split(" ")
    out["child out of range"] = (
        text[:first] + "left_child=" + " ".join(["99", *children[1:]]) + text[line_end:]
    )
    out["child cycle"] = (
        text[:first] + "left_child=" + " ".join(["0", *children[1:]]) + text[line_end:]
    )
    feature = text.index("split_feature=", text.index("Tree=0"))
    out["feature out of range"] = text[:feature] + "split_feature=7" + text[feature + 15 :]
    threshold = text.index("threshold=", text.index("Tree=0"))
    out["text threshold"] = text[:threshold] + "threshold=abc " + text[threshold + 10 :]
    out["nan leaf"] = text.replace("leaf_value=", "leaf_value=nan ", 1)
    out["leaves miscounted"] = text.replace("num_leaves=", "num_leaves=9", 1)
    objective = next(line for line in text.splitlines() if line.startswith("objective="))
    out["unknown objective"] = text.replace(objective, "objective=abc", 1)  # found by fuzzing
    names = next(line for line in text.splitlines() if line.startswith("feature_names="))
    out["header key twice"] = text.replace(names, f"{names}\nfeature_names=age", 1)  # fuzzing
    return out


def test_forged_lightgbm_models_are_refused_without_a_crash(lgb_text, tmp_path):
    attacks = lgb_attacks(lgb_text)
    commands = []
    for i, forged in enumerate(attacks.values()):
        path = tmp_path / f"m{i}.txt"
        path.write_text(forged, encoding="utf-8")
        out = tmp_path / f"out{i}" / "m.yaml"
        commands.append(["import", "lightgbm", str(path), "-o", str(out)])
    results = run_commands(commands)
    for (name, _), result, command in zip(attacks.items(), results, commands, strict=True):
        assert result["code"] == 2, (name, result)
        assert "Traceback" not in result["output"], (name, result["output"])
        assert Path(command[2]).name in result["output"], (name, result["output"])
    assert not any(tmp_path.glob("out*/*")), "no partial output"


def test_the_valid_lightgbm_model_still_imports(lgb_text, tmp_path):
    path = tmp_path / "m.txt"
    path.write_text(lgb_text, encoding="utf-8")
    [result] = run_commands([["import", "lightgbm", str(path), "-o", str(tmp_path / "o.yaml")]])
    assert result["code"] == 0, result
    assert (tmp_path / "o.trees.json").exists()


def xgb_attacks(doc: dict) -> dict[str, dict]:
    def variant(change) -> dict:
        copy = json.loads(json.dumps(doc))
        change(copy["learner"]["gradient_booster"]["model"]["trees"][0])
        return copy

    def cycle(tree):
        tree["left_children"][0] = 0

    def loop_below(tree):  # node 1 points back to the root
        tree["left_children"][1], tree["right_children"][1] = 0, 0

    def out_of_range(tree):
        tree["right_children"][0] = 10_000

    def negative_child(tree):  # XGBoost follows -2 outside the tree (a segfault)
        tree["left_children"][1] = -2

    def text_threshold(tree):
        tree["split_conditions"][0] = "abc"

    def bad_feature(tree):
        tree["split_indices"][0] = 55

    def short_array(tree):
        tree["sum_hessian"] = tree["sum_hessian"][:1]

    def huge_threshold(tree):  # finite in JSON, infinite in float32
        tree["split_conditions"][0] = 1e39

    return {
        "cycle at the root": variant(cycle),
        "cycle below": variant(loop_below),
        "child out of range": variant(out_of_range),
        "child -2": variant(negative_child),
        "text threshold": variant(text_threshold),
        "feature out of range": variant(bad_feature),
        "short array": variant(short_array),
        "float32 overflow": variant(huge_threshold),
    }


def test_forged_xgboost_models_are_refused_without_a_hang(xgb_doc, tmp_path):
    attacks = xgb_attacks(xgb_doc)
    commands = []
    for i, forged in enumerate(attacks.values()):
        path = tmp_path / f"m{i}.json"
        path.write_text(json.dumps(forged), encoding="utf-8")
        out = tmp_path / f"out{i}" / "m.yaml"
        commands.append(["import", "xgboost", str(path), "-o", str(out)])
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    commands.append(["import", "xgboost", str(deep), "-o", str(tmp_path / "outdeep" / "m.yaml")])
    results = run_commands(commands, timeout=120)  # a cycle used to loop forever
    names = [*attacks, "deeply nested JSON"]
    for name, result in zip(names, results, strict=True):
        assert result["code"] == 2, (name, result)
        assert "Traceback" not in result["output"], (name, result["output"])
    assert "cycle" in results[0]["output"]
    assert "nested too deep" in results[-1]["output"]
    assert not any(tmp_path.glob("out*/*")), "no partial output"


# --------------------------------------------------------------------------- trees files

TREES_SPEC = """\
lanterne_spec: 1
id: t
name: {fr: Arbres, en: Trees}
agency: Test
country: FR
years: [2020, null]
description: {fr: Test., en: Test.}
status: illustrative
sources:
  - {id: doc, title: Doc, url: "https://example.org"}
variables:
  - {name: age, type: float, description: {fr: Âge, en: Age}}
model:
  kind: trees
  source: doc
  link: logit
  split_rule: "<"
  precision: float64
  base_score: {value: 0.0}
  ensemble: {file: TREES}
targeting: {top_share: 0.1}
"""
TREES = {
    "lanterne_trees": 1,
    "trees": [
        {
            "feature": ["age", None, None],
            "threshold": [30, None, None],
            "left": [1, -1, -1],
            "right": [2, -1, -1],
            "value": [None, -0.2, 0.3],
            "cover": [10, 4, 6],
        }
    ],
}


def test_a_trees_file_may_not_lead_out_of_the_spec_folder(tmp_path, cli):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "secret.trees.json").write_text(json.dumps(TREES), encoding="utf-8")
    folder = tmp_path / "spec"
    folder.mkdir()
    (folder / "link.trees.json").symlink_to(outside / "secret.trees.json")
    (folder / "sub").symlink_to(outside, target_is_directory=True)
    (folder / "ok.trees.json").write_text(json.dumps(TREES), encoding="utf-8")
    for ref in ("link.trees.json", "sub/secret.trees.json"):
        spec = folder / "m.yaml"
        spec.write_text(TREES_SPEC.replace("TREES", ref), encoding="utf-8")
        result = cli("--lang", "en", "models", "check", spec)
        assert result.exit_code == 2, result.output
        assert "leads out of the spec's folder" in result.output
        assert "Traceback" not in result.output
    spec.write_text(TREES_SPEC.replace("TREES", "ok.trees.json"), encoding="utf-8")
    assert cli("models", "check", spec).exit_code == 0  # a plain file next to the spec


def test_a_deeply_nested_trees_file_is_a_clear_error(tmp_path, cli):
    (tmp_path / "deep.trees.json").write_text("[" * 50_000 + "]" * 50_000, encoding="utf-8")
    spec = tmp_path / "m.yaml"
    spec.write_text(TREES_SPEC.replace("TREES", "deep.trees.json"), encoding="utf-8")
    result = cli("--lang", "en", "models", "check", spec)
    assert result.exit_code == 2
    assert "JSON nested too deep" in result.output


# --------------------------------------------------------------------------- fuzzing

_TOKENS = ["", "0", "-1", "-2", "1", "7", "99", "nan", "inf", "1e400", "abc", "=", "Tree=0",
           "-2147483648", "2147483647", "0.5 0.5", "end of trees", "num_leaves=2"]  # fmt: skip


@st.composite
def mutated_lines(draw, text: str) -> str:
    lines = text.split("\n")
    for _ in range(draw(st.integers(1, 3))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["value", "token", "delete", "copy", "cut"]))
        line = lines[i]
        if op == "value" and "=" in line:
            words = line.split("=", 1)[1].split(" ")
            j = draw(st.integers(0, len(words) - 1))
            words[j] = draw(st.sampled_from(_TOKENS))
            lines[i] = line.split("=", 1)[0] + "=" + " ".join(words)
        elif op == "token":
            lines[i] = draw(st.sampled_from(_TOKENS))
        elif op == "delete":
            del lines[i]
        elif op == "copy" and len(lines) > 1:
            lines.insert(i, lines[draw(st.integers(0, len(lines) - 1))])
        else:
            lines = [*lines[:i], line[: draw(st.integers(0, len(line)))]]
    return "\n".join(lines)


def test_fuzzed_lightgbm_texts_are_refused_or_load_safely(lgb_text):
    """Lanterne's check refuses or passes each mutant; LightGBM then reads every one passed."""
    # the parameters section plays no part: fuzz the header and the trees
    base = lgb_text[: lgb_text.index("end of trees")] + "end of trees\n"
    passed: list[str] = []

    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
    @given(mutated_lines(base))
    def check(text: str) -> None:
        with contextlib.suppress(LanterneError):
            passed.append(check_lightgbm_text(text, "m.txt"))

    check()
    assert passed, "some mutants (e.g. of a gain or a weight) stay valid"
    loader = textwrap.dedent(
        """
        import json, sys, numpy as np, lightgbm
        for text in json.load(sys.stdin):
            booster = lightgbm.Booster(model_str=text)
            booster.dump_model()
            booster.predict(np.zeros((3, booster.num_feature())), raw_score=True)
            booster.predict(np.zeros((3, booster.num_feature())), pred_contrib=True)
        print("ok")
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", loader],
        input=json.dumps(passed[:150]),
        capture_output=True,
        text=True,
        timeout=300,
        env=child_env(),
    )
    assert proc.returncode == 0 and "ok" in proc.stdout, (proc.returncode, proc.stderr[-3000:])


_JSON_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=5),
    st.lists(st.integers(-3, 5), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@st.composite
def mutated_xgboost(draw, doc: dict) -> dict:
    copy = json.loads(json.dumps(doc))
    model = copy["learner"]["gradient_booster"]["model"]
    trees = model["trees"]
    for _ in range(draw(st.integers(1, 3))):
        # mostly a tree's arrays, sometimes the lists indexed by tree number
        tree = draw(st.sampled_from([*trees, *trees, *trees, model]))
        keys = sorted(k for k in tree if k != "trees") if isinstance(tree, dict) else []
        if not keys:
            continue
        key = draw(st.sampled_from(keys))
        op = draw(st.sampled_from(["element", "index", "value", "delete", "truncate"]))
        if op in ("element", "index") and isinstance(tree[key], list) and tree[key]:
            i = draw(st.integers(0, len(tree[key]) - 1))
            new = draw(st.integers(-3, 8)) if op == "index" else draw(_JSON_VALUES)
            tree[key][i] = new
        elif op == "value":
            tree[key] = draw(_JSON_VALUES)
        elif op == "delete":
            del tree[key]
        elif isinstance(tree[key], list):
            tree[key] = tree[key][: draw(st.integers(0, len(tree[key])))]
    return copy


def test_fuzzed_xgboost_models_are_refused_or_load_safely(xgb_doc, tmp_path):
    passed: list[dict] = []

    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
    @given(mutated_xgboost(xgb_doc))
    def check(doc: dict) -> None:
        try:
            from_xgboost_dict(doc, "m.json")
        except LanterneError:
            return
        passed.append(doc)

    check()
    assert passed
    files = []
    for i, doc in enumerate(passed[:100]):
        path = tmp_path / f"m{i}.json"
        path.write_text(json.dumps(doc), encoding="utf-8")
        files.append(str(path))
    loader = textwrap.dedent(
        """
        import json, sys, numpy as np
        from lanterne.errors import LanterneError
        from lanterne.importers import read_xgboost_json
        for path in json.load(sys.stdin):
            print(path, file=sys.stderr, flush=True)  # the last one named is the culprit
            try:
                model = read_xgboost_json(path)
            except LanterneError:
                continue
            model.reference_margin(np.zeros((3, len(model.feature_names))))
        print("ok")
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", loader],
        input=json.dumps(files),
        capture_output=True,
        text=True,
        timeout=300,
        env=child_env(),
    )
    if proc.returncode != 0:
        culprit = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else ""
        shown = Path(culprit).read_text()[-3000:] if culprit.endswith(".json") else ""
        pytest.fail(f"XGBoost crashed ({proc.returncode}) on {culprit}:\n{shown}")
    assert "ok" in proc.stdout


def chain_tree(depth: int) -> dict:
    """A tree that is one long chain: node 2k splits into leaf 2k+1 and node 2k+2."""
    n = 2 * depth + 1
    left = [i + 1 if i % 2 == 0 and i < n - 1 else -1 for i in range(n)]
    right = [i + 2 if i % 2 == 0 and i < n - 1 else -1 for i in range(n)]
    inner = [left[i] != -1 for i in range(n)]
    return {
        "feature": ["age" if x else None for x in inner],
        "threshold": [float(i) if x else None for i, x in enumerate(inner)],
        "left": left,
        "right": right,
        "value": [None if x else 0.1 for x in inner],
        "cover": [float(n - i) for i in range(n)],
    }


def test_a_tree_deeper_than_the_limit_is_refused_before_lightgbm(tmp_path, cli):
    from lanterne.spec.trees import MAX_DEPTH, pack_trees

    ok, problems = pack_trees([chain_tree(MAX_DEPTH)], order=["age"])
    assert ok is not None and not problems
    (tmp_path / "deep.trees.json").write_text(
        json.dumps({"lanterne_trees": 1, "trees": [chain_tree(100_000)]}), encoding="utf-8"
    )
    spec = tmp_path / "m.yaml"
    spec.write_text(TREES_SPEC.replace("TREES", "deep.trees.json"), encoding="utf-8")
    result = cli("--lang", "en", "models", "check", spec)
    assert result.exit_code == 2
    assert "tree deeper than 500 levels" in result.output
