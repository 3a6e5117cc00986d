"""Tables printed on the terminal: aligned columns, the README's rounding, never a raw
pandas dump.

* numbers right-aligned, text left-aligned; widths count a Chinese character as two
  columns (as a terminal shows it);
* whole-number columns (ranks, counts, years — also float columns holding only whole
  numbers, as ranks with gaps are) print as integers, never ``150.000``;
* other numbers with ``decimals`` places (3 by default; weights 6, as the README says),
  or per column with ``per_column``;
* a missing value (NaN, ``<NA>``, None) prints as ``–``; columns missing in every row
  are left out (say so with ``dropped``).
"""
from __future__ import annotations

import math
import unicodedata

import numpy as np
import pandas as pd

MISSING = "–"


def display_width(text: str) -> int:
    """Terminal columns: East Asian wide and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def _pad(text: str, width: int, right: bool) -> str:
    fill = " " * (width - display_width(text))
    return fill + text if right else text + fill


def _is_missing(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, (float, np.floating)) and math.isnan(value)


def _column_cells(series: pd.Series, decimals: int) -> tuple[list[str], bool]:
    """(cells, right-aligned?) of one column."""
    values = series.tolist()
    present = [v for v in values if not _is_missing(v)]
    numeric = bool(present) and all(
        isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
        for v in present)
    if not numeric:
        return [MISSING if _is_missing(v) else str(v) for v in values], False
    whole = all(float(v).is_integer() for v in present)
    if whole and (pd.api.types.is_integer_dtype(series.dtype) or
                  all(abs(float(v)) < 1e15 for v in present)):
        return [MISSING if _is_missing(v) else f"{int(v)}" for v in values], True
    return [MISSING if _is_missing(v) else f"{float(v):.{decimals}f}" for v in values], True


def render_table(frame: pd.DataFrame, *, decimals: int = 3,
                 per_column: dict[str, int] | None = None, max_rows: int | None = None,
                 drop_empty: bool = True) -> str:
    """``frame`` as aligned text (the first ``max_rows`` rows); see the module docstring.
    Whole-number columns are integers whatever ``decimals`` says."""
    shown = frame if max_rows is None else frame.head(max_rows)
    if drop_empty and len(shown):
        shown = shown.loc[:, [c for c in shown.columns
                              if not all(_is_missing(v) for v in shown[c].tolist())]]
    per_column = per_column or {}
    columns = []
    for name in shown.columns:
        cells, right = _column_cells(shown[name], per_column.get(name, decimals))
        header = str(name)
        width = max([display_width(header)] + [display_width(c) for c in cells])
        columns.append(([_pad(header, width, right)] +
                        [_pad(c, width, right) for c in cells]))
    if not columns:
        return ""
    lines = ["  ".join(parts).rstrip() for parts in zip(*columns)]
    return "\n".join(lines)
