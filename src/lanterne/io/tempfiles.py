"""Lanterne's hidden temporary files: their names, and the cleanup of those a killed
process left behind.

An output is written to ``.NAME.lanterne.HOST.PID.XXXXXXXX.tmp`` next to it and renamed
over ``NAME`` when complete (:mod:`lanterne.io.atomic`). A process stopped by ``kill -9``
or a power cut cannot remove its temporary file; the next command writing into the same
folder does, once it has made sure the file is Lanterne's (the name says so), was made on
this machine (``HOST`` is a short hash of the host name) and that its process (``PID``)
is gone. Other programs' files, and files of a Lanterne process still running, are never
touched. (Where process liveness cannot be checked safely — Windows — nothing is removed.)

Example:
    >>> import os, tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> mine = folder / (temp_prefix("scores.parquet") + "abcd1234.tmp")
    >>> dead = folder / f".scores.parquet.lanterne.{HOST}.999999999.abcd1234.tmp"
    >>> other = folder / ".scores.parquet.abcd1234.tmp"
    >>> for path in (mine, dead, other):
    ...     _ = path.write_text("x")
    >>> [p.name == dead.name for p in remove_stale(folder)]
    [True]
    >>> sorted(p.name for p in folder.iterdir()) == sorted([mine.name, other.name])
    True
"""

from __future__ import annotations

import hashlib
import os
import re
import socket
from pathlib import Path

#: Lanterne's mark in its temporary file names.
MARK = "lanterne"

#: The longest part of the destination's name kept in the temporary name, so that a
#: destination whose name is near the file-system limit (255 bytes) still gets one.
MAX_NAME_PART = 80

#: A short hash of the host name: a folder shared over the network may hold temporary
#: files of another machine, whose process numbers mean nothing here.
HOST = hashlib.sha256(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:6]

_PATTERN = re.compile(
    rf"^\..*\.{MARK}\.(?P<host>[0-9a-f]{{6}})\.(?P<pid>[0-9]{{1,10}})\.[a-z0-9_]{{8}}\.tmp$"
)


def temp_prefix(name: str) -> str:
    """The start of a temporary file's name for the destination ``name`` (``mkstemp``
    adds eight random characters and the ``.tmp`` suffix).

    >>> temp_prefix("report.html").startswith(".report.html.lanterne.")
    True
    >>> len(temp_prefix("x" * 250)) < 110
    True
    """
    short = name[:MAX_NAME_PART]
    return f".{short}.{MARK}.{HOST}.{os.getpid()}."


def owner_pid(name: str) -> int | None:
    """The process that made a Lanterne temporary file on this machine, else ``None``.

    >>> owner_pid(f".a.csv.lanterne.{HOST}.4242.k2j4h6g8.tmp")
    4242
    >>> owner_pid(".a.csv.k2j4h6g8.tmp") is None  # not ours (or from an old version)
    True
    """
    found = _PATTERN.match(name)
    if found is None or found.group("host") != HOST:
        return None
    return int(found.group("pid"))


def pid_alive(pid: int) -> bool:
    """Is process ``pid`` running (or impossible to tell, which counts as running)?

    >>> pid_alive(os.getpid())
    True
    """
    if pid <= 0 or os.name != "posix":
        # never signal a process group; on Windows os.kill(pid, 0) would end the process
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError, OverflowError):
        return True  # another user's process, or we cannot know: leave its file alone
    return True


def remove_stale(folder: str | os.PathLike[str]) -> list[Path]:
    """Remove the temporary files a dead Lanterne process left in ``folder``; return them.

    Quiet on every error: cleanup must never stop the command that asked for it.
    """
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        pid = owner_pid(entry.name)
        if pid is None or pid == os.getpid() or pid_alive(pid):
            continue
        try:
            if entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue
    return removed
