"""Ranks per year: 1 = best, competition ranking (ties share the best rank, the next rank
is skipped: 1, 2, 2, 4), optionally on values rounded to N decimals as UNDP ranks the
published HDI."""
from __future__ import annotations

import numpy as np
from scipy.stats import rankdata


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
        sub = key[rows]
        missing = np.isnan(sub)
        # rankdata with nan_policy='omit' keeps NaN in place and ranks the rest
        ranks = rankdata(np.where(missing, np.inf, sub), method="min", axis=0).astype(float)
        ranks[missing] = np.nan
        out[rows] = ranks
    return out


def rank_change(ranks: np.ndarray, units: np.ndarray, years: np.ndarray) -> np.ndarray:
    """Places gained since the unit's previous year in the panel (positive = moved up);
    NaN in a unit's first year or when either rank is missing."""
    ranks = np.asarray(ranks, dtype=float)
    units = np.asarray(units)
    years = np.asarray(years)
    order = np.lexsort((years, units))
    out = np.full(ranks.shape, np.nan)
    same_unit = units[order][1:] == units[order][:-1]
    prev = ranks[order][:-1]
    cur = ranks[order][1:]
    change = np.where(same_unit, prev - cur, np.nan)
    out[order[1:]] = change
    return out
