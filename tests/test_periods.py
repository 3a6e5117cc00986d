"""Sub-annual panels (issue 14): period labels in both languages, one frequency per panel,
the monitoring sub-index, rules counted in quarters, trajectories at calendar fractions.
Constructed panels; every expected value worked out by hand."""
from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluator.errors import DataError, EvaluatorError
from evaluator.evaluate import evaluate
from evaluator.model.framework import Framework
from evaluator.model.panel import Panel, load_panel
from evaluator.model.period import (Period, parse_periods, period_labels, period_position,
                                    year_end_key)
from evaluator.quality import quality_report

# -- labels ----------------------------------------------------------------------------------
SAME = [("2025Q2", "2025年第二季度", "2025-Q2", "2025年第2季度", "2025 q2", "２０２５Ｑ２",
         "2025年二季度", "2025年Q2"),
        ("2025H1", "2025年上半年", "2025-H1", "2025h1", "2025年H1"),
        ("2025H2", "2025年下半年"),
        ("2024-05", "2024年5月", "2024/05", "2024-5", "2024年05月", dt.date(2024, 5, 1),
         pd.Timestamp("2024-05-31")),
        ("2024", 2024, 2024.0, "2024年", "2024年度", np.int64(2024))]


@pytest.mark.parametrize("forms", SAME)
def test_labels_in_both_languages_parse_alike(forms):
    keys, freqs, ok = parse_periods(list(forms))
    assert ok.all() and len(set(keys)) == 1 and len(set(freqs)) == 1
    p = Period(int(keys[0]), str(freqs[0]))
    assert Period.parse(p.label("en")) == p == Period.parse(p.label("zh"))


def test_canonical_labels():
    assert Period.parse("2025年第二季度").label() == "2025Q2"
    assert Period.parse("2025Q2").label("zh") == "2025年第二季度"
    assert Period.parse("2025H1").label("zh") == "2025年上半年"
    assert Period.parse("2024-05").label("zh") == "2024年5月"
    assert Period.parse("2024").label("zh") == "2024年"


@pytest.mark.parametrize("bad", ["2024Q5", "2024H3", "2024-13", "二〇二四", "2024.5", 2024.5,
                                 True, None, "", "Q2 2024", "2024.05"])
def test_unreadable_labels(bad):
    assert not parse_periods([bad])[2][0]


def test_calendar_arithmetic():
    q = Period.parse("2025Q1")
    assert q.previous() == Period.parse("2024Q4")
    assert q.same_period_last_year() == Period.parse("2024Q1")
    assert Period.parse("2025-01").previous().label() == "2024-12"
    assert Period.parse("2025H1").previous().label() == "2024H2"
    assert (q.year, q.index, q.fraction) == (2025, 1, 0.25)
    # the period's end on the calendar: 2024Q4 closes 2024, 2025Q2 is mid-2025
    assert Period.parse("2024Q4").position == 2024.0 == Period.parse("2024").position
    assert Period.parse("2025Q2").position == 2024.5
    assert Period.parse("2025H1").position == 2024.5
    assert Period.parse("2025-06").position == pytest.approx(2024.5)
    assert int(year_end_key(2025, "quarter")) == Period.parse("2025Q4").key
    assert Period.parse("2024Q4") < Period.parse("2025Q1")
    with pytest.raises(ValueError, match="cannot compare"):
        _ = Period.parse("2025Q1") < Period.parse("2025H1")


@settings(max_examples=60, deadline=None)
@given(st.integers(1900, 2100), st.sampled_from([("half", 2), ("quarter", 4), ("month", 12)]))
def test_keys_are_consecutive_and_positions_linear(year, freq):
    name, p = freq
    keys = np.arange(year * p, (year + 2) * p)
    labels = period_labels(keys, name)
    back, freqs, ok = parse_periods(list(labels))
    assert ok.all() and (back == keys).all() and set(freqs) == {name}
    zh_back = parse_periods(list(period_labels(keys, name, "zh")))[0]
    assert (zh_back == keys).all()
    pos = period_position(keys, name)
    assert np.allclose(np.diff(pos), 1 / p) and pos[p - 1] == year


# -- a quarterly framework and panel -----------------------------------------------------------
FRAMEWORK = {
    "id": "monitor", "name": {"zh": "季度监测", "en": "Monitoring"},
    "nodes": [{"id": "econ", "name": "Economy"}, {"id": "env", "name": "Environment"},
              {"id": "social", "name": "Social"}],
    "indicators": [
        {"id": "x", "parent": "econ", "direction": "benefit", "frequency": "quarter",
         "targets": {2025: 100}},
        {"id": "y", "parent": "env", "direction": "benefit", "frequency": "quarter"},
        {"id": "rd", "parent": "econ", "direction": "benefit"},                # annual
        {"id": "school", "parent": "social", "direction": "benefit"},          # annual
    ]}
QUARTERS = ["2024Q1", "2024Q2", "2024Q3", "2024Q4", "2025Q1", "2025Q2"]


def quarterly(rows, **recipe):
    fw = Framework.from_dict(FRAMEWORK)
    df = pd.DataFrame(rows, columns=["unit", "period", "x", "y"])
    spec = {"normalise": {"method": "min_max", "range": [0, 100]}, **recipe}
    return fw, evaluate(fw, Panel.from_frame(df, fw), spec)


def steady_rows(drop=()):
    """Ten units; x and y equal, so the composite ranks them by x. U0 is last every
    quarter (two cards in a row and more); U1 is second last but lacks 2024Q3."""
    rows = []
    for k, q in enumerate(QUARTERS):
        for u in range(10):
            if (f"U{u}", q) in drop:
                continue
            v = 10.0 * u + k
            rows.append((f"U{u}", q, v, v))
    return rows


def test_quarterly_output_columns_and_rank_changes():
    _, a = quarterly(steady_rows())
    r = a.rankings
    assert list(r.columns[:4]) == ["unit", "year", "period", "group"]
    assert set(r["period"]) == set(QUARTERS)
    assert set(r.loc[r.period == "2025Q2", "year"]) == {2025}
    assert "rank_change_yoy" in r.columns
    # stable ranks: no change against the previous quarter or the same quarter last year
    assert (r.loc[r.period != "2024Q1", "rank_change"] == 0).all()
    assert r.loc[r.period.isin(["2025Q1", "2025Q2"]), "rank_change_yoy"].eq(0).all()
    assert r.loc[r.year == 2024, "rank_change_yoy"].isna().all()
    assert list(a.diagnostics()["alerts"].columns[:3]) == ["unit", "year", "period"]


def test_two_consecutive_quarterly_cards_lead_to_talks_a_missing_quarter_does_not():
    _, a = quarterly(steady_rows(drop={("U1", "2024Q3")}),
                     alerts={"yellow_card": {"bottom_share": 0.2, "years": 2},
                             "bottom_k_consecutive": False, "rank_drop": False})
    al = a.diagnostics()["alerts"]
    talks = al[al.rule == "yellow_card_talks"]
    # U0: bottom 20 % (2 of 10; of 9 in 2024Q3 floor(1.8) = 1) every quarter → talks
    # from 2024Q2 on; U1 is carded in 2024Q1, Q2, Q4, 2025Q1, Q2 but lacks 2024Q3, so
    # its runs are Q1-Q2 and 2024Q4-2025Q2, never across the gap
    u0 = talks[talks.unit == "U0"]
    assert list(u0.period) == QUARTERS[1:]
    assert u0.iloc[0]["years"] == "2024Q1-2024Q2"
    u1 = talks[talks.unit == "U1"]
    assert list(u1.period) == ["2024Q2", "2025Q1", "2025Q2"]
    assert list(u1.years) == ["2024Q1-2024Q2", "2024Q4-2025Q1", "2024Q4-2025Q2"]
    msg = u1.iloc[1]
    assert "连续2个季度被亮黄牌" in msg.message_zh and "2024年第四季度至2025年第一季度" in msg.message_zh
    assert "2 consecutive quarters" in msg.message_en and "years" not in msg.message_en
    card = al[(al.rule == "yellow_card") & (al.unit == "U0")].iloc[0]
    assert "2024年第一季度被亮黄牌" in card.message_zh and "for 2024Q1" in card.message_en
    assert any("U1 (2024Q3)" in w for w in a.warnings)


def test_bottom_k_counts_quarters():
    _, a = quarterly(steady_rows(), alerts={"bottom_k_consecutive": {"k": 1, "years": 3},
                                            "yellow_card": False, "rank_drop": False})
    al = a.diagnostics()["alerts"]
    assert list(al.period) == QUARTERS[2:] and set(al.unit) == {"U0"}
    assert "3 consecutive quarters" in al.iloc[0].message_en
    assert "连续3个季度" in al.iloc[0].message_zh


def test_the_path_places_2025q2_halfway_from_2024q4_to_2025():
    rows = [(u, q, x, 1.0 + i) for i, (u, x0) in enumerate([("A", 60.0), ("B", 80.0)])
            for q, x in zip(QUARTERS, [x0 - 5, x0 - 4, x0 - 2, x0, x0 + 10, x0 + 15])]
    _, a = quarterly(rows, diagnose={"base_year": 2024})
    d = a.diagnostics()["diagnostics"]
    cell = d[(d.unit == "A") & (d.indicator == "x")].set_index("period")
    # the path starts at 2024Q4 (the period that ends the base year): 60 → 100 by 2025Q4
    assert cell.loc["2025Q2", "expected_now"] == pytest.approx(60 + 40 * 0.5)
    assert cell.loc["2025Q1", "expected_now"] == pytest.approx(60 + 40 * 0.25)
    assert cell.loc["2025Q2", "target_year"] == 2025
    assert cell.loc["2025Q1", "light"] == "green"          # 70 on the path (70)
    assert cell.loc["2025Q2", "light"] == "yellow"         # 75 < 80 expected, better than 70
    assert np.isnan(cell.loc["2024Q3", "expected_now"])   # before the path starts


def test_a_relative_target_reads_the_period_that_ends_its_year():
    fw_spec = json.loads(json.dumps(FRAMEWORK))
    fw_spec["indicators"][0]["targets"] = {2025: {"change": 0.5, "from": 2024}}
    fw = Framework.from_dict(fw_spec)
    rows = [("A", q, v, 1.0) for q, v in zip(QUARTERS, [10, 20, 30, 40, 50, 60])] + \
           [("B", q, 1.0, 2.0) for q in QUARTERS]
    df = pd.DataFrame(rows, columns=["unit", "period", "x", "y"])
    a = evaluate(fw, Panel.from_frame(df, fw))
    d = a.diagnostics()["diagnostics"]
    cell = d[(d.unit == "A") & (d.indicator == "x")].set_index("period")
    assert cell.loc["2025Q2", "target"] == pytest.approx(40 * 1.5)   # 2024Q4 × 1.5


def test_monitoring_sub_index_is_reported():
    _, a = quarterly(steady_rows())
    assert a.framework.indicator_ids == ("x", "y")
    assert "social" not in a.framework.node_ids
    step = next(r for r in a.records if r.get("step") == "periods")
    assert step["dropped_indicators"] == ["rd", "school"] and step["dropped_nodes"] == ["social"]
    assert any("social lost every indicator" in w for w in a.warnings)
    assert a.manifest["rows"]["frequency"] == "quarter"
    assert a.manifest["rows"]["periods"] == QUARTERS


def test_annual_values_carried_when_the_recipe_asks():
    fw = Framework.from_dict(FRAMEWORK)
    rows = []
    for u, base in (("A", 1.0), ("B", 2.0), ("C", 3.0)):
        for q in QUARTERS:
            last = q.endswith("Q4")
            rows.append((u, q, base, base, base * 10 if last else None, base))
    df = pd.DataFrame(rows, columns=["unit", "period", "x", "y", "rd", "school"])
    a = evaluate(fw, Panel.from_frame(df, fw), {"periods": {"annual": "carry"}})
    assert set(a.framework.indicator_ids) == {"x", "y", "rd", "school"}
    raw = a.data("raw")
    a_2024 = raw[(raw.unit == "A") & (raw.year == 2024)]
    assert (a_2024["rd"] == 10).all()                       # Q4's value in every quarter
    assert raw[(raw.unit == "A") & (raw.year == 2025)]["rd"].isna().all()
    step = next(r for r in a.records if r.get("step") == "periods")
    assert step["carried_annual"] == ["rd", "school"]
    assert "periods" in a.manifest["recipe"] and a.manifest["recipe"]["periods"] == {
        "annual": "carry"}


def test_no_indicator_at_the_panels_frequency():
    spec = json.loads(json.dumps(FRAMEWORK))
    for ind in spec["indicators"]:
        ind.pop("frequency", None)
    fw = Framework.from_dict(spec)
    df = pd.DataFrame([("A", "2024Q1", 1.0, 2.0, 3.0, 4.0)],
                      columns=["unit", "period", "x", "y", "rd", "school"])
    with pytest.raises(DataError) as exc:
        evaluate(fw, Panel.from_frame(df, fw))
    text = str(exc.value)
    assert "quarterly" in text and "frequency: quarter" in text and "annual: carry" in text


def test_bad_frequency_in_the_framework():
    spec = json.loads(json.dumps(FRAMEWORK))
    spec["indicators"][0]["frequency"] = "weekly"
    with pytest.raises(EvaluatorError, match=r"indicators\[0\].frequency"):
        Framework.from_dict(spec)


# -- reading files ------------------------------------------------------------------------------
def write_csv(tmp_path, lines):
    path = tmp_path / "p.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_mixed_frequencies_are_refused_naming_both_rows(tmp_path):
    fw = Framework.from_dict(FRAMEWORK)
    path = write_csv(tmp_path, ["unit,year,x,y", "A,2024,1,2", "A,2024Q1,1,2", "B,2024Q2,1,2"])
    with pytest.raises(DataError) as exc:
        load_panel(path, fw)
    text = str(exc.value)
    assert "row 2" in text and "'2024' is a year" in text
    assert "row 3" in text and "'2024Q1' is a quarter" in text
    assert "one frequency per panel" in text


def test_unreadable_period_names_the_row_and_the_forms(tmp_path):
    fw = Framework.from_dict(FRAMEWORK)
    path = write_csv(tmp_path, ["unit,period,x,y", "A,2024Q1,1,2", "A,2024Q5,1,2"])
    with pytest.raises(DataError) as exc:
        load_panel(path, fw)
    text = str(exc.value)
    assert "row 3" in text and "'2024Q5'" in text
    assert "2024年第二季度" in text and "2024H1" in text and "2024-05" in text


def test_chinese_labels_in_a_file_and_validate_states_the_frequency(tmp_path):
    fw = Framework.from_dict(FRAMEWORK)
    path = write_csv(tmp_path, ["城市,时间,x,y", "甲,2024年第一季度,1,2", "甲,2024年第二季度,2,3",
                                "乙,2024Q1,3,4", "乙,2024-Q2,4,5", "丙,2024年第1季度,5,6",
                                "丙,2024年二季度,6,7"])
    panel = load_panel(path, fw)
    assert panel.frequency == "quarter" and panel.periods == ("2024Q1", "2024Q2")
    assert panel.indicator_ids == ("x", "y")
    report = quality_report(panel, fw)
    assert report.frequency == "quarter" and report.periods == ("2024Q1", "2024Q2")
    assert "Time axis: quarterly, 2024Q1 to 2024Q2 (2 periods)" in report.to_text()
    assert "时间轴：季度" in report.to_text("zh")
    assert report.to_dict()["frequency"] == "quarter"


def test_duplicate_periods_are_named_by_label(tmp_path):
    fw = Framework.from_dict(FRAMEWORK)
    path = write_csv(tmp_path, ["unit,period,x,y", "A,2024Q1,1,2", "A,2024年第一季度,1,2"])
    with pytest.raises(DataError, match="period 2024Q1: row 2, row 3"):
        load_panel(path, fw)


def test_yearly_panels_keep_their_columns():
    fw = Framework.from_dict({"id": "f", "name": "F", "indicators": [
        {"id": "x", "direction": "benefit"}]})
    df = pd.DataFrame({"unit": ["A", "B", "A", "B"], "year": [2023, 2023, 2024, 2024],
                       "x": [1.0, 2.0, 3.0, 1.0]})
    a = evaluate(fw, Panel.from_frame(df, fw))
    assert "period" not in a.rankings.columns and "rank_change_yoy" not in a.rankings.columns
    assert a.manifest["rows"]["frequency"] == "year"


def test_unit_profile_names_periods():
    from evaluator.stages.diagnostics import unit_profile
    _, a = quarterly(steady_rows(), alerts={"yellow_card": {"bottom_share": 0.2}})
    text = unit_profile(a, "U0")
    assert text.splitlines()[0].endswith(", 2025Q2") and "[2025Q2]" in text
    assert "earlier years:" in text and "2024Q1–2025Q1" in text
    zh = unit_profile(a, "U0", 2024, "zh")
    assert zh.splitlines()[0].endswith("2024年第四季度")
    assert "2024年第一季度至2024年第三季度" in zh


def test_a_sub_annual_panels_own_table_reads_back():
    fw = Framework.from_dict(FRAMEWORK)
    df = pd.DataFrame(steady_rows(), columns=["unit", "period", "x", "y"])
    panel = Panel.from_frame(df, fw)
    again = Panel.from_frame(panel.data, fw)          # unit, year, period, x, y
    assert again.frequency == "quarter" and again.data.equals(panel.data)
    # a yearly panel with some other `period` column keeps reading `year`
    yearly = pd.DataFrame({"unit": ["A", "B"], "year": [2024, 2024], "period": ["a", "b"],
                           "x": [1.0, 2.0], "y": [2.0, 1.0], "rd": [1.0, 2.0],
                           "school": [2.0, 1.0]})
    assert Panel.from_frame(yearly, fw).frequency == "year"


@pytest.mark.parametrize("base", [2024, "2024Q4", "2024年第四季度"])
def test_the_base_may_be_a_year_or_a_period(base):
    rows = [(u, q, x, 1.0 + i) for i, (u, x0) in enumerate([("A", 60.0), ("B", 80.0)])
            for q, x in zip(QUARTERS, [x0 - 5, x0 - 4, x0 - 2, x0, x0 + 10, x0 + 15])]
    _, a = quarterly(rows, diagnose={"base_year": base})
    d = a.diagnostics()["diagnostics"]
    cell = d[(d.unit == "A") & (d.indicator == "x")].set_index("period")
    assert cell.loc["2025Q2", "expected_now"] == pytest.approx(80.0)


def test_a_base_period_of_another_frequency_is_refused():
    with pytest.raises(EvaluatorError, match="2024H2"):
        quarterly(steady_rows(), diagnose={"base_year": "2024H2"})


def test_sensitivity_and_compare_take_a_quarterly_panel(tmp_path):
    from click.testing import CliRunner

    from evaluator.cli.main import main
    spec = json.loads(json.dumps(FRAMEWORK))
    import yaml
    fw = tmp_path / "fw.yaml"
    fw.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    rng = np.random.default_rng(3)
    rows = [(f"U{u}", q, float(rng.normal(50, 10)), float(rng.normal(50, 10)))
            for q in QUARTERS for u in range(8)]
    data = tmp_path / "q.csv"
    pd.DataFrame(rows, columns=["unit", "period", "x", "y"]).to_csv(data, index=False)
    runner = CliRunner()
    done = runner.invoke(main, ["sensitivity", "-f", str(fw), "-d", str(data), "--samples", "200",
                                "--seed", "1", "--out", str(tmp_path / "s"), "--year", "2025"])
    assert done.exit_code == 0, done.output
    iv = pd.read_csv(tmp_path / "s" / "rank_intervals.csv", encoding="utf-8-sig")
    assert list(iv.columns[:3]) == ["unit", "year", "period"]
    assert set(iv["period"]) == {"2025Q1", "2025Q2"} and set(iv["year"]) == {2025}
    done = runner.invoke(main, ["compare", "-f", str(fw), "-d", str(data), "--out",
                                str(tmp_path / "c")])
    assert done.exit_code == 0, done.output
    assert "2025Q2" in done.output
    cmp = pd.read_csv(tmp_path / "c" / "compare.csv", encoding="utf-8-sig")
    assert list(cmp.columns[:3]) == ["unit", "year", "period"]
    assert set(cmp["period"]) == set(QUARTERS)
