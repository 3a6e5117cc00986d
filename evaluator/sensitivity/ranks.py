"""Competition ranks of many scenarios at once, and the running counts kept from them.

Ranks follow :func:`evaluator.methods.ranking.competition_rank` exactly: 1 = best, ties
share the best rank (1, 2, 2, 4), scores within the recipe's ``rank.tolerance`` of their
neighbour (relative to the year's largest |score|) tie, NaN scores are unranked (here:
rank 0), optionally on values rounded to N decimals.

Two paths give the same ranks:

* exact: ``argsort`` per scenario, ties found on the sorted values;
* packed (fast): each score's order-preserving 64-bit key with its low ``b`` bits replaced
  by the unit's index (``b = ⌈log2 n⌉``), one in-place sort of plain integers per
  scenario. Truncating a key never reverses two scores, so when no two neighbours in a
  sorted row share their truncated part the row's order is exactly the order of the
  scores and there are no ties; rows where two neighbours do share it (a tie, or scores
  equal in their first ~50 significant bits), rows where two neighbours lie within the
  tolerance, and rows with NaN go through the exact path.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..methods.ranking import RTOL, near_ties

_SIGN = np.uint64(1 << 63)
_LOW63 = np.uint64((1 << 63) - 1)


def competition_ranks(scores: np.ndarray, rtol: float = RTOL) -> np.ndarray:
    """Ranks of each row of ``scores`` (scenarios × units, higher is better): int32,
    1 = best, ties (within ``rtol``) share the best rank, 0 for NaN. The exact path
    (argsort)."""
    key = -np.asarray(scores, dtype=float)
    n = key.shape[1]
    order = np.argsort(key, axis=1, kind="stable")          # NaN sorts last
    ordered = np.take_along_axis(key, order, axis=1)
    rank_sorted = np.broadcast_to(np.arange(1, n + 1, dtype=np.int32), key.shape).copy()
    same = near_ties(ordered, rtol)
    if same.any():
        rank_sorted[:, 1:][same] = 0
        np.maximum.accumulate(rank_sorted, axis=1, out=rank_sorted)
    rank_sorted[np.isnan(ordered)] = 0
    out = np.empty_like(rank_sorted)
    np.put_along_axis(out, order, rank_sorted, axis=1)
    return out


def _packed_order(block: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Units in rank order per row (int64, c × n) and the rows that need the exact path
    (possible ties). ``block`` is float64, C-contiguous, NaN-free, −0.0 made +0.0; it is
    left unchanged."""
    c, n = block.shape
    bits = max(1, (n - 1).bit_length())
    low = np.uint64((1 << bits) - 1)
    bits_u = block.view(np.uint64)
    # descending order of the scores = ascending order of this key: a negative number
    # keeps its bits, a non-negative one has every bit but the sign flipped
    key = bits_u >> np.uint64(63)
    key -= np.uint64(1)
    key &= _LOW63
    key ^= bits_u
    key &= ~low
    key |= np.arange(n, dtype=np.uint64)
    key.sort(axis=1)
    if n > 1:
        # sorted keys differ in their unit bits at least; neighbours whose difference is
        # below 2**bits may share the truncated part: check those rows exactly
        close = np.diff(key, axis=1).min(axis=1) <= low
        suspect = close
        if close.any():
            rows = np.flatnonzero(close)
            sub = key[rows] >> np.uint64(bits)
            suspect = np.zeros(c, dtype=bool)
            suspect[rows] = (sub[:, 1:] == sub[:, :-1]).any(axis=1)
    else:
        suspect = np.zeros(c, dtype=bool)
    key &= low
    return key.view(np.int64), suspect


@dataclass
class BlockCounts:
    """Per scenario results of one block (year) of one batch; the histogram and bottom-k
    counts go straight into the caller's accumulators."""

    shift: np.ndarray | None   # (c,) int64 Σ |rank − nominal rank| per scenario, if asked
    ranks: np.ndarray | None   # (c, n) int32 ranks, if asked (Sobol targets)


def count_block(scores: np.ndarray, nominal: np.ndarray, hist: np.ndarray,
                bottom: np.ndarray, *, bottom_k: int, decimals: int | None = None,
                weight: int = 1, want_shift: bool = False,
                keep_ranks: bool = False, rtol: float = RTOL) -> BlockCounts:
    """Rank every row of ``scores`` (c scenarios × n units of one year) and add to the
    counts: ``hist`` (n × bins, int64; bin r = rank r, bin 0 = unranked) and ``bottom``
    (n,: times in the bottom k), both updated in place.

    ``nominal`` holds the nominal ranks (int, 0 = unranked); ``weight`` multiplies the
    counts (scenarios that share one weight vector). A unit is in the bottom k of a
    scenario when its rank ≥ n_ranked − k + 1 (the published reading of
    :func:`evaluator.methods.alerts.bottom_k`); unranked unit-years add no rank shift.
    """
    c, n = scores.shape
    bins = hist.shape[1]
    if decimals is not None:
        block = np.round(scores, decimals)
        block += 0.0
    else:
        block = np.add(scores, 0.0)   # a C-ordered copy; −0.0 → +0.0, which compare equal
    nominal = np.asarray(nominal, dtype=np.int64)
    flat = hist.reshape(-1)
    shift = np.zeros(c, dtype=np.int64) if want_shift else None
    ranks = np.empty((c, n), dtype=np.int32) if keep_ranks else None

    nan_rows = np.isnan(block.sum(axis=1))     # NaN (or ±inf) somewhere in the row
    if nan_rows.any():
        nan_rows[nan_rows] = np.isnan(block[nan_rows]).any(axis=1)
    exact = nan_rows.copy()
    fast_rows = np.flatnonzero(~nan_rows)
    if len(fast_rows):
        part = block if len(fast_rows) == c else block[fast_rows]
        units, suspect = _packed_order(part)
        if rtol > 0 and n > 1:   # neighbours within the tolerance tie: the exact path
            ordered = np.take_along_axis(part, units, axis=1)      # descending
            gaps = ordered[:, :-1] - ordered[:, 1:]
            scale = np.abs(part).max(axis=1, keepdims=True)
            suspect |= (gaps <= rtol * scale).any(axis=1)
        if suspect.any():
            exact[fast_rows[suspect]] = True
            keep = ~suspect
            units, fast_rows = units[keep], fast_rows[keep]
        if len(fast_rows):
            position = np.arange(1, n + 1, dtype=np.int64)
            index = units * bins
            index += position
            counts = np.bincount(index.ravel(), minlength=n * bins)
            k = min(bottom_k, n)
            extra = np.bincount(units[:, n - k:].ravel(), minlength=n) if k > 0 else 0
            if weight != 1:
                counts *= weight
                extra = extra * weight
            flat += counts
            bottom += extra
            if shift is not None:
                moved = nominal[units]
                unranked = moved == 0 if not nominal.all() else None
                moved -= position
                np.abs(moved, out=moved)
                if unranked is not None:
                    moved[unranked] = 0
                shift[fast_rows] = moved.sum(axis=1)
            if ranks is not None:
                placed = np.empty((len(fast_rows), n), dtype=np.int32)
                np.put_along_axis(placed, units, position.astype(np.int32)[None, :], axis=1)
                ranks[fast_rows] = placed
    rows = np.flatnonzero(exact)
    if len(rows):
        r = competition_ranks(block[rows], rtol)
        flat += weight * np.bincount((r + np.arange(n) * bins).ravel(), minlength=n * bins)
        ranked = r > 0
        n_ranked = ranked.sum(axis=1, keepdims=True)
        bottom += weight * ((r >= n_ranked - bottom_k + 1) & ranked).sum(axis=0)
        if shift is not None:
            valid = ranked & (nominal[None, :] > 0)
            shift[rows] = np.where(valid, np.abs(r - nominal[None, :]), 0).sum(axis=1)
        if ranks is not None:
            ranks[rows] = r
    return BlockCounts(shift, ranks)
