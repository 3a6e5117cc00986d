"""Ranks per year: 1 = best, competition ranking (ties share the best rank, the next rank
is skipped: 1, 2, 2, 4), optionally on values rounded to N decimals as UNDP ranks the
published HDI.

Scores that are numerically equal tie (issue 9): two scores whose difference is at most
``rtol`` (default :data:`RTOL`, 1e-9; the recipe's ``rank.tolerance``) times the largest
absolute score of their block (year) share a rank, so 37.5 and 37.49999999999999 — the
same weighted sum added in another order — are one place. The scale is the block's, not
the pair's, because the rounding noise of a weighted sum is proportional to the size of
its terms, whatever the size of the result (a composite near 0 under z-scores). Ties are
found between neighbours of the sorted scores, so a chain of scores each within the
tolerance of the next forms one tie (with 1e-9 such a chain spans at most n·1e-9 of the
scale). ``rtol=0`` ranks on exact equality.
"""
from __future__ import annotations

import numpy as np

from .diagnose import lag_rows, take_rows

RTOL = 1e-9   # the documented default of the recipe's rank.tolerance


def near_ties(ordered: np.ndarray, rtol: float) -> np.ndarray:
    """Along the last axis of ascending-sorted ``ordered`` (NaN last): True where a value
    ties with the one before it — equal, or within ``rtol`` × the largest finite absolute
    value of its row. Shape: ``ordered.shape[:-1] + (n − 1,)``."""
    same = ordered[..., 1:] == ordered[..., :-1]
    if rtol > 0 and ordered.shape[-1] > 1:
        finite = np.isfinite(ordered)
        scale = np.max(np.where(finite, np.abs(ordered), 0.0), axis=-1, keepdims=True)
        with np.errstate(invalid="ignore"):
            same |= (ordered[..., 1:] - ordered[..., :-1]) <= rtol * scale
    return same


def min_rank(values: np.ndarray, axis: int = 0, rtol: float = 0.0) -> np.ndarray:
    """Ascending ranks along ``axis`` (smallest = 1), ties sharing the lowest rank
    (scipy's ``rankdata(method="min")``), NaN kept as NaN; with ``rtol`` > 0 values within
    the tolerance of their sorted neighbour tie (:func:`near_ties`). Pure numpy: one
    stable argsort, so it also ranks a rows × scenarios batch at once."""
    x = np.moveaxis(np.asarray(values, dtype=float), axis, -1)
    n = x.shape[-1]
    order = np.argsort(x, axis=-1, kind="stable")            # NaN sorts last
    ordered = np.take_along_axis(x, order, axis=-1)
    ranks = np.broadcast_to(np.arange(1, n + 1, dtype=float), x.shape).copy()
    same = near_ties(ordered, rtol)
    ranks[..., 1:][same] = 0.0
    np.maximum.accumulate(ranks, axis=-1, out=ranks)
    ranks[np.isnan(ordered)] = np.nan
    out = np.empty_like(ranks)
    np.put_along_axis(out, order, ranks, axis=-1)
    return np.moveaxis(out, -1, axis)


def competition_rank(values: np.ndarray, blocks: np.ndarray | None = None, *,
                     decimals: int | None = None, higher_is_better: bool = True,
                     rtol: float = RTOL) -> np.ndarray:
    """Rank ``values`` within each block (e.g. year); NaN values get NaN ranks; values
    within ``rtol`` of the block's scale tie (module docstring).

    Works on a batch too: ``values`` rows × S ranks every column independently.
    """
    x = np.asarray(values, dtype=float)
    if decimals is not None:
        x = np.round(x, decimals)
    key = -x if higher_is_better else x
    out = np.full(x.shape, np.nan)
    labels = np.zeros(x.shape[0], dtype=int) if blocks is None else np.asarray(blocks)
    for block in np.unique(labels):
        rows = labels == block
        out[rows] = min_rank(key[rows], axis=0, rtol=rtol)
    return out


def rank_change(ranks: np.ndarray, units: np.ndarray, years: np.ndarray, lag: int = 1
                ) -> np.ndarray:
    """Places gained since the same unit ``lag`` calendar periods earlier (positive =
    moved up): the previous year (``lag`` 1), or for sub-annual periods the previous
    period (1) or the same period a year earlier (periods per year). NaN where that
    period has no rank for the unit — its first period, a missing period (a gap is never
    bridged: 2024 is not compared with 2022), or a missing rank."""
    ranks = np.asarray(ranks, dtype=float)
    return take_rows(ranks, lag_rows(units, years, lag)) - ranks
