"""Tests of evaluator.methods.prepare: denominate, impute, screen.

Independent sources:
* COINr 1.1.14's default ASEM build (reference/asem/coinr_default_build, produced by
  COINr itself): the Denominated, Imputed and Treated data sets;
* scikit-learn's SimpleImputer and KNNImputer;
* small cases computed by hand (the arithmetic is in the comments).
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.impute import KNNImputer, SimpleImputer

from evaluator.errors import MethodError
from evaluator.methods.prepare import IMPUTE_METHODS, denominate, impute, screen, treat

NAN = np.nan


# ---------------------------------------------------------------- COINr ASEM reference
@pytest.fixture(scope="module")
def asem():
    """The ASEM raw data, its indicator metadata and COINr's stage data sets, rows in iData order."""
    root = os.environ.get("EVALUATOR_REFERENCE_DATA")
    if not root:
        pytest.skip("EVALUATOR_REFERENCE_DATA is not set (point it at shared/reference)")
    folder = Path(root) / "asem"
    data = pd.read_csv(folder / "ASEM_iData.csv")
    meta = pd.read_csv(folder / "ASEM_iMeta.csv")
    indicators = meta[meta["Type"] == "Indicator"]
    codes = list(indicators["iCode"])

    def stage(name: str) -> np.ndarray:
        frame = pd.read_csv(folder / "coinr_default_build" / f"dset_{name}.csv").set_index("uCode")
        return frame.loc[data["uCode"], codes].to_numpy(dtype=float)

    denominators = np.full((len(data), len(codes)), NAN)
    for j, column in enumerate(indicators["Denominator"]):
        if isinstance(column, str):
            denominators[:, j] = data[column].to_numpy(dtype=float)
    return {"data": data, "codes": codes, "raw": data[codes].to_numpy(dtype=float),
            "denominators": denominators, "stage": stage}


def test_asem_denominate_matches_coinr(asem):
    result = denominate(asem["raw"], asem["denominators"], names=asem["codes"],
                        row_labels=list(asem["data"]["uCode"]))
    expected = asem["stage"]("Denominated")
    np.testing.assert_array_equal(np.isnan(result), np.isnan(expected))
    np.testing.assert_allclose(result, expected, rtol=1e-9, atol=1e-12)
    # indicators without a denominator are untouched
    untouched = np.isnan(asem["denominators"]).all(axis=0)
    assert untouched.sum() == 32  # 17 of the 49 ASEM indicators have a denominator
    np.testing.assert_array_equal(result[:, untouched], asem["raw"][:, untouched])


def test_asem_group_mean_imputation_matches_coinr(asem):
    denominated = asem["stage"]("Denominated")
    result, imputed = impute(denominated, "group_mean", groups=list(asem["data"]["EurAsia_group"]),
                             names=asem["codes"])
    expected = asem["stage"]("Imputed")
    assert not np.isnan(result).any()
    np.testing.assert_array_equal(imputed, np.isnan(denominated))
    np.testing.assert_allclose(result, expected, rtol=1e-9, atol=1e-12)


def test_asem_chain_through_treatment_matches_coinr(asem):
    """Raw → denominated → imputed → screened (nothing removed) → treated, as COINr builds it."""
    denominated = denominate(asem["raw"], asem["denominators"], names=asem["codes"])
    imputed, was_imputed = impute(denominated, "group_mean", groups=list(asem["data"]["EurAsia_group"]))
    keep = screen(~np.isnan(denominated), 0.0)
    assert keep.all()
    np.testing.assert_allclose(imputed[keep], asem["stage"]("Screened"), rtol=1e-9, atol=1e-12)
    treated, details = treat(imputed[keep], "winsorise", names=asem["codes"])
    np.testing.assert_allclose(treated, asem["stage"]("Treated"), rtol=1e-9, atol=1e-12)
    assert sum(d["action"] == "winsorised" for d in details) == 15


# ---------------------------------------------------------------- denominate
def test_denominate_divides_only_columns_with_a_denominator():
    X = np.array([[10.0, 5.0], [30.0, 7.0], [NAN, 1.0]])
    D = np.array([[2.0, NAN], [3.0, NAN], [4.0, NAN]])
    np.testing.assert_array_equal(denominate(X, D), [[5.0, 5.0], [10.0, 7.0], [NAN, 1.0]])


def test_denominate_missing_denominator_makes_the_ratio_missing():
    X = np.array([[10.0], [30.0]])
    D = np.array([[2.0], [NAN]])
    result = denominate(X, D)
    assert result[0, 0] == 5.0 and np.isnan(result[1, 0])


def test_denominate_ignores_a_zero_denominator_where_the_value_is_missing():
    result = denominate(np.array([[NAN], [6.0]]), np.array([[0.0], [2.0]]))
    assert np.isnan(result[0, 0]) and result[1, 0] == 3.0


@pytest.mark.parametrize("bad", [0.0, -4.0])
def test_denominate_rejects_zero_or_negative_denominator(bad):
    X = np.array([[10.0, 1.0], [30.0, 2.0]])
    D = np.array([[NAN, 5.0], [NAN, bad]])
    with pytest.raises(MethodError) as info:
        denominate(X, D, names=["gdp", "pop_density"], row_labels=["示例市001 2020", "示例市002 2020"])
    message = str(info.value)
    assert "pop_density" in message and "示例市002 2020" in message
    assert "denominator" in info.value.fix


def test_denominate_rejects_shape_mismatch():
    with pytest.raises(MethodError, match="shape"):
        denominate(np.ones((2, 2)), np.ones((2, 3)))


# ---------------------------------------------------------------- impute: cross-section
BLOCKED = np.array([[1.0, NAN], [3.0, 4.0], [NAN, 8.0], [10.0, NAN], [NAN, 2.0], [20.0, 6.0], [30.0, 7.0]])
YEARS = [2020, 2020, 2020, 2021, 2021, 2021, 2021]


def test_impute_none_fills_nothing():
    result, imputed = impute(BLOCKED, "none")
    np.testing.assert_array_equal(result, BLOCKED)
    assert not imputed.any()


def test_impute_mean_per_block_by_hand():
    result, imputed = impute(BLOCKED, "mean", blocks=YEARS)
    # 2020: col0 mean(1,3)=2, col1 mean(4,8)=6; 2021: col0 mean(10,20,30)=20, col1 mean(2,6,7)=5
    assert result[2, 0] == 2.0 and result[0, 1] == 6.0
    assert result[4, 0] == 20.0 and result[3, 1] == 5.0
    np.testing.assert_array_equal(imputed, np.isnan(BLOCKED))


def test_impute_median_per_block_by_hand():
    result, _ = impute(BLOCKED, "median", blocks=YEARS)
    # 2021: col0 median(10,20,30)=20, col1 median(2,6,7)=6
    assert result[4, 0] == 20.0 and result[3, 1] == 6.0


@pytest.mark.parametrize("strategy", ["mean", "median"])
def test_impute_single_block_matches_sklearn_simple_imputer(strategy):
    rng = np.random.default_rng(7)
    X = rng.normal(size=(40, 5))
    X[rng.random(X.shape) < 0.2] = NAN
    result, _ = impute(X, strategy)
    np.testing.assert_allclose(result, SimpleImputer(strategy=strategy).fit_transform(X), rtol=1e-12)


def test_impute_group_mean_within_block_and_group_by_hand():
    X = np.array([[1.0], [3.0], [NAN], [100.0], [NAN], [50.0], [NAN], [70.0]])
    years = [2020, 2020, 2020, 2020, 2020, 2021, 2021, 2021]
    groups = ["a", "a", "a", "b", "b", "a", "a", "b"]
    result, imputed = impute(X, "group_mean", blocks=years, groups=groups)
    # (2020, a): mean(1, 3) = 2; (2020, b): 100; (2021, a): 50 — never the 2021 'b' value 70
    np.testing.assert_array_equal(result[[2, 4, 6], 0], [2.0, 100.0, 50.0])
    assert imputed[[2, 4, 6], 0].all() and imputed.sum() == 3


def test_impute_group_median_by_hand():
    X = np.array([[1.0], [2.0], [9.0], [NAN], [5.0], [NAN]])
    result, _ = impute(X, "group_median", groups=["a", "a", "a", "a", "b", "b"])
    assert result[3, 0] == 2.0 and result[5, 0] == 5.0


def test_impute_leaves_cells_without_any_donor_missing():
    X = np.array([[NAN, 1.0], [NAN, NAN], [4.0, 3.0]])
    result, imputed = impute(X, "group_mean", groups=["a", "a", "b"])
    assert np.isnan(result[0, 0]) and np.isnan(result[1, 0])  # group a has no value in column 0
    assert result[1, 1] == 1.0
    assert not imputed[0, 0] and imputed[1, 1]


def test_impute_row_without_group_label_is_not_filled():
    result, imputed = impute(np.array([[1.0], [NAN], [NAN]]), "group_mean", groups=["a", None, "a"])
    assert np.isnan(result[1, 0]) and result[2, 0] == 1.0 and imputed.sum() == 1


@pytest.mark.parametrize("data", [BLOCKED, np.ones((3, 2))], ids=["gaps", "complete"])
def test_impute_group_method_without_groups_says_set_by(data):
    with pytest.raises(MethodError) as info:
        impute(data, "group_mean")
    assert "by:" in info.value.fix


@pytest.mark.parametrize("k", [0, 2.5, True])
def test_impute_knn_rejects_a_bad_k(k):
    with pytest.raises(MethodError, match="k >= 1"):
        impute(BLOCKED, "knn", k=k)


# ---------------------------------------------------------------- impute: in time
def test_impute_linear_interior_and_edges_by_hand():
    # unit A, years 2017..2022: [_, 1, _, _, 7, _]; rows shuffled and interleaved with unit B
    rows = [("A", 2020, NAN), ("B", 2010, 0.0), ("A", 2017, NAN), ("A", 2022, NAN), ("B", 2015, 10.0),
            ("A", 2018, 1.0), ("B", 2012, NAN), ("A", 2021, 7.0), ("A", 2019, NAN), ("C", 2020, NAN)]
    units, times, values = zip(*rows)
    result, imputed = impute(np.array(values)[:, None], "linear", units=units, times=times)
    by_row = dict(zip(zip(units, times), result[:, 0]))
    assert by_row[("A", 2017)] == 1.0   # before the first observation: nearest value
    assert by_row[("A", 2019)] == 3.0   # 1 + (7 - 1) * 1/3
    assert by_row[("A", 2020)] == 5.0   # 1 + (7 - 1) * 2/3
    assert by_row[("A", 2022)] == 7.0   # after the last observation: nearest value
    assert by_row[("B", 2012)] == 4.0   # uneven years: 0 + 10 * 2/5
    assert np.isnan(by_row[("C", 2020)])  # a unit with no observation stays missing
    assert imputed.sum() == 5


def test_impute_carry_forward_by_hand():
    units = ["A"] * 5 + ["B"] * 3
    times = [2016, 2017, 2018, 2019, 2020, 2018, 2019, 2020]
    X = np.array([[NAN, 2.0], [1.0, NAN], [NAN, NAN], [5.0, 3.0], [NAN, NAN],
                  [9.0, NAN], [NAN, NAN], [NAN, 4.0]])
    order = np.random.default_rng(3).permutation(len(units))
    result, imputed = impute(X[order], "carry_forward", units=[units[i] for i in order],
                             times=[times[i] for i in order])
    back = np.empty_like(result)
    back[order] = result
    expected = np.array([[NAN, 2.0], [1.0, 2.0], [1.0, 2.0], [5.0, 3.0], [5.0, 3.0],
                         [9.0, NAN], [9.0, NAN], [9.0, 4.0]])
    np.testing.assert_array_equal(back, expected)  # leading gaps stay missing


@pytest.mark.parametrize("method", ["linear", "carry_forward"])
def test_impute_in_time_needs_units_and_times(method):
    with pytest.raises(MethodError, match="unit"):
        impute(BLOCKED, method)


def test_impute_in_time_rejects_duplicate_unit_years():
    with pytest.raises(MethodError, match="twice"):
        impute(np.array([[1.0], [NAN]]), "linear", units=["A", "A"], times=[2020, 2020])


# ---------------------------------------------------------------- impute: knn
def _sklearn_knn_on_zscores(block: np.ndarray, k: int) -> np.ndarray:
    centre, spread = np.nanmean(block, axis=0), np.nanstd(block, axis=0)
    return KNNImputer(n_neighbors=k).fit_transform((block - centre) / spread) * spread + centre


def test_impute_knn_hand_case_nearest_neighbour():
    X = np.array([[1.0, 10.0], [1.1, 11.0], [5.0, 50.0], [1.02, NAN]])
    # on the one observed column, row 3 is nearest to row 0, then row 1, far from row 2
    assert impute(X, "knn", k=1)[0][3, 1] == pytest.approx(10.0)
    assert impute(X, "knn", k=2)[0][3, 1] == pytest.approx(10.5)   # mean(10, 11)
    assert impute(X, "knn", k=3)[0][3, 1] == pytest.approx(71 / 3)  # every donor


def test_impute_knn_matches_sklearn_per_block():
    rng = np.random.default_rng(11)
    X = rng.lognormal(size=(30, 4)) * [1, 10, 100, 1000]
    X[rng.random(X.shape) < 0.15] = NAN
    blocks = np.repeat([2020, 2021], 15)
    result, imputed = impute(X, "knn", blocks=blocks, k=3)
    for year in (2020, 2021):
        rows = blocks == year
        np.testing.assert_allclose(result[rows], _sklearn_knn_on_zscores(X[rows], 3), rtol=1e-12)
    np.testing.assert_array_equal(imputed, np.isnan(X))


def test_impute_knn_column_empty_in_a_block_stays_missing():
    X = np.array([[1.0, NAN], [2.0, NAN], [NAN, NAN], [4.0, 5.0]])
    result, _ = impute(X, "knn", blocks=[1, 1, 1, 2], k=2)
    assert result[2, 0] == pytest.approx(1.5) and np.isnan(result[:3, 1]).all()


def test_impute_unknown_method_lists_the_valid_ones():
    with pytest.raises(MethodError) as info:
        impute(BLOCKED, "hot_deck")
    for method in IMPUTE_METHODS:
        assert method in info.value.fix


# ---------------------------------------------------------------- screen
def test_screen_keeps_rows_with_enough_own_data():
    observed = np.array([[True, True, True, True], [True, True, True, False],
                         [True, False, False, False], [False, False, False, False]])
    np.testing.assert_array_equal(screen(observed, 0.75), [True, True, False, False])
    np.testing.assert_array_equal(screen(observed, 0), [True, True, True, True])
    np.testing.assert_array_equal(screen(observed, 1), [True, False, False, False])


def test_screen_removing_everything_is_an_error_naming_the_best_row():
    observed = np.array([[True, False], [False, False]])
    with pytest.raises(MethodError, match="示例市001 2020"):
        screen(observed, 0.9, row_labels=["示例市001 2020", "示例市002 2020"])


@pytest.mark.parametrize("bad", [-0.1, 1.5, "all"])
def test_screen_rejects_a_coverage_outside_zero_to_one(bad):
    with pytest.raises(MethodError, match="min_coverage"):
        screen(np.ones((2, 2), dtype=bool), bad)


# ---------------------------------------------------------------- properties
@st.composite
def panels(draw):
    """A small panel of 2-4 units x 2-4 years with gaps, in shuffled row order."""
    n_units, n_years = draw(st.integers(2, 4)), draw(st.integers(2, 4))
    n_columns = draw(st.integers(1, 3))
    values = draw(hnp.arrays(float, (n_units * n_years, n_columns),
                             elements=st.floats(-1e6, 1e6, allow_nan=False)))
    gaps = draw(hnp.arrays(bool, values.shape))
    values[gaps] = NAN
    units = np.repeat(np.arange(n_units), n_years)
    years = np.tile(2000 + np.arange(n_years), n_units)
    groups = units % 2
    order = draw(st.permutations(range(len(units))))
    order = np.asarray(order)
    return values[order], units[order], years[order], groups[order]


@settings(max_examples=60, deadline=None)
@given(panel=panels(), method=st.sampled_from(IMPUTE_METHODS))
def test_property_imputation_never_changes_observed_cells(panel, method):
    values, units, years, groups = panel
    result, imputed = impute(values, method, blocks=years, groups=groups, units=units, times=years, k=2)
    observed = ~np.isnan(values)
    np.testing.assert_array_equal(result[observed], values[observed])
    assert not imputed[observed].any()
    np.testing.assert_array_equal(imputed, np.isnan(values) & ~np.isnan(result))


@settings(max_examples=60, deadline=None)
@given(panel=panels(), method=st.sampled_from(["mean", "median", "group_mean", "group_median", "linear"]))
def test_property_cross_section_and_linear_fills_stay_within_observed_range(panel, method):
    """A mean, median or interpolation never leaves the range of the column's observed values."""
    values, units, years, groups = panel
    result, _ = impute(values, method, blocks=years, groups=groups, units=units, times=years)
    low, high = np.nanmin(np.where(np.isnan(values), np.inf, values), axis=0), \
        np.nanmax(np.where(np.isnan(values), -np.inf, values), axis=0)
    filled = ~np.isnan(result)
    tolerance = 1e-9 * np.maximum(1.0, np.abs(result))
    assert np.all(~filled | (result >= low - tolerance)) and np.all(~filled | (result <= high + tolerance))
