"""Reading helpers for panel files: bytes → a grid of raw cells, and raw cell → value.

Statistical-yearbook files arrive as CSV saved by Excel on Chinese Windows (GBK/GB18030),
as UTF-8 with or without a byte-order mark, or as XLSX workbooks with several sheets and
merged cells. This module only reads; it never writes to or renames the input file. The
meaning of the columns (unit, year, indicators) is decided in :mod:`evaluator.model.panel`.

Cell rules (documented for users in the panel contract, DESIGN.md §4 "Panel data"):

* missing: empty, ``NA``, ``N/A``, ``NaN``, ``null``, ``/``, ``-``, ``--``, ``—``, ``——``,
  ``…``, ``...``, ``#N/A``, ``无`` (Latin markers in any case; full-width forms too);
  more with ``load_panel(..., missing=[...])`` / ``--missing``;
* numbers: plain or scientific notation, thousands separators ``1,234.5``, surrounding
  spaces; anything else (``12%``, ``#DIV/0!``, ``约5``) is an error, never a silent NaN;
* years: integers, also ``2020年``/``2020年度`` and Excel's ``2020.0``; or half-years,
  quarters, months (:mod:`evaluator.model.period`, read by :mod:`evaluator.model.panel_time`).
"""
from __future__ import annotations

import codecs
import csv
import datetime as _dt
import hashlib
import io
import itertools
import math
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from evaluator.errors import DataError
from ..i18n import M, compose
from evaluator.model import panel_vector
from ..io.infile import check_regular, is_special
from .labels import label_key  # noqa: F401  (imported from here by the panel readers)

#: A panel file (CSV or workbook) is read only up to this size: a national county panel
#: (2,800 units × 20 years × 200 indicators) is ~100 MB.
MAX_DATA_BYTES = 512 * 1024 * 1024
#: Named in the message of an unknown --encoding: what Chinese statistics files use.
KNOWN_ENCODINGS = ("utf-8", "utf-8-sig", "gb18030", "gbk", "gb2312", "big5", "utf-16")

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls / .et, which openpyxl cannot read

# Compared after NFKC + casefold + strip, so "N/A", "ｎ／ａ" and "…" ("..." after NFKC) match.
MISSING_MARKERS = frozenset({
    "", "na", "n/a", "nan", "null", "/", "-", "--", "—", "——", "...", "......", "#n/a", "无",
})

_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?")
_THOUSANDS_NUMBER = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?")
MAX_LISTED = 10  # offending cells/rows quoted in one message


@dataclass(frozen=True)
class RawGrid:
    """A sheet or CSV as read: every row with its spreadsheet row number (1-based)."""

    rows: tuple[tuple[int, tuple[object, ...]], ...]
    source: str
    location: str          # what error messages put first: file, and sheet for XLSX
    sha256: str
    encoding: str | None
    sheet: str | None
    warnings: tuple[str, ...]


# ---------------------------------------------------------------- files

def read_grid(path, *, encoding: str | None = None, sheet: str | int | None = None) -> RawGrid:
    """Read a CSV or XLSX/XLSM file into a :class:`RawGrid` without modifying it."""
    file_path = Path(path)
    content = _read_bytes(file_path)
    digest = hashlib.sha256(content).hexdigest()
    if not content.strip():
        raise DataError(M("panel.file_empty"), where=str(file_path),
                        fix=M("panel.file_empty.fix"))
    suffix = file_path.suffix.lower()
    if suffix == ".xls" or content.startswith(_OLE_MAGIC):
        raise DataError(M("panel.this_legacy_excel_xls"),
                        where=str(file_path),
                        fix=M("panel.this_legacy_excel_xls.fix"))
    warnings: list[str] = []
    if suffix in EXCEL_SUFFIXES or content.startswith(_ZIP_MAGIC):
        if encoding is not None:
            warnings.append(M("panel.encoding_ignored_excel_workbook", encoding=encoding, name=file_path.name))
        rows, sheet_name, sheet_warnings = _excel_rows(content, file_path, sheet)
        return RawGrid(rows, str(file_path), sheet_location(file_path, sheet_name), digest,
                       None, sheet_name, tuple(warnings + sheet_warnings))
    if sheet is not None:
        warnings.append(M("panel.sheet_ignored_text_csv", sheet=sheet, name=file_path.name))
    text, used, decode_warnings = decode_text(content, file_path, encoding)
    rows = _csv_rows(text, file_path)
    return RawGrid(rows, str(file_path), str(file_path), digest, used, None,
                   tuple(warnings + decode_warnings))


def _read_bytes(file_path: Path) -> bytes:
    if file_path.is_dir():
        raise DataError(M("panel.this_folder_not_data"), where=str(file_path),
                        fix=M("panel.this_folder_not_data.fix"))
    if is_special(file_path) or (file_path.is_file()
                                 and file_path.stat().st_size > MAX_DATA_BYTES):
        check_regular(file_path, DataError, limit=MAX_DATA_BYTES)   # refuses: never read
    try:
        return file_path.read_bytes()   # a regular file, its size checked
    except FileNotFoundError:
        raise DataError(M("panel.data_file_does_not"), where=str(file_path),
                        fix=M("panel.data_file_does_not.fix")) from None
    except PermissionError:
        raise DataError(M("panel.data_file_cannot_read"),
                        where=str(file_path),
                        fix=M("panel.data_file_cannot_read.fix")) from None
    except OSError as exc:
        raise DataError(M("panel.data_file_cannot_read_2", value=exc.strerror or exc),
                        where=str(file_path), fix=M("panel.data_file_cannot_read_2.fix")) from None


# ---------------------------------------------------------------- text encodings

def detect_encoding(content: bytes) -> str | None:
    """The first encoding that decodes ``content`` strictly, or None.

    Order: UTF-8 with BOM, UTF-16 with BOM (Excel "Unicode text"), UTF-8, GB18030. GB18030
    is a superset of GBK and GB2312, so it also reads files saved as "ANSI" on Chinese
    Windows. A file that is plain ASCII is reported as UTF-8.
    """
    if content.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for candidate in ("utf-8", "gb18030"):
        try:
            content.decode(candidate)
        except UnicodeDecodeError:
            continue
        return candidate
    return None


def decode_text(content: bytes, file_path: Path, encoding: str | None):
    """Decode strictly; return (text, encoding used, warnings)."""
    detected = detect_encoding(content)
    if encoding is None:
        if detected is None:
            failure = _first_failure(content, "gb18030")
            raise DataError(
                M("panel.file_neither_utf_nor", failure=failure),
                where=str(file_path),
                fix=M("panel.file_neither_utf_nor.fix"))
        return content.decode(detected).lstrip("\ufeff"), detected, []
    used = text_encoding(encoding)
    try:
        text = content.decode(used)
    except UnicodeDecodeError:
        suggestion = (M("panel.decodes_as.fix", detected=detected) if detected
                      else M("panel.save_utf8.fix"))
        raise DataError(M("panel.file_not_valid_text", encoding=encoding, first_failure=_first_failure(content, used)),
                        where=str(file_path), fix=suggestion) from None
    warnings = []
    if detected and detected != used and content.decode(detected) != text:
        warnings.append(M("panel.read_as_as_requested", encoding=encoding, detected=detected))
    return text.lstrip("\ufeff"), used, warnings


def text_encoding(encoding: str) -> str:
    """The codec name of ``--encoding``: a text encoding Python knows, or a clear error
    (``rot13`` is a codec but not a text encoding; ``latin-9x`` is no codec at all)."""
    try:
        info = codecs.lookup(str(encoding))
        usable = getattr(info, "_is_text_encoding", True)
    except (LookupError, ValueError, TypeError):
        usable = False
    if not usable:
        raise DataError(M("inputs.unknown_encoding", encoding=encoding), where="--encoding",
                        fix=M("inputs.unknown_encoding.fix", known=", ".join(KNOWN_ENCODINGS)))
    return info.name


def _first_failure(content: bytes, encoding: str) -> str:
    try:
        content.decode(encoding)
    except UnicodeDecodeError as exc:
        line = content.count(b"\n", 0, exc.start) + 1
        bad = content[exc.start:exc.start + 2].hex(" ")
        return M("inputs.undecodable_bytes", bad=bad, byte=exc.start, line=line)
    return M("inputs.decodes")


def _csv_rows(text: str, file_path: Path):
    delimiter = _guess_delimiter(text)
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise DataError(M("panel.file_not_readable_csv", exc=exc), where=str(file_path),
                        fix=M("panel.file_not_readable_csv.fix")) from None
    # A spreadsheet shows one row per record, blank ones included: count them all.
    return tuple((number, tuple(cells)) for number, cells in enumerate(records, start=1)
                 if "".join(cells).strip())


def _guess_delimiter(text: str) -> str:
    """Comma, unless the header line has none and has tabs (UTF-16 "Unicode text" exports)
    or semicolons (European Excel)."""
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    if "," in first_line:
        return ","
    for candidate in ("\t", ";"):
        if candidate in first_line:
            return candidate
    return ","


# ---------------------------------------------------------------- Excel

def _excel_rows(content: bytes, file_path: Path, sheet):
    import openpyxl  # imported here: only Excel users pay for it
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
        raise DataError(M("panel.workbook_cannot_opened", exc=exc), where=str(file_path),
                        fix=M("panel.workbook_cannot_opened.fix")) from None
    names = workbook.sheetnames
    listing = ", ".join(f"{i}: {name!r}" for i, name in enumerate(names))
    warnings: list[str] = []
    if sheet is None:
        chosen = names[0]
        if len(names) > 1:
            warnings.append(M("panel.read_first_sheet_choose", chosen=chosen, n_names=len(names), listing=listing))
    else:
        chosen = _pick_sheet(names, sheet)
        if chosen is None:
            raise DataError(M("panel.there_no_sheet_sheets", sheet=sheet),
                            where=str(file_path), fix=M("panel.there_no_sheet_sheets.fix", listing=listing))
    from evaluator.model.panel_checks import check_formulas
    check_formulas(content, file_path, workbook, [chosen])
    worksheet = workbook[chosen]
    grid = [list(row) for row in worksheet.iter_rows(values_only=True)]
    _fill_merged(worksheet, grid)
    rows = tuple((number, tuple(cells)) for number, cells in enumerate(grid, start=1)
                 if any(not is_blank(cell) for cell in cells))
    return rows, chosen, warnings


def _pick_sheet(names: list[str], sheet) -> str | None:
    """A sheet by name, else by 0-based position. An integer that is no valid position but
    is a sheet's name (year sheets such as 2020, as the CLI passes digits as int) picks
    that sheet; a digit string that is no name is taken as a position."""
    if isinstance(sheet, (bool, np.bool_)):
        return None
    if isinstance(sheet, (int, np.integer)):
        if 0 <= int(sheet) < len(names):
            return names[int(sheet)]
        return str(sheet) if str(sheet) in names else None
    text = str(sheet)
    if text in names:
        return text
    stripped = [n for n in names if n.strip() == text.strip()]
    if stripped:
        return stripped[0]
    if text.strip().isdigit() and int(text) < len(names):
        return names[int(text)]
    return None


def _fill_merged(worksheet, grid) -> None:
    """Yearbooks merge a city's name over its year rows; give every cell the value."""
    for merged in worksheet.merged_cells.ranges:
        value = grid[merged.min_row - 1][merged.min_col - 1]
        for r in range(merged.min_row - 1, min(merged.max_row, len(grid))):
            for c in range(merged.min_col - 1, merged.max_col):
                if c < len(grid[r]):
                    grid[r][c] = value


# ---------------------------------------------------------------- cells

def is_blank(cell) -> bool:
    if cell is None:
        return True
    if isinstance(cell, float) and math.isnan(cell):
        return True
    return isinstance(cell, str) and not cell.strip()


def is_missing(cell) -> bool:
    if cell is None or cell is pd.NA or cell is pd.NaT:
        return True
    if isinstance(cell, (float, np.floating)) and math.isnan(cell):
        return True
    if isinstance(cell, str):
        return unicodedata.normalize("NFKC", cell).strip().casefold() in MISSING_MARKERS
    return False


def parse_number(cell) -> float | None:
    """A cell as a float, None when missing; ValueError with a reason otherwise."""
    if is_missing(cell):
        return None
    if isinstance(cell, (bool, np.bool_)):
        raise ValueError(M("panel.cell.boolean"))
    if isinstance(cell, (int, float, np.integer, np.floating)):
        value = float(cell)
    elif isinstance(cell, (_dt.date, _dt.time, _dt.timedelta)):
        raise ValueError(M("panel.cell.datetime"))
    elif isinstance(cell, str):
        text = unicodedata.normalize("NFKC", cell).strip().casefold()
        if _THOUSANDS_NUMBER.fullmatch(text):
            text = text.replace(",", "")
        if not _PLAIN_NUMBER.fullmatch(text):
            raise ValueError(M("panel.cell.text"))
        value = float(text)
    else:
        raise ValueError(M("panel.cell.type", type=type(cell).__name__))
    if not math.isfinite(value):
        raise ValueError(M("panel.cell.infinite"))
    return value


def parse_label(cell) -> str | None:
    """A unit or group name as text, None when empty. Only emptiness counts as missing
    here: 'NA' is Namibia's code."""
    if is_blank(cell) or cell is pd.NA or cell is pd.NaT:
        return None
    if isinstance(cell, (float, np.floating)) and float(cell).is_integer():
        return str(int(cell))  # Excel stores codes such as 130100 as floats
    return str(cell).strip()


def column_letter(position: int) -> str:
    """0 → A, 25 → Z, 26 → AA: the column as a spreadsheet shows it."""
    letters = ""
    position += 1
    while position:
        position, remainder = divmod(position - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def show_cell(cell) -> str:
    """A cell as quoted in messages, shortened."""
    text = repr(cell) if isinstance(cell, str) else str(cell)
    return text if len(text) <= 40 else text[:37] + "…"


# ---------------------------------------------------------------- tables

def sheet_location(file, sheet) -> str:
    """``a.xlsx, sheet '2023'`` in the user's language."""
    return M("where.sheet", file=str(file), sheet=str(sheet))


class RowNames:
    """How each data row is named in messages ("row 5" of a file, "index 3" of a
    DataFrame, "b.csv, row 5" of stacked files), made only when a message needs one."""

    def __init__(self, values, key: str = "where.row", prefixes=None):
        self.values, self.key = list(values), key
        self.prefixes = None if prefixes is None else list(prefixes)

    @classmethod
    def stacked(cls, parts) -> "RowNames":
        """Several files' rows, each named after its file: ``parts`` = (RowNames, label)."""
        parts = list(parts)
        return cls([v for names, _ in parts for v in names.values],
                   parts[0][0].key if parts else "where.row",
                   [label for names, label in parts for _ in names.values])

    def __len__(self) -> int:
        return len(self.values)

    def __getitem__(self, row: int):
        name = M(self.key, at=self.values[row])
        if self.prefixes is not None:
            return compose(self.prefixes[row], ", ", name)
        return name


@dataclass
class Table:
    """A header and its data rows, each row named as the user sees it (\"row 5\" in a
    file, \"index 3\" in a DataFrame)."""

    header: list[str]
    rows: list[tuple]
    row_names: RowNames
    where: str
    letters: bool   # spreadsheet column letters mean something (files, not DataFrames)

    def column(self, position: int) -> str:
        name = self.header[position]
        return (M("where.column_letter", letter=column_letter(position), name=name)
                if self.letters else M("where.column", name=name))

    def cells(self, position: int) -> tuple:
        """The column's cells (None past the end of a short row), transposed once."""
        columns = self.__dict__.get("_columns")
        if columns is None or self.__dict__.get("_columns_of") is not self.rows:
            columns = tuple(itertools.zip_longest(*self.rows, fillvalue=None))
            self.__dict__.update(_columns=columns, _columns_of=self.rows)
        return columns[position] if position < len(columns) else (None,) * len(self.rows)


class Problems:
    """Collects bad cells so one message lists them all (the first few quoted)."""

    def __init__(self, table: Table):
        self.table, self.found = table, []

    def add(self, row: int, position: int, cell, reason: str):
        self.found.append((row, position, cell, reason))

    def line(self, row: int | None, position: int, cell, reason) -> str:
        return M("panel.cell_line", row=(self.table.row_names[row] if row is not None
                                         else M("where.header")),
                 column=self.table.column(position), cell=show_cell(cell), reason=reason)

    @property
    def lines(self) -> list[str]:
        """Every bad cell as a message line."""
        return [self.line(*found) for found in self.found]

    def raise_if_any(self, key: str, fix: str):
        """One DataError titled by ``key`` (``key.one`` / ``key.many`` with ``n``)."""
        if self.found:
            lines = [self.line(*found) for found in self.found[:MAX_LISTED]]
            raise DataError(listing(counted(key, len(self.found)), lines,
                                    total=len(self.found)),
                            where=self.table.where, fix=fix)


def counted(key: str, n: int, **params) -> str:
    """The message ``key.one`` for one thing, ``key.many`` (with ``n``) for several."""
    return M(f"{key}.{'one' if n == 1 else 'many'}", n=n, **params)


def listing(title: str, lines: list[str], total: int | None = None) -> str:
    """A title and the first :data:`MAX_LISTED` lines, indented; "… and N more" when
    ``total`` (default: the number of lines) is larger."""
    total = len(lines) if total is None else total
    parts: list = [M("listing.title", title=title)]
    for line in lines[:MAX_LISTED]:
        parts += ["\n  ", line]
    if total > MAX_LISTED:
        parts += ["\n  ", M("listing.more", n=total - MAX_LISTED)]
    return compose(*parts)


@lru_cache(maxsize=65536)
def _number_from_text(text: str):
    return parse_number(text)


def parse_numbers(table: Table, position: int, problems: Problems) -> np.ndarray:
    """A column as floats (NaN = missing); bad cells go to ``problems``.

    The whole column is read at once (:func:`evaluator.model.panel_vector.numbers`); only
    the cells it leaves take the per-cell rules of :func:`parse_number`."""
    cells = table.cells(position)
    out, careful = panel_vector.numbers(cells, MISSING_MARKERS)
    for row in np.flatnonzero(careful):
        cell = cells[row]
        try:
            value = _number_from_text(cell) if isinstance(cell, str) else parse_number(cell)
        except ValueError as exc:
            problems.add(row, position, cell, exc.args[0] if exc.args else str(exc))
            continue
        out[row] = np.nan if value is None else value
    return out


def parse_keys(table: Table, unit_pos: int, year_pos: int):
    """Unit names, calendar keys of the periods and the panel's frequency (see
    :mod:`evaluator.model.period`); one DataError lists the rows lacking either."""
    from evaluator.model.panel_time import read_time_column
    from evaluator.model.period import accepted_forms
    problems = Problems(table)
    cells = table.cells(unit_pos)
    units, careful = panel_vector.labels(cells)
    for row in np.flatnonzero(careful):
        units[row] = parse_label(cells[row])
    for row in np.flatnonzero(pd.isna(units)):
        problems.add(row, unit_pos, cells[row], M("panel.cell.unit_empty"))
    keys, frequency = read_time_column(table, year_pos, problems)
    problems.raise_if_any("panel.rows_lack_keys",
                          M("panel.rows_lack_keys.fix", forms=accepted_forms(),
                                           example="2020年"))
    return units.tolist(), keys, frequency
