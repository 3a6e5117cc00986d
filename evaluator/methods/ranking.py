"""Ranks per year: 1 = best, competition ranking (ties share the best rank, the next rank
is skipped: 1, 2, 2, 4), optionally on values rounded to N decimals as UNDP ranks the
published HDI."""
from __future__ import annotations

import numpy as np

from .diagnose import lag_rows, take_rows


def min_rank(values: np.ndarray, axis: int = 0) -> np.ndarray:
    """Ascending ranks along ``axis`` (smallest = 1), ties sharing the lowest rank
    (scipy's ``rankdata(method="min")``), NaN kept as NaN. Pure numpy: one stable
    argsort, so it also ranks a rows × scenarios batch at once."""
    x = np.moveaxis(np.asarray(values, dtype=float), axis, -1)
    n = x.shape[-1]
    order = np.argsort(x, axis=-1, kind="stable")            # NaN sorts last
    ordered = np.take_along_axis(x, order, axis=-1)
    ranks = np.broadcast_to(np.arange(1, n + 1, dtype=float), x.shape).copy()
    same = ordered[..., 1:] == ordered[..., :-1]
    ranks[..., 1:][same] = 0.0
    np.maximum.accumulate(ranks, axis=-1, out=ranks)
    ranks[np.isnan(ordered)] = np.nan
    out = np.empty_like(ranks)
    np.put_along_axis(out, order, ranks, axis=-1)
    return np.moveaxis(out, -1, axis)


def competition_rank(values: np.ndarray, blocks: np.ndarray | None = None, *,
                     decimals: int | None = None, higher_is_better: bool = True) -> np.ndarray:
    """Rank ``values`` within each block (e.g. year); NaN values get NaN ranks.

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
        out[rows] = min_rank(key[rows], axis=0)
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
