"""Competition ranks of many scenarios at once, and the running counts kept from them.

Ranks follow :func:`evaluator.methods.ranking.competition_rank` exactly: 1 = best, ties
share the best rank (1, 2, 2, 4), NaN scores are unranked (here: rank 0), optionally on
values rounded to N decimals.

Two paths give the same ranks:

* exact: ``argsort`` per scenario, ties found on the sorted values;
* packed (fast): each score's order-preserving 64-bit key with its low ``b`` bits replaced
  by the unit's index (``b = ⌈log2 n⌉``), one in-place sort of plain integers per
  scenario. Truncating a key never reverses two scores, so when no two neighbours in a
  sorted row share their truncated part the row's order is exactly the order of the
  scores and there are no ties; rows where two neighbours do share it (a tie, or scores
  equal in their first ~50 significant bits) and rows with NaN go through the exact path.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_SIGN = np.uint64(1 << 63)
_LOW63 = np.uint64((1 << 63) - 1)


def competition_ranks(scores: np.ndarray) -> np.ndarray:
    """Ranks of each row of ``scores`` (scenarios × units, higher is better): int32,
    1 = best, ties share the best rank, 0 for NaN. The exact path (argsort)."""
    key = -np.asarray(scores, dtype=float)
    n = key.shape[1]
    order = np.argsort(key, axis=1, kind="stable")          # NaN sorts last
    ordered = np.take_along_axis(key, order, axis=1)
    rank_sorted = np.broadcast_to(np.arange(1, n + 1, dtype=np.int32), key.shape).copy()
    same = ordered[:, 1:] == ordered[:, :-1]
    if same.any():
        rank_sorted[:, 1:][same] = 0
        np.maximum.accumulate(rank_sorted, axis=1, out=rank_sorted)
    rank_sorted[np.isnan(ordered)] = 0
    out = np.empty_like(rank_sorted)
    np.put_along_axis(out, order, rank_sorted, axis=1)
    return out


def _packed_order(block: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Units in rank order per row (int64, c × n) and the rows that need the exact path
    (possible ties). ``block`` is float64, C-contiguous, NaN-free, and may be consumed."""
    c, n = block.shape
    bits = max(1, (n - 1).bit_length())
    low = np.uint64((1 << bits) - 1)
    high = ~low
    key = block.view(np.uint64)
    # descending order of the scores = ascending order of this key: a negative number
    # keeps its bits, a non-negative one has every bit but the sign flipped
    flip = key >> np.uint64(63)
    flip -= np.uint64(1)
    flip &= _LOW63
    key ^= flip
    key &= high
    key |= np.arange(n, dtype=np.uint64)
    key.sort(axis=1)
    gaps = key[:, 1:] ^ key[:, :-1]
    gaps &= high
    suspect = (gaps == 0).any(axis=1) if n > 1 else np.zeros(c, dtype=bool)
    key &= low
    return key.view(np.int64), suspect


@dataclass
class BlockCounts:
    """What one block (year) of one chunk of scenarios adds to the running statistics."""

    hist: np.ndarray        # (n, bins) int64: how often each unit got each rank (bin 0: none)
    bottom: np.ndarray      # (n,) int64: how often each unit was in the bottom k
    shift: np.ndarray       # (c,) int64: Σ |rank − nominal rank| per scenario
    ranks: np.ndarray | None  # (c, n) int32 when asked for (Sobol targets)


def count_block(scores: np.ndarray, nominal: np.ndarray, *, bins: int, bottom_k: int,
                decimals: int | None = None, weight: int = 1,
                keep_ranks: bool = False) -> BlockCounts:
    """Rank every row of ``scores`` (c scenarios × n units of one year) and count.

    ``nominal`` holds the nominal ranks (int, 0 = unranked); ``bins`` ≥ n + 1;
    ``weight`` multiplies the counts (scenarios that share one weight vector). A unit
    is in the bottom k of a scenario when its rank ≥ n_ranked − k + 1 (the published
    reading of :func:`evaluator.methods.alerts.bottom_k`); unranked unit-years add no
    rank shift.
    """
    c, n = scores.shape
    block = np.array(scores, dtype=np.float64, order="C", copy=True)
    if decimals is not None:
        np.round(block, decimals, out=block)
    block += 0.0          # −0.0 → +0.0, which compare equal (as in scipy's rankdata)
    nominal = np.asarray(nominal, dtype=np.int64)
    hist = np.zeros(n * bins, dtype=np.int64)
    bottom = np.zeros(n, dtype=np.int64)
    shift = np.zeros(c, dtype=np.int64)
    ranks = np.empty((c, n), dtype=np.int32) if keep_ranks else None

    nan_rows = np.isnan(block).any(axis=1)
    exact = nan_rows.copy()
    fast_rows = np.flatnonzero(~nan_rows)
    if len(fast_rows):
        sub = block if len(fast_rows) == c else block[fast_rows]
        units, suspect = _packed_order(sub)
        if suspect.any():
            exact[fast_rows[suspect]] = True
            keep = ~suspect
            units, fast_rows = units[keep], fast_rows[keep]
        if len(fast_rows):
            position = np.arange(1, n + 1, dtype=np.int64)
            hist += np.bincount((units * bins + position).ravel(), minlength=n * bins)
            k = min(bottom_k, n)
            if k > 0:
                bottom += np.bincount(units[:, n - k:].ravel(), minlength=n)
            nom = nominal[units]
            moved = np.abs(position - nom)
            moved[nom == 0] = 0
            shift[fast_rows] = moved.sum(axis=1)
            if ranks is not None:
                placed = np.empty((len(fast_rows), n), dtype=np.int32)
                np.put_along_axis(placed, units, position.astype(np.int32)[None, :], axis=1)
                ranks[fast_rows] = placed
    rows = np.flatnonzero(exact)
    if len(rows):
        # scores of rows that went through _packed_order were overwritten: use the input
        sub = np.asarray(scores, dtype=np.float64)[rows]
        if decimals is not None:
            sub = np.round(sub, decimals)
        r = competition_ranks(sub + 0.0)
        hist += np.bincount((r + np.arange(n) * bins).ravel(), minlength=n * bins)
        ranked = r > 0
        n_ranked = ranked.sum(axis=1, keepdims=True)
        bottom += ((r >= n_ranked - bottom_k + 1) & ranked).sum(axis=0)
        valid = ranked & (nominal[None, :] > 0)
        shift[rows] = np.where(valid, np.abs(r - nominal[None, :]), 0).sum(axis=1)
        if ranks is not None:
            ranks[rows] = r
    if weight != 1:
        hist *= weight
        bottom *= weight
    return BlockCounts(hist.reshape(n, bins), bottom, shift, ranks)
