"""Mergeable partial sums per group: the building block of population audits.

A population audit needs, per group, the number of households, the sum of their scores,
how many fall in each national decile, how many are selected, and the median score. All of
it comes from three kinds of partial sums that can be computed on any slice of the rows and
added together **exactly** (integer arithmetic), so that a country processed in chunks gives
bit for bit the same result as the same rows processed at once:

* a *fine histogram* per group over :class:`ScoreBins` — bins built from the national score
  distribution: one "point" bin for each of ~128 national quantiles (exact score values,
  read from an even sample of the scores) and one "open" bin between two consecutive ones.
  The 9 decile cut points and the selection threshold are among the bin edges, so every bin
  lies in exactly one decile and is either wholly selected or wholly not: counts, decile
  counts and selected counts are all read from the histogram without approximation;
* the *sum of scores* in fixed point: each score is written as an integer number of
  2⁻⁶⁰ (exact for any score ≥ 2⁻⁸, within 2⁻⁶⁰ below), split in two 30-bit limbs summed by
  ``np.bincount`` in slices small enough for float64 to add them exactly;
* for exact medians, a second pass collects only the scores lying inside each group's
  median bin (:func:`median_plan`, :func:`collect_median_values`, :func:`finish_medians`).
  An open bin holds about 1/128 of the households at most, so this stays small.

Example:
    >>> import numpy as np
    >>> scores = np.array([0.1, 0.2, 0.2, 0.7, 0.9])
    >>> bins = ScoreBins.from_scores(scores, threshold=0.7)
    >>> codes = np.array([0, 0, 1, 1, 1])
    >>> part = GroupPartials.from_slice(codes, 2, bins.locate(scores), *score_limbs(scores),
    ...                                 bins.n_bins)
    >>> part.counts.tolist(), part.selected_counts(bins).tolist()
    ([2, 3], [0, 2])
    >>> part.means().round(10).tolist()
    [0.15, 0.6]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

#: Rows handled at once; keeps temporaries small and float64 limb sums exact (< 2⁵³).
SLICE_ROWS = 1 << 22
#: National quantiles used as bin edges for medians (more: fewer values to collect).
QUANTILE_BINS = 128
#: Scores sampled per quantile to place the bin edges (any edges give exact results).
GRID_SAMPLE = 256
DECILES = np.arange(1, 10) / 10
FRACTION_BITS = 60
LIMB_BITS = 30
_LUT_SIZE = 1 << 16


def inverted_cdf(sorted_scores: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """Quantiles of already sorted values, "inverted CDF" definition (no interpolation).

    The ``p`` quantile is the smallest value ``x`` with at least ``p × n`` values ``≤ x``;
    the same as ``np.quantile(..., method="inverted_cdf")``.

    >>> inverted_cdf(np.array([1.0, 2.0, 3.0, 4.0]), np.array([0.0, 0.5, 0.51, 1.0])).tolist()
    [1.0, 2.0, 3.0, 4.0]
    """
    return sorted_scores[quantile_ranks(probs, sorted_scores.size)]


def quantile_ranks(probs: np.ndarray, n: int) -> np.ndarray:
    """The 0-based ranks of the ``probs`` quantiles of ``n`` sorted values (inverted CDF).

    >>> quantile_ranks(np.arange(1, 10) / 10, 20).tolist()
    [1, 3, 5, 7, 9, 11, 13, 15, 17]
    """
    ranks = np.ceil(np.asarray(probs) * n - 1e-9).astype(np.int64) - 1
    return np.clip(ranks, 0, n - 1)


def order_statistics(values: np.ndarray, ranks: np.ndarray) -> np.ndarray:
    """``np.sort(values)[ranks]``, by partial sorting (a few times faster than a sort).

    >>> order_statistics(np.array([0.3, 0.1, 0.4, 0.2]), np.array([0, 3])).tolist()
    [0.1, 0.4]
    """
    ranks = np.asarray(ranks, dtype=np.int64)
    return np.partition(values, np.unique(ranks))[ranks]


@dataclass(frozen=True)
class ScoreBins:
    """National cut points of the scores and the fine bins built on them.

    ``edges`` are sorted distinct scores; fine bin ``2k`` holds the scores equal to
    ``edges[k]`` and fine bin ``2k + 1`` those strictly between ``edges[k]`` and
    ``edges[k + 1]``.
    """

    edges: np.ndarray
    decile_cuts: np.ndarray  # 9 national cut points; decile d holds (cut[d-1], cut[d]]
    threshold: float  # selected ⟺ score ≥ threshold
    decile_of_bin: np.ndarray  # 0…9 for each fine bin
    selected_of_bin: np.ndarray  # bool for each fine bin
    _lut: np.ndarray
    _lut_scale: float

    @property
    def n_bins(self) -> int:
        return 2 * self.edges.size

    @classmethod
    def from_scores(
        cls,
        scores: np.ndarray,
        threshold: float | None,
        resolution: int = QUANTILE_BINS,
        *,
        top: int | None = None,
    ) -> ScoreBins:
        """Cut points from every score of the population; without a ``threshold``, the
        threshold is the ``top``-th highest score (the ``top`` highest are selected).

        The decile cuts, the lowest and highest scores are exact order statistics (found by
        partial sorting); the ~``resolution`` quantiles between them only keep the open bins
        small, so they are read from an evenly spaced sample of at most
        :data:`GRID_SAMPLE` × ``resolution`` scores: the counts, deciles, selections and
        medians read from the bins are exact whatever the edges, as long as the cuts, the
        threshold and both ends are among them.
        """
        if scores.size == 0:
            raise ValueError("no score")
        ranks = quantile_ranks(DECILES, scores.size)
        if threshold is None:
            assert top is not None, "a threshold or a number of selected scores"
            ranks = np.append(ranks, scores.size - top)
        values = order_statistics(scores, ranks)  # one partial sort for all
        cuts = values[: DECILES.size]
        if threshold is None:
            threshold = float(values[-1])
        step = max(1, scores.size // (GRID_SAMPLE * resolution))
        sample = np.sort(scores[::step])
        grid = inverted_cdf(sample, np.arange(resolution + 1) / resolution)
        ends = [scores.min(), scores.max(), threshold]
        edges = np.unique(np.concatenate([grid, cuts, ends]))
        point = edges  # value of the point bin 2k
        decile_point = np.searchsorted(cuts, point, side="left")  # cuts strictly below
        decile_open = np.searchsorted(cuts, edges, side="right")  # cuts ≤ left edge
        decile = np.empty(2 * edges.size, dtype=np.int8)
        decile[0::2] = decile_point
        decile[1::2] = decile_open
        selected = np.repeat(edges >= threshold, 2)  # open bin k lies above edges[k]
        lo, hi = float(edges[0]), float(edges[-1])
        scale = _LUT_SIZE / (hi - lo) if hi > lo else 0.0
        starts = lo + np.arange(_LUT_SIZE) / scale if scale else np.full(_LUT_SIZE, lo)
        lut = np.maximum(np.searchsorted(edges, starts, side="right") - 1, 0).astype(np.int32)
        return cls(edges, cuts, float(threshold), decile, selected, lut, scale)

    def locate(self, scores: np.ndarray) -> np.ndarray:
        """The fine bin of each score (``int32``); scores must lie within the edges.

        A lookup table over equal-width buckets gives the answer for almost every score;
        the few that straddle an edge are settled by binary search: the result is exactly
        ``2 × (searchsorted(edges, s, "right") − 1) + (s > edge)``.
        """
        edges = self.edges
        if edges.size == 1:
            return (scores > edges[0]).astype(np.int32)
        bucket = (scores - edges[0]) * self._lut_scale
        np.clip(bucket, 0, _LUT_SIZE - 1, out=bucket)
        idx = self._lut[bucket.astype(np.int32)]
        upper = np.append(edges, np.inf)
        idx += scores >= upper[idx + 1]  # one step up covers buckets holding one edge
        bad = (scores < edges[idx]) | (scores >= upper[idx + 1])
        if bad.any():
            idx[bad] = np.searchsorted(edges, scores[bad], side="right") - 1
        fine = idx * 2
        fine += scores > edges[idx]
        return fine.astype(np.int32, copy=False)


def score_limbs(scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scores in [0, 1] as two float64 limbs of a 60-bit fixed-point integer.

    >>> hi, lo = score_limbs(np.array([0.5]))
    >>> int(hi[0]) << LIMB_BITS | int(lo[0]) == 1 << 59
    True
    """
    # In floating point, every step exact: scaling by a power of two, floor, and the
    # fraction y − ⌊y⌋ (representable with y's own bits). The same limbs as the integer
    # ⌊s × 2⁶⁰⌋ split at bit 30, without the slow conversions to and from uint64.
    lo = scores * float(1 << LIMB_BITS)
    hi = np.floor(lo)
    lo -= hi
    lo *= float(1 << (FRACTION_BITS - LIMB_BITS))
    np.floor(lo, out=lo)
    return hi, lo


@dataclass
class GroupPartials:
    """Partial sums for the groups of one grouping; :meth:`merge` adds two exactly."""

    hist: np.ndarray  # int64 (groups, fine bins)
    sum_hi: np.ndarray  # int64 (groups,)
    sum_lo: np.ndarray  # int64 (groups,)

    @classmethod
    def zeros(cls, n_groups: int, n_bins: int) -> GroupPartials:
        return cls(
            np.zeros((n_groups, n_bins), dtype=np.int64),
            np.zeros(n_groups, dtype=np.int64),
            np.zeros(n_groups, dtype=np.int64),
        )

    @classmethod
    def from_slice(
        cls,
        codes: np.ndarray,
        n_groups: int,
        fine: np.ndarray,
        hi: np.ndarray,
        lo: np.ndarray,
        n_bins: int,
    ) -> GroupPartials:
        """Partial sums of one slice of rows (at most :data:`SLICE_ROWS`)."""
        if codes.size > SLICE_ROWS:
            raise ValueError("slice too large for exact limb sums")
        if n_groups == 1:  # every code is 0 (the whole population): no keys to build
            hist = np.bincount(fine, minlength=n_bins).reshape(1, n_bins)
            # exact: integers below 2⁵³ (at most 2²² rows of limbs below 2³⁰)
            sums = [np.array([int(limb.sum())], dtype=np.int64) for limb in (hi, lo)]
            return cls(hist.astype(np.int64, copy=False), sums[0], sums[1])
        key_type: type[np.signedinteger[Any]] = np.int32 if n_groups * n_bins < 2**31 else np.int64
        key = codes.astype(key_type) * key_type(n_bins)
        key += fine
        hist = np.bincount(key, minlength=n_groups * n_bins).reshape(n_groups, n_bins)
        sum_hi = np.bincount(codes, weights=hi, minlength=n_groups).astype(np.int64)
        sum_lo = np.bincount(codes, weights=lo, minlength=n_groups).astype(np.int64)
        return cls(hist.astype(np.int64, copy=False), sum_hi, sum_lo)

    @property
    def n_groups(self) -> int:
        return self.hist.shape[0]

    def grown(self, n_groups: int) -> GroupPartials:
        """The same sums with room for more groups (codes are only ever appended)."""
        extra = n_groups - self.n_groups
        if extra <= 0:
            return self
        pad = ((0, extra), (0, 0))
        return GroupPartials(
            np.pad(self.hist, pad),
            np.pad(self.sum_hi, (0, extra)),
            np.pad(self.sum_lo, (0, extra)),
        )

    def merge(self, other: GroupPartials) -> GroupPartials:
        """Exact sum of two partials (the grouping may have grown between them)."""
        if self.hist.shape[1] != other.hist.shape[1]:
            raise ValueError("partials built on different score bins")
        size = max(self.n_groups, other.n_groups)
        a, b = self.grown(size), other.grown(size)
        return GroupPartials(a.hist + b.hist, a.sum_hi + b.sum_hi, a.sum_lo + b.sum_lo)

    # ------------------------------------------------------------------ reading

    @property
    def counts(self) -> np.ndarray:
        return self.hist.sum(axis=1)

    def selected_counts(self, bins: ScoreBins) -> np.ndarray:
        return self.hist[:, bins.selected_of_bin].sum(axis=1)

    def decile_counts(self, bins: ScoreBins) -> np.ndarray:
        """``(groups, 10)`` households per national decile."""
        out = np.zeros((self.n_groups, 10), dtype=np.int64)
        for d in range(10):
            out[:, d] = self.hist[:, bins.decile_of_bin == d].sum(axis=1)
        return out

    def score_sums(self) -> list[int]:
        """Exact sums of scores, as integers counting 2⁻⁶⁰."""
        return [
            (int(h) << LIMB_BITS) + int(lo)
            for h, lo in zip(self.sum_hi.tolist(), self.sum_lo.tolist(), strict=True)
        ]

    def means(self) -> np.ndarray:
        """Mean score per group (correctly rounded from the exact sum); NaN when empty."""
        counts = self.counts.tolist()
        return np.array(
            [
                total / (n << FRACTION_BITS) if n else np.nan
                for total, n in zip(self.score_sums(), counts, strict=True)
            ],
            dtype=np.float64,
        )


# ---------------------------------------------------------------------- exact medians


@dataclass(frozen=True)
class MedianPlan:
    """Where each group's two middle ranks fall: bin and rank within the bin.

    Ranks ``(n − 1) // 2`` and ``n // 2`` (0-based, ascending): their average is the
    median, as in NumPy and pandas.
    """

    bins: np.ndarray  # int64 (groups, 2)
    offsets: np.ndarray  # int64 (groups, 2): rank within the bin
    collect: np.ndarray  # int64 (groups, 2): the bin to collect, -1 when not needed
    counts: np.ndarray  # int64 (groups,)
    n_bins: int

    @property
    def needs_values(self) -> bool:
        return bool((self.collect >= 0).any())


def median_plan(partials: GroupPartials) -> MedianPlan:
    """Locate each group's middle ranks in its histogram."""
    hist = partials.hist
    counts = hist.sum(axis=1)
    ranks = np.stack([(counts - 1) // 2, counts // 2], axis=1)
    cum = np.cumsum(hist, axis=1)
    bins = np.zeros_like(ranks)
    offsets = np.zeros_like(ranks)
    for j in range(2):
        target = ranks[:, j][:, None]
        b = np.argmax(cum > target, axis=1)
        before = np.take_along_axis(cum, b[:, None], axis=1)[:, 0] - hist[np.arange(len(b)), b]
        bins[:, j] = b
        offsets[:, j] = ranks[:, j] - before
    collect = np.where((bins % 2 == 1) & (counts[:, None] > 0), bins, -1)
    return MedianPlan(bins, offsets, collect, counts, hist.shape[1])


@dataclass
class MedianValues:
    """Scores collected from the groups' median bins (mergeable by concatenation)."""

    codes: np.ndarray
    bins: np.ndarray
    scores: np.ndarray

    @classmethod
    def empty(cls) -> MedianValues:
        return cls(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float64))

    def merge(self, other: MedianValues) -> MedianValues:
        return MedianValues(
            np.concatenate([self.codes, other.codes]),
            np.concatenate([self.bins, other.bins]),
            np.concatenate([self.scores, other.scores]),
        )


def collect_median_values(
    plan: MedianPlan, codes: np.ndarray, fine: np.ndarray, scores: np.ndarray
) -> MedianValues:
    """The scores of one slice that lie in their group's median bins."""
    first, second = plan.collect[:, 0], plan.collect[:, 1]
    wanted = np.zeros(plan.n_bins, dtype=bool)  # the bins some group collects from
    wanted[plan.collect[plan.collect >= 0]] = True
    rows = np.flatnonzero(wanted[fine])  # few rows: then each row's own group's bins
    here, bins = codes[rows], fine[rows]
    rows = rows[(bins == first[here]) | (bins == second[here])]
    return MedianValues(
        codes[rows].astype(np.int64), fine[rows].astype(np.int64), scores[rows].copy()
    )


def finish_medians(plan: MedianPlan, values: MedianValues, bins: ScoreBins) -> np.ndarray:
    """Exact median score of each group (NaN for an empty group)."""
    groups = plan.bins.shape[0]
    point_value = bins.edges[plan.bins // 2]
    key = values.codes * plan.n_bins + values.bins
    order = np.lexsort((values.scores, key))
    sorted_key, sorted_scores = key[order], values.scores[order]
    target = np.arange(groups)[:, None] * plan.n_bins + plan.bins
    start = np.searchsorted(sorted_key, target, side="left")
    from_values = plan.collect >= 0
    position = np.where(from_values, start + plan.offsets, 0)
    if sorted_scores.size:
        picked = sorted_scores[np.minimum(position, sorted_scores.size - 1)]
    else:
        picked = np.zeros_like(point_value)
    result = np.where(from_values, picked, point_value)
    medians = (result[:, 0] + result[:, 1]) / 2
    medians[plan.counts == 0] = np.nan
    return medians
