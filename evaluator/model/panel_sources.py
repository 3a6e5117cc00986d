"""The files institutes have, as one table: several files, a sheet per year, notes under
the table, their own missing markers.

:func:`read_table` turns one or several panel files into the single
:class:`~evaluator.model.panel_io.Table` that :mod:`evaluator.model.panel` assembles, so
every rule of one file (encodings, headers, cells) holds for each of them:

* **several files** (``-d a.csv -d b.csv``) of the same layout are stacked; their columns
  are matched by meaning (the unit, year and group columns, each indicator by its id,
  name or alias), so the order of the columns may differ. A unit-year in two files is
  refused with the file and row of each (by :mod:`evaluator.model.panel`).
* **a sheet per year**: a workbook whose sheets are named by years (``2022``,
  ``2023年``, ``2024年度``) is read whole when no ``--sheet`` is given, the year of each
  row taken from its sheet's name; a sheet without a year column named by a year
  (``--sheet 2024``) likewise. Other sheets (``说明``) are skipped with a warning; a year
  column that contradicts its sheet's name is an error.
* **notes under the table** (``注：…``, ``资料来源：…``, a merged note across the row) are
  skipped with a warning naming their rows, as title rows above the header are. A note
  row must hold no number and either begin with a note word or hold one text only (a
  merged cell); anything else under the table stays an error.
* **missing markers**: besides the built-in ones
  (:data:`evaluator.model.panel_io.MISSING_MARKERS`: empty, ``NA``, ``/``, ``-``, ``—``,
  ``…`` …), ``missing=("x", "暂缺")`` names more; they are compared like the built-in ones
  (case, spaces and full-/half-width forms ignored).
"""
from __future__ import annotations

import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from evaluator.errors import DataError
from evaluator.i18n import M, joined
from evaluator.model.panel_columns import (GROUP_ALIASES, HEADER_SEARCH_ROWS, INDICATOR_ALIASES,
                                           UNIT_ALIASES, VALUE_ALIASES, YEAR_ALIASES,
                                           FrameworkNames, alias_keys, find_header, find_role,
                                           raise_no_roles)
from evaluator.model.panel_io import (EXCEL_SUFFIXES, MISSING_MARKERS, RawGrid, RowNames,
                                      Table, is_blank, label_key, listing,
                                      parse_label,
                                      parse_number, read_grid, sheet_location)
from evaluator.model.panel_checks import check_formulas
from evaluator.model.period import PER_YEAR, parse_periods
from evaluator.io.infile import is_special

_YEAR_NAME = re.compile(r"(\d{4})(?:年度|年)?")
#: First words of a note row under a table (compared after NFKC and casefold).
NOTE_WORDS = ("注", "说明", "备注", "资料来源", "数据来源", "来源", "附注", "填表说明",
              "note", "notes", "source", "sources", "*")


@dataclass(frozen=True)
class Source:
    """One table read from a file (a CSV, or one sheet of a workbook)."""

    grid: RawGrid
    label: str          # how rows are named when tables are stacked: "a.csv", "b.xlsx, sheet '2023'"
    year: int | None    # the year of a sheet named by a year, else None
    whole: bool = False  # one of a workbook's year sheets (its year column is checked)


def sheet_year(name) -> int | None:
    """2022 for a sheet named "2022", "2022年", "2022 年度"; None for any other name."""
    text = "".join(unicodedata.normalize("NFKC", str(name)).split())
    match = _YEAR_NAME.fullmatch(text)
    return int(match.group(1)) if match else None


def read_table(paths, framework, *, encoding=None, sheet=None, missing=()):
    """One table from one or several panel files; returns (table, meta for the Panel).

    ``paths``: a path or a list of paths. See the module docstring for the rules.
    """
    paths = [paths] if isinstance(paths, (str, Path)) else list(paths)
    if not paths:
        raise DataError(M("panel.no_file"), where="--data", fix=M("panel.no_file.fix"))
    seen: dict[str, str] = {}
    for path in paths:
        key = str(Path(path).resolve())
        if key in seen:
            raise DataError(M("panel.file_twice"), where=str(path),
                            fix=M("panel.file_twice.fix"))
        seen[key] = str(path)
    sources, warnings = [], []
    for path in paths:
        file_sources, notes = _file_sources(path, encoding, sheet, several=len(paths) > 1)
        sources += file_sources
        warnings += notes
    names = FrameworkNames(framework)
    tables = []
    for source in sources:
        table, notes = _source_table(source, names, missing)
        tables.append(table)
        warnings += notes
    table = tables[0] if len(tables) == 1 else _stack(tables, sources, names)
    by_file: dict[str, list[Source]] = {}
    for source in sources:
        by_file.setdefault(source.grid.source, []).append(source)
    files = [_file_record(group[0].grid, [s.grid.sheet for s in group])
             for group in by_file.values()]
    return table, _meta(sources, files, warnings)


# ---------------------------------------------------------------- files and sheets

def _file_sources(path, encoding, sheet, several: bool):
    """The tables of one file: its CSV table, its chosen sheet, or its year sheets."""
    file_path = Path(path)
    is_excel = file_path.suffix.lower() in EXCEL_SUFFIXES or _looks_zipped(file_path)
    if is_excel and sheet is None:
        year_sheets = _year_sheets(file_path)
        if year_sheets is not None:
            return year_sheets
    grid = read_grid(path, encoding=encoding, sheet=sheet)
    label = (file_path.name if grid.sheet is None
             else sheet_location(file_path.name, grid.sheet))
    year = sheet_year(grid.sheet) if grid.sheet is not None and sheet is not None else None
    return [Source(grid, label if several else grid.location, year)], []


def _looks_zipped(file_path: Path) -> bool:
    if is_special(file_path):   # a device or a pipe: read_grid refuses it unopened
        return False
    try:
        with open(file_path, "rb") as handle:
            return handle.read(4) == b"PK\x03\x04"
    except OSError:
        return False      # read_grid reports the problem with the file


def _year_sheets(file_path: Path):
    """Every sheet named by a year, when a workbook has two or more; else None."""
    import zipfile

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        content = file_path.read_bytes()
        names = openpyxl.load_workbook(io.BytesIO(content), read_only=True).sheetnames
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError):
        return None       # read_grid gives the message for a workbook it cannot open
    years = {name: sheet_year(name) for name in names}
    named = [n for n, y in years.items() if y is not None]
    if len(named) < 2:
        return None
    clash = sorted(y for y in {years[n] for n in named}
                   if sum(years[m] == y for m in named) > 1)
    if clash:
        raise DataError(M("panel.year_sheets_clash", year=clash[0], sheets=", ".join(
                            repr(n) for n in named if years[n] == clash[0])),
                        where=str(file_path), fix=M("panel.year_sheets_clash.fix"))
    workbook = openpyxl.load_workbook(io.BytesIO(content), data_only=True)
    check_formulas(content, file_path, workbook, named)
    digest = hashlib.sha256(content).hexdigest()
    others = [n for n in names if years[n] is None]
    notes = []
    if others:
        notes.append(M("panel.year_sheets_others", file=file_path.name,
                       named=", ".join(map(repr, named)), others=", ".join(map(repr, others))))
    sources = []
    for name in named:
        rows = _worksheet_rows(workbook[name])
        grid = RawGrid(rows, str(file_path), sheet_location(file_path, name), digest, None,
                       name, ())
        sources.append(Source(grid, sheet_location(file_path.name, name), years[name], True))
    return sources, notes


def _worksheet_rows(worksheet):
    """Rows of a sheet with their numbers; merged cells give every cell their value."""
    grid = [list(row) for row in worksheet.iter_rows(values_only=True)]
    for merged in worksheet.merged_cells.ranges:
        value = grid[merged.min_row - 1][merged.min_col - 1]
        for r in range(merged.min_row - 1, min(merged.max_row, len(grid))):
            for c in range(merged.min_col - 1, min(merged.max_col, len(grid[r]))):
                grid[r][c] = value
    return tuple((number, tuple(cells)) for number, cells in enumerate(grid, start=1)
                 if any(not is_blank(cell) for cell in cells))


# ---------------------------------------------------------------- one table

def _source_table(source: Source, names: FrameworkNames, missing) -> tuple[Table, list[str]]:
    grid = source.grid
    if not grid.rows:
        raise DataError(M("panel.no_rows"), where=grid.location, fix=M("panel.no_rows.fix"))
    if source.year is None:
        start, notes = find_header(grid)
        notes = list(notes)
    else:
        start, notes = _unit_header(grid)
    header_number, header = grid.rows[start]
    body = list(grid.rows[start + 1:])
    year_pos = find_role([label_key(c) if not is_blank(c) else "\0" for c in header],
                         YEAR_ALIASES)
    body, note_lines = split_notes(body, year_pos)
    if note_lines:
        title = M("panel.notes_skipped." + ("one" if len(note_lines) == 1 else "many"),
                  where=grid.location, n=len(note_lines))
        notes.append(listing(title, note_lines))
    if not body:
        raise DataError(M("panel.header_only", row=header_number), where=grid.location,
                        fix=M("panel.header_only.fix"))
    header = [parse_label(c) or "" for c in header]
    rows = [cells for _, cells in body]
    if source.year is not None:
        header, rows = _with_sheet_year(header, rows, body, source, names)
    if missing:
        rows = _blank_markers(rows, missing)
    table = Table(header=header, rows=rows, row_names=RowNames(n for n, _ in body),
                  where=grid.location, letters=True)
    return table, notes


def _unit_header(grid):
    """The header of a year sheet: the first of the first rows naming a unit column."""
    unit_keys = alias_keys(UNIT_ALIASES)
    for position, (number, cells) in enumerate(grid.rows[:HEADER_SEARCH_ROWS]):
        if {label_key(c) for c in cells if not is_blank(c)} & unit_keys:
            notes = ([M("panel.titles_skipped", where=grid.location, row=number)]
                     if position else [])
            return position, notes
    first_number, first = grid.rows[0]
    raise_no_roles([parse_label(c) or "" for c in first], M("where.row", at=first_number),
                   grid.location, grid.warnings)


def _with_sheet_year(header, rows, body, source: Source, names):
    """Add the sheet's year to every row, or check the year column against it."""
    keys = [label_key(h) for h in header]
    year_pos = find_role(keys, YEAR_ALIASES)
    if year_pos is None:
        return header + ["year"], [tuple(cells) + (None,) * (len(header) - len(cells))
                                   + (source.year,) for cells in rows]
    if not source.whole:      # one sheet chosen by --sheet: its year column counts
        return header, rows
    cells = [cells[year_pos] if year_pos < len(cells) else None for _, cells in body]
    keys, frequencies, readable = parse_periods(cells)
    per_year = pd.Series(frequencies).map(PER_YEAR).fillna(1).to_numpy(np.int64)
    # unreadable cells are reported with their row when the table is assembled
    wrong = [M("error.where", where=M("where.row", at=body[r][0]), problem=repr(cells[r]))
             for r in np.flatnonzero(readable & (keys // per_year != source.year))]
    if wrong:
        title = M("panel.sheet_year_differs." + ("one" if len(wrong) == 1 else "many"),
                  n=len(wrong), year=source.year)
        raise DataError(listing(title, wrong), where=source.grid.location,
                        fix=M("panel.sheet_year_differs.fix"))
    return header, rows


def split_notes(body, year_pos: int | None = None):
    """(rows, note lines): the note rows at the bottom of a table taken off.

    A note row holds no number, and its first text begins with a note word (注, 说明,
    资料来源, Note, Source, * …), or one text fills several cells (a note merged across
    the row), or — in a table with a year column — it is one text with an empty year.
    Only rows below the last other row count; ``year_pos`` is the year column.
    """
    end = len(body)
    while end > 0 and _is_note(body[end - 1][1], year_pos):
        end -= 1
    notes = [M("error.where", where=M("where.row", at=number),
               problem=repr(_first_text(cells))) for number, cells in body[end:]]
    return body[:end], notes


def _is_note(cells, year_pos) -> bool:
    texts = []
    for cell in cells:
        if is_blank(cell):
            continue
        if not isinstance(cell, str):
            return False
        try:
            if parse_number(cell) is not None:
                return False
        except ValueError:
            pass
        texts.append(cell.strip())
    if not texts:
        return False
    first = unicodedata.normalize("NFKC", texts[0]).casefold()
    if first.startswith(NOTE_WORDS) or (len(texts) > 1 and len(set(texts)) == 1):
        return True
    no_year = year_pos is not None and (year_pos >= len(cells) or is_blank(cells[year_pos]))
    return len(texts) == 1 and no_year


def _first_text(cells) -> str:
    text = next((str(c).strip() for c in cells if not is_blank(c)), "")
    return text if len(text) <= 40 else text[:37] + "…"


def _blank_markers(rows, missing):
    """Cells holding one of the user's own missing markers become empty."""
    markers = {unicodedata.normalize("NFKC", str(m)).strip().casefold() for m in missing}
    markers -= MISSING_MARKERS

    def cell_of(cell):
        if isinstance(cell, str) and \
                unicodedata.normalize("NFKC", cell).strip().casefold() in markers:
            return None
        return cell
    return [tuple(cell_of(c) for c in cells) for cells in rows] if markers else rows


# ---------------------------------------------------------------- several tables

def _roles(table: Table, names: FrameworkNames) -> dict[int, tuple[str, str]]:
    """Position → (key shared across files, header shown) for every column of a table."""
    keys = [label_key(h) if h else "\0" for h in table.header]
    unit_pos, year_pos = find_role(keys, UNIT_ALIASES), find_role(keys, YEAR_ALIASES)
    taken = {unit_pos, year_pos}
    group_pos = find_role(keys, GROUP_ALIASES, taken)
    taken.add(group_pos)
    indicator_pos = find_role(keys, INDICATOR_ALIASES, taken)
    value_pos = find_role(keys, VALUE_ALIASES, taken | {indicator_pos})
    roles = {unit_pos: "unit", year_pos: "year", group_pos: "group"}
    if indicator_pos is not None and value_pos is not None:
        roles.update({indicator_pos: "indicator", value_pos: "value"})
    out = {}
    for position, header in enumerate(table.header):
        if not header:
            continue
        if position in roles:
            out[position] = ("role:" + roles[position], roles[position])
            continue
        target, _ = names.match(header)
        out[position] = (("col:" + target, target) if target is not None
                         else ("text:" + label_key(header), header))
    return out


def _stack(tables: list[Table], sources: list[Source], names: FrameworkNames) -> Table:
    """Tables of the same layout stacked; columns matched by meaning, not position."""
    order: dict[str, str] = {}
    per_table = []
    for table, source in zip(tables, sources):
        roles = _roles(table, names)
        seen: dict[str, int] = {}
        for position, (key, shown) in roles.items():
            if key in seen:
                raise DataError(M("panel.both_hold", first=table.column(seen[key]),
                                  second=table.column(position), what=repr(shown)),
                                where=table.where, fix=M("panel.both_hold.fix"))
            seen[key] = position
            order.setdefault(key, shown)
        per_table.append(seen)
    wanted = {k for k in order if k.startswith("col:")}
    lacking = [M("error.where", where=source.label, problem=joined(
                   names.describe(k[4:]) for k in sorted(wanted - set(seen))))
               for seen, source in zip(per_table, sources) if wanted - set(seen)]
    if lacking:
        title = M("panel.files_lack." + ("one" if len(lacking) == 1 else "many"),
                  n=len(lacking))
        raise DataError(listing(title, lacking), where=joined(s.label for s in sources),
                        fix=M("panel.files_lack.fix"))
    keys = list(order)
    header = [order[k] for k in keys]
    rows = []
    for table, source, seen in zip(tables, sources, per_table):
        picks = [seen.get(k) for k in keys]
        for cells in table.rows:
            rows.append(tuple(cells[p] if p is not None and p < len(cells) else None
                              for p in picks))
    row_names = RowNames.stacked((t.row_names, s.label) for t, s in zip(tables, sources))
    where = ", ".join(dict.fromkeys(Path(s.grid.source).name for s in sources))
    return Table(header=header, rows=rows, row_names=row_names, where=where, letters=False)


# ---------------------------------------------------------------- provenance

def _file_record(grid: RawGrid, sheets) -> dict:
    sheets = [s for s in sheets if s is not None]
    return {"path": grid.source, "sha256": grid.sha256, "encoding": grid.encoding,
            "sheet": ", ".join(sheets) if sheets else None}


def _meta(sources: list[Source], files: list[dict], warnings: list[str]) -> dict:
    """Panel fields: one file as before; several with a digest over their digests."""
    grid = sources[0].grid
    warnings = [*[w for s in sources for w in s.grid.warnings], *warnings]
    warnings = list(dict.fromkeys(warnings))
    if len(files) == 1:
        record = files[0]
        return dict(source=record["path"], sha256=record["sha256"], encoding=grid.encoding,
                    sheet=record["sheet"], warnings=tuple(warnings), files=())
    combined = hashlib.sha256("".join(f"{f['sha256']}  {f['path']}\n" for f in files)
                              .encode("utf-8")).hexdigest()
    encodings = {f["encoding"] for f in files}
    return dict(source=", ".join(f["path"] for f in files), sha256=combined,
                encoding=encodings.pop() if len(encodings) == 1 else None, sheet=None,
                warnings=tuple(warnings), files=tuple(files))
