"""Read an Explainable Boosting Machine (InterpretML) as an additive model, without running it.

Two inputs are read:

* a **pickle or joblib file** of an InterpretML 0.2.x ``ExplainableBoostingClassifier``,
  alone or at the end of a scikit-learn ``Pipeline`` (a ``GridSearchCV``'s
  ``best_estimator_`` is followed), with an optional ``sklearn_pandas.DataFrameMapper``
  before it. The file is read by :mod:`lanterne.importers.safe_pickle`: nothing in it runs,
  and neither InterpretML, sklearn-pandas nor scikit-learn needs to be installed. The
  mapper's steps become the spec's pre-processing: the city of Amsterdam's
  "bool to number" and "cast to float" transformers need no step (shapes read numbers),
  and a mean-imputing ``SimpleImputer`` (with its missing indicator) becomes an ``impute``
  step with the stored mean;
* the **JSON export** of a current InterpretML EBM (``ebm.to_json("model.json")``).

InterpretML 0.2.x bins a continuous value as ``1 + (number of cuts ≤ value)`` (a value
on a cut goes above it; bin 0 is "missing") and keys categories by the text of the value
(``"1.0"`` for a number 1); scores of bin 0 and of unknown categories are 0. The shapes
written here say exactly that with ``edges``/``scores``/``missing``/``unknown``.

Example:
    >>> shape = continuous_shape("age", [30.0], [0.0, -0.2, 0.3], unknown=0.0)
    >>> shape["edges"], shape["scores"], shape["missing"]
    ([30.0], [-0.2, 0.3], 0.0)
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from lanterne.i18n import Msg
from lanterne.importers.common import import_error
from lanterne.importers.safe_pickle import GlobalRef, Record, load_restricted

EBM_CLASSES = ("ExplainableBoostingClassifier", "EBMTransformer")
#: The city's transformers that only turn booleans into numbers and cast to float:
#: a shape reads its input as a number already, so they need no step of their own.
NUMBER_STEPS = ("BoolToIntTransformer", "FloatTransformer", "FunctionTransformer")


@dataclass
class AdditiveImport:
    """An additive model read from another library, ready to be written as a spec."""

    library: str  # e.g. "interpret 0.2.x (pickle)"
    source_file: str
    inputs: list[str]  # the raw input columns, in the model's order
    input_types: dict[str, str]  # raw column → "number" | "category"
    intercept: float
    preprocess: list[dict[str, Any]]  # impute steps: impute, value, output, indicator
    shapes: list[dict[str, Any]]  # input, type, edges|categories, scores, missing, unknown
    performance: list[dict[str, Any]] = field(default_factory=list)  # name, dataset, value
    notes: list[Msg] = field(default_factory=list)


def continuous_shape(
    name: str, cuts: Any, scores: Any, *, unknown: float | None = None
) -> dict[str, Any]:
    """A continuous shape from InterpretML's cuts and scores (``[missing, bins..., unknown?]``)."""
    cut_list = [float(c) for c in cuts]
    values = [float(s) for s in scores]
    n_bins = len(cut_list) + 1
    if len(values) not in (n_bins + 1, n_bins + 2):
        raise ValueError(f"{name}: {len(cut_list)} cuts but {len(values)} scores")
    return {
        "input": name,
        "type": "continuous",
        "edges": cut_list,
        "scores": values[1 : n_bins + 1],
        "missing": values[0],
        "unknown": values[n_bins + 1] if len(values) == n_bins + 2 else (unknown or 0.0),
    }


def categorical_shape(
    name: str, mapping: dict[str, int], scores: Any, *, numeric: bool
) -> dict[str, Any]:
    """A categorical shape from InterpretML's ``{text: bin}`` map (bin 0 = missing)."""
    values = [float(s) for s in scores]
    ordered = sorted(mapping.items(), key=lambda kv: kv[1])
    categories: list[float | str] = []
    for key, _ in ordered:
        categories.append(float(key) if numeric else str(key))
    unknown = values[len(ordered) + 1] if len(values) == len(ordered) + 2 else 0.0
    return {
        "input": name,
        "type": "categorical",
        "categories": categories,
        "scores": [values[b] for _, b in ordered],
        "missing": values[0],
        "unknown": unknown,
    }


# ------------------------------------------------------------------ pickles (interpret 0.2.x)


def read_ebm(path: str | Path) -> AdditiveImport:
    """Read ``path``: an EBM pickle/joblib file, or the JSON export of a current EBM."""
    path = Path(path)
    if path.suffix.lower() == ".json":
        return read_ebm_json(path)
    obj = load_restricted(path)
    return from_pickled(obj, path.name, file=str(path))


def from_pickled(obj: Any, name: str, *, file: str) -> AdditiveImport:
    """An :class:`AdditiveImport` from what :func:`load_restricted` read."""
    metadata = obj if isinstance(obj, dict) else {}
    root = metadata.get("model", obj) if isinstance(obj, dict) else obj
    mapper, ebm = _pipeline_parts(root, file)
    state = ebm.state if isinstance(ebm.state, dict) else {}
    preprocessor = state.get("preprocessor_")
    if not isinstance(preprocessor, Record) or not isinstance(preprocessor.state, dict):
        raise _bad(file, "the EBM has no fitted preprocessor_ (is it fitted?)")
    pre = preprocessor.state
    names = [str(n) for n in state.get("feature_names") or pre.get("col_names_") or []]
    groups = state.get("feature_groups_") or []
    if any(len(g) != 1 for g in groups):
        raise import_error(
            file,
            "ce modèle a des termes d'interaction (paires de variables) : seuls les modèles "
            "sans interaction sont importés",
            "this model has interaction terms (pairs of features): only models without "
            "interactions are imported",
        )
    classes = state.get("classes_")
    if classes is not None and len(classes) != 2:
        raise _bad(file, f"only two-class classifiers are imported ({len(classes)} classes)")
    terms = state.get("additive_terms_")
    intercept = state.get("intercept_")
    if not isinstance(terms, list) or intercept is None or len(terms) != len(names):
        raise _bad(file, "additive_terms_ / intercept_ missing or not one per feature")
    preprocess, raw_of, types = _mapper_steps(mapper, names, file)
    shapes = []
    for i, feature in enumerate(names):
        kind = pre["col_types_"][i]
        if kind == "continuous":
            shape = continuous_shape(feature, pre["col_bin_edges_"][i], terms[i], unknown=0.0)
        elif kind == "categorical":
            mapping = {str(k): int(v) for k, v in pre["col_mapping_"][i].items()}
            numeric = all(_is_number(k) for k in mapping)
            if not numeric:
                types[raw_of.get(feature, feature)] = "category"
            shape = categorical_shape(feature, mapping, terms[i], numeric=numeric)
        else:
            raise _bad(file, f"feature {feature}: unsupported type {kind!r}")
        shapes.append(shape)
    inputs = list(dict.fromkeys(raw_of.get(n, n) for n in names))
    return AdditiveImport(
        library="InterpretML 0.2 (pickle)",
        source_file=name,
        inputs=inputs,
        input_types={n: types.get(n, "number") for n in inputs},
        intercept=float(np.asarray(intercept).ravel()[0]),
        preprocess=preprocess,
        shapes=shapes,
        performance=_performance(metadata, root),
    )


def _pipeline_parts(root: Any, file: str) -> tuple[Record | None, Record]:
    """The DataFrameMapper (if any) and the EBM of a pipeline, a grid search or a bare EBM."""
    mapper = None
    node = root
    if isinstance(node, Record) and node.name == "Pipeline":
        steps = node.get("steps") or []
        if not steps:
            raise _bad(file, "empty pipeline")
        for _, step in steps[:-1]:
            if isinstance(step, Record) and step.name == "DataFrameMapper":
                mapper = step
            else:
                raise _bad(file, f"unsupported pipeline step {_cls(step)}")
        node = steps[-1][1]
    if isinstance(node, Record) and node.name in ("GridSearchCV", "RandomizedSearchCV"):
        node = node.get("best_estimator_")
    if not isinstance(node, Record) or node.name not in EBM_CLASSES:
        raise import_error(
            file,
            "aucun ExplainableBoostingClassifier trouvé dans ce fichier (trouvé : {c})",
            "no ExplainableBoostingClassifier found in this file (found: {c})",
            c=_cls(node),
        )
    return mapper, node


def _mapper_steps(
    mapper: Record | None, names: list[str], file: str
) -> tuple[list[dict[str, Any]], dict[str, str], dict[str, str]]:
    """Impute steps, model feature → raw column, and raw column types, from the mapper."""
    if mapper is None:
        return [], {}, {}
    steps: list[dict[str, Any]] = []
    raw_of: dict[str, str] = {}
    produced: list[str] = []
    for columns, transformer, options in mapper.get("built_features") or []:
        if not (isinstance(columns, list) and len(columns) == 1):
            raise _bad(file, f"mapper entry {columns!r}: one input column expected")
        column = str(columns[0])
        if isinstance(options, dict) and options.get("alias"):
            raise _bad(file, f"mapper entry {column}: aliases are not supported")
        chain = transformer.get("steps") if _cls(transformer).endswith("Pipeline") else None
        parts = [s for _, s in chain] if chain else [transformer]
        kinds = [p.name if isinstance(p, Record) else _cls(p) for p in parts]
        if all(k in NUMBER_STEPS for k in kinds):
            _check_number_steps(parts, column, file)
            raw_of[column] = column
            produced.append(column)
        elif kinds == ["SimpleImputerWithRenaming"] or kinds == ["SimpleImputer"]:
            step = _impute_step(parts[0], column, file)
            steps.append(step)
            raw_of[step["output"]] = column
            produced.append(step["output"])
            if step.get("indicator"):
                raw_of[step["indicator"]] = column
                produced.append(step["indicator"])
        else:
            raise _bad(file, f"mapper entry {column}: unsupported transformers {kinds}")
    expected = mapper.get("transformed_names_")
    if produced != names or (expected is not None and list(expected) != names):
        raise _bad(file, f"the mapper's outputs {produced} do not match the EBM's features")
    return steps, raw_of, {}


def _check_number_steps(parts: list[Any], column: str, file: str) -> None:
    for part in parts:
        func = part.get("func") if isinstance(part, Record) else None
        name = func.name.rsplit(".", 1)[-1] if isinstance(func, GlobalRef) else None
        if name not in ("bool_to_num", "to_float") or part.get("kw_args"):
            raise _bad(file, f"mapper entry {column}: unknown function {func!r}")


def _impute_step(imputer: Record, column: str, file: str) -> dict[str, Any]:
    state = imputer.state if isinstance(imputer.state, dict) else {}
    missing = state.get("missing_values")
    if state.get("strategy") != "mean" or not (isinstance(missing, float) and missing != missing):
        raise _bad(file, f"{column}: only mean imputation of NaN is supported")
    stats = state.get("statistics_")
    if stats is None or np.asarray(stats).size != 1:
        raise _bad(file, f"{column}: the imputer has no fitted mean")
    suffixes = state.get("output_col_suffixes") or ["value", "was_mean_imputed"]
    indicator = state.get("indicator_") if state.get("add_indicator") else None
    step = {
        "impute": column,
        "value": float(np.asarray(stats).ravel()[0]),
        "output": f"{column}_{suffixes[0]}",
        "indicator": f"{column}_{suffixes[1]}" if indicator is not None else None,
    }
    if indicator is not None:
        features = np.asarray(indicator.get("features_", [0])).ravel().tolist()
        if features != [0]:  # no missing value in training: sklearn writes no indicator
            raise _bad(file, f"{column}: the missing indicator has no column")
    return step


def _performance(metadata: dict[str, Any], root: Any) -> list[dict[str, Any]]:
    """The figures the model's authors stored next to it (test and train sets)."""
    out: list[dict[str, Any]] = []
    for key, dataset in (("performance", "test"), ("train_performance", "train")):
        figures = metadata.get(key)
        if not isinstance(figures, dict):
            continue
        for name in ("precision", "recall", "f1", "f05", "auc"):
            value = figures.get(name)
            if isinstance(value, int | float) and value == value:
                out.append({"name": name, "dataset": dataset, "value": float(value)})
        report = figures.get("report")
        if isinstance(report, str):  # scikit-learn's classification_report: class supports
            for label, count in re.findall(
                r"^\s*([01])\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+(\d+)\s*$", report, flags=re.M
            ):
                name = "count_positive" if label == "1" else "count_negative"
                out.append({"name": name, "dataset": dataset, "value": float(count)})
        matrix = figures.get("confusion_matrix")
        if matrix is not None and np.asarray(matrix).shape == (2, 2):
            cells = np.asarray(matrix, dtype=float).ravel()
            for name, value in zip(("tn", "fp", "fn", "tp"), cells, strict=True):
                out.append({"name": f"share_{name}", "dataset": dataset, "value": float(value)})
    if isinstance(root, Record) and root.name == "Pipeline":
        search = (root.get("steps") or [[None, None]])[-1][1]
        if isinstance(search, Record) and isinstance(search.get("best_score_"), float):
            scoring = search.get("scoring")
            if scoring == "roc_auc":
                out.append(
                    {
                        "name": "auc",
                        "dataset": "cross-validation",
                        "value": search.get("best_score_"),
                    }
                )
    return out


# ------------------------------------------------------------------ JSON (current interpret)


def read_ebm_json(path: Path) -> AdditiveImport:
    """Read the JSON export of a current InterpretML EBM (``ebm.to_json(path)``)."""
    file = str(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise import_error(file, "fichier introuvable", "file not found") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise import_error(file, "JSON illisible ({e})", "unreadable JSON ({e})", e=exc) from None
    return from_ebm_json(doc, path.name, file=file)


def from_interpret(estimator: Any, name: str = "InterpretML EBM") -> AdditiveImport:
    """An :class:`AdditiveImport` from a fitted EBM in memory (through its JSON export)."""
    buffer = io.StringIO()
    estimator.to_json(buffer)
    return from_ebm_json(json.loads(buffer.getvalue()), name, file=name)


def from_ebm_json(doc: Any, name: str, *, file: str) -> AdditiveImport:
    """An :class:`AdditiveImport` from the parsed JSON export of an EBM."""
    ebm = doc.get("ebm") if isinstance(doc, dict) else None
    if not isinstance(ebm, dict):
        raise _bad(file, "no 'ebm' object: is this the output of ebm.to_json()?")
    outputs = ebm.get("outputs") or [{}]
    if (
        len(outputs) != 1
        or outputs[0].get("link") != "logit"
        or len(outputs[0].get("classes", [])) != 2
    ):
        raise _bad(file, "only binary classifiers with a logit link are imported")
    features = ebm.get("features") or []
    names = [str(f.get("name")) for f in features]
    shapes = []
    for term in ebm.get("terms") or []:
        used = term.get("term_features") or []
        if len(used) != 1:
            raise import_error(
                file,
                "ce modèle a des termes d'interaction : seuls les modèles sans interaction "
                "sont importés",
                "this model has interaction terms: only models without interactions are imported",
            )
        feature = features[names.index(used[0])]
        scores = term.get("scores") or []
        if feature.get("type") == "continuous":
            cuts = (feature.get("cuts") or [[]])[0]
            shapes.append(continuous_shape(feature["name"], cuts, scores))
        elif feature.get("type") in ("nominal", "ordinal"):
            categories = (feature.get("categories") or [[]])[0]
            mapping = {str(c): i + 1 for i, c in enumerate(categories)}
            shapes.append(categorical_shape(feature["name"], mapping, scores, numeric=False))
        else:
            raise _bad(file, f"feature {feature.get('name')}: unsupported type")
    used_names = [s["input"] for s in shapes]
    types = {s["input"]: "number" if s["type"] == "continuous" else "category" for s in shapes}
    return AdditiveImport(
        library="InterpretML (JSON)",
        source_file=name,
        inputs=used_names,
        input_types=types,
        intercept=float((ebm.get("intercept") or [0.0])[0]),
        preprocess=[],
        shapes=shapes,
    )


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _cls(obj: Any) -> str:
    return obj.cls if isinstance(obj, Record) else type(obj).__name__


def _bad(file: str, detail: str) -> Exception:
    return import_error(
        file,
        "modèle EBM non pris en charge : {d}",
        "unsupported EBM model: {d}",
        d=detail,
    )
