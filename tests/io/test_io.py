"""Reading and writing tables; atomic writes leave nothing behind on failure."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from lanterne.errors import DataError
from lanterne.io.atomic import atomic_path, write_json_atomic
from lanterne.io.tables import infer_text_columns, read_table, write_table


def test_semicolon_csv_is_read(tmp_path) -> None:
    path = tmp_path / "fr.csv"
    path.write_text("revenu;famille\n12,5;seul\n3;couple\n", encoding="utf-8")
    frame = read_table(path)
    assert frame.columns == ["revenu", "famille"]
    assert frame["revenu"].to_list() == ["12,5", "3"]


def test_bom_and_latin_characters(tmp_path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffnom,ville\nAnaïs,Créteil\n".encode())
    assert read_table(path).row(0) == ("Anaïs", "Créteil")


def test_parquet_folder_is_read_as_one_table(tmp_path) -> None:
    folder = tmp_path / "parts"
    folder.mkdir()
    pl.DataFrame({"a": [1, 2]}).write_parquet(folder / "p1.parquet")
    pl.DataFrame({"a": [3]}).write_parquet(folder / "p2.parquet")
    assert read_table(folder)["a"].to_list() == [1, 2, 3]


def test_unknown_format_and_missing_file(tmp_path) -> None:
    with pytest.raises(DataError):
        read_table(tmp_path / "x.parquet")
    (tmp_path / "x.json").write_text("{}")
    with pytest.raises(DataError):
        read_table(tmp_path / "x.json")


def test_atomic_write_removes_the_temporary_file_on_failure(tmp_path) -> None:
    target = tmp_path / "report.html"
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("crash")
    assert list(tmp_path.iterdir()) == []


def test_atomic_write_replaces_an_existing_file(tmp_path) -> None:
    target = tmp_path / "data.json"
    write_json_atomic(target, {"a": "é"})
    write_json_atomic(target, {"a": 2})
    assert target.read_text() == '{\n  "a": 2\n}\n'


def test_write_table_round_trip_and_bad_destination(tmp_path) -> None:
    frame = pl.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    write_table(frame, tmp_path / "t.parquet")
    assert pl.read_parquet(tmp_path / "t.parquet").equals(frame)
    with pytest.raises(DataError):
        write_table(frame, tmp_path / "t.xlsx")
    with pytest.raises(Exception, match="does not exist"):
        write_table(frame, tmp_path / "missing" / "t.csv")


def test_infer_text_columns() -> None:
    frame = pl.DataFrame(
        {
            "i": ["1", "", "3"],
            "f": ["1.5", "2", None],
            "b": ["True", "false", "true"],
            "s": ["a", "1", "b"],
        }
    )
    out = infer_text_columns(frame)
    assert out.dtypes == [pl.Int64, pl.Float64, pl.Boolean, pl.String]
    assert out["i"].to_list() == [1, None, 3]


def test_atomic_files_get_the_usual_permissions(tmp_path):
    import os
    import stat

    from lanterne.io.atomic import write_text_atomic

    mask = os.umask(0o022)
    try:
        target = tmp_path / "report.html"
        write_text_atomic(target, "<p>x</p>")
        assert stat.S_IMODE(target.stat().st_mode) == 0o644
    finally:
        os.umask(mask)


def test_a_folder_is_refused_as_an_output_before_any_work(tmp_path, cli) -> None:
    from lanterne.catalog import sample_path
    from lanterne.errors import LanterneError
    from lanterne.io.atomic import check_destination, write_json_atomic
    from lanterne.io.tables import write_table

    folder = tmp_path / "out.json"
    folder.mkdir()
    for write in (
        lambda: check_destination(folder),
        lambda: write_json_atomic(folder, {}),
        lambda: write_table(pl.DataFrame({"a": [1]}), folder),
    ):
        with pytest.raises(LanterneError, match="not a folder"):
            write()
    assert list(folder.iterdir()) == []  # nothing written in it either
    args = ["audit", "population", "fr-cnaf-2014", sample_path(), "-g", "sex", "--json", folder]
    result = cli("--lang", "en", *args)
    assert result.exit_code == 2 and "not a folder" in result.stderr


def test_writing_to_a_device_or_a_pipe_never_replaces_it(tmp_path: Path) -> None:
    """``-o /dev/null`` or a named pipe is written in place: renaming a finished file onto
    it (as for ordinary files) replaced the device itself when run as root."""
    import os
    import stat
    import threading

    from lanterne.io.atomic import check_destination, write_text_atomic

    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_bytes()))
    reader.start()
    check_destination(pipe)
    write_text_atomic(pipe, "bonjour\n")
    reader.join(timeout=10)
    assert received == [b"bonjour\n"]
    assert stat.S_ISFIFO(pipe.stat().st_mode), "the pipe is still a pipe"
    assert [p.name for p in tmp_path.iterdir()] == ["pipe"], "no temporary file left"
    check_destination("/dev/null")
    write_text_atomic("/dev/null", "rien\n")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
