"""Panel files that used to be read wrongly or crash the run later (issue 9), replayed
from the command line: every case exits 2 with what, where and the fix, no traceback,
and writes nothing.

* an XLSX formula cell without a cached result (a workbook written by a script, or saved
  without recalculating) used to be read as missing: now an error naming the sheet and
  cells (``Sheet1!C5, D7``) and how to get the values saved;
* a control character (NUL, vertical tab, ESC …) in a unit name or another text cell
  passed ``validate`` and reached every output (an XLSX writer crashed on it after the
  CSVs were written): now refused by ``validate`` and every command, naming the row,
  column and character.
"""
from __future__ import annotations

import hashlib

import pandas as pd
import pytest
import xlsxwriter
from click.testing import CliRunner
from openpyxl import Workbook

from evaluator.cli import main
from evaluator.errors import DataError
from evaluator.model.framework import load_framework
from evaluator.model.panel import Panel
from evaluator.resources import demo_panel_path

FW = "resource_city_transition"


@pytest.fixture(scope="module")
def panel():
    frame = pd.read_csv(demo_panel_path(), encoding="utf-8-sig")
    keep = sorted(frame["unit"].unique())[:8]
    return frame[frame["unit"].isin(keep) & frame["year"].isin([2024, 2025])].reset_index(
        drop=True)


def _run(*args):
    res = CliRunner().invoke(main, [str(a) for a in args])
    assert "Traceback" not in res.output
    return res


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _rows(frame):
    """Rows as lists of plain values, None for missing (as a spreadsheet leaves a cell)."""
    return [[None if isinstance(v, float) and v != v else v for v in row]
            for row in frame.itertuples(index=False)]


# -- formula cells -----------------------------------------------------------------------------
def _formula_workbook(path, panel, cached: bool):
    """The panel in one sheet 'Data' whose tertiary_share is a formula (=value*1) in the
    rows of the first two units: with the result cached (as Excel saves it) or without
    (as a script writes it)."""
    columns = list(panel.columns)
    target = columns.index("tertiary_share")
    if cached:
        book = xlsxwriter.Workbook(str(path))
        ws = book.add_worksheet("Data")
        ws.write_row(0, 0, columns)
        for r, row in enumerate(_rows(panel), start=1):
            for c, value in enumerate(row):
                if c == target and r <= 4:
                    ws.write_formula(r, c, f"={value}*1", None, value)
                elif value is not None:
                    ws.write(r, c, value)
        book.close()
        return None
    book = Workbook()
    ws = book.active
    ws.title = "Data"
    ws.append(columns)
    letter = chr(ord("A") + target)
    for r, values in enumerate(_rows(panel), start=2):
        if r <= 5:
            values[target] = f"={values[target]}*1"
        ws.append(values)
    book.save(path)
    return [f"{letter}{r}" for r in range(2, 6)]


def test_formula_cells_without_results_are_refused_naming_the_cells(tmp_path, panel):
    path = tmp_path / "panel.xlsx"
    cells = _formula_workbook(path, panel, cached=False)
    before = _sha(path)
    for command in (["validate"], ["score", "--out", tmp_path / "out"]):
        res = _run(*command, "-f", FW, "-d", path)
        assert res.exit_code == 2, res.output
        assert "4 formula cell(s) have no computed value" in res.output
        assert f"Data!{', '.join(cells)}" in res.output
        assert "save it again" in res.output
    assert not (tmp_path / "out").exists()
    assert _sha(path) == before
    zh = _run("validate", "-f", FW, "-d", path, "--lang", "zh")
    assert zh.exit_code == 2 and "公式单元格" in zh.output and "重新保存" in zh.output


def test_formula_cells_with_cached_results_read_as_their_values(tmp_path, panel):
    path = tmp_path / "panel.xlsx"
    _formula_workbook(path, panel, cached=True)
    plain = tmp_path / "panel.csv"
    panel.to_csv(plain, index=False, encoding="utf-8-sig")
    outs = []
    for source in (path, plain):
        out = tmp_path / source.suffix[1:]
        res = _run("score", "-f", FW, "-d", source, "--out", out)
        assert res.exit_code == 0, res.output
        outs.append(pd.read_csv(out / "rankings.csv", encoding="utf-8-sig"))
    pd.testing.assert_frame_equal(outs[0], outs[1])


def test_formula_cells_in_year_sheets_are_refused_too(tmp_path, panel):
    path = tmp_path / "years.xlsx"
    book = Workbook()
    book.remove(book.active)
    for year in (2024, 2025):
        ws = book.create_sheet(f"{year}年")
        part = panel[panel["year"] == year].drop(columns="year")
        ws.append(list(part.columns))
        for k, values in enumerate(_rows(part)):
            if year == 2025 and k == 0:
                values[5] = "=1+1"
            ws.append(values)
    book.save(path)
    res = _run("validate", "-f", FW, "-d", path)
    assert res.exit_code == 2, res.output
    assert "2025年!F2" in res.output and "2024年!" not in res.output


# -- control characters ------------------------------------------------------------------------
@pytest.mark.parametrize("char", ["\x00", "\x0b", "\x1b"])
def test_a_control_character_in_a_unit_name_is_refused_by_validate_and_score(
        tmp_path, panel, char):
    bad = panel.copy()
    unit = bad["unit"].iloc[0]
    bad.loc[bad["unit"] == unit, "unit"] = unit + char + "x"
    path = tmp_path / "panel.csv"
    bad.to_csv(path, index=False, encoding="utf-8-sig")
    before = _sha(path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("a file of the user")
    code = f"U+{ord(char):04X}"
    for command in (["validate"], ["score", "--out", out], ["report", "--out", out]):
        res = _run(*command, "-f", FW, "-d", path)
        assert res.exit_code == 2, (command, res.output)
        assert "2 cells hold control characters" in res.output
        assert f"row 2, column A 'unit'" in res.output and code in res.output
        assert "fix: delete the invisible character" in res.output
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]
    assert _sha(path) == before
    zh = _run("validate", "-f", FW, "-d", path, "--lang", "zh")
    assert zh.exit_code == 2 and "第 2 行，A 列 'unit'" in zh.output and "控制字符" in zh.output


def test_control_characters_in_other_text_columns_and_headers_are_named(tmp_path, panel):
    bad = panel.copy()
    bad.loc[3, "unit_en"] = "Demo\x07City"
    bad = bad.rename(columns={"population": "popu\x1blation"})
    path = tmp_path / "panel.csv"
    bad.to_csv(path, index=False, encoding="utf-8-sig")
    res = _run("validate", "-f", FW, "-d", path)
    assert res.exit_code == 2, res.output
    assert "row 5, column B 'unit_en': 'Demo\\x07City' (control character U+0007)" in res.output
    assert "the header, column E 'popu\\x1blation'" in res.output


def test_line_breaks_and_tabs_in_names_are_not_control_characters(tmp_path, panel):
    fine = panel.copy()
    fine.loc[fine["unit"] == fine["unit"].iloc[0], "unit_en"] = "Demo City\nNorth\tDistrict"
    path = tmp_path / "panel.csv"
    fine.to_csv(path, index=False, encoding="utf-8-sig")
    assert _run("validate", "-f", FW, "-d", path).exit_code == 0


def test_a_dataframe_with_a_control_character_is_refused_from_python(panel):
    bad = panel.copy()
    bad.loc[0, "unit"] = "a\x00b"
    with pytest.raises(DataError, match=r"index 0, column 'unit': 'a\\x00b'"):
        Panel.from_frame(bad, load_framework(FW))
