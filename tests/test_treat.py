"""Tests of evaluator.methods.treat (outlier treatment).

Independent sources:
* COINr 1.1.14's default ASEM build (reference/asem/coinr_default_build): dset_Screened →
  dset_Treated for all 49 indicators, and treat_details.csv (pass, skewness, kurtosis,
  number of winsorised points, skewness and kurtosis after winsorising);
* scipy.stats.skew / kurtosis (bias=False) for the checks at every step of the hand cases;
* COINr's documented example ``x <- c(1:10, 30, 100)`` (help page of ``Treat.numeric``).
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from evaluator.errors import MethodError
from evaluator.methods.treat import skewness_and_kurtosis, treat

NAN = np.nan


def passes(values) -> bool:
    """COINr's check, written out with scipy's type-2 estimators."""
    return abs(stats.skew(values, bias=False)) < 2 or stats.kurtosis(values, bias=False) < 3.5


# ---------------------------------------------------------------- COINr ASEM reference
@pytest.fixture(scope="module")
def asem_treatment():
    root = os.environ.get("EVALUATOR_REFERENCE_DATA")
    if not root:
        pytest.skip("EVALUATOR_REFERENCE_DATA is not set (point it at shared/reference)")
    build = Path(root) / "asem" / "coinr_default_build"
    screened = pd.read_csv(build / "dset_Screened.csv").set_index("uCode")
    treated = pd.read_csv(build / "dset_Treated.csv").set_index("uCode").loc[screened.index, screened.columns]
    details = pd.read_csv(build / "treat_details.csv").set_index("iCode").loc[screened.columns]
    return screened, treated, details


def test_asem_winsorise_reproduces_coinr_treated_data(asem_treatment):
    screened, expected, _ = asem_treatment
    result, _ = treat(screened.to_numpy(dtype=float), "winsorise", names=list(screened.columns))
    assert result.shape == (51, 49)
    np.testing.assert_allclose(result, expected.to_numpy(dtype=float), rtol=1e-9, atol=1e-9)


def test_asem_winsorise_reproduces_coinr_treat_details(asem_treatment):
    screened, _, expected = asem_treatment
    _, details = treat(screened.to_numpy(dtype=float), "winsorise", names=list(screened.columns))
    assert [d["indicator"] for d in details] == list(expected.index)
    for record, (code, row) in zip(details, expected.iterrows()):
        assert record["passed_before"] == row["check_SkewKurt0.Pass"], code
        assert record["skew"] == pytest.approx(row["check_SkewKurt0.Skew"], abs=1e-9), code
        assert record["kurtosis"] == pytest.approx(row["check_SkewKurt0.Kurt"], abs=1e-9), code
        if row["check_SkewKurt0.Pass"]:
            assert record["action"] == "none" and record["points"] == 0, code
        else:
            assert record["action"] == "winsorised", code
            assert record["points"] == row["winsorise.nwin"], code
            assert record["passed_after"] == row["check_SkewKurt1.Pass"], code
            assert record["skew_after"] == pytest.approx(row["check_SkewKurt1.Skew"], abs=1e-9), code
            assert record["kurtosis_after"] == pytest.approx(row["check_SkewKurt1.Kurt"], abs=1e-9), code


# ---------------------------------------------------------------- winsorise by hand
def test_winsorise_coinr_documented_example():
    x = np.r_[np.arange(1.0, 11.0), 30.0, 100.0]
    assert not passes(x)
    once = np.r_[np.arange(1.0, 11.0), 30.0, 30.0]   # 100 moved to the next value below, 30
    assert passes(once)
    result, details = treat(x[:, None], "winsorise", max_points=2)
    np.testing.assert_array_equal(result[:, 0], once)
    assert details[0]["action"] == "winsorised" and details[0]["points"] == 1
    assert details[0]["skew_after"] == pytest.approx(stats.skew(once, bias=False))


def test_winsorise_counts_values_tied_at_the_moved_maximum():
    # 1024 → 512 (1 point); the two 512s → 256 (2); three 256s → 128 (3); four 128s → 64 (4)
    x = np.r_[np.zeros(30), 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024.0]
    steps = [np.minimum(x, cap) for cap in (512, 256, 128, 64)]
    assert [passes(s) for s in steps] == [False, False, False, True]
    result, details = treat(x[:, None], "winsorise")
    np.testing.assert_array_equal(result[:, 0], steps[-1])
    assert details[0]["points"] == 4


def test_winsorise_moves_the_minimum_when_skewness_is_negative():
    x = -np.r_[np.arange(1.0, 11.0), 30.0, 100.0]
    result, details = treat(x[:, None], "winsorise")
    np.testing.assert_array_equal(result[:, 0], -np.r_[np.arange(1.0, 11.0), 30.0, 30.0])
    assert details[0]["skew"] < 0 and details[0]["points"] == 1


def test_winsorise_falls_back_to_shifted_log_of_untreated_values():
    x = np.r_[np.arange(1.0, 101.0), 1000.0 * np.arange(1, 9)]
    result, details = treat(x[:, None], "winsorise")
    # log(x − min + 0.01·(max − min)) with min 1, max 8000
    np.testing.assert_allclose(result[:, 0], np.log(x - 1 + 0.01 * 7999), rtol=1e-14)
    assert details[0]["action"] == "log" and details[0]["points"] == 0
    assert "5 point(s)" in details[0]["reason"]


def test_winsorise_leaves_a_passing_column_alone():
    x = np.arange(20.0)
    result, details = treat(x[:, None], "winsorise")
    np.testing.assert_array_equal(result[:, 0], x)
    assert details[0]["passed_before"] is True and details[0]["action"] == "none"


def test_winsorise_ignores_missing_cells():
    x = np.r_[np.arange(1.0, 11.0), 30.0, 100.0, NAN, NAN]
    result, details = treat(x[:, None], "winsorise")
    assert np.isnan(result[-2:, 0]).all() and result[11, 0] == 30.0
    assert details[0]["points"] == 1


@pytest.mark.parametrize("column, why", [([1.0, 2.0, NAN, 300.0], "observed"), ([5.0] * 6, "variance")])
def test_too_few_values_or_zero_variance_are_not_treated(column, why):
    result, details = treat(np.array(column)[:, None], "winsorise")
    np.testing.assert_array_equal(result[:, 0], column)
    assert details[0]["action"] == "none" and why in details[0]["reason"]


def test_blocks_are_treated_separately():
    skewed = np.r_[np.arange(1.0, 11.0), 30.0, 100.0]
    X = np.r_[skewed, np.arange(12.0)][:, None]
    blocks = [2020] * 12 + [2021] * 12
    result, details = treat(X, "winsorise", blocks=blocks, names=["pm25"])
    np.testing.assert_array_equal(result[:12, 0], treat(skewed[:, None], "winsorise")[0][:, 0])
    np.testing.assert_array_equal(result[12:, 0], np.arange(12.0))
    assert [(d["block"], d["action"]) for d in details] == [(2020, "winsorised"), (2021, "none")]
    assert details[0]["indicator"] == "pm25"


# ---------------------------------------------------------------- none, log, errors
def test_none_reports_statistics_and_changes_nothing():
    x = np.r_[np.arange(1.0, 11.0), 30.0, 100.0]
    result, details = treat(x[:, None], "none")
    np.testing.assert_array_equal(result[:, 0], x)
    assert details[0]["action"] == "none"
    assert details[0]["skew"] == pytest.approx(stats.skew(x, bias=False))
    assert details[0]["kurtosis"] == pytest.approx(stats.kurtosis(x, bias=False))


def test_log_is_the_plain_natural_log():
    X = np.array([[1.0, np.e], [np.e ** 2, NAN], [10.0, 1.0]])
    result, details = treat(X, "log")
    np.testing.assert_allclose(result, [[0.0, 1.0], [2.0, NAN], [np.log(10.0), 0.0]])
    assert {d["action"] for d in details} == {"log"}


def test_log_of_zero_names_indicator_and_row():
    X = np.array([[1.0, 2.0], [3.0, 0.0]])
    with pytest.raises(MethodError) as info:
        treat(X, "log", names=["gdp", "mining_share"], row_labels=["示例市001 2020", "示例市002 2020"])
    assert "mining_share" in str(info.value) and "示例市002 2020" in str(info.value)
    assert "winsorise" in info.value.fix and "shift" in info.value.fix


def test_unknown_method_lists_the_valid_ones():
    with pytest.raises(MethodError) as info:
        treat(np.ones((5, 1)), "boxcox")
    assert all(m in info.value.fix for m in ("none", "winsorise", "log"))


def test_infinite_values_are_rejected():
    with pytest.raises(MethodError, match="infinite"):
        treat(np.array([[1.0], [np.inf]]), "none")


# ---------------------------------------------------------------- properties
@settings(max_examples=200, deadline=None)
@given(values=st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=4, max_size=60)
       .filter(lambda v: np.ptp(v) > 1e-3 * max(1.0, np.abs(v).max())))
def test_property_skewness_and_kurtosis_match_scipy_type_2(values):
    x = np.array(values)
    skewness, kurtosis = skewness_and_kurtosis(x)
    assert skewness == pytest.approx(stats.skew(x, bias=False), rel=1e-9, abs=1e-9)
    assert kurtosis == pytest.approx(stats.kurtosis(x, bias=False), rel=1e-9, abs=1e-9)


# Columns mixing a bulk of ordinary values with a few large ones, so that all three outcomes
# (pass, winsorise, log fallback) occur.
skewed_columns = st.lists(
    st.one_of(st.floats(0, 10, allow_nan=False), st.floats(1e3, 1e6, allow_nan=False),
              st.sampled_from([0.0, 1.0, 5.0])),
    min_size=4, max_size=40)


@settings(max_examples=150, deadline=None)
@given(values=skewed_columns, method=st.sampled_from(["none", "winsorise"]))
def test_property_treatment_keeps_the_order_of_values(values, method):
    x = np.array(values)
    y = treat(x[:, None], method)[0][:, 0]
    earlier, later = np.meshgrid(np.arange(x.size), np.arange(x.size), indexing="ij")
    below = x[earlier] < x[later]
    assert np.all(y[earlier][below] <= y[later][below])          # never reversed, ties allowed
    tied = x[earlier] == x[later]
    assert np.all(y[earlier][tied] == y[later][tied])           # equal values stay equal


@settings(max_examples=150, deadline=None)
@given(values=skewed_columns)
def test_property_winsorised_columns_stay_within_the_original_range(values):
    x = np.array(values)
    y, details = treat(x[:, None], "winsorise")
    if details[0]["action"] == "winsorised":
        assert x.min() <= y.min() and y.max() <= x.max()
        assert np.count_nonzero(y[:, 0] != x) <= details[0]["points"] <= 5
        assert details[0]["passed_after"] is True


@settings(max_examples=100, deadline=None)
@given(values=st.lists(st.floats(1e-3, 1e6, allow_nan=False), min_size=1, max_size=30))
def test_property_log_keeps_the_order_of_positive_values(values):
    x = np.array(values)
    y = treat(x[:, None], "log")[0][:, 0]
    order = np.argsort(x, kind="stable")
    assert np.all(np.diff(y[order]) >= 0)
