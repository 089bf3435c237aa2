"""Read a pickle (or a joblib file) as data, without running any code it names.

A pickle is a small program: its ``GLOBAL`` opcodes name any importable function or
class and ``REDUCE`` calls it, so ``pickle.load`` on a hostile file can do anything the
user's account can. This reader walks the same opcodes but resolves names from a short
allow-list only:

* NumPy's array and scalar reconstruction (``numpy.core.multiarray._reconstruct``,
  ``numpy.ndarray``, ``numpy.dtype``, ``numpy.core.multiarray.scalar`` and their
  ``numpy._core`` spellings), each replaced by a checking function of ours;
* joblib's ``NumpyArrayWrapper``, whose array bytes joblib writes right after the wrapper
  in the stream: we read them ourselves (joblib's own code is never imported);
* the classes of scikit-learn, sklearn-pandas, InterpretML and the City of Amsterdam's
  pre-processing module that the disclosed Slimme Check models hold. Each becomes an
  inert :class:`Record`: a name and the state the pickle gives it, nothing more; none of
  those libraries needs to be installed, and none of their code runs;
* the city's transformer functions (``bool_to_num``, ``to_float``), as inert
  :class:`GlobalRef` names that cannot be called.

Any other global (``os.system``, ``builtins.eval``, ``subprocess.Popen``,
``functools.partial``, ``copyreg`` helpers...) is refused with an error naming it, and so
is calling anything but our NumPy helpers (``REDUCE`` on a record, ``INST``/``OBJ``),
persistent ids and out-of-band buffers. Files over 50 MB are refused before reading.

Example:
    >>> import pickle
    >>> data = pickle.dumps({"a": [1, 2.5, "x"]}, protocol=3)
    >>> loads_restricted(data)
    {'a': [1, 2.5, 'x']}
    >>> loads_restricted(b"cos\\nsystem\\n(S'echo hi'\\ntR.")
    Traceback (most recent call last):
    ...
    lanterne.errors.UsageError: pickle: refused global 'os.system': ...
"""

from __future__ import annotations

import _compat_pickle
import io
import pickle
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from lanterne.errors import Problem, UsageError
from lanterne.i18n import Msg

MAX_BYTES = 50 * 1024 * 1024
MAX_NESTING = 4  # joblib object arrays are nested pickles; bound how deep they go

#: Classes kept as inert records: module → class names.
RECORD_CLASSES: dict[str, frozenset[str]] = {
    "sklearn.pipeline": frozenset({"Pipeline"}),
    "sklearn.model_selection._search": frozenset({"GridSearchCV", "RandomizedSearchCV"}),
    "sklearn.model_selection._split": frozenset({"StratifiedKFold", "KFold"}),
    "sklearn.impute._base": frozenset({"SimpleImputer", "MissingIndicator"}),
    "sklearn.preprocessing._function_transformer": frozenset({"FunctionTransformer"}),
    "sklearn.metrics._scorer": frozenset({"_PredictScorer", "_ProbaScorer", "_ThresholdScorer"}),
    "sklearn_pandas.dataframe_mapper": frozenset({"DataFrameMapper"}),
    "sklearn_pandas.pipeline": frozenset({"TransformerPipeline"}),
    "interpret.glassbox.ebm.ebm": frozenset(
        {"ExplainableBoostingClassifier", "EBMPreprocessor", "BaseCoreEBM"}
    ),
    "wpi_uitkeringsfraude.preprocessing.custom_transformers": frozenset(
        {"BoolToIntTransformer", "FloatTransformer", "SimpleImputerWithRenaming"}
    ),
    "wpi_uitkeringsfraude.model.auxiliary.sample_weights_transformer": frozenset(
        {"EBMTransformer"}
    ),
    "joblib.numpy_pickle": frozenset({"NumpyArrayWrapper"}),
    # the tables of results the city stored next to the model (read, never used)
    "pandas.core.frame": frozenset({"DataFrame"}),
    "pandas.core.indexes.base": frozenset({"Index"}),
    "pandas.core.indexes.numeric": frozenset({"Int64Index", "Float64Index"}),
    "pandas.core.indexes.range": frozenset({"RangeIndex"}),
    "pandas.core.internals.managers": frozenset({"BlockManager"}),
    "numpy.ma.core": frozenset({"MaskedArray"}),
    "wpi_uitkeringsfraude.settings.flags": frozenset({"PipelineFlag"}),
}

#: Classes a pickle may "call" (REDUCE): the result is a Record holding the arguments;
#: nothing is called. Every other class may only be created empty and given a state.
REDUCIBLE = frozenset(
    {
        "pandas.core.internals.managers.BlockManager",
        "wpi_uitkeringsfraude.settings.flags.PipelineFlag",
    }
)

#: Functions kept as names only (a FunctionTransformer's ``func``): never called.
FUNCTION_NAMES: dict[str, frozenset[str]] = {
    "wpi_uitkeringsfraude.preprocessing.custom_transformers": frozenset(
        {"bool_to_num", "to_float"}
    ),
    "sklearn.metrics._ranking": frozenset({"roc_auc_score"}),
    "pandas.core.internals.blocks": frozenset({"new_block"}),
}

#: The only function ``functools.partial`` may wrap (pandas stores its blocks that way).
PARTIAL_TARGETS = frozenset({"pandas.core.internals.blocks.new_block"})

_NUMPY_CORE = ("numpy.core.multiarray", "numpy._core.multiarray")


@dataclass(eq=False)
class Record:
    """An object of an allowed class, as data: its class name and the state it was given.

    >>> r = Record("sklearn.pipeline.Pipeline")
    >>> r.__setstate__({"steps": []})
    >>> r.state
    {'steps': []}
    """

    cls: str  # "module.Name"
    state: Any = None
    args: tuple[Any, ...] = ()

    def __setstate__(self, state: Any) -> None:
        self.state = state

    def get(self, key: str, default: Any = None) -> Any:
        """A field of a dict state (``default`` when absent or when the state is no dict)."""
        return self.state.get(key, default) if isinstance(self.state, dict) else default

    @property
    def name(self) -> str:
        return self.cls.rsplit(".", 1)[-1]


@dataclass(frozen=True)
class GlobalRef:
    """The name of a function a pickle refers to, kept as text (it cannot be called)."""

    name: str


@dataclass(frozen=True)
class _RecordClass:
    """What ``find_class`` hands out for an allowed class: ``NEWOBJ`` makes a Record."""

    cls: str


class _Refused(Exception):
    def __init__(self, name: str, why: str = "global") -> None:
        super().__init__(name)
        self.name = name
        self.why = why


# ------------------------------------------------------------------ NumPy helpers


def _np_reconstruct(subtype: Any, shape: Any, dtype_code: Any) -> np.ndarray:
    if subtype is not np.ndarray:
        raise _Refused(repr(subtype), "array subclass")
    return np.ndarray.__new__(np.ndarray, (0,), np.dtype("b"))


def _np_dtype(spec: Any, align: Any = False, copy: Any = True) -> np.dtype:
    if not isinstance(spec, str):
        raise _Refused(repr(spec), "dtype")
    return np.dtype(spec, align=bool(align), copy=bool(copy))


def _np_scalar(dtype: Any, data: Any = None) -> Any:
    if not isinstance(dtype, np.dtype) or dtype.hasobject or not isinstance(data, bytes):
        raise _Refused("numpy scalar of " + repr(dtype), "scalar")
    return np.frombuffer(data, dtype=dtype, count=1)[0]


def _np_frombuffer(buffer: Any, dtype: Any, shape: Any, order: Any) -> np.ndarray:
    """How protocol 5 stores a numeric array: its bytes, dtype, shape and order."""
    if (
        not isinstance(buffer, bytes | bytearray)
        or not isinstance(dtype, np.dtype)
        or dtype.hasobject
        or not isinstance(shape, tuple)
        or order not in ("C", "F")
    ):
        raise _Refused("numpy._core.numeric._frombuffer", "arguments")
    return np.frombuffer(bytes(buffer), dtype=dtype).reshape(shape, order=order).copy()


def _partial(func: Any, *args: Any) -> Record:
    """``functools.partial(new_block)`` as a record: the call is described, never made."""
    if not isinstance(func, GlobalRef) or func.name not in PARTIAL_TARGETS or args:
        raise _Refused("functools.partial", "call of " + _describe(func))
    return Record("functools.partial", args=(func,))


def _slice(*args: Any) -> slice:
    if not all(a is None or isinstance(a, int) for a in args) or len(args) > 3:
        raise _Refused("builtins.slice", "arguments")
    return slice(*args)


def _codecs_encode(text: Any, encoding: Any = "utf-8") -> bytes:
    """How protocol-2 pickles store bytes: ``encode(str, 'latin1')`` (pure data)."""
    if not isinstance(text, str) or encoding not in ("latin1", "latin-1"):
        raise _Refused("_codecs.encode", "arguments")
    return text.encode("latin-1")


def _new_index(cls: Any, state: Any) -> Record:
    if not isinstance(cls, _RecordClass) or not cls.cls.startswith("pandas.core.indexes."):
        raise _Refused("pandas.core.indexes.base._new_Index", "call of " + _describe(cls))
    return Record(cls.cls, state=state)


def _mareconstruct(cls: Any, base: Any, shape: Any, dtype: Any) -> Record:
    if not (isinstance(cls, _RecordClass) and cls.cls == "numpy.ma.core.MaskedArray"):
        raise _Refused("numpy.ma.core._mareconstruct", "call of " + _describe(cls))
    return Record("numpy.ma.core.MaskedArray")


_CALLABLE = (
    _np_frombuffer,
    _np_reconstruct,
    _np_dtype,
    _np_scalar,
    _partial,
    _slice,
    _codecs_encode,
    _new_index,
    _mareconstruct,
)
_FUNCTIONS = {
    ("functools", "partial"): _partial,
    ("builtins", "slice"): _slice,
    ("_codecs", "encode"): _codecs_encode,
    ("pandas.core.indexes.base", "_new_Index"): _new_index,
    ("numpy.ma.core", "_mareconstruct"): _mareconstruct,
}


def _allowed(module: str, name: str) -> Any:
    if module in _NUMPY_CORE and name == "_reconstruct":
        return _np_reconstruct
    if module in _NUMPY_CORE and name == "scalar":
        return _np_scalar
    if module in ("numpy.core.numeric", "numpy._core.numeric") and name == "_frombuffer":
        return _np_frombuffer
    if module == "numpy" and name == "ndarray":
        return np.ndarray
    if module == "numpy" and name == "dtype":
        return _np_dtype
    if (module, name) in _FUNCTIONS:
        return _FUNCTIONS[(module, name)]
    if name in RECORD_CLASSES.get(module, ()):
        return _RecordClass(f"{module}.{name}")
    if name in FUNCTION_NAMES.get(module, ()):
        return GlobalRef(f"{module}.{name}")
    raise _Refused(f"{module}.{name}")


class RestrictedUnpickler(pickle._Unpickler):
    """The pure-Python unpickler with every code-running path closed.

    The C unpickler cannot be told how to read joblib's raw array bytes after ``BUILD``,
    so we subclass the pure-Python one, whose opcode table we can override.
    """

    dispatch: ClassVar[dict[int, Any]] = dict(pickle._Unpickler.dispatch)

    # The pure-Python unpickler's working state, set by its load() and undeclared in the
    # standard library's stubs (annotations only: nothing is assigned here).
    proto: int
    stack: list[Any]
    read: Callable[[int], bytes]
    readline: Callable[[], bytes]
    pop_mark: Callable[[], list[Any]]

    def __init__(self, file: io.BytesIO, depth: int = 0) -> None:
        super().__init__(file)
        self._raw = file
        self._depth = depth

    def find_class(self, module: str, name: str) -> Any:
        if self.proto < 3:  # Python 2 names (__builtin__, copy_reg...): judge the real ones
            if (module, name) in _compat_pickle.NAME_MAPPING:
                module, name = _compat_pickle.NAME_MAPPING[(module, name)]
            elif module in _compat_pickle.IMPORT_MAPPING:
                module = _compat_pickle.IMPORT_MAPPING[module]
        return _allowed(module, name)

    def persistent_load(self, pid: Any) -> Any:
        raise _Refused("persistent id", "opcode")

    # -- opcodes that create objects: only records and our NumPy helpers

    def load_reduce(self) -> None:
        stack = self.stack
        args = stack.pop()
        func = stack[-1]
        if not isinstance(args, tuple):
            raise _Refused(_describe(func), "call")
        if any(func is f for f in _CALLABLE):
            stack[-1] = func(*args)
        elif isinstance(func, _RecordClass) and func.cls in REDUCIBLE:
            stack[-1] = Record(func.cls, args=args)
        elif isinstance(func, Record) and func.cls == "functools.partial":
            stack[-1] = Record(_describe(func.args[0]), args=args)  # described, not called
        else:
            raise _Refused(_describe(func), "call")

    dispatch[pickle.REDUCE[0]] = load_reduce

    def load_newobj(self) -> None:
        args = self.stack.pop()
        cls = self.stack.pop()
        self.stack.append(_new(cls, args))

    dispatch[pickle.NEWOBJ[0]] = load_newobj

    def load_newobj_ex(self) -> None:
        kwargs = self.stack.pop()
        args = self.stack.pop()
        cls = self.stack.pop()
        if kwargs:
            raise _Refused(_describe(cls), "call")
        self.stack.append(_new(cls, args))

    dispatch[pickle.NEWOBJ_EX[0]] = load_newobj_ex

    def load_inst(self) -> None:
        module = self.readline()[:-1].decode("ascii")
        name = self.readline()[:-1].decode("ascii")
        self.pop_mark()
        raise _Refused(f"{module}.{name}", "call")

    dispatch[pickle.INST[0]] = load_inst

    def load_obj(self) -> None:
        args = self.pop_mark()
        raise _Refused(_describe(args[0] if args else None), "call")

    dispatch[pickle.OBJ[0]] = load_obj

    def load_build(self) -> None:
        state = self.stack.pop()
        inst = self.stack[-1]
        if isinstance(inst, Record):
            inst.state = state
            if inst.cls == "joblib.numpy_pickle.NumpyArrayWrapper":
                self.stack[-1] = self._joblib_array(inst)
            return
        if isinstance(inst, (np.ndarray, np.dtype)) and isinstance(state, tuple):
            # NumPy's own data-only restore (np.dtype has it too, absent from NumPy's stubs)
            inst.__setstate__(state)  # type: ignore[union-attr]
            return
        raise _Refused(_describe(inst), "state")

    dispatch[pickle.BUILD[0]] = load_build

    # -- joblib arrays

    def _joblib_array(self, wrapper: Record) -> np.ndarray:
        dtype = wrapper.get("dtype")
        shape = wrapper.get("shape")
        order = wrapper.get("order", "C")
        if (
            wrapper.get("subclass") is not np.ndarray
            or not isinstance(dtype, np.dtype)
            or not isinstance(shape, tuple)
            or not all(isinstance(n, int) and n >= 0 for n in shape)
            or order not in ("C", "F")
        ):
            raise _Refused("joblib.numpy_pickle.NumpyArrayWrapper", "state")
        if dtype.hasobject:
            if self._depth >= MAX_NESTING:
                raise _Refused("nested object arrays", "depth")
            inner = RestrictedUnpickler(self._raw, depth=self._depth + 1)
            array = inner.load()
            if not isinstance(array, np.ndarray):
                raise _Refused(_describe(array), "state")
            return array
        if wrapper.get("numpy_array_alignment_bytes") is not None:
            padding = self.read(1)
            if len(padding) != 1:
                raise EOFError
            self.read(padding[0])
        count = int(np.prod(shape, dtype=np.int64)) if shape else 1
        size = count * dtype.itemsize
        data = self.read(size)
        if len(data) != size:
            raise EOFError
        array = np.frombuffer(data, dtype=dtype, count=count).copy()
        array = array.reshape(shape[::-1]).T if order == "F" else array.reshape(shape)
        if not array.dtype.isnative:
            array = array.byteswap().view(array.dtype.newbyteorder("="))
        return array


def _new(cls: Any, args: Any) -> Any:
    if isinstance(cls, _RecordClass):
        return Record(cls.cls, args=tuple(args))
    raise _Refused(_describe(cls), "call")


def _describe(obj: Any) -> str:
    if isinstance(obj, _RecordClass):
        return obj.cls
    if isinstance(obj, GlobalRef):
        return obj.name
    if isinstance(obj, Record):
        return obj.cls
    if callable(obj):
        return f"{getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', obj)}"
    return type(obj).__name__


# ------------------------------------------------------------------ entry points


_HINT = Msg(
    ". Un modèle d'une version récente d'InterpretML s'exporte en données : "
    "ebm.to_json('modele.json'), puis lanterne import ebm modele.json",
    ". A model of a recent InterpretML version exports as data: ebm.to_json('model.json'), "
    "then lanterne import ebm model.json",
)


def _refusal(file: str | None, refused: _Refused) -> UsageError:
    if refused.why == "global":
        msg = Msg(
            "pickle : global refusé « {g} » : ce fichier demande un nom que le lecteur "
            "restreint de Lanterne n'autorise pas (il pourrait exécuter du code) ; rien n'a "
            "été exécuté{hint}",
            "pickle: refused global '{g}': this file asks for a name Lanterne's restricted "
            "reader does not allow (it could run code); nothing was run{hint}",
            g=refused.name,
            hint=_HINT if refused.name.startswith("interpret.") else "",
        )
    else:
        msg = Msg(
            "pickle : refus de « {g} » ({w}) : seuls les tableaux NumPy et l'état des "
            "classes autorisées sont lus ; rien n'a été exécuté",
            "pickle: refused '{g}' ({w}): only NumPy arrays and the state of allowed "
            "classes are read; nothing was run",
            g=refused.name,
            w=refused.why,
        )
    return UsageError(Problem(msg, file=file))


def loads_restricted(data: bytes, *, file: str | None = None) -> Any:
    """The object a pickle describes, read with the allow-list (see the module doc)."""
    if len(data) > MAX_BYTES:
        raise _too_big(file, len(data))
    stream = io.BytesIO(data)
    try:
        return RestrictedUnpickler(stream).load()
    except _Refused as refused:
        raise _refusal(file, refused) from None
    except RecursionError:
        raise _corrupt(file, "nesting too deep") from None
    except Exception as exc:  # no code of the file ran: any other failure is a malformed file
        detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        raise _corrupt(file, detail[:300]) from None


def load_restricted(path: str | Path) -> Any:
    """Read the pickle or joblib file at ``path`` with :func:`loads_restricted`."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise UsageError(
            Problem(Msg("fichier introuvable", "file not found"), file=str(path))
        ) from None
    if not path.is_file():
        raise UsageError(Problem(Msg("ce n'est pas un fichier", "not a file"), file=str(path)))
    if size > MAX_BYTES:
        raise _too_big(str(path), size)
    with path.open("rb") as handle:
        data = handle.read(MAX_BYTES + 1)
    if data[:2] in (b"\x1f\x8b", b"BZ", b"\xfd7", b"\x04\x22") or data[:1] == b"\x78":
        raise UsageError(
            Problem(
                Msg(
                    "fichier joblib compressé : non pris en charge (décompressez-le d'abord)",
                    "compressed joblib file: not supported (decompress it first)",
                ),
                file=str(path),
            )
        )
    return loads_restricted(data, file=str(path))


def _too_big(file: str | None, size: int) -> UsageError:
    return UsageError(
        Problem(
            Msg(
                "fichier trop gros pour un modèle ({n} octets ; au plus {m})",
                "file too large for a model ({n} bytes; at most {m})",
                n=size,
                m=MAX_BYTES,
            ),
            file=file,
        )
    )


def _corrupt(file: str | None, detail: str) -> UsageError:
    return UsageError(
        Problem(
            Msg(
                "pickle illisible : fichier tronqué ou corrompu ({d})",
                "unreadable pickle: the file is truncated or corrupted ({d})",
                d=detail,
            ),
            file=file,
        )
    )
