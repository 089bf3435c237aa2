"""Reading and writing tables and files: CSV, Parquet, atomic writes.

The names are imported on first use (PEP 562): ``lanterne.io.atomic`` and
``lanterne.io.std`` stay light (no Polars) for the command line's start-up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lanterne._lazy import lazy_exports

if TYPE_CHECKING:
    from lanterne.io.atomic import (
        atomic_path,
        write_bytes_atomic,
        write_json_atomic,
        write_text_atomic,
    )
    from lanterne.io.tables import read_table, scan_parquet_files, write_table

__all__ = [
    "atomic_path",
    "read_table",
    "scan_parquet_files",
    "write_bytes_atomic",
    "write_json_atomic",
    "write_table",
    "write_text_atomic",
]

_LAZY = {
    "atomic_path": "lanterne.io.atomic",
    "write_bytes_atomic": "lanterne.io.atomic",
    "write_json_atomic": "lanterne.io.atomic",
    "write_text_atomic": "lanterne.io.atomic",
    "read_table": "lanterne.io.tables",
    "scan_parquet_files": "lanterne.io.tables",
    "write_table": "lanterne.io.tables",
}


__getattr__, __dir__ = lazy_exports(globals(), _LAZY)
