"""How to make the same report again: the command, the version, the seed, input checksums.

Example:
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "a.csv"
    >>> _ = path.write_text("x\\n1\\n")
    >>> file_checksums([path]) == [("a.csv", hashlib.sha256(b"x\\n1\\n").hexdigest())]
    True
"""

from __future__ import annotations

import hashlib
import os
import shlex
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lanterne._version import __version__
from lanterne.io.database import redact

_BLOCK = 1 << 20


def sha256_of(path: Path) -> str:
    """SHA-256 of a file, read in blocks (populations can be large)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def file_checksums(paths: Iterable[str | os.PathLike[str]]) -> list[tuple[str, str]]:
    """``(name, sha256)`` of each file; a folder of Parquet files lists each of its files."""
    out: list[tuple[str, str]] = []
    for entry in paths:
        path = Path(entry)
        if path.is_dir():
            for part in sorted(path.glob("*.parquet")):
                out.append((f"{path.name}/{part.name}", sha256_of(part)))
        elif path.is_file():
            out.append((path.name, sha256_of(path)))
    return out


def current_command(argv: Sequence[str] | None = None) -> str:
    """The command line that is running, as a shell would accept it back."""
    args = list(sys.argv if argv is None else argv)
    if args:
        args[0] = "lanterne" if Path(args[0]).name in ("lanterne", "__main__.py") else args[0]
    return redact(shlex.join(args))  # a database password never reaches a report


@dataclass
class Reproducibility:
    """What the reproducibility section shows."""

    command: str
    version: str = __version__
    seed: int | None = None
    files: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.command = redact(self.command)
