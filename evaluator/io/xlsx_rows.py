"""XlsxWriter's constant-memory worksheet, a whole row at a time (issue 11).

XlsxWriter spends most of a large sheet's time in Python calls made for every cell: the
public ``write_*`` method and its argument check, the dimension check, then at the next
row one XML call per cell and per attribute. :class:`RowWorksheet` takes a row's cells
in one call (:meth:`RowWorksheet.put_row`) and writes each finished row's XML as one
string, the same characters XlsxWriter's own ``_write_single_row`` writes: the cell
references, the style index of the cell's format (else its column's), numbers as
``{:.16G}``, inline strings with XlsxWriter's control-character escapes, the
``xml:space="preserve"`` of text with leading or trailing white space and its XML
escapes, booleans as ``t="b"``, blanks with a format as empty cells. Anything else — a
formula, a rich string, a row with its own height or format, a comment, a row or column
out of bounds, a number that is not finite, text past half Excel's limit — goes through
XlsxWriter's own code, so the workbook is the same bytes either way
(``tests/test_output_speed.py`` writes random sheets both ways and compares the files).
"""
from __future__ import annotations

import math
import re
from typing import Any, Iterable

from xlsxwriter.utility import RE_LEADING_WHITESPACE, RE_TRAILING_WHITESPACE, xl_col_to_name
from xlsxwriter.worksheet import (CellBlankTuple, CellBooleanTuple, CellNumberTuple,
                                  CellStringTuple, Worksheet)
from xlsxwriter.xmlwriter import XMLwriter

# what XlsxWriter's _escape_control_characters changes, and what _escape_data escapes
_CONTROL = re.compile("_x[0-9a-fA-F]{4}_|[\x00-\x08\x0b-\x1f\ufffe\uffff]")
_DATA_ESCAPES = re.compile("[&<>]")
_COLUMN_NAMES: dict[int, str] = {}


def _column(col: int) -> str:
    name = _COLUMN_NAMES.get(col)
    if name is None:
        name = _COLUMN_NAMES[col] = xl_col_to_name(col)
    return name


class RowWorksheet(Worksheet):
    """A worksheet whose rows can be written whole (:meth:`put_row`); every other
    method is XlsxWriter's."""

    def put_row(self, row: int, cells: Iterable[tuple[int, Any, Any]]) -> None:
        """Write ``cells`` — (column, value, format) — into ``row``: None a blank cell
        (skipped without a format), a bool a boolean, an int or float a number, a str a
        string (as :meth:`write_string`: never a formula). Rows in increasing order, as
        constant-memory mode writes them."""
        if not self.constant_memory or not 0 <= row < self.xls_rowmax \
                or row < self.previous_row:      # XlsxWriter decides, cell by cell
            for col, value, fmt in cells:
                self._put_one(row, col, value, fmt)
            return
        width, half = self.xls_colmax, self.xls_strmax // 2
        stored = {}
        for col, value, fmt in cells:
            kind = type(value)
            if value is None:
                if fmt is None:
                    continue
                cell = CellBlankTuple(fmt)
            elif kind is bool:
                cell = CellBooleanTuple(1 if value else 0, fmt)
            elif (kind is float and math.isfinite(value)) or kind is int:
                cell = CellNumberTuple(value, fmt)
            elif kind is str and len(value) <= half:
                cell = CellStringTuple(value, fmt)
            else:
                self._put_one(row, col, value, fmt)
                continue
            if 0 <= col < width:          # a cell out of bounds is not written
                stored[col] = cell
        if stored:
            # the first and last column move the sheet's dimensions as every cell would
            self._check_dimensions(row, min(stored))
            self._check_dimensions(row, max(stored))
            if row > self.previous_row:
                self._write_single_row(row)
            self.table[row].update(stored)

    def _put_one(self, row: int, col: int, value: Any, fmt) -> None:
        if value is None:
            self.write_blank(row, col, None, fmt)
        elif isinstance(value, bool):
            self.write_boolean(row, col, value, fmt)
        elif isinstance(value, (int, float)):
            self.write_number(row, col, value, fmt)
        else:
            self.write_string(row, col, str(value), fmt)

    def _write_single_row(self, current_row_num=0) -> None:
        row_num = self.previous_row
        cells = self.table.get(row_num)
        if (not cells or row_num in self.row_info or row_num in self.comments
                or self.default_row_height != self.original_row_height
                or self.excel_version == 2010):
            super()._write_single_row(current_row_num)
            return
        self.previous_row = current_row_num
        line = str(row_num + 1)
        parts = [f'<row r="{line}">']
        col_info = self.col_info
        for col in sorted(cells):
            cell = cells[col]
            kind = type(cell)
            fmt = cell.format
            if fmt:
                style = f' s="{fmt._get_xf_index()}"'
            elif col in col_info and col_info[col].column_format is not None:
                style = f' s="{col_info[col].column_format._get_xf_index()}"'
            else:
                style = ""
            ref = (_COLUMN_NAMES.get(col) or _column(col)) + line
            if kind is CellNumberTuple:
                parts.append(f'<c r="{ref}"{style}><v>{cell.number:.16G}</v></c>')
            elif kind is CellStringTuple:
                text = cell.string
                if _CONTROL.search(text):
                    text = XMLwriter._escape_control_characters(text)
                if text.startswith("<r>") and text.endswith("</r>"):
                    parts.append(f'<c r="{ref}"{style} t="inlineStr"><is>{text}</is></c>')
                    continue
                keep = (' xml:space="preserve"' if RE_LEADING_WHITESPACE.search(text)
                        or RE_TRAILING_WHITESPACE.search(text) else "")
                if _DATA_ESCAPES.search(text):
                    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                parts.append(f'<c r="{ref}"{style} t="inlineStr"><is><t{keep}>{text}</t>'
                             f'</is></c>')
            elif kind is CellBooleanTuple:
                parts.append(f'<c r="{ref}"{style} t="b"><v>{cell.boolean}</v></c>')
            elif kind is CellBlankTuple:
                parts.append(f'<c r="{ref}"{style}/>')
            else:        # a formula, rich string, date …: XlsxWriter writes it
                self.fh.write("".join(parts))
                parts = []
                self._write_cell(row_num, col, cell)
        parts.append("</row>")
        self.fh.write("".join(parts))
        self.table.clear()
