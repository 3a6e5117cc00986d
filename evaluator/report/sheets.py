"""Writing a workbook of plain tables fast and safely (XlsxWriter, constant-memory mode).

* Every look (header, number format, traffic-light fill, quote prefix) is one XlsxWriter
  format built once per workbook; only cells that show a style get one. Rows stream to
  disk as they are written, so memory is bounded by a row, and the same sheets give the
  same bytes (document times fixed, zip entries stamped with a fixed date).
* Text is kept exactly: a string that Excel would read as a formula (``=``, ``+``,
  ``-``, ``@`` …) or an error code (``#N/A`` …) is a string cell with the quote prefix,
  as Excel stores ``'=text`` typed by hand — shown as typed, never evaluated, and read
  back as the same text. No text is ever written as a formula, number or link.
  Characters XML cannot hold are shown as U+FFFD.
"""
from __future__ import annotations

import io
import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..output import FORMULA_START
from ..io.workbook import fix_properties, print_setup, workbook_options

GENERAL = "General"
LIGHT_FILLS = {"green": "C6EFCE", "yellow": "FFEB9C", "red": "FFC7CE"}
# Excel's error values, which a text cell must not be read as (ECMA-376 Part 1 §18.17.4)
ERROR_CODES = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass
class Col:
    header: str                  # already bilingual
    values: Sequence[Any]
    number_format: str = GENERAL
    fills: Sequence[str | None] | None = None   # light names for a fill per row


def _column_values(values: Sequence[Any]) -> list[Any]:
    """A column as cell values, converted once per column: numbers as Python numbers,
    missing and non-finite numbers as None, text as it is (see :func:`kept_as_text`).
    A list of only Python floats, only Python ints or only text (and None) is converted
    directly, as the frame below converts it."""
    values = list(values)
    kinds = {type(v) for v in values}
    if kinds == {float}:
        return [v if math.isfinite(v) else None for v in values]
    if kinds == {int} and all(-2 ** 63 <= v < 2 ** 63 for v in values):
        return values
    if kinds and kinds <= {str, type(None)}:
        return [_plain(v) for v in values]
    return _column_values_framed(values)


def _column_values_framed(values: list[Any]) -> list[Any]:
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
    if s.isascii():
        return len(s)         # no ASCII character is wide
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


class _Styles:
    """The workbook's cell formats, each built once and shared by every cell that shows
    the same look."""

    HEADER = {"bold": True, "font_color": "#1D2733", "bg_color": "#E9EEF4",
              "pattern": 1, "bottom": 2, "bottom_color": "#1D2733", "text_wrap": True,
              "valign": "top"}

    def __init__(self, workbook):
        self.workbook = workbook
        self.fills = LIGHT_FILLS
        self._formats: dict[tuple, Any] = {}

    def format(self, number_format: str = GENERAL, fill: str | None = None,
               quote: bool = False, header: bool = False):
        key = (number_format, fill, quote, header)
        if key == (GENERAL, None, False, False):
            return None
        if key not in self._formats:
            spec: dict[str, Any] = dict(self.HEADER) if header else {}
            if number_format != GENERAL:
                spec["num_format"] = number_format
            if fill is not None:
                spec.update(pattern=1, bg_color="#" + self.fills[fill])
            if quote:
                spec["quote_prefix"] = True
            self._formats[key] = self.workbook.add_format(spec)
        return self._formats[key]


def _write(ws, row: int, col: int, value: Any, fmt) -> None:
    """One cell by its type: text always as text (never a formula, number or link)."""
    if value is None:
        if fmt is not None:
            ws.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value, fmt)
    elif isinstance(value, (int, float)):
        ws.write_number(row, col, value, fmt)
    else:
        ws.write_string(row, col, str(value), fmt)


def write_sheet(wb, styles: _Styles, name: str, cols: list[Col],
                note: str | None = None) -> None:
    """One sheet: bilingual header row (frozen, with an autofilter), widths from the first
    200 values, then the columns' values, row by row (constant-memory mode writes rows in
    order); printed landscape, one page wide, the header on every page."""
    from ..io.xlsx_rows import RowWorksheet
    ws = wb.add_worksheet(name[:31], worksheet_class=RowWorksheet)
    ws.freeze_panes(1, 1 if len(cols) > 2 else 0)
    values = [_column_values(c.values) for c in cols]
    n = max((len(v) for v in values), default=0)
    for k, (col, vals) in enumerate(zip(cols, values)):
        sample = [_width(v) for v in vals[:200]]
        width = max([_width(col.header) // 2 + 2] + [min(w, 60) for w in sample] + [6])
        if col.number_format != GENERAL:
            width = max(width, 9)
        ws.set_column(k, k, min(width + 2, 62))
    for k, col in enumerate(cols):
        header = _plain(col.header)
        _write(ws, 0, k, header, styles.format(header=True, quote=kept_as_text(header)))
    print_setup(ws, n, len(cols))
    for vals in values:
        vals.extend([None] * (n - len(vals)))
    _write_body(ws, styles, cols, values, n)
    if note:
        _write(ws, n + 2, 0, _plain(note), styles.format(quote=kept_as_text(note)))


def _write_body(ws, styles: _Styles, cols: list[Col], values: list[list[Any]], n: int
                ) -> None:
    """The rows under the header, each in one call (:meth:`RowWorksheet.put_row`, which
    writes every cell as :func:`_write` does): a number in its column's format, text
    that looks like a formula or an error with the quote prefix, a light's fill; the
    formats asked for in the same order as cell by cell (so made in the same order)."""
    known = styles.fills
    looks: dict[tuple, Any] = {}
    columns = [(k, col.number_format, col.fills, vals)
               for k, (col, vals) in enumerate(zip(cols, values))]
    for r in range(n):
        cells = []
        for k, number_format, fills, vals in columns:
            v = vals[r]
            if fills is None:
                if v is None:
                    continue
                fill = None
            else:
                fill = fills[r] if r < len(fills) else None
                fill = fill if fill in known else None
                if v is None and fill is None:
                    continue
            if v is None:
                key = (GENERAL, fill, False)
            elif isinstance(v, str):
                key = (GENERAL, fill, v.startswith(FORMULA_START) or v in ERROR_CODES)
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                key = (number_format, fill, False)
            else:
                key = (GENERAL, fill, False)
            fmt = looks.get(key, looks)
            if fmt is looks:
                fmt = looks[key] = styles.format(number_format=key[0], fill=fill,
                                                 quote=key[2])
            cells.append((k, v, fmt))
        ws.put_row(r + 1, cells)


def workbook_bytes(sheets: Sequence[tuple[str, list[Col], str | None]]) -> bytes:
    """An .xlsx file of ``sheets`` (name, columns, note under the table) in memory; the
    same sheets give the same bytes."""
    import xlsxwriter
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, workbook_options())
    fix_properties(wb)
    styles = _Styles(wb)
    for name, cols, note in sheets:
        write_sheet(wb, styles, name, cols, note)
    wb.close()
    return buffer.getvalue()
