"""The restricted pickle reader: it reads the disclosed models and refuses everything else.

Every hostile file below would create a marker file if any code in it ran; each test
checks the refusal names the global, exits with code 2 through the CLI, and that the
marker (and the output spec) do not exist.
"""

from __future__ import annotations

import functools
import os
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from lanterne.cli import run
from lanterne.errors import UsageError
from lanterne.importers.safe_pickle import (
    MAX_BYTES,
    GlobalRef,
    Record,
    load_restricted,
    loads_restricted,
)

DATA = Path(__file__).parents[1] / "data" / "amsterdam"
PREPILOT = DATA / "20220523_model_used_in_prepilot.pkl"
REWEIGHED = DATA / "20220531_model_after_reweighing.pkl"


class _System:
    """Pickles as ``os.system(command)`` (GLOBAL posix.system + REDUCE)."""

    def __init__(self, command: str) -> None:
        self.command = command

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (os.system, (self.command,))


class _Eval:
    def __init__(self, code: str) -> None:
        self.code = code

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (eval, (self.code,))


class _Partial:
    def __init__(self, command: str) -> None:
        self.command = command

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (functools.partial(os.system, self.command), ())


def _touch(marker: Path) -> str:
    return f"touch {marker}"


def _refused(data: bytes, name: str, tmp_path: Path) -> str:
    """Refused through the API and through the CLI (exit 2, nothing written)."""
    with pytest.raises(UsageError) as caught:
        loads_restricted(data)
    message = caught.value.render("en")
    assert name in message
    evil = tmp_path / "evil.pkl"
    evil.write_bytes(data)
    out = tmp_path / "out.yaml"
    code = run(["import", "ebm", str(evil), "-o", str(out), "--lang", "en"])
    assert code == 2
    assert not out.exists()
    return message


def test_reads_the_disclosed_models_as_inert_records() -> None:
    for path in (PREPILOT, REWEIGHED):
        obj = load_restricted(path)
        assert set(obj) >= {"model", "performance"}
        pipeline = obj["model"]
        assert isinstance(pipeline, Record) and pipeline.cls == "sklearn.pipeline.Pipeline"
        mapper = pipeline.get("steps")[0][1]
        assert mapper.cls == "sklearn_pandas.dataframe_mapper.DataFrameMapper"
        ebm = pipeline.get("steps")[1][1].get("best_estimator_")
        terms = ebm.get("additive_terms_")
        assert len(terms) == 15 and all(isinstance(t, np.ndarray) for t in terms)
        edges = ebm.get("preprocessor_").get("col_bin_edges_")
        assert all(np.all(np.diff(e) > 0) for e in edges.values())
        func = mapper.get("built_features")[0][1].get("steps")[0][1].get("func")
        assert isinstance(func, GlobalRef)  # a name, not a callable
        assert not callable(func)


def test_joblib_arrays_match_joblib_own_reader(tmp_path: Path) -> None:
    joblib = pytest.importorskip("joblib")
    rng = np.random.default_rng(1)
    value = {
        "c": rng.normal(size=(3, 4)),
        "f": np.asfortranarray(rng.normal(size=(5, 2))),
        "i": np.arange(7, dtype=np.int8),
        "big_endian": np.arange(4, dtype=">f8"),
        "empty": np.zeros((0, 3)),
        "objects": np.array(["a", "bc"], dtype=object),
        "scalar": np.float64(2.5),
    }
    path = tmp_path / "m.joblib"
    joblib.dump(value, path)
    ours = load_restricted(path)
    theirs = joblib.load(path)
    for key in value:
        assert np.array_equal(np.asarray(ours[key]), np.asarray(theirs[key])), key
        assert np.asarray(ours[key]).shape == np.asarray(theirs[key]).shape
    assert ours["f"].flags.f_contiguous or ours["f"].shape[1] == 1


def test_plain_numpy_pickles_are_read() -> None:
    value = {"a": np.arange(6.0).reshape(2, 3), "s": np.int64(4), "t": (1, "x", None)}
    for protocol in (2, 3, 4, 5):
        out = loads_restricted(pickle.dumps(value, protocol=protocol))
        assert np.array_equal(out["a"], value["a"]) and out["s"] == 4 and out["t"] == (1, "x", None)


@pytest.mark.parametrize("protocol", [0, 2, 3, 4])
def test_reduce_os_system_is_refused(tmp_path: Path, protocol: int) -> None:
    marker = tmp_path / "pwned"
    data = pickle.dumps({"x": _System(_touch(marker))}, protocol=protocol)
    message = _refused(data, f"{os.system.__module__}.system", tmp_path)
    assert "refused global" in message
    assert not marker.exists()


def test_global_builtins_eval_is_refused(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    data = pickle.dumps(_Eval(f"open({str(marker)!r}, 'w')"), protocol=2)
    _refused(data, "builtins.eval", tmp_path)
    assert not marker.exists()


def test_inst_subprocess_is_refused(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    data = f"(S'{_touch(marker)}'\nisubprocess\ngetoutput\n.".encode()
    _refused(data, "subprocess.getoutput", tmp_path)
    assert not marker.exists()


def test_handwritten_global_reduce_is_refused(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    data = f"cposix\nsystem\n(S'{_touch(marker)}'\ntR.".encode()
    _refused(data, "posix.system", tmp_path)
    assert not marker.exists()


def test_nested_deep_in_a_dict_is_refused(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    value = {"model": {"steps": [("prep", {"deep": [_System(_touch(marker))]})]}}
    _refused(pickle.dumps(value, protocol=3), "system", tmp_path)
    assert not marker.exists()


def test_inside_a_numpy_object_array_is_refused(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    array = np.array([1, _System(_touch(marker))], dtype=object)
    _refused(pickle.dumps({"a": array}, protocol=3), "system", tmp_path)
    assert not marker.exists()


def test_inside_a_joblib_object_array_is_refused(tmp_path: Path) -> None:
    joblib = pytest.importorskip("joblib")
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.joblib"
    joblib.dump({"a": np.array([_Eval("1"), 2], dtype=object)}, path)
    _refused(path.read_bytes(), "builtins.eval", tmp_path)
    assert not marker.exists()


def test_functools_partial_only_wraps_pandas_blocks(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    # partial(os.system): the wrapped global is refused first
    _refused(pickle.dumps(_Partial(_touch(marker)), protocol=3), "system", tmp_path)
    # partial of an allowed (inert) name that is not pandas' block maker: refused too
    data = b"\x80\x03cfunctools\npartial\ncsklearn.metrics._ranking\nroc_auc_score\n\x85R."
    message = _refused(data, "functools.partial", tmp_path)
    assert "roc_auc_score" in message
    assert not marker.exists()


@pytest.mark.parametrize(
    ("data", "name"),
    [
        # calling an allowed (inert) class: its code would run, so refused
        (b"\x80\x03csklearn.pipeline\nPipeline\n)R.", "sklearn.pipeline.Pipeline"),
        # OBJ opcode on an allowed class
        (b"\x80\x03(csklearn.pipeline\nPipeline\no.", "sklearn.pipeline.Pipeline"),
        # copyreg tricks
        (b"\x80\x02ccopyreg\n_reconstructor\n.", "copyreg._reconstructor"),
        (b"\x80\x04\x95\x0c\x00\x00\x00\x00\x00\x00\x00\x8c\x02os\x8c\x05popen\x93.", "os.popen"),
        # a function name kept inert is not callable either
        (
            b"\x80\x03cwpi_uitkeringsfraude.preprocessing.custom_transformers\nto_float\n)R.",
            "to_float",
        ),
        # persistent ids
        (b"\x80\x03X\x01\x00\x00\x00xQ.", "persistent id"),
    ],
)
def test_other_code_paths_are_refused(tmp_path: Path, data: bytes, name: str) -> None:
    _refused(data, name, tmp_path)


def test_truncated_and_corrupted_files_give_a_clear_error(tmp_path: Path) -> None:
    data = PREPILOT.read_bytes()
    for broken in (data[: len(data) // 2], data[:100], b"", data[:2000] + b"\xff" * 50):
        with pytest.raises(UsageError) as caught:
            loads_restricted(broken, file="m.pkl")
        text = caught.value.render("en")
        assert text.startswith("m.pkl: ")
        assert "truncated or corrupted" in text or "refused" in text
    path = tmp_path / "half.pkl"
    path.write_bytes(data[: len(data) // 2])
    assert run(["import", "ebm", str(path), "-o", str(tmp_path / "o.yaml")]) == 2
    assert not (tmp_path / "o.yaml").exists()


def test_files_over_50_mb_are_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.pkl"
    with path.open("wb") as handle:  # a sparse file: nothing to read in it anyway
        handle.truncate(MAX_BYTES + 1)
    with pytest.raises(UsageError) as caught:
        load_restricted(path)
    assert "too large" in caught.value.render("en")


def test_reading_imports_none_of_the_original_libraries() -> None:
    code = (
        "import sys\n"
        "from lanterne.importers.ebm import read_ebm\n"
        f"read_ebm({str(PREPILOT)!r})\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('interpret', 'sklearn', 'sklearn_pandas', 'joblib', 'pandas', 'wpi_uitkeringsfraude')]\n"
        "print(bad)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2] / "src")}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.strip() == "[]"


def test_random_corruption_never_escapes_as_another_error(tmp_path: Path) -> None:
    """Flipped bytes give a refusal or 'unreadable pickle', never a traceback."""
    joblib = pytest.importorskip("joblib")
    path = tmp_path / "small.joblib"
    joblib.dump({"a": np.arange(20.0), "b": [1, "x", (2.5, None)], "c": np.array(["u"])}, path)
    samples = [path.read_bytes(), pickle.dumps({"k": np.ones((2, 2)), "s": {1, 2}}, protocol=2)]
    rng = np.random.default_rng(0)
    for data in samples:
        for _ in range(300):
            broken = bytearray(data)
            for position in rng.integers(0, len(broken), rng.integers(1, 4)):
                broken[position] = int(rng.integers(0, 256))
            try:
                loads_restricted(bytes(broken))
            except UsageError as exc:
                assert "refused" in str(exc) or "truncated or corrupted" in str(exc)


def test_a_current_interpret_pickle_is_refused_with_the_json_route(tmp_path: Path) -> None:
    glassbox = pytest.importorskip("interpret.glassbox")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 2))
    ebm = glassbox.ExplainableBoostingClassifier(interactions=0, outer_bags=1, max_rounds=20)
    ebm.fit(x, (x[:, 0] > 0).astype(int))
    message = _refused(pickle.dumps(ebm, protocol=4), "interpret.", tmp_path)
    assert "to_json" in message
