"""The monitoring bulletin (`evaluator report --period`, issue 14): lights, cards and
changes of one period, from the command line, rendered in headless Chromium."""
from __future__ import annotations

import html as htmllib
import re

import pytest
from click.testing import CliRunner

from evaluator.cli.main import main
from evaluator.evaluate import evaluate
from evaluator.model.framework import Framework
from evaluator.model.panel import Panel
from evaluator.report.bulletin import build_bulletin, render_bulletin
from test_report_browser import chromium, console_lines, run_chromium  # noqa: F401

FRAMEWORK_YAML = """\
id: monitor
name: {zh: 季度监测, en: Monitoring}
nodes:
  - {id: econ, name: {zh: 经济, en: Economy}}
  - {id: env, name: {zh: 环境, en: Environment}}
indicators:
  - {id: x, name: {zh: 增速, en: Growth}, parent: econ, direction: benefit, frequency: quarter,
     targets: {2025: 100}}
  - {id: y, name: {zh: 空气, en: Air}, parent: env, direction: benefit, frequency: quarter}
  - {id: rd, name: {zh: 研发, en: R&D}, parent: econ, direction: benefit}
"""
QUARTERS = ["2024Q3", "2024Q4", "2025Q1", "2025Q2"]
# x per quarter (y = x): K falls from first to last in 2025Q2; L moves up; M turns red on x
VALUES = {"K": [90, 92, 94, 10], "L": [20, 22, 24, 95], "M": [50, 52, 54, 53],
          "N": [60, 61, 62, 63], "P": [30, 31, 32, 33]}


def panel_csv(tmp_path, labels=QUARTERS):
    lines = ["unit,period,x,y"]
    for unit, xs in VALUES.items():
        lines += [f"{unit},{q},{x},{x}" for q, x in zip(labels, xs)]
    path = tmp_path / "q.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    fw = tmp_path / "fw.yaml"
    fw.write_text(FRAMEWORK_YAML, encoding="utf-8")
    return fw, path


def test_bulletin_content(tmp_path):
    fw_path, data = panel_csv(tmp_path)
    from evaluator.model.framework import load_framework
    from evaluator.model.panel import load_panel
    fw = load_framework(fw_path)
    a = evaluate(fw, load_panel(data, fw), {"diagnose": {"base_year": 2024}})
    ctx = build_bulletin(a, "2025年第二季度", "en")
    assert ctx["period"] == "2025Q2" and ctx["previous"] == "2025Q1"
    assert ctx["same_period"] is None              # no 2024Q2 in the panel
    ranks = {r["unit"]: (r["rank"], r["change"]) for r in ctx["rows"]}
    assert ranks["L"] == ("1", "+4") and ranks["K"] == ("5", "−4")
    assert [r["unit"] for r in ctx["movers"]["down"]][0] == "K"
    # K's x fell from 94 to 10: red now, not red before
    assert {"unit": "K", "indicators": ["Growth"]} in ctx["turned_red"]
    target = ctx["targets"][0]
    # paths start at 2024Q4 (the end of the base year) and reach 100 at 2025Q4
    assert target["indicator"] == "Growth" and target["target_year"] == 2025
    assert target["path"] == "50.0%"
    first = build_bulletin(a, "2024Q3", "zh")
    assert first["previous_missing"] == "面板首期，无上期可比。"


def test_a_missing_previous_period_is_said(tmp_path):
    fw = Framework.from_dict({"id": "m", "name": "M", "indicators": [
        {"id": "x", "direction": "benefit", "frequency": "half"}]})
    import pandas as pd
    df = pd.DataFrame({"unit": ["A", "B"] * 3, "period": ["2024H1"] * 2 + ["2025H1"] * 2 +
                       ["2025H2"] * 2, "x": [1.0, 2.0, 3.0, 1.0, 2.0, 3.0]})
    a = evaluate(fw, Panel.from_frame(df, fw))
    ctx = build_bulletin(a, "2025年上半年", "en")
    assert ctx["previous"] is None and ctx["same_period"] == "2024H1"
    assert "no 2024H2" in ctx["previous_missing"]
    page = render_bulletin(ctx)
    assert "since 2024H2" not in page and "since 2024H1" in page


def test_cli_bulletin_and_refusals(tmp_path):
    fw, data = panel_csv(tmp_path)
    out = tmp_path / "out"
    runner = CliRunner()
    done = runner.invoke(main, ["report", "-f", str(fw), "-d", str(data), "--period", "2025Q2",
                                "--lang", "zh", "--out", str(out)])
    assert done.exit_code == 0, done.output
    page = (out / "bulletin.html").read_text("utf-8")
    assert "季度监测2025年第二季度监测通报" in page and "较2025年第一季度" in page
    assert (out / "rankings.csv").read_text("utf-8-sig").startswith("unit,year,period,")
    for args, words in ((["--period", "2025H1"], "is of another frequency (half-year / 半年度) "
                                                  "than the panel's periods (quarters / 季度)"),
                        (["--period", "2026Q1"], "2026Q1 is not in the panel"),
                        (["--period", "2025Q5"], "not a period"),
                        ([], "the yearly report needs a yearly panel"),
                        (["--period", "2025Q2", "--year", "2025"], "neither --year")):
        bad = runner.invoke(main, ["report", "-f", str(fw), "-d", str(data), "--out",
                                   str(tmp_path / "bad"), *args])
        assert bad.exit_code == 2, bad.output
        assert words in bad.output and "Traceback" not in bad.output


@pytest.mark.browser
def test_bulletin_in_chromium(tmp_path, chromium):  # noqa: F811
    fw, data = panel_csv(tmp_path)
    for lang, period in (("en", "2025Q2"), ("zh", "2025年第二季度")):
        out = tmp_path / f"out_{lang}"
        done = CliRunner().invoke(main, ["report", "-f", str(fw), "-d", str(data), "--period",
                                         period, "--lang", lang, "--out", str(out)])
        assert done.exit_code == 0, done.output
        stdout, stderr = run_chromium(chromium, (out / "bulletin.html").as_uri(),
                                      tmp_path / f"chrome_{lang}", "--dump-dom")
        assert not [line for line in console_lines(stderr) if "error" in line.lower()]
        dom = htmllib.unescape(stdout)
        title = "Monitoring — monitoring bulletin 2025Q2" if lang == "en" else \
            "季度监测2025年第二季度监测通报"
        assert title in dom
        # the period's lights and changes: L first, up 4 places since 2025Q1; K down 4
        rows = re.findall(r'<tr class="[^"]*" data-unit="(\w)">(.*?)</tr>', dom, re.S)
        assert [u for u, _ in rows] == ["L", "N", "M", "P", "K"]
        cells = dict((u, re.findall(r"<td[^>]*>(.*?)</td>", body, re.S)) for u, body in rows)
        assert cells["L"][3] == "+4" and cells["K"][3] == "−4"
        assert "2025Q1" in dom or "2025年第一季度" in dom


def test_the_yearly_report_of_a_quarterly_panel_asks_for_a_period(tmp_path):
    fw, data = panel_csv(tmp_path)
    done = CliRunner().invoke(main, ["score", "-f", str(fw), "-d", str(data), "--report", "en",
                                     "--out", str(tmp_path / "o")])
    assert done.exit_code == 2 and "--period" in done.output
    assert "Traceback" not in done.output and not (tmp_path / "o").exists()
