"""Gaps on the calendar: the periods a panel or a unit lacks between its first and last.

Period keys are calendar-ordered integers (a year, or the ordinal of a half-year, quarter
or month: see :mod:`evaluator.model.period`), so consecutive periods differ by one and a
gap is a missing integer. Every "previous period", "same period last year" and "N in a
row" of the diagnostics is a calendar fact (issue 9): a missing period is never bridged,
so these gaps are what the warnings must name.
"""
from __future__ import annotations

import numpy as np


def panel_gaps(periods: np.ndarray) -> np.ndarray:
    """Period keys between the panel's first and last that no row holds, ascending."""
    present = np.unique(np.asarray(periods).astype(np.int64))
    if present.size < 2:
        return present[:0]
    span = np.arange(present[0], present[-1] + 1, dtype=np.int64)
    return span[~np.isin(span, present)]


def unit_gaps(units: np.ndarray, periods: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(unit, period) pairs where a unit lacks a period inside its own span (between its
    first and last row) that the panel holds for some other unit — the unit's own gaps,
    not the panel's (see :func:`panel_gaps`). Sorted by unit, then period."""
    units = np.asarray(units).astype(str)
    periods = np.asarray(periods).astype(np.int64)
    if units.size == 0:
        return units[:0], periods[:0]
    names, codes = np.unique(units, return_inverse=True)
    codes = codes.reshape(-1)
    first = np.full(names.size, np.iinfo(np.int64).max)
    last = np.full(names.size, np.iinfo(np.int64).min)
    np.minimum.at(first, codes, periods)
    np.maximum.at(last, codes, periods)
    length = last - first + 1
    unit_of = np.repeat(np.arange(names.size), length)
    offset = np.arange(length.sum()) - np.repeat(np.cumsum(length) - length, length)
    span = first[unit_of] + offset                       # every period of every unit's span
    width = int(periods.max() - periods.min()) + 2
    base = periods.min()
    have = np.isin((unit_of * width) + (span - base), (codes * width) + (periods - base))
    in_panel = np.isin(span, periods)
    missing = ~have & in_panel
    return names[unit_of[missing]], span[missing]
