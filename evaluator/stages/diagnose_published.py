"""The previous year as published (``score --against-published``): the values and
contributions of a published round's diagnostics, per row and column of this run, and
changes measured from them (:mod:`evaluator.store.published` puts the cells in
``Assessment.prior["previous"]``)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..methods import diagnose as dg


def published_previous(a, units, years, columns) -> dict[str, np.ndarray] | None:
    """Per row and column, the value and the contribution of the same unit in the
    previous year as published (``score --against-published``; NaN where that year, unit
    or column was not published); None without it."""
    cells = (a.prior or {}).get("previous")
    fields = ("value", "contribution")
    if cells is None:
        return None
    if not len(cells):      # the rounds used hold no diagnostics of these years
        return {f: np.full((len(units), len(columns)), np.nan) for f in fields}
    rows = pd.MultiIndex.from_arrays([np.asarray(units).astype(str),
                                      np.asarray(years).astype(int)])
    wide = cells[cells["indicator"].isin(list(columns))].drop_duplicates(
        ["unit", "year", "indicator"]).set_index(
        ["unit", "year", "indicator"])[list(fields)].unstack("indicator")
    return {f: wide[f].reindex(index=rows, columns=list(columns)).to_numpy(float)
            for f in fields}


def change_since_published(now: np.ndarray, lag: np.ndarray, told: dict | None,
                           cols: slice) -> np.ndarray:
    """Change since the previous year: as published where it was (``told``'s
    contributions in columns ``cols``), else recomputed."""
    change = dg.change_since(now, lag)
    if told is None:
        return change
    was = told["contribution"][:, cols]
    return np.where(np.isnan(was), change, now - was)
