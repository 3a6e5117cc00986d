"""Gap diagnostics (issue 4): targets, paths and lights on a constructed panel whose every
expected number is worked out by hand in the comments; the obstacle degree against a
published worked example; contributions; strengths and weaknesses; bad inputs."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from evaluator.errors import DataError, FrameworkError, MethodError, RecipeError
from evaluator.evaluate import evaluate
from evaluator.methods import diagnose as dg
from evaluator.model.framework import Framework
from evaluator.model.panel import Panel
from evaluator.model.recipe import Recipe
from evaluator.stages.diagnostics import (ALERT_COLUMNS, DIAGNOSTIC_COLUMNS,
                                          EXTRA_COLUMNS, build_diagnostics, diagnose,
                                          diagnostic_warnings, resolve_unit, unit_profile)

nan = float("nan")

FRAMEWORK = {
    "id": "diag_demo",
    "name": {"zh": "诊断示例", "en": "Diagnostics demo"},
    "nodes": [{"id": "econ", "name": {"zh": "经济", "en": "Economy"}},
              {"id": "env", "name": {"zh": "环境", "en": "Environment"}}],
    "indicators": [
        {"id": "gdp", "parent": "econ", "direction": "benefit", "targets": {2025: 100}},
        {"id": "jobs", "parent": "econ", "direction": "benefit"},            # no target
        {"id": "pm25", "parent": "env", "direction": "cost", "targets": {2025: 35}},
        {"id": "energy", "parent": "env", "direction": "cost",
         "targets": {2025: {"change": -0.2, "from": 2022}}},                 # relative
    ],
    # group override: northern units must reach 120 instead of 100
    "groups": {"north": {"targets": {"gdp": {2025: 120}}}, "south": {}},
}
ROWS = [
    # unit, year, group, gdp, jobs, pm25, energy
    ("U1", 2022, "south", 70, 5, 50, 1.0),
    ("U1", 2023, "south", 81, 6, 44, 0.9),
    ("U1", 2024, "south", 95, 7, 39, 0.85),
    ("U2", 2022, "south", 70, 3, 50, 2.0),
    ("U2", 2023, "south", 75, 5, 52, 2.0),
    ("U2", 2024, "south", 75, 3, 47, 1.9),
    ("U3", 2022, "north", 90, 8, 30, 1.5),
    ("U3", 2023, "north", 101, 5, 33, nan),
    ("U3", 2024, "north", 105, 9, 36, 1.4),
    ("U4", 2022, "north", 125, 4, 60, nan),
    ("U4", 2023, "north", 124, 5, 58, 1.2),
    ("U4", 2024, "north", 130, 5, 58, 1.1),
]
RECIPE = {"weights": {"indicators": "equal", "nodes": "equal"},
          "normalise": {"method": "min_max", "range": [0, 100]}}


def make(recipe_extra=None, framework=None, rows=ROWS):
    fw = Framework.from_dict(framework or FRAMEWORK)
    df = pd.DataFrame(rows, columns=["unit", "year", "group", "gdp", "jobs", "pm25", "energy"])
    spec = dict(RECIPE)
    spec.update(recipe_extra or {})
    return evaluate(fw, Panel.from_frame(df, fw), Recipe.from_dict(spec))


@pytest.fixture(scope="module")
def assessment():
    return make()


@pytest.fixture(scope="module")
def table(assessment):
    return build_diagnostics(assessment)["diagnostics"]


def cell(table, unit, year, indicator, column):
    row = table[(table.unit == unit) & (table.year == year) & (table.indicator == indicator)]
    assert len(row) == 1
    return row[column].iloc[0]


# -- lights, paths and gaps on the constructed panel ---------------------------------------
# Paths start in the base year 2022 (the first panel year) and reach the 2025 target:
# expected(y) = v2022 + (target − v2022)(y − 2022)/3. "Improving" = better than the unit's
# latest earlier value (last year's, or the one before a missing year).
LIGHTS = {
    # The base year has no trajectory yet (a path from this year's value would only
    # restate it), so only "met" is judged: green when met, otherwise no light.
    2022: {"U1": ("", "", "", ""),            # 70 < 100; 50 > 35; 1.0 > 0.8 (= 1.0 × 0.8)
           "U2": ("", "", "", ""),            # 70 < 100; 50 > 35; 2.0 > 1.6
           "U3": ("", "", "green", ""),       # 90 < 120 (north); 30 ≤ 35 met; 1.5 > 1.2
           "U4": ("green", "", "", "")},      # 125 ≥ 120 met; 60 > 35; energy unresolved
    2023: {
        # U1 gdp 81 ≥ path 80; pm25 44 ≤ path 45; energy 0.9 ≤ path 0.9333
        "U1": ("green", "", "green", "green"),
        # U2 gdp 75 < path 80 but > 70: yellow; pm25 52 worse than path 45 and than 50:
        # red; energy 2.0 = last year's 2.0: red
        "U2": ("yellow", "", "red", "red"),
        # U3 (north, target 120) gdp 101 ≥ path 100; pm25 33 meets 35; energy missing
        "U3": ("green", "", "green", ""),
        # U4 gdp 124 meets 120; pm25 58 > path 51.67 but < 60: yellow; energy: no 2022
        # value, so its relative target cannot be resolved
        "U4": ("green", "", "yellow", ""),
    },
    2024: {
        "U1": ("green", "", "green", "green"),        # 95 ≥ 90; 39 ≤ 40; 0.85 ≤ 0.8667
        # gdp 75 = 75: red; pm25 47 better than 52: yellow; energy 1.9 < 2.0: yellow
        "U2": ("red", "", "yellow", "yellow"),
        # gdp 105 < path 110 (target 120!), better than 101: yellow; pm25 36 misses 35,
        # worse than path 33.33 and than 33: red; energy 1.4 behind the path
        # 1.5 − 0.3·2/3 = 1.3, but better than 1.5, the latest value before the missing
        # 2023: yellow
        "U3": ("yellow", "", "red", "yellow"),
        "U4": ("green", "", "red", ""),               # 130 ≥ 120; pm25 58 = 58: red
    },
}


def test_every_light_as_worked_out(table):
    for year, by_unit in LIGHTS.items():
        for unit, lights in by_unit.items():
            for indicator, light in zip(["gdp", "jobs", "pm25", "energy"], lights):
                got = cell(table, unit, year, indicator, "light")
                assert got == light, (unit, year, indicator, got, light)


def test_expected_values_targets_and_gaps(table):
    # gdp, south: path 70 → 100 over 2022–2025
    assert cell(table, "U1", 2023, "gdp", "expected_now") == pytest.approx(80)
    assert cell(table, "U1", 2024, "gdp", "expected_now") == pytest.approx(90)
    assert cell(table, "U1", 2024, "gdp", "gap") == pytest.approx(5)
    assert cell(table, "U1", 2024, "gdp", "relative_gap") == pytest.approx(0.05)
    assert cell(table, "U2", 2024, "gdp", "gap") == pytest.approx(25)
    # group override: north's target is 120, path 90 → 120
    assert cell(table, "U3", 2024, "gdp", "target") == 120
    assert cell(table, "U1", 2024, "gdp", "target") == 100
    assert cell(table, "U3", 2024, "gdp", "expected_now") == pytest.approx(110)
    assert cell(table, "U3", 2024, "gdp", "gap") == pytest.approx(15)
    assert cell(table, "U4", 2023, "gdp", "gap") == pytest.approx(-4)        # met
    assert cell(table, "U4", 2023, "gdp", "target_year") == 2025
    # cost: the gap is how far above the ceiling
    assert cell(table, "U1", 2024, "pm25", "gap") == pytest.approx(4)
    assert cell(table, "U1", 2024, "pm25", "relative_gap") == pytest.approx(4 / 35)
    assert cell(table, "U4", 2024, "pm25", "expected_now") == pytest.approx(60 - 50 / 3)
    # relative target: 20 % below the unit's own 2022 value
    assert cell(table, "U2", 2024, "energy", "target") == pytest.approx(1.6)
    assert cell(table, "U2", 2024, "energy", "expected_now") == pytest.approx(2 - 0.4 * 2 / 3)
    assert cell(table, "U1", 2023, "energy", "target") == pytest.approx(0.8)
    assert math.isnan(cell(table, "U4", 2024, "energy", "target"))      # no 2022 value
    assert pd.isna(cell(table, "U4", 2024, "energy", "target_year"))    # ... so no year
    # no target at all
    assert math.isnan(cell(table, "U1", 2024, "jobs", "target"))
    assert pd.isna(cell(table, "U1", 2024, "jobs", "target_year"))


def test_peers_ranks_and_group_best(table):
    assert cell(table, "U1", 2024, "gdp", "best") == 130
    assert cell(table, "U1", 2024, "gdp", "gap_to_best") == pytest.approx(35)
    assert cell(table, "U1", 2024, "gdp", "rank") == 3
    assert cell(table, "U2", 2024, "gdp", "group_best") == 95        # best of the south
    assert cell(table, "U2", 2024, "gdp", "gap_to_group_best") == pytest.approx(20)
    # cost indicator: the best is the lowest
    assert cell(table, "U4", 2024, "pm25", "best") == 36
    assert cell(table, "U4", 2024, "pm25", "gap_to_best") == pytest.approx(22)
    assert cell(table, "U4", 2024, "pm25", "rank") == 4
    assert cell(table, "U3", 2024, "pm25", "gap_to_best") == 0


def test_columns_are_the_contract(assessment):
    out = build_diagnostics(assessment)
    # the contract columns first, unchanged, then the documented extras
    assert list(out["diagnostics"].columns) == DIAGNOSTIC_COLUMNS + EXTRA_COLUMNS
    assert list(out["alerts"].columns) == ALERT_COLUMNS
    # every unit-year has its indicators, then its nodes and the root
    per = out["diagnostics"].groupby(["unit", "year"])["indicator"].apply(list)
    assert all(v == ["gdp", "jobs", "pm25", "energy", "econ", "env", "index"] for v in per)


def test_tolerance_base_year_and_compare_options():
    # tolerance 5 % of the target (6 for 120): U3's 105 is within 6 of the path's 110
    t = build_diagnostics(make({"diagnose": {"tolerance": 0.05}}))["diagnostics"]
    assert cell(t, "U3", 2024, "gdp", "light") == "green"
    # paths from 2023: 81 + (100 − 81)/2 in 2024
    t = build_diagnostics(make({"diagnose": {"base_year": 2023}}))["diagnostics"]
    assert cell(t, "U1", 2024, "gdp", "expected_now") == pytest.approx(90.5)
    assert math.isnan(cell(t, "U1", 2022, "gdp", "expected_now"))     # before the path
    # in 2023, the new base year, only "met" is judged: U2's 75 (better than 70 in 2022,
    # yellow with paths from 2022) gets no light; U4's 124 meets 120: green
    assert cell(t, "U2", 2023, "gdp", "light") == ""
    assert cell(t, "U4", 2023, "gdp", "light") == "green"
    assert cell(t, "U2", 2022, "gdp", "light") == ""                   # before the path
    # compare with the base year: U3's energy 1.4 is better than 2022's 1.5
    t = build_diagnostics(make({"diagnose": {"compare": "base"}}))["diagnostics"]
    assert cell(t, "U3", 2024, "energy", "light") == "yellow"
    assert cell(t, "U2", 2023, "pm25", "light") == "red"               # 52 worse than 50
    # ... and judges nothing up to the base year against it (no look into the future)
    t = build_diagnostics(make({"diagnose": {"compare": "base", "base_year": 2023}})
                          )["diagnostics"]
    assert cell(t, "U2", 2022, "gdp", "light") == ""
    assert cell(t, "U2", 2024, "gdp", "light") == "red"                # 75 = 75 in 2023


def test_light_counts_per_unit_and_dimension(assessment):
    counts = diagnose(assessment).lights
    row = counts[(counts.unit == "U2") & (counts.year == 2024)].set_index("node")
    assert row.loc["index", ["green", "yellow", "red", "not_judged"]].tolist() == [0, 2, 1, 1]
    assert row.loc["econ", ["green", "yellow", "red", "not_judged"]].tolist() == [0, 0, 1, 1]
    assert row.loc["env", ["green", "yellow", "red", "not_judged"]].tolist() == [0, 2, 0, 0]


# -- obstacle degree ------------------------------------------------------------------------
# Published worked example: R package mathmodels (Zhang Jingxian, github.com/zhjx19/
# mathmodels), reference page "System Evaluation Functions for Coupling and Obstacle
# Analysis", examples of obstacle_degree(): the unscaled degrees (1 − X_ij)·w_j printed
# to three significant figures, for equal weights and for w = (0.4, 0.3, 0.3).
MM_DATA = np.array([[0.0162, 0.2720, 0.2655], [0.1782, 0.6824, 0.3721],
                    [0.5490, 0.0593, 0.5729], [0.6730, 0.4812, 0.9082],
                    [0.0207, 0.8891, 0.2017], [0.9875, 0.5573, 0.8984]])
MM_EQUAL = np.array([[0.328, 0.243, 0.245], [0.274, 0.106, 0.209], [0.150, 0.314, 0.142],
                     [0.109, 0.173, 0.0306], [0.326, 0.0370, 0.266],
                     [0.00417, 0.148, 0.0339]])
MM_WEIGHTED = np.array([[0.394, 0.218, 0.220], [0.329, 0.0953, 0.188],
                        [0.180, 0.282, 0.128], [0.131, 0.156, 0.0275],
                        [0.392, 0.0333, 0.239], [0.00500, 0.133, 0.0305]])


@pytest.mark.parametrize("weights, published", [
    (np.full(3, 1 / 3), MM_EQUAL), (np.array([0.4, 0.3, 0.3]), MM_WEIGHTED)])
def test_obstacle_degree_matches_published_example(weights, published):
    res = dg.obstacle_degree(MM_DATA, weights)
    assert np.allclose(res.weighted, published, rtol=6e-3)
    # the shares (scaled = TRUE) are the printed values over their row sums
    assert np.allclose(res.share, published / published.sum(axis=1, keepdims=True),
                       rtol=6e-3)
    assert np.allclose(res.share.sum(axis=1), 1)


def test_obstacle_degree_ideal_row_is_zero_and_missing_is_skipped():
    res = dg.obstacle_degree(np.array([[1.0, 1.0], [0.5, np.nan]]), np.array([0.5, 0.5]))
    assert res.share[0].tolist() == [0.0, 0.0]
    assert res.share[1, 0] == 1.0 and np.isnan(res.share[1, 1])
    with pytest.raises(MethodError, match=r"\[0, 1\]"):
        dg.obstacle_degree(np.array([[1.5, 0.0]]), np.array([0.5, 0.5]))


@settings(max_examples=60, deadline=None)
@given(arrays(float, st.tuples(st.integers(1, 8), st.integers(1, 6)),
              elements=st.floats(0, 1)),
       st.floats(0.1, 10))
def test_obstacle_shares_sum_to_one_or_zero(z, scale):
    w = np.linspace(1, 2, z.shape[1])
    w /= w.sum()
    share = dg.obstacle_degree(z, w).share
    sums = share.sum(axis=1)
    assert np.all(np.isclose(sums, 1) | (sums == 0))
    assert (share >= 0).all() and (share <= 1 + 1e-12).all()
    # shares do not depend on the weights' scale
    assert np.allclose(dg.obstacle_degree(z, w * scale).share, share)


def test_obstacles_in_the_assessment(assessment, table):
    ind = table[table.indicator.isin(assessment.ids)]
    sums = ind.groupby(["unit", "year"])["obstacle"].sum()
    assert np.allclose(sums, 1)
    # independent recomputation from the stored normalised data and global weights
    z = assessment.stages["normalised"] / 100
    w = np.array([assessment.global_weights[i] for i in assessment.ids])
    dev = w * (1 - z)
    expect = dev / np.nansum(dev, axis=1, keepdims=True)
    got = ind.pivot_table(index=["unit", "year"], columns="indicator", values="obstacle",
                          dropna=False)[assessment.ids]
    keys = pd.MultiIndex.from_arrays([assessment.units, assessment.years])
    assert np.allclose(got.reindex(keys).to_numpy(), expect, equal_nan=True)
    # a dimension's obstacle is its indicators' share
    nodes = table[table.indicator.isin(["econ", "env"])]
    assert np.allclose(nodes.groupby(["unit", "year"])["obstacle"].sum(), 1)
    top = diagnose(assessment).obstacles
    first = top[top.order == 1].set_index(["unit", "year"])["obstacle"]
    assert np.allclose(first, ind.groupby(["unit", "year"])["obstacle"].max())


def test_top_k_orders_and_pads():
    idx, vals = dg.top_k(np.array([[0.1, 0.5, 0.0, 0.4], [np.nan, 0.0, 0.0, 0.0]]), 3)
    assert idx.tolist() == [[1, 3, 0], [-1, -1, -1]]
    assert np.isnan(vals[1]).all()


# -- contributions --------------------------------------------------------------------------
def test_contributions_sum_to_score_and_changes_to_score_change(assessment, table):
    score = assessment.rankings.set_index(["unit", "year"])["score"]
    ind = table[table.indicator.isin(assessment.ids)]
    total = ind.groupby(["unit", "year"])["contribution"].sum()
    assert np.allclose(total.reindex(score.index), score)
    change = ind.groupby(["unit", "year"])["contribution_change"].sum(min_count=1)
    prev = score.groupby(level="unit").shift(1)
    expect = (score - prev).dropna()
    assert np.allclose(change.reindex(expect.index), expect)
    root = table[table.indicator == "index"].set_index(["unit", "year"])
    assert np.allclose(root["contribution"].reindex(score.index), score)


def test_contributions_empty_when_not_additive():
    a = make({"aggregate": {"method": "weighted_sum", "by_node": {"index": "geometric"}},
              "normalise": {"method": "min_max", "range": [1, 100]}})
    d = diagnose(a)
    assert d.table["contribution"].isna().all()
    assert "not a weighted sum" in unit_profile(a, "U1", diagnosis=d)


# -- strengths and weaknesses ----------------------------------------------------------------
def test_strengths_skip_indicators_where_most_units_tie(assessment):
    sw = diagnose(assessment).strengths
    # 2023: jobs is 5 for three of four units, so it is skipped; U2's gdp (last place)
    # cannot be a strength; pm25 (rank 3 of 4) is its only strength
    u2 = sw[(sw.unit == "U2") & (sw.year == 2023)]
    assert u2[u2.kind == "strength"].indicator.tolist() == ["pm25"]
    assert u2[u2.kind == "weakness"].indicator.tolist() == ["gdp", "energy"]
    # U1 2023: energy 1st (of 3 with data), pm25 2nd, gdp 3rd; jobs (1st) is skipped ...
    u1 = sw[(sw.unit == "U1") & (sw.year == 2023) & (sw.kind == "strength")]
    assert u1.indicator.tolist() == ["energy", "pm25", "gdp"]
    # ... unless ties up to 80 % are allowed: jobs then shares 1st place with energy and
    # comes first (earlier indicator); U2's shared jobs rank is last place, no strength
    sw = diagnose(make({"diagnose": {"tie_share": 0.8}})).strengths
    u1 = sw[(sw.unit == "U1") & (sw.year == 2023) & (sw.kind == "strength")]
    assert u1.indicator.tolist() == ["jobs", "energy", "pm25"]
    u2 = sw[(sw.unit == "U2") & (sw.year == 2023) & (sw.kind == "strength")]
    assert u2.indicator.tolist() == ["pm25"]
    # U1 2024: energy rank 1, jobs 2, pm25 2, gdp 3 (ties: earlier indicator first)
    sw = diagnose(make({"diagnose": {"strengths_k": 1}})).strengths
    u1 = sw[(sw.unit == "U1") & (sw.year == 2024)]
    assert u1[u1.kind == "strength"].indicator.tolist() == ["energy"]
    assert u1[u1.kind == "weakness"].indicator.tolist() == ["gdp"]


# -- methods on their own ---------------------------------------------------------------------
@settings(max_examples=60, deadline=None)
@given(st.floats(-100, 100), st.floats(-100, 100), st.integers(2000, 2020),
       st.integers(1, 15))
def test_trajectory_runs_straight_from_start_to_target(v0, t, s, span):
    T = s + span
    years = np.arange(s - 1, T + 3)
    e = dg.trajectory(v0, t, s, T, years)
    assert np.isnan(e[0])
    assert e[1] == pytest.approx(v0) and e[-3] == pytest.approx(t)
    assert np.allclose(e[-2:], t)
    steps = np.diff(e[1:-2])
    assert np.allclose(steps, (t - v0) / span)


def test_find_rows_and_lag():
    units = np.array(["a", "a", "b", "b", "a"])
    years = np.array([2020, 2021, 2020, 2022, 2022])
    assert dg.lag_rows(units, years).tolist() == [-1, 0, -1, -1, 1]
    assert dg.find_rows(units, years, np.array(["b", "c"]), np.array([2022, 2020])
                        ).tolist() == [3, -1]


def test_orient_handles_cost_optimum_and_range():
    X = np.array([[1.0, 4.0, 7.0, 5.0]])
    out = dg.orient(X, np.array([1, -1, 1, 1]), np.array([np.nan, np.nan, 5, np.nan]),
                    np.array([[np.nan, np.nan]] * 3 + [[1, 3]]))
    assert out.tolist() == [[1.0, -4.0, -2.0, -2.0]]


# -- bad inputs -----------------------------------------------------------------------------------
def with_gdp_targets(targets):
    fw = dict(FRAMEWORK)
    fw["indicators"] = [dict(i) for i in FRAMEWORK["indicators"]]
    fw["indicators"][0]["targets"] = targets
    return fw


def test_target_before_explicit_base_year_is_an_error():
    fw = with_gdp_targets({2022: 80, 2025: 100})
    make(framework=fw)                        # default base year 2022: fine
    with pytest.raises(RecipeError, match=r"'gdp'.*2022") as err:
        build_diagnostics(make({"diagnose": {"base_year": 2023}}, framework=fw))
    # the fix names only base years that work: panel years up to the target's 2022
    fix = err.value.fix
    assert "base_year" in fix and "(2022)" in fix and "2023" not in fix.split("or")[0]
    build_diagnostics(make({"diagnose": {"base_year": 2022}}, framework=fw))   # it works


def test_target_before_the_panel():
    fw = with_gdp_targets({2020: 60, 2025: 100})
    # explicit base year: no panel year precedes 2020, so no base year is proposed;
    # the fix says to move/remove the target or leave the base year out
    with pytest.raises(RecipeError, match="2020") as err:
        build_diagnostics(make({"diagnose": {"base_year": 2023}}, framework=fw))
    fix = err.value.fix
    assert "no panel year is on or before 2020" in fix
    assert "leave diagnose.base_year out" in fix and "remove" in fix
    # ... and leaving it out works: the 2020 target is dropped, with a warning
    a = make(framework=fw)
    t = build_diagnostics(a)["diagnostics"]
    assert cell(t, "U1", 2022, "gdp", "target_year") == 2025
    assert any("ignored" in w and "'gdp' 2020" in w for w in diagnostic_warnings(a))


def test_base_year_outside_the_panel_proposes_only_years_that_work():
    # a base year that is not a panel year: the fix lists panel years no target precedes
    # (2023 would then fail: the 2022 target would lie before it)
    from evaluator.stages.diagnose_params import diagnose_params
    fw = Framework.from_dict(with_gdp_targets({2022: 80}))
    with pytest.raises(RecipeError, match="not a year of the panel") as err:
        diagnose_params({"base_year": 2019}, [2021, 2022, 2023], framework=fw)
    assert "2021, 2022" in err.value.fix and "2023" not in err.value.fix
    with pytest.raises(RecipeError) as err:
        diagnose_params({"base_year": 2019}, [2022, 2023],
                        framework=Framework.from_dict(with_gdp_targets({2021: 80})))
    assert "leave diagnose.base_year out" in err.value.fix and "2023" not in err.value.fix


def test_unknown_diagnose_key_lists_the_valid_ones(assessment):
    # checked by evaluate() before any scoring, not only when the tables are built
    with pytest.raises(RecipeError, match="tolerance") as err:
        make({"diagnose": {"tolerence": 0.1}})
    assert "top_k" in str(err.value) and "base_year" in str(err.value)


@pytest.mark.parametrize("section, match", [
    ({"diagnose": {"compare": "last"}}, "previous"),
    ({"diagnose": {"base_year": 2019}}, "not a year of the panel"),
    ({"diagnose": {"top_k": 0}}, "outside"),
    ({"alerts": {"bottom_three": {"k": 3}}}, "bottom_k_consecutive"),
    ({"alerts": {"rank_drop": {"place": 5}}}, "places"),
    ({"alerts": {"yellow_card": {"ties": "some"}}}, "inclusive"),
])
def test_bad_recipe_sections(section, match):
    with pytest.raises(RecipeError, match=match):
        make(section)


def test_group_override_for_an_unknown_group_is_caught():
    rows = [r if r[0] != "U4" else (r[0], r[1], "nroth", *r[3:]) for r in ROWS]
    with pytest.raises(DataError, match="nroth"):
        make(rows=rows)
    bad = dict(FRAMEWORK, groups={"north": {"targets": {"gpd": {2025: 1}}}})
    with pytest.raises(FrameworkError, match="gpd"):
        Framework.from_dict(bad)


def test_unknown_unit_lists_near_matches(assessment):
    assert resolve_unit(assessment, "u3") == "U3"
    with pytest.raises(DataError, match="not in the panel") as err:
        resolve_unit(assessment, "U01")
    assert "did you mean 'U1'" in str(err.value)
    with pytest.raises(DataError, match="no data for 2030"):
        unit_profile(assessment, "U1", 2030)


# -- the profile and the CLI -------------------------------------------------------------------
def test_profile_text(assessment):
    text = unit_profile(assessment, "U2", 2024)
    for part in ("Scores and ranks", "Traffic lights", "Economy: 0 / 0 / 1 / 1",
                 "Top obstacles", "Strengths", "Weaknesses", "Alerts"):
        assert part in text, part
    zh = unit_profile(assessment, "U2", 2024, lang="zh")
    assert "红黄绿灯" in zh and "经济" in zh and "主要障碍因子" in zh


def test_cli_diagnose(tmp_path):
    import yaml
    from evaluator.cli.diagnose import diagnose as command
    fw_path = tmp_path / "fw.yaml"
    fw_path.write_text(yaml.safe_dump(FRAMEWORK, allow_unicode=True), encoding="utf-8")
    data = tmp_path / "panel.csv"
    pd.DataFrame(ROWS, columns=["unit", "year", "group", "gdp", "jobs", "pm25", "energy"]
                 ).to_csv(data, index=False)
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(yaml.safe_dump(RECIPE), encoding="utf-8")
    args = ["-f", str(fw_path), "-d", str(data), "-r", str(recipe)]
    res = CliRunner().invoke(command, args + ["--unit", "U3", "--lang", "zh"])
    assert res.exit_code == 0, res.output
    assert "U3" in res.output and "得分与排名" in res.output
    res = CliRunner().invoke(command, args + ["--unit", "U9"])
    assert res.exit_code == 2
    assert "not in the panel" in res.output and "Traceback" not in res.output


# -- targets that cannot be resolved, late entrants, warnings ------------------------------------
def test_unresolvable_relative_targets_are_empty_and_warned():
    # U4 has no 2022 energy value: no target and no target year (not a lone target year)
    a = make()
    t = build_diagnostics(a)["diagnostics"]
    u4 = t[(t.unit == "U4") & (t.indicator == "energy")]
    assert u4["target"].isna().all() and u4["target_year"].isna().all()
    warned = [w for w in diagnostic_warnings(a) if "'energy'" in w]
    assert len(warned) == 1 and "1 unit(s) without a 2022 value (U4)" in warned[0]
    assert diagnose(a).warnings == diagnostic_warnings(a)
    # a `from` year outside the panel (as the built-in energy_intensity target from 2025
    # on the 2015–2024 demo): nothing resolves, and the warning says why
    fw = dict(FRAMEWORK)
    fw["indicators"] = [dict(i) for i in FRAMEWORK["indicators"]]
    fw["indicators"][3]["targets"] = {2035: {"change": -0.25, "from": 2025}}
    a = make(framework=fw)
    t = build_diagnostics(a)["diagnostics"]
    energy = t[t.indicator == "energy"]
    assert energy["target"].isna().all() and energy["target_year"].isna().all()
    assert (energy["light"] == "").all()
    (w,) = [w for w in diagnostic_warnings(a) if "'energy'" in w]
    assert "2035" in w and "2025 is not a panel year (2022–2024)" in w


def test_unit_entering_after_the_base_year_starts_its_path_there():
    # U5 (south) enters in 2023 at 60: its path runs 60 → 100 over 2023–2025
    rows = ROWS + [("U5", 2023, "south", 60, 4, 40, 1.0), ("U5", 2024, "south", 80, 4, 38, 0.9)]
    t = diagnose(make(rows=rows)).table
    assert cell(t, "U5", 2024, "gdp", "path_start") == 2023
    assert cell(t, "U5", 2024, "gdp", "expected_now") == pytest.approx(80)
    assert cell(t, "U5", 2024, "gdp", "light") == "green"        # 80 on the path
    assert cell(t, "U5", 2023, "gdp", "light") == ""             # start year: not met
    # its relative energy target needs its own 2022 value, which it lacks
    assert math.isnan(cell(t, "U5", 2024, "energy", "target"))


def test_group_targets_without_a_group_column_are_warned():
    fw = Framework.from_dict(FRAMEWORK)
    df = pd.DataFrame(ROWS, columns=["unit", "year", "group", "gdp", "jobs", "pm25", "energy"])
    a = evaluate(fw, Panel.from_frame(df.drop(columns="group"), fw), Recipe.from_dict(RECIPE))
    assert any(w.startswith("group targets ignored: the panel has no group column")
               and "north" in w for w in diagnostic_warnings(a))
    assert cell(build_diagnostics(a)["diagnostics"], "U3", 2024, "gdp", "target") == 100


def test_per_year_scope_warns_that_contribution_changes_reflect_other_units():
    per_year = {"normalise": {"method": "min_max", "range": [0, 100], "scope": "per_year"}}
    assert any("per_year" in w and "other units" in w
               for w in diagnostic_warnings(make(per_year)))
    assert not any("per_year" in w for w in diagnostic_warnings(make()))


# -- gaps on the normalised scale -------------------------------------------------------------
def test_gap_normalised_min_max_pooled_and_per_year_by_hand():
    # pooled min–max of gdp over all years: 70 → 0, 130 → 100
    t = build_diagnostics(make())["diagnostics"]
    assert cell(t, "U1", 2024, "gdp", "gap_normalised") == pytest.approx((100 - 95) / 60 * 100)
    # per_year: 2024's gdp runs from 75 to 130 (width 55), not the pooled 60
    t = build_diagnostics(make({"normalise": {"method": "min_max", "range": [0, 100],
                                              "scope": "per_year"}}))["diagnostics"]
    assert cell(t, "U1", 2024, "gdp", "gap_normalised") == pytest.approx(500 / 55)
    assert cell(t, "U3", 2024, "gdp", "gap_normalised") == pytest.approx(1500 / 55)   # 120
    assert cell(t, "U4", 2024, "gdp", "gap_normalised") == pytest.approx(-1000 / 55)  # met
    # cost, 2024 pm25 36…58: the target 35 lies beyond the best value, so it counts as
    # the top of the observed scale (100); U1's 39 scores (58 − 39)/22 · 100
    assert cell(t, "U1", 2024, "pm25", "gap_normalised") == pytest.approx(100 - 1900 / 22)
    assert cell(t, "U4", 2024, "pm25", "gap_normalised") == pytest.approx(100)
    assert math.isnan(cell(t, "U1", 2024, "jobs", "gap_normalised"))       # no target


def test_gap_normalised_goalposts():
    # goalposts: benefit x on [0, 200] (z = x/2), cost y on [10, 60] (z = (60 − y)·2)
    fw = Framework.from_dict({
        "id": "gp", "name": "Goalposts",
        "indicators": [{"id": "x", "direction": "benefit", "goalposts": [0, 200],
                        "targets": {2025: 150}},
                       {"id": "y", "direction": "cost", "goalposts": [10, 60],
                        "targets": {2025: 20}}]})
    df = pd.DataFrame({"unit": ["a", "b", "c"] * 2, "year": [2023] * 3 + [2024] * 3,
                       "x": [50, 80, 250, 60, 90, 260], "y": [30, 50, 40, 30, 50, 45]})
    a = evaluate(fw, Panel.from_frame(df, fw), Recipe.from_dict(
        {"normalise": {"method": "goalposts", "range": [0, 100]},
         "weights": {"indicators": "equal"}}))
    t = build_diagnostics(a)["diagnostics"]
    # 150 lies above every value below the goalpost: z(150) = 75 from the goalpost 200
    assert cell(t, "b", 2024, "x", "gap_normalised") == pytest.approx(75 - 45)
    # c's 260 is capped at the goalpost (z = 100): 25 points ahead, not 55
    assert cell(t, "c", 2024, "x", "gap_normalised") == pytest.approx(75 - 100)
    # cost: z(20) = 80, z(50) = 20
    assert cell(t, "b", 2024, "y", "gap_normalised") == pytest.approx(80 - 20)


@settings(max_examples=60, deadline=None)
@given(arrays(float, st.integers(2, 12), elements=st.floats(-50, 50)),
       st.floats(-80, 80), st.floats(0.1, 5))
def test_scale_map_reproduces_an_affine_normalisation(x, q, slope):
    # any affine z = slope·x: interpolation is exact inside the data, flat beyond
    z = slope * x
    got = dg.scale_map(x, z, np.array([q]))[0]
    assert got == pytest.approx(slope * np.clip(q, x.min(), x.max()), abs=1e-9)


# -- lights: reference value, min_improvement ----------------------------------------------
def test_compare_previous_looks_past_a_screened_out_year():
    # U2's 2023 row has one value of four: screened out at 50 % coverage; its 2024 values
    # are compared with 2022's: gdp 75 > 70 and pm25 47 < 50 improve, both behind the
    # path (90 and 40): yellow, where they had no light before
    rows = [r if (r[0], r[1]) != ("U2", 2023) else ("U2", 2023, "south", 75, nan, nan, nan)
            for r in ROWS]
    t = build_diagnostics(make({"screen": {"min_coverage": 0.5}}, rows=rows))["diagnostics"]
    assert not ((t.unit == "U2") & (t.year == 2023)).any()
    assert cell(t, "U2", 2024, "gdp", "light") == "yellow"
    assert cell(t, "U2", 2024, "pm25", "light") == "yellow"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), st.integers(2018, 2023),
                          st.one_of(st.none(), st.floats(-5, 5))), min_size=1, max_size=15))
def test_latest_earlier_value_matches_pandas(rows):
    df = pd.DataFrame(rows, columns=["unit", "year", "v"]).drop_duplicates(["unit", "year"])
    df["v"] = df["v"].astype(float)
    units, years = df["unit"].astype(str).to_numpy(), df["year"].to_numpy()
    got = dg.take_cells(df[["v"]].to_numpy(), dg.latest_earlier_rows(df[["v"]], units, years))
    ordered = df.sort_values(["unit", "year"])
    expect = ordered.groupby("unit")["v"].transform(lambda s: s.ffill().shift())
    assert np.allclose(got[:, 0], expect.reindex(df.index).to_numpy(), equal_nan=True)


def test_min_improvement_is_compared_without_float_noise():
    # U2's energy 2.0 → 1.9 is exactly 5 % better; in floats −1.9 − (−2.0) exceeds 0.1
    assert -1.9 - (-2.0) > 0.05 * 2.0
    t = build_diagnostics(make({"diagnose": {"min_improvement": 0.05}}))["diagnostics"]
    assert cell(t, "U2", 2024, "energy", "light") == "red"      # not more than 5 %
    assert cell(t, "U2", 2024, "pm25", "light") == "yellow"     # 52 → 47: 9.6 %
    t = build_diagnostics(make({"diagnose": {"min_improvement": 0.1}}))["diagnostics"]
    assert cell(t, "U2", 2024, "pm25", "light") == "red"        # 9.6 % < 10 %
    lights = dg.traffic_lights(np.array([-1.9]), np.array([-1.6]), np.array([-1.8]),
                               np.array([-2.0]), min_gain=0.1)
    assert lights.tolist() == ["red"]


def test_top_k_obstacles_are_the_largest_shares():
    a = make({"diagnose": {"top_k": 2}})
    d = diagnose(a)
    ind = d.table[d.table.kind == "indicator"]
    for (unit, year), part in ind.groupby(["unit", "year"]):
        mine = d.obstacles[(d.obstacles.unit == unit) & (d.obstacles.year == year)]
        expect = part.dropna(subset=["obstacle"]).nlargest(2, "obstacle")
        assert mine["order"].tolist() == [1, 2]
        assert np.allclose(mine["obstacle"], expect["obstacle"])


# -- outputs written by `evaluator score --out` ----------------------------------------------
def test_score_out_writes_diagnostics_and_alerts_that_read_back(tmp_path):
    import yaml
    from evaluator.cli import main
    fw_path = tmp_path / "fw.yaml"
    fw_path.write_text(yaml.safe_dump(FRAMEWORK, allow_unicode=True), encoding="utf-8")
    data = tmp_path / "panel.csv"
    pd.DataFrame(ROWS, columns=["unit", "year", "group", "gdp", "jobs", "pm25", "energy"]
                 ).to_csv(data, index=False)
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(yaml.safe_dump(RECIPE), encoding="utf-8")
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["score", "-f", str(fw_path), "-d", str(data),
                                    "-r", str(recipe), "--out", str(out)])
    assert res.exit_code == 0, res.output
    diag = pd.read_csv(out / "diagnostics.csv", encoding="utf-8-sig")
    alerts = pd.read_csv(out / "alerts.csv", encoding="utf-8-sig")
    assert list(diag.columns) == DIAGNOSTIC_COLUMNS + EXTRA_COLUMNS
    assert list(alerts.columns) == ALERT_COLUMNS
    # met: true / false / empty
    assert cell(diag, "U4", 2023, "gdp", "met") == True        # noqa: E712  124 ≥ 120
    assert cell(diag, "U1", 2024, "gdp", "met") == False       # noqa: E712  95 < 100
    assert pd.isna(cell(diag, "U1", 2024, "jobs", "met"))      # no target
    assert pd.isna(cell(diag, "U1", 2024, "econ", "met"))      # a node
    assert cell(diag, "U1", 2024, "gdp", "gap_normalised") == pytest.approx(500 / 60)
    # group medians: south's 2024 gdp 95 and 75 → 85; pm25 39 and 47 → 43 (U1 ahead)
    assert cell(diag, "U2", 2024, "gdp", "group_median") == 85
    assert cell(diag, "U2", 2024, "gdp", "gap_to_group_median") == 10
    assert cell(diag, "U1", 2024, "pm25", "gap_to_group_median") == -4
    # the rest read back to the same numbers as computed
    mem = build_diagnostics(make())
    for col in ["value", "target", "gap", "expected_now", "obstacle", "gap_normalised",
                "group_median", "contribution", "contribution_change"]:
        assert np.array_equal(diag[col].to_numpy(float), mem["diagnostics"][col].to_numpy(float),
                              equal_nan=True), col
    assert (diag["light"].fillna("") == mem["diagnostics"]["light"]).all()
    pd.testing.assert_frame_equal(alerts, mem["alerts"], check_dtype=False)


# -- the profile's display -------------------------------------------------------------------
def test_profile_no_data_and_rank_out_of_units_with_data():
    # U3 has neither pm25 nor energy in 2023: its environment score is missing
    rows = [r if (r[0], r[1]) != ("U3", 2023) else (*r[:5], nan, nan) for r in ROWS]
    a = make(rows=rows)
    text = unit_profile(a, "U3", 2023)
    assert "Environment: no data" in text and "nan" not in text
    assert "Environment 0.0%" not in text          # no obstacle share without data
    assert "环境: 无数据" in unit_profile(a, "U3", 2023, lang="zh")
    # U1 2023: pm25 is known for 3 units only, so its first place is "of 3"
    assert "pm25: rank 1 of 3" in unit_profile(a, "U1", 2023)
