"""Rank-sum ratio and fuzzy comprehensive evaluation against published worked examples.

RSR: the classic maternal-health example of ten areas A–J (产前检查率, 孕妇死亡率,
围产儿死亡率; the last two cost indicators), the one Chinese RSR tutorials and open
implementations reproduce (its usual attribution to 孙振球 (ed.) 医学统计学 could not be
checked against the book). The integer ranks of the data give RSR = (18, 12, 23, 12, 18,
20, 15, 27, 17, 3)/30 and the distribution table's probits 3.72, 4.33, 4.75, 5.00, 5.39,
5.84, 6.28, 6.96. The non-integer variant: 戈早川 & 徐春华's hospital example (below).

Fuzzy: 汪培庄 (1983)'s clothing example as reproduced by 司守奎 & 孙玺菁 (2011): with
M(∧,∨) the two customer groups give B = (0.2, 0.3, 0.4, 0.1) (不太欢迎) and
B = (0.35, 0.4, 0.2, 0.1) (比较欢迎).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from evaluator.errors import MethodError, RecipeError
from evaluator.evaluate import evaluate
from evaluator.methods import fuzzy as fz
from evaluator.methods.rsr import rsr
from evaluator.model.framework import Framework
from evaluator.model.panel import Panel
from evaluator.model.recipe import Recipe

DATA = pd.DataFrame({
    "unit": list("ABCDEFGHIJ"), "year": 1990,
    "antenatal": [99.54, 96.52, 99.36, 92.83, 91.71, 95.35, 96.09, 99.27, 94.76, 84.80],
    "maternal": [60.27, 59.67, 43.91, 58.99, 35.40, 44.71, 49.81, 31.69, 22.91, 81.49],
    "perinatal": [16.15, 20.10, 15.60, 17.04, 15.01, 13.93, 17.43, 13.89, 19.87, 23.63]})
PUBLISHED_RSR = np.array([18, 12, 23, 12, 18, 20, 15, 27, 17, 3]) / 30
PUBLISHED_PROBIT = [3.72, 4.33, 4.75, 5.00, 5.39, 5.84, 6.28, 6.96]


def test_rsr_reproduces_the_textbook_example():
    V = np.column_stack([DATA["antenatal"], -DATA["maternal"], -DATA["perinatal"]])
    res = rsr(V, np.full(3, 1 / 3))
    np.testing.assert_allclose(res.rsr, PUBLISHED_RSR, atol=1e-12)
    np.testing.assert_allclose(np.round(res.distribution["probit"], 2), PUBLISHED_PROBIT)
    fit = stats.linregress(res.distribution["probit"], res.distribution["rsr"])
    assert res.slope == pytest.approx(fit.slope) and res.intercept == pytest.approx(fit.intercept)
    # 3 tiers at probit 4 and 6: J (3.72) lowest, H (6.96) and C (6.28) top
    tier = dict(zip(DATA["unit"], res.tier))
    assert tier["J"] == 3 and tier["H"] == 1 and tier["C"] == 1 and tier["G"] == 2


def test_rsr_through_the_recipe_with_cost_indicators():
    fw = Framework.from_dict({"id": "mch", "indicators": [
        {"id": "antenatal"}, {"id": "maternal", "direction": "cost"},
        {"id": "perinatal", "direction": "cost"}]})
    res = evaluate(fw, Panel.from_frame(DATA, fw), {
        "normalise": {"method": "min_max", "range": [0, 1]},
        "weights": {"indicators": "equal"}, "aggregate": {"method": "rsr", "tiers": 3}})
    np.testing.assert_allclose(res.scores["index"], PUBLISHED_RSR, atol=1e-12)
    table = res.aggregation_table
    assert {"rsr", "probit", "rsr_fitted", "tier"} <= set(table.columns)


def test_rsr_non_integer_keeps_distances_and_tier_counts():
    V = np.array([[1.0], [2.0], [4.0], [8.0]])
    res = rsr(V, np.ones(1), variant="non_integer", tiers=4)
    np.testing.assert_allclose(res.ranks[:, 0], 1 + 3 * (V[:, 0] - 1) / 7)
    assert set(res.tier) <= {1, 2, 3, 4}


def test_rsr_with_one_unit_or_too_few_values():
    with pytest.raises(MethodError, match="only 1 unit"):
        rsr(np.array([[1.0, 2.0]]), np.ones(2))
    two = rsr(np.array([[1.0], [2.0]]), np.ones(1))
    assert np.isnan(two.slope) and (two.tier == 0).all()
    with pytest.raises(RecipeError, match="aggregate.tiers"):
        Recipe.from_dict({"aggregate": {"method": "rsr", "tiers": 7}})


CLOTHING = np.array([[0.2, 0.5, 0.2, 0.1], [0.7, 0.2, 0.1, 0.0],
                     [0.0, 0.4, 0.5, 0.1], [0.2, 0.3, 0.5, 0.0]])


def test_fuzzy_reproduces_the_clothing_example():
    b1 = fz.evaluate(CLOTHING, [0.1, 0.2, 0.3, 0.4], operator="min_max")
    b2 = fz.evaluate(CLOTHING, [0.4, 0.35, 0.15, 0.1], operator="min_max")
    np.testing.assert_allclose(b1.raw, [0.2, 0.3, 0.4, 0.1])
    np.testing.assert_allclose(b2.raw, [0.35, 0.4, 0.2, 0.1])
    assert b1.grade[0] == 3 and b2.grade[0] == 2          # 不太欢迎, 比较欢迎
    avg = fz.evaluate(CLOTHING, [0.1, 0.2, 0.3, 0.4])
    np.testing.assert_allclose(avg.raw, np.array([0.1, 0.2, 0.3, 0.4]) @ CLOTHING)


def test_membership_functions_and_survey_counts():
    R = fz.triangular(np.array([0.0, 25.0, 50.0, 62.5, 100.0]), [0, 50, 100])
    np.testing.assert_allclose(R, [[1, 0, 0], [0.5, 0.5, 0], [0, 1, 0], [0, 0.75, 0.25],
                                   [0, 0, 1]])
    T = fz.trapezoidal(np.array([10.0, 48.0, 50.0, 90.0]), [50], 5)
    np.testing.assert_allclose(T, [[1, 0], [0.7, 0.3], [0.5, 0.5], [0, 1]])
    np.testing.assert_allclose(fz.from_counts([[2, 6, 2], [0, 5, 5]]),
                               [[0.2, 0.6, 0.2], [0, 0.5, 0.5]])
    with pytest.raises(MethodError, match="increasing"):
        fz.triangular(np.array([1.0]), [50, 20, 80])


def test_ahp_fuzzy_through_the_recipe():
    fw = Framework.from_dict({"id": "fz", "indicators": [{"id": "x1"}, {"id": "x2"}]})
    df = pd.DataFrame({"unit": ["a", "b", "c"], "year": 2024, "x1": [1.0, 5, 9],
                       "x2": [9.0, 5, 1]})
    res = evaluate(fw, Panel.from_frame(df, fw), {
        "weights": {"indicators": {"method": "fixed", "values": {"x1": 3, "x2": 1}}},
        "aggregate": {"method": "fuzzy", "thresholds": [0, 50, 100],
                      "grades": ["差", "中", "优"]}})
    # a: x1 = 0 (差), x2 = 100 (优): B = 0.75·(1,0,0) + 0.25·(0,0,1) → grade 差
    table = res.aggregation_table.set_index("unit")
    assert table.loc["a", "membership_差"] == pytest.approx(0.75)
    assert table.loc["a", "fuzzy_grade"] == 1 and table.loc["c", "fuzzy_grade"] == 3
    np.testing.assert_allclose(res.scores["index"], 100 * table.loc[["a", "b", "c"],
                                                                    "grade_score"].to_numpy())
    with pytest.raises(MethodError, match="increasing"):
        evaluate(fw, Panel.from_frame(df, fw), {"aggregate": {
            "method": "fuzzy", "thresholds": [60, 40, 80]}})


# 戈早川 & 徐春华, 非整秩次秩和比法初探 (江西医学院; received 1999-03-31): a city
# hospital's work quality 1983–1992 — cure rate, case fatality (cost), bed turnover, bed
# working days, bed occupancy, mean stay (cost) — with weights "taken from the original";
# the same data and weights are 司守奎 & 孙玺菁 (2011) 数学建模算法与应用 例 14.7 (zhb.txt).
# Published non-integer regressions: RSR = 0.02529 + 0.1085·Y (r = 0.9553), WRSR =
# −0.1012 + 0.1316·Y (r = 0.9434). The article's probits are read from a table to two
# decimals; with those, WRSR's a and b agree to the printed digits.
HOSPITAL = np.array([
    [75.2, 3.5, 38.2, 370.1, 101.5, 10.0], [76.1, 3.3, 36.7, 369.6, 101.0, 10.3],
    [80.4, 2.7, 30.5, 309.7, 84.8, 10.0], [77.8, 2.7, 36.3, 370.1, 101.4, 10.2],
    [75.9, 2.3, 38.9, 369.4, 101.2, 9.61], [74.3, 2.4, 36.7, 335.3, 91.9, 9.2],
    [74.6, 2.2, 37.5, 356.2, 97.6, 9.3], [72.1, 1.8, 40.3, 401.7, 101.1, 10.0],
    [72.8, 1.9, 37.1, 372.8, 102.1, 10.0], [72.1, 1.5, 33.2, 358.1, 97.8, 10.4]])
HOSPITAL_W = np.array([0.093, 0.418, 0.132, 0.100, 0.098, 0.159])


@pytest.mark.parametrize("weights, a, b, r", [
    (np.full(6, 1 / 6), 0.02529, 0.1085, 0.9553),
    (HOSPITAL_W, -0.1012, 0.1316, 0.9434)])
def test_non_integer_rsr_reproduces_the_published_hospital_regressions(weights, a, b, r):
    V = HOSPITAL * np.array([1, -1, 1, 1, 1, -1])          # cost indicators oriented
    res = rsr(V, weights, variant="non_integer")
    assert res.intercept == pytest.approx(a, abs=1.5e-3)
    assert res.slope == pytest.approx(b, abs=5e-4)
    assert np.sqrt(res.r2) == pytest.approx(r, abs=1e-3)
    # with the probits of the printed table (two decimals) WRSR's line is the published one
    probit = np.round(res.distribution["probit"], 2)
    fit = stats.linregress(probit, res.distribution["rsr"])
    if weights is HOSPITAL_W:
        assert round(fit.intercept, 4) == a and round(fit.slope, 4) == b
