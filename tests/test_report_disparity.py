"""The disparity section is in all three reports — HTML, workbook and Markdown — with the
numbers of `evaluator disparity` (disparity.csv, root rows): the workbook at full
precision, the Markdown table with the HTML table's four decimals."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from evaluator.cli.main import main
from evaluator.disparity import COLUMNS

from test_disparity import _panel

FRAMEWORK = ("id: dsp\nindicators:\n  - {id: x1, parent: a}\n  - {id: x2, parent: a}\n"
             "  - {id: x3, parent: b}\nnodes:\n  - {id: a}\n  - {id: b}\n")
MEASURES = COLUMNS[2:]          # after year and node


def _inputs(tmp_path, groups=True):
    fw = tmp_path / "fw.yaml"
    fw.write_text(FRAMEWORK)
    data = tmp_path / "panel.csv"
    frame = _panel()
    (frame if groups else frame.drop(columns="group")).to_csv(data, index=False)
    return fw, data


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_workbook_and_markdown_carry_the_disparity_numbers(tmp_path, lang):
    fw, data = _inputs(tmp_path)
    runner = CliRunner()
    res = runner.invoke(main, ["report", "-f", str(fw), "-d", str(data), "--out",
                               str(tmp_path / "rep"), "--lang", lang])
    assert res.exit_code == 0, res.output
    res = runner.invoke(main, ["disparity", "-f", str(fw), "-d", str(data), "--out",
                               str(tmp_path / "dsp")])
    assert res.exit_code == 0, res.output
    table = pd.read_csv(tmp_path / "dsp" / "disparity.csv", encoding="utf-8-sig")
    root = table[table["node"] == "index"].reset_index(drop=True)

    wb = load_workbook(next((tmp_path / "rep").glob(f"report-*-{lang}.xlsx")))
    name = "disparity" if lang == "en" else "差异与收敛"
    assert name in wb.sheetnames and wb.sheetnames[-1] != name     # before the methods
    ws = wb[name]
    rows = list(ws.iter_rows(values_only=True))
    header = rows[0]
    assert len(header) == 1 + len(MEASURES)
    body = [r for r in rows[1:1 + len(root)]]
    assert [int(r[0]) for r in body] == root["year"].tolist()
    for j, measure in enumerate(MEASURES, start=1):
        np.testing.assert_allclose([r[j] for r in body], root[measure], rtol=1e-12)
    note = " ".join(str(v) for r in rows[1 + len(root):] for v in r if v is not None)
    assert "β" in note and "σ" in note

    md = next((tmp_path / "rep").glob(f"report-*-{lang}.md")).read_text(encoding="utf-8")
    html = next((tmp_path / "rep").glob(f"report-*-{lang}.html")).read_text(encoding="utf-8")
    section = html[html.index('<section id="disparity">'):]
    section = section[:section.index("</section>")]
    cells = re.findall(r'<td class="n">([^<]*)</td>', section)
    md_rows = [line for line in md.splitlines() if re.match(r"\| 20\d\d \|", line)]
    assert len(md_rows) == len(root)
    md_cells = [c.strip() for line in md_rows for c in line.strip("|").split("|")[1:]]
    assert md_cells == cells          # the same numbers as the HTML table, as shown there
    for k, year in enumerate(root["year"]):
        gini = float(md_rows[k].split("|")[2])
        assert gini == pytest.approx(root.loc[k, "gini"], abs=5e-5)
    title = "Disparity between groups and convergence" if lang == "en" else "组间差异与收敛"
    assert f"## {title}" in md


def test_without_groups_there_is_no_disparity_sheet_or_section(tmp_path):
    fw, data = _inputs(tmp_path, groups=False)
    res = CliRunner().invoke(main, ["report", "-f", str(fw), "-d", str(data), "--out",
                                    str(tmp_path / "rep")])
    assert res.exit_code == 0, res.output
    wb = load_workbook(next((tmp_path / "rep").glob("report-*-en.xlsx")))
    assert "disparity" not in wb.sheetnames
    md = next((tmp_path / "rep").glob("report-*-en.md")).read_text(encoding="utf-8")
    assert "Disparity between groups" not in md
