"""The exit-code contract of every command that writes: 2 for bad usage or bad input,
1 for a runtime failure (here a read-only destination), found before any work.

Each command is run three ways: with an option that does not exist (usage, 2), with an
input that does not exist and a good destination (bad input, 2), and with the same
missing input but a destination on a read-only file system (runtime failure, 1). The last
case also proves the destination is checked first: had the command read its input
before checking where it writes, it would have ended with 2.

The read-only file system is simulated in-process (the tests may run as root, for whom
``chmod`` does not stop writes): creating a file in the folder ``ro`` raises ``EROFS``, as
the kernel does. ``test_faults.py`` has the cases a real kernel refuses.
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.hostile  # an attack: `pytest -m hostile` runs them all

#: Each writing command: its arguments, with {missing} for an input file that does not
#: exist and {out} for the folder it writes in.
COMMANDS: dict[str, str] = {
    "score": "score fr-cnaf-2014 {missing}.csv -o {out}/s.csv",
    "audit population": "audit population fr-cnaf-2014 {missing}.csv -g sex --json {out}/a.json",
    "audit population --report": (
        "audit population fr-cnaf-2014 {missing}.csv -g sex --report {out}/a.html"
    ),
    "audit selection": (
        "audit selection {missing}.csv --selection-col how --random-value random "
        "--outcome-col found --negative-value none -g sex --json {out}/a.json"
    ),
    "audit confusion": "audit confusion {missing}.csv --json {out}/a.json",
    "audit nonrecours": "audit nonrecours {missing}.csv --json {out}/a.json",
    "report": "report fr-cnaf-2014 {missing}.csv -o {out}/r.html",
    "report --pdf": "report fr-cnaf-2014 {missing}.csv -o {out}/r.html --pdf {out}/r.pdf",
    "explain": "explain fr-cnaf-2014 --household {missing}.yaml --json {out}/e.json",
    "letter": ("letter fr-cnaf-2014 --kind explanation --household {missing}.yaml -o {out}/l.md"),
    "population generate": (
        "population generate -n 1000 --targets {missing}.yaml -o {out}/p.parquet"
    ),
    "population check": "population check {missing}.parquet --json {out}/c.json",
    "import xgboost": "import xgboost {missing}.json -o {out}/m.yaml",
    "import lightgbm": "import lightgbm {missing}.txt -o {out}/m.yaml",
    "import sklearn": "import sklearn {missing}.pkl --trust-pickle -o {out}/m.yaml",
    "rights": "rights {missing}.csv --json {out}/r.json",
    "archetypes": (
        "archetypes fr-cnaf-2014 fr-households -p {missing}.parquet --json {out}/a.json"
    ),
    "demo": "demo --households 1000 --out {out}/demo",
}


def _args(name: str, missing: Path, out: Path) -> list[str]:
    return COMMANDS[name].format(missing=missing, out=out).split()


@pytest.fixture
def read_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder in which creating a file fails with EROFS (read-only file system)."""
    folder = tmp_path / "ro"
    folder.mkdir()
    real = tempfile.mkstemp

    def mkstemp(*args, **kwargs):
        where = Path(kwargs.get("dir") or (args[2] if len(args) > 2 else "."))
        if where.resolve() == folder.resolve():
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(where))
        return real(*args, **kwargs)

    def mkdir(self, *args, **kwargs):
        if self.resolve().parent == folder.resolve():
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(self))
        return real_mkdir(self, *args, **kwargs)

    real_mkdir = Path.mkdir
    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    monkeypatch.setattr(Path, "mkdir", mkdir)
    return folder


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_usage_error_exits_2(cli, tmp_path, name) -> None:
    result = cli("--lang", "en", *_args(name, tmp_path / "missing", tmp_path), "--no-such-option")
    assert result.exit_code == 2, result.output
    assert "No such option" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_bad_input_exits_2_and_writes_nothing(cli, tmp_path, name) -> None:
    out = tmp_path / "out"
    out.mkdir()
    args = _args(name, tmp_path / "missing", out)
    if name == "demo":  # demo reads no input file: its --out is a file instead of a folder
        (out / "demo").write_text("a file")
    result = cli("--lang", "en", *args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "Usage:" not in result.output
    assert "missing" in result.stderr if name != "demo" else "must be a folder" in result.stderr
    assert [p.name for p in out.iterdir()] == (["demo"] if name == "demo" else [])


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_read_only_destination_exits_1_before_reading_the_input(
    cli, tmp_path, read_only, name
) -> None:
    args = _args(name, tmp_path / "missing", read_only)
    result = cli("--lang", "en", *args)
    assert result.exit_code == 1, result.output
    assert "read-only file system" in result.stderr, result.output
    assert str(read_only) in result.stderr  # the message names the file or folder
    assert "Traceback" not in result.output
    assert list(read_only.iterdir()) == []


def test_the_security_page_documents_these_codes() -> None:
    from lanterne.errors import EXIT_BAD_INPUT, EXIT_INTERRUPTED, EXIT_RUNTIME

    page = (Path(__file__).resolve().parents[2] / "docs" / "security.md").read_text("utf-8")
    table = page.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    rows = {line.split("|")[1].strip() for line in table.splitlines() if line.startswith("| ")}
    assert {str(EXIT_BAD_INPUT), str(EXIT_RUNTIME), str(EXIT_INTERRUPTED)} <= rows
