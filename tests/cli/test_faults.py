"""Faults: the disk refuses, fills up, the process is killed or interrupted.

Every case ends with a clear message naming the file and the documented exit code (1 for
a runtime failure, 130 on Ctrl-C, 143 on SIGTERM), never a traceback, and leaves no
hidden temporary file and no half-written output. Killed processes (``kill -9``) cannot
clean up: the next command writing into the folder removes what they left, and only that.
"""

from __future__ import annotations

import errno
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import polars as pl
import pytest

import lanterne
from lanterne.catalog import sample_path
from lanterne.io.atomic import atomic_path, check_destination
from lanterne.io.tempfiles import HOST, owner_pid, remove_stale, temp_prefix

pytestmark = pytest.mark.hostile  # an attack: `pytest -m hostile` runs them all

SRC = str(Path(lanterne.__file__).resolve().parents[1])


def _debris(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# --- what a real kernel refuses, even to root ------------------------------------------


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_a_folder_nobody_can_write_in_exits_1_before_the_work(cli, tmp_path) -> None:
    # /proc takes no new file, not even from root: the data file is missing too, so an
    # exit code of 2 would mean the command read its input before checking its output
    result = cli("--lang", "en", "score", "fr-cnaf-2014", tmp_path / "no.csv", "-o", "/proc/s.csv")
    assert result.exit_code == 1, result.output
    assert "/proc/s.csv" in result.stderr and "Failure" in result.stderr
    assert "Traceback" not in result.output


def test_a_file_used_as_a_folder_is_bad_usage(cli, tmp_path) -> None:
    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    result = cli("--lang", "en", "score", "fr-cnaf-2014", sample_path(), "-o", plain / "s.csv")
    assert result.exit_code == 2, result.output
    assert "is a file, not a folder" in result.stderr and str(plain) in result.stderr


def test_a_name_too_long_exits_1_before_the_work(cli, tmp_path) -> None:
    long_name = tmp_path / ("x" * 300 + ".csv")
    result = cli("--lang", "en", "score", "fr-cnaf-2014", tmp_path / "no.csv", "-o", long_name)
    assert result.exit_code == 1, result.output
    assert "file name too long" in result.stderr and "ENAMETOOLONG" in result.stderr
    assert _debris(tmp_path) == []


# --- simulated: permission denied, full disk ------------------------------------------


def test_permission_denied_on_an_input_names_the_file(cli, tmp_path, monkeypatch) -> None:
    def refuse(path, *args, **kwargs):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))

    monkeypatch.setattr("lanterne.io.tables.read_table", refuse)
    out = tmp_path / "s.csv"
    result = cli("--lang", "en", "score", "fr-cnaf-2014", tmp_path / "secret.csv", "-o", out)
    assert result.exit_code == 1, result.output
    assert f"{tmp_path / 'secret.csv'}: permission denied (errno 13, EACCES)" in result.stderr


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_full_disk_while_writing_a_table(cli, tmp_path, monkeypatch, suffix) -> None:
    """Polars reports a full disk as ComputeError('... (os error 28)') or an OSError
    without errno: both become 'no space left' naming the output, exit 1."""
    out = tmp_path / f"scores{suffix}"
    out.write_bytes(b"previous version")

    def full(self, file, *args, **kwargs):
        Path(file).write_bytes(b"PAR1 half a file")  # some bytes reached the disk
        if suffix == ".parquet":
            raise pl.exceptions.ComputeError(
                "parquet: File out of specification: underlying IO error: "
                "No space left on device (os error 28)"
            )
        raise OSError("No space left on device (os error 28)")

    monkeypatch.setattr(
        pl.DataFrame, "write_parquet" if suffix == ".parquet" else "write_csv", full
    )
    result = cli("--lang", "en", "score", "fr-cnaf-2014", sample_path(), "-o", out)
    assert result.exit_code == 1, result.output
    assert f"{out}: no space left on the disk (errno 28, ENOSPC)" in result.stderr
    assert out.read_bytes() == b"previous version"  # the old file is left whole
    assert _debris(tmp_path) == []


def test_full_disk_while_writing_the_report(cli, tmp_path, monkeypatch) -> None:
    """A full disk cannot be known in advance: the report fails at the end, cleanly."""
    real = Path.write_bytes

    def full(self, data):
        if self.name.endswith(".tmp"):
            real(self, data[: len(data) // 2])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", full)
    out = tmp_path / "r.html"
    result = cli("--lang", "en", "report", "fr-cnaf-2014", sample_path(), "-o", out)
    assert result.exit_code == 1, result.output
    assert f"{out}: no space left on the disk" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_report_checks_its_folder_before_the_audit(cli, tmp_path, monkeypatch) -> None:
    audits: list[object] = []
    monkeypatch.setattr("lanterne.cli.report.run_audits", lambda *a, **k: audits.append(a))

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(tmp_path))

    monkeypatch.setattr("lanterne.io.atomic.tempfile.mkstemp", read_only)
    result = cli("--lang", "en", "report", "fr-cnaf-2014", sample_path(), "-o", tmp_path / "r.html")
    assert result.exit_code == 1 and "read-only file system" in result.stderr
    assert audits == []  # failed in a second, not after the whole audit


# --- unexpected errors, memory, interrupts in-process ---------------------------------


def test_an_unexpected_error_is_a_short_message_not_a_traceback(cli, tmp_path, monkeypatch) -> None:
    def bug(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr("lanterne.scoring.score_summary", bug)
    args = ("score", "fr-cnaf-2014", sample_path(), "-o", tmp_path / "s.csv")
    result = cli("--lang", "en", *args)
    assert result.exit_code == 1
    assert "Unexpected error (a bug in Lanterne)" in result.stderr
    assert "ZeroDivisionError: division by zero" in result.stderr
    assert "--debug" in result.stderr and "LANTERNE_DEBUG=1" in result.stderr
    assert "Traceback" not in result.output
    result = cli(*args)  # French by default
    assert result.exit_code == 1 and "Erreur inattendue" in result.stderr
    # --debug, or LANTERNE_DEBUG=1, lets the traceback through for the developers
    with pytest.raises(ZeroDivisionError):
        cli("--debug", *args)
    monkeypatch.setenv("LANTERNE_DEBUG", "1")
    with pytest.raises(ZeroDivisionError):
        cli(*args)


def test_a_native_panic_is_caught_too(cli, tmp_path, monkeypatch) -> None:
    # Polars' PanicException derives from BaseException, not Exception
    def panic(*args, **kwargs):
        raise pl.exceptions.PanicException("index out of bounds")

    monkeypatch.setattr("lanterne.io.tables.read_table", panic)
    result = cli("--lang", "en", "score", "fr-cnaf-2014", sample_path(), "-o", tmp_path / "s.csv")
    assert result.exit_code == 1 and "PanicException: index out of bounds" in result.stderr


def test_out_of_memory_exits_1(cli, tmp_path, monkeypatch) -> None:
    def exhausted(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr("lanterne.io.tables.read_table", exhausted)
    result = cli("--lang", "en", "score", "fr-cnaf-2014", sample_path(), "-o", tmp_path / "s.csv")
    assert result.exit_code == 1 and "not enough memory" in result.stderr


def test_ctrl_c_while_writing_exits_130_and_cleans_up(cli, tmp_path, monkeypatch) -> None:
    def interrupted(self, file, *args, **kwargs):
        Path(file).write_text("half")
        raise KeyboardInterrupt

    monkeypatch.setattr(pl.DataFrame, "write_csv", interrupted)
    result = cli("--lang", "en", "score", "fr-cnaf-2014", sample_path(), "-o", tmp_path / "s.csv")
    assert result.exit_code == 130
    assert "Interrupted." in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_sigterm_unwinds_in_process_and_the_handler_is_put_back(cli, tmp_path, monkeypatch) -> None:
    seen: dict[str, object] = {}

    def terminated(self, file, *args, **kwargs):
        Path(file).write_text("half")
        seen["hup"] = signal.getsignal(signal.SIGHUP)
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)  # the handler raises before this ends
        seen["slept"] = True

    monkeypatch.setattr(pl.DataFrame, "write_csv", terminated)
    before = signal.signal(signal.SIGHUP, signal.SIG_IGN)  # as under nohup
    try:
        result = cli("score", "fr-cnaf-2014", sample_path(), "-o", tmp_path / "s.csv")
        after_hup = signal.getsignal(signal.SIGHUP)
    finally:
        signal.signal(signal.SIGHUP, before)
    assert result.exit_code == 143 and "Interrompu." in result.stderr
    assert "slept" not in seen
    assert seen["hup"] is signal.SIG_IGN and after_hup is signal.SIG_IGN  # nohup respected
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    assert list(tmp_path.iterdir()) == []


# --- kill -9, SIGINT and SIGTERM on a real process writing a large file ---------------

#: The real command, with small chunks so that the Parquet file grows for a few seconds.
SLOW_GENERATE = textwrap.dedent(
    """\
    if __name__ == "__main__":
        import lanterne.population.generate as generate
        generate.CHUNK_ROWS = 20_000
        from lanterne.cli import main
        main()
    """
)


def _start_writing(tmp_path: Path, folder: Path) -> tuple[subprocess.Popen[str], Path]:
    """Start ``population generate`` into ``folder``; return once its temporary file
    holds data (the process is writing)."""
    script = tmp_path / "slow_generate.py"
    script.write_text(SLOW_GENERATE)
    env = {**os.environ, "PYTHONPATH": SRC, "LANTERNE_LANG": "fr"}
    args = ["population", "generate", "-n", "2000000", "--workers", "1"]
    proc = subprocess.Popen(
        [sys.executable, str(script), *args, "-o", str(folder / "pop.parquet")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        temps = [p for p in folder.iterdir() if owner_pid(p.name) == proc.pid]
        if temps and temps[0].stat().st_size > 0:
            return proc, temps[0]
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    proc.kill()
    raise AssertionError("the command never started writing")


def test_kill_9_debris_is_removed_by_the_next_command(cli, tmp_path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "pop.parquet").write_bytes(b"previous version")
    stranger = folder / ".pop.parquet.k2j4h6g8.tmp"  # not Lanterne's naming: left alone
    stranger.write_text("someone else's")
    proc, temp = _start_writing(tmp_path, folder)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert temp.exists() and owner_pid(temp.name) == proc.pid  # debris, as expected
    assert (folder / "pop.parquet").read_bytes() == b"previous version"  # never half-written

    result = cli("score", "fr-cnaf-2014", sample_path(), "-o", folder / "scores.csv")
    assert result.exit_code == 0, result.output
    assert not temp.exists()
    assert _debris(folder) == [stranger.name]
    assert (folder / "pop.parquet").read_bytes() == b"previous version"
    assert pl.read_csv(folder / "scores.csv").height == pl.read_csv(sample_path()).height


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_interrupt_mid_write_exits_cleanly(tmp_path, signum, code) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    proc, _ = _start_writing(tmp_path, folder)
    proc.send_signal(signum)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == code, stderr
    assert "Interrompu." in stderr and "Traceback" not in stderr
    assert list(folder.iterdir()) == []  # neither the temporary file nor a partial output


# --- the start-up cleanup removes only what is certainly Lanterne's and dead ----------


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_only_dead_processes_files_of_this_machine_are_removed(tmp_path) -> None:
    dead, alive = _dead_pid(), os.getppid()
    names = {
        "dead": f".scores.csv.lanterne.{HOST}.{dead}.abcdefgh.tmp",
        "alive": f".scores.csv.lanterne.{HOST}.{alive}.abcdefgh.tmp",
        "mine": temp_prefix("scores.csv") + "abcdefgh.tmp",
        "other host": f".scores.csv.lanterne.{'0' * 6 if HOST != '0' * 6 else '1' * 6}."
        f"{dead}.abcdefgh.tmp",
        "not ours": f".scores.csv.{dead}.abcdefgh.tmp",
        "user file": f"scores.csv.lanterne.{HOST}.{dead}.abcdefgh.tmp",  # not hidden
        "pid zero": f".scores.csv.lanterne.{HOST}.0.abcdefgh.tmp",
    }
    for name in names.values():
        (tmp_path / name).write_text("x")
    folder_like = tmp_path / f".x.lanterne.{HOST}.{dead}.abcdefgh.tmp"
    folder_like.mkdir()  # a folder, whatever its name, is never removed
    target = tmp_path / "elsewhere.txt"
    target.write_text("keep")
    link = tmp_path / f".y.lanterne.{HOST}.{dead}.abcdefgh.tmp"
    link.symlink_to(target)  # Lanterne never makes links: not its file
    removed = {p.name for p in remove_stale(tmp_path)}
    assert removed == {names["dead"]}
    left = {p.name for p in tmp_path.iterdir()}
    kept = set(names.values()) - {names["dead"]}
    assert left == kept | {folder_like.name, target.name, link.name}
    assert target.read_text() == "keep"


def test_check_destination_cleans_and_leaves_no_probe(tmp_path) -> None:
    stale = tmp_path / f".r.html.lanterne.{HOST}.{_dead_pid()}.abcdefgh.tmp"
    stale.write_text("half")
    assert check_destination(tmp_path / "r.html") == tmp_path
    assert list(tmp_path.iterdir()) == []


def test_temporary_names_carry_the_process_and_fit_long_names(tmp_path) -> None:
    target = tmp_path / ("r" * 200 + ".html")
    with atomic_path(target) as tmp:
        assert owner_pid(tmp.name) == os.getpid()
        assert len(tmp.name) < 120
        tmp.write_text("ok")
    assert target.read_text() == "ok"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_the_web_server_stops_normally_on_ctrl_c_and_sigterm(tmp_path, signum) -> None:
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from lanterne.cli import main; main()",
            "serve",
            "--port",
            str(port),
            "--population",
            str(sample_path()),
        ],
        env={**os.environ, "PYTHONPATH": SRC},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.1)
    proc.send_signal(signum)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0, stderr  # stopping the server is its normal end
    assert "Traceback" not in stderr
