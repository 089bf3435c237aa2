"""Importers: a model read from XGBoost, LightGBM or scikit-learn scores like the original.

Each test trains a small model with the real library, imports it through the command
line or the Python API, and compares on random data: scores within 1e-6 of the library's,
TreeSHAP contributions adding up to the margin, and the library's own contributions.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import lightgbm
import numpy as np
import polars as pl
import pytest
import xgboost
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier

from lanterne.importers import (
    ImportOptions,
    check_import,
    from_sklearn,
    read_lightgbm_text,
    read_xgboost_json,
    write_import,
)
from lanterne.model import load_model
from lanterne.model.tree_engine import numpy_raw

NAMES = ["age", "income", "children", "woman", "days_at_address"]


def training_data(n: int = 2000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = np.column_stack(
        [
            rng.integers(18, 68, n),
            rng.gamma(2.0, 600.0, n),
            rng.integers(0, 5, n),
            rng.integers(0, 2, n),
            rng.integers(0, 8000, n),
        ]
    ).astype(np.float64)
    logit = -0.04 * (x[:, 0] - 40) + 0.5 * x[:, 3] + 0.3 * x[:, 2] - x[:, 1] / 2000
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return x, y


def random_rows(n: int = 3000, seed: int = 1) -> np.ndarray:
    """Random data of the same shape, not the training data."""
    x, _ = training_data(n, seed)
    x[:, 1] += np.random.default_rng(seed).normal(0, 50, n)
    return x


def frame(x: np.ndarray, names: list[str] = NAMES) -> pl.DataFrame:
    return pl.DataFrame({name: x[:, j] for j, name in enumerate(names)})


def imported_spec(imported, tmp_path: Path, name: str):
    result = write_import(imported, tmp_path / f"{name}.yaml", ImportOptions(model_id=name))
    return result, load_model(result.spec_path)


def test_xgboost_scores_like_xgboost(tmp_path: Path) -> None:
    x, y = training_data()
    booster = xgboost.train(
        {"objective": "binary:logistic", "max_depth": 4, "eta": 0.2},
        xgboost.DMatrix(x, label=y, feature_names=NAMES),
        num_boost_round=60,
    )
    path = tmp_path / "model.json"
    booster.save_model(path)
    imported = read_xgboost_json(path)
    _result, model = imported_spec(imported, tmp_path, "xgb")
    rows = random_rows()
    data = frame(rows)
    expected = booster.predict(xgboost.DMatrix(rows, feature_names=NAMES))
    assert np.abs(model.scores(data).to_numpy() - expected).max() < 1e-6
    # XGBoost adds float32 numbers; Lanterne adds the same float32 leaves in doubles
    margins = model.margins(data).to_numpy()
    xgb_margins = booster.predict(xgboost.DMatrix(rows, feature_names=NAMES), output_margin=True)
    assert np.abs(margins - xgb_margins).max() < 1e-5
    # the same leaves as an independent NumPy traversal
    reference = (
        numpy_raw(model.ensemble, rows[:, [NAMES.index(n) for n in model.inputs]], "<", "float32")
        + model.base_score
    )
    assert np.abs(margins - reference).max() < 1e-12
    # contributions: add up to the margin, and equal XGBoost's own TreeSHAP
    contributions = model.contributions(data)
    assert np.abs(contributions.sum_horizontal().to_numpy() + model.base - margins).max() < 1e-9
    shap = booster.predict(xgboost.DMatrix(rows, feature_names=NAMES), pred_contribs=True)
    for j, name in enumerate(NAMES):
        if name in contributions.columns:
            assert np.abs(contributions[name].to_numpy() - shap[:, j]).max() < 1e-5
    assert model.base == pytest.approx(float(shap[0, -1]), abs=1e-5)
    check = check_import(imported, model)
    assert check is not None and check.ok


def test_xgboost_regression_uses_the_scale_link(tmp_path: Path) -> None:
    x, y = training_data()
    booster = xgboost.train(
        {"objective": "reg:squarederror", "max_depth": 3},
        xgboost.DMatrix(x, label=y + x[:, 2], feature_names=NAMES),
        num_boost_round=20,
    )
    booster.save_model(tmp_path / "reg.json")
    _, model = imported_spec(read_xgboost_json(tmp_path / "reg.json"), tmp_path, "reg")
    assert model.link == "scale"
    rows = random_rows()
    expected = booster.predict(xgboost.DMatrix(rows, feature_names=NAMES))
    assert np.abs(model.margins(frame(rows)).to_numpy() - expected).max() < 1e-5
    scores = model.scores(frame(rows)).to_numpy()
    assert scores.min() >= 0 and scores.max() <= 1


def test_lightgbm_scores_exactly_like_lightgbm(tmp_path: Path) -> None:
    x, y = training_data()
    x[::11, 1] = np.nan  # missing values teach LightGBM a default direction
    booster = lightgbm.train(
        {"objective": "binary", "num_leaves": 10, "verbose": -1, "learning_rate": 0.1},
        lightgbm.Dataset(x, y, feature_name=NAMES),
        num_boost_round=80,
    )
    booster.save_model(tmp_path / "model.txt")
    imported = read_lightgbm_text(tmp_path / "model.txt")
    _, model = imported_spec(imported, tmp_path, "lgb")
    rows = random_rows()
    data = frame(rows)
    expected = booster.predict(rows)
    assert np.abs(model.scores(data).to_numpy() - expected).max() < 1e-12
    margins = model.margins(data).to_numpy()
    assert np.abs(margins - booster.predict(rows, raw_score=True)).max() < 1e-12
    contributions = model.contributions(data).to_numpy()
    assert np.abs(contributions.sum(axis=1) + model.base - margins).max() < 1e-9
    own = booster.predict(rows, pred_contrib=True)
    used = [NAMES.index(n) for n in model.inputs]
    assert np.abs(contributions - own[:, used]).max() < 1e-7
    # a missing value goes where LightGBM sends it
    missing = rows.copy()
    missing[:, 1] = np.nan
    matrix = missing[:, used]
    assert np.abs(model.engine.raw(matrix) - booster.predict(missing, raw_score=True)).max() < 1e-12


def test_lightgbm_random_forest_mode(tmp_path: Path) -> None:
    x, y = training_data()
    booster = lightgbm.train(
        {
            "objective": "binary",
            "boosting": "rf",
            "bagging_fraction": 0.7,
            "bagging_freq": 1,
            "num_leaves": 8,
            "verbose": -1,
        },
        lightgbm.Dataset(x, y, feature_name=NAMES),
        num_boost_round=15,
    )
    booster.save_model(tmp_path / "rf.txt")
    _, model = imported_spec(read_lightgbm_text(tmp_path / "rf.txt"), tmp_path, "lgb-rf")
    rows = random_rows()
    assert np.abs(model.scores(frame(rows)).to_numpy() - booster.predict(rows)).max() < 1e-9


@pytest.mark.parametrize("kind", ["gradient-boosting", "random-forest"])
def test_scikit_learn_scores_like_scikit_learn(kind: str, tmp_path: Path) -> None:
    x, y = training_data()
    if kind == "gradient-boosting":
        estimator = GradientBoostingClassifier(n_estimators=40, max_depth=3, random_state=0)
    else:
        estimator = RandomForestClassifier(n_estimators=25, max_depth=6, random_state=0)
    estimator.fit(x, y)
    imported = from_sklearn(estimator, "model.pkl", feature_names=NAMES)
    _, model = imported_spec(imported, tmp_path, kind)
    rows = random_rows()
    expected = estimator.predict_proba(rows)[:, 1]
    assert np.abs(model.scores(frame(rows)).to_numpy() - expected).max() < 1e-9
    contributions = model.contributions(frame(rows)).to_numpy()
    margins = model.margins(frame(rows)).to_numpy()
    assert np.abs(contributions.sum(axis=1) + model.base - margins).max() < 1e-9


class _Booby:
    """A pickle that, when loaded, writes a file: what any pickle can do."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.write_text, (self.marker, "code ran"))


def test_pickles_are_refused_without_trust(cli, tmp_path: Path) -> None:
    marker = tmp_path / "pwned.txt"
    booby = tmp_path / "model.pkl"
    booby.write_bytes(pickle.dumps(_Booby(marker)))
    result = cli("import", "sklearn", booby, "-o", tmp_path / "out.yaml")
    assert result.exit_code == 2
    assert "--trust-pickle" in result.output and "pickle" in result.output
    assert not marker.exists()  # the file was never loaded
    assert not (tmp_path / "out.yaml").exists()
    english = cli("--lang", "en", "import", "sklearn", booby)
    assert english.exit_code == 2 and "runs code" in english.output


def test_trusted_pickle_is_imported_with_a_warning(cli, tmp_path: Path) -> None:
    import joblib

    x, y = training_data(500)
    forest = RandomForestClassifier(n_estimators=5, max_depth=4, random_state=0).fit(x, y)
    joblib.dump(forest, tmp_path / "forest.joblib")
    result = cli(
        "import",
        "sklearn",
        tmp_path / "forest.joblib",
        "--trust-pickle",
        "--feature-names",
        ",".join(NAMES),
        "-o",
        tmp_path / "forest.yaml",
    )
    assert result.exit_code == 0, result.output
    assert "exécute du code" in result.stderr
    model = load_model(tmp_path / "forest.yaml")
    rows = random_rows(200)
    assert (
        np.abs(model.scores(frame(rows)).to_numpy() - forest.predict_proba(rows)[:, 1]).max() < 1e-9
    )


def test_cli_import_writes_a_valid_spec_with_placeholders(cli, tmp_path: Path) -> None:
    x, y = training_data(800)
    names = ["âge", "score", "children", "woman", "days"]
    booster = lightgbm.train(
        {"objective": "binary", "num_leaves": 6, "verbose": -1},
        lightgbm.Dataset(x, y, feature_name=["age_", "score", "children", "woman", "days"]),
        num_boost_round=10,
    )
    booster.save_model(tmp_path / "m.txt")
    sample = tmp_path / "sample.csv"
    frame(x[:50].round(), ["age_", "score", "children", "woman", "days"]).write_csv(sample)
    out = tmp_path / "spec" / "m.yaml"
    result = cli(
        "import",
        "lightgbm",
        tmp_path / "m.txt",
        "-o",
        out,
        "--data",
        sample,
        "--id",
        "my-model",
        "--country",
        "NL",
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "spec" / "m.trees.json").exists()
    assert "score_input" in result.output  # a reserved name was renamed, and the user told
    model = load_model(out)
    assert model.spec.id == "my-model" and model.spec.country == "NL"
    types = {v.name: v.type for v in model.spec.variables}
    assert types["woman"] == "bool" and types["children"] == "int"
    assert cli("models", "check", out).exit_code == 0
    shown = cli("models", "show", out)
    assert "À COMPLÉTER" in shown.output
    again = cli("import", "lightgbm", tmp_path / "m.txt", "-o", out)
    assert again.exit_code == 2 and "--force" in again.output
    del names


def test_bad_model_files_exit_2(cli, tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    result = cli("import", "xgboost", tmp_path / "broken.json")
    assert result.exit_code == 2 and "JSON" in result.output
    assert cli("import", "xgboost", tmp_path / "model.ubj").exit_code == 2
    x, y = training_data(300)
    multi = xgboost.train(
        {"objective": "multi:softprob", "num_class": 3, "max_depth": 2},
        xgboost.DMatrix(x, label=y + (x[:, 2] > 2)),
        num_boost_round=2,
    )
    multi.save_model(tmp_path / "multi.json")
    result = cli("--lang", "en", "import", "xgboost", tmp_path / "multi.json")
    assert result.exit_code == 2 and "multi-class" in result.output
    (tmp_path / "notlgb.txt").write_text("hello", encoding="utf-8")
    assert cli("import", "lightgbm", tmp_path / "notlgb.txt").exit_code == 2
