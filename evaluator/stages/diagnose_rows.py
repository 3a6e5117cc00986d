"""Columns of the diagnostics made with the rows that are written (issue 11), so a large
panel's diagnosis holds no whole matrix for them: a per-block matrix spread over the rows
(a year's best, a group's median), the contributions and their change. Each is a
function of the wide row positions ``r`` (see :class:`evaluator.io.long_table.Part`)
giving, row by row, the numbers the whole matrix would hold.
"""
from __future__ import annotations

import numpy as np


def row_contributions(a, score: np.ndarray, n: int, m: int):
    """The indicators' contributions to the score of the rows at positions ``r``, as a
    function of ``r`` (NaN where the score is, or all NaN when the score does not
    decompose): share × normalised value, row by row the numbers of the whole matrix."""
    if a.contribution_shares is None:
        return lambda r: np.full((len(r), m), np.nan)
    shares = np.asarray(a.contribution_shares, float)
    Z = np.asarray(a.stages["normalised"], float)

    def rows(r):
        out = shares[r] * np.nan_to_num(Z[r])
        out[np.isnan(score[r])] = np.nan
        return out
    return rows


def rows_change(of, lag: np.ndarray):
    """The change of ``of(r)`` since the rows ``lag`` points at (NaN where none), as a
    function of ``r``: :func:`~evaluator.methods.diagnose.change_since` row by row."""
    def change(r):
        before = of(np.maximum(lag[r], 0))
        before[lag[r] < 0] = np.nan
        return of(r) - before
    return change


def spread(per_block: np.ndarray, codes: np.ndarray, minus: np.ndarray | None = None):
    """The rows' values of a per-block matrix (blocks × m) for :class:`Part`, made as the
    rows are written: ``per_block[codes[r]]``, less ``minus[r]`` when given."""
    if minus is None:
        return lambda r: per_block[codes[r]]
    return lambda r: per_block[codes[r]] - minus[r]
