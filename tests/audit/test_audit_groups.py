"""Group codes of Categorical columns (Parquet dictionaries) read from their physical codes
agree with the codes read through text."""

from __future__ import annotations

import numpy as np
import polars as pl

from lanterne.audit.groups import GroupEncoder


def through_text(chunks: list[pl.Series]) -> tuple[list[np.ndarray], list[str]]:
    codes = GroupEncoder("dep")
    return [codes.encode(c.cast(pl.String)) for c in chunks], codes.labels


def test_categorical_codes_equal_text_codes() -> None:
    rng = np.random.default_rng(7)
    words = ["d01", "d02", "2A", "971", "", "é", "x y"]
    chunks = []
    for size in (1000, 1, 500, 0, 2000):
        values = [None if rng.random() < 0.05 else str(rng.choice(words)) for _ in range(size)]
        chunks.append(pl.Series("dep", values, dtype=pl.Categorical))
    expected, labels = through_text(chunks)
    codes = GroupEncoder("dep")
    got = [codes.encode(c) for c in chunks]
    assert codes.labels == labels
    for a, b in zip(got, expected, strict=True):
        assert a.dtype == np.uint32 and np.array_equal(a, b)
    # and the label of each code reads back the row's value
    for chunk, code in zip(chunks, got, strict=True):
        back = [codes.labels[c] for c in code]
        assert back == [v if v is not None else back[i] for i, v in enumerate(chunk.to_list())]
