"""Atomic writes: a file appears whole or not at all.

Output is written to a hidden temporary file in the destination folder, then renamed over
the destination; if anything fails (an error, Ctrl-C, SIGTERM) the temporary file is
removed and no half-written report, table or letter is left behind. After a ``kill -9``,
the next write into the folder removes what the dead process left
(:mod:`lanterne.io.tempfiles`).

Example:
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "note.txt"
    >>> write_text_atomic(target, "bonjour")
    >>> target.read_text()
    'bonjour'
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from lanterne.errors import LanterneError, Problem, os_errno, os_failure
from lanterne.i18n import Msg
from lanterne.io.std import json_text
from lanterne.io.tempfiles import remove_stale, temp_prefix


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


def _folder_of(target: Path) -> Path:
    """The folder ``target`` will be written in; an error (bad usage, exit 2) if the path
    cannot name a file there: ``target`` is a folder, or its folder is missing."""
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
        if folder.exists():
            message = Msg(
                "le dossier de destination est un fichier, pas un dossier : {d}",
                "the destination folder is a file, not a folder: {d}",
                d=str(folder),
            )
        else:
            message = Msg(
                "le dossier de destination n'existe pas : {d}",
                "the destination folder does not exist: {d}",
                d=str(folder),
            )
        raise LanterneError(Problem(message, file=str(target)))
    return folder


def _check_name_length(target: Path, folder: Path) -> None:
    """Refuse a name longer than the folder's file system takes (the hidden temporary
    name is shortened, so only the final rename would have failed)."""
    try:
        limit = os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):  # not on every system
        return
    if limit > 0 and len(os.fsencode(target.name)) > limit:
        raise os_failure(OSError(errno.ENAMETOOLONG, os.strerror(errno.ENAMETOOLONG)), target)


def _make_temp(target: Path, folder: Path) -> Path:
    """Create the hidden temporary file for ``target`` (its name carries our process id)."""
    try:
        fd, name = tempfile.mkstemp(prefix=temp_prefix(target.name), suffix=".tmp", dir=folder)
    except OSError as exc:
        raise os_failure(exc, target) from exc
    os.close(fd)
    return Path(name)


def _discard(tmp: Path) -> None:
    # the disk may have gone read-only meanwhile: the next run removes what is left
    with contextlib.suppress(OSError):
        tmp.unlink(missing_ok=True)


def check_destination(target: str | os.PathLike[str]) -> Path:
    """Check, before any work, that ``target`` can be written; return its folder.

    The path must name a file in an existing folder (else a :class:`LanterneError`, exit
    code 2), and the folder must take a new file (else a :class:`RuntimeFailure` saying
    why: permission denied, read-only file system, disk full..., exit code 1). It is
    tested by writing and removing a small hidden file. Temporary files that a killed
    Lanterne process left in the folder are removed on the way
    (:func:`lanterne.io.tempfiles.remove_stale`). Commands call it first, so that a long
    job never fails at the very end.

    >>> check_destination("report.html")
    PosixPath('.')
    """
    target = Path(target)
    if _is_special(target):  # /dev/null, a named pipe: written in place (atomic_path)
        return target.parent
    folder = _folder_of(target)
    _check_name_length(target, folder)
    _probe(folder, target)
    return folder


def _probe(folder: Path, named: Path) -> None:
    """Write and remove a small hidden file in ``folder``; errors name ``named``."""
    remove_stale(folder)
    probe = _make_temp(named, folder)
    try:
        with open(probe, "wb") as handle:
            handle.write(b"lanterne")
    except OSError as exc:
        raise os_failure(exc, named) from exc
    finally:
        _discard(probe)


def check_folder(folder: str | os.PathLike[str]) -> Path:
    """Check, before any work, that files can be written in ``folder``, which may not
    exist yet (it will be created): its nearest existing parent must be a folder that
    takes a new file. Returns ``folder``.

    >>> import tempfile
    >>> check_folder(Path(tempfile.mkdtemp()) / "results" / "2026").name
    '2026'
    """
    folder = Path(folder)
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise LanterneError(
            Problem(
                Msg(
                    "ce chemin est un fichier, pas un dossier : {d}",
                    "this path is a file, not a folder: {d}",
                    d=str(existing),
                ),
                file=str(folder),
            )
        )
    _probe(existing, folder)
    return folder


def _sync(path: Path) -> None:
    """Push a finished file to the disk before it replaces the old one (a power cut
    must not leave an empty file under the final name)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            raise  # EIO, ENOSPC: the data did not reach the disk
    finally:
        os.close(fd)


def _is_about(exc: BaseException, tmp: Path) -> bool:
    """Is ``exc`` an OS error met while writing ``tmp`` (rather than about another file)?"""
    if isinstance(exc, LanterneError) or not isinstance(exc, Exception):
        return False
    if isinstance(exc, OSError):
        names = {exc.filename, exc.filename2} - {None}
        return not names or any(os.fspath(n) == str(tmp) for n in names)
    return os_errno(exc) is not None  # Polars: ComputeError('... (os error 28)')


@contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path next to ``target``; rename it to ``target`` on success.

    On any failure, Ctrl-C included, the temporary file is removed and ``target`` is left
    as it was; an OS error met while writing (disk full...) becomes a
    :class:`RuntimeFailure` naming ``target``.
    """
    target = Path(target)
    if _is_special(target):  # /dev/null, a named pipe: written in place, never replaced
        try:
            yield target
        except OSError as exc:
            raise os_failure(exc, target) from exc
        return
    folder = _folder_of(target)
    remove_stale(folder)
    tmp = _make_temp(target, folder)
    try:
        yield tmp
        if tmp.exists():
            # mkstemp creates the file private (0600); give it the permissions of a file
            # made normally (0666 less the umask), as the user expects of a report or table
            os.chmod(tmp, 0o666 & ~_umask())
            _sync(tmp)
        os.replace(tmp, target)
    except BaseException as exc:
        _discard(tmp)
        if _is_about(exc, tmp):
            raise os_failure(exc, target) from exc
        raise


def _is_special(target: Path) -> bool:
    """Whether ``target`` exists and is neither a regular file nor a folder (a device such as
    ``/dev/null``, a named pipe): renaming a file onto it would replace the device itself.

    >>> _is_special(Path("/dev/null")), _is_special(Path("/tmp"))
    (True, False)
    """
    try:
        mode = target.stat().st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def write_bytes_atomic(target: str | os.PathLike[str], data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def write_text_atomic(target: str | os.PathLike[str], text: str) -> None:
    write_bytes_atomic(target, text.encode("utf-8"))


def write_json_atomic(target: str | os.PathLike[str], data: Any) -> None:
    """Write JSON (UTF-8, indented, accented letters kept as they are)."""
    write_text_atomic(target, json_text(data))
