"""Unit names per language from a names file (``--names FILE``; issue 13: "unit display
names per language (unit_en/unit_zh columns or a names file)")."""
from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from click.testing import CliRunner

from evaluator.cli import main
from evaluator.errors import DataError
from evaluator.model.framework import load_framework
from evaluator.model.panel import load_panel
from evaluator.resources import demo_panel_path

FW = "resource_city_transition"


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A panel with codes only (no unit_en) and a names file for all but one unit, with
    one unit the panel lacks."""
    folder = tmp_path_factory.mktemp("names")
    frame = pd.read_csv(demo_panel_path(), encoding="utf-8-sig")
    units = sorted(frame["unit"].unique())[:8]
    frame = frame[frame["unit"].isin(units) & (frame["year"] >= 2024)].drop(columns="unit_en")
    frame.to_csv(folder / "panel.csv", index=False, encoding="utf-8-sig")
    names = pd.DataFrame({"代码": [*units[:7], "示例市999"],
                          "英文名称": [f"Town {u[-3:]}" for u in units[:7]] + ["Nowhere"],
                          "中文名称": [f"{u}镇" for u in units[:7]] + ["无此地"]})
    names.to_csv(folder / "names.csv", index=False, encoding="utf-8-sig")
    return folder, units


def _ranking_text(html: str) -> str:
    return re.sub(r"<[^>]*>", " ", html.split('id="ranking"')[1].split("</table>")[0])


@pytest.mark.parametrize("lang, shown", [("en", "Town {n}"), ("zh", "{u}镇")])
def test_the_report_names_units_from_the_names_file(files, tmp_path, lang, shown):
    folder, units = files
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["report", "-f", FW, "-d", folder / "panel.csv",
                                    "--names", folder / "names.csv", "--out", out,
                                    "--lang", lang])
    assert res.exit_code == 0, res.output
    ranking = _ranking_text(next(out.glob(f"report-*-{lang}.html")).read_text("utf-8"))
    for u in units[:7]:
        assert shown.format(n=u[-3:], u=u) in ranking
    assert units[7] in ranking                         # no name: shown by its id
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert manifest["inputs"]["names"]["path"].endswith("names.csv")
    assert len(manifest["inputs"]["names"]["sha256"]) == 64
    assert any("示例市999" in w for w in manifest["warnings"])
    ids = pd.read_csv(out / "rankings.csv", encoding="utf-8-sig")["unit"]
    assert set(ids) == set(units)                      # the tables keep the ids


def test_names_file_warnings_name_units_missing_on_either_side(files):
    folder, units = files
    panel = load_panel(folder / "panel.csv", load_framework(FW), names=folder / "names.csv")
    text = " ".join(map(str, panel.warnings))
    assert "1 unit(s) not in the panel: '示例市999'" in text
    assert f"1 unit(s) of the panel without a name (shown by their id): '{units[7]}'" in text
    row = panel.data[panel.data["unit"] == units[0]].iloc[0]
    assert (row["unit_en"], row["unit_zh"]) == (f"Town {units[0][-3:]}", f"{units[0]}镇")


def test_a_names_file_without_a_name_column_or_naming_a_unit_twice_is_refused(files, tmp_path):
    folder, units = files
    bad = tmp_path / "bad.csv"
    pd.DataFrame({"unit": units, "population": range(8)}).to_csv(bad, index=False)
    res = CliRunner().invoke(main, ["validate", "-f", FW, "-d", folder / "panel.csv",
                                    "--names", bad])
    assert res.exit_code == 2 and "the names file has no name column" in res.output
    assert "unit_en (name_en, 英文名称)" in res.output and "Traceback" not in res.output
    twice = tmp_path / "twice.csv"
    pd.DataFrame({"unit": [units[0], units[0]], "unit_en": ["A", "B"]}).to_csv(twice, index=False)
    with pytest.raises(DataError, match=r"1 unit\(s\) named twice.*\n  '示例市001': row 2, row 3"):
        load_panel(folder / "panel.csv", load_framework(FW), names=twice)
