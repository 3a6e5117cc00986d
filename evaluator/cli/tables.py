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
import numbers
import unicodedata
from typing import Any, Sequence

MISSING = "–"


def display_width(text: str) -> int:
    """Terminal columns: East Asian wide and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def _pad(text: str, width: int, right: bool) -> str:
    fill = " " * (width - display_width(text))
    return fill + text if right else text + fill


def is_missing(value) -> bool:
    """None, NaN, pandas' NA and NaT (recognised without importing pandas)."""
    if value is None or type(value).__name__ in ("NAType", "NaTType"):
        return True
    return isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral) \
        and math.isnan(value)


def _is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _column_cells(values: Sequence[Any], decimals: int, integer: bool = False
                  ) -> tuple[list[str], bool]:
    """(cells, right-aligned?) of one column; ``integer``: its type holds whole numbers."""
    present = [v for v in values if not is_missing(v)]
    numeric = bool(present) and all(_is_number(v) for v in present)
    if not numeric:
        return [MISSING if is_missing(v) else str(v) for v in values], False
    whole = all(float(v).is_integer() for v in present)
    if whole and (integer or all(abs(float(v)) < 1e15 for v in present)):
        return [MISSING if is_missing(v) else f"{int(v)}" for v in values], True
    return [MISSING if is_missing(v) else f"{float(v):.{decimals}f}" for v in values], True


def render_columns(columns: Sequence[tuple[str, Sequence[Any], bool]], *, decimals: int = 3,
                   per_column: dict[str, int] | None = None, drop_empty: bool = True) -> str:
    """Columns ``(title, values, integer?)`` as aligned text (see the module docstring);
    plain Python, for commands that print without pandas (`rounds`, `history`)."""
    per_column = per_column or {}
    if drop_empty and columns and len(columns[0][1]):
        columns = [c for c in columns if not all(is_missing(v) for v in c[1])]
    laid = []
    for name, values, integer in columns:
        cells, right = _column_cells(values, per_column.get(name, decimals), integer)
        header = str(name)
        width = max([display_width(header)] + [display_width(c) for c in cells])
        laid.append([_pad(header, width, right)] + [_pad(c, width, right) for c in cells])
    if not laid:
        return ""
    return "\n".join("  ".join(parts).rstrip() for parts in zip(*laid))


def render_table(frame, *, decimals: int = 3, per_column: dict[str, int] | None = None,
                 max_rows: int | None = None, drop_empty: bool = True) -> str:
    """``frame`` (a DataFrame) as aligned text (the first ``max_rows`` rows); see the
    module docstring. Whole-number columns are integers whatever ``decimals`` says."""
    shown = frame if max_rows is None else frame.head(max_rows)
    columns = [(name, shown[name].tolist(), getattr(shown[name].dtype, "kind", "") in "iu")
               for name in shown.columns]
    return render_columns(columns, decimals=decimals, per_column=per_column,
                          drop_empty=drop_empty)
