"""Atomic writes: a file appears whole or not at all.

Output is written to a temporary file in the destination folder, then renamed over the
destination; if anything fails the temporary file is removed and no half-written report,
table or letter is left behind.

Example:
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "note.txt"
    >>> write_text_atomic(target, "bonjour")
    >>> target.read_text()
    'bonjour'
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from lanterne.errors import LanterneError, Problem
from lanterne.i18n import Msg


def _umask() -> int:
    """The process's file-creation mask.

    Read from ``/proc`` where it exists (changing the mask, even briefly, would race with
    other threads creating files); elsewhere by setting it and putting it back.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def check_destination(target: str | os.PathLike[str]) -> Path:
    """The folder ``target`` will be written in; an error if it does not exist, or if
    ``target`` is itself a folder.

    Commands call it before any work, so that a long job never fails at the very end.

    >>> check_destination("report.html")
    PosixPath('.')
    """
    target = Path(target)
    if target.is_dir():
        raise LanterneError(
            Problem(
                Msg(
                    "la sortie doit être un fichier, pas un dossier",
                    "the output must be a file, not a folder",
                ),
                file=str(target),
            )
        )
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise LanterneError(
            Problem(
                Msg(
                    "le dossier de destination n'existe pas : {d}",
                    "the destination folder does not exist: {d}",
                    d=str(folder),
                ),
                file=str(target),
            )
        )
    return folder


@contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path next to ``target``; rename it to ``target`` on success."""
    target = Path(target)
    folder = check_destination(target)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        # mkstemp creates the file private (0600); give it the permissions of a file made
        # normally (0666 less the umask), as the user expects of a report or table
        if tmp.exists():
            os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_bytes_atomic(target: str | os.PathLike[str], data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def write_text_atomic(target: str | os.PathLike[str], text: str) -> None:
    write_bytes_atomic(target, text.encode("utf-8"))


def write_json_atomic(target: str | os.PathLike[str], data: Any) -> None:
    """Write JSON (UTF-8, indented, accented letters kept as they are)."""
    write_text_atomic(
        target, json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
    )
