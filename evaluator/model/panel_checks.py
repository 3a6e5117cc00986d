"""Cells a panel must not hold, refused before anything is scored (issue 9).

* **Formula cells without a saved result.** openpyxl reads the value Excel saved with a
  formula; a workbook written by a script, or saved without recalculating, has none, and
  the cell would silently read as missing. Refused, naming the sheet and cells
  (``Data!C5, C6``) and how to get the results saved (open and save the workbook in
  Excel, WPS or LibreOffice). The sheets are scanned only when the file holds a formula.
* **Control characters** (NUL, vertical tab, ESC, DEL, C1 controls …) in the header or a
  text cell of a kept column: such a name would reach every table, workbook and report.
  Refused, naming each cell's row, column and the character's code; tab, line feed and
  carriage return (line breaks inside a cell) are allowed.
"""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from evaluator.errors import DataError
from evaluator.i18n import M
from evaluator.model.panel_io import MAX_LISTED, Problems, Table, column_letter


def check_formulas(content: bytes, file_path: Path, values, sheets) -> None:
    """Refuse formula cells without a cached result in ``sheets``: openpyxl reads the
    value Excel saved with the formula, and a file written by a script (or saved with
    "recalculate on open") has none — read as missing, the number would silently be lost.
    ``values`` is the workbook opened with ``data_only=True``."""
    if not _has_formulas(content):
        return
    import openpyxl
    formulas = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    lines, total = [], 0
    try:
        for name in sheets:
            value_rows = [list(r) for r in values[name].iter_rows(values_only=True)]
            cells = []
            for r, row in enumerate(formulas[name].iter_rows()):
                for c, cell in enumerate(row):
                    if getattr(cell, "data_type", None) != "f":
                        continue
                    cached = (value_rows[r][c] if r < len(value_rows)
                              and c < len(value_rows[r]) else None)
                    if cached is None:
                        cells.append(f"{column_letter(c)}{r + 1}")
            if cells:
                total += len(cells)
                shown = ", ".join(cells[:MAX_LISTED])
                more = f", … (+{len(cells) - MAX_LISTED})" if len(cells) > MAX_LISTED else ""
                lines.append(f"{name}!{shown}{more}")
    finally:
        formulas.close()
    if lines:
        raise DataError(M("panel.formulas_not_computed", n=total, cells="; ".join(lines)),
                        where=str(file_path), fix=M("panel.formulas_not_computed.fix"))


def _has_formulas(content: bytes) -> bool:
    """Whether any worksheet of the workbook holds a formula (``<f>`` element), read
    from the zip without parsing the sheets."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            for info in archive.infolist():
                if info.filename.startswith("xl/worksheets/") and \
                        info.filename.endswith(".xml"):
                    data = archive.read(info)
                    if b"<f>" in data or b"<f " in data or b":f>" in data or b":f " in data:
                        return True
    except (zipfile.BadZipFile, OSError, KeyError):
        return False
    return False


# C0 controls but tab, line feed and carriage return (which a cell may hold), DEL, the C1
# controls and the two non-characters XML cannot hold: never part of a name or a number
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


def check_control_characters(table: Table, positions) -> None:
    """Refuse text holding a control character (NUL, vertical tab, ESC …) in the header
    or a cell of the columns at ``positions``: such a name would be written into every
    table, workbook and report, and terminals or spreadsheets show it garbled. One error
    lists the cells (row, column and the character's code)."""
    problems = Problems(table)
    for position in positions:
        header = table.header[position]
        if isinstance(header, str) and CONTROL.search(header):
            problems.found.append((None, position, header, _control_reason(header)))
        cells = table.cells(position)
        texts = [c for c in cells if isinstance(c, str)]
        if not texts or not CONTROL.search("\n".join(texts)):
            continue
        for row, cell in enumerate(cells):
            if isinstance(cell, str) and CONTROL.search(cell):
                problems.add(row, position, cell, _control_reason(cell))
    problems.raise_if_any("panel.control_characters", M("panel.control_characters.fix"))


def _control_reason(text: str):
    code = ord(CONTROL.search(text).group(0))
    return M("panel.cell.control", code=f"U+{code:04X}")


