"""Check the page headers of a Parquet file before Polars decodes it.

Polars' Parquet decoder trusts the counts written in page headers: a corrupted header (a
negative number of values, read as a huge unsigned one) makes it ask for exabytes of
memory, and the process *aborts* — no exception to catch, a whole web server gone on one
uploaded file. Reading through PyArrow instead (which checks) costs four times the read
time, so the file is walked here first: the footer (read by PyArrow, which checks it) gives
each column chunk's place and value count, then every page header of the chunk is parsed
(the Thrift compact encoding, a few bytes each; page data is skipped, not read). A file is
refused when a count is negative, a page overruns its chunk or the file, or the pages'
values do not add up to the chunk's. This costs milliseconds on a 40 MB file.

Example:
    >>> import io, tempfile, pathlib, polars as pl
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "t.parquet"
    >>> pl.DataFrame({"a": [1, None, 3]}).write_parquet(path)
    >>> check_parquet_pages(path)  # a sound file: nothing to say
    >>> data = bytearray(path.read_bytes())
    >>> at = data.index(bytes([0x15, 0x06]), 4)  # the first page's value count (3)
    >>> data[at + 1] = 0x19  # now -13
    >>> _ = path.write_bytes(bytes(data))
    >>> check_parquet_pages(path)
    Traceback (most recent call last):
      ...
    lanterne.errors.DataError: ...damaged Parquet file (column 'a', ...): a negative count...
"""

from __future__ import annotations

import mmap
import os
from pathlib import Path

import pyarrow.parquet as pq

from lanterne.errors import DataError, LanterneError, Problem, os_errno, os_failure, short_name
from lanterne.i18n import Msg

_NEGATIVE = Msg("un nombre négatif dans un en-tête de page", "a negative count in a page header")
_OVERRUN = Msg("une page dépasse sa colonne", "a page runs past its column chunk")
_OUTSIDE = Msg("une colonne hors du fichier", "a column chunk lies outside the file")
_HEADER = Msg("en-tête de page illisible", "unreadable page header")
_COUNT = Msg(
    "les pages ne totalisent pas le nombre de valeurs de la colonne",
    "the pages do not add up to the column's number of values",
)
_LEVELS = Msg("niveaux plus longs que la page", "levels longer than the page")


class _Bad(Exception):
    """A defect at a byte offset (turned into a located :class:`DataError`)."""

    def __init__(self, why: Msg, at: int) -> None:
        super().__init__(why.render("en"))
        self.why, self.at = why, at


#: The file's bytes: memory-mapped, or bytes in tests.
_Buffer = bytes | mmap.mmap


def _varint(buf: _Buffer, pos: int, end: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if pos >= end:
            raise EOFError
        b = buf[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        if b < 0x80:
            return value, pos
        shift += 7
        if shift > 63:
            raise ValueError("varint too long")


def _skip(buf: _Buffer, pos: int, end: int, kind: int, depth: int) -> int:
    """Past a value of Thrift compact type ``kind`` (not a struct's integer field)."""
    if kind in (1, 2):  # a boolean field lives in its field header
        return pos
    if kind == 3:
        return pos + 1
    if kind in (4, 5, 6):
        return _varint(buf, pos, end)[1]
    if kind == 7:
        return pos + 8
    if kind == 8:
        length, pos = _varint(buf, pos, end)
        return pos + length
    if kind == 12:
        return _struct(buf, pos, end, depth + 1, False)[1]
    if depth > 16 or kind not in (9, 10, 11):
        raise ValueError(f"type {kind}")
    if pos >= end:
        raise EOFError
    head = buf[pos]
    if kind == 11:  # a map: size, then key and value types
        size, pos = _varint(buf, pos, end)
        if size:
            if pos >= end:
                raise EOFError
            types = buf[pos]
            pos += 1
            for _ in range(size):
                pos = _skip(buf, pos, end, types >> 4, depth + 1)
                pos = _skip(buf, pos, end, types & 0x0F, depth + 1)
                if pos > end:
                    raise EOFError
        return pos
    size, pos = (head >> 4, pos + 1) if head >> 4 != 15 else _varint(buf, pos + 1, end)
    element = head & 0x0F if head & 0x0F not in (1, 2) else 3  # list booleans take a byte
    for _ in range(size):
        pos = _skip(buf, pos, end, element, depth + 1)
        if pos > end:
            raise EOFError
    return pos


def _struct(buf: _Buffer, pos: int, end: int, depth: int, keep: bool) -> tuple[dict, int]:
    """A Thrift compact struct at ``pos``: its integer fields (and, at the top, the page kinds'
    sub-structs) if ``keep``, and the position after it."""
    fields: dict[int, object] = {}
    last = 0
    while True:
        if pos >= end:
            raise EOFError
        head = buf[pos]
        pos += 1
        kind = head & 0x0F
        if kind == 0:
            return fields, pos
        if head >> 4:
            last += head >> 4
        else:
            n, pos = _varint(buf, pos, end)
            last = (n >> 1) ^ -(n & 1)
        if kind in (4, 5, 6) or kind == 8:  # (one-byte varints read inline: the common case)
            if pos < end and buf[pos] < 0x80:
                n = buf[pos]
                pos += 1
            else:
                n, pos = _varint(buf, pos, end)
            if kind == 8:
                pos += n
            elif keep:
                fields[last] = (n >> 1) ^ -(n & 1)
        elif kind == 12:
            sub, pos = _struct(buf, pos, end, depth + 1, keep and depth == 0 and last in _SUBS)
            if keep and depth == 0 and last in _SUBS:
                fields[last] = sub
        else:
            pos = _skip(buf, pos, end, kind, depth)
        if pos > end:
            raise EOFError


# PageHeader fields: 1 type, 2 uncompressed size, 3 compressed size; 5 data page, 7 dictionary
# page, 8 data page v2 (1 num_values, 2 num_nulls, 3 num_rows, 5-6 level byte lengths).
_SUBS = (5, 7, 8)


def _check_page(header: dict[int, object], pos: int) -> int:
    """The page's number of values (0 for a dictionary or index page)."""
    sizes = [header.get(2, 0), header.get(3, 0)]
    if not all(isinstance(s, int) and s >= 0 for s in sizes):
        raise _Bad(_NEGATIVE, pos)
    smallest = min(s for s in sizes if isinstance(s, int))
    values = 0
    for key in (5, 7, 8):
        sub = header.get(key)
        if not isinstance(sub, dict):
            continue
        counts = [sub.get(i, 0) for i in ((1,) if key != 8 else (1, 2, 3, 5, 6))]
        if any(not isinstance(c, int) or c < 0 for c in counts):
            raise _Bad(_NEGATIVE, pos)
        if key == 8:
            if counts[1] > counts[0] or counts[2] > counts[0]:
                raise _Bad(_COUNT, pos)
            if counts[3] + counts[4] > smallest:
                raise _Bad(_LEVELS, pos)
        if key != 7:
            values += counts[0]
    return values


def _check_chunk(buf: mmap.mmap, start: int, length: int, n_values: int) -> None:
    end = start + length
    if start < 0 or length < 0 or n_values < 0 or end > len(buf):
        raise _Bad(_OUTSIDE, max(start, 0))
    pos, total = start, 0
    while pos < end:
        try:
            header, after = _struct(buf, pos, end, 0, True)
        except (EOFError, ValueError, RecursionError):
            raise _Bad(_HEADER, pos) from None
        total += _check_page(header, pos)
        compressed = header.get(3, 0)
        assert isinstance(compressed, int)
        if after + compressed > end:
            raise _Bad(_OVERRUN, pos)
        pos = after + compressed
    if total != n_values:
        raise _Bad(_COUNT, start)


def check_parquet_pages(path: str | os.PathLike[str]) -> None:
    """Raise a located :class:`DataError` if a page header of the file is damaged."""
    path = Path(path)
    try:
        meta = pq.ParquetFile(path).metadata
    except (OSError, ValueError) as exc:  # PyArrow raises ArrowInvalid (a ValueError)
        raise DataError(
            Problem(
                Msg(
                    "lecture impossible : {e}", "cannot read the file: {e}", e=short_name(exc, 300)
                ),
                file=str(path),
            )
        ) from None
    # The file is mapped, not read: only the page headers' bytes are touched. (A file cut
    # short by someone else while it is checked would stop the process: files are the user's
    # own or uploads the server has finished writing.)
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as buf:
        for g in range(meta.num_row_groups):
            group = meta.row_group(g)
            for c in range(group.num_columns):
                col = group.column(c)
                offsets = [o for o in (col.dictionary_page_offset, col.data_page_offset) if o]
                start = min(offsets, default=col.data_page_offset)
                try:
                    _check_chunk(buf, start, col.total_compressed_size, col.num_values)
                except _Bad as bad:
                    raise DataError(
                        Problem(
                            Msg(
                                "fichier Parquet abîmé (colonne « {c} », groupe de lignes {g}, "
                                "octet {at}) : {why}",
                                "damaged Parquet file (column '{c}', row group {g}, byte {at}): "
                                "{why}",
                                c=short_name(col.path_in_schema),
                                g=g + 1,
                                at=bad.at,
                                why=bad.why,
                            ),
                            file=str(path),
                        )
                    ) from None


def unreadable_parquet(exc: Exception, path: str | os.PathLike[str]) -> LanterneError:
    """The error to raise when PyArrow fails to decode a Parquet file: a damaged file is bad
    input (exit 2), a failing disk is not (exit 1).

    >>> unreadable_parquet(OSError("Invalid page header"), "p.parquet").render("en")
    'p.parquet: cannot read the file: Invalid page header'
    >>> unreadable_parquet(OSError(5, "Input/output error"), "p.parquet").render("en")
    'p.parquet: input/output error on the disk (errno 5, EIO)'
    """
    if os_errno(exc) is not None:
        return os_failure(exc, path)
    return DataError(
        Problem(
            Msg("lecture impossible : {e}", "cannot read the file: {e}", e=short_name(exc, 200)),
            file=str(path),
        )
    )
