"""``-`` as a file name: standard output for results, standard input for data.

Every command of the ``lanterne`` CLI follows the convention of Unix tools: an output
option given ``-`` (``--json -``, ``--output -``) writes to standard output, and a data
argument given ``-`` reads a table (or a household) from standard input. Standard input is
copied once into a private temporary file named after what it holds (``stdin.parquet`` by
Parquet's ``PAR1`` magic bytes, ``stdin.json``, ``stdin.yaml`` or ``stdin.csv``: see
:func:`sniff_format`), so that every reader of files (chunked Parquet, CSV with line
checks, household files) works on it unchanged; the file is removed when the process ends.

This module imports nothing heavy: the command line uses it before Polars is loaded.

Example:
    >>> is_std("-"), is_std("scores.csv"), is_std(None)
    (True, False, False)
    >>> sniff_format(b"PAR1\\x15\\x04"), sniff_format(b"id;score\\n1;0.5\\n")
    ('parquet', 'csv')
"""

from __future__ import annotations

import atexit
import json
import os
import sys
from pathlib import Path
from typing import Any

#: The name that means standard input or output.
STD = "-"
#: Parquet files start (and end) with these bytes.
PARQUET_MAGIC = b"PAR1"
#: Bytes of standard input read to tell its format.
SNIFF_BYTES = 4096

_spooled: Path | None = None


def is_std(path: str | os.PathLike[str] | None) -> bool:
    """Whether ``path`` is ``-`` (standard input or output)."""
    return path is not None and os.fspath(path) == STD


def sniff_format(head: bytes) -> str:
    """What the first bytes of standard input hold: ``parquet`` (its magic number),
    ``json`` (an object), ``yaml`` (``name: value`` lines) or ``csv`` (anything else).

    >>> [sniff_format(b) for b in (b' {"a": 1}', b"income: 850\\nkids: 2\\n", b"a,b\\n1,2\\n")]
    ['json', 'yaml', 'csv']
    """
    if head.startswith(PARQUET_MAGIC):
        return "parquet"
    text = head.decode("utf-8", "replace").lstrip("\ufeff \t\r\n")
    if text.startswith("{"):
        return "json"
    first = next((line for line in text.splitlines() if not line.startswith("#")), "")
    if ":" in first and not any(sep in first for sep in ",;\t"):
        return "yaml"
    return "csv"


def write_stdout(data: str | bytes) -> None:
    """Write ``data`` to standard output (text as UTF-8) and flush it."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    sys.stdout.flush()  # text printed before comes first
    out = getattr(sys.stdout, "buffer", None)
    if out is None:  # a text-only stream (tests capturing output)
        sys.stdout.write(raw.decode("utf-8"))
    else:
        out.write(raw)
    sys.stdout.flush()


def json_text(data: Any) -> str:
    """JSON as Lanterne writes it: UTF-8, indented, accents kept, no NaN, final newline.

    >>> json_text({"é": 1})
    '{\\n  "é": 1\\n}\\n'
    """
    return json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def write_text_output(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` to the file ``path`` atomically, or to standard output for ``-``."""
    if is_std(path):
        write_stdout(text)
        return
    from lanterne.io.atomic import write_text_atomic

    write_text_atomic(path, text)


def write_json_output(path: str | os.PathLike[str], data: Any) -> None:
    """Write ``data`` as JSON to the file ``path`` (atomically) or to standard output."""
    write_text_output(path, json_text(data))


def stdin_path() -> Path:
    """A private file holding what standard input carries (read once per process).

    Its suffix (``.parquet`` or ``.csv``) follows the content, so readers that pick their
    format from the name read it right.
    """
    import shutil
    import tempfile

    global _spooled
    if _spooled is not None:
        return _spooled
    stream = getattr(sys.stdin, "buffer", sys.stdin)
    head = stream.read(SNIFF_BYTES)
    if isinstance(head, str):  # a text stream (tests): its bytes as UTF-8
        head = head.encode("utf-8")
        rest: Any = _TextAsBytes(stream)
    else:
        rest = stream
    folder = Path(tempfile.mkdtemp(prefix="lanterne-stdin-"))  # private (0700)
    path = folder / f"stdin.{sniff_format(head)}"
    with open(path, "wb") as out:
        out.write(head)
        shutil.copyfileobj(rest, out, 1 << 20)
    _spooled = path
    atexit.register(forget_stdin)
    return path


def stdin_copy() -> Path | None:
    """The private copy of standard input, if this process made one."""
    return _spooled


def resolve_input(path: str | os.PathLike[str]) -> str | os.PathLike[str]:
    """``path`` itself, or for ``-`` the file holding standard input (see :func:`stdin_path`)."""
    return stdin_path() if is_std(path) else path


def forget_stdin() -> None:
    """Remove the copy of standard input (at exit, or between two runs in one process)."""
    import shutil

    global _spooled
    if _spooled is not None:
        shutil.rmtree(_spooled.parent, ignore_errors=True)
        _spooled = None


class _TextAsBytes:
    """Read a text stream as UTF-8 bytes (for :func:`shutil.copyfileobj`)."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream

    def read(self, size: int = -1) -> bytes:
        return str(self.stream.read(size)).encode("utf-8")
