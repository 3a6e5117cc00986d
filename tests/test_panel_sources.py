"""The files institutes have (issue 13 §4): a sheet per year, several --data files, more
missing markers, notes under the table, aliases per indicator, a hint for full-width
punctuation in YAML."""
from __future__ import annotations

import json

import numpy as np
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

import evaluator
from evaluator.cli import main
from evaluator.errors import DataError, FrameworkError
from evaluator.model.framework import load_framework
from evaluator.model.panel import load_panel
from evaluator.model.panel_sources import sheet_year, split_notes
from evaluator.resources import demo_panel_path

YEARS = (2022, 2023, 2024)
SHEETS = ("2022", "2023年", "2024")


@pytest.fixture(scope="module")
def fw():
    return load_framework("resource_city_transition")


@pytest.fixture(scope="module")
def demo_years():
    frame = pd.read_csv(demo_panel_path(), encoding="utf-8")
    return frame[frame["year"].isin(YEARS)].reset_index(drop=True)


def write_year_workbook(path, frame, sheets=SHEETS, extra=None):
    """One sheet per year, no year column, a title row above the header and a note under
    the table, as statistical yearbooks have them."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for year, name in zip(YEARS, sheets):
        sheet = book.create_sheet(name)
        part = frame[frame["year"] == year].drop(columns="year")
        sheet.append([f"{year}年资源型城市指标"])
        sheet.append(list(part.columns))
        for row in part.itertuples(index=False):
            sheet.append([None if (isinstance(v, float) and np.isnan(v)) else
                          (v.item() if hasattr(v, "item") else v) for v in row])
        sheet.append(["注：数据为示例，非真实城市。"])
    if extra:
        book.create_sheet(extra).append(["说明", "本表为示例"])
    book.save(path)
    return path


def test_sheet_year_names():
    assert [sheet_year(n) for n in ("2022", "2023年", "2024 年度", "２０２１", "Sheet1",
                                    "2022-2023", "说明")] == [2022, 2023, 2024, 2021, None,
                                                            None, None]


def test_a_workbook_with_a_sheet_per_year_scores_like_one_csv(tmp_path, fw, demo_years):
    csv = tmp_path / "panel.csv"
    demo_years.to_csv(csv, index=False)
    book = write_year_workbook(tmp_path / "panel.xlsx", demo_years, extra="说明")
    one = load_panel(csv, fw)
    sheets = load_panel(book, fw)
    assert sheets.years == YEARS and len(sheets.data) == len(one.data)
    scored = ["unit", "year", "group", *one.indicator_ids, "population"]
    pd.testing.assert_frame_equal(sheets.data[scored], one.data[scored], check_dtype=False)
    notes = "\n".join(sheets.warnings)
    assert "skipped the other sheets ('说明')" in notes
    assert "skipped as titles" in notes and "skipped as a note" in notes
    assert "注：数据为示例" in notes
    a, b = evaluator.evaluate(fw, one), evaluator.evaluate(fw, sheets)
    cols = ["unit", "year", "score", "rank"]
    pd.testing.assert_frame_equal(a.rankings[cols], b.rankings[cols])
    # the CLI reads it whole as well, and the manifest names the sheets
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["score", "-f", "resource_city_transition", "-d",
                                    str(book), "--out", str(out)])
    assert res.exit_code == 0, res.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["inputs"]["data"]["sheet"] == "2022, 2023年, 2024"
    assert pd.read_csv(out / "rankings.csv")["score"].tolist() == \
        a.rankings["score"].tolist()


def test_one_sheet_named_by_a_year_gives_the_year(tmp_path, fw, demo_years):
    book = write_year_workbook(tmp_path / "p.xlsx", demo_years)
    panel = load_panel(book, fw, sheet="2023年")
    assert panel.years == (2023,) and panel.sheet == "2023年"


def test_a_year_column_must_agree_with_its_sheet(tmp_path, fw, demo_years):
    book = openpyxl.Workbook()
    book.remove(book.active)
    for year, name in ((2022, "2022"), (2023, "2023")):
        sheet = book.create_sheet(name)
        part = demo_years[demo_years["year"] == 2022].head(5)
        sheet.append(list(part.columns))
        for row in part.itertuples(index=False):
            sheet.append([None if (isinstance(v, float) and np.isnan(v)) else
                          (v.item() if hasattr(v, "item") else v) for v in row])
    book.save(tmp_path / "p.xlsx")
    with pytest.raises(DataError, match="a year other than the sheet's 2023") as err:
        load_panel(tmp_path / "p.xlsx", fw)
    assert "sheet '2023'" in str(err.value) and "row 2" in str(err.value)


def test_two_sheets_of_one_year_are_refused(tmp_path, fw, demo_years):
    book = write_year_workbook(tmp_path / "p.xlsx", demo_years, sheets=("2022", "2022年",
                                                                      "2024"))
    with pytest.raises(DataError, match="two sheets are named by the year 2022"):
        load_panel(book, fw)


def test_several_files_are_combined(tmp_path, fw, demo_years):
    early = demo_years[demo_years["year"] < 2024]
    late = demo_years[demo_years["year"] == 2024]
    late = late[list(reversed(late.columns))]        # same layout, other column order
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    early.to_csv(a, index=False)
    late.to_csv(b, index=False, encoding="gb18030")
    whole = tmp_path / "whole.csv"
    demo_years.to_csv(whole, index=False)
    panel = load_panel([a, b], fw)
    one = load_panel(whole, fw)
    pd.testing.assert_frame_equal(panel.data[one.data.columns], one.data, check_dtype=False)
    assert [f["path"] for f in panel.files] == [str(a), str(b)]
    assert panel.files[1]["encoding"] == "gb18030"
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["score", "-f", "resource_city_transition", "-d", str(a),
                                    "-d", str(b), "--out", str(out)])
    assert res.exit_code == 0, res.output
    data = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["inputs"]["data"]
    assert [f["sha256"] for f in data["files"]] == [f["sha256"] for f in panel.files]
    assert sorted(pd.read_csv(out / "rankings.csv")["year"].unique()) == list(YEARS)


def test_a_unit_year_in_two_files_is_refused_by_name_file_and_row(tmp_path, fw, demo_years):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    demo_years[demo_years["year"] < 2024].to_csv(a, index=False)
    demo_years[demo_years["year"] >= 2023].to_csv(b, index=False)
    with pytest.raises(DataError) as err:
        load_panel([a, b], fw)
    text = str(err.value)
    assert "appear more than once" in text
    first = demo_years[demo_years["year"] == 2023].iloc[0]["unit"]
    assert f"unit {first!r}, year 2023: a.csv, row " in text and ", b.csv, row 2" in text
    res = CliRunner().invoke(main, ["score", "-f", "resource_city_transition", "-d", str(a),
                                    "-d", str(b)])
    assert res.exit_code == 2 and "Traceback" not in res.output
    with pytest.raises(DataError, match="given twice"):
        load_panel([a, a], fw)


def test_a_file_lacking_a_column_the_others_have_is_named(tmp_path, fw, demo_years):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    demo_years[demo_years["year"] < 2024].to_csv(a, index=False)
    demo_years[demo_years["year"] == 2024].drop(columns="pm25").to_csv(b, index=False)
    with pytest.raises(DataError, match=r"b.csv: pm25") as err:
        load_panel([a, b], fw)
    assert "aliases:" in str(err.value)


def test_missing_markers_builtin_and_configured(tmp_path):
    path = tmp_path / "fw.yaml"
    path.write_text("id: t\nindicators: [{id: a}, {id: b}]\n", encoding="utf-8")
    fw = load_framework(path)
    csv = tmp_path / "p.csv"
    csv.write_text("unit,year,a,b\nA,2024,/,1\nB,2024,—,2\nC,2024,-,3\nD,2024,…,x\n"
                   "E,2024,5,暂缺\nF,2024,7,4\n", encoding="utf-8")
    with pytest.raises(DataError, match="2 cells are not numbers"):
        load_panel(csv, fw)
    panel = load_panel(csv, fw, missing=["x", "暂缺"])
    assert panel.data["a"].isna().tolist() == [True, True, True, True, False, False]
    assert panel.data["b"].tolist()[:3] == [1, 2, 3] and panel.data["b"].isna().sum() == 2
    res = CliRunner().invoke(main, ["score", "-f", str(path), "-d", str(csv),
                                    "--missing", "x", "--missing", "暂缺", "--format", "csv"])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(main, ["score", "-f", str(path), "-d", str(csv),
                                    "--missing", "x,暂缺", "--format", "csv"])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(main, ["score", "-f", str(path), "-d", str(csv)])
    assert res.exit_code == 2 and "not numbers" in res.output


def test_note_rows_under_the_table_are_skipped_and_stated(tmp_path):
    path = tmp_path / "fw.yaml"
    path.write_text("id: t\nindicators: [{id: a}, {id: b}]\n", encoding="utf-8")
    fw = load_framework(path)
    csv = tmp_path / "p.csv"
    csv.write_text("全市指标\nunit,year,a,b\nA,2024,1,2\nB,2024,3,4\n"
                   "注：2024年为快报数,,,\n资料来源：统计年鉴,,,\n", encoding="utf-8")
    panel = load_panel(csv, fw)
    assert panel.units == ("A", "B")
    note = next(w for w in panel.warnings if "skipped as notes" in w)
    assert "row 5: '注：2024年为快报数'" in note and "row 6" in note
    # a row in the middle of the table is still an error, as is a row with numbers
    csv.write_text("unit,year,a,b\nA,2024,1,2\n注：快报数,,,\nB,2024,3,4\n", encoding="utf-8")
    with pytest.raises(DataError, match="row 3"):
        load_panel(csv, fw)
    csv.write_text("unit,year,a,b\nA,2024,1,2\n合计,,4,6\n", encoding="utf-8")
    with pytest.raises(DataError, match="row 3"):
        load_panel(csv, fw)


def test_split_notes_rules():
    body = [(2, ("A", "2024", "1")), (3, ("merged note", "merged note", "merged note")),
            (4, ("Source: yearbook", None, None))]
    rows, notes = split_notes(body, year_pos=1)
    assert rows == body[:1] and len(notes) == 2
    # in a sheet without a year column, a unit with no data is not a note
    rows, notes = split_notes([(2, ("A", "1")), (3, ("B", None))], year_pos=None)
    assert len(rows) == 2 and notes == []


def test_aliases_match_columns_that_differ_from_year_to_year(tmp_path, demo_years):
    path = tmp_path / "fw.yaml"
    path.write_text("id: t\nindicators:\n"
                    "  - {id: gdp, name: {zh: 地区生产总值, en: GDP}, aliases: [GDP（亿元）, 生产总值]}\n"
                    "  - {id: pop, aliases: 人口}\n", encoding="utf-8")
    fw = load_framework(path)
    assert fw.indicators[0].aliases == ("GDP（亿元）", "生产总值")
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("城市,年份,GDP(亿元),人口\nA,2023,1,2\nB,2023,3,4\n", encoding="utf-8")
    b.write_text("城市,年份,生产总值,pop\nA,2024,5,6\nB,2024,7,8\n", encoding="utf-8")
    panel = load_panel([a, b], fw)
    assert panel.data["gdp"].tolist() == [1, 5, 3, 7]
    assert panel.data["pop"].tolist() == [2, 6, 4, 8]


def test_an_alias_of_two_indicators_is_refused(tmp_path):
    path = tmp_path / "fw.yaml"
    path.write_text("id: t\nindicators:\n  - {id: a, aliases: [x]}\n  - {id: b, aliases: [X]}\n"
                    "  - {id: c, aliases: [a]}\n", encoding="utf-8")
    with pytest.raises(FrameworkError) as err:
        load_framework(path)
    assert "indicators[1].aliases" in str(err.value) and "indicators[2].aliases" in str(err.value)


@pytest.mark.parametrize("text, line, char", [
    ("id: t\nname：资源型城市\nindicators:\n  - id: a\n", 2, "'：'"),       # error on line 3
    ("id: t\nindicators:\n  - id：a\n    name: x\n", 3, "'：'"),
    ("id: t\nindicators:\n  - {id: a，name: x}\n", 3, "'，'"),
])
def test_fullwidth_punctuation_in_yaml_gets_a_hint(tmp_path, text, line, char):
    path = tmp_path / "fw.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FrameworkError) as err:
        load_framework(path)
    message = str(err.value)
    assert "YAML syntax error" in message
    assert f"line {line} has a full-width {char}" in message and "half-width" in message
    res = CliRunner().invoke(main, ["frameworks", "show", str(path)])
    assert res.exit_code == 2 and f"line {line} has a full-width" in res.output


def test_fullwidth_space_in_a_key_gets_a_hint(tmp_path):
    path = tmp_path / "fw.yaml"
    path.write_text("id: t\nindicators:\n\u3000- id: a\n", encoding="utf-8")
    with pytest.raises(FrameworkError, match=r"full-width .\\u3000. \(U\+3000\)"):
        load_framework(path)


def test_no_hint_for_fullwidth_text_far_from_the_error(tmp_path):
    path = tmp_path / "fw.yaml"
    path.write_text("id: t\nname: 资源型城市，示例\nindicators:\n  - id: a\n  - id: b\n"
                    "  - {id: c\n", encoding="utf-8")
    with pytest.raises(FrameworkError) as err:
        load_framework(path)
    assert "full-width" not in str(err.value)
