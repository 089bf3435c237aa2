"""Reading and writing tables and files: CSV, Parquet, atomic writes."""

from lanterne.io.atomic import atomic_path, write_bytes_atomic, write_json_atomic, write_text_atomic
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
