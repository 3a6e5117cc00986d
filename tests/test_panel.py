"""Panel loading (DESIGN.md §4 "Panel data"): encodings, XLSX sheets, layouts, headers by
name, missing markers, and one clear DataError per kind of bad input.

Independent checks: decoding is compared with pandas.read_csv given the true encoding
(Python's codecs), XLSX cells with what openpyxl wrote, the SHA-256 with hashlib.
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluator.errors import DataError
from evaluator.model.panel import Panel, load_panel


@dataclass(frozen=True)
class Name:
    zh: str
    en: str


@dataclass(frozen=True)
class Indicator:
    id: str
    name: Name
    denominator: str | None = None


@dataclass(frozen=True)
class Group:
    name: Name


@dataclass(frozen=True)
class Framework:
    indicators: tuple
    groups: dict = field(default_factory=dict)


FW = Framework(
    (Indicator("tertiary_share", Name("第三产业增加值占GDP比重", "Tertiary industry share of GDP")),
     Indicator("pm25", Name("PM2.5年均浓度", "PM2.5 annual mean")),
     Indicator("doctors", Name("每千人口执业医师数", "Doctors per 1000 people"), "population")),
    {"declining": Group(Name("衰退型", "Declining")), "mature": Group(Name("成熟型", "Mature"))})

IDS = ("tertiary_share", "pm25", "doctors")

WIDE_ZH = """城市,年份,城市类型,第三产业增加值占GDP比重,PM2.5年均浓度,每千人口执业医师数,population
太原市,2021,成熟型,55.1,38,3.2,530
太原市,2020,成熟型,54.3,,3.1,520
大同市,2020,衰退型,48.7,41.5,2.6,310
大同市,2021,衰退型,49.2,NA,2.7,311
"""

LONG_ZH = """城市,年份,城市类型,指标,数值
大同市,2020,衰退型,tertiary_share,48.7
大同市,2020,衰退型,pm25,41.5
大同市,2020,衰退型,doctors,2.6
大同市,2020,衰退型,population,310
大同市,2021,衰退型,第三产业增加值占GDP比重,49.2
大同市,2021,衰退型,PM2.5 annual mean,-
大同市,2021,衰退型,doctors,2.7
大同市,2021,衰退型,population,311
太原市,2020,成熟型,tertiary_share,54.3
太原市,2020,成熟型,pm25,
太原市,2020,成熟型,doctors,3.1
太原市,2020,成熟型,population,520
太原市,2021,成熟型,tertiary_share,55.1
太原市,2021,成熟型,pm25,38
太原市,2021,成熟型,doctors,3.2
太原市,2021,成熟型,population,530
"""


def expected_frame() -> pd.DataFrame:
    """WIDE_ZH as the contract says Panel.data must look: sorted by unit then year."""
    return pd.DataFrame({
        "unit": ["大同市", "大同市", "太原市", "太原市"],
        "year": np.array([2020, 2021, 2020, 2021], dtype=np.int64),
        "group": ["declining", "declining", "mature", "mature"],
        "tertiary_share": [48.7, 49.2, 54.3, 55.1],
        "pm25": [41.5, np.nan, np.nan, 38.0],
        "doctors": [2.6, 2.7, 3.1, 3.2],
        "population": [310.0, 311.0, 520.0, 530.0],
    })


def write_bytes(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def error_text(excinfo) -> str:
    return str(excinfo.value)


# ---------------------------------------------------------------- encodings

@pytest.mark.parametrize("encoding, detected", [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030"),
    ("gb18030", "gb18030")])
def test_every_encoding_reads_back_equal(tmp_path, encoding, detected):
    path = write_bytes(tmp_path, "panel.csv", WIDE_ZH, encoding)
    panel = load_panel(path, FW)
    assert panel.encoding == detected
    pd.testing.assert_frame_equal(panel.data, expected_frame(), check_dtype=False)
    # independent decoding: pandas with the true encoding sees the same units and headers
    reference = pd.read_csv(path, encoding=encoding)
    assert list(reference.columns)[:2] == ["城市", "年份"]
    assert sorted(reference["城市"].unique()) == list(panel.units)


def test_gb18030_only_characters_are_read(tmp_path):
    # U+3400 (CJK extension A) is in GB18030 but not in GBK
    text = WIDE_ZH.replace("太原市", "㐀原市")
    path = write_bytes(tmp_path, "panel.csv", text, "gb18030")
    with pytest.raises(UnicodeEncodeError):
        text.encode("gbk")
    assert "㐀原市" in load_panel(path, FW).units


def test_forced_wrong_encoding_says_which_byte_and_suggests_the_right_one(tmp_path):
    path = write_bytes(tmp_path, "panel.csv", WIDE_ZH, "gbk")
    with pytest.raises(DataError) as excinfo:
        load_panel(path, FW, encoding="utf-8")
    message = error_text(excinfo)
    assert "not valid utf-8" in message
    assert "byte 0" in message and "line 1" in message   # the first header is Chinese
    assert "--encoding gb18030" in message
    assert str(path) in message


def test_forced_right_encoding_is_recorded(tmp_path):
    path = write_bytes(tmp_path, "panel.csv", WIDE_ZH, "gbk")
    panel = load_panel(path, FW, encoding="GBK")
    assert panel.encoding == "gbk"
    pd.testing.assert_frame_equal(panel.data, expected_frame(), check_dtype=False)


def test_utf8_file_forced_as_gbk(tmp_path):
    path = write_bytes(tmp_path, "panel.csv", WIDE_ZH, "utf-8")
    with pytest.raises(DataError) as excinfo:
        load_panel(path, FW, encoding="gbk")
    assert "not valid gbk" in error_text(excinfo)
    assert "--encoding utf-8" in error_text(excinfo)


def test_forced_encoding_that_garbles_headers_points_at_the_encoding(tmp_path):
    # two-character names: their UTF-8 bytes happen to form valid GB18030 pairs
    text = "城市,年份,tertiary_share,pm25,doctors\n太原,2020,1,2,3\n大同,2020,4,5,6\n"
    path = write_bytes(tmp_path, "panel.csv", text, "utf-8")
    with pytest.raises(DataError) as excinfo:
        load_panel(path, FW, encoding="gb18030")
    assert "no unit or year column" in error_text(excinfo)
    assert "also decodes as utf-8" in error_text(excinfo)
    ascii_headers = text.replace("城市,年份", "unit,year")
    panel = load_panel(write_bytes(tmp_path, "p2.csv", ascii_headers, "utf-8"), FW,
                       encoding="gb18030")
    assert "太原" not in panel.units   # garbled, as asked for, but warned about
    assert any("also decodes as utf-8" in w for w in panel.warnings)


def test_unknown_encoding_name(tmp_path):
    path = write_bytes(tmp_path, "panel.csv", WIDE_ZH)
    with pytest.raises(DataError, match="unknown encoding 'klingon'"):
        load_panel(path, FW, encoding="klingon")


def test_tab_separated_utf16_export(tmp_path):
    path = write_bytes(tmp_path, "panel.txt", WIDE_ZH.replace(",", "\t"), "utf-16")
    panel = load_panel(path, FW)
    assert panel.encoding == "utf-16"
    pd.testing.assert_frame_equal(panel.data, expected_frame(), check_dtype=False)


# ---------------------------------------------------------------- XLSX

def write_xlsx(path: Path, sheets: dict[str, list[list]], merge: dict | None = None) -> Path:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
        for cell_range in (merge or {}).get(title, ()):
            sheet.merge_cells(cell_range)
    workbook.save(path)
    return path


XLSX_ROWS = [
    ["城市", "年份", "城市类型", "tertiary_share", "pm25", "doctors", "population"],
    ["太原市", 2021, "成熟型", 55.1, 38, 3.2, 530],
    ["太原市", 2020, "mature", 54.3, None, 3.1, 520],
    ["大同市", 2020.0, "衰退型", "48.7", 41.5, 2.6, 310],
    ["大同市", "2021年", "declining", 49.2, "NA", 2.7, 311],
]


def test_xlsx_with_and_without_sheet(tmp_path):
    path = write_xlsx(tmp_path / "panel.xlsx", {"数据": XLSX_ROWS, "说明": [["来源", "统计年鉴"]]})
    named = load_panel(path, FW, sheet="数据")
    by_position = load_panel(path, FW, sheet=0)
    first = load_panel(path, FW)
    for panel in (named, by_position, first):
        pd.testing.assert_frame_equal(panel.data, expected_frame(), check_dtype=False)
        assert panel.sheet == "数据" and panel.encoding is None
    assert named.warnings == ()
    assert any("first sheet '数据' of 2" in w for w in first.warnings)


def test_xlsx_year_named_sheet_given_as_int(tmp_path):
    """The CLI turns digits into an int; a year-named sheet must still be found."""
    path = write_xlsx(tmp_path / "panel.xlsx", {"2019": [["unit", "year"]], "2020": XLSX_ROWS})
    panel = load_panel(path, FW, sheet=2020)
    assert panel.sheet == "2020"


def test_xlsx_missing_sheet_lists_the_sheets(tmp_path):
    path = write_xlsx(tmp_path / "panel.xlsx", {"数据": XLSX_ROWS, "说明": [["x"]]})
    with pytest.raises(DataError) as excinfo:
        load_panel(path, FW, sheet="2020年")
    message = error_text(excinfo)
    assert "no sheet '2020年'" in message and "'数据'" in message and "'说明'" in message
    with pytest.raises(DataError, match="no sheet 5"):
        load_panel(path, FW, sheet=5)


def test_xlsx_merged_unit_cells_and_title_row(tmp_path):
    rows = [["表1 资源型城市转型指标（2020—2021年）"], *(list(r) for r in XLSX_ROWS)]
    # the unit merged over its two year rows, as yearbooks print it
    rows[2][0], rows[3][0] = "太原市", None
    path = write_xlsx(tmp_path / "panel.xlsx", {"数据": rows}, merge={"数据": ["A3:A4"]})
    panel = load_panel(path, FW)
    pd.testing.assert_frame_equal(panel.data, expected_frame(), check_dtype=False)
    assert any("read as the header" in w for w in panel.warnings)


def test_xlsx_text_in_numeric_cell_names_sheet_row_and_column(tmp_path):
    rows = [list(r) for r in XLSX_ROWS]
    rows[3][4] = "约40"
    path = write_xlsx(tmp_path / "panel.xlsx", {"数据": rows})
    with pytest.raises(DataError) as excinfo:
        load_panel(path, FW)
    message = error_text(excinfo)
    assert "sheet '数据'" in message and "row 4, column E 'pm25'" in message
    assert "'约40'" in message


def test_legacy_xls_is_refused_with_a_fix(tmp_path):
    path = tmp_path / "panel.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    with pytest.raises(DataError, match="save it as .xlsx"):
        load_panel(path, FW)


# ---------------------------------------------------------------- layouts and headers

def test_wide_and_long_layouts_give_equal_panels(tmp_path):
    wide = load_panel(write_bytes(tmp_path, "wide.csv", WIDE_ZH, "gbk"), FW)
    long = load_panel(write_bytes(tmp_path, "long.csv", LONG_ZH), FW)
    assert (wide.layout, long.layout) == ("wide", "long")
    pd.testing.assert_frame_equal(wide.data, long.data)
    assert wide.indicator_ids == long.indicator_ids == IDS


def test_long_layout_forced_and_english_headers(tmp_path):
    text = LONG_ZH.replace("城市,年份,城市类型,指标,数值", "Unit,YEAR,type,Indicator,Value")
    panel = load_panel(write_bytes(tmp_path, "long.csv", text), FW, layout="long")
    pd.testing.assert_frame_equal(panel.data, expected_frame(), check_dtype=False)
    with pytest.raises(DataError, match="long layout needs an indicator column"):
        load_panel(write_bytes(tmp_path, "wide.csv", WIDE_ZH), FW, layout="long")


def test_headers_by_english_name_ignoring_case_space_and_width(tmp_path):
    header = (" UNIT ,Year,group,tertiary  industry share of gdp,ＰＭ２．５ annual mean,"
              "每千人口执业医师数（人）,population")
    text = header + "\n" + WIDE_ZH.split("\n", 1)[1]
    panel = load_panel(write_bytes(tmp_path, "panel.csv", text), FW)
    pd.testing.assert_frame_equal(panel.data, expected_frame(), check_dtype=False)
    assert any("'每千人口执业医师数（人）' read as doctors" in w for w in panel.warnings)


def test_column_order_extras_kept_and_sorted(tmp_path):
    text = "备注," + WIDE_ZH.replace("\n", "\n说明,").rstrip("说明,")
    panel = load_panel(write_bytes(tmp_path, "panel.csv", text), FW)
    assert list(panel.data.columns) == ["unit", "year", "group", *IDS, "population", "备注"]
    assert panel.extra_columns == ("population", "备注")
    assert panel.units == ("大同市", "太原市") and panel.years == (2020, 2021)
    np.testing.assert_array_equal(panel.values(["doctors"]).ravel(), [2.6, 2.7, 3.1, 3.2])
    with pytest.raises(DataError, match="no column 'gdp'"):
        panel.values(["gdp"])


@pytest.mark.parametrize("marker", ["", "NA", "N/A", "n/a", "NaN", "null", "-", "--", "—",
                                    "…", "...", "#N/A", "无", " na ", "——"])
def test_each_missing_marker(tmp_path, marker):
    text = WIDE_ZH.replace("大同市,2020,衰退型,48.7,41.5", f"大同市,2020,衰退型,48.7,{marker}")
    panel = load_panel(write_bytes(tmp_path, "panel.csv", text), FW)
    assert np.isnan(panel.data.loc[0, "pm25"])
    assert panel.data["pm25"].isna().sum() == 3


def test_thousands_separators_and_spaces(tmp_path):
    text = WIDE_ZH.replace("310\n", '"1,234,567.5"\n').replace(",520\n", ",  520 \n")
    panel = load_panel(write_bytes(tmp_path, "panel.csv", text), FW)
    assert panel.data.loc[0, "population"] == 1234567.5
    assert panel.data.loc[2, "population"] == 520.0


def test_year_with_suffix_accepted(tmp_path):
    text = WIDE_ZH.replace("太原市,2021,", "太原市,2021年,").replace("大同市,2020,", "大同市,２０２０,")
    pd.testing.assert_frame_equal(load_panel(write_bytes(tmp_path, "p.csv", text), FW).data,
                                  expected_frame(), check_dtype=False)


def test_group_names_map_to_ids_and_unknown_group_is_an_error(tmp_path):
    text = WIDE_ZH.replace("太原市,2020,成熟型", "太原市,2020,")  # filled from the unit
    panel = load_panel(write_bytes(tmp_path, "p.csv", text), FW)
    assert list(panel.data["group"]) == ["declining", "declining", "mature", "mature"]
    bad = WIDE_ZH.replace("太原市,2020,成熟型", "太原市,2020,再生型")
    with pytest.raises(DataError) as excinfo:
        load_panel(write_bytes(tmp_path, "q.csv", bad), FW)
    assert "row 3, column C '城市类型': '再生型'" in error_text(excinfo)
    assert "declining (衰退型)" in error_text(excinfo)


def test_from_frame_matches_file_and_names_index_in_errors(tmp_path):
    frame = pd.read_csv(write_bytes(tmp_path, "p.csv", WIDE_ZH), dtype=str,
                        keep_default_na=False)
    from_file = load_panel(tmp_path / "p.csv", FW)
    from_df = Panel.from_frame(frame, FW)
    pd.testing.assert_frame_equal(from_df.data, from_file.data)
    assert from_df.sha256 is None and from_df.source is None
    numeric = expected_frame()
    pd.testing.assert_frame_equal(Panel.from_frame(numeric, FW).data, expected_frame())
    numeric["pm25"] = numeric["pm25"].astype(object)
    numeric.loc[2, "pm25"] = "n.a"
    with pytest.raises(DataError, match=r"index 2, column 'pm25': 'n.a'"):
        Panel.from_frame(numeric, FW, source="my frame")


def test_panel_equality_and_hash():
    one = Panel.from_frame(expected_frame(), FW)
    assert one == Panel.from_frame(expected_frame(), FW)
    changed = expected_frame()
    changed.loc[0, "pm25"] = 1.0
    assert one != Panel.from_frame(changed, FW)
    with pytest.raises(TypeError):
        hash(one)


# ---------------------------------------------------------------- bad inputs

def test_text_in_numeric_column_names_row_column_value_and_fix(tmp_path):
    text = WIDE_ZH.replace("大同市,2021,衰退型,49.2", "大同市,2021,衰退型,49.2%")
    path = write_bytes(tmp_path, "panel.csv", text, "gbk")
    with pytest.raises(DataError) as excinfo:
        load_panel(path, FW)
    message = error_text(excinfo)
    assert str(path) in message
    assert "row 5, column D '第三产业增加值占GDP比重': '49.2%'" in message
    assert "text where a number is expected" in message
    assert "fix:" in message and "write plain numbers" in message


def test_many_bad_cells_are_listed_once(tmp_path):
    rows = ["unit,year,tertiary_share,pm25,doctors,population"]
    rows += [f"c{i},2020,x{i},1,1,1" for i in range(15)]
    with pytest.raises(DataError) as excinfo:
        load_panel(write_bytes(tmp_path, "p.csv", "\n".join(rows)), FW)
    message = error_text(excinfo)
    assert message.startswith(f"{tmp_path / 'p.csv'}: 15 cells are not numbers")
    assert "row 2, column C" in message and "… and 5 more" in message


def test_duplicate_unit_year_names_the_rows(tmp_path):
    text = WIDE_ZH + "太原市,2020,成熟型,1,2,3,4\n"
    with pytest.raises(DataError) as excinfo:
        load_panel(write_bytes(tmp_path, "p.csv", text), FW)
    message = error_text(excinfo)
    assert "unit '太原市', year 2020: row 3, row 6" in message
    assert "unit-year combination appears more than once" in message


def test_duplicate_unit_year_indicator_in_long_layout(tmp_path):
    text = LONG_ZH + "太原市,2021,成熟型,PM2.5年均浓度,40\n"
    with pytest.raises(DataError) as excinfo:
        load_panel(write_bytes(tmp_path, "p.csv", text), FW)
    assert "unit '太原市', year 2021, indicator 'pm25': row 15, row 18" in error_text(excinfo)


def test_unknown_indicator_in_long_layout_suggests_near_matches(tmp_path):
    text = LONG_ZH.replace("大同市,2021,衰退型,第三产业增加值占GDP比重",
                           "大同市,2021,衰退型,第三产业增加值占GDP比例")
    with pytest.raises(DataError) as excinfo:
        load_panel(write_bytes(tmp_path, "p.csv", text), FW)
    message = error_text(excinfo)
    assert "1 name in column D '指标' not in the framework" in message
    assert "'第三产业增加值占GDP比例' (row 6)" in message
    assert "did you mean tertiary_share (Tertiary industry share of GDP)" in message
    assert "column D '指标'" in message
    zh = excinfo.value.render("zh")    # the same message in Chinese, names in Chinese
    assert "D 列 '指标' 中有 1 个名称不在指标体系中" in zh
    assert "'第三产业增加值占GDP比例'（第 6 行）——是否指 tertiary_share (第三产业增加值占GDP比重)" in zh


def test_missing_indicator_column_with_near_match(tmp_path):
    text = WIDE_ZH.replace("第三产业增加值占GDP比重", "第三产业增加值占GDP比率")
    with pytest.raises(DataError) as excinfo:
        load_panel(write_bytes(tmp_path, "p.csv", text), FW)
    message = error_text(excinfo)
    assert "1 indicator of the framework has no column" in message
    assert "tertiary_share (Tertiary industry share of GDP)" in message
    assert "column D '第三产业增加值占GDP比率' looks like tertiary_share" in message
    assert "tertiary_share (第三产业增加值占GDP比重)" in excinfo.value.render("zh")


def test_missing_indicator_without_near_match_keeps_unknown_columns_listed(tmp_path):
    text = WIDE_ZH.replace("PM2.5年均浓度", "空气")
    with pytest.raises(DataError) as excinfo:
        load_panel(write_bytes(tmp_path, "p.csv", text), FW)
    assert "pm25 (PM2.5 annual mean)" in error_text(excinfo)
    assert "pm25 (PM2.5年均浓度)" in excinfo.value.render("zh")
    assert "columns that matched nothing: '空气'" in error_text(excinfo)


def test_missing_denominator_column_is_a_warning(tmp_path):
    text = "\n".join(line.rsplit(",", 1)[0] for line in WIDE_ZH.splitlines())
    panel = load_panel(write_bytes(tmp_path, "p.csv", text), FW)
    assert any("denominator 'population'" in w for w in panel.warnings)
    assert "population" not in panel.data.columns


@pytest.mark.parametrize("content, expected", [
    (b"", "the file is empty"),
    (b"   \r\n\r\n", "the file is empty"),
    ("城市,年份,tertiary_share,pm25,doctors\n".encode(), "header (row 1) but no data rows"),
    ("name,date,tertiary_share\nA,2020,1\n".encode(), "no unit or year column"),
    ("城市,2019,2020,2021\n太原,1,2,3\n".encode(), "the headers look like years"),
])
def test_empty_and_headerless_files(tmp_path, content, expected):
    path = tmp_path / "p.csv"
    path.write_bytes(content)
    with pytest.raises(DataError, match=re.escape(expected)):
        load_panel(path, FW)


def test_unreadable_paths(tmp_path, monkeypatch):
    with pytest.raises(DataError, match="does not exist"):
        load_panel(tmp_path / "nope.csv", FW)
    with pytest.raises(DataError, match="folder, not a data file"):
        load_panel(tmp_path, FW)
    locked = write_bytes(tmp_path, "locked.csv", WIDE_ZH)
    locked.chmod(0)
    try:
        if os.access(locked, os.R_OK):   # root reads anything: simulate the refusal
            def refuse(self):
                raise PermissionError(13, "Permission denied", str(self))
            monkeypatch.setattr(Path, "read_bytes", refuse)
        with pytest.raises(DataError, match="permission denied"):
            load_panel(locked, FW)
    finally:
        monkeypatch.undo()
        locked.chmod(0o644)


@pytest.mark.parametrize("year, reason", [
    ("2020.5", "the year is not a four-digit whole number, nor a half-year, quarter or month"),
    ("二〇二〇", "the year is not a four-digit whole number, nor a half-year, quarter or month"),
    ("2020-2021", "the year is not a four-digit whole number, nor a half-year, quarter or month"),
    ("", "the year is empty")])
def test_non_integer_year_names_the_row(tmp_path, year, reason):
    text = WIDE_ZH.replace("大同市,2021,", f"大同市,{year},")
    with pytest.raises(DataError) as excinfo:
        load_panel(write_bytes(tmp_path, "p.csv", text), FW)
    message = error_text(excinfo)
    assert f"row 5, column B '年份': {year!r} ({reason})" in message
    assert "four-digit year such as 2020" in message


def test_empty_unit_names_the_row(tmp_path):
    text = WIDE_ZH.replace("大同市,2021,", ",2021,")
    with pytest.raises(DataError, match=r"row 5, column A '城市': '' \(the unit is empty\)"):
        load_panel(write_bytes(tmp_path, "p.csv", text), FW)


def test_two_columns_for_one_indicator(tmp_path):
    text = WIDE_ZH.replace("population\n", "population,pm25\n").replace("\n大", ",1\n大") \
        .replace("\n太", ",1\n太")
    with pytest.raises(DataError, match="both hold pm25"):
        load_panel(write_bytes(tmp_path, "p.csv", text), FW)


def test_unknown_layout_is_an_error(tmp_path):
    with pytest.raises(DataError, match="unknown layout 'tall'"):
        load_panel(write_bytes(tmp_path, "p.csv", WIDE_ZH), FW, layout="tall")


# ---------------------------------------------------------------- the input stays untouched

@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_input_file_unchanged_and_hash_recorded(tmp_path, kind):
    if kind == "csv":
        path = write_bytes(tmp_path, "p.csv", WIDE_ZH, "gbk")
    else:
        path = write_xlsx(tmp_path / "p.xlsx", {"数据": XLSX_ROWS})
    old = os.stat(path).st_mtime_ns - 10_000_000_000
    os.utime(path, ns=(old, old))
    before = path.read_bytes()
    panel = load_panel(path, FW)
    assert path.read_bytes() == before
    assert os.stat(path).st_mtime_ns == old
    assert panel.sha256 == hashlib.sha256(before).hexdigest()
    assert panel.source == str(path)


# ---------------------------------------------------------------- properties

units = st.lists(st.sampled_from(["太原市", "大同市", "鄂尔多斯市", "亳州市", "Urumqi", "NA"]),
                 min_size=1, max_size=4, unique=True)
cell = st.one_of(st.none(), st.floats(-1e9, 1e9, allow_nan=False, width=64))


@settings(max_examples=30, deadline=None)
@given(units=units, years=st.lists(st.integers(1990, 2035), min_size=1, max_size=3,
                                   unique=True),
       data=st.data(), encoding=st.sampled_from(["utf-8", "utf-8-sig", "gbk"]))
def test_any_panel_round_trips_through_wide_and_long_csv(units, years, data, encoding):
    rows = [(u, y, *data.draw(st.tuples(cell, cell, cell))) for u in units for y in years]
    wide = "unit,year," + ",".join(IDS) + "\n" + "".join(
        f"{u},{y}," + ",".join("" if v is None else repr(v) for v in vals) + "\n"
        for u, y, *vals in rows)
    long = "unit,year,indicator,value\n" + "".join(
        f"{u},{y},{i},{'NA' if v is None else repr(v)}\n"
        for u, y, *vals in rows for i, v in zip(IDS, vals))
    with tempfile.TemporaryDirectory() as folder:
        wide_panel = load_panel(write_bytes(Path(folder), "w.csv", wide, encoding), FW)
        long_panel = load_panel(write_bytes(Path(folder), "l.csv", long, encoding), FW)
    pd.testing.assert_frame_equal(wide_panel.data, long_panel.data)
    expected = {(u, y): vals for u, y, *vals in rows}
    for record in wide_panel.data.itertuples(index=False):
        want = [np.nan if v is None else v for v in expected[(record.unit, record.year)]]
        np.testing.assert_array_equal([record.tertiary_share, record.pm25, record.doctors],
                                      want)   # exact: repr round-trips every float
    assert list(wide_panel.data["unit"]) == sorted(wide_panel.data["unit"])


@settings(max_examples=60, deadline=None)
@given(value=st.floats(0, 1e12, allow_nan=False).map(lambda v: round(v, 2)))
def test_thousands_separated_numbers_parse_exactly(value):
    frame = pd.DataFrame({"unit": ["a"], "year": ["2020"], "tertiary_share": [f"{value:,.2f}"],
                          "pm25": [""], "doctors": [f" {value:.2f} "]})
    panel = Panel.from_frame(frame, FW)
    assert panel.data.loc[0, "tertiary_share"] == float(f"{value:.2f}")
    assert panel.data.loc[0, "doctors"] == float(f"{value:.2f}")
