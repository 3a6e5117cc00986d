"""Writing a workbook of plain tables fast and safely (openpyxl's write-only mode).

* Every look (header, number format, traffic-light fill) is built once per workbook on a
  prototype cell, and styled cells copy its style array: assigning a font, fill or
  number format cell by cell would look the style up again for each of the ~90,000
  cells of the diagnostics sheet. Only cells that show a style get one.
* Text is kept exactly: a string that Excel would read as a formula (``=``, ``+``,
  ``-``, ``@`` …) or an error code (``#N/A`` …) is a string cell with the quote prefix,
  as Excel stores ``'=text`` typed by hand — shown as typed, never evaluated, and read
  back as the same text.
  Characters XML cannot hold are shown as U+FFFD.
"""
from __future__ import annotations

import copy
import io
import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import pandas as pd

from openpyxl.cell.cell import ERROR_CODES

from ..output import FORMULA_START

GENERAL = "General"
LIGHT_FILLS = {"green": "C6EFCE", "yellow": "FFEB9C", "red": "FFC7CE"}
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass
class Col:
    header: str                  # already bilingual
    values: Sequence[Any]
    number_format: str = GENERAL
    fills: Sequence[str | None] | None = None   # light names for a fill per row


def _column_values(values: Sequence[Any]) -> list[Any]:
    """A column as cell values, converted once per column: numbers as Python numbers,
    missing and non-finite numbers as None, text as it is (see :func:`kept_as_text`)."""
    series = pd.Series(list(values), dtype=object if not len(values) else None)
    if pd.api.types.is_bool_dtype(series):
        return [bool(v) for v in series]
    if pd.api.types.is_numeric_dtype(series):
        arr = series.to_numpy(dtype=float)
        keep = np.isfinite(arr)
        out = series.astype(object).tolist()
        return [v if ok else None for v, ok in zip(out, keep)]
    return [_plain(v) for v in series]


def _plain(v: Any) -> Any:
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return float(v) if math.isfinite(float(v)) else None
    if isinstance(v, str):
        return _ILLEGAL.sub("\ufffd", v) if _ILLEGAL.search(v) else v
    return v


def kept_as_text(v: Any) -> bool:
    """Text Excel would not take as text — a formula (= + - @, tab, CR first) or an
    error code (#N/A …): written as a string cell with the quote prefix."""
    return isinstance(v, str) and (v.startswith(FORMULA_START) or v in ERROR_CODES)


def _width(text: Any) -> int:
    s = "" if text is None else str(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


class _Styles:
    """The workbook's cell styles, each built once on a prototype cell whose style array
    new cells copy (assigning a font, fill or number format to every cell would look the
    style up again for each of the ~90,000 cells of the diagnostics sheet)."""

    def __init__(self):
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
        self.header_look = dict(font=Font(bold=True, color="1D2733"),
                                fill=PatternFill("solid", fgColor="E9EEF4"),
                                border=Border(bottom=Side(style="medium", color="1D2733")),
                                alignment=Alignment(wrap_text=True, vertical="top"))
        self.fills = {k: PatternFill("solid", fgColor=v) for k, v in LIGHT_FILLS.items()}
        self._arrays: dict[tuple, Any] = {}

    def array(self, ws, number_format: str = GENERAL, fill: str | None = None,
              quote: bool = False, header: bool = False):
        key = (number_format, fill, quote, header)
        if key not in self._arrays:
            from openpyxl.cell import WriteOnlyCell
            proto = WriteOnlyCell(ws)
            if header:
                for name, value in self.header_look.items():
                    setattr(proto, name, value)
            if number_format != GENERAL:
                proto.number_format = number_format
            if fill is not None:
                proto.fill = self.fills[fill]
            if quote:
                proto.quotePrefix = True
            self._arrays[key] = proto._style
        return self._arrays[key]

    def cell(self, ws, value: Any, **look):
        """A styled cell; text that Excel would read as a formula or an error code stays
        the exact text: a string cell with the quote prefix, as Excel stores '=text."""
        from openpyxl.cell import WriteOnlyCell
        quote = kept_as_text(value)
        c = WriteOnlyCell(ws, value=value)
        if quote:
            c.data_type = "s"     # never a formula or an error
        c._style = copy.copy(self.array(ws, quote=quote, **look))
        return c


def write_sheet(wb, styles: _Styles, name: str, cols: list[Col],
                note: str | None = None) -> None:
    """One sheet: bilingual header row (frozen), widths from the first 200 values, then
    the columns' values."""
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title=name[:31])
    ws.freeze_panes = "B2" if len(cols) > 2 else "A2"
    values = [_column_values(c.values) for c in cols]
    n = max((len(v) for v in values), default=0)
    for k, (col, vals) in enumerate(zip(cols, values), start=1):
        sample = [_width(v) for v in vals[:200]]
        width = max([_width(col.header) // 2 + 2] + [min(w, 60) for w in sample] + [6])
        if col.number_format != GENERAL:
            width = max(width, 9)
        ws.column_dimensions[get_column_letter(k)].width = min(width + 2, 62)
    from ..output import sheet_layout
    sheet_layout(ws, n, len(cols))        # before the first row: write-only sheets
    ws.append([styles.cell(ws, _plain(col.header), header=True) for col in cols])
    # a styled cell only where it shows something (a number format, a light's fill, text
    # kept as text); every other cell is written as a plain value
    for col, vals in zip(cols, values):
        vals.extend([None] * (n - len(vals)))
        if col.number_format == GENERAL and col.fills is None:
            for r, v in enumerate(vals):
                if kept_as_text(v):
                    vals[r] = styles.cell(ws, v)
            continue
        for r, v in enumerate(vals):
            number = isinstance(v, (int, float)) and not isinstance(v, bool)
            fill = col.fills[r] if col.fills is not None else None
            fill = fill if fill in styles.fills else None
            if (number and col.number_format != GENERAL) or fill or kept_as_text(v):
                vals[r] = styles.cell(ws, v, fill=fill, number_format=col.number_format
                                      if number else GENERAL)
    for row in zip(*values):
        ws.append(row)
    if note:
        ws.append([])
        ws.append([styles.cell(ws, _plain(note))])


def workbook_bytes(sheets: Sequence[tuple[str, list[Col], str | None]]) -> bytes:
    """An .xlsx file of ``sheets`` (name, columns, note under the table) in memory."""
    from openpyxl import Workbook
    wb = Workbook(write_only=True)
    styles = _Styles()
    for name, cols, note in sheets:
        write_sheet(wb, styles, name, cols, note)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
