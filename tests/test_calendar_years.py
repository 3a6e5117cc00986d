"""Year-over-year quantities and "N years running" rules on the calendar (issue 9): a
missing year is a gap that no change crosses and that breaks every run; validate, the
manifest and the report say so. Constructed panels, every expected value by hand."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluator.evaluate import evaluate
from evaluator.methods import alerts as al
from evaluator.methods.calendar import panel_gaps, unit_gaps
from evaluator.methods.diagnose import lag_rows
from evaluator.methods.ranking import rank_change
from evaluator.model.framework import Framework
from evaluator.model.panel import Panel
from evaluator.model.recipe import Recipe
from evaluator.quality import quality_report
from evaluator.report import build_report, render_html, render_markdown
from evaluator.stages.diagnostics import build_diagnostics, unit_profile

FRAMEWORK = {"id": "gaps_demo", "name": "Gaps demo",
             "indicators": [{"id": "x", "direction": "benefit", "targets": {2026: 200}}]}
# x per year: A is always last, B second last; C jumps about (rank changes to check)
X = {2021: dict(A=10, B=20, C=30, D=40, E=50),
     2022: dict(A=11, B=21, C=60, D=41, E=51),
     2023: dict(A=12, B=22, C=31, D=42, E=52),
     2024: dict(A=13, B=23, C=70, D=43, E=53)}


def make(drop=(), years=None, **recipe):
    fw = Framework.from_dict(FRAMEWORK)
    rows = [(u, y, v) for y, vals in X.items() if years is None or y in years
            for u, v in vals.items() if (u, y) not in drop]
    df = pd.DataFrame(rows, columns=["unit", "year", "x"])
    spec = {"normalise": {"method": "min_max", "range": [0, 100]},
            "alerts": {"bottom_k_consecutive": {"k": 2, "years": 2},
                       "yellow_card": False, "rank_drop": {"places": 2}}, **recipe}
    return evaluate(fw, Panel.from_frame(df, fw), Recipe.from_dict(spec))


def ranking(a, unit, year, column="rank_change"):
    r = a.rankings
    return r.loc[(r.unit == unit) & (r.year == year), column].iloc[0]


# -- the arrays ------------------------------------------------------------------------------
def test_lag_is_the_calendar_period_before():
    units = np.array(["a", "a", "a", "b", "b"])
    years = np.array([2020, 2021, 2023, 2021, 2023])
    # a 2023 has no 2022 row; b 2023 neither (although the panel holds 2022 for nobody)
    assert lag_rows(units, years).tolist() == [-1, 0, -1, -1, -1]
    assert lag_rows(units, years, lag=3).tolist() == [-1, -1, 0, -1, -1]


def test_rank_change_is_never_taken_across_a_gap():
    units = np.array(["a", "b", "a", "b", "a", "b"])
    years = np.array([2020, 2020, 2021, 2021, 2023, 2023])
    ranks = np.array([1.0, 2.0, 2.0, 1.0, 1.0, 2.0])
    out = rank_change(ranks, units, years)
    assert out[2] == -1 and out[3] == 1
    assert np.isnan(out[[0, 1, 4, 5]]).all()     # 2023 is not compared with 2021


def test_runs_count_calendar_years_not_panel_rows():
    units = np.array(["a"] * 3 + ["b"] * 3)
    years = np.array([2020, 2022, 2023, 2020, 2021, 2022])
    flag = np.ones(6, bool)
    # the panel holds 2021 for b only: a's 2020 and 2022 are not adjacent
    assert al.run_lengths(flag, units, years).tolist() == [1, 1, 2, 1, 2, 3]


def test_gap_finders():
    assert panel_gaps(np.array([2020, 2024, 2021, 2024])).tolist() == [2022, 2023]
    assert panel_gaps(np.array([2020])).tolist() == []
    names, missing = unit_gaps(np.array(["a", "a", "b", "b", "b", "c"]),
                               np.array([2020, 2023, 2020, 2021, 2023, 2021]))
    # 2022 is nobody's: it is the panel's gap, not the units'
    assert list(zip(names.tolist(), missing.tolist())) == [("a", 2021)]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abcd"), st.integers(2000, 2012)),
                min_size=1, max_size=30, unique=True))
def test_unit_gaps_match_a_loop(rows):
    units = np.array([u for u, _ in rows])
    years = np.array([y for _, y in rows])
    present = set(years.tolist())
    expected = sorted((u, y) for u in set(units.tolist())
                      for y in range(years[units == u].min(), years[units == u].max() + 1)
                      if y in present and (u, y) not in set(rows))
    names, missing = unit_gaps(units, years)
    assert list(zip(names.tolist(), missing.tolist())) == expected
    lag = lag_rows(units, years)
    for i, (u, y) in enumerate(rows):
        assert (lag[i] >= 0) == ((u, y - 1) in set(rows))


# -- a city's 2023 row gone ------------------------------------------------------------------
def test_one_units_missing_year():
    a = make(drop={("C", 2023)})
    # C: 2022 rank 1 (60), 2024 rank 1 (70): not compared across its missing 2023
    assert pd.isna(ranking(a, "C", 2024))
    # 2023 without C: E 52 (1), D 42 (2), B 22 (3), A 12 (4); 2024: C E D B A
    assert [ranking(a, u, 2024) for u in "EDBA"] == [-1, -1, -1, -1]
    diagnostics = build_diagnostics(a)["diagnostics"]
    c = diagnostics[(diagnostics.unit == "C") & (diagnostics.year == 2024)]
    assert c["contribution_change"].isna().all()
    e = diagnostics[(diagnostics.unit == "E") & (diagnostics.year == 2024) &
                    (diagnostics.indicator == "x")]
    assert e["contribution_change"].notna().all()
    assert any("1 unit(s) lack a year inside their own span: C (2023)" in w for w in a.warnings)
    text = unit_profile(a, "C", 2024)
    assert "no 2023 in the panel" not in text        # the panel has 2023, C has not
    assert "(–)" in text                              # no rank movement shown for C


# -- 2023 gone for everyone ------------------------------------------------------------------
def test_a_year_missing_for_everyone_breaks_runs_and_changes(tmp_path):
    full = build_diagnostics(make())["alerts"]
    # with every year, A and B are the bottom two throughout
    assert set(full[full.rule == "bottom_k_consecutive"].years) == {
        "2021-2022", "2021-2023", "2021-2024"}
    a = make(years={2021, 2022, 2024})
    alerts = build_diagnostics(a)["alerts"]
    talks = alerts[alerts.rule == "bottom_k_consecutive"]
    # 2022 and 2024 are not consecutive: only 2021-2022 runs; 2024 starts afresh
    assert set(talks.years) == {"2021-2022"} and set(talks.year) == {2022}
    assert "连续2年" in talks.message_zh.iloc[0]
    assert a.rankings.loc[a.rankings.year == 2024, "rank_change"].isna().all()
    assert a.rankings.loc[a.rankings.year == 2022, "rank_change"].notna().all()
    assert alerts[alerts.rule == "rank_drop"].empty   # C fell 2022→2024 but not across 2023
    gap = [w for w in a.warnings if "no rows for 2023" in w]
    assert len(gap) == 1 and "between 2022 and 2024" in gap[0]
    a.to_dir(tmp_path / "out")
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text("utf-8"))
    assert any("no rows for 2023" in w for w in manifest["warnings"])


def test_validate_names_the_gaps():
    fw = Framework.from_dict(FRAMEWORK)
    rows = [(u, y, v) for y, vals in X.items() if y != 2023 for u, v in vals.items()
            if (u, y) != ("D", 2022)]
    report = quality_report(Panel.from_frame(pd.DataFrame(rows, columns=["unit", "year", "x"]),
                                             fw), fw)
    codes = {i.code: i for i in report.issues}
    assert "no rows for 2023" in codes["calendar_gap"].en
    assert "2023" in codes["calendar_gap"].zh and "缺少" in codes["calendar_gap"].zh
    assert "D (2022)" in codes["unit_calendar_gap"].en
    assert "D（2022年）" in codes["unit_calendar_gap"].zh
    assert all(codes[c].level == "warning" for c in ("calendar_gap", "unit_calendar_gap"))


def test_report_does_not_say_since_a_missing_year():
    a = make(years={2021, 2022, 2024})
    bundle = build_report(a, year=2024)
    assert bundle.previous_year is None
    html = render_html(bundle)
    assert "since 2022" not in html and "since 2023" not in html
    assert "The panel has no 2023" in html
    md = render_markdown(bundle)
    assert "since 2022" not in md and "since 2023" not in md
    zh = render_html(build_report(a, year=2024, lang="zh"))
    assert "面板缺少2023年数据" in zh
    assert "no 2023 in the panel" in unit_profile(a, "A", 2024)
    with_2023 = build_report(make(), year=2024)
    assert with_2023.previous_year == 2023
    assert "since 2023" in render_html(with_2023)
