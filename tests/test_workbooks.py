"""The XLSX workbooks as people open and print them (issue 13 "a terminal that helps",
issue 9 "byte-identical reruns"): ``rankings.xlsx`` of ``score`` and the report's
workbook, read back with openpyxl.

* every sheet: header row frozen, an autofilter over the table, printed landscape on A4,
  one page wide, the header row repeated on every page;
* number formats: scores 2 decimals, ranks and years whole, rank changes signed,
  coordination degrees 3 decimals; the cells keep every digit;
* group names and coordination classes in the run's language, dimensions in the
  framework's order;
* the same run twice gives the same bytes (document and zip times fixed).
"""
from __future__ import annotations

import hashlib
import time

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from evaluator.cli import main
from evaluator.i18n import Messages
from evaluator.model.framework import load_framework
from evaluator.resources import demo_panel_path

FW = "resource_city_transition"


@pytest.fixture(scope="module")
def panel_csv(tmp_path_factory):
    frame = pd.read_csv(demo_panel_path(), encoding="utf-8-sig")
    keep = sorted(frame["unit"].unique())[:10]
    path = tmp_path_factory.mktemp("wb") / "panel.csv"
    frame[frame["unit"].isin(keep) & (frame["year"] >= 2023)].to_csv(
        path, index=False, encoding="utf-8-sig")
    return path


def _run(*args):
    res = CliRunner().invoke(main, [str(a) for a in args])
    assert res.exit_code == 0, res.output
    return res


def _check_print_setup(ws, note_under=False):
    assert ws.freeze_panes in ("A2", "B2")
    assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:")
    last = ws.auto_filter.ref.split(":")[1]
    rows = int("".join(ch for ch in last if ch.isdigit()))   # the table, not a note under it
    assert rows == max(ws.max_row, 2) or (note_under and rows == ws.max_row - 2)
    assert ws.page_setup.orientation == "landscape"
    assert str(ws.page_setup.paperSize) == "9"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToHeight in (0, "0")
    assert ws.print_title_rows == "$1:$1"


def _column(ws, header):
    heads = [c.value for c in ws[1]]
    k = heads.index(header) + 1
    return [ws.cell(row=r, column=k) for r in range(2, ws.max_row + 1)]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_rankings_workbook_is_filtered_formatted_printable_and_named(tmp_path, panel_csv,
                                                                    lang):
    out = tmp_path / "out"
    _run("score", "-f", FW, "-d", panel_csv, "--out", out, "--lang", lang)
    ws = load_workbook(out / "rankings.xlsx")["rankings"]
    _check_print_setup(ws)
    fmt = {h: {c.number_format for c in _column(ws, h) if c.value is not None}
           for h in ("score", "rank", "rank_in_group", "rank_change", "year",
                     "structural", "structural_rank", "coordination_D")}
    assert fmt == {"score": {"0.00"}, "rank": {"0"}, "rank_in_group": {"0"},
                   "rank_change": {"+0;-0;0"}, "year": {"0"}, "structural": {"0.00"},
                   "structural_rank": {"0"}, "coordination_D": {"0.000"}}
    csv = pd.read_csv(out / "rankings.csv", encoding="utf-8-sig")
    scores = [c.value for c in _column(ws, "score")]
    assert scores == pytest.approx(csv["score"].tolist(), rel=1e-15)   # not rounded
    fw = load_framework(FW)
    names = {g.name.get(lang) for g in fw.groups.values()}
    assert {c.value for c in _column(ws, "group")} <= names
    classes = {c.value for c in _column(ws, "coordination_class")}
    han = any("\u4e00" <= ch <= "\u9fff" for v in classes for ch in str(v))
    assert han == (lang == "zh"), classes


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_report_workbook_sheets_are_filtered_formatted_and_printable(tmp_path, panel_csv,
                                                                     lang):
    out = tmp_path / "out"
    _run("report", "-f", FW, "-d", panel_csv, "--out", out, "--lang", lang)
    book = load_workbook(next(out.glob(f"report-*-{lang}.xlsx")))
    t = Messages(lang)
    assert book.sheetnames[0] == t("sheet.rankings")
    for ws in book.worksheets:
        _check_print_setup(ws, note_under=ws.title in (t("sheet.sensitivity"),
                                                         t("sheet.disparity")))
    ranks = book[t("sheet.rankings")]
    heads = [c.value for c in ranks[1]]
    rank_col, score_col = heads[0], next(h for h in heads if h.startswith(t("xl.score")))
    assert {c.number_format for c in _column(ranks, rank_col)} == {"0"}
    assert {c.number_format for c in _column(ranks, score_col)} == {"0.00"}
    fw = load_framework(FW)
    dims = book[t("sheet.dimension_scores")]
    shown = [h.split(" — ")[0].split(" / ")[0] for h in (c.value for c in dims[1])
             if h and " — " in h]
    first_level = [fw.label(n, lang) for n in fw.first_level]
    order = [n for n in dict.fromkeys(shown) if n in first_level]
    assert order == first_level


def test_identical_reruns_write_identical_bytes(tmp_path, panel_csv):
    out = tmp_path / "out"

    def digests():
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(out.iterdir())}
    runs = []
    for _ in range(2):
        _run("report", "-f", FW, "-d", panel_csv, "--out", out, "--lang", "zh")
        _run("report", "-f", FW, "-d", panel_csv, "--out", out, "--lang", "en")
        runs.append(digests())
        time.sleep(2.1)      # zip entries hold times to 2 s: a later run must not differ
    assert runs[0] == runs[1]
    assert {"rankings.xlsx", "manifest.json"} <= set(runs[0])
    assert sum(name.endswith(".xlsx") for name in runs[0]) == 3
