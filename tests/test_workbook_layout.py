"""The workbooks as people print and filter them (issue 13): report.xlsx and rankings.xlsx
with an autofilter on the header row, frozen panes, landscape A4 one page wide with the
header repeated, number formats, the framework's order of the dimensions, and group names
instead of ids (rankings.csv keeps the ids)."""
from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import load_workbook

from evaluator import evaluate
from evaluator.i18n import set_lang
from evaluator.model.framework import load_framework
from evaluator.model.panel import load_panel
from evaluator.report import write_report
from evaluator.resources import demo_panel_path


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    from evaluator.evaluate import default_recipe
    fw = load_framework("resource_city_transition")
    result = evaluate(fw, load_panel(demo_panel_path(), fw), default_recipe(fw))
    folder = tmp_path_factory.mktemp("workbooks")
    set_lang("zh")
    try:
        write_report(result, folder, lang="en", tables=True)
    finally:
        set_lang(None)
    return folder, result


def _layout(ws, rows: int, cols: int):
    from openpyxl.utils import get_column_letter
    assert ws.auto_filter.ref == f"A1:{get_column_letter(cols)}{max(rows + 1, 2)}"
    assert ws.freeze_panes in ("A2", "B2")
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == "$1:$1"


def test_every_report_sheet_filters_freezes_and_prints_one_page_wide(out):
    folder, _ = out
    wb = load_workbook(next(folder.glob("report-*-en.xlsx")))
    for ws in wb.worksheets:
        header = [c.value for c in ws[1]]
        n = len([h for h in header if h is not None])
        body = ws.max_row - 1
        # a note written under the table is not part of the filtered range
        rows = next((r - 2 for r in range(2, ws.max_row + 2)
                     if all(c.value is None for c in ws[r])), body) if body else 0
        _layout(ws, rows, n)


def test_dimensions_come_in_the_frameworks_order_with_number_formats(out):
    folder, result = out
    ws = load_workbook(next(folder.glob("report-*-en.xlsx")))["dimension scores"]
    header = [c.value for c in ws[1]]
    fw = result.framework
    names = [h.split(" — ")[0] for h in header[2::3]]
    want = ["composite index / 综合指数"] + [f"{fw.label(n, 'en')} / {fw.label(n, 'zh')}"
                                           for n in fw.first_level]
    assert names == want
    assert ws.cell(2, 3).number_format == "0.00"


def test_rankings_workbook_has_group_names_formats_and_layout(out):
    folder, result = out
    wb = load_workbook(folder / "rankings.xlsx")
    ws = wb["rankings"]
    csv = pd.read_csv(folder / "rankings.csv", encoding="utf-8-sig")
    _layout(ws, len(csv), len(csv.columns))
    header = [c.value for c in ws[1]]
    assert header == list(csv.columns)
    group = header.index("group") + 1
    names = {g.name.get("zh") for g in result.framework.groups.values()}   # the run's language
    shown = {ws.cell(r, group).value for r in range(2, ws.max_row + 1)}
    assert shown <= names and len(shown) == len(names)
    assert set(csv["group"]) == set(result.framework.groups)              # the CSV keeps ids
    # the last row: the latest year, where every unit has a rank change
    last = ws.max_row
    fmt = {h: ws.cell(last, k + 1).number_format for k, h in enumerate(header)}
    assert ws.cell(last, header.index("rank_change") + 1).value is not None
    assert fmt["score"] == "0.00" and fmt["rank"] == "0" and fmt["rank_change"] == "+0;-0;0"
    for node in result.framework.first_level:
        assert fmt[node] == "0.00" and fmt[f"{node}_rank"] == "0"
    assert fmt["coordination_D"] == "0.000"
    # full precision is kept: the formats only round what is shown
    assert ws.cell(2, header.index("score") + 1).value == pytest.approx(csv["score"].iloc[0],
                                                                        rel=0, abs=0)
