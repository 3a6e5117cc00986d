"""Competition ranks of many scenarios at once, and the running counts kept from them.

Ranks follow :func:`evaluator.methods.ranking.competition_rank` exactly: 1 = best, ties
share the best rank (1, 2, 2, 4), scores within the recipe's ``rank.tolerance`` of their
neighbour (relative to the year's largest |score|) tie, NaN scores are unranked (here:
rank 0), optionally on values rounded to N decimals.

Three paths give the same ranks; each row (one scenario's scores of one year) takes the
first that can rank it exactly:

* 32-bit keys (fastest, years of up to 724 units): each score's fixed-point place in its
  row, ``hi = ⌊(max − s) · (2^B − 1) / (max − min)⌋`` on ``B = 32 − b`` bits, with the
  unit's index in the low ``b = ⌈log2 n⌉`` bits; one in-place sort of 32-bit integers per
  row. A floating subtraction, a multiplication by a positive number and ``⌊⌋`` never
  reverse two scores, so where neighbouring ``hi`` differ the order is the scores' order;
  where they differ by more than ``1 + rtol · max|s| · (2^B − 1) / (max − min)`` (plus a
  margin for the rounding of each step, derived in :func:`_order32`) the two scores are
  provably more than the tolerance apart. Rows with a closer pair, a constant row, NaN or
  ±inf go on to the next path.
* 64-bit keys: each score's order-preserving 64-bit key with its low ``b`` bits replaced
  by the unit's index, one in-place sort per row. Truncating a key never reverses two
  scores, so when no two neighbours in a sorted row share their truncated part the row's
  order is exactly the order of the scores and there are no ties; rows where two
  neighbours do share it (a tie, or scores equal in their first ~50 significant bits),
  rows where two neighbours lie within the tolerance, and rows with NaN go on to
* exact: ``argsort`` per scenario, ties found on the sorted values.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..methods.ranking import RTOL, near_ties

_SIGN = np.uint64(1 << 63)
_LOW63 = np.uint64((1 << 63) - 1)
#: rows whose max − min is below this go past the 32-bit path (keeps every step of its
#: error bound away from subnormal numbers)
_TINY_SPAN = 2.0 ** -900


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


def key_bits(n: int) -> int | None:
    """Bits of the unit index in a 32-bit key for rows of ``n`` units, or None when the
    rest (``32 − bits``) is too coarse to separate n scores often enough (n > 724: more
    than ~1/8 of rows would go on to the 64-bit path)."""
    bits = max(1, (n - 1).bit_length())
    return bits if 8 * n * n <= 1 << (32 - bits) else None


class Workspace:
    """Scratch arrays kept from call to call (one per thread). A fresh temporary of a
    few MB per batch is returned to the system when freed and faulted in again, page by
    page, on the next batch: that cost more than the arithmetic on it."""

    def __init__(self):
        self._buffers: dict[str, np.ndarray] = {}

    def take(self, name: str, shape: tuple, dtype) -> np.ndarray:
        """An uninitialised array of ``shape`` and ``dtype`` (the same memory each time
        for the same name: use one name per array alive at a time)."""
        size = int(np.prod(shape))
        buffer = self._buffers.get(name)
        if buffer is None or buffer.size < size or buffer.dtype != np.dtype(dtype):
            buffer = self._buffers[name] = np.empty(size, dtype=dtype)
        return buffer[:size].reshape(shape)


def _order32(x: np.ndarray, top: np.ndarray, bottom: np.ndarray, rtol: float,
             bits: int, work: Workspace) -> tuple[np.ndarray, np.ndarray]:
    """Units in rank order (uint32, shape of ``x``) along the last axis of ``x`` (… × n),
    and which rows that order ranks exactly (bool, ``x.shape[:-1]``): rows of finite
    scores, not constant, whose neighbours are all more than the tolerance apart.
    ``top``/``bottom`` are each row's max/min (NaN for a row with NaN).

    Why the check is exact. Let ``S = max − min``, ``c = fl((2^B − 1) / fl(S))``,
    ``u = fl(max − s)``, ``v = fl(u · c)``, ``hi = ⌊v⌋``; every rounding has relative
    error ≤ ε = 2^-53, and ``u · c`` < 2^B ≤ 2^31. For neighbours s_i > s_j with
    ``hi_j − hi_i ≥ 1 + q`` (q ≥ 0): ``v_j − v_i > q``, so ``c (u_j − u_i) > q − 2^-20``;
    ``u_j − u_i ≤ (s_i − s_j) + 2εS`` and ``1/c ≥ (S / (2^B − 1))(1 − 3ε)``, hence
    ``s_i − s_j > (q − 2^-20)(1 − 3ε) S / (2^B − 1) − 2εS``. With
    ``q = rtol · scale · c · (1 + 2^-30) + 2^-18`` (scale = max |s|) this is
    ``> rtol · scale · (1 + 2^-32) + S · 2^-52``: more than one unit in the last place
    above ``fl(rtol · scale)``, and above 2^-952 (S ≥ 2^-900), so the computed gap
    ``fl(s_i − s_j)`` exceeds the tolerance and the exact path would not tie them. With
    ``rtol = 0`` ties are equal scores only, and ``hi_j > hi_i`` alone proves
    ``s_i > s_j`` (each step is monotone). ``hi`` is read from the sorted keys as
    ``⌊(key_j − key_i) / 2^b⌋ ≤ hi_j − hi_i``, which only errs on the safe side.
    """
    n = x.shape[-1]
    span = top - bottom
    good = (span >= _TINY_SPAN) & (span <= np.finfo(float).max)   # NaN, ±inf, constant: no
    steps = float((1 << (32 - bits)) - 1)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        scale = np.where(good, steps / np.where(good, span, 1.0), 0.0)
        place = np.subtract(np.where(good, top, 0.0)[..., None], x,
                            out=work.take("place", x.shape, np.float64))
        place *= scale[..., None]
        key = work.take("key", x.shape, np.uint32)
        np.copyto(key, place, casting="unsafe")   # ⌊⌋ of a number ≥ 0; garbage on rows not good
    key <<= np.uint32(bits)
    key |= np.arange(n, dtype=np.uint32)
    key.sort(axis=-1)
    ok = good
    if n > 1:
        gap = np.subtract(key[..., 1:], key[..., :-1],
                          out=work.take("gap", x.shape[:-1] + (n - 1,), np.uint32))
        least = gap.min(axis=-1)
        least >>= np.uint32(bits)
        if rtol > 0:
            with np.errstate(over="ignore", invalid="ignore"):   # rows not good: any
                need = np.maximum(np.abs(top), np.abs(bottom))
                need *= rtol
                need *= scale
                need *= 1.0 + 2.0 ** -30
                need += 1.0 + 2.0 ** -18
            ok = good & (least >= need)
        else:
            ok = good & (least >= 1)
    key &= np.uint32((1 << bits) - 1)
    return key, ok


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


def _order64(part: np.ndarray, rtol: float) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_packed_order` of NaN-free rows (``part`` is changed: −0.0 → +0.0) and which
    rows it ranks exactly (no shared truncated key, no neighbours within the tolerance)."""
    part += 0.0
    units, suspect = _packed_order(part)
    if rtol > 0 and part.shape[1] > 1:
        ordered = np.take_along_axis(part, units, axis=1)      # descending
        with np.errstate(invalid="ignore", over="ignore"):     # inf − inf, ±1e308: no tie
            gaps = ordered[:, :-1] - ordered[:, 1:]
        scale = np.abs(part).max(axis=1, keepdims=True)
        suspect |= (gaps <= rtol * scale).any(axis=1)
    return units, ~suspect


@dataclass
class BlockCounts:
    """Per scenario results of the years of one batch; the histogram and bottom-k counts
    go straight into the caller's accumulators."""

    shift: np.ndarray | None   # (c,) int64 Σ |rank − nominal rank| per scenario, if asked
    ranks: np.ndarray | None   # (c, years · n) int32 ranks, if asked (Sobol targets)


class _Tally:
    """Adds ranked rows of a (c scenarios × years × n units) batch to the counts; a row is
    (scenario, year). ``hist``/``bottom``/``nominal`` are flat over year × unit."""

    def __init__(self, c, years, n, hist, bottom, nominal, bottom_k, weight, shift, ranks,
                 work: Workspace):
        self.work = work
        self.n, self.bins, self.weight = n, hist.shape[1], weight
        self.flat, self.bottom, self.nominal = hist.reshape(-1), bottom, nominal
        self.k = min(bottom_k, n)
        self.shift, self.ranks = shift, ranks          # (c, years) int64, (c, years, n) int32
        self.year_start = np.arange(years, dtype=np.int64) * n
        self.position = np.arange(1, n + 1, dtype=np.int64)

    def ordered(self, units: np.ndarray, rows: tuple | None, ok: np.ndarray | None = None):
        """``units`` in rank order (no ties, all ranked): of every row (c × years × n,
        counted where ``ok``), or of ``rows`` (index arrays of scenario and year; m × n)."""
        n, bins, w = self.n, self.bins, self.weight
        start = self.year_start[:, None] if rows is None else self.year_start[rows[1]][:, None]
        index = np.multiply(units, bins, dtype=np.int64,
                            out=self.work.take("index", units.shape, np.int64))
        index += start * bins + self.position
        np.add.at(self.flat, index.reshape(-1), w)
        drop = None if ok is None or ok.all() else ~ok
        if drop is not None:
            np.add.at(self.flat, index[drop].reshape(-1), -w)
        tail = units[..., n - self.k:] + start if self.k else None
        if tail is not None:
            np.add.at(self.bottom, (tail if ok is None else tail[ok]).reshape(-1), w)
        if self.shift is not None:
            moved = self.nominal[units + start]
            unranked = moved == 0
            moved -= self.position
            np.abs(moved, out=moved)
            moved[unranked] = 0
            total = moved.sum(axis=-1)
            if rows is None:
                self.shift[ok] = total[ok]
            else:
                self.shift[rows] = total
        if self.ranks is not None:
            placed = np.empty(units.shape, dtype=np.int32)
            np.put_along_axis(placed, units.astype(np.intp), self.position.astype(np.int32),
                              axis=-1)
            if rows is None:
                self.ranks[ok] = placed[ok]
            else:
                self.ranks[rows] = placed

    def exact(self, r: np.ndarray, rows: tuple):
        """Competition ranks ``r`` (m × n, per unit, 0 = unranked) of ``rows``."""
        n, bins, w = self.n, self.bins, self.weight
        start = self.year_start[rows[1]][:, None]
        np.add.at(self.flat, (r + (start + np.arange(n)) * bins).reshape(-1), w)
        ranked = r > 0
        n_ranked = ranked.sum(axis=1, keepdims=True)
        low = (r >= n_ranked - self.k + 1) & ranked if self.k else np.zeros_like(ranked)
        np.add.at(self.bottom, (start + np.arange(n))[low], w)
        if self.shift is not None:
            nominal = self.nominal[start + np.arange(n)]
            valid = ranked & (nominal > 0)
            self.shift[rows] = np.where(valid, np.abs(r - nominal), 0).sum(axis=1)
        if self.ranks is not None:
            self.ranks[rows] = r


#: rows left for the 64-bit keys or argsort are ranked together once this many scores wait
DEFER_SCORES = 1 << 19


class BlockCounter:
    """Ranks batches of scenarios of some years with the same units (``hist``, ``bottom``,
    ``nominal``: rows of those years × units, as :func:`count_block`) and counts them.

    The few rows the 32-bit keys leave (close pairs, NaN) cost a dozen small numpy calls
    per batch however few they are: with ``defer`` > 0 they wait, and are ranked together
    once ``defer`` scores wait (:data:`DEFER_SCORES` for the engine) or at :meth:`flush`
    (the counts are sums, so when they are added changes nothing). A batch that asks for
    its shifts or ranks is ranked whole at once. One counter per thread."""

    def __init__(self, hist: np.ndarray, bottom: np.ndarray, nominal: np.ndarray, *,
                 units: int, bottom_k: int, decimals: int | None = None, rtol: float = RTOL,
                 work: Workspace | None = None, defer: int = 0):
        self.hist, self.bottom = hist, bottom
        self.nominal = np.asarray(nominal, dtype=np.int64).reshape(-1)
        self.n, self.years = units, len(self.nominal) // units
        if self.years * units != len(self.nominal):
            raise ValueError(f"{len(self.nominal)} rows are not years of {units} units")
        self.bottom_k, self.decimals, self.rtol = bottom_k, decimals, rtol
        self.work = Workspace() if work is None else work
        self.defer = defer
        self._waiting: list[tuple[np.ndarray, np.ndarray, int]] = []
        self._waiting_scores = 0

    def _tally(self, c: int, weight: int, shift=None, ranks=None) -> "_Tally":
        return _Tally(c, self.years, self.n, self.hist, self.bottom, self.nominal,
                      self.bottom_k, weight, shift, ranks, self.work)

    def add(self, scores: np.ndarray, weight: int = 1, *, want_shift: bool = False,
            keep_ranks: bool = False) -> BlockCounts:
        """Rank and count ``scores`` (c scenarios × years · units)."""
        c, width = scores.shape
        n, years = self.n, self.years
        if width != years * n:
            raise ValueError(f"{width} columns are not {years} years of {n} units")
        x = scores.reshape(c, years, n)
        if self.decimals is not None:
            x = np.round(x, self.decimals, out=self.work.take("rounded", x.shape, np.float64))
        shift = np.zeros((c, years), dtype=np.int64) if want_shift else None
        ranks = np.empty((c, years, n), dtype=np.int32) if keep_ranks else None
        tally = self._tally(c, weight, shift, ranks)
        top, low = x.max(axis=-1), x.min(axis=-1)        # NaN in a row: NaN
        todo = None
        bits = key_bits(n)
        if bits is not None:
            order, ok = _order32(x, top, low, self.rtol, bits, self.work)
            tally.ordered(order, None, ok)
            if not ok.all():
                todo = np.nonzero(~ok)
        else:
            todo = np.nonzero(np.ones((c, years), dtype=bool))
        if todo is not None:
            if self.defer > 0 and shift is None and ranks is None:
                self._waiting.append((x[todo], todo[1], weight))
                self._waiting_scores += len(todo[0]) * n
                if self._waiting_scores >= self.defer:
                    self.flush()
            else:
                self._rest(x[todo], todo, tally)
        return BlockCounts(None if shift is None else shift.sum(axis=1),
                           None if ranks is None else ranks.reshape(c, width))

    def _rest(self, part: np.ndarray, rows: tuple, tally: "_Tally") -> None:
        """The 64-bit keys, then argsort, for ``part`` (m × n, a copy) of ``rows``."""
        todo = np.ones(len(part), dtype=bool)
        packed = np.flatnonzero(~np.isnan(part.max(axis=1)))
        if len(packed):
            order, ok = _order64(part[packed], self.rtol)
            if ok.any():
                done = packed[ok]
                tally.ordered(order[ok], (rows[0][done], rows[1][done]))
                todo[done] = False
        if todo.any():
            tally.exact(competition_ranks(part[todo], self.rtol),
                        (rows[0][todo], rows[1][todo]))

    def flush(self) -> None:
        """Rank and count the rows that wait."""
        if not self._waiting:
            return
        waiting, self._waiting, self._waiting_scores = self._waiting, [], 0
        for weight in sorted({w for _, _, w in waiting}):
            same = [(part, year) for part, year, w in waiting if w == weight]
            part = np.concatenate([p for p, _ in same])
            year = np.concatenate([y for _, y in same])
            self._rest(part, (np.zeros(len(year), dtype=np.intp), year),
                       self._tally(0, weight))


def count_block(scores: np.ndarray, nominal: np.ndarray, hist: np.ndarray,
                bottom: np.ndarray, *, bottom_k: int, decimals: int | None = None,
                weight: int = 1, want_shift: bool = False,
                keep_ranks: bool = False, rtol: float = RTOL,
                units: int | None = None, work: Workspace | None = None) -> BlockCounts:
    """Rank every row of ``scores`` (c scenarios × n units of one year, or × Y·n: Y
    years of ``units`` units each, side by side) and add to the counts: ``hist`` (Y·n ×
    bins, int64; bin r = rank r, bin 0 = unranked) and ``bottom`` (Y·n,: times in the
    bottom k), both updated in place.

    ``nominal`` holds the nominal ranks (int, 0 = unranked); ``weight`` multiplies the
    counts (scenarios that share one weight vector). A unit is in the bottom k of a
    scenario when its rank ≥ n_ranked − k + 1 (the published reading of
    :func:`evaluator.methods.alerts.bottom_k`); unranked unit-years add no rank shift.
    ``shift`` sums every year's; ``ranks`` is c × Y·n. ``work`` keeps scratch arrays
    between calls of one thread.
    """
    counter = BlockCounter(hist, bottom, nominal, units=scores.shape[1] if units is None
                           else units, bottom_k=bottom_k, decimals=decimals, rtol=rtol,
                           work=work)
    return counter.add(scores, weight, want_shift=want_shift, keep_ranks=keep_ranks)
