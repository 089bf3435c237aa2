"""The ``trees`` model kind: scoring, exact TreeSHAP contributions, and spec checks.

Independent computations: a hand-worked two-tree example, a NumPy traversal, and exact
Shapley values computed from their definition (every subset of inputs, with the
path-dependent conditional expectation of Lundberg et al.'s Algorithm 1).
"""

from __future__ import annotations

import itertools
import json
import math
import textwrap
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from lanterne.errors import SpecError
from lanterne.model import load_model, model_from_checked
from lanterne.model.tree_engine import TreeEngine, le_thresholds, numpy_raw
from lanterne.spec.load import check_spec_text
from lanterne.spec.trees import pack_trees, trees_file_text

HEADER = textwrap.dedent(
    """\
    lanterne_spec: 1
    id: tiny-trees
    name: {fr: Petit ensemble, en: Tiny ensemble}
    agency: Test agency
    country: NL
    years: [2020, null]
    description: {fr: Un ensemble de test., en: A test ensemble.}
    status: illustrative
    sources:
      - id: doc
        title: Test document
        url: https://example.org/doc
    variables:
      - {name: age, type: int, range: [18, 67], description: {fr: Âge, en: Age}}
      - {name: kids, type: int, range: [0, 10], description: {fr: Enfants, en: Children}}
      - {name: woman, type: bool, description: {fr: Femme, en: Woman}}
      - name: family
        type: category
        categories: [single, couple]
        description: {fr: Famille, en: Family}
      - name: nationality
        type: category
        categories: [dutch, other]
        sensitive: true
        description: {fr: Nationalité, en: Nationality}
    features:
      - name: many_kids
        expr: "kids >= 3"
        description: {fr: 3 enfants ou plus, en: 3 children or more}
    """
)

TREES = textwrap.dedent(
    """\
    model:
      kind: trees
      source: doc
      link: logit
      split_rule: "<"
      base_score: {value: -1.0}
      ensemble:
        trees:
          - feature: [age, woman, null, null, null]
            threshold: [30, 0.5, null, null, null]
            left: [1, 3, -1, -1, -1]
            right: [2, 4, -1, -1, -1]
            value: [null, null, -0.5, 0.2, 0.6]
            cover: [100, 40, 60, 25, 15]
          - feature: [many_kids, null, null]
            threshold: [0.5, null, null]
            left: [1, -1, -1]
            right: [2, -1, -1]
            value: [null, -0.1, 0.4]
            cover: [100, 80, 20]
    targeting:
      top_share: 0.25
    """
)

TINY = HEADER + TREES


def tiny_model(text: str = TINY):
    return model_from_checked(check_spec_text(text, "tiny.yaml"))


def test_hand_worked_scores_and_contributions() -> None:
    model = tiny_model()
    data = pl.DataFrame(
        {"age": [20, 40, 30], "kids": [0, 3, 1], "woman": [True, False, True], "family": "single"}
    )
    # row 1: age 20 < 30 → node 1; woman (1) not < 0.5 → leaf 0.6; kids 0 → -0.1
    # row 2: age 40 → leaf -0.5; many kids → 0.4.  row 3: age 30 is not < 30 → -0.5; -0.1
    margins = model.margins(data).to_list()
    assert margins == pytest.approx([-1 + 0.6 - 0.1, -1 - 0.5 + 0.4, -1 - 0.5 - 0.1], abs=1e-12)
    scores = model.score(data)["score"].to_numpy()
    assert scores == pytest.approx(1 / (1 + np.exp(-np.array(margins))), abs=1e-12)
    # base = base score + cover-weighted mean leaf of each tree
    expected = -1 + (-0.5 * 60 + 0.2 * 25 + 0.6 * 15) / 100 + (-0.1 * 80 + 0.4 * 20) / 100
    assert model.base == pytest.approx(expected, abs=1e-8)
    contributions = model.contributions(data)
    assert contributions.columns == ["age", "woman", "many_kids"]
    sums = contributions.sum_horizontal().to_numpy() + model.base
    assert sums == pytest.approx(margins, abs=1e-12)
    # a one-split tree: the feature gets value − mean; many_kids for row 1: -0.1 − 0 = -0.1
    assert contributions["many_kids"][0] == pytest.approx(-0.1, abs=1e-8)


def test_terms_and_used_variables() -> None:
    model = tiny_model()
    assert [t.name for t in model.terms] == ["age", "woman", "many_kids"]
    assert [t.weight for t in model.terms] == [1.0, 1.0, 1.0]  # splits reading each input
    assert model.terms[2].variables == ("kids",)
    assert model.terms[2].expression == "kids >= 3"
    assert model.used_variables == ("age", "kids", "woman")
    assert model.spec.overall_status() == "illustrative"
    assert model.link == "logit"


def test_polars_expressions_agree_with_numpy_path() -> None:
    model = tiny_model()
    data = model.prepare(pl.DataFrame({"age": [20, 45], "kids": [4, 0], "woman": [False, True]}))
    frame = model.with_features(data).select(model.margin_expr().alias("m"), *model.term_exprs())
    out = frame.collect()
    assert out["m"].to_list() == pytest.approx(model.margins(data, prepared=True).to_list())
    direct = model.contributions(data, prepared=True)
    assert out.select(direct.columns).to_numpy() == pytest.approx(direct.to_numpy())


# ------------------------------------------------------------------ random ensembles


def random_ensemble(rng: np.random.Generator, n_trees: int, n_features: int, integer: bool):
    """Random trees with consistent covers (a parent's cover is its children's sum)."""
    trees = []
    for _ in range(n_trees):
        feature: list = [None]
        threshold: list = [None]
        left, right, value, depth = [-1], [-1], [None], [0]
        i = 0
        while i < len(left):
            if depth[i] < 4 and rng.random() < 0.75:
                f = int(rng.integers(n_features))
                feature[i] = f"x{f}"
                t = float(rng.integers(0, 6)) + (0.0 if integer else float(rng.random()))
                threshold[i] = t
                left[i], right[i] = len(left), len(left) + 1
                for _ in range(2):
                    feature.append(None)
                    threshold.append(None)
                    left.append(-1)
                    right.append(-1)
                    value.append(None)
                    depth.append(depth[i] + 1)
            else:
                value[i] = float(rng.normal())
            i += 1
        cover = [0.0] * len(left)
        for j in range(len(left) - 1, -1, -1):
            cover[j] = (
                float(rng.integers(1, 50)) if left[j] < 0 else cover[left[j]] + cover[right[j]]
            )
        trees.append(
            {
                "feature": feature,
                "threshold": threshold,
                "left": left,
                "right": right,
                "value": value,
                "cover": cover,
                "missing_left": [bool(rng.random() < 0.5) for _ in left],
            }
        )
    return trees


@pytest.mark.parametrize("split_rule", ["<", "<="])
@pytest.mark.parametrize("precision", ["float32", "float64"])
def test_engine_equals_numpy_traversal(split_rule: str, precision: str) -> None:
    rng = np.random.default_rng(7)
    raw = random_ensemble(rng, 40, 5, integer=True)
    ensemble, problems = pack_trees(raw, order=[f"x{i}" for i in range(5)])
    assert not problems and ensemble is not None
    # integers hit thresholds exactly, so "<" and "<=" decide differently
    x = rng.integers(-1, 7, size=(3000, len(ensemble.names))).astype(np.float64)
    x[::7] += rng.normal(scale=1e-7, size=x[::7].shape)  # and values a hair apart
    x[5, 0] = np.nan  # a missing value follows missing_left
    engine = TreeEngine(ensemble, split_rule=split_rule, precision=precision)
    expected = numpy_raw(ensemble, x, split_rule, precision)
    # the same leaves everywhere: only the order of additions may differ (1e-14)
    assert np.abs(engine.raw(x) - expected).max() < 1e-12


def test_le_thresholds_decide_like_strict_comparisons() -> None:
    rng = np.random.default_rng(3)
    t = rng.normal(size=2000) * 10
    t[:500] = np.round(t[:500])  # whole thresholds
    for precision, dtype in (("float32", np.float32), ("float64", np.float64)):
        converted = le_thresholds(t, "<", precision)
        for delta in (0.0, 1e-7, -1e-7, 1e-15, -1e-15):
            x = (t + delta).astype(dtype).astype(np.float64)
            assert np.array_equal(x < t, x <= converted), (precision, delta)
        x = t.astype(dtype).astype(np.float64)  # exactly at (the rounded) threshold
        assert np.array_equal(x < t, x <= converted)


def _cond_expectation(tree: dict, x: np.ndarray, subset: set[int], names: list[str]) -> float:
    """E[f(x) | x_S] with path-dependent weights (Lundberg et al. 2018, Algorithm 1)."""

    def g(j: int) -> float:
        if tree["left"][j] < 0:
            return tree["value"][j]
        f = names.index(tree["feature"][j])
        a, b = tree["left"][j], tree["right"][j]
        if f in subset:
            return g(a) if x[f] < tree["threshold"][j] else g(b)
        ca, cb = tree["cover"][a], tree["cover"][b]
        return (g(a) * ca + g(b) * cb) / (ca + cb)

    return g(0)


def test_contributions_are_exact_shapley_values() -> None:
    rng = np.random.default_rng(11)
    names = [f"x{i}" for i in range(4)]
    raw = random_ensemble(rng, 6, 4, integer=False)
    spec_text = HEADER.replace(
        "features:\n",
        "".join(
            f"  - {{name: {n}, type: float, description: {{fr: {n}, en: {n}}}}}\n" for n in names
        )
        + "features:\n",
    )
    spec_text += textwrap.dedent(
        """\
        model:
          kind: trees
          source: doc
          link: logit
          split_rule: "<"
          base_score: {value: 0.25}
          ensemble:
            trees: TREES
        targeting:
          top_share: 0.1
        """
    ).replace("TREES", json.dumps(raw))
    model = tiny_model(spec_text)
    used = list(model.inputs)
    x = rng.uniform(-1, 7, size=(5, len(used)))
    data = pl.DataFrame({n: x[:, j] for j, n in enumerate(used)})
    got = model.contributions(data).to_numpy()
    k = len(used)
    for row in range(x.shape[0]):
        value = {}
        for size in range(k + 1):
            for subset in itertools.combinations(range(k), size):
                value[subset] = sum(_cond_expectation(t, x[row], set(subset), used) for t in raw)
        for i in range(k):
            phi = 0.0
            for subset, v in value.items():
                if i in subset:
                    continue
                s = len(subset)
                weight = math.factorial(s) * math.factorial(k - s - 1) / math.factorial(k)
                with_i = tuple(sorted((*subset, i)))
                phi += weight * (value[with_i] - v)
            assert got[row, i] == pytest.approx(phi, abs=1e-7)
    margins = model.margins(data).to_numpy()
    assert got.sum(axis=1) + model.base == pytest.approx(margins, abs=1e-12)


def test_identity_and_scale_links(tmp_path: Path) -> None:
    identity = tiny_model(TINY.replace("link: logit", "link: identity"))
    data = pl.DataFrame({"age": [20, 40], "kids": [0, 3], "woman": [True, False]})
    margins = identity.margins(data).to_numpy()
    assert identity.scores(data).to_numpy() == pytest.approx(np.clip(margins, 0, 1))
    scaled = tiny_model(TINY.replace("link: logit", "link: scale"))
    low = -1 + (-0.5) + (-0.1)
    high = -1 + 0.6 + 0.4
    assert (scaled.scale.min, scaled.scale.max) == pytest.approx((low, high))
    assert scaled.scores(data).to_numpy() == pytest.approx((margins - low) / (high - low))
    explicit = tiny_model(TINY.replace("link: logit", "link: scale\n  scale: {min: -2, max: 0}"))
    assert explicit.scores(data).to_numpy() == pytest.approx(np.clip((margins + 2) / 2, 0, 1))


def test_trees_file_next_to_the_spec(tmp_path: Path) -> None:
    raw = [
        {k: v for k, v in tree.items() if v is not None}
        for tree in check_spec_text(TINY, "x.yaml").spec.model.ensemble.model_dump()["trees"]
    ]
    trees_path = tmp_path / "tiny.trees.json"
    trees_path.write_text(trees_file_text(raw), encoding="utf-8")
    from lanterne.spec.trees import file_sha256

    spec = TINY.split("    trees:\n")[0] + (
        f"    file: tiny.trees.json\n    sha256: {file_sha256(trees_path)}\n"
        "targeting:\n  top_share: 0.25\n"
    )
    (tmp_path / "tiny.yaml").write_text(spec, encoding="utf-8")
    from_file = load_model(tmp_path / "tiny.yaml")
    inline = tiny_model()
    data = pl.DataFrame({"age": [20, 40, 33], "kids": [0, 3, 5], "woman": [True, False, False]})
    assert from_file.margins(data).to_list() == inline.margins(data).to_list()
    # the file changed after the spec was written: refused
    trees_path.write_text(trees_path.read_text().replace("0.6", "0.7"), encoding="utf-8")
    with pytest.raises(SpecError) as err:
        load_model(tmp_path / "tiny.yaml")
    assert "SHA-256" in err.value.render("en")


def _problems(text: str, file: str = "spec.yaml") -> str:
    with pytest.raises(SpecError) as err:
        check_spec_text(text, file)
    return err.value.render("en")


def test_split_on_sensitive_variable_is_refused_at_its_position() -> None:
    text = TINY.replace("feature: [age, woman, null", "feature: [nationality, woman, null")
    message = _problems(text)
    assert "sensitive" in message and "nationality" in message
    line = text.splitlines().index(
        next(s for s in text.splitlines() if "feature: [nationality" in s)
    )
    assert f"spec.yaml:{line + 1}:" in message


def test_split_on_category_or_unknown_name_is_refused() -> None:
    assert "category" in _problems(TINY.replace("[age, woman, null", "[family, woman, null"))
    message = _problems(TINY.replace("[age, woman, null", "[agee, woman, null"))
    assert "not a declared variable" in message and "did you mean 'age'" in message


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("left: [1, 3, -1, -1, -1]", "left: [1, 0, -1, -1, -1]", "numbered after its parent"),
        ("left: [1, 3, -1, -1, -1]", "left: [1, 3, -1, -1]", "one value per node"),
        ("right: [2, 4, -1, -1, -1]", "right: [2, 4, 3, -1, -1]", "a leaf has left = right"),
        ("value: [null, null, -0.5, 0.2, 0.6]", "value: [null, null, -0.5, null, 0.6]", "finite"),
        ("threshold: [30, 0.5, null", "threshold: [30, null, null", "finite threshold"),
        ("cover: [100, 40, 60, 25, 15]", "cover: [100, 40, -60, 25, 15]", "cover"),
        (
            "left: [1, 3, -1, -1, -1]",
            "left: [1, 3, -1, -1, -1]\n        colour: [1]",
            "unknown key",
        ),
    ],
)
def test_malformed_trees_are_located(old: str, new: str, expected: str) -> None:
    message = _problems(TINY.replace(old, new))
    assert expected in message
    assert "tiny" not in message or "spec.yaml:" in message


def test_two_parents_are_refused() -> None:
    raw = [
        {
            "feature": ["x", "x", None, None],
            "threshold": [1, 2, None, None],
            "left": [1, 2, -1, -1],
            "right": [2, 3, -1, -1],
            "value": [None, None, 1, 2],
            "cover": [1, 1, 1, 1],
        }
    ]
    ensemble, problems = pack_trees(raw, order=["x"])
    assert ensemble is None
    assert "2 parents" in problems[0].render("en")


def test_trees_file_problems(tmp_path: Path) -> None:
    head = TINY.split("    trees:\n")[0]
    tail = "targeting:\n  top_share: 0.25\n"
    assert "not found" in _problems(
        head + "    file: missing.trees.json\n" + tail, str(tmp_path / "s.yaml")
    )
    assert "relative path" in _problems(head + "    file: ../x.trees.json\n" + tail)
    assert "JSON file" in _problems(head + "    file: trees.yaml\n" + tail)
    (tmp_path / "bad.trees.json").write_text('{"lanterne_trees": 1,\n "trees": [}', "utf-8")
    message = _problems(head + "    file: bad.trees.json\n" + tail, str(tmp_path / "s.yaml"))
    assert "invalid JSON" in message and "bad.trees.json:2:" in message
    assert "exactly one of" in _problems(head + "    file: a.json\n    trees: []\n" + tail)


def test_cli_scores_and_shows_a_tree_model(cli, tmp_path: Path) -> None:
    spec = tmp_path / "tiny.yaml"
    spec.write_text(TINY, encoding="utf-8")
    data = tmp_path / "people.csv"
    data.write_text("age,kids,woman\n20,0,oui\n40,3,non\n33,1,non\n29,5,oui\n", "utf-8")
    out = tmp_path / "scores.parquet"
    result = cli("score", spec, data, "-o", out)
    assert result.exit_code == 0, result.output
    scored = pl.read_parquet(out)
    assert scored["score"].to_numpy() == pytest.approx(
        tiny_model().scores(pl.read_csv(data)).to_numpy()
    )
    shown = cli("--lang", "en", "models", "show", spec)
    assert shown.exit_code == 0, shown.output
    assert "2 trees" in shown.output and "many_kids" in shown.output
