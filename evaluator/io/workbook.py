"""Plain tables as an .xlsx workbook, written by XlsxWriter in constant-memory mode.

XlsxWriter streams each row to disk as it is written (memory bounded by one row) and
writes cells several times faster than openpyxl's write-only mode. The workbook is the
same bytes for the same tables: document times are fixed (2000-01-01) and XlsxWriter
stamps its zip entries with a fixed date.

Cells: numbers as numbers (NaN and ±inf empty), booleans as booleans, text always as
text — never a formula — with the formula-injection guard of the CSV tables (a leading
``'`` before ``=``, ``+``, ``-``, ``@``, tab or CR). Header row frozen, with an
autofilter; column widths from the header and the first 200 values (8–40 characters);
number formats by column (:func:`number_format`: ranks and years whole, rank changes
signed, coordination degrees 3 decimals, other scores 2 — the cell keeps every digit);
printed landscape on A4, one page wide, the header row on every page (:func:`print_setup`).
"""
from __future__ import annotations

import datetime as _dt
import math
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd

from .tables import neutralise

FIXED_TIME = _dt.datetime(2000, 1, 1)
_MAX_TEXT = 32767          # Excel's limit for one cell


def workbook_options() -> dict:
    """XlsxWriter options shared by every workbook the tool writes."""
    return {"constant_memory": True, "strings_to_formulas": False,
            "strings_to_numbers": False, "strings_to_urls": False,
            "nan_inf_to_errors": False}


def fix_properties(workbook) -> None:
    """Fixed document times, so reruns give byte-identical files."""
    workbook.set_properties({"created": FIXED_TIME})


def print_setup(ws, n_rows: int, n_cols: int) -> None:
    """Autofilter on the header row over the table, landscape A4, one page wide (as many
    pages down as needed), the header row repeated on every printed page."""
    if n_cols:
        ws.autofilter(0, 0, max(n_rows, 1), n_cols - 1)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)


RANK_COLUMNS = ("rank", "rank_in_group", "nominal_rank")
SIGNED_COLUMNS = ("rank_change", "rank_change_yoy")


def number_format(name: str, values: list[Any]) -> str | None:
    """The display format of a number column of an output table, by its name: ranks and
    whole numbers ``0``, rank changes ``+0;-0;0``, coordination degrees ``0.000``, other
    numbers ``0.00``."""
    name = str(name)
    if name in SIGNED_COLUMNS:
        return "+0;-0;0"
    if name in RANK_COLUMNS or name.endswith("_rank") or name == "year":
        return "0"
    if name.startswith("coordination_") or name.endswith("_D"):
        return "0.000"
    if all(v is None or float(v).is_integer() for v in values):
        return "0"
    return "0.00"


def column_cells(series: pd.Series) -> tuple[list[Any], str]:
    """A column as Python values and its kind: ``number`` (floats, None for NaN/±inf),
    ``bool``, or ``mixed`` (each cell written by its type)."""
    if pd.api.types.is_bool_dtype(series.dtype) and not series.isna().any():
        return series.astype(bool).tolist(), "bool"
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(
            series.dtype):
        values = series.to_numpy(dtype=float, na_value=np.nan)
        keep = np.isfinite(values)
        out = values.astype(object)
        out[~keep] = None
        return out.tolist(), "number"
    return [_plain(v) for v in series.tolist()], "mixed"


def _plain(v: Any) -> Any:
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return float(v) if math.isfinite(float(v)) else None
    if isinstance(v, str):
        return neutralise(v)
    return neutralise(str(v))


def write_cell(ws, row: int, col: int, value: Any, fmt=None) -> None:
    """One cell by its type; None leaves the cell empty (or blank with a format)."""
    if value is None:
        if fmt is not None:
            ws.write_blank(row, col, None, fmt)
    elif value is True or value is False:
        ws.write_boolean(row, col, value, fmt)
    elif isinstance(value, (int, float)):
        ws.write_number(row, col, value, fmt)
    else:
        ws.write_string(row, col, value[:_MAX_TEXT], fmt)


def _width(header: str, values: list[Any]) -> float:
    width = max([len(str(header))] + [len(str(v)) for v in values[:200] if v is not None]
                + [0])
    return min(max(8, width + 2), 40)


def write_frames(sheets: Mapping[str, pd.DataFrame], path: Path) -> None:
    """One sheet per table (name cut to Excel's 31 characters)."""
    import xlsxwriter

    from .xlsx_rows import RowWorksheet
    workbook = xlsxwriter.Workbook(str(path), workbook_options())
    fix_properties(workbook)
    header_format = workbook.add_format({"bold": True, "bottom": 1})
    formats: dict[str, Any] = {}
    for name, frame in sheets.items():
        ws = workbook.add_worksheet(name[:31], worksheet_class=RowWorksheet)
        ws.freeze_panes(1, 0)
        headers = [neutralise(str(c)) for c in frame.columns]
        columns = [column_cells(frame.iloc[:, k]) for k in range(frame.shape[1])]
        for k, (header, (values, kind)) in enumerate(zip(headers, columns)):
            fmt = number_format(frame.columns[k], values) if kind == "number" else None
            if fmt is not None and fmt not in formats:
                formats[fmt] = workbook.add_format({"num_format": fmt})
            ws.set_column(k, k, _width(header, values), formats.get(fmt))
        for k, header in enumerate(headers):
            ws.write_string(0, k, header, header_format)
        print_setup(ws, len(frame), len(headers))
        _write_rows(ws, columns, start=1)
    workbook.close()


def _write_rows(ws, columns: list[tuple[list[Any], str]], start: int) -> None:
    """Rows in order, each in one call (:meth:`RowWorksheet.put_row`; constant-memory
    mode flushes a row once the next one starts): numbers, booleans, and in a mixed
    column each cell by its type (:func:`write_cell`: text cut to Excel's limit)."""
    cut = [[v[:_MAX_TEXT] if type(v) is str else v for v in values] if kind == "mixed"
           else values for values, kind in columns]
    n = max((len(v) for v in cut), default=0)
    put = ws.put_row
    for r in range(n):
        put(start + r, [(k, values[r], None) for k, values in enumerate(cut)
                        if values[r] is not None])
