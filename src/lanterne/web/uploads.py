"""Where an uploaded file lives while it is audited, and how nothing of it stays.

Each upload gets its own folder ``lanterne-upload-<pid>-<random>`` in the system's
temporary directory, deleted when the request ends, whatever the ending (report made,
bad file, crash, client gone): :func:`upload_folder` is a ``try/finally``. A server killed
outright (``kill -9``, power cut) cannot clean up, so every server, when it starts, deletes
the folders whose process (the ``<pid>`` in the name) is no longer running:
:func:`remove_stale_uploads`.

The name a browser sends for the file is reduced to a short safe name (letters, digits,
``.``, ``-``, ``_``; at most :data:`MAX_NAME` characters, keeping the extension): a
300-character or path-like name is never a file-system error.

Example:
    >>> safe_upload_name("../../etc/passwd.csv"), safe_upload_name("données b;c.parquet")
    ('passwd.csv', 'donnees_b_c.parquet')
    >>> len(safe_upload_name("x" * 300 + ".csv"))
    80
    >>> with upload_folder() as folder:
    ...     folder.name.startswith(f"lanterne-upload-{os.getpid()}-")
    True
    >>> folder.exists()
    False
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PREFIX = "lanterne-upload-"
MAX_NAME = 80
#: A folder without a process id (made by an older version) is stale after this long.
STALE_AFTER_S = 24 * 3600
_OURS = re.compile(rf"{re.escape(PREFIX)}(?:(\d+)-)?[\w-]+\Z")


def safe_upload_name(name: str) -> str:
    """A short file name that keeps the upload's base name and extension where it can.

    >>> safe_upload_name("日本語.csv"), safe_upload_name(".parquet"), safe_upload_name("")
    ('data.csv', 'data.parquet', 'data')
    """
    base = Path(name.replace("\\", "/")).name
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    ext = re.sub(r"[^A-Za-z0-9]", "", ext)[:10]
    stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    stem = re.sub(r"[^\w.\-]+", "_", stem, flags=re.ASCII).strip("._-") or "data"
    stem = stem[: MAX_NAME - len(ext) - 1].rstrip("._-") or "data"
    return f"{stem}.{ext}" if ext else stem


@contextmanager
def upload_folder() -> Iterator[Path]:
    """A fresh private folder for one upload, deleted on every way out of the ``with``."""
    folder = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _running(pid: int) -> bool:
    """Whether process ``pid`` exists (on doubt, yes: its folder is then kept)."""
    if os.name != "posix":  # os.kill(pid, 0) would end the process on Windows
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists, but belongs to another user
        return True
    return True


def remove_stale_uploads(root: str | os.PathLike[str] | None = None) -> list[Path]:
    """Delete the upload folders in ``root`` (the temp dir) whose server is gone.

    Only this user's folders named by :func:`upload_folder` are considered; one whose
    process still runs is kept. Returns the folders deleted.
    """
    root = Path(root or tempfile.gettempdir())
    removed: list[Path] = []
    now = time.time()
    try:
        entries = list(root.iterdir())
    except OSError:
        return removed
    for entry in entries:
        match = _OURS.match(entry.name)
        if match is None:
            continue
        try:
            info = entry.lstat()
        except OSError:
            continue
        if not entry.is_dir() or entry.is_symlink():
            continue
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            continue
        pid = match.group(1)
        if pid is not None and int(pid) != os.getpid() and not _running(int(pid)):
            stale = True
        else:
            stale = pid is None and now - info.st_mtime > STALE_AFTER_S
        if stale:
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed
