"""A real PostgreSQL server for the tests: its own data folder, a free local port.

Debian's ``postgresql`` package provides the server (``make system-deps`` installs it).
PostgreSQL refuses to run as root: when the tests run as root, the server runs as the
``postgres`` user (created by the package) or ``nobody``. Missing binaries are a failure
with a clear message, never a skip.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

USER = "lanterne"
PASSWORD = "s3cret-pw-do-not-print"
DATABASE = "lanterne"


@dataclass(frozen=True)
class Server:
    port: int
    folder: Path

    def uri(self, password: str = PASSWORD, database: str = DATABASE) -> str:
        return f"postgresql://{USER}:{password}@127.0.0.1:{self.port}/{database}"


def binaries() -> Path:
    """The folder of ``initdb``/``pg_ctl``; raises with the fix when not installed."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not found:
        raise RuntimeError(
            "PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin/pg_ctl): "
            "install Debian's postgresql package (make system-deps, or "
            "apt-get install postgresql)"
        )
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _runner() -> tuple[list[str], str | None]:
    """The command prefix running as a non-root user, and that user's name."""
    if os.geteuid() != 0:
        return [], None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return ["runuser", "-u", name, "--"], name
    raise RuntimeError("no non-root user to run PostgreSQL as (postgres or nobody)")


@contextmanager
def running_server() -> Iterator[Server]:
    """Start a throw-away server (initdb, pg_ctl start) and stop it at the end."""
    bin_dir = binaries()
    prefix, user = _runner()
    folder = Path(tempfile.mkdtemp(prefix="lanterne-pg-"))
    data, sockets = folder / "data", folder / "sock"
    sockets.mkdir()
    pwfile = folder / "pw"
    pwfile.write_text(PASSWORD + "\n")
    if user is not None:
        entry = pwd.getpwnam(user)
        for path in (folder, sockets, pwfile):
            os.chown(path, entry.pw_uid, entry.pw_gid)
    port = _free_port()

    def run(*args: str) -> None:
        subprocess.run([*prefix, *args], check=True, capture_output=True, timeout=120)

    try:
        run(
            str(bin_dir / "initdb"), "-D", str(data), "-U", USER, "--pwfile", str(pwfile),
            "--auth=scram-sha-256", "-E", "UTF8", "--no-sync",
        )  # fmt: skip
        options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
        run(
            str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options,
            "-l", str(folder / "log"), "-w", "-t", "60", "start",
        )  # fmt: skip
        try:
            env = {**os.environ, "PGPASSWORD": PASSWORD}
            subprocess.run(
                [str(bin_dir.parent / "bin" / "createdb"), "-h", "127.0.0.1", "-p", str(port),
                 "-U", USER, DATABASE],
                check=True, capture_output=True, timeout=60, env=env,
            )  # fmt: skip
            yield Server(port, folder)
        finally:
            run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
